"""Triage: who needs attention now, one line per client a clinician is seeing, most urgent
first.

(The module is named for its topic so that the function :func:`attention` does not hide it.)

:func:`alerts <srs_analytics.alerting.alerts>` lists every alert of every session, for
audits and research. :func:`attention` is the short list a clinician or a clinical director
works from this week: the clients with an **open episode** (not ended, and seen within
:attr:`AttentionSettings.open_weeks` of the as-of date) whose **latest session** holds a
warning or a critical alert, one row per client, with the leading alert (its message and
suggestion), the other alerts of that session named, and the days since that session.
:func:`open_episodes` gives the episodes the list is drawn from.

Examples
--------
>>> from srs_analytics import load_sample
>>> now = attention(load_sample())
>>> now[["client_id", "session_number", "days_since", "severity", "rule"]].head(3)
  client_id  session_number  days_since  severity               rule
0    C00225               3           7  critical  ors_deterioration
1    C00001               2           1   warning               drop
2    C00295               3           3   warning               drop
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import _docstrings
from . import _text as tx
from ._checks import check_choice, check_number, require_columns
from ._frames import column_map
from .alerting import SEVERITIES, AlertSettings, alerts
from .expected import ExpectedResponse
from .schema import ITEM_COLUMNS

__all__ = ["ATTENTION_COLUMNS", "ENDED", "LEAD_ORDER", "AttentionSettings", "attention",
           "open_episodes"]

#: The columns of :func:`attention`, in order (the identity columns take the names passed in).
ATTENTION_COLUMNS = ("client_id", "episode_id", "clinician_id", "session_number",
                     "session_date", "days_since", "measure", "severity", "rule", "item",
                     "message", "suggestion", "other_rules", "n_alerts")
#: Episode statuses that mean the episode has ended.
ENDED = ("closed_planned", "closed_unplanned")
#: Which alert leads when a session holds several of the same severity: what the client
#: said about this session first (a drop, a split between clients seen together, a low
#: total, a low item), then patterns over sessions (a widening gap or a lasting split
#: between partners, a group member who stays below the group), then the outcome rules,
#: which the clinician reviews with the ORS (a collateral rater's deterioration first).
LEAD_ORDER = ("sharp_drop", "ors_deterioration", "drop", "split_alliance", "low_total",
              "low_item", "widening_gap", "persistent_split", "group_outlier",
              "repeated_low_item", "false_reassurance", "collateral_deterioration",
              "outcome_divergence", "off_track", "no_early_change", "ceiling")
# the alerts whose item names the item judged (not the lowest item of a total)
_ITEM_RULES = ("low_item", "repeated_low_item")


@dataclass(frozen=True)
class AttentionSettings:
    """Which clients are on the attention list, and which alerts put them there.

    Attributes
    ----------
    alerts : AlertSettings
        The rules, severities and thresholds of the alerts (the defaults of
        :class:`~srs_analytics.alerting.AlertSettings`).
    open_weeks : float, default 4
        An episode is open when it has not ended and the client was seen within this many
        weeks of the as-of date. This project's choice: PCOMS sessions are mostly weekly or
        fortnightly, so four weeks covers a fortnightly client who missed one session; a
        client not seen for longer is no longer someone the clinician "is seeing now" (a
        service with monthly sessions would set 6 to 8).
    min_severity : {"warning", "critical"}, default "warning"
        A client is listed when the latest session holds an alert at least this severe.
    """

    alerts: AlertSettings = AlertSettings()
    open_weeks: float = 4.0
    min_severity: str = "warning"

    def __post_init__(self):
        if not isinstance(self.alerts, AlertSettings):
            raise TypeError(f"alerts must be AlertSettings; got {type(self.alerts).__name__}")
        check_number("open_weeks", self.open_weeks, 0, low_open=True)
        check_choice("min_severity", self.min_severity, SEVERITIES)


def _as_of(value, dates: pd.Series, date: str) -> pd.Timestamp:
    """The as-of date: ``value``, or the latest date in the data."""
    if value is None:
        latest = dates.max()
        if pd.isna(latest):
            raise ValueError(f"date={date!r} holds no date: the attention list needs session "
                             "dates to tell which episodes are open (pass as_of and dated "
                             "sessions)")
        return pd.Timestamp(latest).normalize()
    try:
        out = pd.Timestamp(value)
    except (TypeError, ValueError):
        out = pd.NaT
    if pd.isna(out):
        raise ValueError(f"as_of must be a date like '2026-03-01'; got {value!r}")
    return out.normalize()


def _dates(data, date):
    return pd.to_datetime(data[date], errors="coerce").astype("datetime64[ns]")


def _latest_sessions(data, cols, as_of, s):
    """One row per client and episode: the latest session, its date, the status, open."""
    client, episode, session, date, status = (cols[k] for k in (
        "client", "episode", "session", "date", "status"))
    df = pd.DataFrame({
        client: data[client].to_numpy(), episode: data[episode].to_numpy(),
        session: pd.to_numeric(data[session], errors="coerce").astype("Int64").array,
        date: _dates(data, date).to_numpy(),
        status: (data[status].astype("str").array if status in data.columns
                 else pd.array([None] * len(data), dtype="str")),
        cols["clinician"]: (data[cols["clinician"]].astype("str").array
                            if cols["clinician"] in data.columns
                            else pd.array([None] * len(data), dtype="str"))})
    df = df.sort_values([client, episode, session, date], na_position="first", kind="stable")
    key = [client, episode]
    status_last = df.groupby(key, sort=False)[status].last()  # the last known status
    clin_last = df.groupby(key, sort=False)[cols["clinician"]].last()
    out = df.drop_duplicates(key, keep="last").set_index(key)
    out[status] = status_last
    out[cols["clinician"]] = clin_last
    out = out.reset_index()
    days = (as_of - out[date]).dt.days
    out["days_since"] = days.astype("Int64")
    ended = out[status].isin(ENDED).to_numpy(dtype=bool)
    seen = (days <= s.open_weeks * 7).to_numpy(dtype=bool, na_value=False)
    out["open"] = ~ended & seen
    return out.sort_values(key, ignore_index=True)


@_docstrings.fill
def open_episodes(
    data: pd.DataFrame,
    *,
    client: str = "client_id",
    episode: str = "episode_id",
    clinician: str = "clinician_id",
    session: str = "session_number",
    date: str = "session_date",
    status: str = "episode_status",
    as_of: str | pd.Timestamp | None = None,
    settings: AttentionSettings | None = None,
) -> pd.DataFrame:
    """Every client's episode with its latest session, and whether it is open.

    Parameters
    ----------
    {data}
    {columns}
        ``clinician`` and ``status`` may be absent (an episode without a status has not
        ended).
    as_of : date-like, optional
        The day the list is drawn up; by default the latest session date in ``data``.
        Sessions after it are left out.
    settings : AttentionSettings, optional
        ``open_weeks`` (4): how recently the client must have been seen.

    Returns
    -------
    pandas.DataFrame
        One row per client and episode, sorted by them: ``client_id``, ``episode_id``,
        ``session_number`` and ``session_date`` of the latest session (the highest session
        number, then the latest date, of any rating of the client in the episode),
        ``episode_status`` and ``clinician_id`` (the last known), ``days_since`` (Int64:
        days from that session to ``as_of``; NA without a date) and ``open`` (bool: the
        episode has not ended, :data:`ENDED`, and ``days_since`` is at most
        ``7 * open_weeks``).

    Examples
    --------
    >>> from srs_analytics import load_sample
    >>> eps = open_episodes(load_sample())
    >>> len(eps), int(eps["open"].sum())
    (300, 66)
    """
    s = settings or AttentionSettings()
    cols = column_map(client=client, episode=episode, clinician=clinician, session=session,
                      date=date, status=status)
    require_columns(data, cols, ("client", "episode", "session", "date"))
    dates = _dates(data, date)
    when = _as_of(as_of, dates, date)
    upto = data[~(dates > when).to_numpy(dtype=bool)]
    out = _latest_sessions(upto, cols, when, s)
    return out[[client, episode, session, date, status, clinician, "days_since", "open"]]


@_docstrings.fill
def attention(
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
    group: str = "group_id",
    status: str = "episode_status",
    as_of: str | pd.Timestamp | None = None,
    settings: AttentionSettings | None = None,
    model: ExpectedResponse | None = None,
    clinicians: str | Iterable[str] | None = None,
) -> pd.DataFrame:
    """The attention list: clients with an open episode whose latest session holds a
    warning or a critical alert, most urgent first.

    Parameters
    ----------
    {data}
        The whole history, so that drops, patterns and changes from intake see the earlier
        sessions.
    {columns}
        ``clinician``, ``age_group``, ``group``, ``status`` and the items may be absent.
    as_of : date-like, optional
        The day the list is drawn up; by default the latest session date in ``data``.
        Sessions after it are left out, so an earlier ``as_of`` gives the list as it stood
        on that day.
    settings : AttentionSettings, optional
        The alert settings, how recently an open episode was seen (``open_weeks``, 4) and
        the least severity that lists a client (``min_severity``, warning).
    {model}
    clinicians : str or iterable of str, optional
        Keep the clients of these clinicians (the clinician of the latest session).

    Returns
    -------
    pandas.DataFrame
        One row per client and episode on the list, with the columns
        :data:`ATTENTION_COLUMNS`:

        - ``client_id``, ``episode_id``, ``clinician_id``, ``session_number``,
          ``session_date`` (the names passed in): the client's latest session in the
          episode; ``days_since`` (int): days from it to ``as_of``;
        - ``measure``, ``severity``, ``rule``, ``item``, ``message``, ``suggestion``: the
          leading alert of that session, as :func:`~srs_analytics.alerting.alerts` gives
          it: the most severe, and among equals the first in :data:`LEAD_ORDER`;
        - ``other_rules`` (str): the session's other alerts, most severe first, joined by
          ``", "`` (an item rule names its item: ``low_item (overall)``); ``""`` when none;
        - ``n_alerts`` (int): the alerts of that session, the leading one included.

        Sorted most urgent first: severity (critical first), the number of alerts at
        ``min_severity`` or worse in the session (more first), ``days_since`` (the most
        recent session first), client and episode.

    Notes
    -----
    An episode is open when its last known ``episode_status`` is not an ending
    (:data:`ENDED`; a missing status has not ended) and the client's latest session is at
    most ``7 * open_weeks`` days before ``as_of`` (:func:`open_episodes`). Alerts are those
    of :func:`~srs_analytics.alerting.alerts` on the data up to ``as_of`` with
    ``settings.alerts``, kept at the client's latest session of the episode: an alert of an
    earlier session that no longer holds is not on the list. The full table of
    :func:`~srs_analytics.alerting.alerts` stays the record for audits and research.

    Examples
    --------
    >>> import pandas as pd
    >>> data = pd.DataFrame({
    ...     "client_id": ["C1"] * 4 + ["C2"], "episode_id": ["E1"] * 4 + ["E2"],
    ...     "session_number": [1, 1, 2, 2, 1],
    ...     "session_date": pd.to_datetime(["2026-03-05"] * 2 + ["2026-03-12"] * 2
    ...                                    + ["2026-03-10"]),
    ...     "measure": ["ORS", "SRS", "ORS", "SRS", "SRS"], "rater": "self",
    ...     "total": [20.0, 38.0, 14.0, 31.0, 39.0]})
    >>> now = attention(data)
    >>> now[["client_id", "session_number", "rule", "other_rules", "n_alerts"]]
      client_id  session_number        rule        other_rules  n_alerts
    0        C1               2  sharp_drop  ors_deterioration         2
    """
    s = settings or AttentionSettings()
    if not isinstance(s, AttentionSettings):
        raise TypeError(f"settings must be AttentionSettings; got {type(s).__name__}")
    cols = column_map(client=client, episode=episode, clinician=clinician, session=session,
                      date=date, measure=measure, rater=rater, total=total, items=items,
                      imputed=imputed, age_group=age_group, group=group, status=status)
    require_columns(data, cols, ("client", "episode", "session", "date", "measure", "rater",
                                 "total"))
    dates = _dates(data, date)
    when = _as_of(as_of, dates, date)
    upto = data[~(dates > when).to_numpy(dtype=bool)]
    eps = _latest_sessions(upto, cols, when, s)
    eps = eps[eps["open"].to_numpy(dtype=bool)]
    args = {k: cols[k] for k in ("client", "episode", "clinician", "session", "date",
                                 "measure", "rater", "total", "items", "imputed", "age_group",
                                 "group")}
    found = alerts(upto, **args, settings=s.alerts, model=model, latest_only=True)
    return _listed(found, eps, cols, s, clinicians)


def _listed(found, eps, cols, s, clinicians):
    """The attention rows from the alerts of the latest sessions of open episodes."""
    client, episode, session = cols["client"], cols["episode"], cols["session"]
    key = [client, episode]
    a = found.merge(eps[[*key, session, "days_since"]], on=[*key, session], how="inner")
    if clinicians is not None:
        wanted = [clinicians] if isinstance(clinicians, str) else list(clinicians)
        a = a[a[cols["clinician"]].isin(wanted).to_numpy(dtype=bool)]
    lead = pd.Index(LEAD_ORDER).get_indexer(a["rule"].astype(object))
    a = a.assign(_level=a["severity"].cat.codes.to_numpy(dtype=np.int64),
                 _lead=np.where(lead < 0, len(LEAD_ORDER), lead))
    a = a.sort_values([*key, "_level", "_lead"], ascending=[True, True, False, True],
                      kind="stable", ignore_index=True)
    floor = SEVERITIES.index(s.min_severity)
    a["_serious"] = (a["_level"].to_numpy() >= floor).astype(np.int64)
    g = a.groupby(key, sort=False)
    a = a[(g["_serious"].transform("max") > 0).to_numpy()].reset_index(drop=True)
    g = a.groupby(key, sort=False)
    who, rank = g.ngroup().to_numpy(), g.cumcount().to_numpy()
    head = np.flatnonzero(rank == 0)
    # the other alerts, named in rank order: the rule, and the item of an item rule
    is_item = a["rule"].isin(_ITEM_RULES).to_numpy() & a["item"].notna().to_numpy()
    named = tx.concat(a["rule"], tx.choose(is_item, tx.concat(" (", a["item"], ")"), ""))
    others = tx.text(np.full(len(head), ""))
    for k in range(1, int(rank.max(initial=0)) + 1):  # a loop over positions, not clients
        at = np.flatnonzero(rank == k)
        piece = np.full(len(head), "", dtype=object)
        piece[who[at]] = ("" if k == 1 else ", ") + np.asarray(
            named.take(at).to_pylist(), dtype=object)
        others = tx.concat(others, piece)
    out = a.iloc[head].reset_index(drop=True)
    out["other_rules"] = tx.str_column(others)
    out["n_alerts"] = np.bincount(who, minlength=len(head)).astype(np.int64)
    out["_n_serious"] = np.bincount(who, a["_serious"].to_numpy(), len(head))
    out["days_since"] = out["days_since"].astype(np.int64)
    out = out.sort_values(["_level", "_n_serious", "days_since", client, episode],
                          ascending=[False, False, True, True, True], kind="stable",
                          ignore_index=True)
    names = {"client_id": client, "episode_id": episode, "clinician_id": cols["clinician"],
             "session_number": session, "session_date": cols["date"],
             "measure": cols["measure"]}
    return out[[names.get(c, c) for c in ATTENTION_COLUMNS]]
