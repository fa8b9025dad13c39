"""What every ``roster`` command shares: options, exit codes, progress and error mapping.

Exit codes: 0 success, 1 anything unexpected, 2 bad input (nothing written), 3 no
feasible roster (with the diagnosis), 4 ``check`` found violations.  Logs never carry
staff names.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

import typer

from roster.errors import InfeasibleError, InputError

EXIT_OK, EXIT_UNEXPECTED, EXIT_INPUT, EXIT_INFEASIBLE, EXIT_VIOLATIONS = 0, 1, 2, 3, 4

ConfigOpt = typer.Option(Path("roster.toml"), "--config", "-c", help="Path to roster.toml.")


def err(msg: str) -> None:
    typer.echo(msg, err=True)


def progress_printer(quiet: bool):
    """A progress callback that prints each stage with the seconds since the command began."""
    t0 = time.perf_counter()

    def step(msg: str) -> None:
        if not quiet:
            typer.echo(f"[{time.perf_counter() - t0:6.1f}s] {msg} …", err=True)

    return step


def run(fn):
    """Call ``fn``; map the project's errors onto exit codes with a plain message."""
    try:
        code = fn()
    except InputError as exc:
        err(f"Error: {exc}")
        raise typer.Exit(EXIT_INPUT)
    except InfeasibleError as exc:
        err(exc.diagnosis)
        raise typer.Exit(EXIT_INFEASIBLE)
    except typer.Exit:
        raise
    except BrokenPipeError:  # the output was piped into a reader that stopped (`| head`): not an error
        import os
        import sys

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise typer.Exit(EXIT_OK)
    except Exception as exc:  # noqa: BLE001 - the last line of defence, still one clear line
        logging.getLogger("roster").exception("unexpected error")
        err(f"Unexpected error ({type(exc).__name__}): {exc}. Please report it with the command you ran.")
        raise typer.Exit(EXIT_UNEXPECTED)
    raise typer.Exit(code or EXIT_OK)


def load(config: Path):
    from roster.config import load_config

    return load_config(config)
