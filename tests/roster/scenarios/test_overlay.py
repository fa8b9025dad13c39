"""Each overlay changes exactly what it says: config keys, staff, rates and demand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from roster.errors import InputError
from roster.pipeline.stages import forecast_stage
from roster.scenarios.overlay import overlay_inputs, scale_demand
from roster.scenarios.spec import parse_scenarios
from scenario_city import MONDAY, city_inputs


@pytest.fixture(scope="module")
def base():
    return city_inputs()


def sc(text: str):
    return parse_scenarios(text, "s.yaml")[0]


def test_set_absolute_and_relative(base):
    out = overlay_inputs(base, sc("""
- name: a
  set: {service.busy_minutes: "x1.1", supervision.max_non_clinical_per_clinician: 4, objective.shortfall_penalty_per_hour: "-25%"}
"""))
    assert out.config.service.busy_minutes == pytest.approx(66.0)
    assert out.config.supervision.max_non_clinical_per_clinician == 4
    assert out.config.objective.shortfall_penalty_per_hour == pytest.approx(300.0)
    assert base.config.service.busy_minutes == 60  # the base is untouched


def test_relative_role_rate_is_a_rise_for_everyone_in_the_role(base):
    staff = base.staff.assign(hourly_rate=[60.0 if s == "NC1" else r for s, r in zip(base.staff["staff_id"], base.staff["hourly_rate"])])
    inputs = type(base)(**{**base.__dict__, "staff": staff})
    out = overlay_inputs(inputs, sc('- name: a\n  set: {roles.clinician.hourly_rate: "+4%"}\n'))
    old = staff.set_index("staff_id")["hourly_rate"]
    new = out.staff.set_index("staff_id")["hourly_rate"]
    clin = staff.set_index("staff_id")["role"] == "clinician"
    assert np.allclose(new[clin], old[clin] * 1.04)
    assert np.allclose(new[~clin], old[~clin])
    assert out.config.roles["clinician"].hourly_rate == pytest.approx(52 * 1.04)


def test_absolute_role_rate_moves_people_on_the_old_default(base):
    staff = base.staff.assign(hourly_rate=[60.0 if s == "NC1" else r for s, r in zip(base.staff["staff_id"], base.staff["hourly_rate"])])
    inputs = type(base)(**{**base.__dict__, "staff": staff})
    out = overlay_inputs(inputs, sc("- name: a\n  set: {roles.clinician.hourly_rate: 55}\n"))
    new = out.staff.set_index("staff_id")["hourly_rate"]
    assert new["NC1"] == 60.0 and new["NC0"] == 55.0 and new["NP0"] == 31.0


@pytest.mark.parametrize("text,match", [
    ('- name: a\n  set: {city.name: "+4%"}\n', r"scenario 'a': set.city.name: a relative change \(\+4%\) needs a number"),
    ("- name: a\n  set: {service.busy_minutes: -5}\n", r"scenario 'a' \(after its set: changes\) has 1 problem(?s:.)*service.busy_minutes: Input should be greater than 0"),
    ("- name: a\n  set: {service.colour: blue}\n", r"service.colour: unknown key"),
    ('- name: a\n  set: {roles.nurse.hourly_rate: "+4%"}\n', r"set.roles.nurse.hourly_rate: roles.nurse is not in roster.toml"),
    ("- name: a\n  shrinkage: 1.5\n", r"service.shrinkage"),
    ("- name: a\n  staffing_basis: p99x\n", r"service.staffing_basis"),
    ("- name: a\n  staff: {remove: [{count: 5, role: clinician, district: North}]}\n",
     r"staff.remove\[0\] removes 5 clinician in North, but only 4 remain"),
    ("- name: a\n  staff: {remove: [{ids: [NOBODY]}]}\n", r"staff.remove\[0\].ids names \['NOBODY'\]"),
    ("- name: a\n  staff: {add: [{count: 1, role: nurse, district: North}]}\n", r"staff.add\[0\].role names \['nurse'\], which are not roles"),
    ("- name: a\n  staff: {add: [{count: 1, role: clinician, district: Mars}]}\n", r"staff.add\[0\].district names \['Mars'\]"),
    ("- name: a\n  staff: {add: [{count: 1, role: peer_supporter, district: North, supervisor: true}]}\n", r"only clinicians supervise"),
    ("- name: a\n  staff: {rate: [{role: clinician, district: Mars, rate: 50}]}\n", r"staff.rate\[0\].district names \['Mars'\]"),
    ("- name: a\n  demand: [{district: Mars, factor: 2}]\n", r"demand.district names \['Mars'\]"),
    ("- name: a\n  demand: [{factor: 2, from: '2027-01-01T00:00', to: '2027-01-02T00:00'}]\n", r"outside the week planned"),
])
def test_bad_overlays_name_scenario_and_key(base, text, match):
    with pytest.raises(InputError, match=match):
        overlay_inputs(base, sc(text))


def test_removing_staff_removes_them(base):
    out = overlay_inputs(base, sc("""
- name: a
  staff: {remove: [{ids: [NC0]}, {count: 2, role: peer_supporter, district: South}]}
"""))
    gone = set(base.staff["staff_id"]) - set(out.staff["staff_id"])
    assert gone == {"NC0", "SP3", "SP2"}  # the highest ids of the group go first
    assert len(out.staff) == len(base.staff) - 3


def test_added_staff_get_ids_that_cannot_clash(base):
    staff = pd.concat([base.staff, base.staff.iloc[[0]].assign(staff_id="NEW-clinician-001")], ignore_index=True)
    inputs = type(base)(**{**base.__dict__, "staff": staff})
    out = overlay_inputs(inputs, sc("""
- name: a
  staff: {add: [{count: 2, role: clinician, district: South, contract_hours: 32, supervisor: true}]}
"""))
    new = out.staff[~out.staff["staff_id"].isin(staff["staff_id"])]
    assert list(new["staff_id"]) == ["NEW-clinician-002", "NEW-clinician-003"]
    assert out.staff["staff_id"].is_unique
    assert set(new["home_district"]) == {"South"} and set(new["contract_hours"]) == {32.0}
    assert new["supervisor"].all() and set(new["hourly_rate"]) == {52.0}


def test_group_rate_change(base):
    out = overlay_inputs(base, sc('- name: a\n  staff: {rate: [{role: peer_supporter, district: North, rate: "+10%"}]}\n'))
    new = out.staff.set_index("staff_id")["hourly_rate"]
    assert new["NP0"] == pytest.approx(34.1) and new["SP0"] == 31.0 and new["NC0"] == 52.0


def test_no_mutual_aid_and_no_float_pool(base):
    out = overlay_inputs(base, sc("- name: a\n  mutual_aid: false\n  float_pool: false\n"))
    assert all(d.neighbours == [] for d in out.config.districts.values())
    assert all(f == [] for f in out.staff["float_districts"])


@pytest.fixture(scope="module")
def forecast(base):
    return forecast_stage(base.calls, base.config, MONDAY).table


def test_demand_multipliers_touch_only_their_hours(base, forecast):
    s = sc("""
- name: a
  demand:
    - {factor: 1.2}
    - {district: North, factor: 2}
    - {hours: "22:00-02:00", factor: 3}
    - {district: South, from: "saturday 18:00", to: "sunday 06:00", factor: 5}
    - {days: [monday], hours: "07:00-08:00", factor: 7}
""")
    out = scale_demand(forecast, s.demand, MONDAY, base.config.timezone, s.where)
    hs = pd.DatetimeIndex(forecast["hour_start"]).tz_convert(base.config.timezone)
    expect = np.full(len(forecast), 1.2)
    expect[forecast["district"].to_numpy() == "North"] *= 2
    expect[(hs.hour >= 22) | (hs.hour < 2)] *= 3
    sat18 = pd.Timestamp("2026-11-07 18:00").tz_localize(base.config.timezone)
    sun06 = pd.Timestamp("2026-11-08 06:00").tz_localize(base.config.timezone)
    expect[(forecast["district"].to_numpy() == "South") & (hs >= sat18) & (hs < sun06)] *= 5
    expect[(hs.day_of_week == 0) & (hs.hour == 7)] *= 7
    assert np.allclose(out["mean"].to_numpy(), forecast["mean"].to_numpy() * expect)
    assert (forecast["mean"] > 0).sum() > 0.5 * len(forecast)


def test_a_weekday_window_that_ends_before_it_starts_wraps_to_the_week_start(base, forecast):
    s = sc("- name: a\n  demand: [{from: 'sunday 22:00', to: 'monday 02:00', factor: 2}]\n")
    out = scale_demand(forecast, s.demand, MONDAY, base.config.timezone, s.where)
    hs = pd.DatetimeIndex(forecast["hour_start"]).tz_convert(base.config.timezone)
    changed = out["mean"].to_numpy() != forecast["mean"].to_numpy()
    assert np.allclose(out["mean"][changed], 2 * forecast["mean"][changed])
    doubled = changed
    assert set(zip(hs[doubled].day_of_week, hs[doubled].hour)) <= {(6, 22), (6, 23), (0, 0), (0, 1)}
    inside = ((hs.day_of_week == 6) & (hs.hour >= 22)) | ((hs.day_of_week == 0) & (hs.hour < 2))
    assert np.allclose(out["mean"][inside], 2 * forecast["mean"][inside])
    assert np.allclose(out["mean"][~inside], forecast["mean"][~inside])
