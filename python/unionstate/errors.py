"""Exceptions raised by unionstate.

Every mistake in an input (a scenario file, a table, an observed-outcomes
file, a model specification) raises a subclass of :class:`UnionstateError`
that carries all the mistakes found, each with where it was found and what was
expected::

    try:
        us.load_scenario("my-scenario.toml")
    except us.ScenarioError as e:
        print(e.file, e.line, e.column, e.expected)
        for d in e.diagnostics:
            print(d)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import List, Optional


@dataclass(frozen=True)
class Diagnostic:
    """One mistake: where (file, 1-based line and column; 0 when unknown) and
    what is wrong. ``expected`` is the part of the message after
    "; expected ", or "" when the message has none."""

    file: str
    line: int
    column: int
    message: str

    @property
    def expected(self) -> str:
        head, sep, tail = self.message.partition("; expected ")
        return tail if sep else ""

    def __str__(self) -> str:
        where = self.file
        if self.file and self.line:
            where += f":{self.line}"
            if self.column:
                where += f":{self.column}"
        return f"{where}: {self.message}" if where else self.message


class UnionstateError(Exception):
    """Base class. ``diagnostics`` lists every mistake; ``file``, ``line``,
    ``column``, ``message`` and ``expected`` are those of the first."""

    def __init__(self, diagnostics: List[Diagnostic]):
        self.diagnostics = list(diagnostics)
        super().__init__("\n".join(str(d) for d in self.diagnostics))

    def _first(self) -> Optional[Diagnostic]:
        return self.diagnostics[0] if self.diagnostics else None

    @property
    def file(self) -> str:
        d = self._first()
        return d.file if d else ""

    @property
    def line(self) -> int:
        d = self._first()
        return d.line if d else 0

    @property
    def column(self) -> int:
        d = self._first()
        return d.column if d else 0

    @property
    def message(self) -> str:
        d = self._first()
        return d.message if d else ""

    @property
    def expected(self) -> str:
        d = self._first()
        return d.expected if d else ""


class ScenarioError(UnionstateError, ValueError):
    """An input file or table is wrong (a scenario, observed outcomes, a
    results database that is not one)."""


class ArgumentError(UnionstateError, ValueError):
    """A value passed in is wrong: a model specification, a perturbation, a
    built-in name, runs < 1."""


class InputOutputError(UnionstateError, OSError):
    """A file could not be read or written."""


class ComputationError(UnionstateError, RuntimeError):
    """A model or computation could not produce a result."""


_KINDS = {
    "invalid_input": ScenarioError,
    "invalid_argument": ArgumentError,
    "io": InputOutputError,
    "failed": ComputationError,
}


def _from_core(kind: str, diagnostics) -> UnionstateError:
    """Called by unionstate._core to build the exception for a library
    Error."""
    return _KINDS[kind]([Diagnostic(*d) for d in diagnostics])
