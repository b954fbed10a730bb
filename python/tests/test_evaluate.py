"""evaluate() against `unionstate evaluate`."""

import io
import json
import os

import pandas as pd

import unionstate as us
from conftest import ROOT, cli


def test_evaluation_matches_the_cli():
    f = us.run(us.builtin("2019-12"), "parity")
    observed = os.path.join(ROOT, "scenarios", "union-state", "observed-2021-11.toml")
    e = us.evaluate(f, observed)
    args = ("evaluate", "scenarios/union-state/2019-12.toml", "--model", "parity", "--observed", observed)
    _, text, _ = cli(*args)
    assert e.to_json() == text
    _, csv, _ = cli(*args, "--format", "csv")
    assert e.to_csv() == csv
    back = pd.read_csv(io.StringIO(csv), float_precision="round_trip")
    assert (back["error"].to_numpy() == e.issues["error"].to_numpy()).all()
    assert e.mae_percent == json.loads(text)["summary"]["mae_percent_of_scale"]
    # The built-in copy of the observations gives the same scores.
    assert us.evaluate(f, "observed-2021-11").mae_percent == e.mae_percent
