"""Named rostering rules: each adds itself to the model and checks a finished roster.

``default_rules()`` is the rule set ``roster plan`` and ``roster check`` use.
"""

from constraints.availability import ApprovedLeave, DistrictEligibility, KnownShifts, NightWork
from constraints.base import ModelContext, RosterContext, Rule, Violation
from constraints.cost import WageCost
from constraints.coverage import Coverage
from constraints.labour import MaxConsecutiveDays, MaxHoursPerWeek, MinDaysOff, MinRest, OneShiftPerDay
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
    from constraints.registry import configured_rules

    return core + configured_rules(config.rule_settings())


__all__ = ["Rule", "Violation", "ModelContext", "RosterContext", "default_rules"]
