"""The self-contained HTML report of a plan: forecast against coverage, the roster as a timeline,
shortfalls, cost and service, and scenario results, built from a plan's output tables.

``build_report`` is pure (frames in, HTML text out); ``read`` loads the tables from a folder.
"""

from roster.report.build import build_report
from roster.report.frames import PlanFrames, ScenarioFrames

__all__ = ["PlanFrames", "ScenarioFrames", "build_report"]
