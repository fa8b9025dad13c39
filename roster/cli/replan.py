"""`roster sick`: a sick call recorded in sick.csv and the published week re-planned around it.

``roster sick STAFF_ID --from DATE[THH:MM] [--to ...] --pin PUBLISHED.csv [--out DIR]``
is ``roster plan --sick STAFF_ID --from ... --to ... --pin ...``: the absence is added to
the plan's leave, the week of ``--from`` is re-planned with the published roster pinned
and the days before the sick day frozen, and once the new roster is written the absence
is recorded in sick.csv (never in time_off.csv).
"""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Optional

import typer

from roster.cli.common import ConfigOpt
from roster.cli.sickfile import SickFileOpt


def sick(
    staff_id: str = typer.Argument(..., metavar="STAFF_ID", help="The person who is off sick (staff_id of staff.csv)."),
    sick_from: str = typer.Option(..., "--from", help="First day (YYYY-MM-DD) or instant (YYYY-MM-DDTHH:MM) of the absence."),
    sick_to: Optional[str] = typer.Option(None, "--to", help="Last day (inclusive) or the instant it ends; default: the --from day."),
    pin: Path = typer.Option(..., help="The published roster.csv of the week, kept as far as possible."),
    out: Optional[Path] = typer.Option(None, help="Folder for the new roster; default: 'replan' inside the published roster's folder."),
    config: Path = ConfigOpt,
    freeze_before: Optional[str] = typer.Option(None, help="Days before this date stay as published (default: the first sick day)."),
    time_limit: Optional[float] = typer.Option(None, help="Solver time limit in seconds (default: solver.time_limit_seconds)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress messages."),
    sick_file: Optional[Path] = SickFileOpt,
) -> None:
    """Record a sick call in sick.csv and re-plan the published week around it (roster plan --sick … --pin …)."""
    from roster.cli.plan import plan

    defaults = {name: getattr(p.default, "default", p.default) for name, p in inspect.signature(plan).parameters.items()}
    plan(**{**defaults, **dict(config=config, out=out if out is not None else Path(pin).parent / "replan", pin=pin,
               freeze_before=freeze_before, time_limit=time_limit, quiet=quiet, sick=staff_id, sick_from=sick_from,
               sick_to=sick_to, sick_file=sick_file)})
