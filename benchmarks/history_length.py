"""How much call history the default forecast needs: accuracy against the example city's true rates.

Usage::

    python benchmarks/history_length.py            # prints the table quoted in docs/your-city.md

For three planned weeks of the example city (``examples/metro``; the generator's true hourly
rates are the reference) and histories cut to the last N weeks before each week, the
default model (``poisson_glm``) is fitted and scored by the mean excess Poisson deviance per
district-hour against the true rate (0 = the truth) and the mean absolute error of the
district-week totals.
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import datetime as dt  # noqa: E402
import logging  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from examples.generate import DISTRICTS, TIMEZONE, hourly_rates  # noqa: E402
from forecast.aggregate import hourly_counts  # noqa: E402
from forecast.io import load_calls  # noqa: E402
from forecast.models import get_model  # noqa: E402
from forecast.timegrid import local_midnight, week_hours  # noqa: E402

WEEKS = (3, 4, 8, 13, 26, 52)
PLAN_WEEKS = (dt.date(2026, 6, 1), dt.date(2026, 9, 7), dt.date(2026, 11, 2))


def score(calls: pd.DataFrame, monday: dt.date, weeks: int) -> tuple[float, float]:
    start = local_midnight(monday, TIMEZONE)
    hours = week_hours(monday, TIMEZONE)
    cut = calls[(calls["timestamp"] < start) & (calls["timestamp"] >= start - pd.Timedelta(weeks=weeks))]
    history = hourly_counts(cut, TIMEZONE, end=start, districts=DISTRICTS)
    model = get_model("poisson_glm", holidays_country="US", holidays_subdivision="NY").fit(history)
    fc = model.predict(hours).set_index(["district", "hour_start"])["mean"]
    truth = hourly_rates(hours).set_index(["district", "hour_start"])["rate"].reindex(fc.index)
    t, f = truth.to_numpy(), np.maximum(fc.to_numpy(), 1e-3)
    deviance = 2 * np.mean(t * np.log(np.maximum(t, 1e-12) / f) - (t - f))
    totals = (fc.groupby(level=0).sum() / truth.groupby(level=0).sum() - 1).abs().mean()
    return float(deviance), float(totals)


def main() -> None:
    logging.getLogger("forecast").setLevel(logging.ERROR)
    calls = load_calls("examples/metro/calls.csv", TIMEZONE)
    print("| weeks of history | excess deviance per district-hour (x 1000) | district-week total error |")
    print("|---|---|---|")
    for weeks in WEEKS:
        scores = [score(calls, monday, weeks) for monday in PLAN_WEEKS]
        dev, tot = np.mean([s[0] for s in scores]), np.mean([s[1] for s in scores])
        print(f"| {weeks} | {1000 * dev:.1f} | {100 * tot:.1f} % |")


if __name__ == "__main__":
    main()
