"""``roster export``: a roster.csv in the formats HR, payroll and staff calendars take (docs/exports.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from roster.cli.common import EXIT_OK, ConfigOpt, load, run


def check_datetime_format(fmt: str | None) -> None:
    """A --datetime-format that shows the time: two instants differing in every field must print differently
    (an empty format, or one without a valid strftime directive such as '%Q', would print the same text)."""
    import datetime as dt

    from roster.errors import InputError

    if fmt is None:
        return
    a, b = dt.datetime(2001, 2, 3, 4, 5, 6), dt.datetime(2012, 11, 10, 13, 14, 15)
    try:
        same = a.strftime(fmt) == b.strftime(fmt)
    except (ValueError, UnicodeError) as exc:
        raise InputError(f"--datetime-format {fmt!r} is not a strftime format ({exc}); give e.g. '%Y-%m-%d %H:%M'.") from None
    if same:
        raise InputError(f"--datetime-format {fmt!r} shows no date or time (every shift would print {a.strftime(fmt)!r}); "
                         "give a strftime format such as '%Y-%m-%d %H:%M'.")


def export(
    roster: Path = typer.Option(..., "--roster", help="The roster.csv to export (from roster plan, or hand-edited)."),
    config: Path = ConfigOpt,
    fmt: str = typer.Option(..., "--format", help="csv-long, csv-grid, xlsx, ics or payroll."),
    out: Path = typer.Option(Path("out/export"), help="Folder for the export's files (written as a set)."),
    pseudonymise: bool = typer.Option(False, "--pseudonymise", help="Keyed pseudonyms instead of names (key named in the privacy section of roster.toml)."),
    datetime_format: Optional[str] = typer.Option(None, "--datetime-format", help="csv-long: strftime format for start/end, e.g. '%Y-%m-%d %H:%M' (default ISO 8601 with UTC offset)."),
    bom: bool = typer.Option(False, "--bom", help="CSV formats: start the file with a UTF-8 BOM, so Excel reads accents right."),
    per_district: bool = typer.Option(False, "--per-district", help="ics: also one calendar per district."),
) -> None:
    """Export ROSTER as csv-long, csv-grid, xlsx, ics (one calendar per person) or payroll into OUT."""

    def go() -> int:
        import time
        from fnmatch import fnmatch

        from roster.errors import InputError
        from roster.exports.formats import OWNED, ExportOptions, check_format, export_files
        from roster.exports.source import load_export_roster
        from roster.io.pseudonyms import pseudonym_key
        from roster.io.writers import write_set

        t0 = time.perf_counter()
        check_format(fmt)
        check_datetime_format(datetime_format)
        cfg = load(config)
        key = pseudonym_key(cfg) if pseudonymise else None
        from roster.io.outdir import check_out_dir, config_inputs

        check_out_dir(out, OWNED[fmt], [config, *config_inputs(cfg)])
        if Path(roster).resolve().parent == Path(out).resolve() and any(fnmatch(Path(roster).name, p) for p in OWNED[fmt]):
            raise InputError(f"--out {out} holds {roster}, which a {fmt} export would replace; export into another "
                             "folder, so the roster is never overwritten.")
        priced, rows, staff, leave = load_export_roster(roster, cfg)
        previous = ({p.name: p.read_bytes() for p in Path(out).glob("*.ics")} if fmt == "ics" and Path(out).is_dir() else {})
        opts = ExportOptions(datetime_format=datetime_format, bom=bom, per_district=per_district, pseudonym_key=key,
                             previous_ics=previous)
        files = export_files(fmt, priced, rows, staff, leave, cfg, roster, opts)
        written = write_set(out, files, replaces=OWNED[fmt])
        shown = ", ".join(str(p) for p in written[:4]) + (f" and {len(written) - 4} more" if len(written) > 4 else "")
        typer.echo(f"Exported {len(priced)} shifts of {priced['staff_id'].nunique()} people as {fmt} "
                   f"in {time.perf_counter() - t0:.1f} s: {shown}")
        return EXIT_OK

    run(go)
