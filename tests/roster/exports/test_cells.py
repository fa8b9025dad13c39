"""Formula injection: risky text cells get a leading apostrophe in every CSV the tool writes; numbers stay numbers."""

from __future__ import annotations

import pandas as pd
import pytest

from roster.exports.cells import neutralise, neutralise_frame
from roster.io.writers import write_outputs, write_set

RISKY = ['=HYPERLINK("http://x","y")', "+1+1", "@SUM(1)", "-2+3", "\tx", "\rx", "\0x"]


@pytest.mark.parametrize("cell", RISKY)
def test_risky_text_gets_an_apostrophe(cell):
    assert neutralise(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["Ann", "", "-2.5", "+3", "1e-3", "2026-11-02T07:00:00-05:00"])
def test_plain_text_and_numbers_written_as_text_stay(cell):
    assert neutralise(cell) == cell


def test_numeric_columns_stay_numeric_and_negative():
    frame = pd.DataFrame({"name": RISKY, "hours": [-2.5] * len(RISKY), "n": range(len(RISKY))})
    out = neutralise_frame(frame)
    assert out["hours"].dtype == float and (out["hours"] == -2.5).all() and out["n"].dtype.kind == "i"
    assert out["name"].str.startswith("'").all()
    assert frame["name"].tolist() == RISKY  # the input frame is not changed


def test_every_csv_of_a_set_is_neutralised_and_numbers_read_back_as_numbers(tmp_path):
    frame = pd.DataFrame({"staff_id": ["S1", "S2", "S3", "S4"], "name": RISKY[:4], "overtime_hours": [-1.0, 0.0, 2.5, 8.0]})
    write_outputs(tmp_path, {"roster.csv": frame, "explain.csv": frame.rename(columns={"name": "soft_rules_broken"})})
    for name in ("roster.csv", "explain.csv"):
        back = pd.read_csv(tmp_path / name, dtype={"overtime_hours": float}, keep_default_na=False)
        text_col = back.columns[1]
        assert back[text_col].tolist() == ["'" + c for c in RISKY[:4]]
        assert back["overtime_hours"].tolist() == [-1.0, 0.0, 2.5, 8.0]
        assert "-1.0" in (tmp_path / name).read_text()  # written as a bare number, no apostrophe


def test_a_set_replaces_stale_files_it_owns_and_leaves_others(tmp_path):
    (tmp_path / "old.ics").write_text("stale")
    (tmp_path / "roster.csv").write_text("input")
    write_set(tmp_path, {"a.ics": "new"}, replaces=("*.ics",))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.ics", "roster.csv"]


def test_a_failed_set_leaves_the_folder_as_it_was(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "a.csv").write_text("old")

    class Unwritable:
        def __str__(self):
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        write_set(out, {"a.csv": "new", "b.csv": Unwritable()})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # no temporary folder left behind
    assert [p.name for p in out.iterdir()] == ["a.csv"] and (out / "a.csv").read_text() == "old"
