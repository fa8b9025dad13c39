"""The ``roster`` typer app: one module per command group, registered here.

Commands parse options, call the pipeline, print a short human summary and map errors
to exit codes (see :mod:`roster.cli.common`).
"""

from __future__ import annotations

import os

# Small model fits are slower, not faster, with multi-threaded BLAS on a shared
# machine; users can still set their own value.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import logging  # noqa: E402

import typer  # noqa: E402

from roster.cli import city, demand, export, plan, replan, report, scenarios, service  # noqa: E402
from roster.cli.group import RosterGroup  # noqa: E402

app = typer.Typer(
    cls=RosterGroup,
    add_completion=False,
    no_args_is_help=True,
    help="Forecast crisis-call demand, turn it into staffing needs, and build weekly rosters for mobile crisis teams.",
)


@app.callback()
def _main(verbose: bool = typer.Option(False, "--verbose", "-v", help="Show debug logs.")) -> None:
    logging.basicConfig(level=logging.DEBUG if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    for noisy in ("cmdstanpy", "prophet"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


for command in (plan.plan, plan.check, export.export, demand.erlang, demand.forecast, demand.requirements, service.simulate,
                service.backtest, city.init, city.validate, report.report, replan.sick):
    app.command(command.__name__)(command)
for command in (scenarios.scenarios, scenarios.frontier):
    app.command(command.__name__)(command)


def main() -> None:  # pragma: no cover
    app()
