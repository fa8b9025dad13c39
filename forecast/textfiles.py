"""The one check every text input passes before it is parsed: is it UTF-8 text?

roster.toml and every CSV the tool reads go through :func:`check_utf8` (or :func:`read_utf8`),
so a file saved in another encoding, or not a text file at all, gets one clear
:class:`~forecast.errors.InputError` naming the file and what it seems to be (UTF-16, Latin-1 /
Windows-1252, an Excel workbook under a .csv name, binary data) instead of a decoding
traceback.  A UTF-8 byte-order mark (Excel's "CSV UTF-8") is accepted and dropped.
This module lives in the bottom layer so the call-history reader uses it too.
"""

from __future__ import annotations

import codecs
import gzip
from pathlib import Path

from forecast.errors import InputError

ENCODING = "utf-8-sig"  # what a checked file is then read with: UTF-8, with or without a BOM
_CHUNK = 1 << 20
_SAVE_AS = ("Save it as UTF-8 text: in Excel, File > Save As > 'CSV UTF-8 (Comma delimited)'; "
            "in a text editor, choose the encoding UTF-8.")

# leading bytes of formats that are not text, and what to call them
_MAGIC = (
    (b"PK\x03\x04", "a zip archive, such as an Excel .xlsx workbook"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an Excel 97-2003 .xls workbook (or another Office file)"),
    (b"%PDF", "a PDF document"),
    (b"PAR1", "a Parquet file"),
    (b"\x1f\x8b", "a gzip-compressed file"),
)
_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32 text (with a byte-order mark)"),
    (codecs.BOM_UTF32_BE, "UTF-32 text (with a byte-order mark)"),
    (codecs.BOM_UTF16_LE, "UTF-16 text (with a byte-order mark; Excel's 'Unicode Text')"),
    (codecs.BOM_UTF16_BE, "UTF-16 text (with a byte-order mark)"),
)


def _utf16_without_bom(head: bytes) -> bool:
    """Mostly-ASCII UTF-16 has a zero in every other byte."""
    if len(head) < 4:
        return False
    even, odd = head[0::2], head[1::2]
    zeros = max(even.count(0) / len(even), odd.count(0) / max(len(odd), 1))
    return zeros > 0.3


def _binary(head: bytes) -> bool:
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13))
    return b"\x00" in head or controls > 0.1 * max(len(head), 1)


def what_it_seems(data: bytes, bad_at: int | None = None, *, lines_before: int = 0) -> str:
    """A short description of bytes that are not UTF-8 text (``bad_at``: the first byte that is not UTF-8)."""
    head = data[:4096]
    for magic, what in _MAGIC + _BOMS:
        if head.startswith(magic):
            return what
    if _utf16_without_bom(head):
        return "UTF-16 text without a byte-order mark"
    if _binary(head):
        return "binary data, not a text file"
    where = ""
    if bad_at is not None:
        line = lines_before + data[:bad_at].count(b"\n") + 1
        sample = data[bad_at:bad_at + 1].decode("cp1252", errors="replace")
        where = f"; the first such byte, 0x{data[bad_at]:02x} ('{sample}' in Windows-1252), is on line {line}"
    return f"Latin-1 / Windows-1252 text (a legacy encoding, not UTF-8){where}"


def _describe(path: Path, what: str, seems: str) -> InputError:
    return InputError(f"{what} {path} is not UTF-8 text: it seems to be {seems}. {_SAVE_AS}")


def _open_bytes(path: Path):
    return gzip.open(path, "rb") if path.name.lower().endswith(".gz") else open(path, "rb")


def check_utf8(path: Path | str, what: str) -> None:
    """Raise :class:`InputError` naming ``path`` and what it seems to be unless it is UTF-8 text.

    The file is read in chunks, so a long call history costs no extra memory.  ``what``
    names the file for the message, e.g. ``"Staff file"``.
    """
    path = Path(path)
    decoder = codecs.getincrementaldecoder("utf-8")()
    lines = 0
    try:
        with _open_bytes(path) as fh:
            first = True
            while chunk := fh.read(_CHUNK):
                if first and (b"\x00" in chunk[:4096] or any(chunk.startswith(m) for m, _ in _MAGIC + _BOMS)):
                    raise _describe(path, what, what_it_seems(chunk))
                first = False
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError as exc:
                    raise _describe(path, what, what_it_seems(chunk, exc.start, lines_before=lines)) from None
                lines += chunk.count(b"\n")
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise _describe(path, what, "text cut off in the middle of a character") from None
    except (OSError, EOFError) as exc:
        raise InputError(f"{what} {path} could not be read ({type(exc).__name__}: {exc}); "
                         "check the file and its permissions.") from None


def read_utf8(path: Path | str, what: str) -> str:
    """The text of a UTF-8 file (a leading BOM dropped), or :class:`InputError` saying what the file seems to be."""
    check_utf8(path, what)
    with _open_bytes(Path(path)) as fh:
        return fh.read().decode(ENCODING)


def check_row_lengths(path: Path | str, what: str, frame) -> None:
    """Raise :class:`InputError` naming the first row with more cells than the header, when ``frame`` (as
    pandas read the file) shows there is one: pandas then silently takes the first column as an index and
    shifts every other column one to the left (staff_id read as name, name as role, ...)."""
    import csv
    import io

    import pandas as pd

    if isinstance(frame.index, pd.RangeIndex):
        return
    path = Path(path)
    with _open_bytes(path) as fh:
        reader = csv.reader(io.TextIOWrapper(fh, encoding=ENCODING, newline=""))
        header = next(reader, [])
        for number, row in enumerate(reader, start=2):
            if len(row) > len(header):
                raise InputError(f"{what} {path}, row {number}: {len(row)} cells but the header has {len(header)} "
                                 f"columns ({', '.join(header)}); remove the extra cells or quote a value that "
                                 "contains a comma.")
    raise InputError(f"{what} {path}: some rows have more cells than the header; check the commas in the file.")
