"""``roster erlang``, ``roster forecast`` and ``roster requirements``: demand and the staff it needs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer

from roster.cli.common import EXIT_OK, ConfigOpt, load, run


def erlang(
    rate: float = typer.Option(..., help="Calls per hour."),
    busy_minutes: float = typer.Option(..., help="Minutes a team is busy per call (travel + contact)."),
    target_minutes: float = typer.Option(..., help="Target time to first contact, minutes."),
    target_share: float = typer.Option(..., help="Share of calls to reach within the target, e.g. 0.9."),
    patience_minutes: Optional[float] = typer.Option(None, help="Mean patience before abandoning (switches to Erlang A)."),
    shrinkage: float = typer.Option(0.0, help="Share of paid time not on the road (breaks, training, sickness)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Teams needed for one hour's demand (Erlang C, or Erlang A with --patience-minutes)."""

    def go() -> int:
        from roster.staffing.erlang import erlang_summary

        r = erlang_summary(rate, busy_minutes, target_minutes, target_share, patience_minutes=patience_minutes, shrinkage=shrinkage)
        if as_json:
            typer.echo(json.dumps(r))
        else:
            typer.echo(f"teams needed:           {r['teams']}")
            typer.echo(f"share within {target_minutes:g} min:   {100 * r['service_level']:.1f} %")
            typer.echo(f"probability of waiting: {100 * r['wait_probability']:.1f} %")
            typer.echo(f"occupancy:              {100 * r['occupancy']:.1f} %")
            typer.echo(f"teams with shrinkage:   {r['staff_with_shrinkage']}")
        return EXIT_OK

    run(go)


def forecast(
    config: Path = ConfigOpt,
    week: Optional[str] = typer.Option(None, help="Monday the week starts; default: the first Monday after the history."),
    out: Path = typer.Option(Path("out"), help="Output folder for forecast.csv."),
    model: Optional[str] = typer.Option(None, help="Forecast model (default: forecast.model in roster.toml)."),
) -> None:
    """Forecast calls per district and hour for one week (forecast.csv)."""

    def go() -> int:
        from roster.io.writers import iso, write_outputs
        from roster.pipeline import forecast_for

        from roster.io.outdir import check_out_dir, config_inputs

        cfg = load(config)
        check_out_dir(out, ("forecast.csv", "forecast_meta.json"), [config, *config_inputs(cfg)])
        if model:
            cfg = cfg.model_copy(update={"forecast": cfg.forecast.model_copy(update={"model": model})})
        monday, fc, meta = forecast_for(cfg, week)
        fc = fc.copy()
        fc["hour_start"] = iso(fc["hour_start"])
        written = write_outputs(out, {"forecast.csv": fc, "forecast_meta.json": meta})
        typer.echo(f"Forecast for the week of {monday} with {meta['model']}: {fc['mean'].sum():.0f} calls expected; wrote {', '.join(map(str, written))}")
        return EXIT_OK

    run(go)


def requirements(
    config: Path = ConfigOpt,
    week: Optional[str] = typer.Option(None, help="Monday the week starts; default: the first Monday after the history."),
    out: Path = typer.Option(Path("out"), help="Output folder for requirements.csv and forecast.csv."),
) -> None:
    """Staff needed per district, hour and role for one week (requirements.csv)."""

    def go() -> int:
        from roster.io.writers import iso, write_outputs
        from roster.pipeline import forecast_for
        from roster.staffing.requirements import staffing_requirements

        from roster.io.outdir import check_out_dir, config_inputs

        cfg = load(config)
        check_out_dir(out, ("forecast.csv", "requirements.csv"), [config, *config_inputs(cfg)])
        monday, fc, _ = forecast_for(cfg, week)
        req = staffing_requirements(fc, cfg)
        fc_out, req_out = fc.copy(), req.copy()
        fc_out["hour_start"] = iso(fc_out["hour_start"])
        req_out["hour_start"] = iso(req_out["hour_start"])
        written = write_outputs(out, {"forecast.csv": fc_out, "requirements.csv": req_out})
        tot = req.groupby("role")["required"].sum()
        typer.echo(f"Week of {monday}: " + ", ".join(f"{r} {int(v)} staff-hours" for r, v in tot.items()) + f"; wrote {', '.join(map(str, written))}")
        return EXIT_OK

    run(go)
