"""Clinical supervision in the hiring plan: the clinician hours the supervision ratio adds.

The rule ``supervision_ratio`` (:mod:`constraints.supervision`) allows at most
``supervision.max_non_clinical_per_clinician`` non-clinical staff on duty per clinician on
duty, in each district and hour.  Where the requirements ask for ``n`` non-clinical staff in a
district and hour, ``ceil(n / ratio)`` clinicians must be on duty with them; where that is more
than the clinicians the requirements ask for there, the difference is clinician hours the
hiring plan must count as well.  It is a lower bound: it assumes the non-clinical staff work
exactly their required hours, while whole shifts may keep them (and so their supervisors) on
duty longer.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def supervision_hours(config, requirements: pd.DataFrame) -> float:
    """Clinician staff-hours of the period beyond the clinical requirements that the supervision
    ratio needs for the non-clinical staff the requirements ask for (0 without ``[supervision]``
    or when non-clinical staff may not work at all, ratio 0)."""
    sup = config.supervision
    if sup is None or requirements.empty or sup.max_non_clinical_per_clinician <= 0:
        return 0.0
    ratio = float(sup.max_non_clinical_per_clinician)
    hour = "hour_start" if "hour_start" in requirements.columns else "hour"
    clinical = np.array([bool(config.roles[r].clinical) for r in requirements["role"]], dtype=bool)
    need = requirements["required"].to_numpy(float)
    by_hour = (pd.DataFrame({"district": requirements["district"].to_numpy(), "hour": requirements[hour].to_numpy(),
                             "non": np.where(clinical, 0.0, need), "clin": np.where(clinical, need, 0.0)})
               .groupby(["district", "hour"])[["non", "clin"]].sum())
    supervisors = np.ceil(np.round(by_hour["non"].to_numpy() / ratio, 9))
    return float(np.maximum(supervisors - by_hour["clin"].to_numpy(), 0.0).sum())


def supervising_seat(config) -> str | None:
    """The seat the supervision hours are hired into: the first clinical seat role of roster.toml."""
    return next((r for r in config.seat_roles if config.roles[r].clinical), None)
