"""Ensembles: equal to the CLI's, independent of threads, progress, Ctrl-C,
the GIL released, the results database as DataFrames."""

import io
import os
import signal
import threading
import time

import pandas as pd
import pytest

import unionstate as us
from conftest import cli

EXAMPLE = "scenarios/examples/energy-2019-12"


def test_summary_matches_the_cli():
    e = us.ensemble(us.builtin("2019-12"), "nash", runs=300, perturb="positions=10,saliences=0.1", seed=7)
    _, csv, _ = cli("ensemble", "scenarios/union-state/2019-12.toml", "--model", "nash", "--runs", "300",
                    "--perturb", "positions=10,saliences=0.1", "--seed", "7", "--format", "csv", "-q")
    assert e.to_csv() == csv
    back = pd.read_csv(io.StringIO(csv), float_precision="round_trip")
    assert (back["q50"].to_numpy() == e.summary["q50"].to_numpy()).all()
    assert (back["p_agreement"].to_numpy() == e.summary["p_agreement"].to_numpy()).all()
    _, text, _ = cli("ensemble", "scenarios/union-state/2019-12.toml", "--model", "nash", "--runs", "300",
                     "--perturb", "positions=10,saliences=0.1", "--seed", "7", "-q")
    assert e.to_json() == text


def test_draws_inputs_and_sensitivity_are_long_tables():
    s = us.builtin("2019-12")
    e = us.ensemble(s, "compromise", runs=50, perturb="positions=5", seed=2, threads=1)
    draws = e.draws
    assert len(draws) == 50 * len(s.issues)
    assert list(draws.columns) == ["run", "issue", "outcome", "agreement"]
    assert list(draws["issue"].cat.categories) == list(s.issues["id"])
    # The summary's median is the median of the draws.
    gas = draws[draws["issue"] == "gas_price"]["outcome"]
    assert e.summary.set_index("issue").loc["gas_price", "q50"] == pytest.approx(gas.quantile(0.5), abs=0, rel=1e-12)
    assert e.summary.set_index("issue").loc["gas_price", "mean"] == pytest.approx(gas.mean(), rel=1e-12)
    inputs = e.inputs
    assert len(inputs) == 50 and inputs.columns[0] == "run" and len(inputs.columns) > 1
    assert set(e.sensitivity.columns) == {"issue", "input", "src", "sobol", "sobol_low", "sobol_high",
                                          "sobol_total", "sobol_total_low", "sobol_total_high"}
    # Same seed on two threads: the same draws.
    again = us.ensemble(s, "compromise", runs=50, perturb="positions=5", seed=2, threads=2)
    pd.testing.assert_frame_equal(again.draws, draws)


def test_progress_callback_reaches_the_end():
    seen = []
    e = us.ensemble(EXAMPLE, "nash", runs=500, perturb="positions=10", seed=1,
                    progress=lambda done, total: seen.append((done, total)))
    assert seen and seen[-1] == (500, 500)
    assert all(total == 500 and 0 <= done <= 500 for done, total in seen)
    assert e.runs == 500 and not e.interrupted


def test_an_exception_in_the_progress_callback_stops_and_propagates():
    def boom(done, total):
        raise ZeroDivisionError("stop here")

    with pytest.raises(ZeroDivisionError):
        us.ensemble(us.builtin(), "bdm", runs=5000, perturb="positions=10", seed=1, batch=16, progress=boom)


def test_ctrl_c_stops_and_keeps_the_finished_runs(tmp_path):
    store = tmp_path / "r.db"
    # Once the ensemble runs, a SIGINT comes from another thread while this
    # one waits with the GIL released, as a Ctrl-C at the terminal would.
    timer = threading.Timer(0.2, lambda: os.kill(os.getpid(), signal.SIGINT))

    # Ctrl-C drops the batch under way (whole batches only), so the signal
    # waits until more than one batch of 16 runs is done: the first batch is
    # then finished and kept, however loaded the machine.
    def started(done, total):
        if done > 16 and not timer.is_alive() and not timer.finished.is_set():
            timer.start()

    with pytest.raises(KeyboardInterrupt) as caught:
        us.ensemble(us.builtin(), "bdm", runs=200000, perturb="positions=10", seed=1, batch=16, store=store,
                    progress=started)
    timer.cancel()
    partial = caught.value.partial
    assert partial.interrupted
    assert 0 < partial.runs < 200000
    assert len(partial.draws) == partial.runs * len(partial.scenario.issues)
    with us.open_results(store) as r:
        assert r.ensembles["status"].tolist() == ["interrupted"]
        assert len(r.outcomes) == partial.runs * len(partial.scenario.issues)


def test_the_gil_is_released_while_an_ensemble_runs():
    ticks = 0
    done = threading.Event()

    def work():
        us.ensemble(us.builtin(), "bdm", runs=400, perturb="positions=10", seed=1, threads=1)
        done.set()

    worker = threading.Thread(target=work)
    start = time.perf_counter()
    worker.start()
    while not done.is_set():
        ticks += 1
        time.sleep(0.001)
    worker.join()
    elapsed = time.perf_counter() - start
    # With the GIL held for the whole ensemble this loop could not run.
    assert elapsed > 0.05
    assert ticks > 10


def test_results_database_opens_as_dataframes(tmp_path):
    store = tmp_path / "results.db"
    e = us.ensemble(EXAMPLE, "nash", runs=64, perturb="positions=10", seed=5, store=store, batch=16)
    _, _, _ = cli("ensemble", EXAMPLE, "--model", "nash", "--runs", "64", "--perturb", "positions=10",
                  "--seed", "5", "--store", str(store), "-q")
    with us.open_results(store) as r:
        ensembles = r.ensembles
        assert ensembles["status"].tolist() == ["complete", "complete"]
        assert ensembles["model"].tolist() == [e.model, e.model]
        outcomes = r.outcomes
        assert len(outcomes) == 2 * 64 * 2
        ours = outcomes[outcomes.ensemble_id == ensembles["id"].iloc[0]]
        theirs = outcomes[outcomes.ensemble_id == ensembles["id"].iloc[1]]
        assert (ours["outcome"].to_numpy() == e.draws["outcome"].to_numpy()).all()
        assert (theirs["outcome"].to_numpy() == e.draws["outcome"].to_numpy()).all()
        summaries = r.summaries
        first = summaries[summaries.ensemble_id == ensembles["id"].iloc[0]].set_index("issue")
        assert (first.loc[e.summary["issue"], "q50"].to_numpy() == e.summary["q50"].to_numpy()).all()
        draws = r.draws
        assert len(draws) == 2 * 64 * len(e.inputs.columns[1:])
        # A folder of wide tables stores only its actors table, so both
        # ensembles stored their draws; they are the runs' own inputs.
        assert ensembles["store_draws"].tolist() == [1, 1]
        for ensemble_id in ensembles["id"]:
            mine = draws[draws.ensemble_id == ensemble_id].pivot(index="run", columns="input", values="value")
            assert (mine[e.inputs.columns[1:]].to_numpy() == e.inputs.iloc[:, 1:].to_numpy()).all()
        assert "batches" in r.tables  # schema 2: one row of packed arrays per batch


def test_not_a_results_database(tmp_path):
    bogus = tmp_path / "x.db"
    bogus.write_text("hello")
    with pytest.raises(us.ScenarioError):
        us.open_results(bogus)


def test_runs_from_python_threads_agree_with_one_thread():
    from concurrent.futures import ThreadPoolExecutor

    s = us.builtin("2019-12")
    seeds = list(range(8))
    alone = [us.run(s, "smp", seed=k).to_json() for k in seeds]
    with ThreadPoolExecutor(max_workers=4) as pool:
        together = list(pool.map(lambda k: us.run(s, "smp", seed=k).to_json(), seeds))
    assert together == alone


def test_draws_not_stored_are_drawn_again_bit_for_bit(tmp_path):
    store = tmp_path / "results.db"
    scenario = "scenarios/examples/gas-price-2020.toml"
    e = us.ensemble(scenario, "compromise", runs=300, perturb="positions=10,saliences=0.1", seed=9, batch=64)
    cli("ensemble", scenario, "--model", "compromise", "--runs", "300", "--perturb", "positions=10,saliences=0.1",
        "--seed", "9", "--batch", "64", "--store", str(store), "-q")
    with us.open_results(store) as r:
        assert r.ensembles["store_draws"].tolist() == [0]
        draws = r.draws.pivot(index="run", columns="input", values="value")
        assert (draws[e.inputs.columns[1:]].to_numpy() == e.inputs.iloc[:, 1:].to_numpy()).all()
        outcomes = r.outcomes
        assert (outcomes["outcome"].to_numpy() == e.draws["outcome"].to_numpy()).all()
        assert (outcomes["agreement"].to_numpy() == e.draws["agreement"].to_numpy()).all()


def test_sobol_matches_the_cli():
    scenario = "scenarios/examples/gas-price-2020.toml"
    e = us.ensemble(scenario, "compromise", runs=40, perturb="positions=10,saliences=0.1", seed=2, sobol=8, threads=1)
    _, text, _ = cli("ensemble", scenario, "--model", "compromise", "--runs", "40", "--perturb",
                     "positions=10,saliences=0.1", "--seed", "2", "--sobol", "8", "-q")
    assert e.to_json() == text
    expected = __import__("json").loads(text)
    assert expected["sobol_design"]["base_runs"] == 8
    sens = e.sensitivity.set_index(["issue", "input"])
    for issue in expected["issues"]:
        for name, index in issue["sobol"].items():
            row = sens.loc[(issue["id"], name)]
            assert row["sobol"] == index["first"] and row["sobol_total"] == index["total"]
            assert [row["sobol_low"], row["sobol_high"]] == index["first_ci"]
            assert [row["sobol_total_low"], row["sobol_total_high"]] == index["total_ci"]


def test_nothing_to_vary_is_refused():
    with pytest.raises(us.ArgumentError, match="nothing to vary"):
        us.ensemble(us.builtin("2019-12"), "compromise", runs=10)
