"""The results database (docs/results-schema.md) opened as DataFrames.

    r = us.open_results("results.db")
    r.ensembles          # one row per ensemble
    r.outcomes           # ensemble_id, run, issue (id), outcome, agreement, blocking
    r.summaries          # per ensemble and issue: quantiles, p_agreement, ...
    r.table("draws")     # any table as it is stored

The file is opened read-only with Python's sqlite3; nothing is written.
"""

from __future__ import annotations

import os
import sqlite3
from typing import List

from .errors import Diagnostic, InputOutputError, ScenarioError


class Results:
    """A results database, read-only. Each property reads its table afresh."""

    def __init__(self, path: str):
        self.path = os.fspath(path)
        if not os.path.exists(self.path):
            raise InputOutputError([Diagnostic(self.path, 0, 0, "cannot read the file: No such file or directory")])
        uri = "file:" + os.path.abspath(self.path) + "?mode=ro"
        self._db = sqlite3.connect(uri, uri=True)
        try:
            version = self._db.execute("PRAGMA user_version").fetchone()[0]
            tables = set(self.tables)
        except sqlite3.DatabaseError as e:
            self._db.close()
            raise ScenarioError([Diagnostic(self.path, 0, 0, f"not a unionstate results database ({e}); expected "
                                            "a file written by `unionstate ensemble --store`")]) from None
        if version < 1 or "ensembles" not in tables:
            self._db.close()
            raise ScenarioError([Diagnostic(self.path, 0, 0, "not a unionstate results database; expected a file "
                                            "written by `unionstate ensemble --store`")])

    @property
    def tables(self) -> List[str]:
        """The tables the file holds."""
        rows = self._db.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        return [r[0] for r in rows]

    def query(self, sql: str, params=()):
        """The result of any SELECT as a DataFrame."""
        import pandas as pd

        return pd.read_sql_query(sql, self._db, params=params)

    def table(self, name: str):
        """A whole table as stored."""
        if name not in self.tables:
            raise KeyError(f"no table {name!r}; the file holds {', '.join(self.tables)}")
        return self.query(f'SELECT * FROM "{name}"')

    @property
    def ensembles(self):
        """One row per ensemble (scenario_text left out: see table())."""
        columns = [c[1] for c in self._db.execute("PRAGMA table_info(ensembles)") if c[1] != "scenario_text"]
        return self.query("SELECT " + ", ".join(f'"{c}"' for c in columns) + " FROM ensembles ORDER BY id")

    @property
    def outcomes(self):
        """One row per ensemble, run and issue, the issue by id."""
        return self.query(
            "SELECT o.ensemble_id, o.run, i.id AS issue, o.outcome, o.agreement, o.blocking "
            "FROM outcomes o JOIN issues i ON i.ensemble_id = o.ensemble_id AND i.idx = o.issue "
            "ORDER BY o.ensemble_id, o.run, o.issue")

    @property
    def summaries(self):
        """One row per ensemble and issue, the issue by id."""
        return self.query(
            "SELECT s.ensemble_id, i.id AS issue, s.runs, s.mean, s.sd, s.q05, s.q25, s.q50, s.q75, "
            "s.q95, s.p_agreement, s.p_blocking, s.src, s.src_r2, s.sobol FROM summaries s JOIN issues i "
            "ON i.ensemble_id = s.ensemble_id AND i.idx = s.issue ORDER BY s.ensemble_id, s.issue")

    @property
    def draws(self):
        """One row per ensemble, run and input, the input by name."""
        return self.query(
            "SELECT d.ensemble_id, d.run, n.name AS input, d.value FROM draws d JOIN inputs n "
            "ON n.ensemble_id = d.ensemble_id AND n.idx = d.input ORDER BY d.ensemble_id, d.run, d.input")

    def close(self) -> None:
        self._db.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self) -> str:
        n = self._db.execute("SELECT count(*) FROM ensembles").fetchone()[0]
        return f"<unionstate.Results {self.path!r}: {n} ensembles>"


def open_results(path) -> Results:
    """Opens a results database written by ``unionstate ensemble --store`` or
    ``unionstate.ensemble(store=...)`` read-only."""
    return Results(path)
