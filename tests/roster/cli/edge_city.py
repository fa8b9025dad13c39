"""For the input-edge tests: small cities on disk, a published roster of them, and the checks every refusal must pass."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pandas as pd

from cities import ROOT

# a roster row of the example city in the week of 2026-11-02 (after the autumn change: UTC-5)
PIN_HEADER = "staff_id,name,role,district,date,shift,start,end,paid_hours,overtime_hours,cost"
PIN_ROW = "S001,x,clinician,Harbor,2026-11-02,early,2026-11-02T07:00:00-05:00,2026-11-02T15:00:00-05:00,8,0,480"
PREVIOUS_ROW = "S001,x,clinician,Harbor,2026-10-26,early,2026-10-26T07:00:00-04:00,2026-10-26T15:00:00-04:00,8,0,480"


def short_city(folder: Path) -> Path:
    """The example city with its first 2,000 calls (five weeks): every input check runs, reading stays quick."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "roster.toml", folder / "roster.toml")
    metro = folder / "examples" / "metro"
    metro.mkdir(parents=True)
    for name in ("staff.csv", "time_off.csv", "requests.csv"):
        shutil.copy(ROOT / "examples" / "metro" / name, metro / name)
    lines = (ROOT / "examples" / "metro" / "calls.csv").read_text().splitlines()[:2001]
    (metro / "calls.csv").write_text("\n".join(lines) + "\n")
    (folder / "pin.csv").write_text(f"{PIN_HEADER}\n{PIN_ROW}\n")
    (folder / "previous.csv").write_text(f"{PIN_HEADER}\n{PREVIOUS_ROW}\n")
    (folder / "shift_req.csv").write_text("date,shift,district,role,required\n2026-11-02,early,Downtown,clinician,1\n")
    return folder / "roster.toml"


def tiny_city(folder: Path, *, people: int = 12, supervisors: int = 6) -> Path:
    """One district (Downtown), ``people`` staff alternating clinician/peer supporter, the first ``supervisors``
    clinicians flagged supervisor; five weeks of Downtown's calls.  Plans in seconds with a short time limit."""
    folder.mkdir(parents=True, exist_ok=True)
    toml = (ROOT / "roster.toml").read_text()
    toml = re.sub(r"\[districts\.Downtown\].*?(?=\n\[roles)", "[districts.Downtown]\nneighbours = []\n", toml, flags=re.S)
    toml = re.sub(r'(calls|staff|time_off|requests) = "examples/metro/', r'\1 = "', toml)
    (folder / "roster.toml").write_text(toml)
    calls = pd.read_csv(ROOT / "examples/metro/calls.csv", dtype=str)
    calls[calls["district"] == "Downtown"].iloc[:3000].to_csv(folder / "calls.csv", index=False)
    rows = []
    for i in range(people):
        role = "clinician" if i % 2 == 0 else "peer_supporter"
        rows.append({"staff_id": f"TP{i:02d}", "name": f"Tiny Person {i}", "role": role,
                     "supervisor": str(role == "clinician" and i // 2 < supervisors).lower(), "contract_hours": 40,
                     "hourly_rate": "", "home_district": "Downtown", "float_districts": "", "languages": "en",
                     "works_nights": "true"})
    pd.DataFrame(rows).to_csv(folder / "staff.csv", index=False)
    (folder / "time_off.csv").write_text("staff_id,start,end\n")
    (folder / "requests.csv").write_text("staff_id,date,shift,kind,weight\n")
    return folder / "roster.toml"


def snapshot(folder: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file() and "out" not in p.relative_to(folder).parts}


def assert_refused(result, out: Path, *needles: str, before: dict | None = None, folder: Path | None = None) -> None:
    """Exit 2, every needle in the message (case-insensitive), no traceback, nothing in ``out``, inputs untouched."""
    text = result.output
    assert result.exit_code == 2, text
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in text and "Unexpected error" not in text, text
    for n in needles:
        assert n.lower() in text.lower(), (n, text)
    assert not out.exists() or not any(out.iterdir()), list(out.iterdir())
    if before is not None:
        assert snapshot(folder) == before
