"""Finding the header row of a table, and telling an export's header from another table's."""

from __future__ import annotations

from ._names import canonical_field, norm, wide_field

HEADER_SCAN = 30  # the header is looked for among the first 30 rows
CAMCOPS = frozenset({"qsession", "qdate", "qwho", "qindividual", "qinterpersonal", "qsocial",
                     "qoverall", "qrelationship", "qgoals", "qapproach"})
MHSDS = frozenset({"codedasstooltype", "persscore", "asstoolcompdate", "uniqservreqid",
                   "personid"})


def known_name(name: object) -> bool:
    """Whether a header cell is a column name the loader recognises."""
    n = norm(name)
    return bool(canonical_field(name) or wide_field(name) or n in CAMCOPS or n in MHSDS
                or n.startswith("redcap"))


def header_index(rows: list[list]) -> int:
    """The first row with the most recognised names (at least 2), else the first non-empty."""
    best, best_n = None, 1
    for i, cells in enumerate(rows[:HEADER_SCAN]):
        n = sum(known_name(c) for c in cells if c is not None and str(c).strip())
        if n > best_n:
            best, best_n = i, n
    if best is not None:
        return best
    for i, cells in enumerate(rows):
        if any(c is not None and str(c).strip() for c in cells):
            return i
    return 0


def has_score_columns(columns, mapping: dict | None = None) -> bool:
    """Whether a table's header holds recognisable ORS/SRS score columns.

    Measure-prefixed columns (``ORS 1``, ``Total_SRS``), CamCOPS items, an MHSDS score, a
    measure column beside items or a total, or a column a mapping names. A table without
    any (a summary sheet, a to-do list, a client roster) is not an export.
    """
    n = {norm(c) for c in columns}
    fields = {canonical_field(c) for c in columns}
    mapped = {norm(v) for v in ((mapping or {}).get("columns") or {}).values()}
    return bool(any(wide_field(c) for c in columns)
                or n & (CAMCOPS - {"qsession", "qdate", "qwho"})
                or "persscore" in n or n & mapped
                or ("measure" in fields and fields & {"item_1", "item_2", "item_3", "item_4",
                                                       "total"}))
