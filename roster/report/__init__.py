"""The self-contained HTML report of a plan (home of issue "A report people look at"):
charts of forecast vs coverage, the roster timeline, shortfalls, cost and service, built
from a plan's outputs.  Nothing lives here yet."""
