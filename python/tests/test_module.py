"""The Python module against the command line: every function on the built-in
scenarios and the oracle tables, forecasts bit-identical to `unionstate run`."""

import io
import json
import os

import pandas as pd
import pytest

import unionstate as us
from conftest import ROOT, cli, shared

MODELS = [m["name"] for m in us.models(as_frame=False)]


def test_models_list_every_model_with_parameters_and_defaults():
    infos = {m["name"]: m for m in us.models(as_frame=False)}
    assert set(infos) >= {"compromise", "nash", "bdm", "smp", "exchange", "parity"}
    _, text, _ = cli("models", "--format", "json")
    assert [m["name"] for m in json.loads(text)] == list(infos)
    for m in json.loads(text):
        ours = infos[m["name"]]
        assert [p["name"] for p in ours["parameters"]] == [p["name"] for p in m["parameters"]]
        assert [p["range"] for p in ours["parameters"]] == [p["range"] for p in m["parameters"]]
    frame = us.models()
    assert list(frame.columns) == ["model", "long_name", "parameter", "default", "range", "meaning"]
    veto = frame[(frame.model == "nash") & (frame.parameter == "veto")]
    assert veto["default"].iloc[0] is True or veto["default"].iloc[0] == True  # noqa: E712


@pytest.mark.parametrize("snapshot", ["2019-12", "2021-09"])
@pytest.mark.parametrize("model", MODELS)
def test_every_model_matches_the_cli_bit_for_bit(snapshot, model):
    s = us.builtin(snapshot)
    f = us.run(s, model, seed=3)
    path = f"scenarios/union-state/{snapshot}.toml"
    _, text, _ = cli("run", path, "--model", model, "--seed", "3")
    assert f.to_json() == text
    _, csv, _ = cli("run", path, "--model", model, "--seed", "3", "--format", "csv")
    assert f.to_csv() == csv
    # The DataFrame holds the same doubles the CLI's CSV reads back to.
    back = pd.read_csv(io.StringIO(csv), keep_default_na=False, na_values={"status_quo": [""]}, float_precision="round_trip")
    assert list(back["issue"]) == list(f.outcomes["issue"])
    assert (back["outcome"].to_numpy() == f.outcomes["outcome"].to_numpy()).all()
    assert list(back["agreement"]) == list(f.outcomes["agreement"])
    assert list(back["blocking"]) == list(f.outcomes["blocking"])
    _, rounds_csv, _ = cli("run", path, "--model", model, "--seed", "3", "--format", "csv-rounds")
    rounds = pd.read_csv(io.StringIO(rounds_csv), keep_default_na=False, float_precision="round_trip")
    ours = f.rounds
    assert len(rounds) == len(ours)
    assert (rounds["position"].to_numpy() == ours["position"].to_numpy()).all()
    assert list(rounds["actor"]) == list(ours["actor"])
    assert list(rounds["issue"]) == list(ours["issue"])


def test_the_done_when_command_prints_the_cli_forecast():
    f = us.run(us.builtin("union-state"), "parity")
    _, text, _ = cli("run", "--model", "parity")
    expected = {i["id"]: i["outcome"] for i in json.loads(text)["issues"]}
    assert dict(zip(f.outcomes["issue"], f.outcomes["outcome"])) == expected
    assert "gas_price" in str(f.outcomes)


def test_auto_model_is_the_cli_default():
    assert us.run(us.builtin()).model == us.load_model("parity").spec
    _, text, _ = cli("run")
    assert us.run(us.builtin()).to_json() == text


ORACLES = [
    ("oracles/bdm_scholz/ExampleActors.csv", "bdm"),
    ("oracles/ktab_smp/dummyData_3Dim.csv", "smp"),
    ("oracles/ktab_smp/SOE-Pol-Comp.csv", "smp"),
    ("oracles/exchange_model/sample_data.txt", "exchange"),
    ("oracles/deu_compromise_nbs/deu3.csv", "compromise"),
    ("oracles/mean_voter_greece/greece.csv", "nash"),
]


@pytest.mark.parametrize("path,model", ORACLES)
def test_oracle_tables_load_and_run_as_on_the_cli(path, model):
    file = shared(*path.split("/"))
    s = us.load_scenario(file)
    assert len(s.actors) > 0 and len(s.positions) > 0
    f = us.run(s, model, seed=1)
    _, text, _ = cli("run", file, "--model", model, "--seed", "1")
    assert f.to_json() == text


def test_deu_oracle_evaluates_as_on_the_cli():
    file = shared("oracles", "deu_compromise_nbs", "deu3.csv")
    e = us.evaluate(us.run(file, "compromise"))
    _, text, _ = cli("evaluate", file, "--model", "compromise")
    assert e.to_json() == text
    summary = json.loads(text)["summary"]
    assert e.mae_percent == summary["mae_percent_of_scale"]
    # The DEU III baseline of the oracle (README: MAE 23.2237).
    assert round(e.mae_percent, 4) == 23.2237
    assert e.agreement_accuracy == summary["agreement_accuracy"]
    assert len(e.issues) == summary["scored"] == len(json.loads(text)["issues"])


def test_a_broken_oracle_file_raises_what_the_cli_prints():
    # KTAB's own smpExample.xml leaves a coordinate empty.
    file = shared("oracles", "ktab_smp", "smpExample.xml")
    code, _, err = cli("validate", file, check=False)
    assert code == 2
    with pytest.raises(us.ScenarioError) as caught:
        us.load_scenario(file)
    assert str(caught.value) == err.strip()
    assert caught.value.line == 32 and "dCoord" in caught.value.message


def test_bdm_oracle_rounds_are_the_published_ones():
    # The Scholz et al. (2011) replication's first round: the bdm model's
    # round-1 positions, as the C++ oracle test checks them, reach Python.
    s = us.load_scenario(shared("oracles", "bdm_scholz", "ExampleActors.csv"))
    f = us.run(s, "bdm")
    rounds = f.rounds
    assert rounds["round"].max() == len(json.loads(f.to_json())["rounds"]) - 1
    first = json.loads(f.to_json())["rounds"][1]["positions"]
    r1 = rounds[rounds["round"] == 1]
    assert dict(zip(r1["actor"], r1["position"])) == {a: v["issue"] for a, v in first.items()}


def test_scenario_from_file_text_builtin_name_and_frames_are_the_same():
    path = os.path.join(ROOT, "scenarios", "union-state", "2019-12.toml")
    by_path = us.load_scenario(path)
    with open(path, encoding="utf-8") as f:
        by_text = us.load_scenario(f.read())
    by_name = us.load_scenario("2019-12")
    reference = us.run(by_path, "nash").to_json()
    assert us.run(by_text, "nash").to_json() == reference
    assert us.run(by_name, "nash").to_json() == reference
    assert by_path.name == "Union State of Belarus and Russia, December 2019"
    assert by_path.as_of == "2019-12-07"
    assert set(by_path.sides) >= {"russia", "belarus"}
    assert list(by_path.issues.columns[:5]) == ["id", "name", "unit", "min", "max"]
    assert len(by_path.positions) == len(by_path.positions.drop_duplicates(["actor", "issue"]))


def test_model_object_and_values():
    m = us.load_model("bdm(rounds=3)")
    assert m.name == "bdm" and m.parameters["rounds"] == 3
    assert m.spec.startswith("bdm(") and "rounds=3" in m.spec
    f = m.run(us.builtin("2019-12"), seed=0)
    assert f.rounds["round"].max() <= 3
    values = f.values
    assert set(values.columns) == {"round", "name", "actor", "issue", "value"}
    assert len(values) > 0


def test_stubs_and_docstrings_cover_the_public_api():
    import ast
    import inspect

    stub = os.path.join(os.path.dirname(us.__file__), "__init__.pyi")
    tree = ast.parse(open(stub, encoding="utf-8").read())
    names = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.ImportFrom):
            names.update(a.asname or a.name for a in node.names)
    assert set(us.__all__) <= names, set(us.__all__) - names
    for name in us.__all__:
        obj = getattr(us, name)
        assert inspect.getdoc(obj), f"{name} has no docstring"


def test_plain_python_objects():
    f = us.run(us.builtin(), "nash")
    d = f.to_dict()
    assert d["model"] == "nash" and len(d["issues"]) == len(f.outcomes)
    assert [i["outcome"] for i in d["issues"]] == list(f.outcomes["outcome"])
    e = us.ensemble(us.builtin(), "compromise", runs=20, perturb="positions=5")
    d = e.to_dict()
    assert (d["runs"], d["runs_requested"], d["interrupted"]) == (20, 20, False)
    assert [i["mean"] for i in d["issues"]] == list(e.summary["mean"])
    ev = us.evaluate(us.run(us.builtin("2019-12")), "observed-2021-11").to_dict()
    assert ev["summary"]["scored"] == len(ev["issues"]) > 0
