"""Loading and validating ``roster.toml``.

The whole file is validated on load so that a typo fails at once, with the key
named, rather than half-way through a solve.  Paths are resolved relative to the
folder that holds the file, so a copied example folder works anywhere.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, field_validator, model_validator

from constraints import default_rules
from constraints.registry import parse_rule_settings
from forecast.models import available_models
from forecast.textfiles import read_utf8
from roster.errors import InputError


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)  # inf/nan: named as not finite


class City(_Strict):
    name: str
    timezone: str
    holidays_country: str | None = None
    holidays_subdivision: str | None = None
    currency: str = "USD"  # ISO 4217 code; every printed amount is in it

    @field_validator("currency")
    @classmethod
    def _currency(cls, value: str) -> str:
        from roster.currency import check_currency

        return check_currency(value)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"'{value}' is not an IANA time zone name; use one such as 'America/New_York' "
                "or 'Europe/Berlin'"
            ) from None
        if value not in available_timezones() and value != "UTC":
            raise ValueError(f"'{value}' is not an IANA time zone name; use one such as 'America/New_York'")
        return value


class Data(_Strict):
    calls: Path
    staff: Path
    time_off: Path | None = None
    requests: Path | None = None
    shift_requirements: Path | None = None
    sick: Path | None = None  # sick calls recorded by `roster sick` (default: sick.csv beside time_off)


class District(_Strict):
    neighbours: list[str] = Field(default_factory=list)
    busy_minutes: float | None = Field(default=None, gt=0)


class Role(_Strict):
    label: str = ""
    clinical: bool
    hourly_rate: float = Field(ge=0)
    overtime_multiplier: float = Field(default=1.5, ge=1)
    fills: str | None = None

    def seat(self, name: str) -> str:
        """The requirement role this role's staff count towards."""
        return self.fills or name


class ShiftTemplate(_Strict):
    start: str
    hours: float = Field(gt=0, le=24)
    night: bool = False

    @field_validator("start")
    @classmethod
    def _clock(cls, value: str) -> str:
        if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", value):
            raise ValueError(f"'{value}' is not a local clock time; write it as HH:MM, e.g. '07:00'")
        return value

    @property
    def start_time(self) -> dt.time:
        h, m = self.start.split(":")
        return dt.time(int(h), int(m))


class Labour(_Strict):
    """Labour limits; a limit left out is not enforced."""

    max_hours_per_week: float | None = Field(default=None, gt=0)
    min_rest_hours: float | None = Field(default=None, ge=0)
    max_consecutive_days: int | None = Field(default=None, ge=1)
    min_days_off_per_week: int | None = Field(default=None, ge=0, le=7)


class Supervision(_Strict):
    max_non_clinical_per_clinician: float = Field(gt=0)
    min_supervisors_citywide: int = Field(default=1, ge=0)


class Service(_Strict):
    target_minutes: float = Field(gt=0)
    target_share: float = Field(gt=0, lt=1)
    busy_minutes: float = Field(gt=0)
    shrinkage: float = Field(default=0.0, ge=0, lt=1)
    shrinkage_rounding: Literal["nearest", "up"] = "nearest"
    min_teams_per_district: int = Field(default=1, ge=0)
    staffing_basis: str = "mean"
    team: dict[str, float]

    @field_validator("staffing_basis")
    @classmethod
    def _basis(cls, value: str) -> str:
        if value != "mean" and not re.fullmatch(r"p\d{1,2}", value):
            raise ValueError(f"'{value}' is not 'mean' or a quantile column such as 'p90'")
        return value


class Forecast(_Strict):
    model: str = "poisson_glm"
    quantiles: list[float] = Field(default_factory=lambda: [0.1, 0.5, 0.9])
    # weeks after the first week the history can plan beyond which a plan warns (at most 52 plan)
    warn_after_weeks: int = Field(default=8, ge=0, le=52)

    @field_validator("model")
    @classmethod
    def _known_model(cls, value: str) -> str:
        if value != "auto" and value not in available_models():
            raise ValueError(f"'{value}' is not a forecast model; use 'auto' or one of {available_models()}")
        return value

    @field_validator("quantiles")
    @classmethod
    def _levels(cls, value: list[float]) -> list[float]:
        for q in value:
            if not 0 < q < 1:
                raise ValueError(f"quantile {q} is not between 0 and 1")
        return sorted(set(value))


class Solver(_Strict):
    name: Literal["highs", "cbc"] = "highs"
    time_limit_seconds: float = Field(default=120, gt=0)
    relative_gap: float = Field(default=0.005, ge=0)
    threads: int = Field(default=2, ge=1)
    seed: int = 7
    # "auto": chosen by the model's size (roster/solve/strategy.py).  "mip": one solve of the whole model.  "lns": fix-and-optimise search
    # (roster/solve/lns/) for lns_share of the time, then the whole model from the
    # best roster found; for rosters too large for HiGHS to find good rosters whole.  "chain": a
    # period's weeks one after another as its start (roster/solve/model.py).  "rens": the LP
    # relaxation, then the MIP over what it leaves open (roster/solve/rens.py).
    strategy: Literal["auto", "mip", "lns", "chain", "rens"] = "auto"
    lns_share: float = Field(default=0.9, ge=0, le=1)

    @model_validator(mode="after")
    def _lns_needs_highs(self):
        if self.strategy == "lns" and self.name != "highs":
            raise ValueError('strategy = "lns" drives HiGHS directly; set name = "highs" or strategy = "mip"')
        return self


MAX_WEEKS = 8


class Planning(_Strict):
    # Weeks in one roster period (``roster plan --weeks`` overrides it).
    weeks: int = 1

    @field_validator("weeks")
    @classmethod
    def _weeks_in_range(cls, value: int) -> int:
        if not 1 <= value <= MAX_WEEKS:
            raise ValueError(f"a roster period is 1 to {MAX_WEEKS} weeks; give a whole number in that range, e.g. weeks = 4")
        return value


def period_weeks(cfg: "Config", weeks: int | None) -> int:
    """The weeks of one roster period: ``weeks`` (``--weeks``) when given, else ``[planning] weeks``."""
    if weeks is None:
        return cfg.planning.weeks
    if isinstance(weeks, bool) or not isinstance(weeks, int) or not 1 <= weeks <= MAX_WEEKS:
        raise InputError(f"--weeks {weeks}: a roster period is 1 to {MAX_WEEKS} weeks; give a whole number in that "
                         "range (e.g. --weeks 4), or leave it out to use [planning] weeks of roster.toml.")
    return weeks


class Objective(_Strict):
    shortfall_penalty_per_hour: float = Field(default=400.0, gt=0)


WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]


class NightDifferential(_Strict):
    """Extra pay per hour worked between ``start`` and ``end`` on the local clock."""

    start: str = "22:00"
    end: str = "06:00"
    per_hour: float = Field(gt=0)

    _clock = field_validator("start", "end")(ShiftTemplate._clock.__func__)


class WeekendDifferential(_Strict):
    """Extra pay per hour worked on the named local days (from 00:00 to 24:00)."""

    days: list[Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]] = \
        Field(default_factory=lambda: ["saturday", "sunday"], min_length=1)
    per_hour: float = Field(gt=0)


class PayCodes(_Strict):
    """The pay-code names written in the payroll export, as the payroll system knows them."""

    regular: str = Field(default="REG", min_length=1)
    overtime: str = Field(default="OT", min_length=1)
    double_time: str = Field(default="DT", min_length=1)
    night: str = Field(default="NIGHT", min_length=1)
    weekend: str = Field(default="WEEKEND", min_length=1)
    leave: str = Field(default="LEAVE", min_length=1)


class Pay(_Strict):
    """Payroll rules: overtime rule, workweek, pay period, differentials, paid leave, pay codes."""

    overtime: Literal["contract", "weekly_40", "daily_8_12", "8_and_80"] = "contract"
    workweek_start_day: Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"] = "monday"
    workweek_start_hour: int = Field(default=0, ge=0, le=23)
    period_days: Literal[7, 14] = 7
    double_time_multiplier: float = Field(default=2.0, ge=1)
    paid_leave_hours_per_day: float | None = Field(default=None, gt=0, le=24)
    night: NightDifferential | None = None
    weekend: WeekendDifferential | None = None
    codes: PayCodes = PayCodes()

    @model_validator(mode="after")
    def _eighty_needs_two_weeks(self):
        if self.overtime == "8_and_80" and self.period_days != 14:
            raise ValueError('overtime = "8_and_80" counts 80 hours over 14 days; set period_days = 14')
        return self


class Privacy(_Strict):
    """Where the key for keyed pseudonyms (HMAC-SHA256) comes from: an environment variable or a file."""

    pseudonym_key_env: str | None = Field(default=None, min_length=1)
    pseudonym_key_file: Path | None = None


class Budget(_Strict):
    """Budget figures: how a week's cost is annualised (roster scenarios, roster frontier)."""

    weeks_per_year: float = Field(default=52.0, gt=0, le=53)


class Config(_Strict):
    city: City
    data: Data | None = None
    districts: dict[str, District]
    roles: dict[str, Role]
    shifts: dict[str, ShiftTemplate]
    labour: Labour = Labour()
    supervision: Supervision | None = None
    service: Service | None = None
    forecast: Forecast = Forecast()
    solver: Solver = Solver()
    planning: Planning = Planning()
    objective: Objective = Objective()
    pay: Pay | None = None
    privacy: Privacy = Privacy()
    budget: Budget = Budget()
    # Optional rules, [rules.NAME] tables validated by constraints.registry.
    rules: dict[str, object] = Field(default_factory=dict)
    # Where the file was read from; paths in [data] are already resolved against it.
    source: Path | None = None
    # (the ``rules`` table it was parsed from, its validated settings): see rule_settings().
    _rule_settings: tuple | None = PrivateAttr(default=None)

    @property
    def timezone(self) -> str:
        return self.city.timezone

    @property
    def district_names(self) -> list[str]:
        return list(self.districts)

    @property
    def seat_roles(self) -> list[str]:
        """Requirement roles: the team composition's, else every role's seat."""
        if self.service is not None:
            return [r for r, n in self.service.team.items() if n > 0]
        return list(dict.fromkeys(role.seat(name) for name, role in self.roles.items()))

    def rule_settings(self) -> dict:
        """The validated optional-rule settings ({name: [params, ...]}), parsed once per ``rules`` table."""
        cached = self._rule_settings
        if cached is None or cached[0] is not self.rules:
            cached = (self.rules, parse_rule_settings(self.rules, "roster.toml")[0])
            self._rule_settings = cached
        return cached[1]

    def require(self, section: str, command: str) -> None:
        if getattr(self, section) is None:
            raise InputError(f"roster.toml has no [{section}] section, which {command} needs; see docs/configuration.md.")

    def clinical_roles(self) -> list[str]:
        return [name for name, role in self.roles.items() if role.clinical]


def _dotted(loc: tuple) -> str:
    return ".".join(str(part) for part in loc)


def _cross_check(cfg: Config, where: str) -> list[str]:
    problems = []
    districts = set(cfg.districts)
    if not districts:
        problems.append(f"{where}: [districts] is empty; list at least one district as [districts.NAME].")
    for name, district in cfg.districts.items():
        for n in district.neighbours:
            if n not in districts:
                problems.append(
                    f"{where}: districts.{name}.neighbours names '{n}', which is not a district; "
                    f"known districts are {sorted(districts)}."
                )
    roles = set(cfg.roles)
    for name, role in cfg.roles.items():
        if role.fills is not None and role.fills not in roles:
            problems.append(
                f"{where}: roles.{name}.fills names '{role.fills}', which is not a role; known roles are {sorted(roles)}."
            )
    team = cfg.service.team if cfg.service is not None else {}
    for r in team:
        if r not in roles:
            problems.append(
                f"{where}: service.team names role '{r}', which is not defined; known roles are {sorted(roles)}."
            )
        elif team[r] < 0:
            problems.append(f"{where}: service.team.{r} is negative; give a headcount of 0 or more per team.")
    if cfg.supervision is not None and not any(cfg.roles[r].clinical for r in cfg.roles):
        problems.append(f"{where}: no role has clinical = true; supervision needs at least one clinical role.")
    if not cfg.shifts:
        problems.append(f"{where}: [shifts] is empty; define at least one shift template as [shifts.NAME].")
    if cfg.service is not None and (not team or not any(v > 0 for v in team.values())):
        problems.append(f"{where}: service.team gives no headcount; e.g. clinician = 1, peer_supporter = 1.")
    settings, rule_problems = parse_rule_settings(cfg.rules, where)
    problems += rule_problems
    if not problems:  # every rule's references to districts, shifts, roles and seats
        cfg._rule_settings = (cfg.rules, settings)
        problems += [f"{where}: {p}" for rule in default_rules(cfg) for p in rule.validate(cfg)]
    return problems


def parse_config(raw: dict, *, where: str = "roster.toml", base: Path | None = None) -> Config:
    """Validate a config dict (as read from TOML); raise :class:`InputError` listing every problem."""
    try:
        cfg = Config.model_validate(raw)
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            key = _dotted(err["loc"]) or "(top level)"
            kind = err["type"]
            if kind == "extra_forbidden":
                lines.append(f"  - {key}: unknown key; check its spelling (see docs/configuration.md).")
            elif kind == "missing":
                lines.append(f"  - {key}: required value is missing.")
            elif kind == "finite_number":
                lines.append(f"  - {key}: {err.get('input')!r} is not a finite number; give an ordinary number (inf and nan are not allowed).")
            else:
                msg = err["msg"].removeprefix("Value error, ")
                lines.append(f"  - {key}: {msg} (got {err.get('input')!r}).")
        raise InputError(f"{where} has {len(lines)} problem(s):\n" + "\n".join(lines)) from None
    problems = _cross_check(cfg, where)
    if problems:
        raise InputError("\n".join(problems))
    if base is not None and cfg.data is not None:
        data = cfg.data.model_copy(
            update={
                "calls": (base / cfg.data.calls).resolve(),
                "staff": (base / cfg.data.staff).resolve(),
                "time_off": (base / cfg.data.time_off).resolve() if cfg.data.time_off else None,
                "requests": (base / cfg.data.requests).resolve() if cfg.data.requests else None,
                "shift_requirements": (base / cfg.data.shift_requirements).resolve() if cfg.data.shift_requirements else None,
                "sick": (base / cfg.data.sick).resolve() if cfg.data.sick else None,
            }
        )
        cfg = cfg.model_copy(update={"data": data, "source": base})
    if base is not None and cfg.privacy.pseudonym_key_file is not None:
        key_file = (base / cfg.privacy.pseudonym_key_file).resolve()
        cfg = cfg.model_copy(update={"privacy": cfg.privacy.model_copy(update={"pseudonym_key_file": key_file}), "source": base})
    return cfg


def load_config(path: Path) -> Config:
    """Read and validate ``roster.toml``; paths in it become absolute, relative to its folder."""
    path = Path(path)
    if path.is_dir():
        raise InputError(f"Config file {path} is a folder, not a file; pass --config PATH/roster.toml.")
    if not path.is_file():
        raise InputError(
            f"Config file {path} was not found. Pass --config PATH to a roster.toml "
            "(the example city's is at the project root)."
        )
    try:
        raw = tomllib.loads(read_utf8(path, "Config file"))
    except tomllib.TOMLDecodeError as exc:
        from roster.io.starter import bare_key_hint

        hint = bare_key_hint(path.read_text(encoding="utf-8"), str(exc))
        raise InputError(f"{path} is not valid TOML: {exc}. Fix the line it names.{hint}") from None
    return parse_config(raw, where=str(path), base=path.resolve().parent)
