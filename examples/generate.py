"""Generate the bundled example city "Metro": calls, staff and approved leave.

Everything here is synthetic.  The generator is deterministic for a seed (numpy
``Generator`` streams derived from it), and the call history covers a fixed span,
so re-running it on any date reproduces the committed files byte for byte::

    python -m examples.generate                 # writes examples/metro/*.csv
    python -m examples.generate --out /tmp/m --seed 1

The pure functions (:func:`hourly_rates`, :func:`make_calls`, :func:`make_staff`,
:func:`make_time_off`, :func:`required_staff_hours`) do no I/O; only :func:`main`
writes files, each one atomically (temporary file in the same folder, then
``os.replace``), so a reader never sees half a file.

:func:`hourly_rates` is the *oracle*: the true expected calls per district-hour,
including the day-level multiplier realised for the seed.  Calls are sampled from
exactly those rates, so a forecast can be scored against the truth rather than
against one noisy realisation of it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

import holidays
import numpy as np
import pandas as pd

from forecast.timegrid import local_hours

DEFAULT_SEED = 20261126
TIMEZONE = "America/New_York"

# The call history: a fixed span (not "the last 18 months") so output never depends
# on the run date.  It contains the fall-back days 2025-11-02 and 2026-11-01 and the
# spring-forward day 2026-03-08.  The default plan week is the Monday after it ends.
HISTORY_START = dt.date(2025, 5, 5)
HISTORY_END = dt.date(2026, 11, 1)  # inclusive (a Sunday, and itself a 25-hour day)
PLAN_WEEK = dt.date(2026, 11, 2)

# Relative size of each district (expected calls).  Busiest / quietest = 8, as in
# real cities where a downtown core with shelters, transit hubs and nightlife
# produces many times the calls of a residential edge district.
DISTRICT_WEIGHTS: dict[str, float] = {
    "Downtown": 8.0,
    "Harbor": 4.5,
    "Eastgate": 3.0,
    "Northside": 2.2,
    "Riverside": 1.5,
    "Hillcrest": 1.0,
}
DISTRICTS = list(DISTRICT_WEIGHTS)

# Mirrors [districts.*].neighbours in roster.toml (a test keeps them in step).
NEIGHBOURS: dict[str, list[str]] = {
    "Downtown": ["Harbor", "Eastgate", "Northside"],
    "Harbor": ["Downtown", "Riverside"],
    "Eastgate": ["Downtown", "Hillcrest"],
    "Northside": ["Downtown", "Hillcrest"],
    "Riverside": ["Harbor"],
    "Hillcrest": ["Eastgate", "Northside"],
}

# Mirrors [roles.*].hourly_rate in roster.toml.
ROLE_RATES: dict[str, float] = {"clinician": 52.0, "peer_supporter": 31.0, "community_health_worker": 29.0}
# Requirement seat each role sits in (CHWs take the peer seat: roles.community_health_worker.fills).
SEAT = {"clinician": "clinician", "peer_supporter": "peer_supporter", "community_health_worker": "peer_supporter"}

# City-wide expected calls per day at HISTORY_START, before seasonality and the
# day-level noise.  With the trend this gives about 45-60 calls a day, so the quiet
# districts see mostly 0 or 1 call in an hour.
CALLS_PER_DAY_AT_START = 45.0
TREND_PER_YEAR = 0.08  # slow growth: population, awareness of the 988 line, fewer police diversions
SEASONAL_AMPLITUDE = 0.04  # mild summer high / winter low

# Day-level over-dispersion.  A citywide multiplier (weather, news, a hot weekend)
# and a smaller district one (a local incident); both Gamma with mean 1.
CITY_DAY_SHAPE = 40.0  # coefficient of variation 1/sqrt(40) ~ 16 %
DISTRICT_DAY_SHAPE = 80.0  # ~ 11 %

# Hour-of-day shape (index = local clock hour), normalised to mean 1 below.  Crisis
# calls are fewest in the small hours (04-06, people asleep), rise through the
# morning, and stay high from mid-afternoon into the evening.
_HOUR_SHAPE = np.array(
    [0.85, 0.70, 0.55, 0.42, 0.32, 0.30, 0.38, 0.55, 0.80, 1.00, 1.12, 1.20,
     1.25, 1.30, 1.36, 1.40, 1.40, 1.38, 1.35, 1.30, 1.25, 1.18, 1.08, 0.95]
)
HOUR_SHAPE = _HOUR_SHAPE / _HOUR_SHAPE.mean()

# Weekday daytime surge (10:00-15:59, Monday-Friday, not on public holidays):
# referrals from schools, workplaces, clinics and social services that are open.
# Eastgate (schools and the community college) has the strongest.
WEEKDAY_SURGE_HOURS = range(10, 16)
WEEKDAY_SURGE = {"Downtown": 1.20, "Harbor": 1.20, "Eastgate": 1.35, "Northside": 1.25, "Riverside": 1.20, "Hillcrest": 1.25}

# Friday and Saturday nights (20:00-02:59, i.e. Fri/Sat 20-23 and Sat/Sun 00-02):
# alcohol, drugs and isolation.  Downtown, with the bars, has the strongest peak.
WEEKEND_NIGHT = {"Downtown": 1.70, "Harbor": 1.40, "Eastgate": 1.30, "Northside": 1.30, "Riverside": 1.25, "Hillcrest": 1.20}

# Holiday effects (month, day, hours, factor).  New Year's Eve and the Fourth of
# July nights bring intoxication and fireworks; Christmas Day daytime is quiet
# (families together, services shut) before a lift in the evening.
NIGHT_LIFTS = [((12, 31), range(20, 24), 1.60), ((1, 1), range(0, 3), 1.60),
               ((7, 4), range(20, 24), 1.45), ((7, 5), range(0, 3), 1.45)]
CHRISTMAS_DIP = ((12, 25), range(8, 18), 0.70)

CALL_TYPES: dict[str, float] = {
    "welfare_check": 0.22,
    "substance_use": 0.20,
    "suicidal_ideation": 0.18,
    "anxiety_distress": 0.15,
    "psychosis": 0.14,
    "family_conflict": 0.11,
}

# Service standard, mirrors [service] in roster.toml (used only to size the staff).
BUSY_MINUTES = 75.0
TARGET_MINUTES = 60.0
TARGET_SHARE = 0.90
SHRINKAGE = 0.10
MIN_TEAMS = 1


# --------------------------------------------------------------------------- rates


def _public_holidays(years: Sequence[int]) -> set[dt.date]:
    """US federal + New York public holidays (observed dates included)."""
    return set(holidays.country_holidays("US", subdiv="NY", years=list(years)).keys())


def day_multipliers(days: Sequence[dt.date], seed: int = DEFAULT_SEED) -> pd.DataFrame:
    """Day-level noise: rows = days, columns = districts; city x district Gamma multipliers.

    Each day's multipliers come from their own generator seeded by ``(seed, day)``,
    so the value for a day does not depend on which other days are asked for: the
    oracle for one week equals the oracle for that week inside the whole history.
    """
    rows = []
    for day in days:
        rng = np.random.default_rng([seed, 0, day.toordinal()])
        city = rng.gamma(CITY_DAY_SHAPE, 1.0 / CITY_DAY_SHAPE)
        local = rng.gamma(DISTRICT_DAY_SHAPE, 1.0 / DISTRICT_DAY_SHAPE, size=len(DISTRICTS))
        rows.append(city * local)
    return pd.DataFrame(rows, index=list(days), columns=DISTRICTS)


def hourly_rates(
    hours: pd.DatetimeIndex,
    districts: Sequence[str] | None = None,
    seed: int = DEFAULT_SEED,
) -> pd.DataFrame:
    """True expected calls per hour: columns ``district, hour_start, rate``.

    ``hours`` must be timezone-aware hour starts (e.g. from
    :func:`forecast.timegrid.local_hours`); they are read on Metro's local clock.
    Rows are ordered district by district (in ``districts`` order, default all
    six), then by hour.  The rate multiplies: city level with trend and mild
    seasonality x district weight x hour-of-day shape x weekday surge x weekend
    night peak x holiday effects x the day-level multiplier realised for ``seed``.
    A 25-hour day simply has one more hour at the 01:00 rate.
    """
    if not isinstance(hours, pd.DatetimeIndex) or hours.tz is None:
        raise ValueError("hours must be a timezone-aware pandas DatetimeIndex of hour starts")
    districts = list(DISTRICTS if districts is None else districts)
    unknown = [d for d in districts if d not in DISTRICT_WEIGHTS]
    if unknown:
        raise ValueError(f"unknown district(s) {unknown}; Metro has {DISTRICTS}")

    local = hours.tz_convert(TIMEZONE)
    hour = np.asarray(local.hour)
    weekday = np.asarray(local.day_of_week)  # Monday = 0
    dates = [ts.date() for ts in local]
    month = np.asarray(local.month)
    dom = np.asarray(local.day)
    public = _public_holidays(sorted({d.year for d in dates}))
    is_holiday = np.array([d in public for d in dates], dtype=bool)

    # Level: city calls per hour, growing ~8 %/year, a little higher in summer.
    years = np.asarray((local.tz_localize(None) - pd.Timestamp(HISTORY_START)) / pd.Timedelta(days=365.25))
    day_of_year = np.asarray(local.day_of_year)
    season = 1.0 + SEASONAL_AMPLITUDE * np.cos(2 * np.pi * (day_of_year - 196) / 365.25)  # peak mid-July
    level = CALLS_PER_DAY_AT_START / 24.0 * (1 + TREND_PER_YEAR) ** years * season * HOUR_SHAPE[hour]

    # Holiday effects shared by all districts.
    holiday_factor = np.ones(len(local))
    for (m, d), hrs, factor in [*NIGHT_LIFTS, CHRISTMAS_DIP]:
        holiday_factor[(month == m) & (dom == d) & np.isin(hour, list(hrs))] *= factor

    unique_days = sorted(set(dates))
    mult = day_multipliers(unique_days, seed)
    day_pos = pd.Index(unique_days).get_indexer(dates)

    surge_hours = np.isin(hour, list(WEEKDAY_SURGE_HOURS)) & (weekday < 5) & ~is_holiday
    weekend_night = ((weekday >= 4) & (weekday <= 5) & (hour >= 20)) | ((weekday >= 5) & (hour < 3))

    total_weight = sum(DISTRICT_WEIGHTS.values())
    frames = []
    for district in districts:
        rate = level * DISTRICT_WEIGHTS[district] / total_weight * holiday_factor
        rate = rate * np.where(surge_hours, WEEKDAY_SURGE[district], 1.0)
        rate = rate * np.where(weekend_night, WEEKEND_NIGHT[district], 1.0)
        rate = rate * mult[district].to_numpy()[day_pos]
        frames.append(pd.DataFrame({"district": district, "hour_start": hours, "rate": rate}))
    return pd.concat(frames, ignore_index=True)


def history_hours() -> pd.DatetimeIndex:
    """Every local hour of the call history (DST days have 23 or 25 hours)."""
    return local_hours(HISTORY_START, (HISTORY_END - HISTORY_START).days + 1, TIMEZONE)


# --------------------------------------------------------------------------- calls


def _iso_seconds(ts: pd.DatetimeIndex) -> pd.Index:
    """ISO 8601 local time with a ``+HH:MM`` UTC offset, to whole seconds."""
    raw = pd.Index(ts.strftime("%Y-%m-%dT%H:%M:%S%z"))
    return raw.str[:-2] + ":" + raw.str[-2:]


def make_calls(seed: int = DEFAULT_SEED, hours: pd.DatetimeIndex | None = None) -> pd.DataFrame:
    """Individual calls: Poisson(rate) per district-hour, uniform within the hour.

    Returns ``timestamp, district, call_type`` sorted by instant (ties by district
    order), with timestamps as ISO strings on the local clock with offset, so the
    repeated 01:00 hour of a fall-back day shows -04:00 and then -05:00.
    """
    hours = history_hours() if hours is None else hours
    rates = hourly_rates(hours, seed=seed)
    rng = np.random.default_rng([seed, 1])
    counts = rng.poisson(rates["rate"].to_numpy())
    n = int(counts.sum())
    starts = np.repeat(rates["hour_start"].to_numpy(dtype="datetime64[ns]"), counts)  # UTC instants
    district_code = np.repeat(np.arange(len(rates)) // len(hours), counts)
    offsets = rng.integers(0, 3600, size=n).astype("timedelta64[s]")
    types = list(CALL_TYPES)
    type_code = rng.choice(len(types), size=n, p=list(CALL_TYPES.values()))
    instants = starts + offsets
    order = np.lexsort((district_code, instants))
    stamps = pd.DatetimeIndex(instants[order]).tz_localize("UTC").tz_convert(TIMEZONE)
    calls = pd.DataFrame(
        {
            "timestamp": np.asarray(_iso_seconds(stamps)),
            "district": np.asarray(DISTRICTS, dtype=object)[district_code[order]],
            "call_type": np.asarray(types, dtype=object)[type_code[order]],
        }
    )
    # Two calls of the same type in the same district and second would read as a
    # re-posted duplicate (the loader drops those, with a warning): keep one.
    return calls.drop_duplicates().reset_index(drop=True)


# --------------------------------------------------------------------------- sizing


def erlang_c_teams(
    rate_per_hour: float,
    busy_minutes: float = BUSY_MINUTES,
    target_minutes: float = TARGET_MINUTES,
    target_share: float = TARGET_SHARE,
    min_teams: int = MIN_TEAMS,
) -> int:
    """Fewest teams (at least ``min_teams``) so that ``target_share`` of calls get a team within
    ``target_minutes``: the project's own Erlang C, as ``roster requirements`` uses it."""
    from roster.staffing.erlang import teams_needed

    return max(min_teams, teams_needed(rate_per_hour, busy_minutes, target_minutes, target_share))


def required_staff_hours(rates: pd.DataFrame, shrinkage: float = SHRINKAGE) -> pd.DataFrame:
    """Headcount per district-hour per seat from ``hourly_rates`` output.

    Teams by Erlang C (floor of one team), one clinician seat and one peer seat per
    team, grossed up for shrinkage and rounded to the nearest person (the
    ``shrinkage_rounding = "nearest"`` of roster.toml, never below the team count).
    Each row is one real hour, so summing gives staff-hours.
    """
    teams = np.array([erlang_c_teams(r) for r in rates["rate"]])
    heads = np.maximum(teams, np.floor(teams / (1 - shrinkage) + 0.5)).astype(int)
    out = rates[["district", "hour_start"]].copy()
    out["teams"] = teams
    out["clinician"] = heads
    out["peer_supporter"] = heads
    return out


# --------------------------------------------------------------------------- staff

# Clearly synthetic names: common given names and surnames, randomly paired.
FIRST_NAMES = [
    "Aaliyah", "Adrian", "Aisha", "Alejandro", "Amara", "Andre", "Ana", "Beatriz", "Benjamin", "Bianca",
    "Caleb", "Camila", "Carlos", "Chloe", "Daniel", "Danielle", "Darius", "Diego", "Elena", "Elijah",
    "Emeka", "Esther", "Fatima", "Gabriel", "Grace", "Hannah", "Hector", "Imani", "Isaac", "Jasmine",
    "Jamal", "Jean", "Jia", "Jordan", "Joseph", "Julia", "Kayla", "Kenji", "Keisha", "Kevin",
    "Lauren", "Lucia", "Marcus", "Maria", "Mei", "Michael", "Miguel", "Monique", "Nadia", "Naomi",
    "Nathan", "Olivia", "Omar", "Patrice", "Priya", "Rachel", "Rafael", "Renee", "Samuel", "Sofia",
    "Tamara", "Terrence", "Valeria", "Victor", "Wei", "Xavier", "Yolanda", "Zoe",
]
LAST_NAMES = [
    "Abernathy", "Alvarez", "Baptiste", "Bennett", "Brooks", "Castillo", "Chen", "Coleman", "Delgado", "Dubois",
    "Ellison", "Fernandez", "Fitzgerald", "Gomez", "Greene", "Guzman", "Harrington", "Hayes", "Huang", "Jean-Louis",
    "Jenkins", "Kim", "Kowalski", "Lambert", "Lin", "Marshall", "Medina", "Mendoza", "Morales", "Nguyen",
    "Okafor", "Ortiz", "Patel", "Pierre", "Quinn", "Ramirez", "Reyes", "Robinson", "Russo", "Santos",
    "Shapiro", "Sullivan", "Thompson", "Torres", "Vasquez", "Wallace", "Washington", "Whitfield", "Wu", "Zhang",
]

# Staff are sized, not guessed: each district's home staff per seat get contract
# hours of about (1 + SPARE_CAPACITY) x that district's required staff-hours in
# the plan week.  Quiet districts are floor-driven (one team every hour), so they
# get more than their share of calls.  Nights, rest rules and leave eat into the
# spare, so a good roster still covers nearly all (not all) of the requirement.
SPARE_CAPACITY = 0.10
SUPERVISORS = 10
FULL_TIME_SHARE = 0.75
PART_TIME_HOURS = [20, 24, 30]
CHW_SHARE_OF_PEER_SEAT = 0.47  # CHWs vs peer supporters among the non-clinical staff


def plan_week_requirement(seed: int = DEFAULT_SEED, monday: dt.date = PLAN_WEEK) -> pd.DataFrame:
    """Required staff-hours in a week: rows = districts, columns = seats (from the oracle)."""
    from forecast.timegrid import week_hours

    req = required_staff_hours(hourly_rates(week_hours(monday, TIMEZONE), seed=seed))
    return req.groupby("district", sort=False)[["clinician", "peer_supporter"]].sum().reindex(DISTRICTS)


def _b(flag: bool) -> str:
    return "true" if flag else "false"


def make_staff(seed: int = DEFAULT_SEED, requirement: pd.DataFrame | None = None) -> pd.DataFrame:
    """The crisis-team staff list (one row per person).

    For every district and seat, people are drawn (role, contract hours) until
    their contract hours come within 15 h of ``(1 + SPARE_CAPACITY)`` x the requirement
    (default: :func:`plan_week_requirement`).  Every district's first two
    people per seat work nights for sure, so nights are coverable without
    relying on floaters; the rest of ``works_nights`` is random (~60 % overall).
    Supervisors are senior clinicians, spread over the districts and mostly
    night-capable so that one can be on duty around the clock.
    """
    requirement = plan_week_requirement(seed) if requirement is None else requirement
    rng = np.random.default_rng([seed, 2])
    rows = []
    for district in DISTRICTS:
        for seat in ("clinician", "peer_supporter"):
            target = float(requirement.loc[district, seat]) * (1 + SPARE_CAPACITY)
            hours, k = 0.0, 0
            while target - hours > 15:  # stop within 15 h of the target: no systematic overshoot
                if seat == "clinician":
                    role = "clinician"
                else:
                    role = "community_health_worker" if rng.random() < CHW_SHARE_OF_PEER_SEAT else "peer_supporter"
                full_time = rng.random() < FULL_TIME_SHARE
                contract = 40 if full_time else int(rng.choice(PART_TIME_HOURS))
                rows.append({"role": role, "home_district": district, "contract": contract, "sure_night": k < 2})
                hours += contract
                k += 1
    order = rng.permutation(len(rows))  # shuffle so ids are not grouped by district
    rows = [rows[i] for i in order]

    # Supervisors: round-robin over districts, each time the first full-time clinician left.
    by_district = {
        d: [i for i, r in enumerate(rows) if r["role"] == "clinician" and r["home_district"] == d and r["contract"] == 40]
        for d in DISTRICTS
    }
    supervisors: set[int] = set()
    k = 0
    while len(supervisors) < SUPERVISORS and any(by_district.values()):
        pool = by_district[DISTRICTS[k % len(DISTRICTS)]]
        if pool:
            supervisors.add(pool.pop(0))
        k += 1

    names: set[str] = set()
    out = []
    for i, row in enumerate(rows):
        while True:
            name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
            if name not in names:
                names.add(name)
                break
        role, home = row["role"], row["home_district"]
        supervisor = i in supervisors
        # Pay near the role default, with a seniority spread; supervisors earn more.
        # Some rows leave it empty, meaning "the role default from roster.toml".
        if rng.random() < 0.15 and not supervisor:
            rate = ""
        else:
            spread = rng.uniform(-0.05, 0.12) + (0.10 if supervisor else 0.0)
            rate = f"{round(ROLE_RATES[role] * (1 + spread) * 2) / 2:.2f}"
        # About half may float to some of their home district's neighbours.
        floats = ""
        if rng.random() < 0.5:
            nb = NEIGHBOURS[home]
            n_pick = int(rng.integers(1, len(nb) + 1))
            picked = set(rng.choice(nb, size=n_pick, replace=False).tolist())
            floats = ";".join(d for d in nb if d in picked)
        langs = ["en"]
        u = rng.random()
        if u < 0.20:
            langs.append("es")
        elif u < 0.23:
            langs.append("zh")
        elif u < 0.27:
            langs.append("ht")
        nights = row["sure_night"] or (supervisor and rng.random() < 0.8) or rng.random() < 0.45
        out.append(
            {
                "staff_id": f"S{i + 1:03d}",
                "name": name,
                "role": role,
                "supervisor": _b(supervisor),
                "contract_hours": row["contract"],
                "hourly_rate": rate,
                "home_district": home,
                "float_districts": floats,
                "languages": ";".join(langs),
                "works_nights": _b(bool(nights)),
            }
        )
    return pd.DataFrame(out)


# --------------------------------------------------------------------------- time off


def make_time_off(staff: pd.DataFrame, seed: int = DEFAULT_SEED) -> pd.DataFrame:
    """Approved leave between October 2026 and January 2027.

    Mostly whole local days (``start``/``end`` inclusive dates), a few partial days
    as ISO date-times with offset (appointments, half-day training).  Some leave is
    placed in the default plan week (2026-11-02 .. 11-08) so the roster has to work
    around it, including one partial day on the Monday.
    """
    rng = np.random.default_rng([seed, 3])
    ids = staff["staff_id"].tolist()
    picked = rng.choice(ids, size=20, replace=False).tolist()
    rows = []
    tz = TIMEZONE

    def day(d: dt.date) -> str:
        return d.isoformat()

    def at(d: dt.date, hh: int) -> str:
        return pd.Timestamp(dt.datetime.combine(d, dt.time(hh))).tz_localize(tz).isoformat()

    # Five people away during the plan week: whole week, part of it, and a partial day.
    plan = PLAN_WEEK
    rows.append((picked[0], day(plan), day(plan + dt.timedelta(days=6))))
    rows.append((picked[1], day(plan - dt.timedelta(days=3)), day(plan + dt.timedelta(days=2))))
    rows.append((picked[2], day(plan + dt.timedelta(days=3)), day(plan + dt.timedelta(days=9))))
    rows.append((picked[3], day(plan + dt.timedelta(days=1)), day(plan + dt.timedelta(days=1))))
    rows.append((picked[4], at(plan, 9), at(plan, 13)))
    rows.append((picked[5], at(plan + dt.timedelta(days=4), 13), at(plan + dt.timedelta(days=4), 18)))
    # The rest spread over October 2026 - January 2027 (holiday season leave included).
    window_start = dt.date(2026, 10, 1)
    window_days = (dt.date(2027, 1, 31) - window_start).days
    for sid in picked[6:]:
        while True:
            start = window_start + dt.timedelta(days=int(rng.integers(0, window_days)))
            length = int(rng.choice([1, 2, 3, 5, 7, 10, 14], p=[0.2, 0.15, 0.15, 0.2, 0.15, 0.1, 0.05]))
            end = start + dt.timedelta(days=length - 1)
            # Keep the plan week to the handful placed deliberately above.
            if end < plan or start > plan + dt.timedelta(days=6):
                break
        if rng.random() < 0.15:
            rows.append((sid, at(start, 8), at(start, 12)))
        else:
            rows.append((sid, day(start), day(end)))
    out = pd.DataFrame(rows, columns=["staff_id", "start", "end"])
    # Sort by start instant, then staff id, for a readable file.
    key = pd.to_datetime(out["start"].str[:10])
    return out.assign(_k=key).sort_values(["_k", "staff_id"], kind="stable").drop(columns="_k").reset_index(drop=True)


def make_requests(staff: pd.DataFrame, time_off: pd.DataFrame, seed: int = DEFAULT_SEED) -> pd.DataFrame:
    """Staff wishes for the plan week and the next: days off and preferred shifts.

    ``staff_id,date,shift,kind,weight``: ``off`` with an empty shift asks for the
    whole day off (a school event, a study day), ``off`` with a shift asks not to
    work that shift, ``on`` asks for a shift (a late start after a night class).
    Weights 1-5 are what an unmet wish costs, in the units of the objective
    (dollars); nobody on leave that day asks.
    """
    rng = np.random.default_rng([seed, 4])
    on_leave = set(time_off["staff_id"])
    ids = [s for s in staff["staff_id"] if s not in on_leave]
    picked = rng.choice(ids, size=16, replace=False).tolist()
    shifts = ["early", "day", "late", "evening"]
    rows = []
    for i, sid in enumerate(picked):
        date = PLAN_WEEK + dt.timedelta(days=int(rng.integers(0, 14)))
        if i % 3 == 0:
            rows.append((sid, date.isoformat(), "", "off", int(rng.integers(2, 6)) * 10))
        elif i % 3 == 1:
            rows.append((sid, date.isoformat(), str(rng.choice(shifts)), "off", int(rng.integers(1, 4)) * 10))
        else:
            rows.append((sid, date.isoformat(), str(rng.choice(shifts)), "on", int(rng.integers(1, 4)) * 10))
    out = pd.DataFrame(rows, columns=["staff_id", "date", "shift", "kind", "weight"])
    return out.sort_values(["date", "staff_id"], kind="stable").reset_index(drop=True)


def sizing_summary(staff: pd.DataFrame, time_off: pd.DataFrame, seed: int = DEFAULT_SEED) -> pd.DataFrame:
    """Per seat: required staff-hours in the plan week vs contracted hours, before and after leave.

    Leave is counted roughly: a whole leave day costs contract_hours / 5 (at most
    the contract), a partial day its own hours.  Used for the README's numbers.
    """
    req = plan_week_requirement(seed).sum()
    seat = staff["role"].map(SEAT)
    contract = staff.groupby(seat)["contract_hours"].sum()
    week_start = PLAN_WEEK
    week_end = PLAN_WEEK + dt.timedelta(days=6)
    hours_per_id = staff.set_index("staff_id")["contract_hours"]
    seat_per_id = pd.Series(seat.to_numpy(), index=staff["staff_id"])
    leave = pd.Series(0.0, index=contract.index)
    for sid, start, end in time_off.itertuples(index=False):
        if "T" in start:
            a, b = pd.Timestamp(start), pd.Timestamp(end)
            if week_start <= a.date() <= week_end:
                leave[seat_per_id[sid]] += (b - a) / pd.Timedelta(hours=1)
        else:
            first = max(dt.date.fromisoformat(start), week_start)
            last = min(dt.date.fromisoformat(end), week_end)
            days = (last - first).days + 1
            if days > 0:
                c = hours_per_id[sid]
                leave[seat_per_id[sid]] += min(c, days * c / 5)
    out = pd.DataFrame({"required": req, "contracted": contract, "leave": leave})
    out["spare_before_leave"] = out["contracted"] / out["required"] - 1
    out["spare_after_leave"] = (out["contracted"] - out["leave"]) / out["required"] - 1
    return out


# --------------------------------------------------------------------------- output


def to_csv_text(frame: pd.DataFrame) -> str:
    """The exact CSV text written for a frame (LF line ends, no index)."""
    return frame.to_csv(index=False, lineterminator="\n")


def _write_atomic(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; data files should be world-readable
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def generate(seed: int = DEFAULT_SEED) -> dict[str, str]:
    """File name -> CSV text for the whole example city (pure)."""
    staff = make_staff(seed)
    time_off = make_time_off(staff, seed)
    return {
        "calls.csv": to_csv_text(make_calls(seed)),
        "staff.csv": to_csv_text(staff),
        "time_off.csv": to_csv_text(time_off),
        "requests.csv": to_csv_text(make_requests(staff, time_off, seed)),
    }


# Metro districts whose call patterns a new city's districts borrow, quietest first (a starter
# city of `roster init` staffs one team per district, which these loads fit).
BORROWED_DISTRICTS = ["Hillcrest", "Riverside", "Northside", "Eastgate", "Harbor", "Downtown"]


def make_city_calls(districts: Sequence[str], end: dt.date, weeks: int, seed: int = DEFAULT_SEED) -> pd.DataFrame:
    """A synthetic call history for any city's districts: ``weeks`` weeks of calls ending on ``end`` (inclusive).

    District i takes the pattern of Metro's i-th quietest district (cycling), on Metro's clock,
    so a new city (``roster init``) can be tried before its own export is ready.  Synthetic only.
    """
    start = end - dt.timedelta(weeks=weeks) + dt.timedelta(days=1)
    calls = make_calls(seed, hours=local_hours(start, (end - start).days + 1, TIMEZONE))
    names = {BORROWED_DISTRICTS[i % len(BORROWED_DISTRICTS)]: d for i, d in enumerate(districts)}
    calls = calls[calls["district"].isin(names)].copy()
    calls["district"] = calls["district"].map(names)
    return calls.reset_index(drop=True)


def _city_calls(config: Path, weeks: int, end: dt.date, seed: int) -> None:
    import tomllib

    raw = tomllib.loads(config.read_text(encoding="utf-8"))
    path = config.parent / raw.get("data", {}).get("calls", "calls.csv")
    if path.exists():
        raise SystemExit(f"{path} exists; not overwriting it.")
    text = to_csv_text(make_city_calls(list(raw["districts"]), end, weeks, seed))
    _write_atomic(path, text)
    print(f"wrote {path} ({text.count(chr(10)) - 1} synthetic calls, {weeks} weeks to {end})")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Generate the synthetic example city 'Metro'.")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "metro")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--calls-for", type=Path, metavar="ROSTER_TOML",
                        help="instead: a synthetic calls.csv for that city's districts (data.calls; never overwritten)")
    parser.add_argument("--weeks", type=int, default=12, help="with --calls-for: weeks of history")
    parser.add_argument("--end", type=dt.date.fromisoformat, default=HISTORY_END, help="with --calls-for: last day")
    args = parser.parse_args(argv)
    if args.calls_for is not None:
        _city_calls(args.calls_for, args.weeks, args.end, args.seed)
        return
    args.out.mkdir(parents=True, exist_ok=True)
    for name, text in generate(args.seed).items():
        _write_atomic(args.out / name, text)
        print(f"wrote {args.out / name} ({text.count(chr(10)) - 1} rows)")


if __name__ == "__main__":
    main()
