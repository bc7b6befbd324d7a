"""The Spark engine: ``local[*]``, a cluster's master, or a Spark Connect address.

The files of a data set are read by the executors (``mapInPandas`` over the list of
files), each row given its unit's bucket (the unit table is broadcast), and the loader
runs on each bucket through ``groupBy("_bucket").applyInPandas``; the loaded rows are
written by Spark to the working folder. The parameters and the command then run through
``groupBy("_bucket").applyInPandas`` with their output schema declared once (taken from
the command's table on a few units). Spark's Python workers run this interpreter
(``PYSPARK_PYTHON``).
"""

from __future__ import annotations

import os
import shutil
import sys
import threading
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from ..io import LoadError
from . import _read

_FATE = "_fate"


def _java() -> str | None:
    home = os.environ.get("JAVA_HOME")
    if home and (Path(home) / "bin" / "java").exists():
        return str(Path(home) / "bin" / "java")
    return shutil.which("java")


class SparkEngine:
    """A Spark session; ``close`` stops it when it started it."""

    name = "spark"

    def __init__(self, *, master=None, timeout=30, progress=False):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", FutureWarning)  # pandas 3: see docs
                import pyspark  # noqa: F401
                from pyspark.sql import SparkSession
        except ImportError:
            raise LoadError("The Spark engine is not installed: pip install "
                            "'srs-analytics[spark]' (Spark also needs Java 17).") from None
        master = master or "local[*]"
        remote = master.startswith("sc://")
        if not remote and _java() is None:
            raise LoadError("Spark needs Java 17, and no java was found (JAVA_HOME or "
                            "PATH). On Debian or Ubuntu: apt-get install "
                            "openjdk-17-jre-headless.")
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
        self.progress = progress
        active = SparkSession.getActiveSession()
        self.own = active is None  # a session the caller started is left running
        if active is not None:
            self.spark = active
            self.workers = self._parallelism()
            return
        builder = SparkSession.builder.appName("srs-analytics")
        if remote:
            builder = builder.remote(master)
        else:
            builder = (builder.master(master)
                       .config("spark.ui.enabled", "false")
                       .config("spark.ui.showConsoleProgress", str(bool(progress)).lower())
                       .config("spark.driver.host", os.environ.get("SPARK_LOCAL_IP",
                                                                   "127.0.0.1"))
                       .config("spark.sql.shuffle.partitions", "8")
                       # the command's table comes back to the driver: local mode's 1 GB
                       # heap is too small for the alerts of 10 million administrations
                       .config("spark.driver.memory",
                               os.environ.get("SRS_SPARK_DRIVER_MEMORY", "4g"))
                       .config("spark.driver.maxResultSize", "0"))
        builder = (builder.config("spark.sql.session.timeZone", "UTC")
                   .config("spark.sql.execution.arrow.pyspark.enabled", "true"))
        self.spark = _within(timeout, builder.getOrCreate, master)
        if not remote:
            self.spark.sparkContext.setLogLevel("ERROR")
        self.workers = self._parallelism()
        self.spark.conf.set("spark.sql.shuffle.partitions", str(self.workers * 4))

    def _parallelism(self) -> int:
        try:
            return max(1, int(self.spark.sparkContext.defaultParallelism))
        except Exception:  # Spark Connect has no SparkContext: the executors' cores
            return max(1, int(self.spark.conf.get("spark.default.parallelism", "2")))

    def close(self):
        if self.own:
            self.spark.stop()

    # -- the steps -----------------------------------------------------------------------
    def _files(self, src):
        n = len(src.paths)
        files = self.spark.createDataFrame(pd.DataFrame({"i": np.arange(n, dtype=np.int64)}))
        return files.repartition(max(1, min(n, self.workers * 4)))

    def links(self, src) -> pd.DataFrame:
        cols = [c for c in ("client_id", "episode_id", "group_id") if c in src.columns]

        def read(batches):
            for b in batches:
                for i in b["i"]:
                    yield _read.links(_read.read_file(src, int(i), cols))
        schema = ", ".join(f"{c} string" for c in cols)
        out = self._files(src).mapInPandas(read, schema).distinct()
        return out.toPandas()

    def parts(self, rows: int) -> int:
        """Files of a table the driver loaded: at least 4 per core."""
        return self.workers * 4

    def load(self, src, table, buckets, load_options, workdir: Path, rows: int):
        meta = _read.read_file(src, 0).iloc[:0].assign(_bucket=pd.Series(dtype="int64"))
        raw_schema = spark_schema(meta)
        units = self.spark.sparkContext.broadcast(table)

        def read(batches):
            for b in batches:
                for i in b["i"]:
                    frame = _read.with_bucket(_read.read_file(src, int(i)), units.value,
                                              buckets)
                    yield to_spark(frame)
        rows = self._files(src).mapInPandas(read, raw_schema)
        loaded_meta = _read.empty_canonical().assign(
            _bucket=pd.Series(dtype="int64"), _fate=pd.Series(dtype="str"),
            _n=pd.Series(dtype="int64"))

        def load(frame):
            bucket = int(frame["_bucket"].iloc[0]) if len(frame) else 0
            raw = from_spark(frame, meta)
            data, counts = _read.load_partition(raw, src, load_options)
            data = data.assign(_bucket=np.int64(bucket), _fate="loaded", _n=np.int64(1))
            others = pd.DataFrame({"_bucket": np.int64(bucket),
                                   _FATE: [k for k in _read.FATES if k != "loaded"],
                                   "_n": [counts[k] for k in _read.FATES if k != "loaded"]})
            return to_spark(pd.concat([data, others], ignore_index=True))
        out = rows.groupBy("_bucket").applyInPandas(load, spark_schema(loaded_meta))
        path = str(workdir / "spark")
        out.write.mode("overwrite").parquet(path)
        written = self.spark.read.parquet(path)
        counts = {r[_FATE]: int(r["n"]) for r in
                  written.groupBy(_FATE).agg({"_n": "sum"}).withColumnRenamed(
                      "sum(_n)", "n").collect()}
        return path, {k: counts.get(k, 0) for k in _read.FATES}

    def put(self, frame: pd.DataFrame, parts: int, workdir: Path):
        path = workdir / "spark"
        path.mkdir(parents=True, exist_ok=True)
        frame = to_spark(frame.assign(_fate="loaded", _n=np.int64(1)))
        _read.write_parts(frame, parts, path)
        return str(path)

    def map(self, func, path, meta: pd.DataFrame) -> pd.DataFrame:
        canon = _read.empty_canonical()

        def apply(frame):
            rows = frame[frame[_FATE] == "loaded"] if _FATE in frame else frame
            data = from_spark(rows.drop(columns=["_bucket", _FATE, "_n"], errors="ignore"),
                              canon)
            return to_spark(func(data))
        df = self.spark.read.parquet(path)
        out = df.groupBy("_bucket").applyInPandas(apply, spark_schema(meta))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            table = out.toPandas()
        return from_spark(table, meta)


def _within(timeout, start, master):
    """``start()`` within ``timeout`` seconds, else a LoadError naming the master."""
    box = {}

    def go():
        try:
            box["session"] = start()
        except Exception as exc:  # reported below, in words
            box["error"] = exc
    thread = threading.Thread(target=go, daemon=True)
    thread.start()
    thread.join(timeout)
    if "session" in box:
        return box["session"]
    why = (f"it did not answer within {timeout:g} s" if thread.is_alive() else
           f"{type(box['error']).__name__}: {str(box['error']).splitlines()[0][:200]}")
    raise LoadError(f"Spark could not start with master {master} ({why}). Check the "
                    "address (local[*], spark://host:7077, sc://host:15002) and that the "
                    "cluster runs.")


# --------------------------------------------------------------------------- types
def _arrow_type(s: pd.Series) -> pa.DataType:
    dtype = s.dtype
    if isinstance(dtype, pd.CategoricalDtype) or pd.api.types.is_string_dtype(dtype) and \
            not pd.api.types.is_object_dtype(dtype):
        return pa.string()
    if pd.api.types.is_bool_dtype(dtype):
        return pa.bool_()
    if pd.api.types.is_integer_dtype(dtype):
        return pa.int64()
    if pd.api.types.is_float_dtype(dtype):
        return pa.float64()
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return pa.timestamp("us")
    values = s.dropna()
    if not len(values):
        return pa.string()
    try:
        t = pa.array(values.to_numpy(dtype=object)).type
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return pa.string()
    return {pa.int8(): pa.int64(), pa.int32(): pa.int64()}.get(t, t)


def spark_schema(frame: pd.DataFrame):
    """The Spark schema of a frame's columns (text, categoricals: string)."""
    from pyspark.sql.pandas.types import from_arrow_type
    from pyspark.sql.types import StructField, StructType, TimestampNTZType

    fields = []
    for col in frame.columns:
        t = _arrow_type(frame[col])
        st = TimestampNTZType() if pa.types.is_timestamp(t) else from_arrow_type(t)
        fields.append(StructField(str(col), st, True))
    return StructType(fields)


def to_spark(frame: pd.DataFrame) -> pd.DataFrame:
    """A frame Spark's Arrow conversion takes: categoricals and text as Python text."""
    out = {}
    for col in frame.columns:
        s = frame[col]
        if isinstance(s.dtype, pd.CategoricalDtype) or (
                pd.api.types.is_string_dtype(s.dtype) and not
                pd.api.types.is_object_dtype(s.dtype)):
            s = pd.Series(s.astype(object).where(s.notna(), None).to_numpy(dtype=object),
                          index=frame.index)
        elif pd.api.types.is_datetime64_any_dtype(s.dtype):
            s = s.astype("datetime64[us]")
        out[col] = s
    return pd.DataFrame(out, index=frame.index)


def from_spark(frame: pd.DataFrame, meta: pd.DataFrame) -> pd.DataFrame:
    """A frame from Spark with the columns and types of ``meta`` (categoricals again)."""
    out = {}
    for col in meta.columns:
        if col not in frame.columns:
            continue
        s, want = frame[col], meta[col].dtype
        try:
            if isinstance(want, pd.CategoricalDtype):
                cats = list(want.categories) if want.ordered else sorted(
                    set(want.categories.astype(str)) | set(s.dropna().astype(str)))
                s = pd.Series(pd.Categorical(s.astype(object).where(s.notna(), None),
                                             categories=cats, ordered=want.ordered),
                              index=frame.index)
            elif pd.api.types.is_datetime64_any_dtype(want):
                s = pd.to_datetime(s).astype(want)
            elif want == "boolean":
                s = s.astype("boolean")
            elif pd.api.types.is_bool_dtype(want) and s.isna().any():
                s = s.astype(object)
            else:
                s = s.astype(want)
        except (TypeError, ValueError):
            pass
        out[col] = s
    extra = [c for c in frame.columns if c not in meta.columns]
    result = pd.DataFrame(out, index=frame.index)
    return pd.concat([result, frame[extra]], axis=1) if extra else result
