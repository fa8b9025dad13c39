"""Keyed pseudonyms for staff in files shared outside HR.

A pseudonym is ``Person`` plus the first 12 hex digits of HMAC-SHA256(key, staff_id):
the same person gets the same pseudonym in every plan and export made with the same
key, and without the key nobody can tell which staff id (and so which name) is behind
it, even with the staff list in hand.  The key is the city's secret, read from the
environment variable or file that ``[privacy]`` in roster.toml names.  Without a key the
tool refuses to pseudonymise rather than fall back to an unkeyed hash, which anyone
with the staff ids could recompute.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re

import pandas as pd

from roster.errors import InputError

MIN_KEY_BYTES = 16
_HOW = ("set privacy.pseudonym_key_env (the name of an environment variable holding the key) or "
        "privacy.pseudonym_key_file (a file holding it) in roster.toml; the key is at least "
        f"{MIN_KEY_BYTES} characters, e.g. from `python -c \"import secrets; print(secrets.token_hex(32))\"`. "
        "Without a key, names are not replaced by an unkeyed hash, which anyone with the staff ids could reverse")


def pseudonym_key(cfg) -> bytes:
    """The city's pseudonym key from ``[privacy]``; :class:`InputError` if none is configured or it is unusable."""
    privacy = cfg.privacy
    if privacy.pseudonym_key_env is not None:
        value = os.environ.get(privacy.pseudonym_key_env, "")
        where = f"environment variable {privacy.pseudonym_key_env} (privacy.pseudonym_key_env)"
        if not value.strip():
            raise InputError(f"--pseudonymise needs the pseudonym key, but {where} is not set or empty; {_HOW}.")
    elif privacy.pseudonym_key_file is not None:
        path = privacy.pseudonym_key_file
        where = f"key file {path} (privacy.pseudonym_key_file)"
        try:
            value = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"--pseudonymise needs the pseudonym key, but {where} could not be read "
                             f"({type(exc).__name__}); {_HOW}.") from None
    else:
        raise InputError(f"--pseudonymise needs the city's pseudonym key, and roster.toml names none; {_HOW}.")
    key = value.strip().encode("utf-8")
    if len(key) < MIN_KEY_BYTES:
        raise InputError(f"The pseudonym key in {where} has {len(key)} characters; use at least {MIN_KEY_BYTES}.")
    return key


def pseudonym(staff_id: str, key: bytes) -> str:
    return "Person " + hmac.new(key, str(staff_id).encode("utf-8"), hashlib.sha256).hexdigest()[:12]


def pseudonyms(ids: pd.Series, key: bytes) -> pd.Series:
    """Stable keyed pseudonyms ('Person 3f9a1c0b2d4e') for staff ids, so a shared file carries no names."""
    return ids.map(lambda s: pseudonym(s, key))


def shareable_table(frame: pd.DataFrame, key: bytes, *, drop: tuple[str, ...] = ("cost",)) -> pd.DataFrame:
    """``frame`` for sharing: a ``name`` column of keyed pseudonyms in place of ``staff_id`` (and of any real
    name), without the columns ``drop`` (what a person's shifts cost tells their pay).  Rows whose staff_id is
    ``TOTAL`` keep it as their name.  A table without ``staff_id`` is returned as it is."""
    if "staff_id" not in frame.columns:
        return frame
    ids = frame["staff_id"].astype(str)
    name = ids.where(ids == "TOTAL", pseudonyms(ids, key))
    at = list(frame.columns).index("staff_id")
    out = frame.drop(columns=[c for c in ("staff_id", "name", *drop) if c in frame.columns])
    out.insert(min(at, len(out.columns)), "name", name.to_numpy())
    return out


def _id_pattern(staff_ids) -> re.Pattern | None:
    ids = sorted({str(s) for s in staff_ids if str(s)}, key=len, reverse=True)
    if not ids:
        return None
    return re.compile(r"(?<![\w:.\-])(" + "|".join(map(re.escape, ids)) + r")(?![\w:.\-])")


def _replace_ids(value, pattern: re.Pattern, key: bytes):
    if isinstance(value, str):
        return pattern.sub(lambda m: pseudonym(m.group(1), key), value)
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if k == "staff_id":
                out["name"] = pseudonym(v, key)
            else:
                out[k] = _replace_ids(v, pattern, key)
        return out
    if isinstance(value, list):
        return [_replace_ids(v, pattern, key) for v in value]
    return value


def shareable_files(files: dict[str, object], staff_ids, key: bytes) -> dict[str, object]:
    """A set of output files (name → DataFrame, dict, str or bytes) with no staff id in them: tables through
    :func:`shareable_table`, and every staff id in text cells, JSON values and text replaced by its pseudonym.

    Pseudonymised files are for sharing; the tool does not read them back (they have no ``staff_id``).
    """
    pattern = _id_pattern(staff_ids)
    out: dict[str, object] = {}
    for name, content in files.items():
        if isinstance(content, pd.DataFrame):
            content = shareable_table(content, key)
            if pattern is not None:
                content = content.copy()
                for col in content.columns:
                    if content[col].dtype == object or pd.api.types.is_string_dtype(content[col]):
                        content[col] = content[col].map(lambda v: _replace_ids(v, pattern, key))
        elif isinstance(content, (dict, str)) and pattern is not None:
            content = _replace_ids(content, pattern, key)
        out[name] = content
    return out
