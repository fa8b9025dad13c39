"""``roster report``: the plan in DIR as one self-contained HTML file, DIR/report.html."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from roster.cli.common import EXIT_OK, ConfigOpt, err, load, run

DEFAULT_CURRENCY = "$"


def currency_of(cfg) -> str:
    """What stands before an amount in the city's currency (``city.currency`` of roster.toml)."""
    from roster.currency import prefix

    return prefix(cfg.city.currency)


def plan_report(files: dict[str, object], cfg, pseudonym_key: bytes | None) -> dict[str, str]:
    """report.html for the output set of a plan, built from its in-memory tables."""
    from roster.report import PlanFrames, build_report

    return {"report.html": build_report(PlanFrames.from_files(files), currency=currency_of(cfg),
                                        pseudonym_key=pseudonym_key)}


def _optional_config(config: Path):
    """roster.toml for the currency only: when it is missing or unreadable, the report still comes, in the default."""
    from roster.errors import InputError

    if not Path(config).is_file():
        return None
    try:
        return load(config)
    except InputError as exc:
        err(f"Note: {config} could not be read, so money is shown in {DEFAULT_CURRENCY} ({exc})")
        return None


def report(
    folder: Path = typer.Argument(Path("out"), metavar="[DIR]", help="Folder a `roster plan` wrote (default out/)."),
    scenarios: Optional[List[Path]] = typer.Option(None, "--scenarios", help="Folder `roster scenarios` or `roster frontier` wrote (scenarios.csv, scenario_districts.csv, headcount.csv, findings.txt, frontier.csv); repeat it for both: adds cost against service, the hiring plan and the budget frontier."),
    pseudonymise: bool = typer.Option(False, "--pseudonymise", help="Keyed pseudonyms instead of names (needs the key named under [privacy] in roster.toml)."),
    config: Path = ConfigOpt,
) -> None:
    """The plan in DIR as one HTML file that opens with no network: DIR/report.html."""

    def go() -> int:
        from roster.io.writers import write_outputs
        from roster.report import build_report
        from roster.report.read import read_plan, read_scenarios

        from roster.io.outdir import check_out_dir

        check_out_dir(folder, ("report.html",), [config], option="DIR")
        cfg = load(config) if pseudonymise else _optional_config(config)
        key = None
        if pseudonymise:
            from roster.io.pseudonyms import pseudonym_key

            key = pseudonym_key(cfg)
        frames = read_plan(folder)
        scen = read_scenarios(list(scenarios)) if scenarios else None
        text = build_report(frames, scenarios=scen, pseudonym_key=key,
                            currency=currency_of(cfg) if cfg is not None else DEFAULT_CURRENCY)
        path = write_outputs(folder, {"report.html": text})[0]
        typer.echo(f"Report: {path} ({len(text.encode('utf-8')) / 1e6:.1f} MB; opens in any browser, no network needed)")
        return EXIT_OK

    run(go)
