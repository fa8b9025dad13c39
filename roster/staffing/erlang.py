"""Queueing formulas for mobile crisis teams: Erlang C (M/M/n) and Erlang A (M/M/n+M).

Pure functions, no I/O.  Units used throughout the public API:

* ``rate_per_hour`` -- calls arriving per hour (Poisson),
* ``busy_minutes`` -- mean minutes a team is busy per call (exponential),
* ``target_minutes`` -- the answer-time target: a call is "within target" when a
  team is dispatched to it within this many minutes,
* ``teams`` -- number of teams on duty (the servers).

The offered load is ``a = rate_per_hour * busy_minutes / 60`` (in Erlangs).

Erlang C is computed from the Erlang B recursion ``B(0) = 1``,
``B(n) = a B(n-1) / (n + a B(n-1))``, then ``C = n B / (n - a (1 - B))`` for
``n > a``.  No factorials or powers are formed, so offered loads of several
hundred Erlangs are fine.  Every Erlang C function broadcasts over numpy arrays.

Erlang A (callers who give up after an exponential patience) is computed
exactly from the birth-death chain of the number of calls in the system,
truncated where the stationary probabilities fall below 1e-16 of their peak;
the answer-time distribution is the absorption probability of a small
phase-type chain (see ``docs/service_levels.md``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.sparse import diags
from scipy.sparse.linalg import expm_multiply
from scipy.special import logsumexp

from roster.errors import InputError

__all__ = [
    "DEFAULT_MAX_TEAMS",
    "offered_load",
    "erlang_b",
    "erlang_c",
    "wait_probability",
    "service_level",
    "mean_wait_minutes",
    "occupancy",
    "ErlangA",
    "erlang_a",
    "erlang_a_distribution",
    "teams_needed",
    "teams_needed_array",
    "erlang_summary",
]

#: Default cap on the number of teams a single district-hour may need.
DEFAULT_MAX_TEAMS = 1000


def _check_positive(name: str, value, hint: str) -> None:
    arr = np.asarray(value, dtype=float)
    if not np.all(np.isfinite(arr)) or np.any(arr <= 0):
        raise InputError(f"{name} must be a positive number of minutes (got {value!r}); {hint}")


# Shortest mean patience the Erlang A chain is computed for: below it (under a second) the give-up rate
# overflows the matrix exponential.
MIN_PATIENCE = 0.01


def _check_patience(value) -> None:
    if float(value) < MIN_PATIENCE:
        raise InputError(f"patience minutes must be at least {MIN_PATIENCE:g} (got {value!r}); give the mean minutes "
                         "a caller waits before giving up.")


def _check_share(target_share: float) -> None:
    if not (isinstance(target_share, (int, float)) and 0 < float(target_share) < 1):
        raise InputError(
            f"target share must be strictly between 0 and 1 (got {target_share!r}); "
            "give it as a fraction, e.g. 0.90 for 90 %."
        )


def _check_rate(rate) -> None:
    arr = np.asarray(rate, dtype=float)
    if not np.all(np.isfinite(arr)) or np.any(arr < 0):
        raise InputError(f"arrival rate must be a finite number of calls per hour, 0 or more (got {rate!r}).")


def offered_load(rate_per_hour, busy_minutes):
    """Offered load in Erlangs: calls per hour times busy hours per call."""
    return np.asarray(rate_per_hour, dtype=float) * np.asarray(busy_minutes, dtype=float) / 60.0


def erlang_b(teams, load):
    """Erlang B blocking probability ``B(n, a)``, broadcasting over arrays.

    Uses the stable recursion on ``n``; ``B(0, a) = 1``.
    """
    n, a = np.broadcast_arrays(np.asarray(teams), np.asarray(load, dtype=float))
    n = n.astype(np.int64)
    if np.any(n < 0):
        raise ValueError("teams must be 0 or more")
    b = np.ones(n.shape, dtype=float)
    top = int(n.max()) if n.size else 0
    for k in range(1, top + 1):
        upd = n >= k
        bk = a * b / (k + a * b)
        b = np.where(upd, bk, b)
    return b if b.ndim else float(b)


def erlang_c(teams, load):
    """Erlang C probability that a call waits, ``C(n, a)``.

    ``1`` when ``n <= a`` (the queue is unstable: every call eventually waits),
    ``0`` when ``a == 0``.
    """
    n, a = np.broadcast_arrays(np.asarray(teams), np.asarray(load, dtype=float))
    b = np.asarray(erlang_b(n, a), dtype=float)
    n = n.astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        c = n * b / (n - a * (1.0 - b))
    c = np.where(n > a, c, 1.0)
    c = np.where(a <= 0, 0.0, c)
    c = np.clip(c, 0.0, 1.0)
    return c if c.ndim else float(c)


def wait_probability(teams, rate_per_hour, busy_minutes):
    """Erlang C: probability a call finds every team busy and has to wait."""
    return erlang_c(teams, offered_load(rate_per_hour, busy_minutes))


def service_level(teams, rate_per_hour, busy_minutes, target_minutes):
    """Erlang C: ``P(wait <= target) = 1 - C exp(-(n - a) t / S)``; ``0`` if ``n <= a``; ``1`` if no calls."""
    n = np.asarray(teams)
    a = offered_load(rate_per_hour, busy_minutes)
    c = erlang_c(n, a)
    ts = np.asarray(target_minutes, dtype=float) / np.asarray(busy_minutes, dtype=float)
    with np.errstate(over="ignore", invalid="ignore"):
        sl = 1.0 - c * np.exp(-(n - a) * ts)
    sl = np.where(n > a, sl, 0.0)
    sl = np.where(a <= 0, 1.0, sl)
    sl = np.clip(sl, 0.0, 1.0)
    return sl if sl.ndim else float(sl)


def mean_wait_minutes(teams, rate_per_hour, busy_minutes):
    """Erlang C mean wait over all calls, ``C S / (n - a)`` minutes; ``inf`` if ``n <= a``."""
    n = np.asarray(teams, dtype=float)
    a = offered_load(rate_per_hour, busy_minutes)
    c = erlang_c(n, a)
    with np.errstate(divide="ignore", invalid="ignore"):
        w = c * np.asarray(busy_minutes, dtype=float) / (n - a)
    w = np.where(n > a, w, np.inf)
    w = np.where(a <= 0, 0.0, w)
    return w if w.ndim else float(w)


def occupancy(teams, rate_per_hour, busy_minutes):
    """Share of on-duty team time spent busy, ``a / n`` (capped at 1); ``0`` with no teams and no calls."""
    n = np.asarray(teams, dtype=float)
    a = offered_load(rate_per_hour, busy_minutes)
    with np.errstate(divide="ignore", invalid="ignore"):
        occ = np.where(n > 0, np.minimum(a / n, 1.0), np.where(a > 0, 1.0, 0.0))
    return occ if occ.ndim else float(occ)


# ----------------------------------------------------------------------------------------
# Erlang A (M/M/n+M)


@dataclass(frozen=True)
class ErlangA:
    """Steady-state measures of the M/M/n+M queue (every share is over all arriving calls)."""

    teams: int
    wait_probability: float  # P(a call finds all teams busy)
    service_level: float  # P(a team is dispatched within target); abandoned calls are not within target
    abandonment: float  # P(the caller gives up before a team is dispatched)
    mean_wait_minutes: float  # mean time in queue over all calls (abandoned ones until they gave up)
    occupancy: float  # busy team time / on-duty team time


def erlang_a_distribution(teams: int, rate_per_hour: float, busy_minutes: float, patience_minutes: float,
                          tol: float = 1e-16) -> np.ndarray:
    """Stationary distribution ``pi[k]`` of the number of calls in an M/M/n+M system.

    Birth rate ``lambda``; death rate ``min(k, n) mu + max(k - n, 0) theta``.  The
    chain is truncated at the first ``K > n`` where ``pi[K] < tol * max(pi)`` and the
    ratio ``pi[k+1]/pi[k]`` is below 1 (so the neglected tail is geometric and tiny).
    """
    n = int(teams)
    lam = float(rate_per_hour) / 60.0
    mu = 1.0 / float(busy_minutes)
    theta = 1.0 / float(patience_minutes)
    if lam == 0:
        return np.array([1.0])
    logs = [0.0]
    peak = 0.0
    k = 0
    log_tol = math.log(tol)
    while True:
        k += 1
        death = min(k, n) * mu + max(k - n, 0) * theta
        nxt = logs[-1] + math.log(lam) - math.log(death)
        logs.append(nxt)
        peak = max(peak, nxt)
        next_death = min(k + 1, n) * mu + max(k + 1 - n, 0) * theta
        if k > n and nxt - peak < log_tol and lam < next_death:
            break
        if k > 10_000_000:  # pragma: no cover - theta > 0 guarantees termination long before
            raise RuntimeError("Erlang A truncation did not converge")
    logs = np.array(logs)
    return np.exp(logs - logsumexp(logs))


def erlang_a(teams: int, rate_per_hour: float, busy_minutes: float, patience_minutes: float,
             target_minutes: float) -> ErlangA:
    """Erlang A measures computed exactly from the truncated birth-death chain.

    Answer-time distribution: a call arriving to ``k >= n`` calls in the system has
    ``m = k - n`` calls ahead of it in the queue and needs ``m + 1`` departures from
    "ahead of it or in service" before a team frees for it; with ``j`` such steps left
    the next one happens at rate ``n mu + (j - 1) theta``, while the call itself gives
    up at rate ``theta``.  ``P(served within t)`` is the probability this small
    absorbing chain reaches "served" by ``t`` (a matrix exponential).
    """
    _check_positive("busy minutes", busy_minutes, "set service.busy_minutes to a positive value.")
    _check_positive("patience minutes", patience_minutes, "give the mean minutes a caller waits before giving up.")
    _check_patience(patience_minutes)
    _check_rate(rate_per_hour)
    n = int(teams)
    if n < 0:
        raise ValueError("teams must be 0 or more")
    lam = float(rate_per_hour) / 60.0
    mu = 1.0 / float(busy_minutes)
    theta = 1.0 / float(patience_minutes)
    t = float(target_minutes)
    if lam == 0:
        return ErlangA(n, 0.0, 1.0, 0.0, 0.0, 0.0)
    pi = erlang_a_distribution(n, rate_per_hour, busy_minutes, patience_minutes)
    K = len(pi) - 1
    k = np.arange(K + 1)
    queue = np.maximum(k - n, 0)
    wait_prob = float(pi[n:].sum()) if K >= n else 0.0
    mean_queue = float((queue * pi).sum())
    abandonment = theta * mean_queue / lam
    mean_wait = mean_queue / lam
    busy = float((np.minimum(k, n) * pi).sum())
    occ = busy / n if n > 0 else 0.0

    # Phase chain: state j = 1..J (steps still needed), absorbing "served" = index 0.
    # Killing (the caller giving up) leaks probability out at rate theta.
    J = K - n + 1
    if J <= 0 or wait_prob == 0.0:
        served_within = 1.0 - wait_prob
    else:
        # Transposed generator (columns = from-state) as a sparse bidiagonal matrix, so that
        # expm_multiply evolves the column vector of state probabilities.
        j = np.arange(1, J + 1)
        step = n * mu + (j - 1) * theta
        main = np.concatenate([[0.0], -(step + theta)])
        QT = diags([main, step], [0, 1], shape=(J + 1, J + 1), format="csr")
        start = np.zeros(J + 1)
        start[1:] = pi[n:]  # arrival seeing k = n + j - 1 needs j steps
        absorbed = float(expm_multiply(QT * t, start)[0]) if t > 0 else 0.0
        served_within = float(pi[:n].sum()) + absorbed
    return ErlangA(
        teams=n,
        wait_probability=wait_prob,
        service_level=float(min(max(served_within, 0.0), 1.0)),
        abandonment=float(min(max(abandonment, 0.0), 1.0)),
        mean_wait_minutes=mean_wait,
        occupancy=occ,
    )


# ----------------------------------------------------------------------------------------
# Staffing


def _unservable_message(rate, busy_minutes, target_minutes, target_share, max_teams, max_occupancy) -> str:
    occ = f" with occupancy at most {max_occupancy:g}" if max_occupancy is not None else ""
    return (
        f"{rate:g} calls/hour with {busy_minutes:g} busy minutes per call cannot reach "
        f"{target_share:.0%} within {target_minutes:g} minutes{occ} with at most {max_teams} teams; "
        "check the forecast rate and busy_minutes, or raise the team cap."
    )


def teams_needed(rate_per_hour: float, busy_minutes: float, target_minutes: float, target_share: float,
                 max_occupancy: float | None = None, max_teams: int = DEFAULT_MAX_TEAMS, *,
                 patience_minutes: float | None = None, on_unservable: str = "raise") -> int | None:
    """Smallest number of teams whose service level reaches ``target_share``.

    Erlang C by default (then ``n > a`` is required); Erlang A when
    ``patience_minutes`` is given.  With ``max_occupancy`` the occupancy must also
    be at most that share.  A rate of 0 needs 0 teams (floors are applied by the
    caller).  When no ``n <= max_teams`` works: ``on_unservable="raise"`` raises
    :class:`InputError`, ``"flag"`` returns ``None``.
    """
    _check_positive("busy minutes", busy_minutes, "set service.busy_minutes to a positive value.")
    _check_share(target_share)
    _check_rate(rate_per_hour)
    if target_minutes < 0 or not math.isfinite(target_minutes):
        raise InputError(f"target minutes must be 0 or more (got {target_minutes!r}).")
    if max_occupancy is not None and not 0 < max_occupancy <= 1:
        raise InputError(f"max occupancy must be in (0, 1] (got {max_occupancy!r}).")
    if on_unservable not in ("raise", "flag"):
        raise ValueError("on_unservable must be 'raise' or 'flag'")
    rate = float(rate_per_hour)
    if rate == 0:
        return 0
    if patience_minutes is None:
        n = teams_needed_array(np.array([rate]), busy_minutes, target_minutes, target_share,
                               max_occupancy=max_occupancy, max_teams=max_teams)[0]
        n = int(n)
        ok = n >= 0
    else:
        def good(m: int) -> bool:
            r = erlang_a(m, rate, busy_minutes, patience_minutes, target_minutes)
            return r.service_level >= target_share and (max_occupancy is None or r.occupancy <= max_occupancy)

        # Service level rises and occupancy falls with n: gallop from the Erlang C answer
        # (a good first guess), then bisect between the last bad and the first good n.
        guess = int(teams_needed_array(np.array([rate]), busy_minutes, target_minutes, target_share,
                                       max_occupancy=max_occupancy, max_teams=max_teams)[0])
        guess = min(max(guess, 1), max_teams) if guess > 0 else max(1, min(int(rate * busy_minutes / 60), max_teams))
        ok = True
        if good(guess):
            hi, step = guess, 1
            lo = guess - step
            while lo > 0 and good(lo):
                hi, step = lo, step * 2
                lo = hi - step
            lo = max(lo, 0)
        else:
            lo, step = guess, 1
            hi = min(guess + step, max_teams)
            while not good(hi):
                if hi == max_teams:
                    ok = False
                    break
                lo, step = hi, step * 2
                hi = min(lo + step, max_teams)
        if ok:
            # invariant: good(hi), not good(lo) (or lo == 0 and good(0) unknown)
            if lo == 0 and good(0):
                hi = 0
            while hi - lo > 1:
                mid = (lo + hi) // 2
                if good(mid):
                    hi = mid
                else:
                    lo = mid
            n = hi
    if not ok:
        if on_unservable == "raise":
            raise InputError(_unservable_message(rate, busy_minutes, target_minutes, target_share, max_teams,
                                                 max_occupancy))
        return None
    return n


def teams_needed_array(rates, busy_minutes, target_minutes: float, target_share: float,
                       max_occupancy: float | None = None, max_teams: int = DEFAULT_MAX_TEAMS) -> np.ndarray:
    """Vectorised Erlang C :func:`teams_needed`: one integer per rate, ``-1`` where unservable.

    ``busy_minutes`` may be a scalar or an array matching ``rates``.  Identical
    (rate, busy) pairs are solved once; the Erlang B recursion runs on all of them
    together and stops as soon as every one is satisfied.
    """
    rates = np.asarray(rates, dtype=float)
    busy = np.broadcast_to(np.asarray(busy_minutes, dtype=float), rates.shape)
    pairs = np.stack([rates.ravel(), busy.ravel()], axis=1)
    if pairs.size == 0:
        return np.zeros(rates.shape, dtype=np.int64)
    uniq, inverse = np.unique(pairs, axis=0, return_inverse=True)
    a = uniq[:, 0] * uniq[:, 1] / 60.0
    ts = float(target_minutes) / uniq[:, 1]
    result = np.full(len(uniq), -1, dtype=np.int64)
    result[a <= 0] = 0
    todo = a > 0
    b = np.ones(len(uniq))
    for n in range(1, int(max_teams) + 1):
        if not todo.any():
            break
        b = a * b / (n + a * b)
        stable = n > a
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            c = n * b / (n - a * (1.0 - b))
            sl = 1.0 - c * np.exp(-(n - a) * ts)
        good = todo & stable & (sl >= target_share)
        if max_occupancy is not None:
            good &= a / n <= max_occupancy
        result[good] = n
        todo &= ~good
    return result[inverse.ravel()].reshape(rates.shape)


def erlang_summary(rate: float, busy_minutes: float, target_minutes: float, target_share: float,
                   patience_minutes: float | None = None, shrinkage: float = 0.0) -> dict:
    """What ``roster erlang`` prints: teams needed and the measures at that staffing.

    Keys: ``teams``, ``service_level``, ``wait_probability``, ``occupancy``,
    ``staff_with_shrinkage`` (teams / (1 - shrinkage), rounded up: the team
    positions to roster so that ``teams`` are on the road).
    """
    if not 0 <= shrinkage < 1:
        raise InputError(f"shrinkage must be in [0, 1) (got {shrinkage!r}); e.g. 0.10 for 10 %.")
    n = teams_needed(rate, busy_minutes, target_minutes, target_share, patience_minutes=patience_minutes)
    if patience_minutes is None:
        sl = float(service_level(n, rate, busy_minutes, target_minutes))
        pw = float(wait_probability(n, rate, busy_minutes))
        occ = float(occupancy(n, rate, busy_minutes))
    else:
        r = erlang_a(n, rate, busy_minutes, patience_minutes, target_minutes)
        sl, pw, occ = r.service_level, r.wait_probability, r.occupancy
    staff = int(math.ceil(round(n / (1.0 - shrinkage), 9)))
    return {
        "teams": int(n),
        "service_level": sl,
        "wait_probability": pw,
        "occupancy": occ,
        "staff_with_shrinkage": staff,
    }
