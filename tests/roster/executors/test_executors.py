"""One executor interface: serial, local processes and a Dask LocalCluster give the same results in input order."""

from __future__ import annotations

import operator

import pytest
from typer.testing import CliRunner

from roster.cli import app
from roster.errors import InputError
from roster.executors import DaskExecutor, ProcessExecutor, SerialExecutor, make_executor
from scenario_city import write_city

SCENARIOS = """
- name: wage_rise_4pct
  set: {roles.clinician.hourly_rate: "+4%"}
- name: demand_up_20pct
  demand: [{factor: 1.2}]
- name: surge
  demand: [{district: North, from: "saturday 18:00", to: "sunday 06:00", factor: 3}]
- name: more_peers
  staff: {add: [{count: 3, role: peer_supporter, district: North}]}
"""


@pytest.fixture(scope="module")
def cluster():
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(host="127.0.0.1", n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as c:
        yield c


def test_make_executor():
    assert isinstance(make_executor(1), SerialExecutor)
    assert isinstance(make_executor(2), ProcessExecutor)
    assert isinstance(make_executor(2, "tcp://127.0.0.1:8786"), DaskExecutor)
    with pytest.raises(InputError, match="--jobs 0"):
        make_executor(0)
    with pytest.raises(InputError, match="tcp://HOST:8786"):
        make_executor(1, "localhost")


def test_results_come_back_in_input_order_and_every_task_reports(cluster):
    items = list(range(12))
    for ex in (SerialExecutor(), ProcessExecutor(2), DaskExecutor(cluster.scheduler_address)):
        seen = []
        out = ex.map(operator.neg, items, on_done=lambda i, r: seen.append((i, r)))
        assert out == [-i for i in items], ex.name
        assert sorted(seen) == [(i, -i) for i in items], ex.name


def test_no_scheduler_at_the_address_is_bad_input():
    with pytest.raises(InputError, match="no Dask scheduler answered"):
        DaskExecutor("tcp://127.0.0.1:1").map(operator.neg, [1])


def test_serial_processes_and_dask_give_identical_outputs(tmp_path, cluster):
    city = write_city(tmp_path / "city")
    f = tmp_path / "s.yaml"
    f.write_text(SCENARIOS)
    runner = CliRunner()
    runs = {"serial": [], "jobs": ["--jobs", "2"], "dask": ["--scheduler", cluster.scheduler_address]}
    files = {}
    for name, extra in runs.items():
        res = runner.invoke(app, ["scenarios", str(f), "--config", str(city), "--out", str(tmp_path / name), "--quiet", *extra])
        assert res.exit_code == 0, res.output
        files[name] = {p: (tmp_path / name / p).read_bytes()
                       for p in ("scenarios.csv", "scenario_districts.csv", "headcount.csv", "surge/roster.csv")}
    assert files["serial"]["scenarios.csv"].count(b"\n") == 6
    assert files["jobs"] == files["serial"]
    assert files["dask"] == files["serial"]
