"""Discrete-event simulation of a week of crisis calls against a finished roster.

What the simulation assumes (see ``docs/service_levels.md`` for the long version):

* **Teams from staff.**  At any moment the number of teams on duty in a district
  is ``min over seat roles r of floor(on-duty staff whose role fills seat r /
  service.team[r])``.  A role counts towards the seat named by its ``fills``
  (or its own name); roles that fill no seat of the team are ignored.
* **Arrivals.**  For every district and forecast hour, a Poisson number of calls
  with the forecast ``mean`` for that hour, placed uniformly within the hour.
  Hours are real (tz-aware) hours, so a DST week has 167 or 169 of them.
* **Service.**  Calls in a district are answered first come, first served by
  the first free on-duty team of that district; a team is busy for an
  exponential time with mean ``busy_minutes`` (the district's override if set),
  or exactly ``busy_minutes`` with ``service="deterministic"``.  When teams go
  off duty while busy they finish the call in hand and take no new one.
* **Mutual aid** (optional).  A call that has waited ``mutual_aid_after_minutes``
  may be taken by a free team of a neighbouring district; a team that becomes
  free with no call of its own takes the longest-waiting eligible call of its
  neighbours.  The service time is that of the call's district.
* **Abandonment** (optional, ``patience_minutes``).  Each caller gives up after an
  exponential time with that mean if no team has been dispatched by then.
* **Week edges.**  The week starts empty (no calls in progress).  Calls still
  waiting when the week ends count as *not* within target; their minutes to
  contact are censored at the week's end (a lower bound).  Busy time is
  counted up to the week's end.

"Minutes to contact" is the time from the call to a team being dispatched (the
queueing delay), the quantity Erlang C predicts.

Public API: :func:`simulate_roster` and :func:`teams_on_duty`.
"""

from __future__ import annotations

import heapq
import math
from collections import deque

import numpy as np
import pandas as pd

from roster.config import Config
from roster.errors import InputError
from roster.io.schemas import SIMULATION_COLUMNS
from roster.staffing.requirements import aware_timestamps as _aware

__all__ = ["DEFAULT_REPLICATIONS", "teams_on_duty", "simulate_roster"]

# Simulated weeks of `roster plan` and, by default, `roster simulate` (both seeded with solver.seed).
DEFAULT_REPLICATIONS = 100

_Z95 = 1.959963984540054

# event kinds, in the order they are handled at equal times
_COMPLETE, _CAPACITY, _ARRIVE, _AID = 0, 1, 2, 3
# call status
_WAITING, _SERVED, _ABANDONED = 0, 1, 2


def _roster_frame(roster: pd.DataFrame, cfg: Config, where: str) -> pd.DataFrame:
    need = ["staff_id", "role", "district", "start", "end"]
    missing = [c for c in need if c not in roster.columns]
    if missing:
        raise InputError(f"{where} lacks column(s) {missing}; it needs {','.join(need)}.")
    r = roster[need].copy()
    for col in ("start", "end"):
        r[col] = _aware(r[col], f"{where} column '{col}'", cfg.timezone)
    bad = r["end"] <= r["start"]
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(f"{where} row {i + 2}: shift of {r['staff_id'].iloc[i]} ends before it starts.")
    unknown_d = sorted(set(r["district"].astype(str)) - set(cfg.districts))
    if unknown_d:
        raise InputError(f"{where} names district(s) {unknown_d} that roster.toml does not define.")
    unknown_r = sorted(set(r["role"].astype(str)) - set(cfg.roles))
    if unknown_r:
        raise InputError(f"{where} names role(s) {unknown_r} that roster.toml does not define.")
    return r


def teams_on_duty(roster: pd.DataFrame, cfg: Config, start: pd.Timestamp, end: pd.Timestamp,
                  *, where: str = "the roster") -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Teams on duty per district as step functions on ``[start, end)``.

    Returns ``{district: (times, teams)}`` with ``times`` in minutes from ``start``
    (``times[0] == 0``) and ``teams[i]`` holding from ``times[i]`` to the next change.
    Teams = min over seat roles of floor(on-duty staff filling the seat / headcount per team).
    """
    r = _roster_frame(roster, cfg, where)
    team = {k: v for k, v in cfg.service.team.items() if v > 0}
    horizon = (end - start).total_seconds() / 60.0
    out: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    seat_of = {name: role.seat(name) for name, role in cfg.roles.items()}
    r["seat"] = r["role"].astype(str).map(seat_of)
    r = r[r["seat"].isin(team)]
    s_min = ((r["start"] - start).dt.total_seconds() / 60.0).to_numpy()
    e_min = ((r["end"] - start).dt.total_seconds() / 60.0).to_numpy()
    s_min = np.clip(s_min, 0.0, horizon)
    e_min = np.clip(e_min, 0.0, horizon)
    districts = r["district"].astype(str).to_numpy()
    seats = r["seat"].to_numpy()
    for d in cfg.districts:
        sel = districts == d
        times = np.unique(np.concatenate([[0.0], s_min[sel], e_min[sel]]))
        times = times[times < horizon] if horizon > 0 else times[:1]
        teams = np.full(len(times), np.iinfo(np.int64).max, dtype=np.int64)
        for seat, per in team.items():
            m = sel & (seats == seat)
            # staff of this seat on duty on [times[i], times[i+1]): start <= t < end
            on = (s_min[m][None, :] <= times[:, None]) & (times[:, None] < e_min[m][None, :])
            count = on.sum(axis=1)
            teams = np.minimum(teams, np.floor(count / per + 1e-9).astype(np.int64))
        # merge equal consecutive values
        keep = np.concatenate([[True], teams[1:] != teams[:-1]])
        out[d] = (times[keep], teams[keep])
    return out


def _simulate_once(arr_t, arr_d, svc, patience, district_names, schedule, neighbours, aid_after, horizon):
    """One replication.  Returns (start time or nan, status, serving district index) per call."""
    nd = len(district_names)
    ncall = len(arr_t)
    start = np.full(ncall, np.nan)
    status = np.zeros(ncall, dtype=np.int8)
    server = np.full(ncall, -1, dtype=np.int64)
    cap = [0] * nd
    busy = [0] * nd
    queues = [deque() for _ in range(nd)]
    busy_time = [0.0] * nd
    heap: list = []
    seq = 0
    for di, d in enumerate(district_names):
        times, teams = schedule[d]
        for t, k in zip(times.tolist(), teams.tolist()):
            heap.append((t, _CAPACITY, seq, di, k))
            seq += 1
    at = arr_t.tolist()
    ad = arr_d.tolist()
    sv = svc.tolist()
    deadline = (arr_t + patience).tolist() if patience is not None else None
    for i in range(ncall):
        heap.append((at[i], _ARRIVE, seq, ad[i], i))
        seq += 1
    heapq.heapify(heap)

    def start_call(di, i, now):
        nonlocal seq
        status[i] = _SERVED
        start[i] = now
        server[i] = di
        busy[di] += 1
        end = now + sv[i]
        busy_time[di] += min(end, horizon) - now
        heapq.heappush(heap, (end, _COMPLETE, seq, di, i))
        seq += 1

    def head(q, now):
        """Oldest still-waiting call of a queue (drops served / given-up ones), or None."""
        while q:
            i = q[0]
            if status[i] != _WAITING:
                q.popleft()
                continue
            if deadline is not None and deadline[i] <= now:
                status[i] = _ABANDONED
                q.popleft()
                continue
            return i
        return None

    def dispatch(di, now):
        q = queues[di]
        while busy[di] < cap[di]:
            i = head(q, now)
            if i is not None:
                q.popleft()
                start_call(di, i, now)
                continue
            if aid_after is None:
                return
            best = None
            for nb in neighbours[di]:
                j = head(queues[nb], now)
                if j is not None and at[j] + aid_after <= now and (best is None or at[j] < at[best]):
                    best = j
            if best is None:
                return
            start_call(di, best, now)  # left in its queue; head() drops it later

    while heap:
        now, kind, _, di, x = heapq.heappop(heap)
        if now >= horizon and kind != _COMPLETE:
            break
        if kind == _COMPLETE:
            busy[di] -= 1
            if now < horizon:
                dispatch(di, now)
        elif kind == _CAPACITY:
            cap[di] = x
            dispatch(di, now)
        elif kind == _ARRIVE:
            queues[di].append(x)
            dispatch(di, now)
            if aid_after is not None and status[x] == _WAITING:
                heapq.heappush(heap, (now + aid_after, _AID, seq, di, x))
                seq += 1
        else:  # _AID: the call has waited long enough to be lent a neighbour's team
            if status[x] != _WAITING or (deadline is not None and deadline[x] <= now):
                continue
            for nb in neighbours[di]:
                if busy[nb] < cap[nb] and head(queues[nb], now) is None:
                    start_call(nb, x, now)
                    break
    if deadline is not None:
        dl = np.asarray(deadline)
        gave_up = (status == _WAITING) & (dl < horizon)
        status[gave_up] = _ABANDONED
    return start, status, server, np.asarray(busy_time)


def _capacity_minutes(schedule, district_names, horizon):
    out = np.zeros(len(district_names))
    for di, d in enumerate(district_names):
        times, teams = schedule[d]
        ends = np.append(times[1:], horizon)
        out[di] = float((np.maximum(ends - times, 0) * teams).sum())
    return out


def _check_options(replications, service, patience_minutes, mutual_aid, mutual_aid_after_minutes) -> None:
    if replications < 1:
        raise InputError(f"replications must be 1 or more (got {replications}).")
    if service not in ("exponential", "deterministic"):
        raise InputError(f"service must be 'exponential' or 'deterministic' (got {service!r}).")
    if patience_minutes is not None and not patience_minutes > 0:
        raise InputError(f"patience minutes must be positive (got {patience_minutes!r}).")
    if mutual_aid and not mutual_aid_after_minutes >= 0:
        raise InputError(f"mutual aid minutes must be 0 or more (got {mutual_aid_after_minutes!r}).")


def _forecast_arrays(forecast: pd.DataFrame, cfg: Config, index: dict[str, int]):
    """(district index, calls per hour, hour start in minutes from t0, t0, end) of each forecast row, checked."""
    missing = [c for c in ("district", "hour_start", "mean") if c not in forecast.columns]
    if missing:
        raise InputError(f"the forecast lacks column(s) {missing}; it has {list(forecast.columns)}.")
    fc = forecast[["district", "hour_start", "mean"]].copy()
    fc["district"] = fc["district"].astype(str)
    unknown = sorted(set(fc["district"]) - set(cfg.districts))
    if unknown:
        raise InputError(f"the forecast has district(s) {unknown} that roster.toml does not define.")
    rate = pd.to_numeric(fc["mean"], errors="coerce").to_numpy(dtype=float)
    if not np.all(np.isfinite(rate)) or np.any(rate < 0):
        raise InputError("the forecast column 'mean' has missing or negative values; every hour needs 0 or more.")
    hs = pd.DatetimeIndex(_aware(fc["hour_start"].reset_index(drop=True), "the forecast column 'hour_start'",
                                 cfg.timezone))
    t0 = hs.min()
    t_end = hs.max() + pd.Timedelta(hours=1)
    hour_min = ((hs - t0).total_seconds() / 60.0).to_numpy()
    return fc["district"].map(index).to_numpy(), rate, hour_min, t0, t_end


def _summary_row(name, c, w, o, ab, bt, capm, wts, with_abandoned: bool) -> dict:
    """One district's (or ALL's) row from per-replication counts ``c`` (calls), ``w`` (within target),
    ``o`` (waited longer than the target), ``ab`` (abandoned), ``bt`` (busy minutes), capacity minutes and the waits."""
    R = c.shape[0]
    tot = c.sum()
    share = w.sum() / tot if tot > 0 else np.nan
    if R > 1 and tot > 0:
        resid = w - share * c
        se = math.sqrt(resid.var(ddof=1) / R) / c.mean()
        lo, hi = max(0.0, share - _Z95 * se), min(1.0, share + _Z95 * se)
    else:
        lo = hi = np.nan
    rec = {
        "district": name,
        "calls": c.mean(),
        "share_within_target": share,
        "share_ci_low": lo,
        "share_ci_high": hi,
        "mean_minutes_to_contact": float(wts.mean()) if len(wts) else np.nan,
        "p90_minutes_to_contact": float(np.quantile(wts, 0.9)) if len(wts) else np.nan,
        "utilisation": bt.sum() / (capm * R) if capm > 0 else np.nan,
        "calls_waiting_over_target": o.mean(),
    }
    if with_abandoned:
        rec["share_abandoned"] = ab.sum() / tot if tot > 0 else np.nan
    return rec


def simulate_roster(roster: pd.DataFrame, forecast: pd.DataFrame, cfg: Config, *, replications: int = 200,
                    seed: int = 0, service: str = "exponential", target_minutes: float | None = None,
                    mutual_aid: bool = False, mutual_aid_after_minutes: float = 30.0,
                    neighbours: dict[str, list[str]] | None = None,
                    patience_minutes: float | None = None, where: str = "the roster") -> pd.DataFrame:
    """Simulate the forecast week ``replications`` times against ``roster``; one row per district plus ``ALL``.

    ``roster``: ``staff_id,role,district,start,end`` (tz-aware).  ``forecast``:
    ``district,hour_start,mean`` (one row per district and hour; the horizon is from
    the first ``hour_start`` to one hour after the last).  Columns of the result:
    :data:`SIMULATION_COLUMNS` (``calls`` and ``calls_waiting_over_target`` (waits longer than
    ``target_minutes``) are means
    per replication; shares, minute statistics and utilisation pool all
    replications; the 95 % interval is a normal approximation across replications
    for the ratio estimator), plus ``share_abandoned`` when ``patience_minutes`` is set.
    """
    _check_options(replications, service, patience_minutes, mutual_aid, mutual_aid_after_minutes)
    s = cfg.service
    target = float(s.target_minutes if target_minutes is None else target_minutes)
    names = list(cfg.districts)
    index = {d: i for i, d in enumerate(names)}
    fc_d, rate, hour_min, t0, t_end = _forecast_arrays(forecast, cfg, index)
    horizon = (t_end - t0).total_seconds() / 60.0
    busy_min = np.array([cfg.districts[d].busy_minutes or s.busy_minutes for d in names], dtype=float)
    schedule = teams_on_duty(roster, cfg, t0, t_end, where=where)
    nb_map = neighbours if neighbours is not None else {d: list(cfg.districts[d].neighbours) for d in names}
    for d, lst in nb_map.items():
        for n in list(lst) + [d]:
            if n not in index:
                raise InputError(f"mutual aid neighbours name district '{n}', which roster.toml does not define.")
    nb_idx = [[index[n] for n in nb_map.get(d, [])] for d in names]
    aid_after = float(mutual_aid_after_minutes) if mutual_aid else None

    rng = np.random.default_rng(seed)
    nd = len(names)
    calls = np.zeros((replications, nd))
    within = np.zeros((replications, nd))
    over_target = np.zeros((replications, nd))
    abandoned = np.zeros((replications, nd))
    busy_t = np.zeros((replications, nd))
    waits_all: list[np.ndarray] = []
    waits_d: list[np.ndarray] = []
    for r in range(replications):
        counts = rng.poisson(rate)
        arr_d = np.repeat(fc_d, counts)
        arr_t = np.repeat(hour_min, counts) + rng.uniform(0.0, 60.0, counts.sum())
        order = np.argsort(arr_t, kind="stable")
        arr_t, arr_d = arr_t[order], arr_d[order]
        mean_svc = busy_min[arr_d]
        svc = mean_svc.copy() if service == "deterministic" else rng.exponential(mean_svc)
        pat = rng.exponential(patience_minutes, len(arr_t)) if patience_minutes is not None else None
        st, status, _, bt = _simulate_once(arr_t, arr_d, svc, pat, names, schedule, nb_idx, aid_after, horizon)
        served = status == _SERVED
        wait = np.where(served, st - arr_t, horizon - arr_t)  # censored at week end if never reached
        if pat is not None:
            gave = status == _ABANDONED
            wait = np.where(gave, pat, wait)
        else:
            gave = np.zeros(len(arr_t), dtype=bool)
        ok = served & (wait <= target + 1e-9)
        calls[r] = np.bincount(arr_d, minlength=nd)
        within[r] = np.bincount(arr_d, weights=ok, minlength=nd)
        over_target[r] = np.bincount(arr_d, weights=wait > target + 1e-9, minlength=nd)
        abandoned[r] = np.bincount(arr_d, weights=gave, minlength=nd)
        busy_t[r] = bt
        keep = ~gave
        waits_all.append(wait[keep])
        waits_d.append(arr_d[keep])
    waits = np.concatenate(waits_all) if waits_all else np.zeros(0)
    wd = np.concatenate(waits_d) if waits_d else np.zeros(0, dtype=np.int64)
    cap_min = _capacity_minutes(schedule, names, horizon)

    with_abandoned = patience_minutes is not None
    rows = [_summary_row(d, calls[:, i], within[:, i], over_target[:, i], abandoned[:, i], busy_t[:, i], cap_min[i],
                         waits[wd == i], with_abandoned) for i, d in enumerate(names)]
    rows.append(_summary_row("ALL", calls.sum(1), within.sum(1), over_target.sum(1), abandoned.sum(1), busy_t.sum(1),
                             cap_min.sum(), waits, with_abandoned))
    cols = SIMULATION_COLUMNS + (["share_abandoned"] if patience_minutes is not None else [])
    return pd.DataFrame(rows, columns=cols)
