"""unionstate: model and forecast negotiations from Python.

The C++ library (the same one the ``unionstate`` command runs) bound with
pybind11, with results as pandas DataFrames in long form::

    import unionstate as us
    s = us.load_scenario("scenarios/union-state/2021-09.toml")  # or us.builtin()
    f = us.run(s, "parity", seed=0)       # a Forecast
    f.outcomes                            # issue, outcome, status_quo, agreement, ...
    f.rounds                              # round, actor, side, issue, position
    e = us.ensemble(s, "nash", runs=1000, perturb="positions=10", seed=1)
    e.summary, e.draws                    # DataFrames
    us.models()                           # models, parameters, defaults

docs/python.md is the guide; every function's docstring says what it takes and
returns. Forecasts are bit-identical to the command line's: both call the same
library with the same seed. Runs and ensembles release the GIL.

pandas is imported only when a DataFrame is asked for, so the module also
imports (without DataFrames) in a Python that lacks pandas.
"""

from __future__ import annotations

import json
import math
import os
import sys
from typing import Callable, Dict, Iterable, List, Optional, Sequence, Tuple, Union

from . import _core
from .errors import (
    ArgumentError,
    ComputationError,
    Diagnostic,
    InputOutputError,
    ScenarioError,
    UnionstateError,
)
from .results import Results, open_results

__all__ = [
    "ArgumentError",
    "ComputationError",
    "Diagnostic",
    "Ensemble",
    "Evaluation",
    "Forecast",
    "InputOutputError",
    "Model",
    "Results",
    "Scenario",
    "ScenarioError",
    "UnionstateError",
    "builtin",
    "builtins",
    "ensemble",
    "evaluate",
    "from_frames",
    "load_model",
    "load_scenario",
    "models",
    "open_results",
    "read_xlsx",
    "run",
    "to_toml",
    "to_wide_csv",
    "to_xlsx",
    "validate",
]

__version__ = "0.1.0"

PathLike = Union[str, "os.PathLike[str]"]


def _pandas():
    try:
        import pandas
    except ImportError as e:  # pragma: no cover - depends on the machine
        raise ImportError(
            "unionstate's DataFrames need pandas; on Debian 12 use /usr/bin/python3 "
            "with python3-pandas (docs/python.md)"
        ) from e
    return pandas


# --- scenarios ------------------------------------------------------------------


class Scenario:
    """A validated scenario: actors, issues, positions (docs/scenario-format.md).

    Immutable. ``actors``, ``issues`` and ``positions`` are DataFrames (one row
    per actor, issue and stance); ``name``, ``description``, ``as_of`` (a
    ``YYYY-MM-DD`` string or None), ``source`` and ``file`` are text.
    """

    def __init__(self, core: "_core.Scenario"):
        self._core = core
        self._tables = None

    def _t(self) -> dict:
        if self._tables is None:
            self._tables = self._core.tables()
        return self._tables

    name = property(lambda self: self._core.name, doc="The scenario's name.")
    description = property(lambda self: self._core.description)
    as_of = property(lambda self: self._core.as_of, doc="YYYY-MM-DD or None.")
    source = property(lambda self: self._core.source)
    file = property(lambda self: self._core.file, doc="Where it was read from.")

    @property
    def sides(self) -> List[str]:
        """The distinct non-empty sides, in order of first appearance."""
        return list(self._core.sides())

    @property
    def actors(self):
        """DataFrame: id, name, side, capability, veto, description, source."""
        return _pandas().DataFrame(self._t()["actors"])

    @property
    def issues(self):
        """DataFrame: id, name, unit, min, max, status_quo (NaN: none),
        deadline (YYYY-MM-DD or None), rule, description, source."""
        return _pandas().DataFrame(self._t()["issues"])

    @property
    def positions(self):
        """DataFrame, one row per stance: actor, issue, position, salience,
        capability (NaN: the actor's), source."""
        return _pandas().DataFrame(self._t()["positions"])

    @property
    def packages(self) -> List[Tuple[str, str, List[str], str]]:
        """Linked issues: (id, name, issue ids, source) per package."""
        return [tuple(p) for p in self._t()["packages"]]

    def wide(self):
        """The scenario as wide tables: (actors, issues) DataFrames in the
        layout of docs/scenario-format.md, "Wide tables"."""
        return _wide_frames(self)

    def __repr__(self) -> str:
        t = self._t()
        return (
            f"<unionstate.Scenario {self.name!r}: {len(t['actors']['id'])} actors, "
            f"{len(t['issues']['id'])} issues, {len(t['positions']['actor'])} positions>"
        )


def builtins() -> List[str]:
    """The names of the built-in scenario files (scenarios/union-state/)."""
    names = []
    for stem in ("2019-12", "2021-09"):
        if _core.builtin_text(stem + ".toml") is not None:
            names.append(stem + ".toml")
    return names


def _builtin_file(name: str) -> Optional[str]:
    """The built-in file a name stands for, or None."""
    if name in ("", "union-state", "default"):
        return _core.default_builtin()
    for prefix in ("union-state/", "scenarios/union-state/", "builtin:"):
        if name.startswith(prefix):
            name = name[len(prefix):]
            if name.startswith("scenarios/union-state/"):
                name = name[len("scenarios/union-state/"):]
    if _core.builtin_text(name) is not None:
        return name
    if _core.builtin_text(name + ".toml") is not None:
        return name + ".toml"
    return None


def builtin(name: str = "union-state") -> Scenario:
    """A built-in scenario: ``"union-state"`` (the default snapshot,
    September 2021), ``"2019-12"`` or ``"2021-09"`` (also with ``.toml`` or a
    ``union-state/`` prefix). Raises ArgumentError for an unknown name."""
    file = _builtin_file(name)
    if file is None:
        raise ArgumentError(
            [Diagnostic("", 0, 0, f'no built-in scenario "{name}"; expected union-state, '
                        + ", ".join(n[:-5] for n in builtins()))]
        )
    return Scenario(_core.load_builtin(file))


def load_scenario(source, issues=None, *, format: Optional[str] = None,
                  name: str = "") -> Scenario:
    """Loads and validates a scenario.

    ``source`` is one of:

    * a path (str or Path) to a scenario file: TOML, or the tables of BDM,
      KTAB, decide, DEU (the format is detected; ``format=`` forces it), a
      wide actors table, or a folder holding ``actors.csv`` and ``issues.csv``;
    * a path to an ``.xlsx`` workbook with the sheets ``actors`` and ``issues``;
    * a built-in name (``"union-state"``, ``"2019-12"``; see :func:`builtin`);
    * the text of a scenario (a string holding a line break);
    * a pandas DataFrame of wide actors, with ``issues`` the issues DataFrame
      (as :func:`from_frames`).

    Raises ScenarioError listing every mistake (file, line, column, what was
    expected) and InputOutputError when a file cannot be read.
    """
    pd = sys.modules.get("pandas")
    if pd is not None and isinstance(source, pd.DataFrame):
        if issues is None:
            raise ArgumentError([Diagnostic("", 0, 0, "a DataFrame of actors needs the "
                                            "issues DataFrame; expected load_scenario(actors, issues)")])
        return from_frames(source, issues, name=name)
    if isinstance(source, Scenario):
        return source
    if isinstance(source, os.PathLike):
        source = os.fspath(source)
    if not isinstance(source, str):
        raise TypeError(f"load_scenario takes a path, a name, text or DataFrames, not {type(source).__name__}")
    if "\n" in source:
        return Scenario(_core.parse_text(source, name or "<string>", format))
    if source.lower().endswith(".xlsx"):
        return read_xlsx(source, name=name)
    if not os.path.exists(source):
        file = _builtin_file(source)
        if file is not None:
            return Scenario(_core.load_builtin(file))
    return Scenario(_core.load_file(source, format))


def validate(source, issues=None, **kwargs) -> Scenario:
    """Loads ``source`` as :func:`load_scenario` does and returns the
    scenario; raises ScenarioError (with every mistake) when it is wrong."""
    return load_scenario(source, issues, **kwargs)


# --- wide tables: DataFrames, XLSX, CSV ---------------------------------------------


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return "" if math.isnan(value) else repr(value)
    if hasattr(value, "item") and not isinstance(value, str):  # NumPy scalars
        return _cell(value.item())
    if hasattr(value, "isoformat"):  # dates from a workbook or pandas
        text = value.isoformat()
        return text[:10]
    return str(value)


def _field(text: str) -> str:
    if any(c in text for c in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


class _Table:
    """Rows of cells written as CSV, remembering where each field starts so a
    diagnostic's character column can be told as a column number."""

    def __init__(self, rows: Iterable[Sequence]):
        self.lines: List[str] = []
        self.starts: List[List[int]] = []
        for row in rows:
            cells = [_cell(v) for v in row]
            while cells and cells[-1] == "":
                cells.pop()
            starts, at, fields = [], 1, []
            for c in cells:
                f = _field(c)
                starts.append(at + (1 if f.startswith('"') else 0))
                at += len(f) + 1
                fields.append(f)
            self.lines.append(",".join(fields))
            self.starts.append(starts)

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"

    def column_number(self, line: int, column: int) -> int:
        if not (1 <= line <= len(self.starts)):
            return column
        starts = self.starts[line - 1]
        number = 1
        for k, s in enumerate(starts):
            if s <= column:
                number = k + 1
        if column > (starts[-1] if starts else 0) + 1 and starts:
            # past the last field: a missing cell
            number = max(number, len(starts))
        return number


def _parse_tables(actors: _Table, actors_file: str, issues: _Table, issues_file: str,
                  name: str) -> Scenario:
    try:
        return Scenario(_core.parse_wide(actors.text(), actors_file, issues.text(),
                                         issues_file, name))
    except ScenarioError as e:
        # Columns as numbers (A = 1) rather than character offsets.
        fixed = []
        for d in e.diagnostics:
            table = actors if d.file == actors_file else issues if d.file == issues_file else None
            column = table.column_number(d.line, d.column) if table and d.column else d.column
            fixed.append(Diagnostic(d.file, d.line, column, d.message))
        raise ScenarioError(fixed) from None


def _frame_rows(frame) -> List[list]:
    rows = [list(map(str, frame.columns))]
    for values in frame.itertuples(index=False, name=None):
        rows.append(list(values))
    return rows


def from_frames(actors, issues, name: str = "") -> Scenario:
    """A scenario from two pandas DataFrames in the wide layout
    (docs/scenario-format.md, "Wide tables"): ``actors`` with the columns id,
    capability, optional name, side, veto, description, source and a pair
    ``ISSUE_position``, ``ISSUE_salience`` per issue (NaN/None: no part);
    ``issues`` with id, min, max and optional name, unit, status_quo,
    deadline, rule, description, source.

    Mistakes raise ScenarioError located at file ``actors`` or ``issues``,
    line = the row as a spreadsheet numbers it (header 1, first row 2) and
    column = the column's number (1 = the first)."""
    return _parse_tables(_Table(_frame_rows(actors)), "actors", _Table(_frame_rows(issues)),
                         "issues", name or "dataframes")


def read_xlsx(path: PathLike, name: str = "") -> Scenario:
    """A scenario from an XLSX workbook with the sheets ``actors`` and
    ``issues`` in the wide layout (needs python3-openpyxl). Mistakes are
    located as ``book.xlsx[actors]:ROW:COLUMN`` with the sheet's own row and
    column numbers."""
    try:
        import openpyxl
    except ImportError as e:  # pragma: no cover
        raise ImportError("reading XLSX needs openpyxl (Debian: python3-openpyxl)") from e
    path = os.fspath(path)
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except FileNotFoundError:
        raise InputOutputError([Diagnostic(path, 0, 0, "cannot read the file: No such file or directory")]) from None
    except Exception as e:  # openpyxl raises many kinds for a bad file
        raise ScenarioError([Diagnostic(path, 0, 0, f"not an XLSX workbook ({e}); expected one with the sheets actors and issues")]) from None
    sheets = {s.lower(): s for s in book.sheetnames}
    missing = [s for s in ("actors", "issues") if s not in sheets]
    if missing:
        raise ScenarioError([Diagnostic(path, 0, 0, f"the workbook has no sheet {m!r}; expected the sheets "
                                        f"actors and issues (it has {', '.join(book.sheetnames)})")
                             for m in missing])
    tables = {}
    for sheet in ("actors", "issues"):
        ws = book[sheets[sheet]]
        rows = [list(r) for r in ws.iter_rows(min_row=1, values_only=True)]
        tables[sheet] = _Table(rows)
    book.close()
    base = os.path.basename(path)
    stem = base[:-5] if base.lower().endswith(".xlsx") else base
    return _parse_tables(tables["actors"], f"{path}[actors]", tables["issues"], f"{path}[issues]",
                         name or stem)


def _wide_frames(scenario: Scenario):
    pd = _pandas()
    t = scenario._t()
    if t["uncertain"] or t["packages"] or t["ideal_adjustments"]:
        raise ArgumentError([Diagnostic("", 0, 0, f"scenario {scenario.name!r} has uncertainty, packages or "
                                        "ideal adjustments, which wide tables cannot hold; expected "
                                        "to_toml for it")])
    if any(not math.isnan(c) for c in t["positions"]["capability"]):
        raise ArgumentError([Diagnostic("", 0, 0, f"scenario {scenario.name!r} has per-position capabilities, "
                                        "which wide tables cannot hold; expected to_toml for it")])
    actors = {k: list(t["actors"][k]) for k in ("id", "name", "side", "capability", "veto")}
    issue_ids = t["issues"]["id"]
    index = {a: k for k, a in enumerate(actors["id"])}
    for issue in issue_ids:
        actors[f"{issue}_position"] = [math.nan] * len(index)
        actors[f"{issue}_salience"] = [math.nan] * len(index)
    p = t["positions"]
    for a, i, x, w in zip(p["actor"], p["issue"], p["position"], p["salience"]):
        actors[f"{i}_position"][index[a]] = x
        actors[f"{i}_salience"][index[a]] = w
    actors["description"] = list(t["actors"]["description"])
    actors["source"] = list(t["actors"]["source"])
    issues = {k: list(t["issues"][k]) for k in ("id", "name", "unit", "min", "max", "status_quo",
                                                 "deadline", "rule", "description", "source")}
    return pd.DataFrame(actors), pd.DataFrame(issues)


def to_wide_csv(scenario: Scenario, folder: PathLike) -> None:
    """Writes the scenario as ``actors.csv`` and ``issues.csv`` in
    ``folder`` (created when missing), the wide layout the command line and
    :func:`load_scenario` read. Raises ArgumentError for what the layout
    cannot hold (uncertainty, packages, ideal adjustments, per-position
    capabilities)."""
    actors, issues = _wide_frames(scenario)
    os.makedirs(folder, exist_ok=True)
    for frame, file in ((actors, "actors.csv"), (issues, "issues.csv")):
        with open(os.path.join(folder, file), "w", encoding="utf-8", newline="") as out:
            out.write(_Table(_frame_rows(frame)).text())


def to_xlsx(scenario: Scenario, path: PathLike) -> None:
    """Writes the scenario as an XLSX workbook with the sheets ``actors`` and
    ``issues`` (needs python3-openpyxl)."""
    import openpyxl

    actors, issues = _wide_frames(scenario)
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, frame in (("actors", actors), ("issues", issues)):
        ws = book.create_sheet(title)
        for row in _frame_rows(frame):
            ws.append([None if isinstance(v, float) and math.isnan(v) else
                       (v.item() if hasattr(v, "item") else v) for v in row])
    book.save(os.fspath(path))


def _toml_string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _toml_number(x: float) -> str:
    return repr(float(x))


def to_toml(scenario: Scenario) -> str:
    """The scenario as unionstate TOML (docs/scenario-format.md): the
    scenario, actors, issues, positions and packages, numbers written so they
    read back bit for bit. Per-value sources are not kept (table sources
    are). Raises ArgumentError for uncertainty and ideal adjustments, which it
    does not write yet."""
    t = scenario._t()
    if t["uncertain"] or t["ideal_adjustments"]:
        raise ArgumentError([Diagnostic("", 0, 0, f"scenario {scenario.name!r} has uncertainty or ideal "
                                        "adjustments, which to_toml does not write; expected a scenario "
                                        "without them")])
    out = ["[scenario]", f"name = {_toml_string(scenario.name)}"]
    if scenario.description:
        out.append(f"description = {_toml_string(scenario.description)}")
    if scenario.as_of:
        out.append(f"as_of = {scenario.as_of}")
    if scenario.source:
        out.append(f"source = {_toml_string(scenario.source)}")
    a = t["actors"]
    for k in range(len(a["id"])):
        out += ["", "[[actors]]", f"id = {_toml_string(a['id'][k])}", f"name = {_toml_string(a['name'][k])}"]
        if a["side"][k]:
            out.append(f"side = {_toml_string(a['side'][k])}")
        out.append(f"capability = {_toml_number(a['capability'][k])}")
        if a["veto"][k]:
            out.append("veto = true")
        for key in ("description", "source"):
            if a[key][k]:
                out.append(f"{key} = {_toml_string(a[key][k])}")
    i = t["issues"]
    for k in range(len(i["id"])):
        out += ["", "[[issues]]", f"id = {_toml_string(i['id'][k])}", f"name = {_toml_string(i['name'][k])}"]
        if i["unit"][k]:
            out.append(f"unit = {_toml_string(i['unit'][k])}")
        out += [f"min = {_toml_number(i['min'][k])}", f"max = {_toml_number(i['max'][k])}"]
        if not math.isnan(i["status_quo"][k]):
            out.append(f"status_quo = {_toml_number(i['status_quo'][k])}")
        if i["deadline"][k]:
            out.append(f"deadline = {i['deadline'][k]}")
        out.append(f"rule = {_toml_string(i['rule'][k])}")
        for key in ("description", "source"):
            if i[key][k]:
                out.append(f"{key} = {_toml_string(i[key][k])}")
    p = t["positions"]
    for k in range(len(p["actor"])):
        out += ["", "[[positions]]", f"actor = {_toml_string(p['actor'][k])}",
                f"issue = {_toml_string(p['issue'][k])}",
                f"position = {_toml_number(p['position'][k])}",
                f"salience = {_toml_number(p['salience'][k])}"]
        if not math.isnan(p["capability"][k]):
            out.append(f"capability = {_toml_number(p['capability'][k])}")
        if p["source"][k]:
            out.append(f"source = {_toml_string(p['source'][k])}")
    for pid, pname, ids, psource in t["packages"]:
        out += ["", "[[packages]]", f"id = {_toml_string(pid)}"]
        if pname:
            out.append(f"name = {_toml_string(pname)}")
        out.append("issues = [" + ", ".join(_toml_string(x) for x in ids) + "]")
        if psource:
            out.append(f"source = {_toml_string(psource)}")
    return "\n".join(out) + "\n"


# --- models and runs ----------------------------------------------------------------


def models(as_frame: bool = True):
    """The registered models with their parameters and defaults.

    As a DataFrame (default): one row per model and parameter, columns
    model, long_name, parameter, default, range, meaning (a model without
    parameters has one row with parameter None). With ``as_frame=False``: a
    list of dicts (name, long_name, summary, citation, stochastic,
    parameters)."""
    infos = _core.models()
    if not as_frame:
        return infos
    rows = []
    for m in infos:
        for p in m["parameters"] or [None]:
            rows.append({
                "model": m["name"], "long_name": m["long_name"],
                "parameter": p["name"] if p else None,
                "default": p["default"] if p else None,
                "range": p["range"] if p else None,
                "meaning": p["meaning"] if p else None,
            })
    return _pandas().DataFrame(rows)


class Model:
    """A model made from a specification (``"nash(veto=false)"``).
    ``spec`` is the canonical specification with every parameter;
    ``parameters`` a dict. ``run(scenario, seed)`` is one forecast."""

    def __init__(self, spec: str):
        self._core = _core.load_model(spec)

    spec = property(lambda self: self._core.spec)
    name = property(lambda self: self._core.name)
    parameters = property(lambda self: dict(self._core.parameters))

    def run(self, scenario: Scenario, seed: int = 0) -> "Forecast":
        """One run: a pure function of (scenario, parameters, seed). The GIL
        is released while it runs."""
        return Forecast(self._core.run(_as_scenario(scenario)._core, seed), _as_scenario(scenario))

    def __repr__(self) -> str:
        return f"<unionstate.Model {self.spec}>"


def load_model(spec: str) -> Model:
    """A model by specification; raises ArgumentError (listing what is
    accepted) for an unknown name, key or value."""
    return Model(spec)


def _as_scenario(scenario) -> Scenario:
    return scenario if isinstance(scenario, Scenario) else load_scenario(scenario)


def _model_for(spec: Optional[str], scenario: Scenario) -> str:
    if spec is None or spec == "auto":
        return "parity" if len(scenario.sides) >= 2 else "compromise"
    return spec


class Forecast:
    """What one model run says.

    ``outcomes``: DataFrame, one row per issue: issue, name, unit, min, max,
    status_quo (NaN: none), outcome, agreement, blocking (ids joined by ';').
    ``rounds``: DataFrame, one row per round, actor and issue the actor takes
    part in: round, actor, side, issue, position (round 0 is the input).
    ``values``: what the model reports beside positions, long: round, name,
    actor, issue, value. ``to_json()`` is exactly ``unionstate run``'s output;
    ``to_csv()`` is ``--format csv``."""

    def __init__(self, core: "_core.Forecast", scenario: Scenario):
        self._core = core
        self.scenario = scenario

    model = property(lambda self: self._core.spec, doc="The canonical model specification.")
    seed = property(lambda self: self._core.seed)

    @property
    def outcomes(self):
        return _pandas().DataFrame(self._core.outcomes())

    @property
    def rounds(self):
        pd = _pandas()
        rnd, actor, issue, position = self._core.rounds()
        actors = self._core.actor_ids
        sides = self._core.actor_sides
        issues = self._core.issue_ids
        import numpy as np

        return pd.DataFrame({
            "round": rnd,
            "actor": np.asarray(actors, dtype=object)[actor] if len(actor) else np.array([], dtype=object),
            "side": np.asarray(sides, dtype=object)[actor] if len(actor) else np.array([], dtype=object),
            "issue": np.asarray(issues, dtype=object)[issue] if len(issue) else np.array([], dtype=object),
            "position": position,
        })

    @property
    def values(self):
        return _pandas().DataFrame(self._core.round_values())

    def to_json(self) -> str:
        return self._core.to_json()

    def to_dict(self) -> dict:
        """The forecast as plain Python objects: the JSON of
        docs/output-format.md, parsed."""
        return json.loads(self.to_json())

    def to_csv(self) -> str:
        return self._core.to_csv()

    def rounds_to_csv(self) -> str:
        return self._core.rounds_to_csv()

    def to_table(self) -> str:
        return self._core.to_table()

    def __repr__(self) -> str:
        return f"<unionstate.Forecast {self.scenario.name!r} by {self.model}, seed {self.seed}>"

    def __str__(self) -> str:
        return self.to_table()


def run(scenario, model: Optional[str] = None, seed: int = 0) -> Forecast:
    """Runs ``model`` (a specification; None or "auto": parity when the
    actors stand on two or more sides, compromise otherwise, as the command
    line) on ``scenario`` (a Scenario or anything load_scenario takes) with
    ``seed``. Bit-identical to ``unionstate run --model MODEL --seed SEED``.
    The GIL is released during the run."""
    s = _as_scenario(scenario)
    return Model(_model_for(model, s)).run(s, seed)


# --- ensembles ------------------------------------------------------------------


class Ensemble:
    """Many runs over draws of the uncertain inputs.

    ``summary``: DataFrame per issue (issue, runs, mean, sd, q05 ... q95,
    p_agreement, blocking: dict id -> share, src_r2). ``draws``: DataFrame,
    one row per run and issue (run, issue as a categorical, outcome,
    agreement). ``inputs``: the drawn inputs, one row per run (run, then a
    column per input). ``sensitivity``: per issue and input, src, and with
    ``sobol=N`` the first- and total-order Sobol indices (sobol,
    sobol_total) with their bootstrap intervals (sobol_low, sobol_high,
    sobol_total_low, sobol_total_high); NaN without a Sobol design.
    ``interrupted`` is True when Ctrl-C or a stop ended it early."""

    def __init__(self, core: "_core.Ensemble", scenario: Scenario):
        self._core = core
        self.scenario = scenario

    model = property(lambda self: self._core.spec)
    seed = property(lambda self: self._core.seed)
    runs = property(lambda self: self._core.runs, doc="Runs finished.")
    interrupted = property(lambda self: self._core.interrupted)
    perturbation = property(lambda self: self._core.perturbation)

    @property
    def summary(self):
        d = self._core.summary()
        d = {"issue": d["issue"], "runs": [self.runs] * len(d["issue"]), **{k: v for k, v in d.items() if k != "issue"}}
        return _pandas().DataFrame(d)

    @property
    def draws(self):
        pd = _pandas()
        run_, issue, outcome, agreement = self._core.draws()
        return pd.DataFrame({
            "run": run_,
            "issue": pd.Categorical.from_codes(issue, categories=self._core.issue_ids),
            "outcome": outcome,
            "agreement": agreement,
        })

    @property
    def inputs(self):
        pd = _pandas()
        run_, values = self._core.drawn_inputs()
        frame = pd.DataFrame(values, columns=list(self._core.inputs))
        frame.insert(0, "run", run_)
        return frame

    @property
    def sensitivity(self):
        return _pandas().DataFrame(self._core.sensitivity())

    def to_json(self) -> str:
        return self._core.to_json()

    def to_dict(self) -> dict:
        """Plain Python objects: the JSON (docs/output-format.md), parsed."""
        return json.loads(self.to_json())

    def to_csv(self) -> str:
        return self._core.to_csv()

    def to_table(self) -> str:
        return self._core.to_table()

    def __repr__(self) -> str:
        state = ", interrupted" if self.interrupted else ""
        return f"<unionstate.Ensemble {self.scenario.name!r} by {self.model}: {self.runs} runs{state}>"


class _Bar:
    """A text progress bar on stderr."""

    def __init__(self):
        self.last = -1

    def __call__(self, done: int, total: int) -> None:
        percent = int(100 * done / total) if total else 100
        if percent == self.last:
            return
        self.last = percent
        filled = percent * 30 // 100
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (30 - filled)}] {done}/{total} runs")
        if done >= total:
            sys.stderr.write("\n")
        sys.stderr.flush()


def ensemble(scenario, model: Optional[str] = None, runs: int = 1000, perturb: str = "",
             seed: int = 0, threads: int = 0, batch: int = 256, store: Optional[PathLike] = None,
             progress: Union[None, bool, Callable[[int, int], None]] = None, sobol: int = 0) -> Ensemble:
    """Runs ``model`` ``runs`` times over draws of the scenario's uncertain
    inputs and of ``perturb`` ("positions=10,saliences=0.1,capabilities=0.2",
    as ``unionstate ensemble --perturb``). Same seed, same numbers, on any
    number of ``threads`` (0: every core).

    ``store``: a results database (SQLite) to write the runs to, as
    ``--store``. ``sobol``: N base rows of a Saltelli design run after the
    ensemble, N x (inputs + 2) more runs, as ``--sobol N``. ``perturb``
    draws Betas on bounded scales and log-normals for capabilities
    (docs/scenario-format.md, "Perturbations"). An ensemble with nothing to
    vary (no distribution, no ``perturb``) and a deterministic model is
    refused with ArgumentError (a ValueError). ``progress``: True for a bar on stderr, or a callable
    ``progress(done, total)`` called about every 50 ms from the calling
    thread. The GIL is released while the runs go.

    Ctrl-C stops after the batches under way and raises KeyboardInterrupt;
    the runs finished are on the exception as ``e.partial`` (an Ensemble with
    ``interrupted`` True). An exception raised by ``progress`` stops the
    ensemble and propagates."""
    s = _as_scenario(scenario)
    m = Model(_model_for(model, s))
    callback = _Bar() if progress is True else (progress or None)
    core = _core.ensemble(m._core, s._core, runs, seed, perturb, threads, batch,
                          os.fspath(store) if store is not None else None, callback, sobol)
    result = Ensemble(core, s)
    if core.keyboard_interrupt:
        error = KeyboardInterrupt(f"ensemble interrupted after {result.runs} of {runs} runs")
        error.partial = result
        raise error
    return result


# --- evaluation ------------------------------------------------------------------


class Evaluation:
    """A forecast scored against observed outcomes (docs/observed-format.md).

    ``issues``: DataFrame per scored issue (issue, unit, forecast, observed,
    error, error_percent, agreement_forecast, agreement_observed, source).
    ``mae_percent``, ``mae`` (None unless units agree), ``agreement_accuracy``
    (None without calls), ``unscored``, ``unforecast``."""

    def __init__(self, core):
        self._core = core

    mae_percent = property(lambda self: self._core.mae_percent)
    mae = property(lambda self: self._core.mae)
    agreement_accuracy = property(lambda self: self._core.agreement_accuracy)
    unscored = property(lambda self: list(self._core.unscored))
    unforecast = property(lambda self: list(self._core.unforecast))
    model = property(lambda self: self._core.model)
    observed = property(lambda self: self._core.observed)

    @property
    def issues(self):
        return _pandas().DataFrame(self._core.rows())

    def to_json(self) -> str:
        return self._core.to_json()

    def to_dict(self) -> dict:
        """Plain Python objects: the JSON (docs/output-format.md), parsed."""
        return json.loads(self.to_json())

    def to_csv(self) -> str:
        return self._core.to_csv()

    def to_table(self) -> str:
        return self._core.to_table()

    def __repr__(self) -> str:
        return f"<unionstate.Evaluation of {self.model} against {self.observed!r}: MAE {self.mae_percent:.4g} %>"


def evaluate(forecast: Forecast, observed: Optional[str] = None) -> Evaluation:
    """Scores ``forecast`` against ``observed``: a path to an
    observed-outcomes TOML file, a built-in one (``"observed-2021-11"``), or
    its text; None uses the outcomes the scenario's table carries (DEU III).
    Equal to ``unionstate evaluate --observed``."""
    if observed is None:
        return Evaluation(_core.evaluate(forecast._core, None, ""))
    observed = os.fspath(observed)
    if "\n" in observed:
        return Evaluation(_core.evaluate(forecast._core, observed, "<string>"))
    if not os.path.exists(observed):
        for name in (observed, observed + ".toml"):
            builtin_file = _core.builtin_text(name)
            if builtin_file is not None:
                label, text = builtin_file
                return Evaluation(_core.evaluate(forecast._core, text, label))
    try:
        with open(observed, encoding="utf-8") as f:
            text = f.read()
    except OSError as e:
        raise InputOutputError([Diagnostic(observed, 0, 0, f"cannot read the file: {e.strerror}")]) from None
    return Evaluation(_core.evaluate(forecast._core, text, observed))
