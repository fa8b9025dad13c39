"""Outputs as a set: no stale file after a good run, the old set intact after a failed one, the diagnosis
written whole, files readable by the group (the umask's mode), and pseudonymised files without staff ids or
per-shift cost.  Plans a one-district city with a short time limit."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from edge_city import tiny_city
from roster.cli import app
from roster.io.schemas import PLAN_OUTPUTS
from roster.io.writers import write_csv, write_set, write_text

runner = CliRunner()
KEY = "0123456789abcdef0123456789abcdef"


def plan(config: Path, out: Path, *extra: str):
    return runner.invoke(app, ["plan", "--config", str(config), "--out", str(out), "--quiet", "--time-limit", "2", *extra])


def files_of(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}


@pytest.fixture
def umask_002():
    old = os.umask(0o002)
    yield 0o002
    os.umask(old)


def mode(p: Path) -> int:
    return stat.S_IMODE(p.stat().st_mode)


def test_good_run_removes_stale_files_and_failed_runs_keep_the_old_set(tmp_path, umask_002):
    config = tiny_city(tmp_path / "city")
    out = tmp_path / "out"
    out.mkdir()
    (out / "diagnosis.txt").write_text("an earlier run's diagnosis\n")
    (out / "changes.csv").write_text("an earlier re-plan's changes\n")
    (out / "notes.txt").write_text("the user's own file\n")

    good = plan(config, out)
    assert good.exit_code == 0, good.output
    names = set(files_of(out))
    assert {"roster.csv", "summary.json", "coverage.csv"} <= names
    assert "diagnosis.txt" not in names and "changes.csv" not in names  # not of this run: removed
    assert "notes.txt" in names  # not a plan's file: left alone
    assert names - {"notes.txt"} <= set(PLAN_OUTPUTS)  # every file a plan writes is one a later run may replace
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # no temporary folder left behind
    for name in names - {"notes.txt"}:
        assert mode(out / name) == 0o664, name  # 0666 less the umask 002: the group can read and write
    kept = files_of(out)

    (tmp_path / "city" / "staff.csv").write_text((tmp_path / "city" / "staff.csv").read_text().replace(",40,", ",forty,", 1))
    bad_input = plan(config, out)
    assert bad_input.exit_code == 2 and "forty" in bad_input.output
    assert files_of(out) == kept
    (tmp_path / "city" / "staff.csv").write_text((tmp_path / "city" / "staff.csv").read_text().replace(",forty,", ",40,", 1))

    config.write_text(config.read_text().replace("min_supervisors_citywide = 1", "min_supervisors_citywide = 9"))
    infeasible = plan(config, out)
    assert infeasible.exit_code == 3, infeasible.output
    after = files_of(out)
    assert after.pop("diagnosis.txt").decode().startswith("No roster meets")
    assert after == kept  # the last good roster's files are untouched
    assert mode(out / "diagnosis.txt") == 0o664


def test_infeasible_first_run_writes_only_the_diagnosis(tmp_path):
    config = tiny_city(tmp_path / "city", supervisors=1)
    out = tmp_path / "new" / "out"
    result = plan(config, out)
    assert result.exit_code == 3, result.output
    assert sorted(p.name for p in out.iterdir()) == ["diagnosis.txt"]
    assert "citywide_supervisor" in (out / "diagnosis.txt").read_text()


def test_replan_refuses_to_overwrite_the_pinned_roster_in_its_folder(tmp_path):
    config = tiny_city(tmp_path / "city")
    out = tmp_path / "published"
    assert plan(config, out).exit_code == 0
    published = files_of(out)
    result = plan(config, out, "--pin", str(out / "roster.csv"))
    assert result.exit_code == 2 and "would overwrite the input" in result.output
    assert files_of(out) == published
    replan = plan(config, tmp_path / "replan", "--pin", str(out / "roster.csv"))
    assert replan.exit_code == 0, replan.output
    assert (tmp_path / "replan" / "changes.csv").is_file() and files_of(out) == published


@pytest.mark.parametrize("umask", [0o022, 0o002, 0o077])
def test_single_files_and_sets_get_the_umask_mode(tmp_path, umask):
    old = os.umask(umask)
    try:
        write_text(tmp_path / "a.txt", "x\n")
        write_csv(tmp_path / "b.csv", pd.DataFrame({"x": [1]}))
        write_set(tmp_path / "set", {"c.csv": pd.DataFrame({"x": [1]}), "d.json": {"a": 1}, "sub/e.ics": b"x"})
    finally:
        os.umask(old)
    for p in (tmp_path / "a.txt", tmp_path / "b.csv", tmp_path / "set" / "c.csv", tmp_path / "set" / "d.json",
              tmp_path / "set" / "sub" / "e.ics"):
        assert mode(p) == 0o666 & ~umask, p


def test_write_set_failure_leaves_the_old_set(tmp_path):
    out = tmp_path / "out"
    write_set(out, {"roster.csv": "old\n", "summary.json": {"v": 1}})

    class Boom:
        def __str__(self):
            raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        write_set(out, {"roster.csv": "new\n", "summary.json": Boom()}, replaces=PLAN_OUTPUTS)
    assert (out / "roster.csv").read_text() == "old\n" and json.loads((out / "summary.json").read_text()) == {"v": 1}
    assert sorted(p.name for p in out.iterdir()) == ["roster.csv", "summary.json"]


def test_pseudonymised_plan_has_no_staff_id_and_no_per_shift_cost(tmp_path, monkeypatch):
    config = tiny_city(tmp_path / "city")
    config.write_text(config.read_text() + '\n[privacy]\npseudonym_key_env = "S36B_TEST_KEY"\n')
    monkeypatch.setenv("S36B_TEST_KEY", KEY)
    out = tmp_path / "shared"
    result = plan(config, out, "--pseudonymise")
    assert result.exit_code == 0, result.output
    roster = pd.read_csv(out / "roster.csv", dtype=str)
    assert "staff_id" not in roster.columns and "cost" not in roster.columns
    assert roster["name"].str.fullmatch(r"Person [0-9a-f]{12}").all()
    explain = pd.read_csv(out / "explain.csv", dtype=str)
    assert "staff_id" not in explain.columns and explain["name"].str.startswith("Person ").all()
    ids = pd.read_csv(tmp_path / "city" / "staff.csv", dtype=str)
    blob = b"".join(p.read_bytes() for p in out.iterdir())
    assert not any(sid.encode() in blob for sid in ids["staff_id"])  # TP00 ... TP11 nowhere, not even in penalties.csv
    assert not any(n.encode() in blob for n in ids["name"])
    summary = json.loads((out / "summary.json").read_text())
    assert summary["total_cost"] > 0  # the week's total stays; what one shift costs does not
    # a pseudonymised roster is for sharing: reading it back is refused with the reason
    back = runner.invoke(app, ["check", str(out / "roster.csv"), "--config", str(config)])
    assert back.exit_code == 2 and "pseudonymised" in back.output


def test_shareable_files_replace_ids_in_text_json_and_tables():
    from roster.io.pseudonyms import pseudonym, shareable_files

    key = KEY.encode()
    files = {
        "roster.csv": pd.DataFrame({"staff_id": ["17", "S2"], "name": ["Ann", "Bo"], "shift": ["early", "late"],
                                    "start": ["2026-11-02T17:00:00-05:00"] * 2, "cost": [1.0, 2.0]}),
        "penalties.csv": pd.DataFrame({"rule": ["guaranteed_hours"], "where": ["17; S2; and 12 more"]}),
        "summary.json": {"pins": {"released": [{"staff_id": "S2", "reason": "S2 is on leave"}]}, "total_cost": 3.0},
        "coverage.csv": pd.DataFrame({"district": ["A"], "required": [1]}),
    }
    out = shareable_files(files, ["17", "S2"], key)
    r = out["roster.csv"]
    assert list(r.columns) == ["name", "shift", "start"]
    assert list(r["name"]) == [pseudonym("17", key), pseudonym("S2", key)]
    assert list(r["start"]) == ["2026-11-02T17:00:00-05:00"] * 2  # a time that contains an id's digits is not an id
    assert out["penalties.csv"]["where"][0] == f"{pseudonym('17', key)}; {pseudonym('S2', key)}; and 12 more"
    released = out["summary.json"]["pins"]["released"][0]
    assert released == {"name": pseudonym("S2", key), "reason": f"{pseudonym('S2', key)} is on leave"}
    assert out["coverage.csv"].equals(files["coverage.csv"])
