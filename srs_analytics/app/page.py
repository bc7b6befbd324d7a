"""What a page shows, computed once for the widget views, the dashboard and the HTML reports
alike (so they cannot disagree). Client pages, the caseload page, and the page of clients
seen together (a couple, a family, a group: :func:`together_page`).

Pure pandas: no widget, no drawing. :func:`client_page` gathers the chart tables, the
alerts of the latest session with their suggestions, the progress-note line and the
client's row of :func:`~srs_analytics.clients.client_table`; :func:`client_choices` orders
a clinician's clients for a chooser, those on the attention list
(:func:`srs_analytics.attention`) first. :func:`caseload_page` gathers the director's view
of a period: the caseload charts' tables, the caseload table, the clinician comparison
(small cells suppressed on request) and the attention list.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .._checks import check_number, require_columns
from .._select import client_rows
from ..alerting import AlertSettings, alerts
from ..caseload import CaseloadSettings, caseload_summary, suppress_small_cells
from ..clients import ClientSettings, client_table
from ..comparison import clinician_comparison
from ..couples import CoupleSettings, couple_episodes, couple_sessions
from ..expected import ExpectedResponse, fit_expected
from ..groups import GROUP_MEASURES, GroupSettings
from ..notes import progress_notes
from ..plotting.caseload import (
    caseload_rates_data,
    effect_sizes_data,
    outcome_categories_data,
)
from ..plotting.client import client_chart_data
from ..plotting.couples import couple_chart_data, group_chart_data
from ..plotting.items import items_chart_data
from ..plotting.significance import jacobson_truax_data
from ..triage import AttentionSettings, attention, open_episodes

__all__ = ["CASELOAD_FIELDS", "COMPARISON_FIELDS", "GROUPINGS", "CaseloadPage", "ClientPage",
           "TogetherPage", "caseload_page", "client_choices", "client_page",
           "clinician_choices", "month_choices", "together_choices", "together_page"]

_COLS = {"client": "client_id", "episode": "episode_id", "session": "session_number",
         "date": "session_date", "clinician": "clinician_id"}


@dataclass(frozen=True, eq=False)
class ClientPage:
    """Everything a page about one client's episode shows.

    Attributes
    ----------
    client_id, episode_id, clinician_id : str
        Who and which episode (the clinician of the latest rating; None when unknown).
    chart : pandas.DataFrame
        :func:`~srs_analytics.plotting.client_chart_data` of the episode.
    items : pandas.DataFrame
        :func:`~srs_analytics.plotting.items_chart_data` of the episode.
    alerts : pandas.DataFrame
        The alerts of the latest rating of each measure (the patterns that hold now),
        every severity, most severe first (:func:`~srs_analytics.alerting.alerts`).
    note : str
        The progress-note line of the latest session with an SRS ("" without one).
    note_session : float
        That session's number (NaN without one).
    summary : dict
        The client's row of :func:`~srs_analytics.clients.client_table` (outcome,
        alliance pattern, expected-response status...), empty without one.
    """

    client_id: str
    episode_id: str
    clinician_id: str | None
    chart: pd.DataFrame = field(repr=False)
    items: pd.DataFrame = field(repr=False)
    alerts: pd.DataFrame = field(repr=False)
    note: str = ""
    note_session: float = np.nan
    summary: dict = field(default_factory=dict, repr=False)

    @property
    def severity(self) -> str | None:
        """The worst severity among :attr:`alerts` (None without an alert)."""
        if self.alerts.empty:
            return None
        return str(self.alerts["severity"].max())


def client_page(data: pd.DataFrame, client_id: str, *, episode_id: str | None = None,
                settings: AlertSettings | None = None,
                model: ExpectedResponse | None = None) -> ClientPage:
    """Gather what a page about one client's episode shows.

    Parameters
    ----------
    data : pandas.DataFrame
        The canonical table (the whole caseload: the client's rows are picked here).
    client_id : str
        The client.
    episode_id : str, optional
        The episode; by default the one of the client's latest rating.
    settings : AlertSettings, optional
        Alert rules and thresholds, with the outcome and alliance settings inside.
    model : ExpectedResponse, optional
        A fitted expected treatment response (:func:`srs_analytics.fit_expected`), fitted
        on the whole caseload or an agency's history. Without one there is no expected
        band and ``off_track`` uses its fallback rule.

    Returns
    -------
    ClientPage

    Examples
    --------
    >>> from srs_analytics import load_sample
    >>> page = client_page(load_sample(), "C00092")
    >>> page.episode_id, page.summary["ors_intake"], page.summary["outcome"]
    ('E00092', 15.9, 'recovered')
    >>> page.note.split(". ")[0]
    'SRS total: 37.2/40 (at or above the 36 cutoff)'
    >>> page.alerts["session_number"].unique().tolist()  # the latest session's alerts
    [8]
    """
    s = settings or AlertSettings()
    rows, ep = client_rows(data, client_id, episode_id, cols=_COLS)
    chart = client_chart_data(data, client_id, episode_id=ep, settings=s, model=model)
    items = items_chart_data(rows, client_id, episode_id=ep, settings=s.alliance)
    now = alerts(rows, settings=s, model=model, latest_only=True)
    notes = progress_notes(rows, settings=s.alliance)
    if len(notes):
        order = np.lexsort((notes["session_number"].to_numpy(dtype=float),
                            notes["session_date"].to_numpy(dtype="datetime64[ns]")))
        last = notes.iloc[order[-1]]
        note, note_session = str(last["note"]), float(last["session_number"])
    else:
        note, note_session = "", np.nan
    table = client_table(rows, settings=ClientSettings(outcome=s.outcome, alliance=s.alliance,
                                                       expected=s.expected), model=model)
    summary = table.iloc[0].to_dict() if len(table) else {}
    return ClientPage(client_id=client_id, episode_id=ep, clinician_id=chart.attrs.get(
        "clinician_id"), chart=chart, items=items, alerts=now.reset_index(drop=True),
        note=note, note_session=note_session, summary=summary)


def client_choices(data: pd.DataFrame, clinician_id: str | None = None, *,
                   attention: pd.DataFrame | None = None) -> list[tuple[str, str]]:
    """A chooser's options for a clinician's clients: (text, client_id), attention first.

    Clients on ``attention`` (:func:`srs_analytics.attention`) come first, in its order,
    their text naming the severity and the leading rule ("C00092 - warning: low total");
    the others follow in client order. ``clinician_id=None`` takes every client.

    Examples
    --------
    >>> import pandas as pd
    >>> data = pd.DataFrame({"client_id": ["A", "B", "C"], "clinician_id": "T1"})
    >>> att = pd.DataFrame({"client_id": ["C"], "severity": ["critical"],
    ...                     "rule": ["sharp_drop"]})
    >>> client_choices(data, "T1", attention=att)
    [('C - critical: sharp drop', 'C'), ('A', 'A'), ('B', 'B')]
    """
    require_columns(data, {"client": "client_id", "clinician": "clinician_id"},
                    ["client"] if clinician_id is None else ["client", "clinician"])
    mine = data if clinician_id is None else data[
        (data["clinician_id"] == clinician_id).to_numpy(dtype=bool)]
    clients = sorted(map(str, pd.unique(mine["client_id"].dropna())))
    first = []
    if attention is not None and len(attention):
        att = attention[attention["client_id"].isin(clients)].drop_duplicates("client_id")
        first = [(f"{c} - {sev}: {str(rule).replace('_', ' ')}", c)
                 for c, sev, rule in att[["client_id", "severity", "rule"]].itertuples(
                     index=False)]
    shown = {c for _, c in first}
    return first + [(c, c) for c in clients if c not in shown]


def clinician_choices(data: pd.DataFrame) -> list[str]:
    """The clinicians of the data, sorted ([] without a ``clinician_id`` column)."""
    if "clinician_id" not in data:
        return []
    return sorted(map(str, pd.unique(data["clinician_id"].dropna())))



# --------------------------------------------------------------------------- the caseload
#: The groupings a caseload page offers (None: the service alone), with their names.
GROUPINGS = (("clinician", "Clinician"), ("site", "Site"), ("age_group", "Age group"),
             ("service_type", "Service type"), ("format", "Format"), ("setting", "Setting"),
             (None, "Whole service only"))
#: The columns of the caseload table a page shows: (heading, column of
#: :func:`~srs_analytics.caseload_summary`, kind: count, share or es).
CASELOAD_FIELDS = (
    ("Clients", "n_clients", "count"), ("Sessions", "n_sessions", "count"),
    ("SRS ratings", "n_srs", "count"), ("SRS below 36", "share_srs_below_cutoff", "share"),
    ("SRS at the ceiling", "share_srs_at_ceiling", "share"),
    ("SRS completion", "share_srs_completion", "share"),
    ("Sessions with an alert", "share_sessions_with_alert", "share"),
    ("Episodes with a change", "n_change", "count"),
    ("Reliable improvement", "share_reliable_improvement", "share"),
    ("Recovered", "share_recovered", "share"), ("Dropout", "share_dropout", "share"),
    ("Effect size (severity adjusted)", "severity_adjusted_es", "es"),
)
#: The columns of the clinician comparison a page shows.
COMPARISON_FIELDS = (
    ("Cases", "n_es", "count"), ("Severity-adjusted effect size", "severity_adjusted_es", "es"),
    ("Shrunk towards the service", "shrunk_es", "es"),
    ("Compared with the service", "compared_with_service", "text"),
)


@dataclass(frozen=True, eq=False)
class CaseloadPage:
    """Everything a page about the caseload of a period shows.

    Attributes
    ----------
    start, end : pandas.Timestamp or None
        The period (both days included; None: from the first or to the last session).
    by : str or None
        The grouping of the charts and the table (``"clinician"``, ``"site"``...).
    clinicians : tuple of str or None
        The chosen clinicians (None: all).
    rates, outcomes, effects, jacobson_truax : pandas.DataFrame
        The tables of :func:`~srs_analytics.plotting.caseload_rates_data`,
        :func:`~srs_analytics.plotting.outcome_categories_data`,
        :func:`~srs_analytics.plotting.effect_sizes_data` and
        :func:`~srs_analytics.plotting.jacobson_truax_data`.
    summary : pandas.DataFrame
        :func:`~srs_analytics.caseload_summary` by clinician (and ``by``) for the chosen
        clinicians, then the whole service's row (``group`` names each row); counts under
        ``suppress_below`` as ``"<k"`` (:func:`~srs_analytics.suppress_small_cells`).
    comparison : pandas.DataFrame
        :func:`~srs_analytics.clinician_comparison` of the chosen clinicians, suppressed
        the same way.
    attention : pandas.DataFrame
        :func:`~srs_analytics.attention` of the chosen clinicians as of ``as_of``.
    counts : dict
        ``n_clients``, ``n_sessions``, ``n_episodes`` (the chosen clinicians' sessions in
        the period), ``n_open`` (their clients with an open episode at ``as_of``) and
        ``n_attention``.
    as_of : pandas.Timestamp
        The day of the attention list.
    suppress_below : int or None
    """

    start: pd.Timestamp | None
    end: pd.Timestamp | None
    by: str | None
    clinicians: tuple | None
    rates: pd.DataFrame = field(repr=False)
    outcomes: pd.DataFrame = field(repr=False)
    effects: pd.DataFrame = field(repr=False)
    jacobson_truax: pd.DataFrame = field(repr=False)
    summary: pd.DataFrame = field(repr=False)
    comparison: pd.DataFrame = field(repr=False)
    attention: pd.DataFrame = field(repr=False)
    counts: dict = field(default_factory=dict)
    as_of: pd.Timestamp | None = None
    suppress_below: int | None = None

    @property
    def period(self) -> str:
        """The period in words ("1 Jan 2025 to 31 Mar 2025", "all sessions")."""
        def day(t):
            return f"{t.day} {t:%b %Y}"

        if self.start is None and self.end is None:
            return "all sessions"
        if self.start is None:
            return f"up to {day(self.end)}"
        if self.end is None:
            return f"from {day(self.start)}"
        return f"{day(self.start)} to {day(self.end)}"


def caseload_page(data: pd.DataFrame, *, by: str | None = "clinician", start=None, end=None,
                  clinicians=None, as_of=None, settings: CaseloadSettings | None = None,
                  model: ExpectedResponse | None = None,
                  suppress_below: int | None = None) -> CaseloadPage:
    """Gather what a page about the caseload of a period shows.

    Parameters
    ----------
    data : pandas.DataFrame
        The canonical table, the whole history (episodes begun before the period keep
        their intake).
    by : str or None, default "clinician"
        One grouping of :data:`GROUPINGS` for the charts and the table.
    start, end : date-like, optional
        The period, both days included.
    clinicians : sequence of str, optional
        Only these clinicians' sessions, episodes and clients (the whole service stays in
        the charts and the table as the line to compare with).
    as_of : date-like, optional
        The day of the attention list; by default the latest session date, or ``end`` when
        it comes before.
    settings : CaseloadSettings, optional
        Thresholds, the alert severity, which episodes (closed in the period by default),
        ``min_cases``.
    model : ExpectedResponse, optional
        The expected treatment response; by default fitted on ``data``.
    suppress_below : int, optional
        Counts under it shown as ``"<k"`` in the table and the comparison, the figures
        derived from them withheld (for a table that leaves the clinic).

    Returns
    -------
    CaseloadPage

    Examples
    --------
    >>> from srs_analytics import load_sample
    >>> page = caseload_page(load_sample(), start="2025-10-01", end="2025-12-31",
    ...                      clinicians=["T03"])
    >>> page.period, page.counts["n_clients"], page.counts["n_attention"]
    ('1 Oct 2025 to 31 Dec 2025', 20, 4)
    >>> page.summary["group"].tolist()
    ['T03', 'Whole service']
    """
    s = settings or CaseloadSettings()
    if suppress_below is not None:
        check_number("suppress_below", suppress_below, 1, integer=True)
    start = None if start is None else pd.Timestamp(start)
    end = None if end is None else pd.Timestamp(end)
    chosen = None if clinicians is None else tuple(
        [clinicians] if isinstance(clinicians, str) else clinicians)
    model = fit_expected(data) if model is None else model
    rates = caseload_rates_data(data, by=by, start=start, end=end, clinicians=chosen,
                                settings=s, model=model)
    outcomes = outcome_categories_data(data, by=by, start=start, end=end,
                                       clinicians=chosen, settings=s, model=model)
    effects = effect_sizes_data(data, start=start, end=end, clinicians=chosen, settings=s,
                                model=model)
    jt = jacobson_truax_data(data, start=start, end=end, episodes=s.episodes,
                             clinicians=chosen, settings=s.outcome)
    keys = ["clinician"] + ([by] if by not in (None, "clinician") else [])
    table = caseload_summary(data, by=keys, start=start, end=end, settings=s, model=model)
    if chosen is not None:
        table = table[table["clinician_id"].isin(chosen).to_numpy(dtype=bool)]
    service = caseload_summary(data, by=(), start=start, end=end, settings=s, model=model)
    names = [c for c in table.columns if c in ("clinician_id", "site", "age_group",
                                                "service_type", "format", "setting")]
    group = table[names].astype(object).where(table[names].notna(), "(unknown)").astype(str)
    group = group.agg(", ".join, axis=1) if len(table) else pd.Series([], dtype=object)
    mine = pd.concat([table.drop(columns=names).assign(group=group.to_numpy()),
                      service.assign(group="Whole service")], ignore_index=True)
    mine = mine[["group", *(c for c in mine.columns if c != "group")]]
    comparison = clinician_comparison(data, start=start, end=end, settings=s, model=model)
    if chosen is not None:
        comparison = comparison[comparison["clinician_id"].isin(chosen).to_numpy(dtype=bool)]
    if suppress_below is not None:
        mine = suppress_small_cells(mine, suppress_below)
        comparison = suppress_small_cells(comparison, suppress_below)
    when = None if as_of is None else pd.Timestamp(as_of)
    if when is None and "session_date" in data and data["session_date"].notna().any():
        # the end of the period, or the latest session if sooner (a month not yet over)
        when = data["session_date"].max()
        when = when if end is None else min(end, when)
    att_settings = AttentionSettings(alerts=s.alerts)
    listed = attention(data, as_of=when, settings=att_settings, model=model,
                       clinicians=list(chosen) if chosen is not None else None)
    episodes = open_episodes(data, as_of=when, settings=att_settings)
    if chosen is not None:
        episodes = episodes[episodes["clinician_id"].isin(chosen).to_numpy(dtype=bool)]
    first = mine.iloc[-1] if chosen is None else table[
        ["n_clients", "n_sessions", "n_episodes"]].sum()
    counts = {"n_clients": _int(first["n_clients"]), "n_sessions": _int(first["n_sessions"]),
              "n_episodes": _int(first["n_episodes"]),
              "n_open": int(episodes["open"].sum()), "n_attention": len(listed)}
    return CaseloadPage(start=start, end=end, by=by, clinicians=chosen, rates=rates,
                        outcomes=outcomes, effects=effects, jacobson_truax=jt,
                        summary=mine.reset_index(drop=True),
                        comparison=comparison.reset_index(drop=True),
                        attention=listed.reset_index(drop=True), counts=counts, as_of=when,
                        suppress_below=suppress_below)


def _int(value):
    """A count as int, or as the text of a suppressed count ("<5")."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return str(value)


def month_choices(data: pd.DataFrame, date: str = "session_date") -> list[pd.Timestamp]:
    """The first days of the months with a session, in order ([] without dates)."""
    if date not in data or not data[date].notna().any():
        return []
    months = pd.to_datetime(data[date]).dropna().dt.to_period("M").unique()
    return [p.to_timestamp() for p in sorted(months)]


# --------------------------------------------------------------------------- seen together
#: The columns of a couple's joint sessions a page shows: (heading, column, kind).
COUPLE_FIELDS = (("Measure", "measure", "text"), ("Ratings", "ratings", "text"),
                 ("Gap", "gap", "text"), ("Split", "split_text", "text"),
                 ("Lowest", "lowest_client", "text"),
                 ("Items differing most", "most_divergent_item", "text"))
#: The columns of a group's sessions a page shows.
GROUP_FIELDS = (("Date", "session_date", "text"), ("Members rating", "n_members", "count"),
                ("Mean", "mean_total", "text"), ("SD", "sd_total", "text"),
                ("Below 36", "members_below", "text"), ("Lowest", "lowest_member", "text"),
                ("Lowest item", "lowest_item", "text"))


@dataclass(frozen=True, eq=False)
class TogetherPage:
    """Everything a page about clients seen together shows: a couple or a family (one
    episode), or a group.

    Attributes
    ----------
    kind : {"couple", "group"}
        A couple or family (``id`` an episode), or a group (``id`` a group).
    id : str
    title : str
        "Couple E00273: C00274 and C00275", "Family ...", "Group G01: 7 members".
    chart : pandas.DataFrame
        :func:`~srs_analytics.plotting.couple_chart_data` or
        :func:`~srs_analytics.plotting.group_chart_data`.
    sessions : pandas.DataFrame
        The joint sessions (:func:`~srs_analytics.couple_sessions`, with ``ratings`` and
        ``split_text`` for the page) or the group sessions
        (:func:`~srs_analytics.group_sessions`).
    summary : list of (str, str)
        The page's "at a glance" lines.
    alerts : pandas.DataFrame
        The alerts of each client's latest session (for a group, of the group measure),
        most severe first.
    """

    kind: str
    id: str
    title: str
    chart: pd.DataFrame = field(repr=False)
    sessions: pd.DataFrame = field(repr=False)
    summary: list = field(default_factory=list, repr=False)
    alerts: pd.DataFrame = field(default=None, repr=False)


def together_choices(data: pd.DataFrame) -> list[tuple[str, tuple[str, str]]]:
    """A chooser's options for clients seen together: (text, (kind, id)), the couples and
    families (episodes with two or more clients rating their own SRS or ORS) first, then
    the groups.

    Examples
    --------
    >>> from srs_analytics import load_sample
    >>> options = together_choices(load_sample())
    >>> options[0]
    ('Couple E00272: C00272, C00273', ('couple', 'E00272'))
    >>> options[-1]
    ('Group G01: 7 members', ('group', 'G01'))
    """
    options = []
    if len(data):
        eps = couple_episodes(data)
        eps = eps.drop_duplicates("episode_id")
        for e, n, who in eps[["episode_id", "n_clients", "clients"]].itertuples(index=False):
            kind = "Couple" if n == 2 else "Family"
            options.append((f"{kind} {e}: {str(who).replace(';', ', ')}", ("couple", str(e))))
    if "group_id" in data:
        g = data[data["measure"].isin(GROUP_MEASURES).to_numpy(dtype=bool)
                 & data["group_id"].notna().to_numpy(dtype=bool)]
        for gid, n in g.groupby("group_id", sort=True)["client_id"].nunique().items():
            options.append((f"Group {gid}: {n} members", ("group", str(gid))))
    return options


def together_page(data: pd.DataFrame, kind: str, id: str, *,
                  settings: AlertSettings | None = None,
                  couples: CoupleSettings | None = None,
                  groups: GroupSettings | None = None,
                  model: ExpectedResponse | None = None) -> TogetherPage:
    """Gather what a page about a couple, a family or a group shows.

    Parameters
    ----------
    data : pandas.DataFrame
        The canonical table.
    kind : {"couple", "group"}
        ``"couple"`` for a couple's or a family's episode (``id`` the episode), ``"group"``
        for a group (``id`` the group).
    id : str
    settings : AlertSettings, optional
        The alert rules (with the couples' and groups' rules).
    couples, groups : CoupleSettings, GroupSettings, optional
        The thresholds of the chart and the tables.
    model : ExpectedResponse, optional
        For the outcome alerts (``off_track``).

    Returns
    -------
    TogetherPage

    Examples
    --------
    >>> from srs_analytics import load_sample
    >>> page = together_page(load_sample(), "couple", "E00273")
    >>> page.title
    'Couple E00273: C00274 and C00275'
    >>> dict(page.summary)["Alliance split"]
    '3 of 6 joint sessions'
    """
    from .._checks import check_choice

    check_choice("kind", kind, ("couple", "group"))
    s = settings or AlertSettings()
    if kind == "couple":
        c = couples or CoupleSettings(alliance=s.alliance, outcome=s.outcome)
        chart = couple_chart_data(data, id, settings=c)
        rows = data[(data["episode_id"] == id).to_numpy(dtype=bool)]
        sessions = couple_sessions(rows, settings=c)
        sessions = sessions.assign(
            ratings=[", ".join(f"{w} {t}" for w, t in zip(str(a).split(";"),
                                                         str(b).split(";")))
                     for a, b in zip(sessions["clients"], sessions["totals"])],
            split_text=np.where(sessions["split"].to_numpy(dtype=bool), "split", ""),
            gap=sessions["gap"].round(2))
        clients = chart.attrs["clients"]
        words = "Couple" if len(clients) == 2 else "Family"
        title = (f"{words} {id}: " + (" and ".join(clients) if len(clients) == 2
                                     else ", ".join(clients)))
        summary = _couple_summary(chart.attrs["episodes"], c)
        found = alerts(rows, settings=s, model=model, latest_only=True)
    else:
        g = groups or GroupSettings(alliance=s.alliance)
        chart = group_chart_data(data, id, settings=g)
        sessions = chart.attrs["sessions"].assign(
            mean_total=lambda t: t["mean_total"].round(2),
            sd_total=lambda t: t["sd_total"].round(2),
            members_below=lambda t: t["members_below"].fillna("").str.replace(";", ", "))
        members = chart[chart["layer"] == "member"]
        title = f"Group {id}: {members['client_id'].nunique()} members"
        last = sessions.iloc[-1]
        stays = sorted(set(members.loc[members["stays_below"].astype(bool), "client_id"]))
        summary = [("Group sessions", str(len(sessions))),
                   ("Latest group session", f"{last['mean_total']:g} on average, "
                    f"{last['n_below_cutoff']} of {last['n_members']} below "
                    f"{g.alliance.cutoff:g}"),
                   ("Members who stay below the group", ", ".join(stays) or "none"),
                   ("The group's lowest item, latest session",
                    str(last["lowest_item"]).replace("_", " ")
                    if not pd.isna(last["lowest_item"]) else "\u2013")]
        ids = set(members["client_id"])
        rows = data[data["client_id"].isin(ids).to_numpy(dtype=bool)]
        found = alerts(rows, settings=s, model=model, latest_only=True)
        found = found[found["measure"].isin(GROUP_MEASURES).to_numpy(dtype=bool)]
    found = found.sort_values("severity", ascending=False, kind="stable")
    return TogetherPage(kind=kind, id=str(id), title=title, chart=chart,
                        sessions=sessions.reset_index(drop=True), summary=summary,
                        alerts=found.reset_index(drop=True))


def _couple_summary(episodes: dict, c: CoupleSettings) -> list[tuple[str, str]]:
    """The "at a glance" lines of a couple's page, from :func:`couple_episodes`."""
    lines = []
    srs, ors = episodes.get("SRS"), episodes.get("ORS")
    if srs:
        lines.append(("Alliance split", f"{srs['n_split']} of {srs['n_joint_sessions']} "
                      "joint sessions"))
        lines.append(("Alliance gap", f"{srs['gap_trend']} (first {srs['gap_first']:g}, "
                      f"latest {srs['gap_last']:g} points)"))
        lowest = srs.get("lowest_client")
        if lowest:
            lines.append(("Lowest alliance rating", f"{lowest}, in {srs['n_lowest']} of "
                          f"{srs['n_joint_sessions']} sessions" + (
                              ": consistently the lower one" if srs["consistently_lowest"]
                              else "")))
    if ors:
        lines.append(("Outcome gap", f"{ors['gap_trend']} (first {ors['gap_first']:g}, "
                      f"latest {ors['gap_last']:g} points)"))
        improved = ors.get("improved_clients")
        lines.append(("Improved reliably", str(improved).replace(";", ", ") if improved
                      else "nobody yet"))
        if ors.get("outcome_divergence"):
            lines.append(("Outcomes part", f"{ors['lagging_client']} lags behind by "
                          f"{c.divergence:g} points or more"))
    return lines
