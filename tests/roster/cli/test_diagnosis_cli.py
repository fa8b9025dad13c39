"""roster plan on an infeasible 15-staff city: exit 3 and a diagnosis naming the cause with its numbers."""

from typer.testing import CliRunner

from roster.cli import app
from small_city import write_small_city

FIFTEEN = ([(f"T0{i}", "clinician", "North" if i < 3 else "South", "South" if i < 3 else "North") for i in range(1, 4)]
           + [(f"T0{i}", "clinician", "North" if i % 2 else "South", "") for i in range(4, 7)]
           + [(f"T{i:02d}", "peer_supporter", "North" if i % 2 else "South", "") for i in range(7, 16)])


def test_fifteen_staff_city_diagnosis_names_the_supervisor_rule(tmp_path):
    cfg = write_small_city(tmp_path / "city", staff=FIFTEEN, supervisors=("T01", "T02", "T03"), min_supervisors=1)
    out = tmp_path / "out"
    res = CliRunner().invoke(app, ["plan", "--config", str(cfg), "--out", str(out), "--quiet", "--week", "2026-11-02"])
    assert res.exit_code == 3, res.output
    diag = (out / "diagnosis.txt").read_text()
    assert diag.splitlines()[1].startswith("- citywide_supervisor and max_hours_per_week:")
    assert "needs 168 hours of supervisor cover" in diag and "can work at most 144 hours (3 × 48 h" in diag
    assert "24 hours short" in diag and "T01, T02, T03" in diag
    assert not (out / "roster.csv").exists()
