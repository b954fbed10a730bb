"""Wide tables: CSV folder, DataFrames and XLSX read the same scenario; the
round trip wide CSV -> TOML -> wide CSV gives the same forecast bit for bit."""

import json
import os
import shutil

import pandas as pd
import pytest

import unionstate as us
from conftest import ROOT, cli

EXAMPLE = os.path.join(ROOT, "scenarios", "examples", "energy-2019-12")
XLSX = os.path.join(EXAMPLE, "energy-2019-12.xlsx")


def forecasts(s, seed=0):
    """The JSON of four models, with the scenario's name (which follows the
    file or folder it was read from) left out."""
    return {m: us.run(s, m, seed=seed).to_json().replace(f'"scenario": {json.dumps(s.name)}', '"scenario": ""')
            for m in ("parity", "nash", "compromise", "bdm")}


def test_the_wide_example_runs_as_on_the_cli():
    s = us.load_scenario(EXAMPLE)
    assert s.name == "energy-2019-12"
    assert len(s.actors) == 9 and len(s.issues) == 2 and len(s.positions) == 13
    for spec in ("parity", "nash"):
        _, text, _ = cli("run", EXAMPLE, "--model", spec)
        assert us.run(s, spec).to_json() == text
        _, text2, _ = cli("run", os.path.join(EXAMPLE, "actors.csv"), "--model", spec)
        assert text2 == text


def test_wide_csv_to_toml_and_back_gives_the_same_forecast(tmp_path):
    s = us.load_scenario(EXAMPLE)
    toml = us.to_toml(s)
    path = tmp_path / "energy.toml"
    path.write_text(toml, encoding="utf-8")
    from_toml = us.load_scenario(path)
    # The CLI reads the written TOML to the same forecast too.
    _, text, _ = cli("run", str(path), "--model", "parity")
    assert text == us.run(s, "parity").to_json()
    assert forecasts(from_toml) == forecasts(s)
    us.to_wide_csv(from_toml, tmp_path / "again")
    again = us.load_scenario(tmp_path / "again")
    assert forecasts(again) == forecasts(s)
    assert us.to_toml(again).replace(again.name, s.name) == toml.replace(from_toml.name, s.name)


def test_a_toml_scenario_round_trips_through_wide_tables(tmp_path):
    s = us.load_scenario(os.path.join(ROOT, "scenarios", "examples", "gas-price-2020.toml"))
    us.to_wide_csv(s, tmp_path / "gas")
    wide = us.load_scenario(tmp_path / "gas")
    assert forecasts(wide, seed=4) == forecasts(s, seed=4)
    for m in ("parity", "nash", "bdm"):
        a = us.run(s, m).outcomes
        b = us.run(wide, m).outcomes
        pd.testing.assert_frame_equal(a, b)


def test_scenarios_wide_tables_cannot_hold_are_refused():
    with pytest.raises(us.ArgumentError):
        us.to_wide_csv(us.load_scenario(os.path.join(ROOT, "scenarios", "examples", "linked-package.toml")), "/tmp/x")


def test_dataframes_and_xlsx_give_the_same_forecast(tmp_path):
    s = us.load_scenario(EXAMPLE)
    actors = pd.read_csv(os.path.join(EXAMPLE, "actors.csv"))
    issues = pd.read_csv(os.path.join(EXAMPLE, "issues.csv"))
    from_frames = us.load_scenario(actors, issues, name=s.name)
    assert forecasts(from_frames) == forecasts(s)
    book = us.load_scenario(XLSX)
    assert book.name == "energy-2019-12"
    assert forecasts(book) == forecasts(s)
    # Writing a workbook and reading it back keeps every number.
    us.to_xlsx(s, tmp_path / "copy.xlsx")
    assert forecasts(us.read_xlsx(tmp_path / "copy.xlsx", name=s.name)) == forecasts(s)
    wide_actors, wide_issues = s.wide()
    assert forecasts(us.from_frames(wide_actors, wide_issues, name=s.name)) == forecasts(s)


def test_xlsx_errors_name_the_sheet_row_and_column(tmp_path):
    import openpyxl

    book = openpyxl.load_workbook(XLSX)
    book["actors"]["D3"] = "strong"  # capability of the second actor
    book["issues"]["D2"] = None      # min of gas_price
    bad = tmp_path / "bad.xlsx"
    book.save(bad)
    with pytest.raises(us.ScenarioError) as caught:
        us.read_xlsx(bad)
    found = {(d.file, d.line, d.column) for d in caught.value.diagnostics}
    assert (f"{bad}[actors]", 3, 4) in found
    assert (f"{bad}[issues]", 2, 4) in found
    del book["issues"]
    book.save(bad)
    with pytest.raises(us.ScenarioError) as caught:
        us.read_xlsx(bad)
    assert "issues" in caught.value.message


def test_cli_reports_wide_mistakes_with_exit_2(tmp_path):
    folder = tmp_path / "broken"
    shutil.copytree(EXAMPLE, folder)
    text = (folder / "actors.csv").read_text().replace("ru_gazprom,Gazprom,russia,0.5,false,135,0.9",
                                                       "ru_gazprom,Gazprom,russia,0.5,false,135,")
    (folder / "actors.csv").write_text(text)
    code, _, err = cli("validate", str(folder), check=False)
    assert code == 2
    assert f"{folder}/actors.csv:5:" in err and "has a position but no salience" in err
    with pytest.raises(us.ScenarioError) as caught:
        us.load_scenario(folder)
    assert caught.value.line == 5


@pytest.mark.parametrize("snapshot", ["2019-12", "2021-09"])
def test_builtin_scenarios_round_trip_through_toml(snapshot, tmp_path):
    s = us.builtin(snapshot)
    path = tmp_path / f"{snapshot}.toml"
    path.write_text(us.to_toml(s), encoding="utf-8")
    again = us.load_scenario(path)
    assert again.name == s.name and again.as_of == s.as_of and again.packages == s.packages
    for m in ("parity", "nash", "bdm", "compromise", "exchange", "smp"):
        assert us.run(again, m, seed=2).to_json() == us.run(s, m, seed=2).to_json()
