"""Parquet data sets: a folder of Parquet files read as one table, and written in partitions.

A *data set* is a folder whose data files, in it and in its subfolders, are all Parquet
files: what ``srs-analytics convert -o DIR/ --partition-by ...`` writes, and what Spark,
Dask, DuckDB or pyarrow write. Subfolders named ``key=value`` (hive-style partitions) give
every row of the files below them a column ``key`` holding ``value``. Files and folders
whose names start with ``.`` or ``_`` (``_SUCCESS``, ``_common_metadata``, ``.crc`` files)
are not data and are left alone.

Reading goes through :mod:`pyarrow.dataset`, file by file in path order, reading only the
columns asked for. Every file must have the same columns: one that does not is an error
that names it and the columns that differ. Each row remembers its file (the path below the
folder) and its row in that file, as ``source_file`` and ``source_row`` say for any export.

Writing uses :func:`pyarrow.dataset.write_dataset`, fed the table in batches.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from types import MappingProxyType

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds

from ._errors import LoadError
from ._raw import RawTable
from .limits import ReadLimits, check_columns

__all__ = ["PARTITIONS", "is_dataset", "read_dataset", "write_dataset"]

PARQUET_SUFFIXES = frozenset({".parquet", ".pq"})

#: What ``partition_by`` accepts: a name -> the column whose values name the subfolders.
#: ``month`` and ``year`` are the session date's (``session_month=2025-03``); rows
#: without a date go to the folder of the missing value, ``__HIVE_DEFAULT_PARTITION__``.
PARTITIONS: Mapping[str, str] = MappingProxyType({
    "clinician": "clinician_id", "site": "site", "month": "session_month",
    "year": "session_year", "measure": "measure", "rater": "rater",
    "age_group": "age_group", "episode_status": "episode_status",
})
_DERIVED = {"session_month": "M", "session_year": "Y"}  # their numpy date units
_BATCH_ROWS = 1_000_000
_NOT_DATA = (".", "_")


def _data_files(folder: Path) -> Iterator[Path]:
    """The data files of a folder and its subfolders, in path order."""
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith(_NOT_DATA))
        for f in sorted(files):
            if not f.startswith(_NOT_DATA):
                yield Path(root) / f


def is_dataset(folder) -> bool:
    """Whether ``folder`` is a Parquet data set: its data files, subfolders included, are
    all Parquet files (and there is at least one).

    Examples
    --------
    >>> import tempfile
    >>> is_dataset(tempfile.gettempdir() + "/no such folder")
    False
    """
    folder = Path(folder)
    if not folder.is_dir():
        return False
    found = False
    for p in _data_files(folder):
        if p.suffix.lower() not in PARQUET_SUFFIXES:
            return False
        found = True
    return found


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:200] if text else type(exc).__name__


def _discover(folder: Path, label: str) -> tuple[ds.Dataset, list[str], list[str]]:
    """The data set, the labels of its files (``label/sub/part-0.parquet``) and the names
    of its partition keys.

    Every file's columns are checked against the first file's; a file whose columns
    differ, or whose footer cannot be read, is named in a :class:`LoadError`.
    """
    files = list(_data_files(folder))
    hive = ds.HivePartitioning.discover(infer_dictionary=True)
    try:
        dataset = ds.dataset([str(f) for f in files], format="parquet", partitioning=hive,
                             partition_base_dir=str(folder))
    except (pa.ArrowInvalid, OSError) as exc:
        raise LoadError(f"The data set {label} could not be read ({_first_line(exc)}).") \
            from None
    fragments = list(dataset.get_fragments())
    names = [f"{label}/{Path(f.path).relative_to(folder).as_posix()}" for f in fragments]
    schemas = []
    for name, frag in zip(names, fragments):
        try:
            schemas.append(frag.physical_schema)
        except (pa.ArrowInvalid, OSError) as exc:
            raise LoadError(f"The file {name} of the data set {label} is not a readable "
                            f"Parquet file ({_first_line(exc)}).") from None
    first = schemas[0].names
    for name, schema in zip(names[1:], schemas[1:]):
        if schema.names != first and set(schema.names) != set(first):
            missing = [c for c in first if c not in schema.names]
            extra = [c for c in schema.names if c not in first]
            raise LoadError(
                f"The file {name} of the data set {label} has other columns than "
                f"{names[0]}: " + "; ".join(
                    f"{what} {', '.join(cols)}" for what, cols in
                    (("it lacks", missing), ("it adds", extra)) if cols)
                + ". Every file of a data set must have the same columns; load files "
                "of other layouts as files of their own.")
    try:
        unified = pa.unify_schemas(schemas, promote_options="permissive")
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        for col in first:  # name a file whose type is not the one most files give
            types = [schema.field(col).type for schema in schemas]
            usual = max(set(types), key=types.count)
            odd = next((i for i, t in enumerate(types) if t != usual), None)
            if odd is not None:
                raise LoadError(
                    f"The file {names[odd]} of the data set {label} holds column {col} as "
                    f"{types[odd]} where {names[types.index(usual)]} holds it as {usual}. "
                    "Every file of a data set must give a column the same type.") from None
        raise
    partitions = [f for f in dataset.schema if f.name not in unified.names]
    return (dataset.replace_schema(pa.schema([*unified, *partitions])), names,
            [f.name for f in partitions])


def read_dataset(folder, *, label: str | None = None, limits: ReadLimits | None = None,
                 select: Callable[[list[str]], list[str]] | None = None) -> RawTable:
    """Read a Parquet data set into one raw table.

    Parameters
    ----------
    folder : path
        The data set's folder (see :func:`is_dataset`).
    label : str, optional
        How messages and ``source_file`` name the folder (default: its name).
    limits : ReadLimits, optional
        Its ``max_columns`` caps the columns of the data set.
    select : callable, optional
        Given the data set's column names, returns those to read (default: all). The
        others are never read from disk.

    Returns
    -------
    RawTable
        One table named ``label/``; its ``files`` give each row's file and its ``rows``
        each row's position in that file (1-based).
    """
    folder = Path(folder)
    label = label or folder.name
    limits = limits or ReadLimits()
    dataset, names, partitions = _discover(folder, label)
    check_columns(len(dataset.schema.names), f"The data set {label}", limits)
    columns = dataset.schema.names if select is None else select(dataset.schema.names)
    keys = [c for c in columns if c in partitions]
    tables, rows, codes, values = [], [], [], {k: [] for k in keys}
    for i, (name, frag) in enumerate(zip(names, dataset.get_fragments())):
        try:
            table = frag.to_table(schema=dataset.schema,
                                  columns=[c for c in columns if c not in partitions])
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError, OSError) as exc:
            raise LoadError(f"The file {name} of the data set {label} could not be read "
                            f"({_first_line(exc)}).") from None
        tables.append(table)
        rows.append(np.arange(1, table.num_rows + 1, dtype=np.int64))
        codes.append(np.full(table.num_rows, i, dtype=np.int32))
        found = ds.get_partition_keys(frag.partition_expression)
        for k in keys:  # one value per file: its folder's (missing for the null folder)
            values[k].append(found.get(k))
    table = pa.concat_tables(tables)
    del tables
    frame = table.to_pandas(split_blocks=True, self_destruct=True)
    del table
    file_of_row = np.concatenate(codes)
    for k in keys:  # a partition key is a categorical: a code per row, its value once
        per_file = pd.Categorical([None if v is None else str(v) for v in values[k]])
        frame[k] = pd.Categorical.from_codes(per_file.codes[file_of_row],
                                             per_file.categories)
    frame = frame[columns]
    info = {"format": "parquet data set", "files_read": len(names), "partitions": partitions,
            "columns_not_read": [c for c in dataset.schema.names if c not in columns]}
    return RawTable(f"{label}/", frame, np.concatenate(rows), info,
                    files=pd.Categorical.from_codes(file_of_row, categories=names))


def _derived(frame: pd.DataFrame, columns: Iterable[str]) -> pd.DataFrame:
    """The frame with the derived partition columns (``session_month``...) added."""
    extra = {}
    for c in columns:
        if c in _DERIVED:
            unit = _DERIVED[c]
            codes, uniq = pd.factorize(frame["session_date"].to_numpy().astype(
                f"datetime64[{unit}]"))
            labels = np.append(np.datetime_as_string(uniq, unit=unit).astype(object), None)
            extra[c] = pd.array(labels[codes], dtype="str")
    return frame.assign(**extra) if extra else frame


def partition_columns(partition_by) -> list[str]:
    """The columns of ``partition_by`` (names of :data:`PARTITIONS` or canonical columns,
    a list or a comma-separated text).

    Examples
    --------
    >>> partition_columns("clinician,month")
    ['clinician_id', 'session_month']
    """
    from ..schema import CANONICAL_COLUMNS

    if partition_by is None:
        return []
    items = partition_by.split(",") if isinstance(partition_by, str) else list(partition_by)
    out = []
    for item in (str(i).strip() for i in items):
        if not item:
            continue
        col = PARTITIONS.get(item, item if item in CANONICAL_COLUMNS or item in _DERIVED
                             else None)
        if col is None or col in ("session_date", "item_1", "item_2", "item_3", "item_4",
                                  "total", "comment", "source_row"):
            raise ValueError(f"partition_by must name one of {', '.join(PARTITIONS)} (or a "
                             f"canonical column of few values); got {item!r}.")
        if col not in out:
            out.append(col)
    return out


def write_dataset(frame: pd.DataFrame, folder, *, partition_by=None,
                  max_rows_per_file: int = 2_000_000) -> Path:
    """Write a table as a Parquet data set, in subfolders by ``partition_by``.

    Parameters
    ----------
    frame : DataFrame
        The table to write (the canonical table, for ``convert``).
    folder : path
        A new or empty folder.
    partition_by : str or list of str, optional
        Names of :data:`PARTITIONS` (``clinician``, ``month``...) or canonical columns:
        one level of ``key=value`` subfolders for each. A partition column is kept in the
        folder names, not in the files, as hive-style readers expect.
    max_rows_per_file : int
        The most rows one file holds; a partition with more is split over several files.

    Returns
    -------
    Path
        The folder.

    Examples
    --------
    >>> import tempfile
    >>> from srs_analytics.synthetic import simulate
    >>> tmp = tempfile.TemporaryDirectory()
    >>> out = write_dataset(simulate(20, seed=1), Path(tmp.name) / "caseload",
    ...                     partition_by="site")
    >>> sorted(p.name for p in out.iterdir())
    ['site=East', 'site=North', 'site=South']
    >>> tmp.cleanup()
    """
    folder = Path(folder)
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise LoadError(f"The output folder {folder} is not empty (or is a file): a data set "
                        "is written to a new or empty folder.")
    cols = partition_columns(partition_by)
    frame = _derived(frame, cols)
    schema = pa.Schema.from_pandas(frame.iloc[:0], preserve_index=False)
    batches = (batch for i in range(0, len(frame), _BATCH_ROWS)
               for batch in pa.Table.from_pandas(frame.iloc[i:i + _BATCH_ROWS], schema=schema,
                                                 preserve_index=False).to_batches())
    partitioning = ds.partitioning(pa.schema([schema.field(c) for c in cols]),
                                   flavor="hive") if cols else None
    folder.mkdir(parents=True, exist_ok=True)
    ds.write_dataset(batches, folder, schema=schema, format="parquet",
                     partitioning=partitioning, basename_template="part-{i}.parquet",
                     max_rows_per_file=max_rows_per_file,
                     max_rows_per_group=min(max_rows_per_file, 500_000),
                     existing_data_behavior="overwrite_or_ignore", preserve_order=True)
    return folder
