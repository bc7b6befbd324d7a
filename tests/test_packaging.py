"""The package as a user installs it: the wheel carries the sample, the demo runs outside the
repository, and importing the package loads no plotting or widget library."""

from __future__ import annotations

import importlib
import os
import pkgutil
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import srs_analytics

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps",
                    "--no-build-isolation", "-q", "-w", str(out)], check=True, timeout=300,
                   capture_output=True)
    return next(out.glob("srs_analytics-*.whl"))


def test_the_wheel_carries_the_sample_and_no_repository_files(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    assert "srs_analytics/datasets/caseload.csv" in names
    assert "srs_analytics/datasets/messy_export.csv" in names
    assert "srs_analytics/io/loader.py" in names
    # the report templates and the dashboard notebook travel with the package
    assert {"srs_analytics/app/templates/client.html", "srs_analytics/app/templates/base.html",
            "srs_analytics/app/templates/_macros.html",
            "srs_analytics/app/templates/_components.css",
            "srs_analytics/app/templates/caseload.html",
            "srs_analytics/app/dashboard.ipynb"} <= set(names)
    assert not [n for n in names if n.startswith(("data/", "tests/", "notebooks/"))]


def test_the_demo_runs_from_the_installed_wheel_outside_the_repository(wheel, tmp_path):
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target",
                    str(target), str(wheel)], check=True, timeout=300, capture_output=True)
    work = tmp_path / "elsewhere"
    work.mkdir()
    env = {**os.environ, "PYTHONPATH": str(target)}
    out = subprocess.run([sys.executable, "-c", "import srs_analytics, sys; "
                          "print(srs_analytics.__file__); from srs_analytics.cli import main; "
                          "sys.exit(main(['demo', '-o', 'out']))"],
                         cwd=work, env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines()[0].startswith(str(target))
    assert "SYNTHETIC" in out.stdout and "3537" in out.stdout
    assert (work / "out" / "clients.csv").exists() and (work / "out" / "exports").is_dir()
    page = out.stdout.split("for people who do not open Jupyter")[1].split(": ", 1)[1]
    page = page.splitlines()[0].strip()
    assert page.endswith(".html") and Path(page).is_file()
    assert "data:image/png;base64," in Path(page).read_text()
    report = out.stdout.split("The caseload report for the director")[1].split("offline): ")[1]
    report = Path(report.splitlines()[0].strip())
    assert report.name == "index.html" and report.is_file()
    html = report.read_text()
    assert html.count("data:image/png;base64,") == 4 and "Who needs attention" in html
    linked = re.findall(r'href="(client_[^"]+\.html)"', html)
    assert linked and all((report.parent / name).is_file() for name in linked)


def test_import_loads_no_plotting_widget_or_jupyter_library():
    code = ("import sys, srs_analytics; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('matplotlib', 'seaborn', 'ipywidgets', 'jupyter', 'jupyterlab', 'IPython', "
            "'voila', 'notebook')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=60)
    assert out.stdout.strip() == "[]"


def test_charts_and_reports_load_no_jupyter_server_or_kernel():
    # (seaborn itself imports ipywidgets when it is installed, for its own widgets)
    code = ("import sys, srs_analytics.plotting, srs_analytics.app.reports; "
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'jupyter_server', "
            "'jupyterlab', 'voila', 'notebook', 'ipykernel', 'papermill'}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=120)
    assert out.stdout.strip() == "[]"


def test_no_module_is_hidden_by_a_function_of_the_same_name():
    for info in pkgutil.walk_packages(srs_analytics.__path__, "srs_analytics."):
        module = importlib.import_module(info.name)
        parent, _, name = info.name.rpartition(".")
        assert getattr(importlib.import_module(parent), name) is module, info.name
