"""``roster init`` and ``roster validate``: a new city's starter files, and every input checked without solving."""

from __future__ import annotations

import os
from pathlib import Path
from typing import List, Optional

import typer

from roster.cli.common import EXIT_OK, ConfigOpt, load, run
from roster.cli.sickfile import SickFileOpt


def _local_zone() -> str:
    """The machine's IANA zone when it can be read (TZ, /etc/localtime), else UTC."""
    tz = os.environ.get("TZ", "").lstrip(":")
    if tz and "/" in tz:
        return tz
    try:
        target = os.path.realpath("/etc/localtime")
    except OSError:  # pragma: no cover
        return "UTC"
    return target.split("zoneinfo/", 1)[1] if "zoneinfo/" in target else "UTC"


def init(
    directory: Path = typer.Argument(..., metavar="DIR", help="Folder for the new city (created if missing)."),
    districts: List[str] = typer.Option(["Central", "North"], "--districts", "-d",
                                        help="District names (repeat the option, or separate with commas)."),
    timezone: Optional[str] = typer.Option(None, help="IANA time zone, e.g. Europe/Berlin (default: this machine's)."),
    name: Optional[str] = typer.Option(None, help="City name (default: the folder's name)."),
    currency: str = typer.Option("USD", help="ISO 4217 currency code costs are printed in, e.g. EUR."),
    holidays_country: Optional[str] = typer.Option(None, help="Country code for public holidays, e.g. DE."),
) -> None:
    """Write a starter city: roster.toml, staff.csv, time_off.csv, requests.csv and a README (never overwrites)."""

    def go() -> int:
        from roster.config import parse_config
        from roster.errors import InputError
        from roster.io.starter import starter_files
        from roster.io.writers import write_set

        from roster.currency import check_currency

        try:
            check_currency(currency)
        except ValueError as exc:
            raise InputError(f"--currency (city.currency of roster.toml): {exc}.") from None
        names = [d.strip() for value in districts for d in value.split(",") if d.strip()] or list(districts)
        zone = timezone or _local_zone()
        try:
            files = starter_files(name or directory.resolve().name or "My city", zone, names, currency=currency,
                                  holidays_country=holidays_country)
        except ValueError as exc:
            raise InputError(f"--districts: {exc}.") from None
        import tomllib

        parse_config(tomllib.loads(files["roster.toml"]), where="the new roster.toml (check --timezone and --currency)")
        existing = [directory / f for f in files if (directory / f).exists()]
        if existing:
            raise InputError(f"{', '.join(map(str, existing))} already exist(s); roster init never overwrites a file. "
                             "Choose an empty folder or move those files away.")
        if directory.exists() and not directory.is_dir():
            raise InputError(f"{directory} is a file, not a folder; give a folder for the new city.")
        from roster.io.outdir import check_out_dir

        check_out_dir(directory, tuple(files), option="DIR")  # a folder that can be made and written
        write_set(directory, files)  # all five or none
        typer.echo(f"Created a starter city in {directory} ({', '.join(files)}), time zone {zone}, "
                   f"districts {', '.join(names)}.")
        typer.echo(f"Next: add {directory / 'calls.csv'} (timestamp,district[,call_type]), replace the example "
                   f"people in staff.csv, then\n  roster validate --config {directory / 'roster.toml'}\n"
                   f"  roster plan --config {directory / 'roster.toml'} --out {directory / 'out'}\n"
                   f"(see {directory / 'README.md'}).")
        return EXIT_OK

    run(go)


def validate(
    config: Path = ConfigOpt,
    week: Optional[str] = typer.Option(None, help="Monday of the week to size against (default: the first after the history)."),
    sick_file: Optional[Path] = SickFileOpt,
) -> None:
    """Check roster.toml and every file it names without solving; show staff, history and cover against need."""

    def go() -> int:
        from roster.cli.tables import print_section, print_warnings
        from roster.io.sick import with_sick_file
        from roster.pipeline.validate import validate_city

        cfg = with_sick_file(load(config), sick_file, config)
        report = validate_city(cfg, week, on_section=print_section)
        print_warnings(report.warnings)
        return EXIT_OK

    run(go)
