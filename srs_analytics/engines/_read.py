"""Where an engine's rows come from, and the loader run on a partition of them.

Two kinds of source:

- a Parquet data set (a folder, as ``srs-analytics convert -o DIR/`` writes it): read by
  the engine's workers file by file; the loader's row checks, duplicates and conflicts run
  on each partition once the units are together (:func:`load_partition`), so that the
  counts of loaded, rejected, skipped and duplicate rows are those of the pandas loader;
- anything else (export files, a DataFrame): loaded by :func:`srs_analytics.load` on the
  driver, then split by unit and handed to the engine.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from ..io import LoadError
from ..io.partitioned import _discover, is_dataset
from ..units import unit_of_client

#: Where a row went, as the loader counts it.
FATES = ("loaded", "rejected", "skipped", "duplicate", "conflict")
_REPORT = {"loaded": "loaded", "rejected": "rejected", "skipped": "skipped",
           "duplicate": "duplicates", "conflict": "conflicts"}
#: The columns a data set read by an engine must have under these names.
KEYS = ("client_id", "episode_id")
_LINKS = ("client_id", "episode_id", "group_id")


@dataclass
class Source:
    """The rows an engine runs on.

    ``kind`` is ``"dataset"`` (``folder``, ``files``: the labels the loader gives them,
    ``paths``, ``partitions``: the hive keys, ``columns``) or ``"frame"`` (``frame``:
    the canonical table the pandas loader made, ``report``: its report).
    """

    kind: str
    label: str = ""
    folder: Path | None = None
    paths: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    partitions: list[str] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    schema: pa.Schema | None = None
    frame: pd.DataFrame | None = None
    report: dict | None = None


def source(data, load_options: dict) -> Source:
    """The source of ``data``: a DataFrame, a Parquet data set folder, or paths to load.

    ``load_options`` are the keyword arguments of :func:`srs_analytics.load`.
    """
    from ..io import load
    from ..schema import CANONICAL_COLUMNS

    if isinstance(data, pd.DataFrame) and set(KEYS) <= set(data.columns) and \
            set(CANONICAL_COLUMNS) <= set(data.columns):
        return Source("frame", label="<DataFrame>", frame=data, report=None)
    items = data if isinstance(data, (list, tuple)) else [data]
    if len(items) == 1 and not isinstance(items[0], pd.DataFrame) and is_dataset(items[0]):
        return dataset(items[0])
    res = load(*items, **load_options)
    return Source("frame", label="loaded", frame=res.data, report=res.report)


def dataset(folder) -> Source:
    """A Parquet data set, its files checked: every file has the same columns (a file
    that does not is named), and the keys are there under their canonical names."""
    folder = Path(folder)
    label = folder.name
    data, names, partitions = _discover(folder, label)  # names a file whose columns differ
    missing = [k for k in KEYS if k not in data.schema.names]
    if missing:
        raise LoadError(
            f"The data set {label} has no column {' or '.join(missing)}: an engine reads a "
            "data set of canonical columns, as 'srs-analytics convert -o DIR/' writes it. "
            "Convert it first, or run without --engine.")
    paths = [f.path for f in data.get_fragments()]
    return Source("dataset", label=label, folder=folder, paths=paths, files=names,
                  partitions=partitions, columns=data.schema.names, schema=data.schema)


def read_file(src: Source, i: int, columns=None) -> pd.DataFrame:
    """File ``i`` of a data set as pandas, with its hive keys as text columns, its place
    (``_file``) and its rows (``_row``, 1-based)."""
    columns = src.columns if columns is None else [c for c in columns if c in src.columns]
    own = [c for c in columns if c not in src.partitions]
    frag = ds.dataset(src.paths[i], format="parquet", schema=_physical(src.schema,
                                                                       src.partitions))
    try:
        table = frag.to_table(columns=own)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, OSError) as exc:
        raise LoadError(f"The file {src.files[i]} of the data set {src.label} could not be "
                        f"read ({str(exc).splitlines()[0]}).") from None
    frame = table.to_pandas()
    keys = _keys_of(src, i)
    for k in columns:
        if k in src.partitions:
            frame[k] = pd.Series(keys.get(k), index=frame.index, dtype="str")
    frame = frame[columns]
    frame["_file"] = np.int32(i)
    frame["_row"] = np.arange(1, len(frame) + 1, dtype=np.int64)
    return frame


def _physical(schema: pa.Schema, partitions) -> pa.Schema:
    return pa.schema([f for f in schema if f.name not in partitions])


def _keys_of(src: Source, i: int) -> dict:
    """The hive keys of file ``i``: from the ``key=value`` folders of its path."""
    rel = Path(src.paths[i]).relative_to(src.folder).parts[:-1]
    out = {}
    for part in rel:
        k, sep, v = part.partition("=")
        if sep and k in src.partitions:
            out[k] = None if v == "__HIVE_DEFAULT_PARTITION__" else v
    return out


def links(frame: pd.DataFrame) -> pd.DataFrame:
    """The distinct client, episode and group of the rows (what units are made of)."""
    cols = [c for c in _LINKS if c in frame.columns]
    out = frame[cols].astype("str").drop_duplicates()
    return out.reset_index(drop=True)


def with_bucket(frame: pd.DataFrame, table: pd.DataFrame, buckets: int) -> pd.DataFrame:
    """The rows with ``_bucket``: their unit modulo ``buckets`` (0 without a client)."""
    return frame.assign(_bucket=unit_of_client(frame, table, buckets=buckets))


def load_partition(frame: pd.DataFrame, src: Source, load_options: dict
                   ) -> tuple[pd.DataFrame, dict]:
    """Run the loader on the rows of whole units: the canonical rows and the counts.

    The rows are put back in the order the pandas loader reads them (file by file, row by
    row), so that the first of two duplicates is the one kept, and each loaded row takes
    the ``source_file`` and ``source_row`` of the file it came from.
    """
    from ..io import load
    from ..schema import coerce_canonical

    counts = dict.fromkeys(FATES, 0)
    if not len(frame):
        return coerce_canonical(pd.DataFrame()), counts
    frame = frame.sort_values(["_file", "_row"], kind="stable", ignore_index=True)
    where = frame[["_file", "_row"]].to_numpy()
    raw = frame.drop(columns=["_file", "_row", "_bucket"], errors="ignore")
    options = {**load_options, "source": load_options.get("source") or "canonical"}
    res = load(raw, **options)
    r = res.report
    for fate in FATES:
        counts[fate] = int(r[_REPORT[fate]])
    data = res.data
    pos = data["source_row"].to_numpy(dtype=np.int64) - 1
    data["source_file"] = pd.Categorical.from_codes(where[pos, 0].astype(np.int32),
                                                    categories=src.files)
    data["source_row"] = pd.array(where[pos, 1], dtype="Int64")
    return data, counts


def report(counts: dict, src: Source) -> dict:
    """The loader's counts, summed over the partitions."""
    out = {"rows_read": int(sum(counts.values()))}
    out.update({_REPORT[k]: int(counts[k]) for k in FATES})
    out["files_read"] = len(src.files)
    return out


def empty_canonical() -> pd.DataFrame:
    """The canonical table with no rows (for the engines' metadata)."""
    from ..schema import coerce_canonical

    return coerce_canonical(pd.DataFrame())


def write_part(frame: pd.DataFrame, path: str) -> None:
    """One partition to a Parquet file."""
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), path)


def write_parts(frame: pd.DataFrame, parts: int, folder) -> list[str]:
    """A table with ``_bucket`` in ``parts`` Parquet files of whole buckets, every file
    with the same schema (that of the whole table: a column missing in one file is not
    typed otherwise). Returns the paths."""
    schema = pa.Schema.from_pandas(frame, preserve_index=False)
    paths = []
    for i, (_, part) in enumerate(frame.groupby(frame["_bucket"] % parts, sort=True)):
        path = str(Path(folder) / f"part-{i}.parquet")
        pq.write_table(pa.Table.from_pandas(part, schema=schema, preserve_index=False), path)
        paths.append(path)
    return paths
