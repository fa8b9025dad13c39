"""Forecast models behind one fit/predict interface, looked up by name.

    model = get_model("seasonal_naive_4w")
    model.fit(history)                        # long frame district, hour_start, calls
    fc = model.predict(hours, quantiles=(0.1, 0.5, 0.9))
    # long frame district, hour_start, mean, p10, p50, p90 (quantiles int64, >= 0)
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence

import pandas as pd

from forecast.models.base import DEFAULT_QUANTILES, CountForecast, ForecastModel, quantile_name

# name -> "module:Class" (imported lazily so Prophet is only loaded when asked for)
_REGISTRY: dict[str, str] = {
    "seasonal_naive": "forecast.models.naive:SeasonalNaive",
    "seasonal_naive_4w": "forecast.models.naive:SeasonalNaive4w",
    "historical_average": "forecast.models.naive:HistoricalAverage",
    "poisson_glm": "forecast.models.glm:PoissonGLM",
    "prophet": "forecast.models.prophet_model:ProphetModel",
    "mstl": "forecast.models.mstl:MSTLModel",
}

DEFAULT_MODEL = "poisson_glm"
BASELINES = ("seasonal_naive", "seasonal_naive_4w", "historical_average", "prophet")


def available_models() -> list[str]:
    return sorted(_REGISTRY)


def register_model(name: str, target: str | type) -> None:
    """Register a model class (or ``"module:Class"`` path) under ``name``."""
    _REGISTRY[name] = target


def get_model(name: str, **options) -> ForecastModel:
    """A new, unfitted model by registry name, with its options."""
    if name not in _REGISTRY:
        from forecast.errors import ForecastInputError

        raise ForecastInputError(
            f"Unknown forecast model {name!r}. Available models: {', '.join(available_models())}."
        )
    target = _REGISTRY[name]
    if isinstance(target, str):
        module, cls = target.split(":")
        target = getattr(importlib.import_module(module), cls)
    return target(**options)


def forecast_hours(history: pd.DataFrame, hours: pd.DatetimeIndex, model: str = DEFAULT_MODEL,
                   quantiles: Sequence[float] = DEFAULT_QUANTILES, **options) -> pd.DataFrame:
    """Fit ``model`` on ``history`` and forecast ``hours`` in one call."""
    return get_model(model, **options).fit(history).predict(hours, quantiles=quantiles)


__all__ = ["BASELINES", "DEFAULT_MODEL", "DEFAULT_QUANTILES", "CountForecast", "ForecastModel",
           "available_models", "forecast_hours", "get_model", "quantile_name", "register_model"]
