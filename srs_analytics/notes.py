"""Progress-note lines for every SRS session: they document, they do not instruct.

A clinician copies one line into the record. As the seed asks, it holds three things, one
sentence each: **the score** (the SRS total out of 40 against the cutoff, the lowest item
with its score, an item that is deep, fallen or repeatedly low, and the ORS of the same
session, saying when it is a reliable deterioration), **the client's feedback** (the
session's comment, verbatim) and **the clinician's response** (from the data when it holds
one; otherwise a clearly marked place to write it, or, when nothing calls for a response,
"No adjustments indicated."). A note never reinterprets what the client said.
:func:`progress_notes` writes the line for every session at once; :func:`progress_note`
returns one. ``docs/measures-and-rules.md`` ("Progress notes") says what a line holds.

Examples
--------
>>> from srs_analytics import load_sample
>>> print(progress_note(load_sample(), "C00092", 5))
SRS total: 35.5/40 (below the 36 cutoff). Lowest item: approach or method (7.2/10).
Approach or method below 8 in 2 of the last 3 sessions. ORS: 17.9/40. Client feedback:
"Agreed to try two small changes: shorter homework, more time on work stress." Clinician
response: [to be completed by the clinician].
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow.compute as pc

from . import _docstrings
from . import _text as tx
from ._checks import require_columns
from ._frames import item_flags, lag, positions
from ._text import ITEM_NAMES
from .alliance import ITEM_LABELS, AllianceSettings, session_alliance
from .instruments import INSTRUMENTS, OUTCOME
from .outcomes import OutcomeSettings, session_outcomes
from .schema import ITEM_COLUMNS

__all__ = ["ITEM_NAMES", "NO_RESPONSE", "VARIANTS", "NoteSettings", "progress_note",
           "progress_notes"]

_OUTCOME_MEASURES = tuple(k for k, inst in INSTRUMENTS.items() if inst.family == OUTCOME)
_ITEM_MAX = INSTRUMENTS["SRS"].item_range[1]
_TOTAL_MAX = INSTRUMENTS["SRS"].total_range[1]
#: The place left for the clinician's response where the data holds none.
NO_RESPONSE = "[to be completed by the clinician]"
#: The variants of a note: what calls for a response, the first that applies.
VARIANTS = ("low", "item", "deterioration", "routine")


@dataclass(frozen=True)
class NoteSettings:
    """The thresholds a progress note reads.

    Attributes
    ----------
    alliance : AllianceSettings
        The SRS cutoff (36), the deep item (7), the item fall (3) and the repeated low item
        (below 8 now and in one of the two sessions before).
    outcome : OutcomeSettings
        The reliable change of the ORS (points, 5) that makes a deterioration.
    """

    alliance: AllianceSettings = AllianceSettings()
    outcome: OutcomeSettings = OutcomeSettings()

    def __post_init__(self):
        for name, kind in (("alliance", AllianceSettings), ("outcome", OutcomeSettings)):
            if not isinstance(getattr(self, name), kind):
                raise TypeError(f"{name} must be {kind.__name__}; got "
                                f"{type(getattr(self, name)).__name__}")


def _settings(settings) -> NoteSettings:
    """NoteSettings from None, NoteSettings or AllianceSettings (the alliance part)."""
    if settings is None:
        return NoteSettings()
    if isinstance(settings, AllianceSettings):
        return NoteSettings(alliance=settings)
    if not isinstance(settings, NoteSettings):
        raise TypeError(f"settings must be NoteSettings (or AllianceSettings); got "
                        f"{type(settings).__name__}")
    return settings


def _first_match(left: pd.DataFrame, right: pd.DataFrame, keys: list) -> np.ndarray:
    """Position in ``right`` of the first row whose ``keys`` equal each ``left`` row's
    (-1 where none does); missing keys match missing keys."""
    first = right[keys].reset_index(drop=True)
    first = first[~first.duplicated()].assign(_pos=lambda f: f.index.to_numpy())
    found = left[keys].reset_index(drop=True).merge(first, how="left", on=keys)["_pos"]
    return found.fillna(-1).to_numpy(dtype=np.int64)


def _text_of(values, rows, found, n):
    """Text of ``values`` at ``rows`` where ``found``, else ""; trimmed."""
    if not len(values):
        return tx.text(np.full(n, ""))
    text = tx.choose(found, tx.text(values).take(np.maximum(rows, 0)), "")
    return pc.utf8_trim_whitespace(text)


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
    age_group: str = "age_group",
    comment: str = "comment",
    response: str = "clinician_response",
    settings: NoteSettings | AllianceSettings | None = None,
) -> pd.DataFrame:
    """The progress-note line of every session with an alliance rating (SRS family).

    Parameters
    ----------
    {data}
        Alliance ratings (SRS, CSRS, GSRS, CGSRS) by the raters in
        ``settings.alliance.raters`` (self by default) each get a line; self-rated outcome
        ratings (ORS, CORS, YCORS), comments and responses of the same session are read
        into it.
    {columns}
        ``clinician``, ``date``, ``age_group``, the items, ``comment`` and ``response`` may
        be absent.
    response : str, default "clinician_response"
        Column of the clinician's response to the feedback, where the data holds one.
    settings : NoteSettings, optional
        The alliance thresholds (cutoff 36, deep item 7, repeated low item below 8) and the
        reliable change of the ORS (5 points). An :class:`AllianceSettings` is taken as
        the alliance part.

    Returns
    -------
    pandas.DataFrame
        One row per alliance rating, sorted by client, episode, measure and session:
        ``client_id``, ``episode_id``, ``session_number``, ``session_date`` (the names
        passed in), ``variant`` (one of :data:`VARIANTS`, the first that applies: ``low``,
        the total is below the cutoff; ``item``, an item is deep, fallen or repeatedly low;
        ``deterioration``, the session's ORS is a reliable deterioration; else
        ``routine``) and ``note`` (str).

    Notes
    -----
    The line, in this order (numbers without a trailing ``.0``):

    1. The score. ``"SRS total: 31/40 (below the 36 cutoff)."`` or ``"... (at or above the
       36 cutoff)."``, with the measure given (CSRS, GSRS ...). ``"Lowest item: approach
       or method (5/10)."``, always (PCOMS practice: one follow-up on the lowest item;
       ties: ``"Lowest items: goals and topics, approach or method (8/10)."``; four equal
       items: ``"All four items: 10/10."``), with ``", at or below 7"`` and ``", down 3
       points since the last session"`` where they hold; left out when the items were not
       rated or were back-filled from a total. Each repeatedly low item:
       ``"Goals and topics below 8 in 2 of the last 3 sessions."``. The client's
       self-rated outcome rating of the same session number: ``"ORS: 22.5/40."`` (CORS
       and YCORS likewise; a YCORS is out of 4), or, for a reliable deterioration from
       the intake, ``"ORS: 9.8/40, 8.3 points below the intake of 18.1: a reliable
       deterioration."``.
    2. The client's feedback: ``'Client feedback: "<comment>"'``, the comment of the
       alliance row, else of that outcome row, verbatim; left out when there is none.
    3. The clinician's response: ``"Clinician response: <response>"`` from the data;
       where it holds none, ``"Clinician response: [to be completed by the clinician]."``
       when the variant is not routine, and ``"No adjustments indicated."`` for a routine
       session (the seed's routine note).

    References
    ----------
    OpenFIT knowledge base KA-01031 (SRS cutoff 36). Duncan, B. L. et al. (2003). The
    Session Rating Scale. Journal of Brief Therapy, 3(1), 3-12. Jacobson, N. S. and Truax,
    P. (1991); OpenFIT KA-01028 (reliable change, 5 points).

    Examples
    --------
    >>> import pandas as pd
    >>> srs = pd.DataFrame({"client_id": "C1", "episode_id": "E1", "session_number": [1, 2],
    ...                     "measure": "SRS", "rater": "self", "item_1": [9.5, 9.0],
    ...                     "item_2": [9.2, 8.0], "item_3": [9.6, 5.0],
    ...                     "item_4": [9.7, 9.0], "total": [38.0, 31.0],
    ...                     "comment": [None, "Client disagreed with the homework focus."]})
    >>> for line in progress_notes(srs)["note"]:
    ...     print(line)
    SRS total: 38/40 (at or above the 36 cutoff). Lowest item: goals and topics (9.2/10). No
    adjustments indicated.
    SRS total: 31/40 (below the 36 cutoff). Lowest item: approach or method (5/10), at or
    below 7, down 4.6 points since the last session. Client feedback: "Client disagreed with
    the homework focus." Clinician response: [to be completed by the clinician].
    """
    s = _settings(settings)
    al = s.alliance
    ses = session_alliance(data, client=client, episode=episode, clinician=clinician,
                           session=session, date=date, measure=measure, rater=rater,
                           total=total, items=items, imputed=imputed, settings=al)
    keys = [client, episode, session]
    n = len(ses)
    low = ses["below_cutoff"].to_numpy(dtype=bool)
    cut = tx.number(al.cutoff)
    parts = [ses[measure], " total: ", tx.numbers(ses[total]), f"/{tx.number(_TOTAL_MAX)}",
             tx.choose(low, f" (below the {cut} cutoff).", f" (at or above the {cut} cutoff).")]

    # the lowest item, and whether it is deep or fell; repeatedly low items
    x = ses[list(items)].to_numpy(dtype=float, na_value=np.nan)
    rated = ses["lowest_item"].notna().to_numpy()
    pos = positions(np.cumsum(_starts(ses, [client, episode, rater, measure])))[0]
    f = item_flags(x, rated, pos, al)
    lowest = (np.abs(x - ses["lowest_item_score"].to_numpy()[:, None]) <= 1e-9) & rated[:, None]
    deep = (f["deep"] & lowest).any(axis=1)
    fell = f["fallen"] & lowest
    fall = np.where(fell, np.round(x - lag(x, pos, 1), 2), 0).min(axis=1)
    names = tx.item_names(ses["lowest_item"])
    tied = ses["lowest_item"].str.count(";").to_numpy(dtype=float, na_value=0)
    score = tx.concat(tx.numbers(ses["lowest_item_score"]), f"/{tx.number(_ITEM_MAX)}")
    notes = tx.concat(tx.choose(deep, f", at or below {tx.number(al.deep_item)}", ""),
                      tx.choose(fell.any(axis=1), tx.concat(", down ", tx.numbers(-fall),
                                                            " points since the last session"),
                                ""), ".")
    named = tx.concat(tx.choose(tied > 0, " Lowest items: ", " Lowest item: "), names, " (",
                      score, ")")
    lowest_text = tx.choose(tied == 3, tx.concat(" All four items: ", score), named)
    parts.append(tx.choose(rated, tx.concat(lowest_text, notes), ""))
    for j, lab in enumerate(ITEM_LABELS):  # a loop over the four items, not the rows
        rep = f["repeated"][:, j]
        name = ITEM_NAMES[lab]
        parts.append(tx.choose(rep, tx.concat(
            f" {name[0].upper()}{name[1:]} below {tx.number(al.repeat_low)} in ",
            tx.numbers(f["n_repeated"][:, j]), " of the last ", tx.numbers(f["window"]),
            " sessions."), ""))
    item = ~low & (deep | fell.any(axis=1) | f["repeated"].any(axis=1))

    # the self-rated outcome rating of the same session
    outcome = session_outcomes(data, client=client, episode=episode, clinician=clinician,
                               session=session, date=date, measure=measure, rater=rater,
                               total=total, age_group=age_group, settings=s.outcome) \
        if len(ses) else None
    o = _first_match(ses, outcome, keys) if outcome is not None else np.full(n, -1)
    found, o = o >= 0, np.maximum(o, 0)
    if outcome is not None and len(outcome):
        om = tx.text(outcome[measure]).take(o)
        ot = outcome[total].to_numpy(dtype=float)[o]
        worse = outcome["reliable_deterioration"].to_numpy(dtype=bool, na_value=False)[o]
        change, intake = outcome["ors_change"].to_numpy()[o], outcome["ors_intake"].to_numpy()[o]
    else:
        om, ot = tx.text(np.full(n, "")), np.full(n, np.nan)
        worse, change, intake = np.zeros(n, bool), np.full(n, np.nan), np.full(n, np.nan)
    worse &= found
    tops = tx.per_value(om, lambda m: tx.number(INSTRUMENTS[m].total_range[1])
                        if m in INSTRUMENTS else "40")
    deteriorated = tx.concat(", ", tx.numbers(-change), " points below the intake of ",
                             tx.numbers(intake), ": a reliable deterioration.")
    parts.append(tx.choose(found, tx.concat(" ", om, ": ", tx.numbers(ot), "/", tops,
                                            tx.choose(worse, deteriorated, ".")), ""))

    # the client's feedback, verbatim, and the clinician's response
    variant = np.select([low, item, worse], VARIANTS[:3], VARIANTS[3]).astype(object)
    feedback = _feedback(data, ses, found, keys, measure, rater, total, comment) if n else \
        tx.text(np.full(0, ""))
    parts.append(tx.choose(pc.equal(feedback, "").to_numpy(zero_copy_only=False), "",
                           tx.concat(' Client feedback: "', feedback, '"')))
    said = _response(data, ses, keys, measure, rater, response) if n else tx.text([])
    none = pc.equal(said, "").to_numpy(zero_copy_only=False)
    ends = pc.match_substring_regex(said, r"[.!?]$").to_numpy(zero_copy_only=False)
    routine = variant == "routine"
    parts.append(tx.choose(none, tx.choose(routine, " No adjustments indicated.",
                                           f" Clinician response: {NO_RESPONSE}."),
                           tx.concat(" Clinician response: ", said,
                                     tx.choose(ends, "", "."))))
    res = ses[[client, episode, session, date]].reset_index(drop=True)
    res["variant"] = pd.array(variant, dtype="str")
    res["note"] = tx.str_column(tx.concat(*parts))
    return res


def _starts(df, keys):
    """True where a row starts a new combination of ``keys`` (rows sorted by them)."""
    new = np.zeros(len(df), dtype=bool)
    new[:1] = True
    for k in keys:
        codes = pd.factorize(df[k])[0]
        new[1:] |= codes[1:] != codes[:-1]
    return new


def _feedback(data, ses, found, keys, measure, rater, total, comment):
    """The comment of each alliance rating's own row, else of the session's self-rated
    outcome row; trimmed, never reworded."""
    n = len(ses)
    if comment not in data.columns:
        return tx.text(np.full(n, ""))
    out_rows = (data[measure].isin(_OUTCOME_MEASURES).to_numpy()
                & (data[rater] == "self").to_numpy() & data[total].notna().to_numpy())
    a = _first_match(ses, data.loc[~out_rows], [*keys, measure, rater])
    own = _text_of(data.loc[~out_rows, comment], a, a >= 0, n)
    o = _first_match(ses, data.loc[out_rows], keys)
    other = _text_of(data.loc[out_rows, comment], o, o >= 0, n)
    empty = pc.equal(own, "").to_numpy(zero_copy_only=False)
    return tx.choose(empty, other, own)


def _response(data, ses, keys, measure, rater, response):
    """The clinician's response recorded on the alliance rating's row ("" when none)."""
    if response not in data.columns:
        return tx.text(np.full(len(ses), ""))
    a = _first_match(ses, data, [*keys, measure, rater])
    return _text_of(data[response], a, a >= 0, len(ses))


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
    age_group: str = "age_group",
    comment: str = "comment",
    response: str = "clinician_response",
    settings: NoteSettings | AllianceSettings | None = None,
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
    response : str, default "clinician_response"
        Column of the clinician's response, where the data holds one.
    settings : NoteSettings, optional
        The alliance thresholds and the reliable change of the ORS.

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
    ORS: 29.99/40. Client feedback: "Liked the worksheet on worry time." No adjustments
    indicated.
    >>> progress_note(data, "nobody")
    Traceback (most recent call last):
    ...
    ValueError: client_id 'nobody' is not in client='client_id' (300 clients, e.g. ...)
    """
    s = _settings(settings)
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
    # the Jacobson-Truax intake SD comes from every client: read the whole table then
    notes = progress_notes(rows if s.outcome.method == "points" else data, client=client,
                           episode=episode, clinician=clinician, session=session, date=date,
                           measure=measure, rater=rater, total=total, items=items,
                           imputed=imputed, age_group=age_group, comment=comment,
                           response=response, settings=s)
    mine = (notes[client] == client_id).to_numpy(dtype=bool)
    if episode_id is not None:
        mine = mine & (notes[episode] == episode_id).to_numpy(dtype=bool)
    notes = notes[mine]
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
