"""Property-based tests: random and malformed tables never crash the loader, and the counts
always add up (loaded + rejected + skipped + duplicates + conflicts = rows read)."""

from __future__ import annotations

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from srs_analytics import LoadError, load

CELL = st.one_of(
    st.none(),
    st.sampled_from(["", " ", "x", "n/a", "N", "Y", "0", "1", "-3", "7,5", "10.0", "11",
                     "40", "99", "2026-03-02", "31/12/2025", "03/16/2026", "46083", "ORS",
                     "SRS", "CORS", "YCORS", "self", "parent", "1e3", "nan", "inf", "٣"]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(-100, 100),
    st.text(max_size=6),
)
COLUMNS = ["client_id", "episode_id", "session_date", "session_number", "measure", "rater",
           "item_1", "item_2", "item_3", "item_4", "total", "skip", "ORS 1", "SRS total",
           "comment", "email"]


def _accounted(res):
    r = res.report
    assert r["rows_read"] == r["loaded"] + r["rejected"] + r["skipped"] + r["duplicates"] + \
        r["conflicts"]
    assert len(res.data) == r["loaded"] and len(res.rejected) == r["rejected"]
    assert len(res.skipped) == r["skipped"] and len(res.duplicates) == r["duplicates"]
    assert sum(r["by_reason"].values()) == r["rejected"]
    assert sum(r["by_measure"].values()) == r["loaded"]
    assert res.rejected["reason"].notna().all() and res.rejected["message"].notna().all()


@st.composite
def tables(draw):
    cols = draw(st.lists(st.sampled_from(COLUMNS), min_size=1, max_size=10, unique=True))
    n = draw(st.integers(0, 12))
    return pd.DataFrame({c: draw(st.lists(CELL, min_size=n, max_size=n)) for c in cols})


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables(), st.sampled_from([None, True, False]))
def test_random_tables_never_crash_and_counts_add_up(frame, dayfirst):
    try:
        res = load(frame, dayfirst=dayfirst)
    except LoadError as exc:  # a clear refusal is allowed, a traceback is not
        assert len(str(exc)) > 20
        return
    _accounted(res)


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(CELL.map(lambda v: "" if v is None else str(v)), min_size=0,
                         max_size=8), min_size=0, max_size=10),
       st.sampled_from([",", ";", "\t"]),
       st.sampled_from(["utf-8", "utf-16", "cp1252"]))
def test_random_text_files_never_crash(tmp_path_factory, rows, sep, encoding):
    header = sep.join(["client", "date", "measure", "item_1", "item_2", "item_3", "item_4",
                       "total"])
    body = "\n".join(sep.join(r) for r in rows)
    path = tmp_path_factory.mktemp("p") / "f.csv"
    path.write_bytes((header + "\n" + body + "\n").encode(encoding, errors="replace"))
    try:
        res = load(path)
    except LoadError as exc:
        assert len(str(exc)) > 20
        return
    _accounted(res)


@settings(deadline=None)
@given(st.binary(max_size=300))
def test_random_bytes_never_crash(tmp_path_factory, blob):
    path = tmp_path_factory.mktemp("b") / "f.csv"
    path.write_bytes(blob)
    try:
        res = load(path)
    except LoadError:
        return
    _accounted(res)
