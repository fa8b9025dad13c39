"""A one-district copy of the example city, written to a folder, for period plans that solve in seconds."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pandas as pd

from cities import ROOT

DISTRICT = "Hillcrest"


def _toml_value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return f'"{v}"'
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    return repr(v)


def _dump(raw: dict, prefix: str = "") -> list[str]:
    lines, tables = [], []
    for k, v in raw.items():
        if isinstance(v, dict):
            tables.append((k, v))
        else:
            lines.append(f"{k} = {_toml_value(v)}")
    out = ([f"[{prefix}]"] if prefix and (lines or not tables) else []) + lines
    for k, v in tables:
        out += _dump(v, f"{prefix}.{k}" if prefix else k)
    return out


def write_period_city(folder: Path, *, time_limit: float = 20, planning: dict | None = None,
                      rules: dict | None = None, labour: dict | None = None, solver: dict | None = None) -> Path:
    """roster.toml, calls.csv, staff.csv and time_off.csv of the example's smallest district in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    raw = tomllib.loads((ROOT / "roster.toml").read_text())
    raw["districts"] = {DISTRICT: {}}
    raw["data"] = {"calls": "calls.csv", "staff": "staff.csv", "time_off": "time_off.csv"}
    raw["solver"] = {**raw["solver"], "time_limit_seconds": time_limit, "relative_gap": 0.01, **(solver or {})}
    raw["rules"] = rules or {}
    if labour is not None:
        raw["labour"] = {**raw["labour"], **labour}
    if planning is not None:
        raw["planning"] = planning
    (folder / "roster.toml").write_text("\n".join(_dump(raw)) + "\n")
    calls = pd.read_csv(ROOT / "examples/metro/calls.csv", dtype=str)
    calls[calls["district"] == DISTRICT].to_csv(folder / "calls.csv", index=False)
    staff = pd.read_csv(ROOT / "examples/metro/staff.csv", dtype=str, keep_default_na=False)
    staff = staff[staff["home_district"] == DISTRICT].assign(float_districts="")
    staff.loc[staff["role"] == "clinician", "supervisor"] = "true"  # one district must supervise itself around the clock
    staff.to_csv(folder / "staff.csv", index=False)
    leave = pd.read_csv(ROOT / "examples/metro/time_off.csv", dtype=str, keep_default_na=False)
    leave[leave["staff_id"].isin(staff["staff_id"])].to_csv(folder / "time_off.csv", index=False)
    return folder / "roster.toml"
