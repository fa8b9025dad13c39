"""``--sick-file`` of ``roster plan``, ``roster sick``, ``roster check`` and ``roster validate``: the sick-call file to use instead of roster.toml's."""

from __future__ import annotations

import typer

SickFileOpt = typer.Option(
    None, "--sick-file",
    help="Sick calls file, read as leave (and, with --sick, where the new one is recorded); "
         "default: data.sick of roster.toml, else sick.csv beside time_off.csv.")
