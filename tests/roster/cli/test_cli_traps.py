"""Options as users type them: flags with values, -v after the command, switches in help; money and targets printed."""

import json

import pytest
from typer.testing import CliRunner

from cities import small_config
from roster.cli import app
from roster.cli.service import format_simulation
from roster.currency import money
from roster.errors import InputError

runner = CliRunner()
ERLANG = ["erlang", "--rate", "2.5", "--busy-minutes", "75", "--target-minutes", "60", "--target-share", "0.9"]


@pytest.mark.parametrize("value", ["true", "True", "yes", "1", "on"])
def test_a_flag_takes_a_true_value(value):
    result = runner.invoke(app, [*ERLANG, "--json", value])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["teams"] >= 1


@pytest.mark.parametrize("args", [["--json", "false"], ["--json=no"], ["--json", "0"], []])
def test_a_flag_takes_a_false_value(args):
    result = runner.invoke(app, [*ERLANG, *args])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("teams needed:")


def test_a_flag_with_a_value_that_is_not_yes_or_no_is_named():
    result = runner.invoke(app, [*ERLANG, "--json=maybe"])
    assert result.exit_code == 2 and "--json" in result.output


@pytest.mark.parametrize("where", ["before", "after"])
def test_verbose_before_or_after_the_command(where):
    args = ["-v", *ERLANG] if where == "before" else [*ERLANG, "-v"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "teams needed:" in result.output


@pytest.mark.parametrize("command", [[], ["plan"], ["check"], ["export"], ["init"]])
def test_help_shows_flags_as_switches(command):
    result = runner.invoke(app, [*command, "--help"], env={"COLUMNS": "160"})
    assert result.exit_code == 0
    assert "<bool>" not in result.output and "--help" in result.output


def test_money_in_the_citys_currency():
    assert money(1234.5, "USD") == "$1,234.50"
    assert money(1234.5, "EUR") == "€1,234.50"
    assert money(-3, "CHF") == "-CHF 3.00"
    assert small_config(**{"city.currency": "GBP"}).city.currency == "GBP"
    assert small_config().city.currency == "USD"
    with pytest.raises(InputError, match="city.currency: 'euro' is not a currency code"):
        small_config(**{"city.currency": "euro"})
    with pytest.raises(InputError, match="city.currency: 'XYZ' is not an ISO 4217 currency code"):
        small_config(**{"city.currency": "XYZ"})
    assert small_config(**{"city.currency": "CHF"}).city.currency == "CHF"


def test_simulation_table_names_the_configured_target():
    import pandas as pd

    cfg = small_config(**{"service.target_minutes": 45})
    table = pd.DataFrame([{"district": "North", "calls": 10.0, "share_within_target": 0.9, "share_ci_low": 0.8,
                           "share_ci_high": 0.95, "mean_minutes_to_contact": 12.0, "p90_minutes_to_contact": 40.0,
                           "utilisation": 0.3, "calls_waiting_over_target": 1.0}])
    text = format_simulation(table, cfg)
    assert "within 45 min" in text and ">45min" in text and "60" not in text
