"""``--engine dask`` and ``--engine spark`` on the command line: the same files as with
pandas, and a clear message (exit 2, no traceback) for what cannot run. Synthetic data."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import srs_analytics as srs
from srs_analytics.cli import main

BIN = Path(sys.executable).parent


def cli(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("engine", ["dask", "spark"])
@pytest.mark.parametrize("command", [["alerts"], ["caseload", "--by", "clinician,month"],
                                     ["couples", "--table", "episodes"],
                                     ["research-export", "--key-file", "{key}"]])
def test_the_same_file_as_pandas(command, engine, sample_dataset, tmp_path, capsys, request):
    key = tmp_path / "research.key"
    key.write_text("f3a1c9e04b7d2a6e8c5f1b3d9e7a2c4f6b8d0e1a3c5e7f9b2d4f6a8c0e2b4d6\n")
    command = [str(key) if c == "{key}" else c for c in command]
    if engine == "dask":
        options = ["--engine", "dask", "--scheduler", request.getfixturevalue("dask_scheduler")]
    else:
        request.getfixturevalue("spark_session")
        options = ["--engine", "spark", "--master", "local[2]"]
    code, said, _ = cli(capsys, command[0], sample_dataset, *command[1:], "-o",
                        tmp_path / "pandas.csv")
    assert code == 0
    code, said_engine, err = cli(capsys, command[0], sample_dataset, *command[1:], *options,
                                 "-o", tmp_path / "engine.csv")
    assert code == 0, err
    assert (tmp_path / "engine.csv").read_bytes() == (tmp_path / "pandas.csv").read_bytes()
    assert said_engine.splitlines()[0].replace("engine", "pandas") == said.splitlines()[0]


def test_a_file_with_other_columns_is_named(sample_dataset, tmp_path, capsys):
    folder = tmp_path / "odd"
    folder.mkdir()
    data = srs.load_sample().iloc[:100]
    data = data.assign(**{c: data[c].astype("str") for c in data.columns
                          if isinstance(data[c].dtype, pd.CategoricalDtype)})
    pq.write_table(pa.Table.from_pandas(data, preserve_index=False), folder / "a.parquet")
    pq.write_table(pa.Table.from_pandas(data.drop(columns=["site"]), preserve_index=False),
                   folder / "b.parquet")
    code, _, err = cli(capsys, "clients", folder, "--engine", "dask", "-o",
                       tmp_path / "out.csv")
    assert code == 2
    assert "odd/b.parquet" in err and "lacks site" in err and "Traceback" not in err


def test_a_scheduler_that_does_not_answer(sample_dataset, tmp_path, capsys):
    import socket

    with socket.socket() as s:  # a port on which nothing listens
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    code, _, err = cli(capsys, "alerts", sample_dataset, "--engine", "dask", "--scheduler",
                       f"tcp://127.0.0.1:{port}", "--timeout", "2", "-o", tmp_path / "a.csv")
    assert code == 2
    assert f"tcp://127.0.0.1:{port} did not answer within 2 s" in " ".join(err.split())


@pytest.mark.parametrize("engine, module, extra", [("dask", "distributed", "[dask]"),
                                                   ("spark", "pyspark", "[spark]")])
def test_an_engine_not_installed(engine, module, extra, sample_dataset, tmp_path, capsys,
                                 monkeypatch):
    for name in [m for m in sys.modules if m == module or m.startswith(module + ".")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, module, None)  # import fails as if not installed
    code, _, err = cli(capsys, "groups", sample_dataset, "--engine", engine)
    assert code == 2
    assert f"pip install 'srs-analytics{extra}'" in " ".join(err.split())


def test_spark_without_java(sample_dataset, tmp_path):
    """A fresh process with no java on its PATH and no JAVA_HOME."""
    env = {k: v for k, v in os.environ.items() if k != "JAVA_HOME"}
    env["PATH"] = str(BIN)
    proc = subprocess.run([str(BIN / "srs-analytics"), "groups", str(sample_dataset),
                           "--engine", "spark"], capture_output=True, text=True, env=env,
                          timeout=120)
    assert proc.returncode == 2
    err = " ".join(proc.stderr.split())
    assert "Spark needs Java 17" in err and "openjdk-17-jre-headless" in err
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize("argv, words", [
    (["caseload", "{data}", "--table", "comparison", "--engine", "dask", "-o", "{out}"],
     "--table comparison runs on the pandas engine only"),
    (["alerts", "{data}", "--engine", "dask", "--master", "local[2]"],
     "--master is for --engine spark"),
    (["alerts", "{data}", "--engine", "spark", "--workers", "2"],
     "are for --engine dask"),
    (["alerts", "{data}", "--engine", "dask", "--workers", "0"], "--workers must be 1 or more"),
])
def test_options_that_do_not_fit(argv, words, sample_dataset, tmp_path, capsys):
    argv = [str(sample_dataset) if a == "{data}" else str(tmp_path / "o.csv") if a == "{out}"
            else a for a in argv]
    code, _, err = cli(capsys, *argv)
    assert code == 2
    assert words in " ".join(err.split())
