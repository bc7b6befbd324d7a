"""Progress-note lines for every SRS session.

A clinician copies one line into the record: the SRS total out of 40 against the cutoff,
the lowest item with its score (PCOMS practice: one follow-up on the lowest item), a
follow-up line when the total is low, the ORS of the same session and, when the data holds a
comment, what was agreed. :func:`progress_notes` writes the line for every session at once;
:func:`progress_note` returns one. ``docs/measures-and-rules.md`` ("Progress notes") says
what a line holds.

Examples
--------
>>> from srs_analytics import load_sample
>>> print(progress_note(load_sample(), "C00092", 5))
SRS total: 35.5/40 (below the 36 cutoff). Lowest item: approach or method (7.2/10).
Follow-up on approach or method: ask for one concrete example and agree on two small
changes. ORS: 17.9/40. Agreed to try two small changes: shorter homework, more time on work
stress.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow.compute as pc

from . import _docstrings
from . import _text as tx
from ._checks import require_columns
from ._text import ITEM_NAMES
from .alliance import AllianceSettings, session_alliance
from .instruments import INSTRUMENTS, OUTCOME
from .schema import ITEM_COLUMNS

__all__ = ["ITEM_NAMES", "progress_note", "progress_notes"]

_OUTCOME_MEASURES = tuple(k for k, inst in INSTRUMENTS.items() if inst.family == OUTCOME)
_ITEM_MAX = INSTRUMENTS["SRS"].item_range[1]
_TOTAL_MAX = INSTRUMENTS["SRS"].total_range[1]


def _first_match(left: pd.DataFrame, right: pd.DataFrame, keys: list) -> np.ndarray:
    """Position in ``right`` of the first row whose ``keys`` equal each ``left`` row's
    (-1 where none does); missing keys match missing keys."""
    first = right[keys].reset_index(drop=True)
    first = first[~first.duplicated()].assign(_pos=lambda f: f.index.to_numpy())
    found = left[keys].reset_index(drop=True).merge(first, how="left", on=keys)["_pos"]
    return found.fillna(-1).to_numpy(dtype=np.int64)


# --------------------------------------------------------------------------- public
@_docstrings.fill
def progress_notes(
    data: pd.DataFrame,
    *,
    client: str = "client_id",
    episode: str = "episode_id",
    clinician: str = "clinician_id",
    session: str = "session_number",
    date: str = "session_date",
    measure: str = "measure",
    rater: str = "rater",
    total: str = "total",
    items: tuple[str, str, str, str] = ITEM_COLUMNS,
    imputed: str = "items_imputed",
    comment: str = "comment",
    settings: AllianceSettings | None = None,
) -> pd.DataFrame:
    """The progress-note line of every session with an alliance rating (SRS family).

    Parameters
    ----------
    {data}
        Alliance ratings (SRS, CSRS, GSRS, CGSRS) by the raters in ``settings.raters``
        (self by default) each get a line; self-rated outcome ratings (ORS, CORS, YCORS)
        and comments of the same session are read into it.
    {columns}
        ``clinician``, ``date``, the items and ``comment`` may be absent.
    settings : AllianceSettings, optional
        The cutoff (36) and the other alliance thresholds.

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
    2. ``"Lowest item: approach or method (5/10)."``: always (PCOMS practice: one
       follow-up on the lowest item; ties: ``"Lowest items: goals and topics, approach
       or method (8/10)."``; four equal items: ``"All four items: 10/10."``); left out
       when the items were not rated or were back-filled from a total;
    3. low variant only: ``"Follow-up on approach or method: ask for one concrete example
       and agree on two small changes."`` (PCOMS practice after a low score);
    4. ``"ORS: 22.5/40."``: the client's self-rated outcome rating of the same session
       number, when there is one (CORS and YCORS likewise; a YCORS is out of 4);
    5. ``"Agreed: <comment>."``: the comment of the alliance row, else of that outcome row,
       when the data holds one and it records an agreement (it mentions "agree"; one that
       starts with "Agreed" is kept as is). Any other comment (the client's feedback, say)
       is documented as ``"Comment: <comment>."``, never presented as an agreement.

    References
    ----------
    OpenFIT knowledge base KA-01031 (SRS cutoff 36). Duncan, B. L. et al. (2003). The
    Session Rating Scale. Journal of Brief Therapy, 3(1), 3-12 (reflect and thank, ask for
    one concrete example, agree on changes).

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
    cut = tx.number(s.cutoff)
    parts = [ses[measure], " total: ", tx.numbers(ses[total]), f"/{tx.number(_TOTAL_MAX)}",
             tx.choose(low, f" (below the {cut} cutoff).", f" (at or above the {cut} cutoff).")]
    rated = ses["lowest_item"].notna().to_numpy()
    names = tx.item_names(ses["lowest_item"])
    tied = ses["lowest_item"].str.count(";").to_numpy(dtype=float, na_value=0)
    score = tx.concat(tx.numbers(ses["lowest_item_score"]), f"/{tx.number(_ITEM_MAX)}")
    named = tx.concat(tx.choose(tied > 0, " Lowest items: ", " Lowest item: "), names, " (",
                      score, ").")
    lowest = tx.choose(tied == 3, tx.concat(" All four items: ", score, "."), named)
    parts.append(tx.choose(rated, lowest, ""))
    about = tx.choose(rated & (tied < 3), tx.concat(" Follow-up on ", names, ":"), " Follow-up:")
    follow = tx.concat(about, " ask for one concrete example and agree on two small changes.")
    parts.append(tx.choose(low, follow, ""))

    # the self-rated outcome rating of the same session, and the comments
    has = data[measure].isin(_OUTCOME_MEASURES).to_numpy() & (data[rater] == "self").to_numpy()
    has &= data[total].notna().to_numpy()
    out_rows = data.loc[has]
    o = _first_match(ses, out_rows, keys)
    found, o = o >= 0, np.maximum(o, 0)
    om = tx.text(out_rows[measure]).take(o) if len(out_rows) else tx.text(np.full(n, ""))
    tops = tx.per_value(om, lambda m: tx.number(INSTRUMENTS[m].total_range[1])
                        if m in INSTRUMENTS else "40")
    ot = out_rows[total].to_numpy(dtype=float)[o] if len(out_rows) else np.full(n, np.nan)
    parts.append(tx.choose(found, tx.concat(" ", om, ": ", tx.numbers(ot), "/", tops, "."), ""))
    if comment in data.columns and n:
        parts.append(_comments(data, ses, has, found, o, [*keys, measure, rater], comment))
    res = ses[[client, episode, session, date]].reset_index(drop=True)
    res["variant"] = tx.str_column(tx.choose(low, "low", "routine"))
    res["note"] = tx.str_column(tx.concat(*parts))
    return res


def _comments(data, ses, has, found, o, keys, comment):
    """" Agreed: ..." / " Comment: ..." for each alliance rating: the comment of its own row,
    else of the session's outcome rating (row ``o`` of the outcome rows, where ``found``)."""
    said = data[comment]
    a = _first_match(ses, data.loc[~has], keys)
    text = tx.choose(a >= 0, tx.text(said[~has]).take(np.maximum(a, 0)), "")
    text = pc.utf8_trim_whitespace(text)
    from_outcome = tx.text(said[has]).take(o) if has.any() else tx.text(np.full(len(ses), ""))
    none = pc.equal(text, "").to_numpy(zero_copy_only=False)
    text = pc.utf8_trim_whitespace(tx.choose(none & found, from_outcome, text))
    ends = pc.match_substring_regex(text, r"[.!?]$").to_numpy(zero_copy_only=False)
    text = tx.concat(text, tx.choose(ends, "", "."))
    lower = pc.utf8_lower(text)
    agreed = pc.starts_with(lower, "agreed").to_numpy(zero_copy_only=False)
    agreement = pc.match_substring(lower, "agree").to_numpy(zero_copy_only=False)
    empty = pc.equal(text, ".").to_numpy(zero_copy_only=False)
    prefix = tx.choose(agreed, " ", tx.choose(agreement, " Agreed: ", " Comment: "))
    return tx.choose(empty, "", tx.concat(prefix, text))


@_docstrings.fill
def progress_note(
    data: pd.DataFrame,
    client_id: str,
    session_number: int | None = None,
    *,
    episode_id: str | None = None,
    client: str = "client_id",
    episode: str = "episode_id",
    clinician: str = "clinician_id",
    session: str = "session_number",
    date: str = "session_date",
    measure: str = "measure",
    rater: str = "rater",
    total: str = "total",
    items: tuple[str, str, str, str] = ITEM_COLUMNS,
    imputed: str = "items_imputed",
    comment: str = "comment",
    settings: AllianceSettings | None = None,
) -> str:
    """The progress-note line of one client's session (see :func:`progress_notes`).

    Parameters
    ----------
    {data}
    client_id : str
        The client.
    session_number : int, optional
        The session; by default the latest session with an alliance rating.
    episode_id : str, optional
        The episode; by default the one of the client's latest alliance rating (by date,
        then session number). Needed when ``session_number`` is in more than one episode.
    {columns}
    settings : AllianceSettings, optional
        The cutoff and other thresholds.

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
    >>> from srs_analytics import load_sample
    >>> data = load_sample()
    >>> print(progress_note(data, "C00003", 7))
    SRS total: 39.87/40 (at or above the 36 cutoff). Lowest item: relationship (9.87/10).
    ORS: 29.99/40. Comment: Liked the worksheet on worry time.
    >>> progress_note(data, "nobody")
    Traceback (most recent call last):
    ...
    ValueError: client_id 'nobody' is not in client='client_id' (300 clients, e.g. ...)
    """
    require_columns(data, {"client": client}, ["client"])
    rows = data[(data[client] == client_id).to_numpy(dtype=bool)]
    if rows.empty:
        known = pd.unique(data[client].dropna())
        sample = ", ".join(map(str, np.sort(known)[:3]))
        raise ValueError(f"client_id {client_id!r} is not in client={client!r} "
                         f"({len(known):,} clients, e.g. {sample})")
    if episode_id is not None:
        episodes = sorted(map(str, pd.unique(rows[episode])))
        rows = rows[(rows[episode] == episode_id).to_numpy(dtype=bool)]
        if rows.empty:
            raise ValueError(f"client {client_id!r} has no episode {episode_id!r}; "
                             f"episodes: {', '.join(episodes)}")
    notes = progress_notes(rows, client=client, episode=episode, clinician=clinician,
                           session=session, date=date, measure=measure, rater=rater,
                           total=total, items=items, imputed=imputed, comment=comment,
                           settings=settings)
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
