"""The output folder, checked before any work: a folder the user can write that overwrites no input.

Every command that writes calls :func:`check_out_dir` first, so a path that is a file, a folder that
cannot be created or written, or an ``--out`` where an output would replace one of the command's own
inputs (``--pin``, ``--previous``, roster.toml, a data file) is refused with exit 2 before any
forecast or solve, and nothing is written.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from roster.errors import InputError


def _nearest_existing(path: Path) -> Path:
    probe = path
    while not probe.exists() and probe.parent != probe:
        probe = probe.parent
    return probe


def _writable(folder: Path) -> bool:
    """Whether a file can be made in ``folder``: permission bits, and a real try (root, read-only mounts)."""
    if not os.access(folder, os.W_OK | os.X_OK):
        return False
    try:
        os.rmdir(tempfile.mkdtemp(prefix=".roster-write-check.", dir=folder))
    except OSError:
        return False
    return True


def _in_subfolder(path: Path, target: Path, produces: Iterable[str]) -> bool:
    """Whether ``path`` lies under ``target`` where a pattern with a folder (``baseline/*``) writes."""
    import fnmatch

    if target not in path.parents:
        return False
    rel = path.relative_to(target).as_posix()
    return any("/" in p and fnmatch.fnmatch(rel, p) for p in produces)


def config_inputs(cfg) -> list[Path]:
    """roster.toml and every data file it names."""
    data = cfg.data
    files = [] if data is None else [data.calls, data.staff, data.time_off, data.requests, data.shift_requirements]
    return [p for p in files if p is not None]


def check_out_dir(out: Path, produces: Iterable[str], inputs: Iterable[Path | None] = (), *,
                  option: str = "--out") -> Path:
    """``out`` as given, once it is known to be a folder the user can create or write and where no file of
    ``produces`` (names, or ``*`` patterns such as ``*.ics``; ``NAME/*`` for a subfolder the command writes)
    would replace a file of ``inputs``."""
    import fnmatch

    out = Path(out)
    if out.exists() and not out.is_dir():
        raise InputError(f"{option} {out} is a file, not a folder; name a folder for the outputs (it is created "
                         "if it does not exist).")
    base = _nearest_existing(out.absolute())
    if not base.is_dir():
        raise InputError(f"{option} {out} cannot be created: {base} is a file, not a folder; choose another folder.")
    if not _writable(base):
        raise InputError(f"{option} {out}: you cannot write to {base} (its permissions, or a read-only drive); "
                         "choose a folder you can write to.")
    target = out.resolve()
    for given in inputs:
        if given is None:
            continue
        path = Path(given).resolve()
        if path.parent == target and any(fnmatch.fnmatch(path.name, p) for p in produces) \
                or _in_subfolder(path, target, produces):
            raise InputError(f"{option} {out} would overwrite the input {given} (this command writes "
                             f"{path.name} there); write the outputs into another folder, so inputs stay as they are.")
    return out
