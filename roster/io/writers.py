"""Writing output files atomically.

Every file is written to a temporary file in the same folder and renamed into
place, so a failed or interrupted run never leaves a half-written file.  A
whole set of outputs is written only after every one of them is ready.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import pandas as pd


def _write_atomic(path: Path, write) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            write(fh)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def write_text(path: Path, text: str) -> None:
    _write_atomic(path, lambda fh: fh.write(text))


def write_csv(path: Path, frame: pd.DataFrame, *, float_format: str | None = None) -> None:
    _write_atomic(path, lambda fh: frame.to_csv(fh, index=False, lineterminator="\n", float_format=float_format))


def write_json(path: Path, data: dict) -> None:
    _write_atomic(path, lambda fh: fh.write(json.dumps(data, indent=2, sort_keys=False, default=str) + "\n"))


def write_outputs(out_dir: Path, files: dict[str, object]) -> list[Path]:
    """Write a set of outputs (name → DataFrame, dict or str); returns the paths written."""
    out_dir = Path(out_dir)
    written = []
    for name, content in files.items():
        path = out_dir / name
        if isinstance(content, pd.DataFrame):
            write_csv(path, content)
        elif isinstance(content, dict):
            write_json(path, content)
        else:
            write_text(path, str(content))
        written.append(path)
    return written


def iso(series: pd.Series) -> pd.Series:
    """Timestamps as ISO 8601 local time with UTC offset."""
    return series.map(lambda ts: ts.isoformat())
