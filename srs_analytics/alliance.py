"""The alliance (SRS family): flags for every session and a summary of every episode.

:func:`session_alliance` gives one row per alliance rating (SRS, CSRS, GSRS, CGSRS) with
the flags described in ``docs/measures-and-rules.md`` ("Alliance"); :func:`client_alliance`
one row per client and episode, with the level, trend, lowest item and alliance pattern.
Every threshold is a field of :class:`AllianceSettings` and names its source. Both work on
whole columns of the table sorted by client, episode and session (no loop over clients): a
million administrations take under a second each.

Examples
--------
>>> from srs_analytics import load_sample
>>> per_episode = client_alliance(load_sample())
>>> per_episode["alliance_pattern"].value_counts().to_dict()  # doctest: +NORMALIZE_WHITESPACE
{'stable_high': 79, 'ascending': 77, 'insufficient': 74, 'high_then_drop': 52,
 'stable_low': 4, 'descending': 3}
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa

from . import _docstrings
from ._checks import check_number, require_columns
from ._frames import EPS, column_map, item_flags, lag, positions, sort_into_groups
from .instruments import ALLIANCE, INSTRUMENTS
from .schema import ITEM_COLUMNS

__all__ = ["ITEM_LABELS", "PATTERNS", "AllianceSettings", "client_alliance",
           "session_alliance"]

#: Short labels of the four alliance items (the same for SRS, CSRS, GSRS and CGSRS).
ITEM_LABELS: tuple[str, ...] = INSTRUMENTS["SRS"].items
#: The alliance patterns of :func:`client_alliance`, best outcome first where ACORN ranks them.
PATTERNS = ("ascending", "stable_high", "high_then_drop", "descending", "stable_low",
            "insufficient")
_ALLIANCE_MEASURES = tuple(k for k, inst in INSTRUMENTS.items() if inst.family == ALLIANCE)
#: Labels of every subset of the four items, indexed by a 4-bit mask (bit j = item j+1).
_SUBSETS = np.array([";".join(lab for j, lab in enumerate(ITEM_LABELS) if m >> j & 1)
                     for m in range(16)], dtype=object)
_SUBSET_TEXT = pa.array(_SUBSETS, pa.large_string())


@dataclass(frozen=True)
class AllianceSettings:
    """Thresholds of the alliance flags and patterns; every one can be overridden.

    Attributes
    ----------
    cutoff : float, default 36
        A total *below* the cutoff is low (OpenFIT KA-01031; used for CSRS, GSRS and CGSRS
        too, for which no separate norm was found).
    ceiling : float, default 39
        A total *at or above* it is at the ceiling (the SRS ceiling effect: Meier and
        Feeley 2022; the threshold is this project's choice).
    low_item : float, default 9
        An item *below* it is low. A practitioners' heuristic (9 = 36 / 4): there is no
        published item cutoff.
    deep_item : float, default 7
        An item *at or below* it is deeply low (the seed: one low item tells more than the
        total; the 7 is our choice).
    item_fall : float, default 3
        An item that fell at least this much since the previous rating has fallen (our
        choice: a third of the usual range of an item between 7 and 10).
    repeat_low : float, default 8
        A repeated low item is *below* it (our choice: the "something bigger" responses,
        such as a referral, are for truly low items; an item below 9 recurs in about a
        third of sessions on realistic data).
    drop : float, default 1
        A total at least this far below the previous session's is a drop (OpenFIT's red
        rule).
    sharp_drop : float, default 5
        A fall of at least this much is a sharp drop (the seed's example: 38 to 29).
    repeat_window, repeat_min : int, default 3 and 2
        An item low in the current rating and in ``repeat_min`` of the last
        ``repeat_window`` ratings (the current one included) is repeated: low now and in at
        least one of the two before (this project's choice).
    ceiling_sessions : int, default 3
        Every total at the ceiling over at least this many sessions is false reassurance
        (PCOMS practice: "all 10s every time" is named directly; the 3 is our choice).
    no_variation_sessions : int, default 4
        The same total this many sessions running is "no variation at all" (our choice);
        at or above the cutoff it is a sign of false reassurance.
    min_sessions : int, default 3
        Fewer alliance ratings in an episode give the pattern ``insufficient``.
    rise : float, default 1
        Ascending: the last total at least this far above the first (ACORN: the alliance
        "gets better"; 1 point mirrors the drop rule).
    fall : float, default 1
        High then drop / descending: the last total at least this far below the earlier
        high / the first (ACORN: worse "even by a small amount"; OpenFIT's 1 point).
    stable_share : float, default 0.5
        Stable high: at least this share of the sessions not low; otherwise stable low.
    early_sessions : int, default 3
        Early change runs from the first session to the last one numbered up to this.
    measures : tuple of str
        The alliance measures analysed: SRS, CSRS, GSRS, CGSRS.
    raters : tuple of str, default ("self",)
        Whose ratings are analysed. A collateral SRS is unusual; when included it is kept
        apart (the rater is part of the series key), never mixed with the client's own.

    Each measure is its own series: an individual SRS and a group GSRS of the same client
    and episode are never compared (the GSRS rates the group and its leader).
    """

    cutoff: float = 36.0
    ceiling: float = 39.0
    low_item: float = 9.0
    deep_item: float = 7.0
    item_fall: float = 3.0
    repeat_low: float = 8.0
    drop: float = 1.0
    sharp_drop: float = 5.0
    repeat_window: int = 3
    repeat_min: int = 2
    ceiling_sessions: int = 3
    no_variation_sessions: int = 4
    min_sessions: int = 3
    rise: float = 1.0
    fall: float = 1.0
    stable_share: float = 0.5
    early_sessions: int = 3
    measures: tuple[str, ...] = _ALLIANCE_MEASURES
    raters: tuple[str, ...] = ("self",)

    def __post_init__(self):
        top, item = INSTRUMENTS["SRS"].total_range[1], INSTRUMENTS["SRS"].item_range[1]
        for name in ("cutoff", "ceiling"):
            check_number(name, getattr(self, name), 0, top, low_open=True)
        check_number("low_item", self.low_item, 0, item, low_open=True)
        check_number("deep_item", self.deep_item, 0, item)
        check_number("repeat_low", self.repeat_low, 0, item, low_open=True)
        check_number("item_fall", self.item_fall, 0, item, low_open=True)
        for name in ("drop", "sharp_drop"):
            check_number(name, getattr(self, name), 0, top, low_open=True)
        for name in ("rise", "fall"):
            check_number(name, getattr(self, name), 0, top)
        for name in ("repeat_window", "repeat_min", "ceiling_sessions",
                     "no_variation_sessions", "min_sessions", "early_sessions"):
            check_number(name, getattr(self, name), 1, integer=True)
        if self.repeat_min > self.repeat_window:
            raise ValueError(f"repeat_min ({self.repeat_min}) must not exceed repeat_window "
                             f"({self.repeat_window})")
        check_number("stable_share", self.stable_share, 0, 1)
        object.__setattr__(self, "measures", _names("measures", self.measures))
        object.__setattr__(self, "raters", _names("raters", self.raters))
        unknown = [m for m in self.measures if m not in _ALLIANCE_MEASURES]
        if unknown:
            raise ValueError(f"measures must be alliance measures "
                             f"({', '.join(_ALLIANCE_MEASURES)}); got {unknown!r}")


def _names(name, values) -> tuple[str, ...]:
    """A tuple of one or more names (a single str counts as one)."""
    values = (values,) if isinstance(values, str) else tuple(values)
    if not values or not all(isinstance(v, str) for v in values):
        raise ValueError(f"{name} must be one or more names; got {values!r}")
    return values


# --------------------------------------------------------------------------- helpers
def _prepare(data, cols, settings, *, required):
    """Alliance rows of ``data``, sorted by client, episode, rater, measure, session and
    date.

    Returns the sorted frame (absent optional columns filled with NA), the series number
    (client, episode, rater, measure) of each row and its position within the series.
    """
    require_columns(data, cols, required)
    keep = (data[cols["measure"]].isin(settings.measures)
            & data[cols["rater"]].isin(settings.raters)).to_numpy(dtype=bool)
    names = [c for k, c in cols.items() if k != "items"]
    df = data.loc[keep, [c for c in dict.fromkeys(names) if c in data.columns]]
    for arg, col in cols.items():
        if col not in df.columns and arg != "items":
            df[col] = pd.NaT if arg == "date" else (False if arg == "imputed" else np.nan)
    if df[cols["session"]].isna().any():
        raise ValueError(f"session={cols['session']!r} is missing on some alliance rows; the "
                         "loader derives session numbers from dates (srs_analytics.load)")
    if df[cols["total"]].isna().any():
        raise ValueError(f"total={cols['total']!r} is missing on some alliance rows")
    df, group, _, _ = sort_into_groups(df, cols, ("client", "episode", "rater", "measure"))
    return df, group, positions(group)[0]


def _labels(mask, valid):
    """'a;b' labels of the items set in a boolean (n, 4) mask; NA where not ``valid``."""
    bits = (mask.astype(np.int64) << np.arange(4)).sum(axis=1)
    bits = pa.array(bits, mask=~np.asarray(valid, dtype=bool))  # null where not valid
    return pd.array(_SUBSET_TEXT.take(bits), dtype="str")  # taken in arrow, not per row


def _run_length(flag, pos):
    """Sessions in a row with ``flag`` set, up to and including each row (0 where unset)."""
    idx = np.arange(len(flag))
    # the last row before the run: a row without the flag, or the row before a group start
    before = np.where(~flag, idx, np.where(pos == 0, idx - 1, -1))
    return np.where(flag, idx - np.maximum.accumulate(before), 0)


_REQUIRED = ("client", "episode", "session", "measure", "rater", "total")


# --------------------------------------------------------------------------- public
@_docstrings.fill
def session_alliance(
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
    settings: AllianceSettings | None = None,
) -> pd.DataFrame:
    """Flags of every alliance rating: low, ceiling, drop, lowest and low items.

    Parameters
    ----------
    {data}
        Alliance measures are read (SRS, CSRS, GSRS, CGSRS); other rows are ignored.
    {columns}
        ``clinician``, ``date`` and the items may be absent; items back-filled from a
        total (``imputed``) give NA item flags.
    settings : AllianceSettings, optional
        The thresholds; the defaults of :class:`AllianceSettings` when omitted.

    Returns
    -------
    pandas.DataFrame
        One row per alliance administration by a rater in ``settings.raters`` (self by
        default), sorted by client, episode, rater, measure, session number and date (each
        measure of an episode is its own series):

        - ``client_id``, ``episode_id``, ``clinician_id``, ``session_number``,
          ``session_date``, ``measure``, ``rater``, ``total``, ``item_1`` .. ``item_4``,
          ``items_imputed``: copied (the column names are those passed in);
        - ``lowest_item`` (str): label(s) of the lowest item, ``"relationship"``,
          ``"goals_topics"``, ``"approach_method"`` or ``"overall"``; ties give every tied
          label in item order joined by ``";"``; ``lowest_item_score`` (float);
        - ``below_cutoff`` (total < cutoff), ``at_ceiling`` (total >= ceiling): bool;
        - ``ceiling_streak`` (int): sessions in a row at the ceiling up to this one;
        - ``no_variation`` (bool): this total equals each of the previous
          ``no_variation_sessions - 1`` totals of the episode;
        - ``change_from_previous`` (float, NaN at the first rating of the series); ``drop``
          (fell by at least ``drop``), ``sharp_drop`` (by at least ``sharp_drop``): bool,
          False at the first rating;
        - ``low_items`` (str): labels of the items below ``low_item`` joined by ``";"``,
          ``""`` when none; ``n_low_items`` (Int64);
        - ``low_relationship``, ``low_goals_topics``, ``low_approach_method``,
          ``low_overall`` (boolean): each item below ``low_item``;
        - ``deep_items`` (str): labels of the items at or below ``deep_item`` (7);
          ``fallen_items`` (str): of the items at least ``item_fall`` (3) points below the
          previous rating's item;
        - ``repeated_low_item`` (str): labels of the items below ``repeat_low`` (8) in this
          rating and in at least ``repeat_min`` (2) of the last ``repeat_window`` (3)
          ratings of the series, this one included: low now and in one of the two before;
          ``recurring_low_item`` (str): the same with ``low_item`` (9).

        Label columns hold ``""`` when no item qualifies.

        Item-level columns (``lowest_item`` to ``repeated_low_item`` except the total
        flags) are NA where the items are missing or imputed.

    Notes
    -----
    Rules (``docs/measures-and-rules.md``, "Alliance"), with the defaults of
    :class:`AllianceSettings`:

    - low total: total < 36 (OpenFIT KA-01031); ceiling: total >= 39 (Meier and Feeley
      2022 on the SRS ceiling effect);
    - drop: total_s - total_{s-1} <= -1 (OpenFIT's red rule); sharp drop: <= -5 (the seed's
      example, 38 to 29). "Previous" is the previous rating of the same measure in the
      episode, whatever its session number: an SRS is never compared with a GSRS;
    - low item: item < 9, a practitioners' heuristic (no published item cutoff); deep: <= 7;
      fallen: 3 points or more below the previous rating (7 and 3 are our choice); the
      lowest item is always named (the seed's protocol: one follow-up on the lowest item);
    - repeated low item: below 8 now and in at least one of the two ratings before
      (relationship: possible rupture, cultural mismatch or referral; approach or method:
      revisit modality fit and consent; goals and topics: revisit the goals and who sets
      the agenda); it holds only while the item is still low. A rating without items
      counts as not low inside the window;
    - no variation: the same total 4 sessions running (at or above the cutoff, a sign of
      false reassurance).

    Comparisons allow 1e-9 of floating-point error, so 36 is not low and 35.9 is.

    References
    ----------
    OpenFIT knowledge base KA-01031 (SRS cutoff 36) and its red alert rule (a 1-point drop).
    Meier, S. T. and Feeley, T. H. (2022). Ceiling effects indicate a possible threshold
    structure for working alliance. Journal of Counseling Psychology, 69(2), 235-245.
    Duncan, B. L. et al. (2003). The Session Rating Scale. Journal of Brief Therapy, 3(1).

    Examples
    --------
    >>> import pandas as pd
    >>> srs = pd.DataFrame({"client_id": "C1", "episode_id": "E1", "session_number": [1, 2, 3],
    ...                     "measure": "SRS", "rater": "self", "item_1": [9.5, 9.0, 9.5],
    ...                     "item_2": [8.5, 8.0, 9.0], "item_3": [9.5, 7.0, 8.0],
    ...                     "item_4": [9.5, 8.0, 9.5], "total": [37.0, 32.0, 36.0]})
    >>> out = session_alliance(srs)
    >>> out[["total", "below_cutoff", "drop", "sharp_drop", "lowest_item"]]
       total  below_cutoff   drop  sharp_drop      lowest_item
    0   37.0         False  False       False     goals_topics
    1   32.0          True   True        True  approach_method
    2   36.0         False  False       False  approach_method
    >>> out["low_items"].tolist()
    ['goals_topics', 'goals_topics;approach_method;overall', 'approach_method']
    >>> out["repeated_low_item"].tolist(), out["recurring_low_item"].tolist()
    (['', '', ''], ['', 'goals_topics', 'approach_method'])
    >>> out["deep_items"].tolist(), out["fallen_items"].tolist()
    (['', 'approach_method', ''], ['', '', ''])
    """
    s = settings or AllianceSettings()
    cols = column_map(client=client, episode=episode, clinician=clinician, session=session,
                      date=date, measure=measure, rater=rater, total=total, items=items,
                      imputed=imputed)
    return _session_table(data, cols, s)[0]


def _session_table(data, cols, s):
    """:func:`session_alliance` with the group number and position of every row."""
    items = [cols[f"item_{j + 1}"] for j in range(4)]
    df, group, pos = _prepare(data, cols, s, required=_REQUIRED)
    t = df[cols["total"]].to_numpy(dtype=float)
    x = df[items].to_numpy(dtype=float, na_value=np.nan)
    valid = ~np.isnan(x).any(axis=1) & ~df[cols["imputed"]].fillna(False).to_numpy(dtype=bool)

    out = df[[cols[k] for k in ("client", "episode", "clinician", "session", "date",
                                "measure", "rater", "total")] + items
             + [cols["imputed"]]].copy()
    lowest = np.where(valid, np.where(np.isnan(x), np.inf, x).min(axis=1, initial=np.inf),
                      np.nan)
    out["lowest_item"] = _labels(np.abs(x - lowest[:, None]) <= EPS, valid)
    out["lowest_item_score"] = lowest
    out["below_cutoff"] = t < s.cutoff - EPS
    out["at_ceiling"] = t >= s.ceiling - EPS
    out["ceiling_streak"] = _run_length(out["at_ceiling"].to_numpy(), pos)
    same = np.ones(len(t), dtype=bool)
    for k in range(1, s.no_variation_sessions):
        same &= np.abs(t - lag(t, pos, k)) <= EPS  # NaN lag (too few sessions) is False
    out["no_variation"] = same
    change = np.round(t - lag(t, pos, 1), 9)
    out["change_from_previous"] = change
    out["drop"] = change <= -s.drop + EPS
    out["sharp_drop"] = change <= -s.sharp_drop + EPS

    f = item_flags(x, valid, pos, s)
    out["low_items"] = _labels(f["low"], valid)
    out["n_low_items"] = pd.arrays.IntegerArray(f["low"].sum(axis=1), ~valid)
    for j, lab in enumerate(ITEM_LABELS):
        out[f"low_{lab}"] = pd.arrays.BooleanArray(f["low"][:, j].copy(), ~valid)
    out["deep_items"] = _labels(f["deep"], valid)
    out["fallen_items"] = _labels(f["fallen"], valid)
    out["repeated_low_item"] = _labels(f["repeated"], valid)
    out["recurring_low_item"] = _labels(f["recurring"], valid)
    return out, group, pos


@_docstrings.fill
def client_alliance(
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
    settings: AllianceSettings | None = None,
) -> pd.DataFrame:
    r"""The alliance over each episode: level, trend, lowest item and pattern.

    Parameters
    ----------
    {data}
        Alliance measures are read (SRS, CSRS, GSRS, CGSRS); other rows are ignored.
    {columns}
        ``clinician``, ``date`` and the items may be absent.
    settings : AllianceSettings, optional
        The thresholds; the defaults of :class:`AllianceSettings` when omitted.

    Returns
    -------
    pandas.DataFrame
        One row per client, episode, rater and measure (self only by default; each partner
        of a couple has an own row, and a client rated on the SRS and, in a group, on the
        GSRS has one row for each: the two are never mixed), sorted by them:

        - ``client_id``, ``episode_id``, ``rater`` (the names passed in);
        - ``clinician_id``: of the last session with one known;
        - ``measure``: the alliance measure (SRS, CSRS, GSRS or CGSRS);
        - ``n_sessions`` (int): ratings of that measure in the episode;
        - ``srs_first``, ``srs_last``, ``srs_mean``, ``srs_min`` (float): totals;
        - ``srs_slope`` (float): ordinary least-squares slope of the total on the session
          number, points per session; NaN with one session;
        - ``early_change`` (float): the total at the last session numbered up to
          ``early_sessions`` (3) minus the first total; NaN unless two ratings fall in
          sessions 1-3 (so it is session 3 - session 1 when both were rated, else the
          closest pair available: 2 - 1, or 3 - 2 when session 1 has no rating);
        - ``share_below_cutoff``, ``share_at_ceiling`` (float): share of the ratings;
        - ``all_at_ceiling`` (bool): every total at the ceiling over at least
          ``ceiling_sessions`` (3) ratings; ``no_variation`` (bool): the same total over
          at least ``no_variation_sessions`` (4) ratings (signs of false reassurance);
        - ``lowest_item`` (str): the item(s) with the lowest mean over the ratings with
          items (ties joined by ``";"`` in item order; NA when no rating has items);
          ``lowest_item_mean`` (float);
        - ``alliance_pattern`` (str): one of :data:`PATTERNS`, defined in the Notes.

    Notes
    -----
    With :math:`t_1 .. t_n` the totals in session order, the slope is
    :math:`\sum (s_i - \bar s)(t_i - \bar t) / \sum (s_i - \bar s)^2` with :math:`s_i`
    the session numbers, computed with grouped sums.

    **Alliance pattern.** ACORN found that episodes whose alliance began less than
    perfect and then improved had the best outcomes (about 41% of episodes, mean effect
    size .85), an excellent alliance throughout came next (45%, .78), and an excellent early
    alliance rated worse at the end, "even by a small amount", the worst (14%, .60); Anker
    et al. (2010) tie an ascending alliance to better couple outcomes. ACORN judged
    the start against the end of the episode, and so do these rules. Let :math:`p` be the
    highest total before the last session. The first rule that holds names the pattern:

    1. ``insufficient``: fewer than ``min_sessions`` (3) ratings.
    2. ``ascending`` (improving from imperfect: ACORN's best; Anker et al. 2010): the
       first total is below the ceiling (39: room to improve), the last is at least
       ``rise`` (1) point above the first, the slope is positive, and the last is not a
       sharp drop (``sharp_drop``, 5 points) below :math:`p`.
    3. ``high_then_drop`` (excellent early, then worse: ACORN's worst): the first total
       is not low (>= 36) and the last is at least ``fall`` (1) point below it; or the
       last total is low and at least ``fall`` below :math:`p`, which was not low (a fall
       into the low range, as in 33, 39, 39, 33). A drop repaired by the last session
       does not count.
    4. ``descending``: the last total at least ``fall`` below the first and a negative
       slope; after rule 3, this is an alliance low throughout that fell further.
    5. ``stable_high`` (excellent throughout: ACORN's second): at least ``stable_share``
       (half) of the ratings not low.
    6. ``stable_low``: the rest: mostly low, without a rise.

    ACORN's "excellent" start is read as "at the ceiling" for the rise (an imperfect
    start is below 39) and as "not low" for the drop (any fall from 36 or more is a
    warning). The 1-point thresholds follow ACORN's "even by a small amount" and OpenFIT's
    1-point drop rule; they are not a published definition of the patterns, which ACORN
    does not give in full. Single sessions are noisy (SRS retest correlation .54-.70), so
    read the pattern with the session flags of :func:`session_alliance`.

    References
    ----------
    ACORN, "Alliance" help page (acorncollaboration.org/alliance): alliance patterns and
    effect sizes; "Alliance Items" (psychoutcomes.org/Questionnaires/AllianceItems).
    Anker, M. G., Owen, J., Duncan, B. L. and Sparks, J. A. (2010). The alliance in couple
    therapy: partner influence, early change, and alliance patterns in a naturalistic
    sample. Journal of Consulting and Clinical Psychology, 78(5), 635-645.
    OpenFIT knowledge base KA-01031 (SRS cutoff 36) and its red alert rule.
    Meier, S. T. and Feeley, T. H. (2022). Ceiling effects indicate a possible threshold
    structure for working alliance. Journal of Counseling Psychology, 69(2), 235-245.

    Examples
    --------
    >>> import pandas as pd
    >>> totals = {"A": [32, 34, 37, 39], "B": [39, 40, 39.5, 40], "C": [39, 40, 38, 35]}
    >>> srs = pd.DataFrame([{"client_id": c, "episode_id": c, "session_number": i + 1,
    ...                      "measure": "SRS", "rater": "self", "total": float(t)}
    ...                     for c, ts in totals.items() for i, t in enumerate(ts)])
    >>> out = client_alliance(srs)
    >>> out[["client_id", "srs_first", "srs_last", "srs_slope", "early_change",
    ...      "alliance_pattern"]]
      client_id  srs_first  srs_last  srs_slope  early_change alliance_pattern
    0         A       32.0      39.0       2.40           5.0        ascending
    1         B       39.0      40.0       0.25           0.5      stable_high
    2         C       39.0      35.0      -1.40          -1.0   high_then_drop
    """
    s = settings or AllianceSettings()
    cols = column_map(client=client, episode=episode, clinician=clinician, session=session,
                      date=date, measure=measure, rater=rater, total=total, items=items,
                      imputed=imputed)
    ses, group, pos = _session_table(data, cols, s)
    starts = np.flatnonzero(pos == 0)
    ends = np.append(starts[1:], len(ses))[: len(starts)] - 1
    n = ends - starts + 1
    ng = len(starts)
    per = ses.iloc[starts][[cols["client"], cols["episode"], cols["rater"]]]
    out = per.reset_index(drop=True)
    out[cols["clinician"]] = (ses[cols["clinician"]].groupby(group).last()
                              .reindex(range(ng)).to_numpy())
    out[cols["measure"]] = ses[cols["measure"]].iloc[starts].astype("str").to_numpy()
    out["n_sessions"] = n

    t = ses[cols["total"]].to_numpy(dtype=float)
    x = ses[cols["session"]].to_numpy(dtype=float, na_value=np.nan)

    def total_of(values):
        return np.bincount(group, values, minlength=ng)

    first, last = t[starts], t[ends]
    out["srs_first"], out["srs_last"] = first, last
    out["srs_mean"] = total_of(t) / n
    out["srs_min"] = np.minimum.reduceat(t, starts) if ng else t[:0]
    high = np.maximum.reduceat(t, starts) if ng else t[:0]
    xc = x - (total_of(x) / n)[group]
    sxx = total_of(xc * xc)
    slope = np.divide(total_of(xc * t), sxx, out=np.full(ng, np.nan), where=sxx > 0)
    out["srs_slope"] = slope
    n_early = total_of(x <= s.early_sessions).astype(int)  # rows are in session order
    out["early_change"] = np.where(n_early >= 2, t[starts + np.maximum(n_early, 1) - 1] - first,
                                   np.nan)
    below = total_of(ses["below_cutoff"].to_numpy())
    at_ceiling = total_of(ses["at_ceiling"].to_numpy())
    out["share_below_cutoff"] = below / n
    out["share_at_ceiling"] = at_ceiling / n
    out["all_at_ceiling"] = (n >= s.ceiling_sessions) & (at_ceiling == n)
    out["no_variation"] = (n >= s.no_variation_sessions) & (high - out["srs_min"] <= EPS)

    item_cols = [cols[f"item_{j + 1}"] for j in range(4)]
    rated = ses["lowest_item"].notna().to_numpy()
    n_rated = total_of(rated)
    sums = np.column_stack([total_of(np.where(rated, ses[c].to_numpy(dtype=float), 0.0))
                            for c in item_cols])
    means = sums / np.where(n_rated > 0, n_rated, 1)[:, None]
    lowest = means.min(axis=1, initial=np.inf)
    out["lowest_item"] = _labels(np.abs(means - lowest[:, None]) <= EPS, n_rated > 0)
    out["lowest_item_mean"] = np.where(n_rated > 0, lowest, np.nan)

    before_last = t.copy()
    before_last[ends] = -np.inf
    peak = np.maximum.reduceat(before_last, starts) if ng else t[:0]
    out["alliance_pattern"] = _patterns(n, first, last, slope, peak, below / n, s)
    return out


def _patterns(n, first, last, slope, peak, share_below, s):
    """The alliance pattern of each episode (rules in :func:`client_alliance` Notes)."""
    with np.errstate(invalid="ignore"):
        rules = [
            n < s.min_sessions,
            (first < s.ceiling - EPS) & (last - first >= s.rise - EPS) & (slope > 0)
            & ~(last <= peak - s.sharp_drop + EPS),
            ((first >= s.cutoff - EPS) & (last <= first - s.fall + EPS))
            | ((peak >= s.cutoff - EPS) & (last < s.cutoff - EPS)
               & (last <= peak - s.fall + EPS)),
            (last - first <= -s.fall + EPS) & (slope < 0),
            1 - share_below >= s.stable_share - EPS,
        ]
    names = ["insufficient", "ascending", "high_then_drop", "descending", "stable_high"]
    return pd.array(np.select(rules, names, "stable_low").astype(object), dtype="str")
