"""roster.toml validation: every mistake gets one clear message naming the key."""

import re

import pytest

from cities import ROOT, example_raw
from roster.config import load_config, parse_config
from roster.errors import InputError


def test_example_config_loads_with_paths_relative_to_its_folder():
    cfg = load_config(ROOT / "roster.toml")
    assert cfg.timezone == "America/New_York"
    assert cfg.data.calls == (ROOT / "examples/metro/calls.csv").resolve()
    assert cfg.seat_roles == ["clinician", "peer_supporter"]
    assert len(cfg.districts) == 6


def test_copied_folder_works_anywhere(tmp_path):
    (tmp_path / "city").mkdir()
    text = (ROOT / "roster.toml").read_text()
    (tmp_path / "city" / "roster.toml").write_text(text)
    cfg = load_config(tmp_path / "city" / "roster.toml")
    assert cfg.data.staff == (tmp_path / "city" / "examples/metro/staff.csv").resolve()


def _error(raw) -> str:
    with pytest.raises(InputError) as exc:
        parse_config(raw)
    return str(exc.value)


def test_unknown_key_is_named():
    raw = example_raw()
    raw["labour"]["max_hours_per_wek"] = 40
    msg = _error(raw)
    assert "labour.max_hours_per_wek" in msg and "unknown key" in msg


def test_wrong_type_is_named():
    raw = example_raw()
    raw["labour"]["min_rest_hours"] = "eleven"
    msg = _error(raw)
    assert "labour.min_rest_hours" in msg and "eleven" in msg


def test_missing_required_value_is_named():
    raw = example_raw()
    del raw["service"]["target_minutes"]
    msg = _error(raw)
    assert "service.target_minutes" in msg and "missing" in msg


def test_invalid_time_zone():
    raw = example_raw()
    raw["city"]["timezone"] = "Mars/Olympus_Mons"
    msg = _error(raw)
    assert "city.timezone" in msg and "IANA" in msg


def test_unknown_district_in_neighbours():
    raw = example_raw()
    raw["districts"]["Harbor"]["neighbours"] = ["Atlantis"]
    msg = _error(raw)
    assert "districts.Harbor.neighbours" in msg and "Atlantis" in msg


def test_unknown_role_in_team():
    raw = example_raw()
    raw["service"]["team"]["nurse"] = 1
    msg = _error(raw)
    assert "service.team" in msg and "nurse" in msg


def test_bad_shift_time():
    raw = example_raw()
    raw["shifts"]["early"]["start"] = "7am"
    msg = _error(raw)
    assert "shifts.early.start" in msg and "HH:MM" in msg


def test_target_share_out_of_range():
    raw = example_raw()
    raw["service"]["target_share"] = 1.5
    msg = _error(raw)
    assert "service.target_share" in msg


def test_missing_config_file(tmp_path):
    with pytest.raises(InputError, match="was not found"):
        load_config(tmp_path / "nope.toml")


def test_invalid_toml(tmp_path):
    p = tmp_path / "roster.toml"
    p.write_text("[city\nname = 1")
    with pytest.raises(InputError, match="not valid TOML"):
        load_config(p)


@pytest.mark.parametrize("rules,expected", [
    ({"language_cover": {"language": "es", "districts": ["Nowhere"]}}, "rules.language_cover.districts names ['Nowhere'], which are not districts"),
    ({"float_pool": {"districts": ["Nowhere"]}}, "rules.float_pool.districts names ['Nowhere'], which are not districts"),
    ({"max_shifts_of_type": {"shifts": ["dawn"], "max": 2}}, "rules.max_shifts_of_type.shifts names ['dawn'], which are not shifts"),
    ({"max_consecutive_nights": {"max": 3, "shifts": ["dawn"]}}, "rules.max_consecutive_nights.shifts names ['dawn'], which are not shifts"),
    ({"forbidden_successions": {"pairs": [["late", "dawn"]]}}, "rules.forbidden_successions.pairs names ['dawn'], which are not shifts"),
    ({"cross_cover": {"allow": {"wizard": ["clinician"]}}}, "rules.cross_cover.allow names ['wizard'], which are not roles"),
    ({"cross_cover": {"allow": {"clinician": ["pilot"]}}}, "rules.cross_cover.allow.clinician names ['pilot'], which are not seats"),
])
def test_a_rules_bad_reference_is_caught_when_roster_toml_is_read(rules, expected):
    raw = example_raw()
    raw["rules"] = rules
    assert expected in _error(raw)


def test_roster_plan_stops_on_a_bad_rule_reference_before_forecasting(tmp_path):
    from typer.testing import CliRunner

    from roster.cli import app

    text = (ROOT / "roster.toml").read_text() + '\n[[rules.language_cover]]\nlanguage = "es"\ndistricts = ["Nowhere"]\n'
    cfg = tmp_path / "roster.toml"
    cfg.write_text(text.replace('"examples/', f'"{ROOT}/examples/'))
    result = CliRunner().invoke(app, ["plan", "--config", str(cfg), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2, result.output
    assert "rules.language_cover.districts names ['Nowhere']" in result.output
    assert "Forecasting" not in result.output
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("pay,named", [({"overtime": "weekly_41"}, "pay.overtime"),
                                        ({"overtime": "8_and_80"}, "period_days = 14"),
                                        ({"period_days": 10}, "pay.period_days"),
                                        ({"night": {"per_hour": 2, "start": "22:60"}}, "pay.night.start"),
                                        ({"weekend": {"per_hour": 2, "days": ["caturday"]}}, "pay.weekend.days"),
                                        ({"overtme": "weekly_40"}, "pay.overtme: unknown key")])
def test_pay_section_problems_name_the_key(pay, named):
    raw = example_raw()
    raw["pay"] = pay
    with pytest.raises(InputError, match=re.escape(named)):
        parse_config(raw)


def test_example_has_no_pay_section_and_a_pseudonym_key_file_is_relative_to_the_config(tmp_path):
    assert load_config(ROOT / "roster.toml").pay is None
    text = (ROOT / "roster.toml").read_text().replace('"examples/', f'"{ROOT}/examples/')
    (tmp_path / "roster.toml").write_text(text + '\n[privacy]\npseudonym_key_file = "secret/key.txt"\n')
    assert load_config(tmp_path / "roster.toml").privacy.pseudonym_key_file == (tmp_path / "secret" / "key.txt").resolve()
    from roster.io.pseudonyms import pseudonym_key

    with pytest.raises(InputError, match="could not be read"):
        pseudonym_key(load_config(tmp_path / "roster.toml"))
    (tmp_path / "secret").mkdir()
    (tmp_path / "secret" / "key.txt").write_text("0123456789abcdef0123\n")
    assert pseudonym_key(load_config(tmp_path / "roster.toml")) == b"0123456789abcdef0123"
