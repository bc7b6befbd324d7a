"""The canonical table: one row per administration (one measure, one rater, one session).

This is the only input the analyses accept. :func:`srs_analytics.load` produces it from
any supported export and validates it against :data:`CANONICAL_SCHEMA` once, at the
boundary. The columns and the rules at the boundary are described in
``docs/measures-and-rules.md`` ("The canonical table and the boundary rules").
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from types import MappingProxyType

import pandas as pd

with warnings.catch_warnings():  # pandera imports pyspark.pandas where pyspark is installed
    warnings.filterwarnings("ignore", "PySpark does not yet fully support", FutureWarning)
    import pandera.pandas as pa

from .instruments import AGE_GROUPS, INSTRUMENTS

__all__ = ["CANONICAL_COLUMNS", "CANONICAL_SCHEMA", "COLUMN_DOCS", "ITEM_COLUMNS",
           "SENSITIVE_COLUMNS", "empty_canonical"]

#: The four item columns, in the order of each measure's items.
ITEM_COLUMNS = ("item_1", "item_2", "item_3", "item_4")

#: One line per canonical column: what it holds. Shown in the README and ``--help``.
COLUMN_DOCS: Mapping[str, str] = MappingProxyType({
    "client_id": "The person the rating is about (text).",
    "episode_id": "One episode of care; a couple or family shares one. Defaults to client_id.",
    "clinician_id": "Who saw the client; missing when unknown.",
    "site": "Service location; missing when unknown.",
    "session_date": "Date of the session; missing when only the number is known.",
    "session_number": "1-based session number within the episode; derived from date order "
    "within the episode when the source has none (the ORS and SRS of one date share it).",
    "measure": "ORS, CORS, YCORS, SRS, CSRS, GSRS or CGSRS.",
    "rater": "'self', or the collateral rater's role (parent, teacher, partner, other...).",
    "item_1": "First item, 0-10 (ORS family: individual; SRS family: relationship).",
    "item_2": "Second item, 0-10 (interpersonal; goals and topics).",
    "item_3": "Third item, 0-10 (social; approach or method).",
    "item_4": "Fourth item, 0-10 (overall; overall). Items are missing for totals-only sources.",
    "total": "Total score 0-40 (YCORS: 1-4); the sum of the items when all four are present.",
    "items_imputed": "True when the items were not rated but back-filled from a total "
    "(OpenFIT stores a total-only score as four equal items = total / 4).",
    "age_group": "young_child, child, adolescent or adult, where known.",
    "group_id": "The therapy group, for group measures (GSRS, CGSRS).",
    "format": "paper, digital or verbal administration, where known.",
    "setting": "in_person or telehealth, where known.",
    "episode_status": "open, closed_planned or closed_unplanned, where known.",
    "comment": "Free-text comment. Sensitive: it may identify the client, so leave it out of "
    "anything shared as de-identified.",
    "source_file": "The file the row came from ('archive.zip:member.tsv' for archive "
    "members; '<DataFrame n>' for an in-memory table).",
    "source_row": "The row a person sees when opening that file: header line = 1 in a text "
    "file, the spreadsheet's own row number in a workbook, 1-based position otherwise.",
})

#: The canonical columns, in order.
CANONICAL_COLUMNS = tuple(COLUMN_DOCS)
#: Columns that may identify a client: free text.
SENSITIVE_COLUMNS = ("comment",)

_STRING = ["client_id", "episode_id", "clinician_id", "site", "measure", "rater",
           "age_group", "group_id", "format", "setting", "episode_status", "comment",
           "source_file"]
_FLOAT = [*ITEM_COLUMNS, "total"]
# Text columns of few distinct values are categoricals: a code per row instead of the text
# (ten million administrations hold ten million copies of "self" and "in_person" otherwise)
_CATEGORIES = ["clinician_id", "site", "measure", "rater", "age_group", "format", "setting",
               "episode_status", "source_file"]


def _col(dtype, *checks, nullable=True, name=None):
    dtype = "category" if name in _CATEGORIES else dtype
    return pa.Column(dtype, list(checks), nullable=nullable, description=COLUMN_DOCS[name],
                     metadata={"sensitive": name in SENSITIVE_COLUMNS})


def _build_schema() -> pa.DataFrameSchema:
    isin = pa.Check.isin
    cols = {
        "client_id": _col(str, pa.Check.str_length(min_value=1), nullable=False, name="client_id"),
        "episode_id": _col(str, pa.Check.str_length(min_value=1), nullable=False,
                           name="episode_id"),
        "clinician_id": _col(str, name="clinician_id"),
        "site": _col(str, name="site"),
        "session_date": _col("datetime64[ns]", name="session_date"),
        "session_number": _col("Int64", pa.Check.ge(1), name="session_number"),
        "measure": _col(str, isin(list(INSTRUMENTS)), nullable=False, name="measure"),
        "rater": _col(str, pa.Check.str_length(min_value=1), nullable=False, name="rater"),
        **{c: _col(float, pa.Check.in_range(0, 10), name=c) for c in ITEM_COLUMNS},
        "total": _col(float, pa.Check.in_range(0, 40), nullable=False, name="total"),
        "items_imputed": _col(bool, nullable=False, name="items_imputed"),
        "age_group": _col(str, isin(list(AGE_GROUPS)), name="age_group"),
        "group_id": _col(str, name="group_id"),
        "format": _col(str, isin(["paper", "digital", "verbal"]), name="format"),
        "setting": _col(str, isin(["in_person", "telehealth"]), name="setting"),
        "episode_status": _col(str, isin(["open", "closed_planned", "closed_unplanned"]),
                               name="episode_status"),
        "comment": _col(str, name="comment"),
        "source_file": _col(str, name="source_file"),
        "source_row": _col("Int64", name="source_row"),
    }
    return pa.DataFrameSchema(
        cols,
        checks=[
            pa.Check(lambda d: d["session_date"].notna() | d["session_number"].notna(),
                     error="session_date or session_number must be known"),
        ],
        strict=False,
        ordered=False,
        name="canonical",
        description="One row per administration: one measure, one rater, one session.",
    )


#: The pandera schema of the canonical table. ``strict=False``: identifying columns kept
#: with ``keep_identifying=True`` may follow the canonical ones.
CANONICAL_SCHEMA = _build_schema()


def empty_canonical() -> pd.DataFrame:
    """An empty canonical table with the right column order and dtypes.

    Examples
    --------
    >>> list(empty_canonical().columns[:4])
    ['client_id', 'episode_id', 'clinician_id', 'site']
    """
    return coerce_canonical(pd.DataFrame({c: [] for c in CANONICAL_COLUMNS}))


def coerce_canonical(df: pd.DataFrame) -> pd.DataFrame:
    """Give the canonical columns their dtypes and order, adding missing optional ones."""
    out = {}
    n = len(df)
    for c in CANONICAL_COLUMNS:
        s = df[c] if c in df.columns else pd.Series([None] * n, index=df.index, dtype=object)
        if c in _CATEGORIES:
            s = s if isinstance(s.dtype, pd.CategoricalDtype) else s.astype("str").astype(
                "category")
        elif c in _STRING:
            s = s if str(s.dtype) == "str" else s.astype("str")
        elif c in _FLOAT:
            s = s if s.dtype == "float64" else pd.to_numeric(s, errors="coerce").astype("float64")
        elif c == "session_date":
            s = s if s.dtype == "datetime64[ns]" else pd.to_datetime(
                s, errors="coerce").astype("datetime64[ns]")
        elif c in ("session_number", "source_row"):
            s = s if s.dtype == "Int64" else pd.to_numeric(s, errors="coerce").round().astype(
                "Int64")
        elif c == "items_imputed":
            s = s if s.dtype == bool else s.fillna(False).astype(bool)
        out[c] = s
    extra = [c for c in df.columns if c not in COLUMN_DOCS]
    res = pd.DataFrame(out, index=df.index)
    for c in extra:
        res[c] = df[c]
    return res.reset_index(drop=True)
