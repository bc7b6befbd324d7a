"""Groups: the Group Session Rating Scale by group and group session, and each member
against the rest of the group.

Group members rate the group and its leader on the GSRS (adults) or the CGSRS (children;
Quirk et al. 2013). Each member has an episode of their own; the ``group_id`` column
says which group a rating belongs to, and a group session is a date of the group.
:func:`group_sessions` gives one row per group and session (members rating, mean, spread,
members below the cutoff); :func:`group_members` one row per member rating, with the
mean of the other members beside it, which is the member's trajectory against the group.
The ``group_outlier`` alert of :func:`srs_analytics.alerts` fires when a member stays well
below the rest. Every threshold is a field of :class:`GroupSettings`.

Examples
--------
>>> from srs_analytics import load_sample
>>> g = group_sessions(load_sample())
>>> g[["group_session", "n_members", "mean_total", "sd_total", "n_below_cutoff",
...    "lowest_member"]].round(2)
   group_session  n_members  mean_total  sd_total  n_below_cutoff lowest_member
0              1          7       37.13      2.41               1        C00300
1              2          7       35.23      3.66               5        C00300
2              3          7       36.31      3.08               3        C00299
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
from .schema import ITEM_COLUMNS

__all__ = ["GROUP_MEMBER_COLUMNS", "GROUP_MEASURES", "GROUP_SESSION_COLUMNS", "GroupSettings",
           "group_members", "group_sessions"]

#: The group measures: the Group Session Rating Scale and its child version.
GROUP_MEASURES = jt.GROUP_MEASURES
#: The columns of :func:`group_sessions`, in order (the identity columns take the names
#: passed in).
GROUP_SESSION_COLUMNS = (
    "group_id", "measure", "group_session", "session_date", "clinician_id", "n_members",
    "members", "mean_total", "sd_total", "min_total", "max_total", "n_below_cutoff",
    "members_below", "lowest_member", "lowest_item", "lowest_item_mean", "n_below_others",
)
#: The columns of :func:`group_members`, in order.
GROUP_MEMBER_COLUMNS = (
    "group_id", "measure", "client_id", "episode_id", "group_session", "session_number",
    "session_date", "member_session", "total", "n_others", "others_mean",
    "diff_from_others", "below_cutoff", "below_others", "recent_below_others",
    "recent_window", "stays_below",
)


@dataclass(frozen=True)
class GroupSettings:
    """Thresholds for group ratings; every one can be overridden.

    Attributes
    ----------
    outlier_gap : float, default 5
        A member whose total is at least this far below the mean of the other members of
        the group session is below the others (this project's choice: the size of a
        reliable change, and the gap that flags partners of a couple).
    window, outlier_min : int, default 3 and 2
        A member stays below the others when below them in this group session and in at
        least ``outlier_min`` of the member's last ``window`` group sessions, this one
        included (this project's choice, as for a repeatedly low item).
    min_others : int, default 2
        A member is compared only with at least this many other members rating the same
        group session (this project's choice: a mean of one other member is a couple's
        gap, not a group's).
    alliance : AllianceSettings
        The cutoff (36; no separate GSRS norm was found, so the SRS cutoff of OpenFIT
        KA-01031 is used).

    Examples
    --------
    >>> GroupSettings(outlier_gap=4).outlier_gap
    4
    """

    outlier_gap: float = 5.0
    window: int = 3
    outlier_min: int = 2
    min_others: int = 2
    alliance: AllianceSettings = AllianceSettings()

    def __post_init__(self):
        check_number("outlier_gap", self.outlier_gap, 0, 40, low_open=True)
        for name in ("window", "outlier_min", "min_others"):
            check_number(name, getattr(self, name), 1, integer=True)
        if self.outlier_min > self.window:
            raise ValueError(f"outlier_min ({self.outlier_min}) must not exceed window "
                             f"({self.window})")
        if not isinstance(self.alliance, AllianceSettings):
            raise TypeError(f"alliance must be AllianceSettings; got "
                            f"{type(self.alliance).__name__}")


def _cols(args) -> dict:
    return column_map(**{k: args[k] for k in (
        "client", "episode", "clinician", "session", "date", "measure", "rater", "total",
        "items", "imputed", "group")})


@_docstrings.fill
def group_sessions(
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
    group: str = "group_id",
    settings: GroupSettings | None = None,
) -> pd.DataFrame:
    """The group measures by group and session: members rating, mean and spread, members
    below the cutoff, the lowest member and the group's lowest item.

    Parameters
    ----------
    {data}
        The members' own GSRS and CGSRS ratings with a group are read; other rows are
        ignored (a GSRS without a ``group`` cannot be placed in a group).
    {columns}
        ``clinician``, ``date`` and the items may be absent.
    settings : GroupSettings, optional
        The thresholds; the defaults of :class:`GroupSettings` when omitted.

    Returns
    -------
    pandas.DataFrame
        One row per group, measure and group session, sorted by them, with the columns
        :data:`GROUP_SESSION_COLUMNS`:

        - ``group_id``, ``measure`` (GSRS or CGSRS), ``group_session`` (int: the group's
          sessions numbered 1, 2 ... by date; undated ratings by their session number,
          after the dated ones), ``session_date``, ``clinician_id`` (the first known);
        - ``n_members`` (int) and ``members`` (str, in id order, joined by ``";"``): the
          members rating;
        - ``mean_total``, ``sd_total`` (sample SD, n - 1; NaN for one member),
          ``min_total``, ``max_total`` (float);
        - ``n_below_cutoff`` (int) and ``members_below`` (str): members below the cutoff
          (36); ``lowest_member`` (str): the member(s) with the lowest total;
        - ``lowest_item`` (str): the item with the lowest mean over the members who rated
          items (ties joined by ``";"``; NA when none did), ``lowest_item_mean``;
        - ``n_below_others`` (int): members at least ``outlier_gap`` (5) below the mean of
          the others (:func:`group_members`).

    Notes
    -----
    A member has one rating per group session (the first, where an export holds two).
    The SRS cutoff of 36 is used: no separate GSRS norm was found. The GSRS asks about the
    group and its leader, so it is never compared with the member's individual SRS.

    References
    ----------
    Quirk, K., Miller, S. D., Duncan, B. L. and Owen, J. (2013). Group Session Rating
    Scale: preliminary psychometrics in substance abuse group interventions. Counselling
    and Psychotherapy Research, 13(3), 194-200.
    OpenFIT knowledge base KA-01031 (the cutoff of 36).
    """
    s = settings or GroupSettings()
    cols = _cols(locals())
    t, _ = jt.group_ratings(data, cols, s)
    out = pd.DataFrame({cols["group"]: jt.strings(t["group"]),
                        cols["measure"]: jt.strings(t["measure"]),
                        "group_session": t["group_session"].to_numpy(),
                        cols["date"]: jt.output_dates(t["days"]),
                        cols["clinician"]: jt.strings(t["clinician"])})
    for col in GROUP_SESSION_COLUMNS[5:]:
        out[col] = jt.strings(t[col]) if t[col].dtype == object else t[col].array
    return out


@_docstrings.fill
def group_members(
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
    group: str = "group_id",
    settings: GroupSettings | None = None,
) -> pd.DataFrame:
    """Every member's group rating against the rest of the group: the member's trajectory
    beside the group's.

    Parameters
    ----------
    {data}
        As in :func:`group_sessions`.
    {columns}
        ``clinician``, ``date`` and the items may be absent.
    settings : GroupSettings, optional
        The thresholds; the defaults of :class:`GroupSettings` when omitted.

    Returns
    -------
    pandas.DataFrame
        One row per member and group session, sorted by group, measure, member and group
        session, with the columns :data:`GROUP_MEMBER_COLUMNS`:

        - ``group_id``, ``measure``, ``client_id``, ``episode_id``, ``group_session``,
          ``session_number`` (the member's own, in the member's episode),
          ``session_date``; ``member_session`` (int): the member's 1st, 2nd ... group
          rating; ``total``;
        - ``n_others`` (int): the other members rating that group session;
          ``others_mean`` (float: their mean; NaN when alone); ``diff_from_others``
          (float): total - others_mean;
        - ``below_cutoff`` (bool): total below 36; ``below_others`` (bool): at least
          ``outlier_gap`` (5) below the others, with at least ``min_others`` (2) of them;
        - ``recent_below_others`` (int): group sessions below the others among the
          member's last ``window`` (3), this one included, out of ``recent_window``
          (int: the window, shorter at the member's first sessions);
          ``stays_below`` (bool): below the others now and in at least ``outlier_min``
          (2) of them: the ``group_outlier`` alert.

    Notes
    -----
    The others' mean leaves the member out, :math:`(\\sum_j t_j - t_i) / (n - 1)`, so that
    one low member does not pull the comparison towards themselves.

    Examples
    --------
    >>> from srs_analytics import load_sample
    >>> m = group_members(load_sample())
    >>> m[m["client_id"] == "C00300"][["group_session", "total", "others_mean",
    ...                                "diff_from_others", "below_others"]].round(2)
        group_session  total  others_mean  diff_from_others  below_others
    18              1   33.1        37.80             -4.70         False
    19              2   29.8        36.13             -6.33          True
    20              3   36.9        36.22              0.68         False
    """
    s = settings or GroupSettings()
    cols = _cols(locals())
    _, m = jt.group_ratings(data, cols, s)
    out = pd.DataFrame({cols["group"]: jt.strings(m["group"]),
                        cols["measure"]: jt.strings(m["measure"]),
                        cols["client"]: jt.strings(m["client"]),
                        cols["episode"]: jt.strings(m["episode"]),
                        "group_session": m["group_session"].to_numpy(),
                        cols["session"]: pd.array(np.round(m["session"].to_numpy()).astype(
                            np.int64), dtype="Int64"),
                        cols["date"]: jt.output_dates(m["days"])})
    for col in GROUP_MEMBER_COLUMNS[7:]:
        out[col] = m[col].to_numpy()
    return out
