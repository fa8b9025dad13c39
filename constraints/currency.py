"""Money as the city counts it: the ``city.currency`` code of roster.toml, and amounts printed in it.

It lives in ``constraints`` so that the rules' own words (pin change reasons) use it as the
commands do; ``roster.currency`` is the same module seen from ``roster``."""

from __future__ import annotations

import re

# Symbols where one is unambiguous for the currencies most cities here use; any other code is written out.
_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "INR": "₹"}


def check_currency(code: str) -> str:
    """``code`` if it is an ISO 4217 code (three capital letters), else a ValueError saying what to write."""
    if not re.fullmatch(r"[A-Z]{3}", code):
        raise ValueError(f"'{code}' is not a currency code; write the three-letter ISO 4217 code, e.g. 'USD', 'EUR', 'GBP'")
    return code


def prefix(currency: str = "USD") -> str:
    """What stands before an amount in ``currency``: its symbol, or the code and a space (``CHF ``)."""
    symbol = _SYMBOLS.get(currency)
    return symbol if symbol else f"{currency} "


def money(amount: float, currency: str = "USD", decimals: int = 2, *, signed: bool = False) -> str:
    """``amount`` with thousands separators in ``currency``: ``$1,234.50``, ``€1,234.50``, ``CHF 1,234.50``;
    ``signed``: a change, with its sign always shown (``+€240.00``, ``-CHF 12.00``)."""
    sign = "-" if amount < 0 else ("+" if signed else "")
    text = f"{abs(amount):,.{decimals}f}"
    symbol = _SYMBOLS.get(currency)
    return f"{sign}{symbol}{text}" if symbol else f"{sign}{currency} {text}"
