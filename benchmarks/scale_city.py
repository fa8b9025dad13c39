"""Synthetic cities of any size, generated like the example city, for scale benchmarks.

``make_city(staff=400, districts=20, days=28)`` returns a :class:`Problem`
(config, staff, requirements) ready for :func:`roster.solve.model.solve`:

* districts ``D01..Dnn`` on a ring (each neighbours the next and previous),
  each borrowing the hourly call shape of one of the example's six districts
  (:func:`examples.generate.hourly_rates`, cycled), so busy and quiet districts
  alternate as in Metro;
* requirements by Erlang C with the example's service settings and shrinkage
  (:func:`examples.generate.required_staff_hours`), with the call rates scaled
  so that staffing them like the example (10 % spare contract hours per
  district and seat) needs about ``staff`` people;
* staff drawn per district and seat as in :func:`examples.generate.make_staff`
  (75 % full-time 40 h, else 20/24/30 h; 47 % of the peer seat are community
  health workers; the first two per seat work nights, ~45 % of the rest; half
  may float to ring neighbours; one supervising clinician per district, at least
  ten, mostly night-capable); no leave.

The config is the example's ``roster.toml`` with the districts replaced.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd

from constraints.problem import Problem
from examples import generate as gen
from forecast.timegrid import local_hours
from roster.config import parse_config

ROOT = Path(__file__).resolve().parents[1]
MONDAY = dt.date(2026, 11, 2)


def district_names(n: int) -> list[str]:
    return [f"D{i + 1:02d}" for i in range(n)]


def city_config(n_districts: int, *, solver: str = "highs", time_limit: float = 600, gap: float = 0.005, rules: dict | None = None):
    raw = tomllib.loads((ROOT / "roster.toml").read_text())
    names = district_names(n_districts)
    raw["districts"] = {
        d: {"neighbours": sorted({names[(i - 1) % n_districts], names[(i + 1) % n_districts]} - {d})} for i, d in enumerate(names)
    }
    raw.pop("data", None)
    raw["solver"] = {**raw.get("solver", {}), "name": solver, "time_limit_seconds": time_limit, "relative_gap": gap}
    if rules is not None:
        raw["rules"] = rules
    return parse_config(raw)


def _rates(n_districts: int, days: int, scale: float, seed: int) -> pd.DataFrame:
    hours = local_hours(MONDAY, days, gen.TIMEZONE)
    base = gen.hourly_rates(hours, seed=seed)
    names = district_names(n_districts)
    frames = []
    for i, d in enumerate(names):
        src = gen.DISTRICTS[i % len(gen.DISTRICTS)]
        f = base[base["district"] == src].copy()
        f["district"] = d
        f["rate"] = f["rate"] * scale
        frames.append(f)
    return pd.concat(frames, ignore_index=True)


def _weekly_need(n_districts: int, days: int, scale: float, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    req = gen.required_staff_hours(_rates(n_districts, days, scale, seed))
    weekly = req.groupby("district", sort=False)[["clinician", "peer_supporter"]].sum() * (7.0 / days)
    return req, weekly


def _draw_staff(weekly: pd.DataFrame, n_districts: int, rng: np.random.Generator) -> list[dict]:
    names = district_names(n_districts)
    rows = []
    for district in names:
        for seat in ("clinician", "peer_supporter"):
            target = float(weekly.loc[district, seat]) * (1 + gen.SPARE_CAPACITY)
            hours, k = 0.0, 0
            while target - hours > 15:
                role = "clinician" if seat == "clinician" else (
                    "community_health_worker" if rng.random() < gen.CHW_SHARE_OF_PEER_SEAT else "peer_supporter")
                contract = 40 if rng.random() < gen.FULL_TIME_SHARE else int(rng.choice(gen.PART_TIME_HOURS))
                rows.append({"role": role, "home": district, "contract": contract, "sure_night": k < 2})
                hours += contract
                k += 1
    return rows


def make_city(staff: int = 100, districts: int = 6, days: int = 7, *, seed: int = gen.DEFAULT_SEED, solver: str = "highs",
              time_limit: float = 600, gap: float = 0.005, rules: dict | None = None) -> Problem:
    """A synthetic city of about ``staff`` people in ``districts`` districts, planned over ``days`` days."""
    # Scale call rates so the example's sizing gives about `staff` people (bisection on the scale).
    lo, hi = 0.01, 50.0
    best = None
    for _ in range(14):
        mid = (lo * hi) ** 0.5
        _, weekly = _weekly_need(districts, 7, mid, seed)
        n = len(_draw_staff(weekly, districts, np.random.default_rng([seed, 2])))
        if best is None or abs(n - staff) < abs(best[1] - staff):
            best = (mid, n)
        if n < staff:
            lo = mid
        else:
            hi = mid
        if n == staff:
            break
    scale = best[0]
    req_wide, weekly = _weekly_need(districts, days, scale, seed)
    rng = np.random.default_rng([seed, 2])
    drawn = _draw_staff(weekly, districts, rng)
    names = district_names(districts)
    neighbours = {d: [names[(i - 1) % districts], names[(i + 1) % districts]] for i, d in enumerate(names)}
    cfg = city_config(districts, solver=solver, time_limit=time_limit, gap=gap, rules=rules)
    n_sup = max(10, districts)
    sup_idx: set[int] = set()
    for d in names * 3:
        if len(sup_idx) >= n_sup:
            break
        for i, r in enumerate(drawn):
            if i not in sup_idx and r["home"] == d and r["role"] == "clinician" and r["contract"] == 40:
                sup_idx.add(i)
                break
    people = []
    for i, r in enumerate(drawn):
        sup = i in sup_idx
        floats = []
        if rng.random() < 0.5:
            floats = sorted({d for d in neighbours[r["home"]] if rng.random() < 0.7} - {r["home"]})
        people.append({
            "staff_id": f"S{i + 1:04d}",
            "name": f"Synthetic Person {i + 1}",
            "role": r["role"],
            "supervisor": sup,
            "contract_hours": float(r["contract"]),
            "hourly_rate": gen.ROLE_RATES[r["role"]] * (1 + rng.uniform(-0.05, 0.12) + (0.10 if sup else 0.0)),
            "home_district": r["home"],
            "float_districts": floats,
            "languages": ["en", "es"] if rng.random() < 0.2 else ["en"],
            "works_nights": bool(r["sure_night"] or (sup and rng.random() < 0.8) or rng.random() < 0.45),
        })
    staff_df = pd.DataFrame(people)
    hours = local_hours(MONDAY, days, cfg.timezone)
    pos = {ts: i for i, ts in enumerate(hours)}
    long = req_wide.melt(id_vars=["district", "hour_start"], value_vars=["clinician", "peer_supporter"], var_name="role", value_name="required")
    long["hour"] = [pos[ts] for ts in long["hour_start"]]
    leave = pd.DataFrame({"staff_id": pd.Series(dtype=str), "start": pd.Series(dtype=object), "end": pd.Series(dtype=object)})
    return Problem.build(cfg, MONDAY, staff_df, leave, long[["district", "hour", "hour_start", "role", "required"]], days=days)
