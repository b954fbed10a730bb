"""The results database (docs/results-schema.md) opened as DataFrames.

    r = us.open_results("results.db")
    r.ensembles          # one row per ensemble
    r.outcomes           # ensemble_id, run, issue (id), outcome, agreement, blocking
    r.summaries          # per ensemble and issue: quantiles, p_agreement, ...
    r.draws              # ensemble_id, run, input (name), value
    r.table("batches")   # any table as it is stored

The file is opened read-only with Python's sqlite3; nothing is written. Schema
2 (docs/results-schema.md) keeps one row of packed little-endian arrays per
batch of runs; `outcomes` unpacks them with NumPy. The drawn inputs are
stored only with --store-draws; otherwise `draws` draws them again, bit for
bit, from the ensemble's scenario text, perturbation and (seed, run), in C++.
"""

from __future__ import annotations

import os
import sqlite3
from typing import List, Tuple

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
        if version != 2 or "ensembles" not in tables or "batches" not in tables:
            self._db.close()
            raise ScenarioError([Diagnostic(self.path, 0, 0, f"not a unionstate results database of schema 2 "
                                            f"(user_version {version}); expected a file written by "
                                            "`unionstate ensemble --store` of this version")])

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
        """One row per ensemble, run and issue, the issue by id; blocking holds
        the ids of the blockers joined by ';'."""
        import numpy as np
        import pandas as pd

        frames = []
        for ensemble_id, issues in self._issues().items():
            n_issues = len(issues)
            rows = self._db.execute(
                "SELECT first_run, runs, outcomes, agreement, blocking FROM batches WHERE ensemble_id = ? "
                "ORDER BY first_run", (ensemble_id,))
            for first_run, runs, outcomes, agreement, blocking in rows:
                cells = runs * n_issues
                outcome = np.frombuffer(outcomes, "<f8", count=cells)
                agreed = np.unpackbits(np.frombuffer(agreement, np.uint8), bitorder="little")[:cells].astype(bool)
                blockers = [[] for _ in range(cells)]
                for cell, name in _blocking(blocking):
                    blockers[cell].append(name)
                frames.append(pd.DataFrame({
                    "ensemble_id": np.full(cells, ensemble_id, dtype=np.int64),
                    "run": np.repeat(np.arange(first_run, first_run + runs, dtype=np.int64), n_issues),
                    "issue": np.tile(np.array(issues, dtype=object), runs),
                    "outcome": outcome,
                    "agreement": agreed,
                    "blocking": [";".join(b) for b in blockers],
                }))
        if not frames:
            return pd.DataFrame({"ensemble_id": [], "run": [], "issue": [], "outcome": [], "agreement": [],
                                 "blocking": []})
        return pd.concat(frames, ignore_index=True)

    def _issues(self):
        issues = {}
        for ensemble_id, issue in self._db.execute("SELECT ensemble_id, id FROM issues ORDER BY ensemble_id, idx"):
            issues.setdefault(ensemble_id, []).append(issue)
        for (ensemble_id,) in self._db.execute("SELECT id FROM ensembles ORDER BY id"):
            issues.setdefault(ensemble_id, [])
        return dict(sorted(issues.items()))

    @property
    def summaries(self):
        """One row per ensemble and issue, the issue by id."""
        return self.query(
            "SELECT s.ensemble_id, i.id AS issue, s.runs, s.mean, s.sd, s.q05, s.q25, s.q50, s.q75, "
            "s.q95, s.p_agreement, s.p_blocking, s.src, s.src_r2, s.sobol FROM summaries s JOIN issues i "
            "ON i.ensemble_id = s.ensemble_id AND i.idx = s.issue ORDER BY s.ensemble_id, s.issue")

    @property
    def draws(self):
        """One row per ensemble, run and input, the input by name: read from
        the file (--store-draws) or drawn again from (seed, run)."""
        import numpy as np
        import pandas as pd

        from . import _core

        frames = []
        for (ensemble_id,) in self._db.execute("SELECT id FROM ensembles ORDER BY id").fetchall():
            names = [r[0] for r in self._db.execute(
                "SELECT name FROM inputs WHERE ensemble_id = ? ORDER BY idx", (ensemble_id,))]
            run, values = _core.stored_draws(self.path, ensemble_id)
            frames.append(pd.DataFrame({
                "ensemble_id": np.full(values.size, ensemble_id, dtype=np.int64),
                "run": np.repeat(run, len(names)),
                "input": np.tile(np.array(names, dtype=object), len(run)),
                "value": values.reshape(-1),
            }))
        if not frames:
            return pd.DataFrame({"ensemble_id": [], "run": [], "input": [], "value": []})
        return pd.concat(frames, ignore_index=True)

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


def _varint(data: bytes, at: int) -> Tuple[int, int]:
    value = shift = 0
    while True:
        byte = data[at]
        at += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return value, at


def _blocking(data: bytes):
    """(cell, name) pairs of a batch's `blocking` blob (docs/results-schema.md)."""
    if not data:
        return
    at = 0
    count, at = _varint(data, at)
    names = []
    for _ in range(count):
        length, at = _varint(data, at)
        names.append(data[at:at + length].decode("utf-8"))
        at += length
    entries, at = _varint(data, at)
    for _ in range(entries):
        cell, at = _varint(data, at)
        name, at = _varint(data, at)
        yield cell, names[name]
