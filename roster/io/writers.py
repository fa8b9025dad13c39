"""Writing output files as a set, atomically, with every spreadsheet cell made safe.

A set of outputs is first written whole into a temporary folder beside the target
folder (same file system), then each file is renamed into place, so a failed or
interrupted run leaves no half-written file and no mix of old and new files.  Every CSV
goes through :func:`roster.exports.cells.neutralise_frame` (formula injection).
"""

from __future__ import annotations

import fnmatch
import json
import os
import shutil
import tempfile
from pathlib import Path

import pandas as pd

from roster.exports.cells import neutralise_frame


def _umask() -> int:
    """The process's umask, read without changing it where the system allows (Linux), else set and restored."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _write_atomic(path: Path, write, *, binary: bool = False) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, 0o666 & ~_umask())  # like any file the user creates, not mkstemp's 0600
        with (os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding="utf-8", newline="")) as fh:
            write(fh)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def write_text(path: Path, text: str) -> None:
    _write_atomic(path, lambda fh: fh.write(text))


def write_bytes(path: Path, data: bytes) -> None:
    _write_atomic(path, lambda fh: fh.write(data), binary=True)


def csv_text(frame: pd.DataFrame, *, float_format: str | None = None, bom: bool = False) -> str:
    """``frame`` as CSV text with every risky text cell neutralised; ``bom`` prepends the UTF-8 BOM Excel looks for."""
    text = neutralise_frame(frame).to_csv(index=False, lineterminator="\n", float_format=float_format)
    return ("\ufeff" if bom else "") + text


def write_csv(path: Path, frame: pd.DataFrame, *, float_format: str | None = None) -> None:
    write_text(path, csv_text(frame, float_format=float_format))


def write_json(path: Path, data: dict) -> None:
    write_text(path, json_text(data))


def json_text(data: dict) -> str:
    return json.dumps(data, indent=2, sort_keys=False, default=str) + "\n"


def _serialise(content: object) -> bytes:
    if isinstance(content, pd.DataFrame):
        return csv_text(content).encode("utf-8")
    if isinstance(content, dict):
        return json_text(content).encode("utf-8")
    if isinstance(content, bytes):
        return content
    return str(content).encode("utf-8")


def write_set(out_dir: Path, files: dict[str, object], *, replaces: tuple[str, ...] = ()) -> list[Path]:
    """Write ``files`` (name → DataFrame, dict, bytes or str) into ``out_dir`` as one set.

    Everything is written into a hidden temporary folder inside ``out_dir`` first (so only
    ``out_dir`` need be writable); only when all of it is written are the files renamed into
    place, each with the mode the umask gives any new file.  Files already in ``out_dir``
    whose names match a pattern of ``replaces`` and are not in the new set are removed,
    so a re-export leaves nothing stale (e.g. the calendar of someone no longer rostered).
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".writing.", suffix=".tmp", dir=out_dir))
    try:
        for name, content in files.items():
            (tmp / name).parent.mkdir(parents=True, exist_ok=True)
            (tmp / name).write_bytes(_serialise(content))
        stale = [p for p in out_dir.iterdir() if p.is_file() and p.name not in files
                 and any(fnmatch.fnmatch(p.name, pat) for pat in replaces)]
        written = []
        for name in files:
            (out_dir / name).parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp / name, out_dir / name)
            written.append(out_dir / name)
        for p in stale:
            p.unlink()
        return written
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def write_outputs(out_dir: Path, files: dict[str, object]) -> list[Path]:
    """Write a set of outputs (name → DataFrame, dict or str); returns the paths written."""
    return write_set(out_dir, files)


def iso(series: pd.Series) -> pd.Series:
    """Timestamps as ISO 8601 local time with UTC offset."""
    return series.map(lambda ts: ts.isoformat())
