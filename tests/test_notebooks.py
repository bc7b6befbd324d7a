"""Notebooks run top to bottom on the bundled synthetic data (through papermill, with their
parameters), and are committed clean: numbered, with a parameters cell, without outputs."""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import papermill as pm
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
PACKAGED = sorted((ROOT / "srs_analytics").rglob("*.ipynb"))
#: Parameters each notebook is run with in the tests ({} runs its defaults).
PARAMETERS = {"02_client_view.ipynb": {"CLINICIAN": "T03", "CLIENT": "C00092"},
              "03_caseload.ipynb": {"START": "2025-04-01", "SUPPRESS_BELOW": 20},
              # a few bootstrap resamples keep the suite quick; a paper takes the default
              "04_alliance_vs_outcome.ipynb": {"N_BOOT": 200}}
#: Per notebook: the figures it draws (PNG outputs) and text its outputs must hold.
EXPECTED = {
    "03_caseload.ipynb": (4, ["From 1 Apr 2025: ", "need attention", "<20", "too few cases"]),
    "04_alliance_vs_outcome.ipynb": (10, ["estimates from 300 clients", "srs_within",
                                          "es_by_pattern", "ceiling_raters"]),
    "05_couples_families_groups.ipynb": (3, ["10 couples or families, 1 group(s)",
                                             "split_alliance", "self_reliable_change"]),
}


def _outputs(nb, kind):
    return [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
            if kind in o.get("data", {})]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs(path, tmp_path, monkeypatch):
    monkeypatch.delenv("MPLBACKEND", raising=False)  # the kernel draws inline, as for a user
    out = tmp_path / path.name
    pm.execute_notebook(str(path), str(out), parameters=PARAMETERS.get(path.name, {}),
                        kernel_name="python3", cwd=str(path.parent), progress_bar=False,
                        execution_timeout=300)
    nb = nbformat.read(out, as_version=4)
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
              if o.get("output_type") == "error"]
    assert not errors
    if path.name == "02_client_view.ipynb":
        assert _outputs(nb, "application/vnd.jupyter.widget-view+json")  # the view
        assert len(_outputs(nb, "image/png")) == 2  # the client chart and the items chart
        text = "".join("".join(o.get("text", "")) for c in nb.cells if c.cell_type == "code"
                       for o in c.get("outputs", []))
        assert "SRS total: " in text  # the note line of C00092
        injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
        assert "C00092" in injected[0].source
    if path.name in EXPECTED:
        figures, words = EXPECTED[path.name]
        assert len(_outputs(nb, "image/png")) == figures
        text = "".join("".join(o.get("text", "")) + "".join(
            o.get("data", {}).get("text/plain", "")) + "".join(
            o.get("data", {}).get("text/html", "")) for c in nb.cells if c.cell_type == "code"
            for o in c.get("outputs", []))
        assert all(w in text for w in words), [w for w in words if w not in text]
        if path.name != "04_alliance_vs_outcome.ipynb":  # the explorer, the couples view
            assert _outputs(nb, "application/vnd.jupyter.widget-view+json")


@pytest.mark.parametrize("path", NOTEBOOKS + PACKAGED, ids=lambda p: p.name)
def test_notebook_is_committed_without_outputs(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            assert not cell.get("outputs") and not cell.get("execution_count")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebooks_are_numbered_with_a_parameters_cell_and_start_with_markdown(path):
    assert re.fullmatch(r"\d\d_[a-z_]+\.ipynb", path.name)
    nb = nbformat.read(path, as_version=4)
    assert nb.cells[0].cell_type == "markdown"
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1 and tagged[0].cell_type == "code"
    assert "sample" in tagged[0].source  # defaults to the bundled sample
