"""The house rules of the code base: no import cycles, layers that point one way, short functions,
and comments that state the current rule rather than its history."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PRODUCT = ("forecast", "constraints", "roster")
OURS = PRODUCT + ("benchmarks",)


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def python_files(packages=PRODUCT) -> list[Path]:
    return sorted(p for pkg in packages for p in (ROOT / pkg).rglob("*.py"))


MODULES = {module_name(p): p for p in python_files(OURS)}


def imports_of(path: Path) -> set[str]:
    """Every module of ours that ``path`` imports, at the top or inside a function."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    me = module_name(path)
    package = me if path.name == "__init__.py" else me.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
            names = [f"{base}.{a.name}" for a in node.names] + [base]
        else:
            continue
        for name in names:
            while name and name not in MODULES:
                name = name.rpartition(".")[0]
            if name and name != me:
                found.add(name)
    return found


def test_no_import_cycles_between_modules():
    graph = {m: imports_of(p) for m, p in MODULES.items()}
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(m: str) -> None:
        state[m] = 1
        stack.append(m)
        for n in sorted(graph[m]):
            # a package's __init__ importing its own submodules is not a cycle back to it
            if n.startswith(m + "."):
                continue
            if state.get(n) == 1:
                cycle = stack[stack.index(n):] + [n]
                if not all(c.startswith(n + ".") or c == n for c in cycle):
                    pytest.fail("import cycle: " + " -> ".join(cycle))
            elif n not in state:
                visit(n)
        stack.pop()
        state[m] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m)


@pytest.mark.parametrize("package", ["forecast", "constraints"])
def test_lower_layers_import_nothing_from_roster(package):
    offenders = {module_name(p): sorted(n for n in imports_of(p) if n == "roster" or n.startswith("roster."))
                 for p in python_files((package,))}
    assert not {m: n for m, n in offenders.items() if n}


def test_product_code_does_not_import_benchmarks_or_examples():
    offenders = {}
    for p in python_files():
        tree = ast.parse(p.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            mod = node.module if isinstance(node, ast.ImportFrom) else None
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [mod or ""]
            if any(n.split(".")[0] in ("benchmarks", "examples", "tests") for n in names):
                offenders.setdefault(module_name(p), []).append(names)
    assert not offenders


def test_every_module_imports_on_its_own_in_a_fresh_interpreter():
    product = [m for m in MODULES if m.split(".")[0] in PRODUCT]

    def attempt(m: str) -> tuple[str, str]:
        r = subprocess.run([sys.executable, "-c", f"import {m}"], cwd=ROOT, capture_output=True, text=True)
        return m, "" if r.returncode == 0 else (r.stderr.strip().splitlines() or ["?"])[-1]

    with ThreadPoolExecutor(max_workers=4) as pool:
        failures = {m: err for m, err in pool.map(attempt, product) if err}
    assert not failures


MAX_FUNCTION_LINES = 120


def test_no_function_in_product_code_is_longer_than_120_lines():
    long = []
    for p in python_files():
        for node in ast.walk(ast.parse(p.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                n = node.end_lineno - node.lineno + 1
                if n > MAX_FUNCTION_LINES:
                    long.append(f"{p.relative_to(ROOT)}:{node.lineno} {node.name} ({n} lines)")
    assert not long


# A comment or docstring that tells the code's history or a benchmark run's anecdote.
HISTORY = re.compile(r"\bsessions?\s+\d+|\bsince session\b|\buntil session\b|\bbenchmark instances?\s+\d+"
                     r"|\binstances?\s+\d+(?:\s*(?:-|and|,)\s*\d+)*(?:'s)?\b", re.IGNORECASE)


def comments_and_docstrings(path: Path):
    text = path.read_text(encoding="utf-8")
    for i, line in enumerate(text.splitlines(), 1):
        if "#" in line:
            yield i, line[line.index("#"):]
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            doc = ast.get_docstring(node, clean=False)
            if doc:
                yield getattr(node, "lineno", 1), doc


def test_product_comments_state_the_rule_not_its_history():
    hits = [f"{p.relative_to(ROOT)}:{i}: {HISTORY.search(t).group(0)!r}"
            for p in python_files() for i, t in comments_and_docstrings(p) if HISTORY.search(t)]
    assert not hits
