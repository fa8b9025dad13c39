"""Money as the city counts it: the ``city.currency`` code of roster.toml, and amounts printed in it.

It lives in ``constraints`` so that the rules' own words (pin change reasons) use it as the
commands do; ``roster.currency`` is the same module seen from ``roster``."""

from __future__ import annotations

import re

# Symbols where one is unambiguous for the currencies most cities here use; any other code is written out.
_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "INR": "₹"}


# ISO 4217 codes of the currencies in circulation (the standard's list, without its funds, precious
# metals and test codes): the ones a city can pay its staff in.
ISO_4217 = frozenset("""
AED AFN ALL AMD AOA ARS AUD AWG AZN BAM BBD BDT BHD BIF BMD BND BOB BRL BSD BTN BWP BYN BZD CAD CDF CHF
CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD
HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL
LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP
PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT
TND TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VED VES VND VUV WST XAF XCD XCG XOF XPF YER ZAR ZMW ZWG
""".split())


def check_currency(code: str) -> str:
    """``code`` if it is the ISO 4217 code of a currency in circulation, else a ValueError saying what to write."""
    if code in ISO_4217:
        return code
    if code.upper() in ISO_4217:
        raise ValueError(f"'{code}' is not a currency code as ISO 4217 writes it; write it in capitals: '{code.upper()}'")
    if not re.fullmatch(r"[A-Z]{3}", code):
        raise ValueError(f"'{code}' is not a currency code; write the three-letter ISO 4217 code, e.g. 'USD', 'EUR', 'GBP'")
    raise ValueError(f"'{code}' is not an ISO 4217 currency code; write the code of the currency staff are paid in, "
                     "e.g. 'USD', 'EUR', 'GBP', 'CHF'")


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
