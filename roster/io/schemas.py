"""The columns of every file the tool reads or writes, in order (docs/architecture.md explains each).

Inputs are read by :mod:`roster.io.readers` (staff columns: ``constraints.problem.STAFF_COLUMNS``
plus the optional per-person rule columns); outputs are written by the pipeline and the
CLI through :mod:`roster.io.writers`.  A file's schema is changed here and nowhere else.
"""

from __future__ import annotations

# inputs
SHIFT_REQUIREMENT_COLUMNS = ["date", "shift", "district", "role", "required"]
ROSTER_INPUT_COLUMNS = ["staff_id", "district", "date", "shift"]  # the least a roster to check or pin must have

# outputs of `roster plan`: every file its set may hold (a good run removes those of an earlier run it did not write)
PLAN_OUTPUTS = ("roster.csv", "coverage.csv", "forecast.csv", "requirements.csv", "summary.json", "simulation.csv",
                "explain.csv", "penalties.csv", "changes.csv", "diagnosis.txt", "report.html", "shortfalls.csv")
ROSTER_COLUMNS = ["staff_id", "name", "role", "district", "date", "shift", "start", "end", "paid_hours",
                  "overtime_hours", "cost"]  # plus `seat` when rules.cross_cover is on
COVERAGE_COLUMNS = ["district", "hour_start", "role", "required", "scheduled", "shortfall"]
FORECAST_COLUMNS = ["district", "hour_start", "mean", "p10", "p50", "p90"]  # one pNN per configured quantile
REQUIREMENT_COLUMNS = ["district", "hour_start", "role", "required", "teams", "arrival_rate", "expected_service_level"]
SIMULATION_COLUMNS = ["district", "calls", "share_within_target", "share_ci_low", "share_ci_high",
                      "mean_minutes_to_contact", "p90_minutes_to_contact", "utilisation", "calls_waiting_over_target"]
EXPLAIN_COLUMNS = ["staff_id", "role", "home_district", "contract_hours", "shifts", "hours", "overtime_hours",
                   "nights", "weekend_shifts", "hours_away_from_home", "districts", "soft_rules_broken"]
PENALTY_COLUMNS = ["rule", "label", "penalty", "places", "where"]
CHANGES_COLUMNS = ["staff_id", "date", "shift", "district", "change", "reason"]
