"""Couples and families: clients seen together, each with their own ratings.

Clients who share an ``episode_id`` were seen together (a couple, a family). In couple and
family work the alliance runs in several directions, and partners who rate the same
session differently tell the clinician something a single rating cannot (Anker, Duncan
and Sparks 2009; Bartle-Haring et al. 2012). :func:`couple_sessions` sets the clients of
each joint session side by side, for the alliance (SRS and the child's CSRS) and,
separately, the outcome (ORS and CORS); :func:`couple_episodes` follows each episode:
how often the alliance was split, the trend of the gap, whether the same client is
consistently the lower one, and whether the outcomes part. Every threshold is a field of
:class:`CoupleSettings`. The alert rules built on them (``split_alliance``,
``persistent_split``, ``widening_gap``, ``outcome_divergence``) are in
:func:`srs_analytics.alerts`.

Examples
--------
>>> from srs_analytics import load_sample
>>> joint = couple_sessions(load_sample())
>>> srs = joint[joint["measure"] == "SRS"]
>>> srs[["episode_id", "session_number", "totals", "gap", "split", "lowest_client"]].head(4)
  episode_id  session_number     totals  gap  split lowest_client
0     E00272               1  39.6;38.7  0.9  False        C00273
1     E00272               2    39.2;40  0.8  False        C00272
2     E00272               3    40;38.7  1.3  False        C00273
3     E00272               4    39.4;40  0.6  False        C00272
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import _docstrings
from . import _joint as jt
from ._checks import check_number
from ._frames import column_map
from .alliance import AllianceSettings
from .outcomes import OutcomeSettings
from .schema import ITEM_COLUMNS

__all__ = ["COUPLE_EPISODE_COLUMNS", "COUPLE_SESSION_COLUMNS", "FAMILIES", "CoupleSettings",
           "couple_episodes", "couple_sessions"]

#: The measure families compared, by the name of the family's adult measure (the value of
#: the ``measure`` column): the alliance (SRS; a child's CSRS) and the outcome (ORS; a
#: child's CORS).
FAMILIES = jt.FAMILIES
#: The columns of :func:`couple_sessions`, in order (the identity columns take the names
#: passed in).
COUPLE_SESSION_COLUMNS = (
    "episode_id", "session_number", "session_date", "clinician_id", "measure", "measures",
    "n_clients", "clients", "totals", "min_total", "max_total", "mean_total", "gap",
    "lowest_client", "n_below_cutoff", "split", "large_gap", "most_divergent_item",
    "item_gap", "gap_change", "recent_splits", "persistent_split", "gap_growth",
    "widening_gap", "n_improved", "n_deteriorated", "lagging_client", "change_spread",
    "outcome_divergence",
)
#: The columns of :func:`couple_episodes`, in order.
COUPLE_EPISODE_COLUMNS = (
    "episode_id", "measure", "clinician_id", "n_clients", "clients", "n_joint_sessions",
    "first_session", "last_session", "n_split", "share_split", "n_large_gap", "gap_first",
    "gap_last", "gap_mean", "gap_max", "gap_slope", "gap_trend", "lowest_client",
    "n_lowest", "share_lowest", "consistently_lowest", "improved_clients",
    "lagging_client", "outcome_divergence",
)


@dataclass(frozen=True)
class CoupleSettings:
    """Thresholds for clients seen together; every one can be overridden.

    Attributes
    ----------
    gap : float, default 5
        A gap between the highest and the lowest total of a joint session of at least
        this is large (this project's choice: the size of a reliable change and of a sharp
        drop; with the SRS ceiling at 40, a gap of 5 always leaves someone below 36).
    window, split_min : int, default 3 and 2
        A persistent split: the alliance split in this session and in at least
        ``split_min`` of the last ``window`` joint sessions, this one included (the
        issue's "2 of the last 3"; this project's choice).
    widening : float, default 5
        A widening gap: the gap grew by at least this over the last ``window`` joint
        sessions (from the one ``window - 1`` joint sessions back to this one). The change
        in the partners' gap over time, not a single gap, predicted how couple therapy
        ended (Bartle-Haring et al. 2012); the 5 points are this project's choice.
    trend_slope : float, default 0.5
        ``gap_trend`` of an episode: ``widening`` for a least-squares slope of the gap of
        at least this many points per session, ``narrowing`` for at most minus this,
        otherwise ``stable`` (this project's choice: 3 points over 6 sessions).
    min_sessions : int, default 3
        Fewer joint sessions give the gap trend ``insufficient`` and no consistently
        lowest client.
    lowest_share : float, default 0.75
        The same client alone lowest in at least this share of the joint sessions (of at
        least ``min_sessions``) is consistently the lower one (this project's choice; with
        two partners, chance alone gives a half).
    divergence : float, default 5
        The outcomes part when a client has improved reliably and another has not, with
        their changes from intake at least this far apart (this project's choice: one
        reliable change).
    alliance : AllianceSettings
        The SRS cutoff (36, OpenFIT KA-01031): a split alliance has one client below it
        and another not.
    outcome : OutcomeSettings
        Reliable change (points, 5) and the outcome cutoffs (adult ORS 25, adolescent 28,
        child CORS 32): for the outcome family, "below the cutoff" is the clinical range.

    Examples
    --------
    >>> CoupleSettings(widening=4).widening
    4
    """

    gap: float = 5.0
    window: int = 3
    split_min: int = 2
    widening: float = 5.0
    trend_slope: float = 0.5
    min_sessions: int = 3
    lowest_share: float = 0.75
    divergence: float = 5.0
    alliance: AllianceSettings = AllianceSettings()
    outcome: OutcomeSettings = OutcomeSettings()

    def __post_init__(self):
        for name in ("gap", "widening", "divergence"):
            check_number(name, getattr(self, name), 0, 40, low_open=True)
        check_number("trend_slope", self.trend_slope, 0, low_open=True)
        for name in ("window", "split_min", "min_sessions"):
            check_number(name, getattr(self, name), 1, integer=True)
        if self.split_min > self.window:
            raise ValueError(f"split_min ({self.split_min}) must not exceed window "
                             f"({self.window})")
        check_number("lowest_share", self.lowest_share, 0, 1, low_open=True)
        for name, kind in (("alliance", AllianceSettings), ("outcome", OutcomeSettings)):
            if not isinstance(getattr(self, name), kind):
                raise TypeError(f"{name} must be {kind.__name__}; got "
                                f"{type(getattr(self, name)).__name__}")


def _family_order(t: pd.DataFrame) -> pd.DataFrame:
    """``t`` sorted by episode, family (SRS first) and session."""
    rank = np.where(t["family"].to_numpy(dtype=object) == "SRS", 0, 1)
    order = np.lexsort((t["session"].to_numpy(), rank, pd.factorize(
        t["episode"], sort=True)[0]))
    return t.iloc[order].reset_index(drop=True)


@_docstrings.fill
def couple_sessions(
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
    settings: CoupleSettings | None = None,
) -> pd.DataFrame:
    """The clients of each joint session side by side: totals, gap, split, lowest client
    and the item where they differ most.

    Parameters
    ----------
    {data}
        Clients who share an episode were seen together. Their own ratings (rater
        ``"self"``) of the SRS family (SRS, CSRS) and the ORS family (ORS, CORS) are read;
        collateral ratings, the YCORS and the group measures are not.
    {columns}
        ``clinician``, ``date``, ``age_group`` and the items may be absent.
    settings : CoupleSettings, optional
        The thresholds; the defaults of :class:`CoupleSettings` when omitted.

    Returns
    -------
    pandas.DataFrame
        One row per episode, session and measure family in which two or more clients of
        the episode rated, sorted by episode, family (SRS first) and session, with the
        columns :data:`COUPLE_SESSION_COLUMNS`:

        - ``episode_id``, ``session_number``, ``session_date`` (the earliest of the
          session's ratings), ``clinician_id`` (the first known), ``measure``: the family,
          ``"SRS"`` (SRS and CSRS: a family's child rates the CSRS) or ``"ORS"`` (ORS and
          CORS); ``measures`` (str): the measures rated, joined by ``";"``;
        - ``n_clients`` (int), ``clients`` and ``totals`` (str): the clients in id order
          and their totals, joined by ``";"``;
        - ``min_total``, ``max_total``, ``mean_total``, ``gap`` (max - min) (float);
        - ``lowest_client`` (str): the client with the lowest total (ties joined by
          ``";"``);
        - ``n_below_cutoff`` (int): clients below their cutoff (SRS family: 36; ORS
          family: in the clinical range of their measure and age group: adult ORS 25,
          adolescent 28, child CORS 32); ``split`` (bool): one client below and another
          not; ``large_gap`` (bool): a gap of at least ``gap`` (5);
        - ``most_divergent_item`` (str): the item whose ratings differ most between the
          clients (the family's short labels; ties joined by ``";"``), ``item_gap``
          (float) that difference; NA where fewer than two clients rated items or none
          differ;
        - over the episode's joint sessions of the family, in session order:
          ``gap_change`` (float: the gap minus the previous joint session's, NaN at the
          first), ``recent_splits`` (int: split sessions among the last ``window`` (3)),
          ``persistent_split`` (bool: split now and in at least ``split_min`` (2) of
          them), ``gap_growth`` (float: the gap minus the gap ``window - 1`` joint sessions
          back, NaN before), ``widening_gap`` (bool: a growth of at least ``widening``
          (5));
        - ORS family only (NA for the SRS family): ``n_improved`` and ``n_deteriorated``
          (Int64: clients whose rating is a reliable improvement or deterioration from
          their own intake), ``change_spread`` (float: the largest change of an improved
          client minus the smallest change of the others), ``outcome_divergence``
          (boolean: one client improved reliably and another, at least ``divergence`` (5)
          points behind, did not) and ``lagging_client`` (str: that client, the one
          furthest behind; NA unless the outcomes part).

    Notes
    -----
    A session is joint when two or more clients of the episode rated the same family in
    it (the loader numbers the sessions of an episode by date, so partners seen on one
    date share a session number). The gap of a session is :math:`\\max_i t_i - \\min_i
    t_i` over its clients' totals. Comparisons allow 1e-9 of floating-point error, so a
    gap of exactly 5 is large and a total of exactly 36 is not below the cutoff.

    The alliance of couples and families runs in several directions: partners' split
    alliances are common and clinically telling (Bartle-Haring et al. 2012, the study
    often cited as Gangamma et al.: the change in the gap over sessions predicted
    dropout, a single gap did not). PCOMS feedback improved couple therapy outcomes in a
    randomised trial (Anker, Duncan and Sparks 2009).

    References
    ----------
    Anker, M. G., Duncan, B. L. and Sparks, J. A. (2009). Using client feedback to improve
    couple therapy outcomes: a randomized clinical trial in a naturalistic setting. Journal
    of Consulting and Clinical Psychology, 77(4), 693-704.
    Bartle-Haring, S., Glebova, T., Gangamma, R., Grafsky, E. and Ostrom Delaney, R. (2012).
    Alliance and termination status in couple therapy: a comparison of methods for
    assessing discrepancies. Psychotherapy Research, 22(5), 502-514.
    OpenFIT knowledge base KA-01028 and KA-01031 (the cutoffs).

    Examples
    --------
    >>> import pandas as pd
    >>> data = pd.DataFrame({"client_id": ["A", "B"] * 2, "episode_id": "E1",
    ...                      "session_number": [1, 1, 2, 2], "measure": "SRS",
    ...                      "rater": "self", "total": [38.0, 37.0, 39.0, 33.0],
    ...                      "item_1": [9.5, 9.5, 10, 9], "item_2": [9.5, 9, 10, 6],
    ...                      "item_3": [9.5, 9, 9.5, 9], "item_4": [9.5, 9.5, 9.5, 9]})
    >>> out = couple_sessions(data)
    >>> out[["session_number", "gap", "split", "lowest_client", "most_divergent_item"]]
       session_number  gap  split lowest_client most_divergent_item
    0               1  1.0  False             B     goals_topics;approach_method
    1               2  6.0   True             B        goals_topics
    """
    s = settings or CoupleSettings()
    cols = _cols(locals())
    sessions, _, _ = jt.joint_sessions(data, cols, s)
    return _session_columns(_family_order(sessions), cols)


def _cols(args) -> dict:
    return column_map(**{k: args[k] for k in (
        "client", "episode", "clinician", "session", "date", "measure", "rater", "total",
        "items", "imputed", "age_group")})


def _session_columns(t: pd.DataFrame, cols) -> pd.DataFrame:
    """The public columns of a joint-session table, named as the caller's columns."""
    out = pd.DataFrame({
        cols["episode"]: jt.strings(t["episode"]),
        cols["session"]: pd.array(np.round(t["session"].to_numpy()).astype(np.int64),
                                  dtype="Int64"),
        cols["date"]: jt.output_dates(t["days"]),
        cols["clinician"]: jt.strings(t["clinician"]),
        cols["measure"]: jt.strings(t["family"]),
    })
    for col in COUPLE_SESSION_COLUMNS[5:]:
        out[col] = jt.strings(t[col]) if t[col].dtype == object else t[col].array
    return out


@_docstrings.fill
def couple_episodes(
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
    settings: CoupleSettings | None = None,
) -> pd.DataFrame:
    r"""Each couple's or family's episode over its joint sessions: how often split, the
    trend of the gap, who is consistently lower, whether the outcomes part.

    Parameters
    ----------
    {data}
        As in :func:`couple_sessions`.
    {columns}
        ``clinician``, ``date``, ``age_group`` and the items may be absent.
    settings : CoupleSettings, optional
        The thresholds; the defaults of :class:`CoupleSettings` when omitted.

    Returns
    -------
    pandas.DataFrame
        One row per episode and measure family with at least one joint session
        (:func:`couple_sessions`), sorted by episode and family (SRS first), with the
        columns :data:`COUPLE_EPISODE_COLUMNS`:

        - ``episode_id``, ``measure`` (the family), ``clinician_id`` (the last known);
          ``n_clients`` (int) and ``clients`` (str, joined by ``";"``): the clients of its
          joint sessions;
        - ``n_joint_sessions`` (int), ``first_session`` and ``last_session`` (float);
        - ``n_split`` (int) and ``share_split`` (float): joint sessions with a split;
          ``n_large_gap`` (int): with a gap of at least ``gap`` (5);
        - ``gap_first``, ``gap_last``, ``gap_mean``, ``gap_max`` (float);
          ``gap_slope`` (float): the least-squares slope of the gap on the session number,
          points per session (NaN with one joint session); ``gap_trend`` (str):
          ``widening`` (slope of at least ``trend_slope``, 0.5), ``narrowing`` (at most
          -0.5), ``stable``, or ``insufficient`` (fewer than ``min_sessions``, 3, joint
          sessions);
        - ``lowest_client`` (str): the client alone lowest in the most joint sessions
          (ties: the first in id order; NA when no session had one lowest client),
          ``n_lowest`` (int) and ``share_lowest`` (float: of the joint sessions);
          ``consistently_lowest`` (bool): that share is at least ``lowest_share`` (0.75)
          over at least ``min_sessions`` joint sessions;
        - ORS family only (NA for the SRS family): ``improved_clients`` (str): the
          clients whose latest outcome rating of the episode (joint or not) is a reliable
          improvement from their own intake; ``outcome_divergence`` (boolean): one of them
          is at least ``divergence`` (5) points of change ahead of a client who has not
          improved reliably; ``lagging_client`` (str): that client, the one furthest
          behind.

    Notes
    -----
    With the joint sessions :math:`s_1 .. s_n` and their gaps :math:`g_i`, the slope is
    :math:`\sum (s_i - \bar s)(g_i - \bar g) / \sum (s_i - \bar s)^2`. The change of the
    gap over the sessions, not a single gap, predicted whether couple therapy ended as
    planned (Bartle-Haring et al. 2012); a widening gap is the pattern to watch.

    References
    ----------
    Bartle-Haring, S., Glebova, T., Gangamma, R., Grafsky, E. and Ostrom Delaney, R. (2012).
    Alliance and termination status in couple therapy: a comparison of methods for
    assessing discrepancies. Psychotherapy Research, 22(5), 502-514.
    Anker, M. G., Owen, J., Duncan, B. L. and Sparks, J. A. (2010). The alliance in couple
    therapy: partner influence, early change, and alliance patterns in a naturalistic
    sample. Journal of Consulting and Clinical Psychology, 78(5), 635-645.

    Examples
    --------
    >>> from srs_analytics import load_sample
    >>> eps = couple_episodes(load_sample())
    >>> eps[eps["measure"] == "SRS"][["episode_id", "n_joint_sessions", "share_split",
    ...                               "gap_trend", "lowest_client"]].head(4)
      episode_id  n_joint_sessions  share_split     gap_trend lowest_client
    0     E00272                 5          0.0        stable        C00272
    2     E00273                 6          0.5     narrowing        C00274
    4     E00274                 1          1.0  insufficient        C00277
    6     E00275                 1          1.0  insufficient        C00279
    """
    s = settings or CoupleSettings()
    cols = _cols(locals())
    return _episode_table(data, cols, s)


def _episode_table(data, cols, s, families=("SRS", "ORS")) -> pd.DataFrame:
    sessions, rows, outcomes = jt.joint_sessions(data, cols, s, families=families)
    t = jt.couple_summary(sessions, rows, s, outcomes, cols)
    rank = np.where(t["family"].to_numpy(dtype=object) == "SRS", 0, 1)
    t = t.iloc[np.lexsort((rank, pd.factorize(t["episode"], sort=True)[0]))]
    t = t.reset_index(drop=True)
    out = pd.DataFrame({cols["episode"]: jt.strings(t["episode"]),
                        cols["measure"]: jt.strings(t["family"]),
                        cols["clinician"]: jt.strings(t["clinician"])})
    for col in COUPLE_EPISODE_COLUMNS[3:]:
        out[col] = jt.strings(t[col]) if t[col].dtype == object else t[col].array
    return out


def joint_client_columns(data: pd.DataFrame, cols: dict,
                         settings: CoupleSettings | None = None) -> pd.DataFrame:
    """For the client table: one row per client and episode seen with others, with the
    episode's alliance split share and gap trend (:func:`couple_episodes`, SRS family).

    Columns: the client and episode (named as ``cols``), ``n_joint_sessions``,
    ``split_share``, ``gap_slope``, ``gap_trend`` and ``consistently_lowest`` (True for
    the client who is consistently the lower one).
    """
    s = settings or CoupleSettings()
    sessions, rows, _ = jt.joint_sessions(data, cols, s, families=("SRS",))
    t = jt.couple_summary(sessions, rows, s)
    if not len(t):  # the same columns, none seen together
        return pd.DataFrame({cols["client"]: pd.array([], dtype="str"),
                             cols["episode"]: pd.array([], dtype="str"),
                             "n_joint_sessions": pd.array([], dtype="Int64"),
                             "split_share": np.zeros(0), "gap_slope": np.zeros(0),
                             "gap_trend": pd.array([], dtype="str"),
                             "consistently_lowest": pd.array([], dtype="boolean")})
    who = rows[["client", "episode"]].drop_duplicates()
    t = who.merge(t, on="episode", how="inner")
    return pd.DataFrame({
        cols["client"]: jt.strings(t["client"]), cols["episode"]: jt.strings(t["episode"]),
        "n_joint_sessions": pd.array(t["n_joint_sessions"].to_numpy(), dtype="Int64"),
        "split_share": t["share_split"].to_numpy(dtype=float),
        "gap_slope": t["gap_slope"].to_numpy(dtype=float),
        "gap_trend": t["gap_trend"].array,
        "consistently_lowest": pd.array(
            t["consistently_lowest"].to_numpy(dtype=bool)
            & (t["lowest_client"].to_numpy(dtype=object) == t["client"].to_numpy(dtype=object)),
            dtype="boolean"),
    })
