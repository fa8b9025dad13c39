"""Erlang C / Erlang A against independent computations and published values."""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.sparse.linalg import spsolve

from roster.staffing.erlang import (
    erlang_a,
    erlang_b,
    erlang_c,
    erlang_summary,
    mean_wait_minutes,
    occupancy,
    service_level,
    teams_needed,
    teams_needed_array,
    wait_probability,
)
from roster.errors import InputError


def ctmc_stationary(lam: float, mu: float, n: int, theta: float = 0.0, K: int | None = None) -> np.ndarray:
    """Stationary distribution of the birth-death CTMC truncated at K, solved as pi Q = 0, sum pi = 1.

    The generator is assembled explicitly and the balance equations are solved with a
    sparse LU (one balance equation replaced by the normalisation).  K defaults to a
    level beyond which the neglected tail is below 1e-15.
    """
    if K is None:
        ratio = lam / (n * mu) if theta == 0 else 0.5
        K = n + 50 + (int(math.log(1e-15) / math.log(ratio)) if 0 < ratio < 1 else 0)
    i = np.arange(K + 1)
    up = np.where(i < K, lam, 0.0)
    down = np.minimum(i, n) * mu + np.maximum(i - n, 0) * theta
    Q = sp.diags([up[:-1], down[1:], -(up + down)], [1, -1, 0], format="lil")
    A = Q.T.tolil()
    A[K, :] = np.ones(K + 1)
    b = np.zeros(K + 1)
    b[K] = 1.0
    pi = spsolve(A.tocsc(), b)
    return np.clip(pi, 0.0, None)


@pytest.mark.parametrize("a", [0.3, 1.0, 2.5, 7.9, 15.0, 40.0])
@pytest.mark.parametrize("extra", [1, 2, 5])
def test_erlang_c_matches_ctmc(a, extra):
    n = int(math.floor(a)) + extra
    pi = ctmc_stationary(lam=a, mu=1.0, n=n)
    assert erlang_c(n, a) == pytest.approx(pi[n:].sum(), abs=1e-9)
    # mean queue length / lambda = mean wait (Little), here in units of the service time
    k = np.arange(len(pi))
    wq = (np.maximum(k - n, 0) * pi).sum() / a
    assert mean_wait_minutes(n, a * 60.0, 1.0) == pytest.approx(wq, rel=1e-7, abs=1e-12)


def test_erlang_b_matches_direct_sum_for_small_n():
    for a in (0.5, 3.0, 9.0):
        for n in range(0, 15):
            direct = (a**n / math.factorial(n)) / sum(a**k / math.factorial(k) for k in range(n + 1))
            assert erlang_b(n, a) == pytest.approx(direct, rel=1e-12)


def test_published_values():
    # M/M/3 with a = 2 Erlangs: P(wait) = 4/9 (textbook closed form).
    assert erlang_c(3, 2.0) == pytest.approx(4 / 9, rel=1e-12)
    # a = 3, n = 5 (1 call/minute, 3-minute calls, 5 agents): C = 81/343.
    assert erlang_c(5, 3.0) == pytest.approx(81 / 343, rel=1e-12)
    # Call-centre worked example: 100 calls per 30 minutes, 180 s handling time (a = 10),
    # 11 agents -> P(wait) = 0.6821; 80 % answered within 20 s needs 14 agents.
    assert wait_probability(11, 200.0, 3.0) == pytest.approx(0.6821, abs=5e-5)
    assert teams_needed(200.0, 3.0, 20 / 60, 0.80) == 14


def test_large_offered_load_no_overflow():
    # a = 180 Erlangs (far beyond factorial range for the naive formula); check against the CTMC.
    a = 180.0
    for n in (181, 190, 200, 220):
        pi = ctmc_stationary(lam=a, mu=1.0, n=n)
        assert erlang_c(n, a) == pytest.approx(pi[n:].sum(), abs=1e-8)
    assert np.isfinite(erlang_c(np.array([1000, 1200]), 1050.0)).all()
    n = teams_needed(150 * 60 / 75 * 1.0, 75, 60, 0.9)  # 120 calls/hour x 75 min = 150 Erlangs
    assert n > 150
    assert service_level(n, 120, 75, 60) >= 0.9 > service_level(n - 1, 120, 75, 60)


def test_service_level_formula_and_edges():
    n, rate, busy, t = 4, 2.0, 75.0, 60.0
    a = rate * busy / 60
    c = erlang_c(n, a)
    assert service_level(n, rate, busy, t) == pytest.approx(1 - c * math.exp(-(n - a) * t / busy))
    assert service_level(2, 3.0, 60, 10) == 0.0  # n <= a: unstable
    assert service_level(0, 0.0, 60, 10) == 1.0  # nothing to serve
    assert wait_probability(1, 0.0, 60) == 0.0
    assert mean_wait_minutes(1, 2.0, 60) == math.inf
    assert occupancy(4, 2.0, 75) == pytest.approx(0.625)
    sl = service_level(np.array([3, 4, 5]), 2.0, 75, 60)
    assert np.all(np.diff(sl) > 0)


@pytest.mark.parametrize("rate", [0.2, 1.0, 2.7, 10.0, 55.0])
@pytest.mark.parametrize("share", [0.8, 0.9, 0.99])
def test_teams_needed_is_minimal(rate, share):
    n = teams_needed(rate, 75, 60, share)
    assert n > rate * 75 / 60
    assert service_level(n, rate, 75, 60) >= share
    if n - 1 > rate * 75 / 60:
        assert service_level(n - 1, rate, 75, 60) < share
    assert teams_needed_array(np.array([rate, rate, 0.0]), 75, 60, share).tolist() == [n, n, 0]


def test_teams_needed_max_occupancy():
    n_free = teams_needed(10.0, 60, 60, 0.5)
    n = teams_needed(10.0, 60, 60, 0.5, max_occupancy=0.5)
    assert n >= 20 and n >= n_free
    assert teams_needed(10.0, 60, 60, 0.5, max_occupancy=0.5, patience_minutes=30) >= 20


def test_rate_zero_and_unservable():
    assert teams_needed(0.0, 75, 60, 0.9) == 0
    with pytest.raises(InputError, match="at most 10 teams"):
        teams_needed(100.0, 75, 60, 0.9, max_teams=10)
    assert teams_needed(100.0, 75, 60, 0.9, max_teams=10, on_unservable="flag") is None
    assert teams_needed_array(np.array([100.0, 1.0]), 75, 60, 0.9, max_teams=10)[0] == -1
    with pytest.raises(InputError, match="at most 10 teams"):
        teams_needed(100.0, 75, 60, 0.9, max_teams=10, patience_minutes=20)


@pytest.mark.parametrize("kwargs, match", [
    ({"busy_minutes": 0}, "busy minutes"),
    ({"busy_minutes": -3}, "busy minutes"),
    ({"target_share": 1.0}, "target share"),
    ({"target_share": 0.0}, "target share"),
    ({"rate_per_hour": -1.0}, "arrival rate"),
    ({"rate_per_hour": float("nan")}, "arrival rate"),
])
def test_bad_inputs(kwargs, match):
    args = {"rate_per_hour": 2.0, "busy_minutes": 75, "target_minutes": 60, "target_share": 0.9}
    args.update(kwargs)
    with pytest.raises(InputError, match=match):
        teams_needed(**args)


# ------------------------------------------------------------------------------- Erlang A


@pytest.mark.parametrize("n, rate, busy, patience", [(1, 0.5, 75, 30), (3, 2.0, 75, 60), (4, 4.0, 60, 20),
                                                     (2, 5.0, 75, 45), (25, 20.0, 60, 10)])
def test_erlang_a_matches_ctmc(n, rate, busy, patience):
    lam, mu, theta = rate / 60, 1 / busy, 1 / patience
    pi = ctmc_stationary(lam, mu, n, theta, K=n + 2000)
    k = np.arange(len(pi))
    r = erlang_a(n, rate, busy, patience, target_minutes=30)
    assert r.wait_probability == pytest.approx(pi[n:].sum(), abs=1e-9)
    queue = (np.maximum(k - n, 0) * pi).sum()
    assert r.abandonment == pytest.approx(theta * queue / lam, abs=1e-9)
    assert r.occupancy == pytest.approx((np.minimum(k, n) * pi).sum() / n, abs=1e-9)
    # flow balance: served + abandoned = arrivals
    assert r.occupancy * n * mu + r.abandonment * lam == pytest.approx(lam, rel=1e-9)
    assert 0 <= r.service_level <= 1 - r.abandonment + 1e-12


def test_erlang_a_service_level_by_monte_carlo_of_the_phase_chain():
    # Tagged caller: with m calls queued ahead, wait to service = sum of exponentials with rates
    # n mu + m theta, ..., n mu; served within t iff that wait <= t and before its own patience.
    n, rate, busy, patience, t = 3, 3.0, 75.0, 40.0, 30.0
    lam, mu, theta = rate / 60, 1 / busy, 1 / patience
    r = erlang_a(n, rate, busy, patience, t)
    pi = ctmc_stationary(lam, mu, n, theta, K=n + 300)
    rng = np.random.default_rng(5)
    N = 400_000
    k = rng.choice(len(pi), size=N, p=pi / pi.sum())
    m = np.maximum(k - n, 0)
    wait = np.zeros(N)
    for j in range(m.max() + 1):
        active = (k >= n) & (m >= j)
        rates = n * mu + (m - j) * theta
        wait[active] += rng.exponential(1 / rates[active])
    pat = rng.exponential(patience, N)
    served_within = ((k < n) | ((wait <= t) & (wait < pat))).mean()
    assert r.service_level == pytest.approx(served_within, abs=3e-3)


def test_erlang_a_tends_to_erlang_c_with_endless_patience():
    for n, rate in [(4, 2.0), (10, 6.0)]:
        r = erlang_a(n, rate, 75, 1e9, 60)
        assert r.service_level == pytest.approx(service_level(n, rate, 75, 60), abs=1e-6)
        assert r.wait_probability == pytest.approx(wait_probability(n, rate, 75), abs=1e-6)


def test_erlang_a_teams_needed_minimal_and_stable_below_load():
    n = teams_needed(10.0, 75, 60, 0.9, patience_minutes=30)
    assert erlang_a(n, 10.0, 75, 30, 60).service_level >= 0.9 > erlang_a(n - 1, 10.0, 75, 30, 60).service_level
    # Erlang A is defined even with fewer teams than the load (callers give up)
    r = erlang_a(2, 10.0, 75, 30, 60)
    assert 0 < r.abandonment < 1 and r.occupancy <= 1


def test_erlang_summary_keys():
    out = erlang_summary(2.0, 75, 60, 0.9, shrinkage=0.1)
    assert set(out) == {"teams", "service_level", "wait_probability", "occupancy", "staff_with_shrinkage"}
    assert out["teams"] == 4 and out["staff_with_shrinkage"] == 5
    assert out["service_level"] >= 0.9
    out_a = erlang_summary(2.0, 75, 60, 0.9, patience_minutes=30)
    assert out_a["teams"] <= out["teams"]
    with pytest.raises(InputError):
        erlang_summary(2.0, 75, 60, 0.9, shrinkage=1.0)
