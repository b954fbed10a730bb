"""Shared fixtures: the built package (build/python, or $UNIONSTATE_BUILD_DIR/python),
the command-line program beside it, the repository and the oracle data
(../shared, or $UNIONSTATE_SHARED_DIR)."""

import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("UNIONSTATE_BUILD_DIR", os.path.join(ROOT, "build"))
PACKAGE = os.path.join(BUILD, "python")
CLI = os.path.join(BUILD, "unionstate")
SHARED = os.environ.get("UNIONSTATE_SHARED_DIR", os.path.join(os.path.dirname(ROOT), "shared"))

if not os.path.exists(os.path.join(PACKAGE, "unionstate", "__init__.py")):
    raise RuntimeError(f"the unionstate package is not built in {PACKAGE}; run ./scripts/build.sh")
sys.path.insert(0, PACKAGE)
# Kernels started by the notebook test import the same build.
os.environ["PYTHONPATH"] = PACKAGE + os.pathsep + os.environ.get("PYTHONPATH", "")
os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")  # a debugger warning in kernels


def cli(*args, check=True):
    """Runs the command-line program; returns (exit status, stdout, stderr)."""
    done = subprocess.run([CLI, *args], capture_output=True, text=True, cwd=ROOT)
    if check and done.returncode != 0:
        raise AssertionError(f"unionstate {' '.join(args)} exited {done.returncode}: {done.stderr}")
    return done.returncode, done.stdout, done.stderr


@pytest.fixture
def root():
    return ROOT


def shared(*parts):
    path = os.path.join(SHARED, *parts)
    if not os.path.exists(path):
        pytest.fail(f"oracle data missing: {path} (set UNIONSTATE_SHARED_DIR)")
    return path
