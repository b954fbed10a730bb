"""Bad input raises the exception of its kind, with every mistake located."""

import os

import pandas as pd
import pytest

import unionstate as us
from conftest import ROOT


def test_a_bad_scenario_names_file_line_column_and_what_was_expected():
    text = '[scenario]\nname = "x"\n\n[[actors]]\nid = "a"\ncapability = -1\n\n[[issues]]\nid = "i"\nmin = 0\nmax = 10\n'
    with pytest.raises(us.ScenarioError) as caught:
        us.load_scenario(text, name="bad.toml")
    e = caught.value
    assert isinstance(e, ValueError)
    assert e.file == "bad.toml"
    assert (e.line, e.column) == (6, 14)
    assert "capability" in e.message and e.expected
    assert str(e).startswith("bad.toml:6:14: ")


def test_validate_reports_every_mistake_at_once():
    text = '[scenario]\nname = "x"\n[[actors]]\nid = "a"\ncapability = 1\n[[issues]]\nid = "i"\nmin = 5\nmax = 1\n[[positions]]\nactor = "b"\nissue = "i"\nposition = 3\nsalience = 2\n'
    with pytest.raises(us.ScenarioError) as caught:
        us.validate(text)
    assert len(caught.value.diagnostics) >= 2
    assert all(d.line > 0 for d in caught.value.diagnostics)


def test_unknown_model_lists_the_models():
    with pytest.raises(us.ArgumentError) as caught:
        us.run(us.builtin(), "nashh")
    assert "nash" in caught.value.expected


def test_bad_parameter_and_perturbation_and_runs():
    with pytest.raises(us.ArgumentError):
        us.load_model("nash(veto=maybe)")
    with pytest.raises(us.ArgumentError):
        us.ensemble(us.builtin(), "nash", runs=10, perturb="positions=-1")
    with pytest.raises(us.ArgumentError):
        us.ensemble(us.builtin(), "nash", runs=0)
    with pytest.raises(us.ArgumentError):
        us.builtin("no-such-snapshot")


def test_missing_file_is_an_os_error():
    with pytest.raises(us.InputOutputError) as caught:
        us.load_scenario("/nonexistent/scenario.toml")
    assert isinstance(caught.value, OSError)
    assert caught.value.file == "/nonexistent/scenario.toml"


def test_a_model_that_needs_sides_refuses_a_scenario_without():
    with pytest.raises(us.UnionstateError):
        us.run(os.path.join(ROOT, "..", "shared", "oracles", "bdm_scholz", "ExampleActors.csv"), "parity")


def test_frames_errors_are_located_by_row_and_column_number():
    actors = pd.DataFrame({"id": ["a", "b"], "capability": [1.0, "lots"],
                           "gas_position": [10.0, 20.0], "gas_salience": [0.5, 1.5]})
    issues = pd.DataFrame({"id": ["gas"], "min": [0], "max": [100]})
    with pytest.raises(us.ScenarioError) as caught:
        us.from_frames(actors, issues)
    found = {(d.file, d.line, d.column) for d in caught.value.diagnostics}
    # Row 3 of the sheet is the frame's second row; column 2 is capability,
    # column 4 gas_salience.
    assert ("actors", 3, 2) in found
    assert ("actors", 3, 4) in found
    assert any('column "capability"' in d.message for d in caught.value.diagnostics)


def test_bad_observed_outcomes():
    f = us.run(us.builtin("2019-12"), "compromise")
    with pytest.raises(us.ScenarioError) as caught:
        us.evaluate(f, '[observed]\nname = "x"\n[[outcomes]]\nissue = "gas_price"\noutcome = 9999\n')
    # Located at the [[outcomes]] entry (line 3), saying what was expected.
    assert (caught.value.file, caught.value.line) == ("<string>", 3)
    assert "off its scale [50, 250]" in caught.value.message and caught.value.expected
    with pytest.raises(us.ArgumentError):
        us.evaluate(f)  # the TOML scenario carries no outcomes
