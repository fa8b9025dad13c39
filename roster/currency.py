"""Money as the city counts it: ``city.currency`` and amounts printed in it (``constraints.currency``,
which the rules use too)."""

from constraints.currency import check_currency, money, prefix

__all__ = ["check_currency", "money", "prefix"]
