"""Demand forecasting for crisis-roster: calls by local hour and district with calibrated count quantiles.

Public entry points (see docs/forecast.md)::

    from forecast.io import load_calls, load_hourly_counts
    from forecast.aggregate import hourly_counts
    from forecast.outages import mask_outages
    from forecast.models import get_model, forecast_hours, DEFAULT_MODEL
    from forecast.backtest import backtest, choose_model
    from forecast.events import Event
    from forecast.errors import ForecastInputError

Submodules are imported lazily by the caller; importing ``forecast`` itself is cheap.
"""
