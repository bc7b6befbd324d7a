"""Engines' fixtures: one Dask cluster and one Spark session for the whole run, and the
data sets they read. All data here is synthetic.

The engines are extras: where Dask or Spark (or Java, for Spark) is missing, their tests
are skipped with a message saying how to install them; under CI=true they must run.
"""

from __future__ import annotations

import os
import shutil
import sys
import warnings

import pandas as pd
import pytest

import srs_analytics as srs
from srs_analytics.io.writers import write_canonical

CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _missing(why: str):
    if CI:
        pytest.fail(f"{why} (CI runs every engine test)")
    pytest.skip(why)


@pytest.fixture(scope="session")
def dask_scheduler():
    """The address of a local Dask cluster of 2 worker processes (127.0.0.1)."""
    try:
        import dask.dataframe  # noqa: F401
        from distributed import LocalCluster
    except ImportError:
        _missing("Dask is not installed: pip install 'srs-analytics[dask]'")
    import logging

    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                           host="127.0.0.1", dashboard_address=None,
                           silence_logs=logging.ERROR)
    yield cluster.scheduler_address
    cluster.close()


@pytest.fixture(scope="session")
def spark_session():
    """A Spark session on local[2], shared by the tests (the engine leaves it running)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from pyspark.sql import SparkSession
    except ImportError:
        _missing("Spark is not installed: pip install 'srs-analytics[spark]'")
    if not (os.environ.get("JAVA_HOME") or shutil.which("java")):
        _missing("Spark needs Java 17: apt-get install openjdk-17-jre-headless")
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    spark = (SparkSession.builder.master("local[2]").appName("srs-analytics-tests")
             .config("spark.ui.enabled", "false")
             .config("spark.ui.showConsoleProgress", "false")
             .config("spark.driver.host", "127.0.0.1")
             .config("spark.sql.shuffle.partitions", "4")
             .config("spark.sql.session.timeZone", "UTC")
             .config("spark.sql.execution.arrow.pyspark.enabled", "true").getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    yield spark
    spark.stop()


@pytest.fixture(scope="session")
def sample_dataset(tmp_path_factory):
    """The bundled sample as a Parquet data set by clinician and month (104 files)."""
    folder = tmp_path_factory.mktemp("sample") / "sample"
    write_canonical(srs.load_sample(), folder, partition_by="clinician,month")
    return folder


@pytest.fixture(scope="session")
def simulated_dataset(tmp_path_factory):
    """A simulated caseload with couples, families and groups, by clinician."""
    folder = tmp_path_factory.mktemp("simulated") / "simulated"
    data = srs.simulate(1200, seed=3)
    write_canonical(data, folder, partition_by="clinician")
    return folder


@pytest.fixture(scope="session")
def messy_dataset(tmp_path_factory):
    """A data set of three files with what the loader rejects, skips, finds twice and
    finds in conflict: an impossible total, an item out of range, no client, a row
    marked not administered, the same administration in two files (a duplicate), and the
    same administration with other scores in two files (a conflict)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    data = srs.load_sample().drop(columns=["source_file", "source_row"])
    for c in data.columns:
        if isinstance(data[c].dtype, pd.CategoricalDtype):
            data[c] = data[c].astype("str")
    data["skip"] = pd.Series(pd.NA, index=data.index, dtype="str")
    a, b, c = data.iloc[:1200].copy(), data.iloc[1200:2400].copy(), data.iloc[2400:].copy()
    a.loc[a.index[3], "total"] = 55.0  # impossible
    a.loc[a.index[7], "item_2"] = 14.0  # out of range
    b.loc[b.index[5], "client_id"] = None  # no client
    b.loc[b.index[9], "skip"] = "Y"  # not administered
    dup = a.iloc[[20, 21]]  # found again in the last file: duplicates
    other = a.iloc[[30]].copy()  # the same administration, other scores: a conflict
    other["item_1"] = (other["item_1"] - 1).clip(lower=0)
    other["total"] = other[["item_1", "item_2", "item_3", "item_4"]].sum(axis=1)
    c = pd.concat([c, dup, other], ignore_index=True)
    folder = tmp_path_factory.mktemp("messy") / "messy"
    folder.mkdir()
    for i, part in enumerate((a, b, c)):
        pq.write_table(pa.Table.from_pandas(part, preserve_index=False),
                       folder / f"part-{i}.parquet")
    return folder
