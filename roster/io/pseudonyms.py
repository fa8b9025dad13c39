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
