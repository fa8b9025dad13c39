"""The ``roster`` command line: ``app`` is the typer application (``roster = "roster.cli:app"``)."""

from roster.cli.app import app, main

__all__ = ["app", "main"]
