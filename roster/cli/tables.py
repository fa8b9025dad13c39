"""Tables on the terminal: rich tables when the output is a terminal, aligned plain text otherwise."""

from __future__ import annotations

import sys

import typer


def _plain(section) -> str:
    cols = [str(c) for c in section.columns]
    cells = [[str(v) for v in row] for row in section.rows]
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(cols)]
    lines = [section.title, "  " + "  ".join(c.ljust(w) for c, w in zip(cols, widths)).rstrip()]
    lines += ["  " + "  ".join(v.ljust(w) for v, w in zip(r, widths)).rstrip() for r in cells]
    lines += [f"  {n}" for n in section.notes]
    return "\n".join(lines)


def print_section(section, *, terminal: bool | None = None) -> None:
    """Print one report section (title, columns, rows, notes)."""
    if terminal is None:
        terminal = sys.stdout.isatty()
    if not terminal:
        typer.echo(_plain(section) + "\n")
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=section.title, title_justify="left", caption="\n".join(section.notes) or None,
                  caption_justify="left")
    for c in section.columns:
        table.add_column(str(c), overflow="fold")
    for row in section.rows:
        table.add_row(*(str(v) for v in row))
    Console().print(table)


def print_warnings(warnings: list[str]) -> None:
    for w in warnings:
        typer.echo(f"WARNING: {w}")
    typer.echo("No problems found." if not warnings else f"{len(warnings)} warning(s); every file and key is valid.")
