"""examples/union_state.ipynb runs, cell by cell, in a fresh kernel."""

import os

import nbformat
from nbclient import NotebookClient

from conftest import ROOT


def test_the_example_notebook_runs():
    path = os.path.join(ROOT, "examples", "union_state.ipynb")
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": ROOT}}).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    text = "".join(str(o.get("data", {}).get("text/plain", "")) for o in outputs)
    assert "gas_price" in text and "MAE % of scale" in text
    assert any("image/png" in o.get("data", {}) for o in outputs)
