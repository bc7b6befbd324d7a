"""What a page about one client shows, computed once for the widget view, the dashboard and
the HTML report alike (so they cannot disagree).

Pure pandas: no widget, no drawing. :func:`client_page` gathers the chart tables, the
alerts of the latest session with their suggestions, the progress-note line and the
client's row of :func:`~srs_analytics.clients.client_table`; :func:`client_choices` orders
a clinician's clients for a chooser, those on the attention list
(:func:`srs_analytics.attention`) first.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .._checks import require_columns
from .._select import client_rows
from ..alerting import AlertSettings, alerts
from ..clients import ClientSettings, client_table
from ..expected import ExpectedResponse
from ..notes import progress_notes
from ..plotting.client import client_chart_data
from ..plotting.items import items_chart_data

__all__ = ["ClientPage", "client_choices", "client_page", "clinician_choices"]

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

