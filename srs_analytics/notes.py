"""Progress-note lines for every SRS session, in the style of DOMAIN.md section 4.

A clinician copies one line into the record: the SRS total out of 40 against the cutoff,
the lowest item with its score (the seed's protocol: one follow-up on the lowest item), a
follow-up line when the total is low, the ORS of the same session and, when the data holds a
comment, what was agreed. :func:`progress_notes` writes the line for every session at once;
:func:`progress_note` returns one.

The small text helpers here (item names in prose, numbers without a trailing ``.0``, dates)
are shared with :mod:`srs_analytics.alerting`.

Examples
--------
>>> from srs_analytics.synthetic import simulate
>>> print(progress_note(simulate(300, seed=1), "C00012", 3))
SRS total: 38.86/40 (at or above the 36 cutoff). Lowest item: approach or method
(9.16/10). ORS: 19/40. Comment: Useful to plan the talk with my manager.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .alliance import AllianceSettings, session_alliance
from .instruments import INSTRUMENTS, OUTCOME
from .schema import ITEM_COLUMNS

__all__ = ["ITEM_NAMES", "progress_note", "progress_notes"]

#: How each alliance item is named in prose; the ``item`` columns keep the short label.
ITEM_NAMES: Mapping[str, str] = MappingProxyType({
    "relationship": "relationship", "goals_topics": "goals and topics",
    "approach_method": "approach or method", "overall": "overall"})
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_OUTCOME_MEASURES = tuple(k for k, inst in INSTRUMENTS.items() if inst.family == OUTCOME)
_ITEM_MAX = INSTRUMENTS["SRS"].item_range[1]
_TOTAL_MAX = INSTRUMENTS["SRS"].total_range[1]


# --------------------------------------------------------------------------- text helpers
# Text columns are built with pyarrow.compute: a million messages take well under a second.
_STR = pa.large_string()  # the storage of pandas' "str" dtype


def _s(text):
    """Text as a pyarrow large_string array ("" for missing), or a scalar for a str."""
    if isinstance(text, str):
        return pa.scalar(text, _STR)
    if isinstance(text, (pa.Array, pa.ChunkedArray, pa.Scalar)):
        arr = text
    else:
        series = text if isinstance(text, pd.Series) else pd.Series(
            np.asarray(text, dtype=object))
        arr = pa.array(series, from_pandas=True)
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if arr.type != _STR:
        arr = arr.cast(_STR)
    return arr.fill_null("") if arr.null_count else arr


def _cat(*parts):
    """Element-wise concatenation of text arrays and str."""
    return pc.binary_join_element_wise(*map(_s, parts), _s(""))


def _if(mask, yes, no):
    """Element-wise choice between two texts."""
    return pc.if_else(pa.array(np.asarray(mask, dtype=bool)), _s(yes), _s(no))


def _fmt(value) -> str:
    """One number as text, rounded to 2 decimals, without trailing zeros."""
    v = round(float(value), 2) + 0.0  # -0.0 becomes 0.0
    return "" if np.isnan(v) else f"{v:.2f}".rstrip("0").rstrip(".")


def _num(values):
    """Numbers as text (see :func:`_fmt`; "" for NaN).

    >>> _num([31.0, 7.5, 38.25, -0.001, np.nan]).to_pylist()
    ['31', '7.5', '38.25', '0', '']
    """
    x = np.round(np.asarray(values, dtype=float).ravel(), 2)
    codes, uniq = pd.factorize(x)  # few distinct values: format each once; NaN is -1
    codes[codes < 0] = len(uniq)
    return pc.take(pa.array([*map(_fmt, uniq), ""], _STR), pa.array(codes))


def _signed(values):
    """Like :func:`_num`, with a "+" before positive numbers."""
    x = np.asarray(values, dtype=float)
    return _cat(_if(np.round(x, 2) > 0, "+", ""), _num(x))


def _decode(text, how):
    """Apply ``how`` (str -> str) to each distinct value of a text array."""
    enc = pc.dictionary_encode(_s(text))
    return pc.take(pa.array([how(u) for u in enc.dictionary.to_pylist()], _STR), enc.indices)


def _item_names(labels):
    """Prose names of item labels; tied labels "a;b" read "a, b" ("" for NA)."""
    return _decode(labels, lambda u: ", ".join(ITEM_NAMES.get(p, p) for p in u.split(";"))
                   if u else "")


def _dates(values):
    """Dates as "12 Mar 2026", in English whatever the locale ("" for NaT)."""
    d = np.asarray(values, dtype="datetime64[D]")
    uniq, inv = np.unique(d.astype(np.int64), return_inverse=True)
    text = ["" if np.isnat(u) else f"{u.item().day} {_MONTHS[u.item().month - 1]} "
            f"{u.item().year}" for u in uniq.astype("datetime64[D]")]
    return pc.take(pa.array(text, _STR), pa.array(inv.ravel()))


def _str_column(text) -> pd.api.extensions.ExtensionArray:
    """A pandas "str" column from a text array."""
    return pd.array(_s(text), dtype="str")


def _match(left: list, right: list) -> np.ndarray:
    """Row of ``right`` whose key columns equal those of each ``left`` row (-1: none).

    Each key is a list of equally long arrays; the first matching row wins.
    """
    code_l = np.zeros(len(left[0]), dtype=np.int64)
    code_r = np.zeros(len(right[0]), dtype=np.int64)
    for a, b in zip(left, right):
        both = pd.concat([pd.Series(a).reset_index(drop=True),
                          pd.Series(b).reset_index(drop=True)], ignore_index=True)
        codes, uniq = pd.factorize(both)
        code_l = code_l * (len(uniq) + 1) + codes[: len(a)] + 1
        code_r = code_r * (len(uniq) + 1) + codes[len(a):] + 1
    first = np.flatnonzero(~pd.Index(code_r).duplicated())
    if not len(first):
        return np.full(len(code_l), -1, dtype=np.int64)
    hit = pd.Index(code_r[first]).get_indexer(code_l)
    return np.where(hit >= 0, first[np.maximum(hit, 0)], -1)


# --------------------------------------------------------------------------- public
def progress_notes(
    data: pd.DataFrame,
    *,
    settings: AllianceSettings | None = None,
    client: str = "client_id",
    episode: str = "episode_id",
    clinician: str = "clinician_id",
    session: str = "session_number",
    date: str = "session_date",
    measure: str = "measure",
    rater: str = "rater",
    total: str = "total",
    items: tuple[str, str, str, str] = tuple(ITEM_COLUMNS),
    imputed: str = "items_imputed",
    comment: str = "comment",
) -> pd.DataFrame:
    """The progress-note line of every session with an alliance rating (SRS family).

    Parameters
    ----------
    data : pandas.DataFrame
        The canonical table. Alliance ratings (SRS, CSRS, GSRS, CGSRS) by the raters in
        ``settings.raters`` (self by default) each get a line; self-rated outcome ratings
        (ORS, CORS, YCORS) and comments of the same session are read into it.
    settings : AllianceSettings, optional
        The cutoff (36) and the other alliance thresholds.
    client, episode, clinician, session, date, measure, rater, total, items, imputed : str
        Column names, as in :func:`srs_analytics.alliance.session_alliance`.
    comment : str, default "comment"
        Free-text column; may be absent.

    Returns
    -------
    pandas.DataFrame
        One row per alliance rating, sorted by client, episode and session:
        ``client_id``, ``episode_id``, ``session_number``, ``session_date`` (the names
        passed in), ``variant`` (``"low"`` when the total is below the cutoff, else
        ``"routine"``) and ``note`` (str).

    Notes
    -----
    The line, in this order (numbers without a trailing ``.0``):

    1. ``"SRS total: 31/40 (below the 36 cutoff)."`` or ``"... (at or above the 36
       cutoff)."``, with the measure given (CSRS, GSRS ...);
    2. ``"Lowest item: approach or method (5/10)."``: always, as DOMAIN.md section 4 asks
       (ties: ``"Lowest items: goals and topics, approach or method (8/10)."``; four equal
       items: ``"All four items: 10/10."``); left out when the items were not rated or
       were back-filled from a total;
    3. low variant only: ``"Follow-up on approach or method: ask for one concrete example
       and agree on two small changes."`` (the seed's protocol, DOMAIN.md section 4);
    4. ``"ORS: 22.5/40."``: the client's self-rated outcome rating of the same session
       number, when there is one (CORS and YCORS likewise; a YCORS is out of 4);
    5. ``"Agreed: <comment>."``: the comment of the alliance row, else of that outcome row,
       when the data holds one and it records an agreement (it mentions "agree"; one that
       starts with "Agreed" is kept as is). Any other comment (the client's feedback, say)
       is documented as ``"Comment: <comment>."``, never presented as an agreement.

    References
    ----------
    OpenFIT knowledge base KA-01031 (SRS cutoff 36). DOMAIN.md sections 3 and 4 (the seed's
    protocol: reflect and thank, ask for one concrete example, agree on two small changes).

    Examples
    --------
    >>> import pandas as pd
    >>> srs = pd.DataFrame({"client_id": "C1", "episode_id": "E1", "session_number": [1, 2],
    ...                     "measure": "SRS", "rater": "self", "item_1": [9.5, 9.0],
    ...                     "item_2": [9.2, 8.0], "item_3": [9.6, 5.0],
    ...                     "item_4": [9.7, 9.0], "total": [38.0, 31.0],
    ...                     "comment": [None, "Agreed: shorter homework, more time on work"]})
    >>> for line in progress_notes(srs)["note"]:
    ...     print(line)
    SRS total: 38/40 (at or above the 36 cutoff). Lowest item: goals and topics (9.2/10).
    SRS total: 31/40 (below the 36 cutoff). Lowest item: approach or method (5/10).
    Follow-up on approach or method: ask for one concrete example and agree on two small
    changes. Agreed: shorter homework, more time on work.
    """
    s = settings or AllianceSettings()
    ses = session_alliance(data, client=client, episode=episode, clinician=clinician,
                           session=session, date=date, measure=measure, rater=rater,
                           total=total, items=items, imputed=imputed, settings=s)
    keys = [client, episode, session]
    n = len(ses)
    low = ses["below_cutoff"].to_numpy(dtype=bool)
    cut = _fmt(s.cutoff)
    parts = [ses[measure], " total: ", _num(ses[total]), f"/{_fmt(_TOTAL_MAX)}",
             _if(low, f" (below the {cut} cutoff).", f" (at or above the {cut} cutoff).")]
    rated = ses["lowest_item"].notna().to_numpy()
    names = _item_names(ses["lowest_item"])
    tied = ses["lowest_item"].str.count(";").to_numpy(dtype=float, na_value=0)
    score = _cat(_num(ses["lowest_item_score"]), f"/{_fmt(_ITEM_MAX)}")
    lowest = _if(tied == 3, _cat(" All four items: ", score, "."),
                 _cat(_if(tied > 0, " Lowest items: ", " Lowest item: "), names, " (", score,
                      ")."))
    parts.append(_if(rated, lowest, ""))
    follow = _cat(_if(rated & (tied < 3), _cat(" Follow-up on ", names, ":"), " Follow-up:"),
                  " ask for one concrete example and agree on two small changes.")
    parts.append(_if(low, follow, ""))

    # the self-rated outcome rating of the same session, and the comments
    has = data[measure].isin(_OUTCOME_MEASURES).to_numpy() & (data[rater] == "self").to_numpy()
    has &= data[total].notna().to_numpy()
    out_rows = data.loc[has]
    o = _match([ses[k] for k in keys], [out_rows[k] for k in keys])
    found, o = o >= 0, np.maximum(o, 0)
    om = _s(out_rows[measure]).take(o) if len(out_rows) else _s(np.full(n, ""))
    tops = _decode(om, lambda m: _fmt(INSTRUMENTS[m].total_range[1]) if m in INSTRUMENTS
                   else "40")
    ot = out_rows[total].to_numpy(dtype=float)[o] if len(out_rows) else np.full(n, np.nan)
    parts.append(_if(found, _cat(" ", om, ": ", _num(ot), "/", tops, "."), ""))
    if comment in data.columns and n:
        said = data[comment]
        others = data.loc[~has]
        a = _match([ses[k] for k in [*keys, measure, rater]],
                   [others[k] for k in [*keys, measure, rater]])
        text = _if(a >= 0, _s(said[~has]).take(np.maximum(a, 0)), "")
        text = pc.utf8_trim_whitespace(text)
        from_outcome = _s(said[has]).take(o) if len(out_rows) else _s(np.full(n, ""))
        text = pc.utf8_trim_whitespace(_if(pc.equal(text, "").to_numpy(zero_copy_only=False)
                                           & found, from_outcome, text))
        ends = pc.match_substring_regex(text, r"[.!?]$").to_numpy(zero_copy_only=False)
        text = _cat(text, _if(ends, "", "."))
        lower = pc.utf8_lower(text)
        agreed = pc.starts_with(lower, "agreed").to_numpy(zero_copy_only=False)
        agreement = pc.match_substring(lower, "agree").to_numpy(zero_copy_only=False)
        empty = pc.equal(text, ".").to_numpy(zero_copy_only=False)
        prefix = _if(agreed, " ", _if(agreement, " Agreed: ", " Comment: "))
        parts.append(_if(empty, "", _cat(prefix, text)))
    res = ses[[client, episode, session, date]].reset_index(drop=True)
    res["variant"] = _str_column(_if(low, "low", "routine"))
    res["note"] = _str_column(_cat(*parts))
    return res


def progress_note(
    data: pd.DataFrame,
    client_id: str,
    session_number: int | None = None,
    *,
    episode_id: str | None = None,
    settings: AllianceSettings | None = None,
    client: str = "client_id",
    episode: str = "episode_id",
    session: str = "session_number",
    date: str = "session_date",
    **columns: str,
) -> str:
    """The progress-note line of one client's session (see :func:`progress_notes`).

    Parameters
    ----------
    data : pandas.DataFrame
        The canonical table.
    client_id : str
        The client.
    session_number : int, optional
        The session; by default the latest session with an alliance rating.
    episode_id : str, optional
        The episode; by default the one of the client's latest alliance rating (by date,
        then session number). Needed when ``session_number`` is in more than one episode.
    settings : AllianceSettings, optional
        The cutoff and other thresholds.
    client, episode, session, date : str
        Column names.
    **columns : str
        Other column names, as in :func:`progress_notes` (``measure=``, ``comment=`` ...).

    Returns
    -------
    str

    Raises
    ------
    ValueError
        When the client, the episode or the session does not exist or has no alliance
        rating; the message lists what exists.

    Examples
    --------
    >>> from srs_analytics.synthetic import simulate
    >>> df = simulate(300, seed=1)
    >>> print(progress_note(df, "C00003", 1))
    SRS total: 34.2/40 (below the 36 cutoff). Lowest item: approach or method (7.5/10).
    Follow-up on approach or method: ask for one concrete example and agree on two small
    changes. ORS: 11.7/40.
    >>> progress_note(df, "nobody")
    Traceback (most recent call last):
    ...
    ValueError: client_id 'nobody' not found in column 'client_id' (300 clients, e.g. ...)
    """
    if client not in data.columns:
        raise ValueError(f"column {client!r} (client=) not found in data")
    rows = data[(data[client] == client_id).to_numpy(dtype=bool)]
    if rows.empty:
        known = pd.unique(data[client].dropna())
        sample = ", ".join(map(str, np.sort(known)[:3]))
        raise ValueError(f"client_id {client_id!r} not found in column {client!r} "
                         f"({len(known):,} clients, e.g. {sample})")
    if episode_id is not None:
        episodes = sorted(map(str, pd.unique(rows[episode])))
        rows = rows[(rows[episode] == episode_id).to_numpy(dtype=bool)]
        if rows.empty:
            raise ValueError(f"client {client_id!r} has no episode {episode_id!r}; "
                             f"episodes: {', '.join(episodes)}")
    notes = progress_notes(rows, settings=settings, client=client, episode=episode,
                           session=session, date=date, **columns)
    if notes.empty:
        raise ValueError(f"client {client_id!r} has no alliance rating (SRS, CSRS, GSRS or "
                         "CGSRS) to write a note from")
    if session_number is None:
        when = notes[date].to_numpy(dtype="datetime64[ns]").astype(np.int64)
        num = notes[session].to_numpy(dtype=float, na_value=np.nan)
        return str(notes["note"].iloc[np.lexsort((num, when))[-1]])
    pick = notes[(notes[session] == session_number).to_numpy(dtype=bool)]
    if pick.empty:
        have = ", ".join(f"{e} {n}" for e, n in notes[[episode, session]].itertuples(
            index=False))
        raise ValueError(f"client {client_id!r} has no alliance rating at session "
                         f"{session_number!r}; sessions with one (episode, session): {have}")
    if pick[episode].nunique() > 1:
        raise ValueError(f"session {session_number!r} of client {client_id!r} is in episodes "
                         f"{', '.join(map(str, pick[episode].unique()))}; pass episode_id")
    return str(pick["note"].iloc[-1])
