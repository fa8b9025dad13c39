"""The start order of an executor's tasks changes when they run, never what they return."""

from __future__ import annotations

import pytest

from roster.executors.base import ProcessExecutor, SerialExecutor


def _square(x: int) -> int:
    return x * x


@pytest.mark.parametrize("executor", [SerialExecutor(), ProcessExecutor(2)], ids=["serial", "processes"])
def test_results_in_input_order_whatever_the_start_order(executor):
    seen = []
    out = executor.map(_square, [1, 2, 3, 4], order=[3, 1, 0, 2], on_done=lambda i, r: seen.append(i))
    assert out == [1, 4, 9, 16]
    assert sorted(seen) == [0, 1, 2, 3]


def test_serial_starts_in_the_given_order():
    seen = []
    SerialExecutor().map(_square, [1, 2, 3], order=[2, 0, 1], on_done=lambda i, r: seen.append(i))
    assert seen == [2, 0, 1]


def test_an_order_that_misses_an_index_is_refused():
    with pytest.raises(ValueError, match="every index"):
        SerialExecutor().map(_square, [1, 2, 3], order=[0, 1])


def test_capped_scenarios_start_first():
    from types import SimpleNamespace

    from roster.cli.scenarios import longest_first

    scs = [SimpleNamespace(set={}), SimpleNamespace(set={"rules.budget_cap.weekly": 1.0}), SimpleNamespace(set={})]
    assert longest_first(scs) == [1, 0, 2]
