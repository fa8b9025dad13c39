"""Named rostering rules: each adds itself to the model and checks a finished roster.

``default_rules()`` is the rule set ``roster plan`` and ``roster check`` use.
"""

from constraints.availability import ApprovedLeave, DistrictEligibility, KnownShifts, NightWork
from constraints.base import ModelContext, RosterContext, Rule, Violation
from constraints.cost import WageCost
from constraints.coverage import Coverage
from constraints.labour import MaxConsecutiveDays, MaxHoursPerWeek, MinDaysOff, MinRest, OneShiftPerDay
from constraints.registry import configured_rules
from constraints.supervision import CitywideSupervisor, DistrictSupervisionRatio


def default_rules(config=None) -> list[Rule]:
    """The core rules, plus the optional rules ``config`` enables in ``[rules]``.

    Core rules whose config section or limit is absent add nothing.
    """
    core = [
        WageCost(),
        Coverage(),
        DistrictSupervisionRatio(),
        CitywideSupervisor(),
        OneShiftPerDay(),
        MinRest(),
        MaxHoursPerWeek(),
        MinDaysOff(),
        MaxConsecutiveDays(),
        ApprovedLeave(),
        DistrictEligibility(),
        NightWork(),
        KnownShifts(),
    ]
    if config is None:
        return core
    return core + configured_rules(config.rule_settings())


def prepare_staff(staff, config, rules: list[Rule] | None = None):
    """The staff table after every rule's :meth:`Rule.prepare_staff` (e.g. the float pool)."""
    for rule in default_rules(config) if rules is None else rules:
        staff = rule.prepare_staff(staff, config)
    return staff


__all__ = ["Rule", "Violation", "ModelContext", "RosterContext", "default_rules", "prepare_staff"]
