"""A new city from nothing: roster init → a generated history → roster validate → roster plan; and validate on broken input."""

import json
import shutil
import tomllib

import pandas as pd
import pytest
from typer.testing import CliRunner

from cities import ROOT
from examples.generate import make_city_calls, to_csv_text
from roster.cli import app
from roster.config import load_config
from roster.io.starter import starter_files, toml_key

runner = CliRunner()
DISTRICTS = ["Mitte", "Süd", "East End"]


def init_city(path, *extra):
    args = ["init", str(path), "--districts", "Mitte,Süd", "--districts", "East End", "--timezone", "Europe/Berlin",
            "--currency", "EUR", "--name", "Testburg", *extra]
    return runner.invoke(app, args)


@pytest.fixture(scope="module")
def planned(tmp_path_factory):
    """A city made by roster init, with 8 weeks of generated history, validated and planned once."""
    city = tmp_path_factory.mktemp("city")
    made = init_city(city)
    assert made.exit_code == 0, made.output
    calls = make_city_calls(DISTRICTS, pd.Timestamp("2026-11-01").date(), weeks=8)
    (city / "calls.csv").write_text(to_csv_text(calls), encoding="utf-8")
    checked = runner.invoke(app, ["validate", "--config", str(city / "roster.toml")])
    out = city / "out"
    plan = runner.invoke(app, ["plan", "--config", str(city / "roster.toml"), "--out", str(out), "--time-limit", "20",
                               "--quiet"])
    return city, made, checked, plan, out


def test_init_writes_a_starter_city_that_plans_once_history_is_added(planned):
    city, made, checked, plan, out = planned
    assert sorted(p.name for p in city.iterdir() if p.is_file()) == sorted(
        ["roster.toml", "staff.csv", "time_off.csv", "requests.csv", "README.md", "calls.csv"])
    assert "roster validate --config" in made.output and "calls.csv" in made.output
    cfg = load_config(city / "roster.toml")
    assert list(cfg.districts) == DISTRICTS and cfg.timezone == "Europe/Berlin" and cfg.city.currency == "EUR"
    text = (city / "roster.toml").read_text(encoding="utf-8")
    assert '[districts."Süd"]' in text and '[districts."East End"]' in text and "[districts.Mitte]" in text
    # every section is commented
    assert text.count("#") > 30 and all(f"[{s}]" in text for s in ("city", "data", "labour", "service", "solver"))
    staff = pd.read_csv(city / "staff.csv")
    assert {"staff_id", "name", "role", "contract_hours", "home_district"} <= set(staff.columns)
    assert set(staff["home_district"]) == set(DISTRICTS) and staff["supervisor"].sum() >= 6
    assert "roster plan" in (city / "README.md").read_text(encoding="utf-8")

    assert checked.exit_code == 0, checked.output
    assert plan.exit_code == 0, plan.output
    summary = json.loads((out / "summary.json").read_text())
    assert summary["status"] in ("optimal", "feasible") and summary["currency"] == "EUR"
    assert summary["shifts"] > 0 and summary["forecast"]["masked_outages"] == []
    assert "€" in plan.output and "$" not in plan.output
    check = runner.invoke(app, ["check", str(out / "roster.csv"), "--config", str(city / "roster.toml")])
    assert check.exit_code == 0, check.output


def test_validate_reports_districts_roles_staff_history_and_cover(planned):
    _, _, checked, _, _ = planned
    text = checked.output
    for needle in ("Mitte, Süd, East End", "clinician (clinical)", "peer_supporter (non-clinical)",
                   "2026-09-07 to 2026-11-02", "Cover this week", "supervisor (city-wide)", "Erlang C from the forecast"):
        assert needle in text, needle
    cover = [line.split() for line in text.splitlines() if line.strip().startswith("clinician") and "ALL" in line]
    assert cover and int(cover[0][2]) == 21  # people
    assert "Traceback" not in text


def test_init_refuses_to_overwrite_and_writes_nothing(tmp_path):
    (tmp_path / "staff.csv").write_text("mine\n")
    result = init_city(tmp_path)
    assert result.exit_code == 2
    assert "staff.csv" in result.output and "never overwrites" in result.output
    assert (tmp_path / "staff.csv").read_text() == "mine\n"
    assert not (tmp_path / "roster.toml").exists()


def test_init_refuses_bad_districts_and_zone(tmp_path):
    bad = runner.invoke(app, ["init", str(tmp_path / "a"), "--districts", "North;South", "--timezone", "UTC"])
    assert bad.exit_code == 2 and "--districts" in bad.output and not (tmp_path / "a").exists()
    zone = runner.invoke(app, ["init", str(tmp_path / "b"), "--timezone", "Mars/Olympus"])
    assert zone.exit_code == 2 and "city.timezone" in zone.output and not (tmp_path / "b").exists()
    cur = runner.invoke(app, ["init", str(tmp_path / "c"), "--timezone", "UTC", "--currency", "euro"])
    assert cur.exit_code == 2 and "city.currency" in cur.output


@pytest.mark.parametrize("code, hint", [("XYZ", "'XYZ' is not an ISO 4217 currency code"), ("EURO", "ISO 4217"),
                                        ("eur", "write it in capitals: 'EUR'"), ("", "ISO 4217")])
def test_init_refuses_a_currency_that_is_not_an_iso_4217_code(tmp_path, code, hint):
    result = runner.invoke(app, ["init", str(tmp_path / "c"), "--timezone", "UTC", "--currency", code])
    assert result.exit_code == 2, result.output
    assert "--currency" in result.output and hint in result.output and "Traceback" not in result.output
    assert not (tmp_path / "c").exists()


@pytest.mark.parametrize("code", ["CHF", "JPY", "ZAR", "NZD"])
def test_init_accepts_every_iso_4217_code_roster_toml_accepts(tmp_path, code):
    result = runner.invoke(app, ["init", str(tmp_path / "c"), "--timezone", "UTC", "--currency", code])
    assert result.exit_code == 0, result.output
    assert load_config(tmp_path / "c" / "roster.toml").city.currency == code


@pytest.mark.parametrize("name", ["Süd", "East End", 'Quote"d', "Back\\slash", "Zürich-Nord", "北区"])
def test_any_district_name_gives_valid_toml(name):
    files = starter_files("City", "UTC", [name, "Plain_1"])
    raw = tomllib.loads(files["roster.toml"])
    assert list(raw["districts"]) == [name, "Plain_1"]
    assert raw["districts"][name]["neighbours"] == ["Plain_1"]
    assert toml_key("Plain_1") == "Plain_1" and toml_key(name).startswith('"')


@pytest.fixture
def example(tmp_path):
    shutil.copy(ROOT / "roster.toml", tmp_path / "roster.toml")
    shutil.copytree(ROOT / "examples" / "metro", tmp_path / "examples" / "metro")
    return tmp_path


def test_validate_on_the_example(example):
    result = runner.invoke(app, ["validate", "--config", str(example / "roster.toml")])
    assert result.exit_code == 0, result.output
    for needle in ("6: Downtown, Harbor, Eastgate, Northside, Riverside, Hillcrest", "community_health_worker",
                   "117 people", "2025-05-05 to 2026-11-01", "28638 calls", "Week of 2026-11-02", "No problems found."):
        assert needle in result.output, needle
    assert not (example / "out").exists()  # nothing solved, nothing written


def test_validate_names_the_file_and_row_of_a_broken_staff_file(example):
    staff = example / "examples" / "metro" / "staff.csv"
    lines = staff.read_text().splitlines()
    lines[4] = lines[4].replace("peer_supporter", "peer_supoprter").replace("clinician", "clinican")
    staff.write_text("\n".join(lines) + "\n")
    result = runner.invoke(app, ["validate", "--config", str(example / "roster.toml")])
    assert result.exit_code == 2
    assert "staff.csv, row 5" in result.output and "is not defined in roster.toml" in result.output
    assert "City (roster.toml)" in result.output  # what was found before the broken file is still shown
    assert "Traceback" not in result.output


def test_validate_names_the_key_of_a_broken_config(example):
    cfg = example / "roster.toml"
    cfg.write_text(cfg.read_text().replace("min_rest_hours = 11", 'min_rest_hours = "eleven"'))
    result = runner.invoke(app, ["validate", "--config", str(cfg)])
    assert result.exit_code == 2 and "labour.min_rest_hours" in result.output


def test_validate_names_city_currency_when_it_is_not_an_iso_4217_code(example):
    cfg = example / "roster.toml"
    cfg.write_text(cfg.read_text().replace('currency = "USD"', 'currency = "XYZ"'))
    result = runner.invoke(app, ["validate", "--config", str(cfg)])
    assert result.exit_code == 2 and "city.currency" in result.output and "'XYZ' is not an ISO 4217" in result.output
    assert "Traceback" not in result.output


def test_validate_names_a_missing_history_and_warns_of_too_few_supervisors(tmp_path):
    assert init_city(tmp_path).exit_code == 0
    missing = runner.invoke(app, ["validate", "--config", str(tmp_path / "roster.toml")])
    assert missing.exit_code == 2 and "data.calls" in missing.output and "calls.csv" in missing.output
    calls = make_city_calls(DISTRICTS, pd.Timestamp("2026-11-01").date(), weeks=3)
    (tmp_path / "calls.csv").write_text(to_csv_text(calls), encoding="utf-8")
    staff = pd.read_csv(tmp_path / "staff.csv", keep_default_na=False)
    staff["supervisor"] = [str(v).lower() == "true" and i < 2 for i, v in enumerate(staff["supervisor"])]
    staff["supervisor"] = staff["supervisor"].map({True: "true", False: "false"})
    staff.to_csv(tmp_path / "staff.csv", index=False)
    result = runner.invoke(app, ["validate", "--config", str(tmp_path / "roster.toml")])
    assert result.exit_code == 0, result.output
    assert "min_supervisors_citywide needs 168 supervisor-hours" in result.output and "2 supervisor-flagged" in result.output
    assert "Under 8 weeks" in result.output


def test_simulate_uses_the_plans_defaults_and_keeps_its_simulation_csv(planned):
    city, _, _, _, out = planned
    before = (out / "simulation.csv").read_bytes()
    sim = runner.invoke(app, ["simulate", "--roster", str(out / "roster.csv"), "--config", str(city / "roster.toml")])
    assert sim.exit_code == 0, sim.output
    assert (out / "simulation.csv").read_bytes() == before
    again = pd.read_csv(out / "simulation-roster.csv")
    plan_sim = pd.read_csv(out / "simulation.csv")
    # same weeks and seed as the plan: the same numbers
    pd.testing.assert_frame_equal(again, plan_sim, check_exact=False, rtol=1e-6)
    assert ">60min" in sim.output


def test_check_without_previous_suggests_it_when_monday_early_hours_break(planned, tmp_path):
    city, _, _, _, out = planned
    roster = pd.read_csv(out / "roster.csv")
    sunday = roster["date"].max()
    trimmed = roster[~((roster["date"] == sunday) & (roster["shift"] == "night"))]  # as if last week's night covered it
    trimmed.to_csv(tmp_path / "roster.csv", index=False)
    check = runner.invoke(app, ["check", str(tmp_path / "roster.csv"), "--config", str(city / "roster.toml")])
    assert check.exit_code == 4
    assert "00:00" in check.output and "--previous LAST_WEEK.csv" in check.output
    fine = runner.invoke(app, ["check", str(out / "roster.csv"), "--config", str(city / "roster.toml")])
    assert fine.exit_code == 0 and "--previous" not in fine.output


def test_an_unquoted_district_name_gets_the_quoting_rule(tmp_path):
    assert init_city(tmp_path).exit_code == 0
    cfg = tmp_path / "roster.toml"
    cfg.write_text(cfg.read_text(encoding="utf-8").replace('[districts."Süd"]', "[districts.Süd]"), encoding="utf-8")
    result = runner.invoke(app, ["validate", "--config", str(cfg)])
    assert result.exit_code == 2
    assert "not valid TOML" in result.output and '[districts."Süd"]' in result.output


def test_report_sections_are_rich_tables_on_a_terminal_and_plain_text_otherwise(capsys):
    from roster.cli.tables import print_section
    from roster.pipeline.validate import Section

    section = Section("Cover this week", ["role", "needed"], [["clinician", 756], ["peer_supporter", 702]], ["a note"])
    print_section(section, terminal=True)
    rich_text = capsys.readouterr().out
    assert "┃" in rich_text or "│" in rich_text  # box drawing: a rich table
    assert "clinician" in rich_text and "756" in rich_text and "a note" in rich_text
    print_section(section, terminal=False)
    plain = capsys.readouterr().out
    assert "│" not in plain and "  clinician       756" in plain and "  a note" in plain


@pytest.mark.parametrize("days,start", [(10, "Too short"), (20, "Under 8 weeks"), (60, "8 weeks or more"),
                                        (200, "26 weeks or more"), (400, "A year or more")])
def test_history_advice_follows_what_the_forecast_does(days, start):
    from roster.pipeline.validate import history_advice

    assert history_advice(days).startswith(start)
