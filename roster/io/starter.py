"""A starter city for ``roster init``: roster.toml, staff, leave and request templates and a README.

Pure: :func:`starter_files` returns ``{file name: text}``; the CLI writes them.  The staff rows
are illustrative (enough people for one team in every district around the clock, with
supervisors for every hour), so the city plans as soon as a call history is added; the
README says to replace them with the service's own people.
"""

from __future__ import annotations

import csv
import io
import math
import re

# TOML bare keys are ASCII letters, digits, '-' and '_'; any other name (Süd, "East End") is quoted.
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
# Enough people for one clinician and one peer supporter on duty every hour of a week in a
# district (168 h ÷ 40 contract hours = 4.2) with room for leave and a second team at busy hours,
# and supervisors for every hour city-wide.
PER_ROLE_AND_DISTRICT = 7
SUPERVISORS_CITYWIDE = 6


def toml_string(value: str) -> str:
    """``value`` as a TOML basic string (quotes, backslashes and control characters escaped)."""
    out = []
    for ch in value:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def toml_key(name: str) -> str:
    """A table key as TOML needs it: bare when ASCII letters, digits, '-' or '_', else quoted."""
    return name if _BARE_KEY.fullmatch(name) else toml_string(name)


def bare_key_hint(text: str, message: str) -> str:
    """A hint when a TOML error is a table key that needs quotes (``[districts.Süd]``), else ''."""
    m = re.search(r"line (\d+)", message)
    lines = text.splitlines()
    if not m or not 0 < int(m.group(1)) <= len(lines):
        return ""
    line = lines[int(m.group(1)) - 1].strip()
    head = re.fullmatch(r"\[+\s*([^\]]*?)\s*\]+.*", line)
    if not head or all(_BARE_KEY.fullmatch(part.strip()) for part in head.group(1).split(".")):
        return ""
    parts = [p.strip() for p in head.group(1).split(".")]
    fixed = ".".join(p if _BARE_KEY.fullmatch(p) or p.startswith('"') else toml_string(p) for p in parts)
    return (f" A name that is not plain ASCII letters, digits, '-' or '_' must be quoted: write [{fixed}] "
            "(see docs/configuration.md, 'Names as keys').")


def check_district_names(names: list[str]) -> list[str]:
    """The district names, or a ValueError saying which one cannot be used and why."""
    if not names:
        raise ValueError("give at least one district, e.g. --districts North --districts South")
    seen = set()
    for n in names:
        if not n or n != n.strip():
            raise ValueError(f"district name '{n}' is empty or starts or ends with a space")
        if any(ch in n for ch in ";,") or any(ord(ch) < 0x20 for ch in n):
            raise ValueError(f"district name '{n}' contains ';', ',' or a control character, which the CSV files "
                             "use as separators")
        if n in seen:
            raise ValueError(f"district '{n}' is given twice")
        seen.add(n)
    return names


def _csv(rows: list[list]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    return buf.getvalue()


def staff_rows(districts: list[str]) -> list[list]:
    """Illustrative staff: per district seven clinicians and seven peer supporters; the first clinicians supervise."""
    header = ["staff_id", "name", "role", "supervisor", "contract_hours", "hourly_rate", "home_district",
              "float_districts", "languages", "works_nights"]
    sup_per_district = max(1, math.ceil(SUPERVISORS_CITYWIDE / len(districts)))
    rows, n = [header], 0
    for d_i, d in enumerate(districts):
        neighbour = districts[(d_i + 1) % len(districts)] if len(districts) > 1 else ""
        for role, label in (("clinician", "Clinician"), ("peer_supporter", "Peer supporter")):
            for k in range(PER_ROLE_AND_DISTRICT):
                n += 1
                supervisor = role == "clinician" and k < sup_per_district
                floats = neighbour if k == 0 else ""  # one person per role may work next door
                rows.append([f"S{n:03d}", f"Example {label} {n}", role, str(supervisor).lower(), 40, "", d,
                             floats, "en", "true"])
    return rows


def _config(name: str, timezone: str, currency: str, districts: list[str], holidays_country: str | None) -> str:
    def district_table(d: str) -> str:
        others = ", ".join(toml_string(o) for o in districts if o != d)
        return f"[districts.{toml_key(d)}]\nneighbours = [{others}]"

    holidays = (f"holidays_country = {toml_string(holidays_country)}   # public holidays (`holidays` package code)"
                if holidays_country else
                '# holidays_country = "US"            # public holidays from the `holidays` package, e.g. "DE"\n'
                '# holidays_subdivision = "NY"        # optional region, e.g. "BY"')
    return _CONFIG.format(
        name=toml_string(name), timezone=toml_string(timezone), currency=toml_string(currency), holidays=holidays,
        districts="\n".join(district_table(d) for d in districts),
    )


_CONFIG = """\
# crisis-roster configuration: one file per city.  Every key is documented in
# docs/configuration.md; docs/your-city.md walks from this starter to a first roster.
# Paths are relative to this file's folder.

[city]
name = {name}
timezone = {timezone}      # IANA name; all planning is on this wall clock
currency = {currency}                  # ISO 4217 code; costs are printed in it
{holidays}

[data]
calls = "calls.csv"          # call history (add it): timestamp,district[,call_type]
staff = "staff.csv"          # one row per person (replace the example rows)
time_off = "time_off.csv"    # approved leave: staff_id,start,end
requests = "requests.csv"    # wishes: staff_id,date,shift,kind (on/off),weight

# One table per district.  A name that is not plain ASCII letters, digits, '-' or '_'
# must be quoted: [districts."Süd"], [districts."East End"].
# neighbours: districts that may lend a team (mutual aid in `roster simulate`).
{districts}

# Roles.  Clinical roles supervise; non-clinical staff need a clinician on duty in their district.
[roles.clinician]
label = "Licensed clinician"
clinical = true
hourly_rate = 52.0                   # default when staff.csv leaves hourly_rate empty
overtime_multiplier = 1.5            # pay for hours above a person's contract hours

[roles.peer_supporter]
label = "Peer supporter"
clinical = false
hourly_rate = 31.0
overtime_multiplier = 1.5

# Shift templates: local start time and length in wall-clock hours (night = true: only
# staff with works_nights = true get it).  These three cover the clock.
[shifts.early]
start = "07:00"
hours = 8
[shifts.late]
start = "15:00"
hours = 8
[shifts.night]
start = "23:00"
hours = 8
night = true

# Labour limits; a limit left out is not enforced.
[labour]
max_hours_per_week = 48
min_rest_hours = 11
max_consecutive_days = 6
min_days_off_per_week = 2

[supervision]
max_non_clinical_per_clinician = 3   # in each district, every hour
min_supervisors_citywide = 1         # supervisor-flagged clinicians on duty every hour

# The service promise, turned into staff per hour by Erlang C (docs/service_levels.md).
[service]
target_minutes = 60                  # a team on the way within this many minutes ...
target_share = 0.90                  # ... for this share of calls
busy_minutes = 75                    # minutes a team is busy per call (travel + contact)
shrinkage = 0.10                     # breaks, training, sickness
min_teams_per_district = 1           # never fewer teams on duty in a district
staffing_basis = "mean"              # or a forecast quantile such as "p90"

[service.team]                       # headcount per role in one team
clinician = 1
peer_supporter = 1

[forecast]
model = "poisson_glm"                # the default; "auto" picks one by a backtest on your history
quantiles = [0.1, 0.5, 0.9]
warn_after_weeks = 8                 # warn when a week is planned this far past the history (52 at most)

[solver]
time_limit_seconds = 60              # the best roster found by then is returned
relative_gap = 0.005
threads = 2
seed = 7                             # same inputs and seed, same roster

[objective]
shortfall_penalty_per_hour = 400.0   # cost of one uncovered staff-hour, in the city's currency

# Optional rules are switched on by a table [rules.NAME] (docs/configuration.md), e.g.
# [rules.guaranteed_hours]
# share = 0.8
"""


def _readme(name: str, districts: list[str]) -> str:
    example = districts[0]
    return f"""# {name}: a crisis-roster city

Created by `roster init`.  What to do next (docs/your-city.md in crisis-roster explains each step):

1. **Add the call history** as `calls.csv` here: one row per call, columns `timestamp`
   (ISO 8601, with UTC offset or local time in `city.timezone`), `district` (one of
   {", ".join(districts)}) and optionally `call_type`.  At least two weeks; eight weeks or more
   give the forecast each weekday's own shape, 26 weeks a trend, a year the holidays' own effect.
2. **Replace the example people** in `staff.csv` with your staff (required columns: `staff_id`,
   `name`, `role`, `contract_hours`, `home_district`; optional: `supervisor`, `hourly_rate`,
   `float_districts`, `languages`, `works_nights`).  The example rows give seven clinicians and seven
   peer supporters per district: one team around the clock and a second at busy hours.
3. **Approved leave** goes in `time_off.csv` (`staff_id,start,end`: dates are whole days,
   inclusive), wishes in `requests.csv` (`staff_id,date,shift,kind,weight`, `kind` on/off).
   The example rows show the format; delete them.
4. **Adjust `roster.toml`**: districts (names that are not plain ASCII letters, digits, `-`
   or `_` are quoted, e.g. `[districts."Süd"]`), roles and pay, shifts, labour limits and the
   service promise.
5. **Check everything** without solving:

       roster validate --config roster.toml

   It names any file, row or key that is wrong, and shows the hours of cover your staff can give
   against the hours the service needs, per role.
6. **Plan the week after the history**:

       roster plan --config roster.toml --out out

   (`--week YYYY-MM-DD` for another Monday, up to 52 weeks ahead).  The roster is in
   `out/roster.csv`; `roster check out/roster.csv --config roster.toml` checks a hand-edited one.

`{example}` and the other names above are yours to change; keep the same name in roster.toml
and in the CSV files.
"""


def starter_files(name: str, timezone: str, districts: list[str], *, currency: str = "USD",
                  holidays_country: str | None = None) -> dict[str, str]:
    """``{file name: text}`` of a starter city (roster.toml, staff.csv, time_off.csv, requests.csv, README.md)."""
    districts = check_district_names(list(districts))
    staff = staff_rows(districts)
    # the example leave and request name a peer supporter (never a supervisor) on fixed dates
    peer = next(r[0] for r in staff[1:] if r[2] == "peer_supporter")
    return {
        "roster.toml": _config(name, timezone, currency, districts, holidays_country),
        "staff.csv": _csv(staff),
        "time_off.csv": _csv([["staff_id", "start", "end"], [peer, "2027-01-04", "2027-01-06"]]),
        "requests.csv": _csv([["staff_id", "date", "shift", "kind", "weight"], [peer, "2027-01-08", "night", "off", 30]]),
        "README.md": _readme(name, districts),
    }
