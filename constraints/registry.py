"""Optional rules, switched on and tuned from ``[rules.NAME]`` tables in roster.toml.

The core rules (coverage, supervision, labour limits, leave, eligibility, cost)
always run and read their own config sections.  Every other rule registers
here with a pydantic ``Params`` model, so roster.toml can enable it with its
own validated settings, and ``hard``/``weight`` where it can be either:

    [rules.max_consecutive_nights]
    max = 3

    [[rules.language_cover]]          # a list of tables: one rule per entry
    language = "es"
    min = 1

A rule class registers with :func:`register`; its constructor takes the
validated params.  Unknown rule names and bad params get one clear message
naming the key.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, ValidationError

OPTIONAL_RULES: dict[str, type] = {}

# Optional per-person columns of the staff file that rules read (a person's own
# limit overriding the config's), name -> short description for messages/docs.
# Rules add to it with :func:`staff_column`; the staff reader parses these as
# numbers (empty = use the rule's default).
STAFF_NUMBER_COLUMNS: dict[str, str] = {}


def staff_number_columns() -> dict[str, str]:
    """Every optional per-person column any rule reads, once all rule modules have registered."""
    _load_all()
    return STAFF_NUMBER_COLUMNS


def staff_column(name: str, description: str) -> str:
    """Declare an optional numeric per-person column of the staff file."""
    STAFF_NUMBER_COLUMNS[name] = description
    return name


class RuleParams(BaseModel):
    """Settings every optional rule accepts; subclasses add their own."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)
    enabled: bool = True


def register(cls):
    """Class decorator: make a rule available as ``[rules.<cls.name>]``."""
    if not hasattr(cls, "Params"):
        raise TypeError(f"rule {cls.__name__} needs a Params model")
    OPTIONAL_RULES[cls.name] = cls
    return cls


def _load_all() -> None:
    """Import the modules that define optional rules, so they have registered."""
    import importlib
    import pkgutil

    import constraints

    for mod in pkgutil.iter_modules(constraints.__path__):
        importlib.import_module(f"constraints.{mod.name}")


def parse_rule_settings(raw: dict, where: str) -> tuple[dict[str, list[BaseModel]], list[str]]:
    """Validate ``[rules]``; return ({name: [params, ...]}, problems)."""
    _load_all()
    out: dict[str, list[BaseModel]] = {}
    problems: list[str] = []
    for name, value in (raw or {}).items():
        cls = OPTIONAL_RULES.get(name)
        if cls is None:
            problems.append(f"{where}: rules.{name} is not a known rule; known rules are {sorted(OPTIONAL_RULES)}.")
            continue
        entries = value if isinstance(value, list) else [value]
        for i, entry in enumerate(entries):
            key = f"rules.{name}" + (f"[{i}]" if isinstance(value, list) else "")
            if not isinstance(entry, dict):
                problems.append(f"{where}: {key} must be a table of settings.")
                continue
            try:
                out.setdefault(name, []).append(cls.Params.model_validate(entry))
            except ValidationError as exc:
                for err in exc.errors():
                    sub = ".".join(str(p) for p in err["loc"])
                    if err["type"] == "extra_forbidden":
                        problems.append(f"{where}: {key}.{sub}: unknown setting for rule {name}.")
                    elif err["type"] == "missing":
                        problems.append(f"{where}: {key}.{sub}: required setting is missing.")
                    elif err["type"] == "finite_number":
                        problems.append(f"{where}: {key}.{sub}: {err.get('input')!r} is not a finite number; give a number.")
                    else:
                        msg = err["msg"].removeprefix("Value error, ")
                        problems.append(f"{where}: {key}.{sub}: {msg} (got {err.get('input')!r}).")
    return out, problems


def configured_rules(settings: dict[str, list[BaseModel]]) -> list:
    _load_all()
    rules = []
    for name, entries in settings.items():
        for params in entries:
            if params.enabled:
                rules.append(OPTIONAL_RULES[name](params))
    return rules
