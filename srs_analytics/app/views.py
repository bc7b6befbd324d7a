"""Widget views (ipywidgets) for a notebook and the browser dashboard.

:func:`client_view` is the clinician's view of one client: choose a clinician, then one of
their clients (those on the attention list first), and see the client chart, the items
chart, the alerts with their suggestions and the progress-note line ready to copy.
:func:`caseload_view` is the director's: choose a period, clinicians and a grouping, and
see who needs attention, the alliance rates by month, the outcomes, the clinicians'
effect sizes, the Jacobson-Truax scatter and the caseload table. :func:`couples_view`
shows clients seen together: choose a couple, a family or a group, and see its chart,
its joint sessions and its alerts.
:func:`dashboard` puts the views in tabs; the dashboard served by Voila
(:mod:`srs_analytics.app.server`) shows exactly this. Callbacks only call package
functions (:func:`~srs_analytics.app.page.client_page`,
:func:`~srs_analytics.app.page.caseload_page` and the charts), so a notebook, the
dashboard and the HTML reports show the same thing.

Needs the ``app`` extra: ``pip install "srs-analytics[app]"``.
"""

from __future__ import annotations

import html
from collections.abc import Callable

import ipywidgets as w
import matplotlib.pyplot as plt
import pandas as pd

from ..alerting import AlertSettings
from ..caseload import CaseloadSettings
from ..expected import ExpectedResponse, fit_expected
from ..plotting._style import chart_style, figure_bytes, figure_of
from ..plotting.caseload import draw_caseload_rates, draw_effect_sizes, draw_outcome_categories
from ..plotting.client import draw_client_chart
from ..plotting.couples import draw_couple_chart, draw_group_chart
from ..plotting.items import draw_items_chart
from ..plotting.significance import draw_jacobson_truax
from ..triage import AttentionSettings, attention
from ._templates import (
    alert_rows,
    attention_rows,
    components_css,
    macro,
    table_rows,
)
from .page import (
    CASELOAD_FIELDS,
    COMPARISON_FIELDS,
    COUPLE_FIELDS,
    GROUP_FIELDS,
    GROUPINGS,
    caseload_page,
    client_choices,
    client_page,
    clinician_choices,
    month_choices,
    together_choices,
    together_page,
)

__all__ = ["CaseloadView", "ClientView", "CouplesView", "caseload_view", "client_view",
           "couples_view", "dashboard", "figure_image"]

_ALL = "(all clinicians)"


def figure_image(draw: Callable | None, *args, **kwargs) -> w.Image:
    """An Image widget holding what ``draw(*args, **kwargs)`` drew (it returns the Axes);
    empty when ``draw`` is None.

    The figure is drawn in the package's chart style, saved as PNG and closed, so no
    figure is left open and the browser shows a plain image.
    """
    # natural size (a flex box would stretch it), never wider than the page
    image = w.Image(format="png", layout=w.Layout(max_width="100%", align_self="flex-start"))
    if draw is not None:
        update_image(image, draw, *args, **kwargs)
    return image


def update_image(image: w.Image, draw: Callable, *args, **kwargs) -> None:
    """Redraw an Image widget of :func:`figure_image` (``draw`` returns an Axes, or an
    array of them for a chart of panels)."""
    with chart_style():
        fig = figure_of(draw(*args, **kwargs))
        image.value = figure_bytes(fig, dpi=100)
        plt.close(fig)


class ClientView(w.VBox):
    """The clinician's view of one client (a ``VBox``); see :func:`client_view`.

    Attributes
    ----------
    clinician, client : ipywidgets.Dropdown
        The choosers.
    header, alerts : ipywidgets.HTML
        Who is shown; the alerts of the latest session with their suggestions.
    chart, items : ipywidgets.Image
        The client chart and the items chart.
    note : ipywidgets.Textarea
        The progress-note line of the latest session, ready to copy.
    page : ClientPage
        What is shown now.
    """

    def __init__(self, data: pd.DataFrame, *, settings: AlertSettings | None = None,
                 model: ExpectedResponse | None = None, as_of=None,
                 clinician_id: str | None = None, client_id: str | None = None):
        self.data, self.settings = data, settings
        self.model = fit_expected(data) if model is None else model
        self.attention = attention(
            data, as_of=as_of, model=self.model,
            settings=None if settings is None else AttentionSettings(alerts=settings))
        clinicians = clinician_choices(data)
        start = clinician_id if clinician_id in clinicians else (
            clinicians[0] if clinicians else _ALL)
        self.clinician = w.Dropdown(options=[*clinicians, _ALL], value=start,
                                    description="Clinician", layout=w.Layout(width="20rem"))
        self.client = w.Dropdown(description="Client", layout=w.Layout(width="32rem"))
        self.clinician.add_class("srs-clinician")
        self.client.add_class("srs-client")
        self.header = w.HTML()
        self.chart, self.items = figure_image(None), figure_image(None)
        self.alerts = w.HTML()
        self.note = w.Textarea(layout=w.Layout(width="100%", height="5rem"),
                               description="Note", tooltip="Copy into the record")
        for widget, name in ((self.header, "srs-header"), (self.chart, "srs-chart"),
                             (self.items, "srs-items"), (self.alerts, "srs-alerts"),
                             (self.note, "srs-note")):
            widget.add_class(name)
        self._fill_clients(client_id)
        self.clinician.observe(lambda change: self._fill_clients(), names="value")
        self.client.observe(lambda change: self.show(change["new"]), names="value")
        super().__init__([
            w.HTML(f"<style>{components_css()}</style>"),
            w.HBox([self.clinician, self.client]), self.header, self.chart,
            w.HTML("<b>SRS items</b>: one low item tells more than the total; ask about the "
                   "lowest (framed) first."), self.items,
            w.HTML("<b>Alerts at the latest session</b>: conversation starters, not "
                   "verdicts."), self.alerts,
            w.HTML("<b>Progress note</b> of the latest session, ready to copy:"), self.note])
        self.add_class("srs-client-view")
        if self.client.value is not None:
            self.show(self.client.value)

    def _fill_clients(self, client_id: str | None = None) -> None:
        who = None if self.clinician.value == _ALL else self.clinician.value
        options = client_choices(self.data, who, attention=self.attention)
        keep = client_id if client_id in {c for _, c in options} else (
            options[0][1] if options else None)
        self.client.options = options  # selects the first option (and shows it)
        if self.client.value != keep:
            self.client.value = keep

    def show(self, client_id: str | None) -> None:
        """Show one client (their latest episode)."""
        if client_id is None:
            return
        self.page = page = client_page(self.data, client_id, settings=self.settings,
                                       model=self.model)
        update_image(self.chart, draw_client_chart, page.chart)
        if len(page.items):
            update_image(self.items, draw_items_chart, page.items)
        else:
            self.items.value = b""
        self.alerts.value = macro("alerts_table", alert_rows(page.alerts))
        self.note.value = page.note or "No SRS rating yet, so no progress-note line."
        self.header.value = macro("page_header", page)  # last: the page is complete


def client_view(data: pd.DataFrame, *, settings: AlertSettings | None = None,
                model: ExpectedResponse | None = None, as_of=None,
                clinician_id: str | None = None, client_id: str | None = None) -> ClientView:
    """The clinician's view of one client, as a widget.

    Parameters
    ----------
    data : pandas.DataFrame
        The canonical table (the whole caseload).
    settings : AlertSettings, optional
        Alert rules and thresholds (with the outcome and alliance settings).
    model : ExpectedResponse, optional
        The expected treatment response; by default fitted on ``data``.
    as_of : date-like, optional
        The day of the attention list (:func:`srs_analytics.attention`); by default the
        latest session date in ``data``.
    clinician_id, client_id : str, optional
        Who to show first; by default the first clinician and the most urgent of their
        clients.

    Returns
    -------
    ClientView
        An ipywidgets ``VBox``: display it in a notebook, or serve it with the dashboard.
    """
    return ClientView(data, settings=settings, model=model, as_of=as_of,
                      clinician_id=clinician_id, client_id=client_id)


class CaseloadView(w.VBox):
    """The director's view of the caseload (a ``VBox``); see :func:`caseload_view`.

    Attributes
    ----------
    start, end : ipywidgets.Dropdown
        The first and the last month of the period.
    clinicians : ipywidgets.SelectMultiple
        The clinicians shown (none chosen: all of them).
    by : ipywidgets.Dropdown
        The grouping of the charts and the table.
    header, attention, summary, comparison : ipywidgets.HTML
        The period in numbers; who needs attention; the caseload table; the clinician
        comparison.
    rates, outcomes, effects, jacobson_truax : ipywidgets.Image
        The charts.
    page : CaseloadPage
        What is shown now.
    """

    def __init__(self, data: pd.DataFrame, *, settings: CaseloadSettings | None = None,
                 model: ExpectedResponse | None = None, start=None, end=None,
                 clinicians=None, by: str | None = "clinician"):
        self.data, self.settings = data, settings
        self.model = fit_expected(data) if model is None else model
        months = month_choices(data)
        options = [(f"{m:%b %Y}", m) for m in months]
        self.start = w.Dropdown(options=options, description="From",
                                layout=w.Layout(width="14rem"))
        self.end = w.Dropdown(options=options, description="To",
                              layout=w.Layout(width="14rem"))
        if months:
            self.start.value = _month(start, months, first=True)
            self.end.value = _month(end, months, first=False)
        names = clinician_choices(data)
        self.clinicians = w.SelectMultiple(
            options=names, value=tuple(c for c in (clinicians or ()) if c in names),
            rows=min(8, max(len(names), 2)), description="Clinicians",
            layout=w.Layout(width="14rem"))
        self.by = w.Dropdown(options=[(label, key) for key, label in GROUPINGS], value=by,
                             description="Lines by", layout=w.Layout(width="16rem"))
        self.header, self.attention = w.HTML(), w.HTML()
        self.summary, self.comparison = w.HTML(), w.HTML()
        self.rates, self.outcomes = figure_image(None), figure_image(None)
        self.effects, self.jacobson_truax = figure_image(None), figure_image(None)
        for widget, name in ((self.start, "srs-from"), (self.end, "srs-to"),
                             (self.clinicians, "srs-clinicians"), (self.by, "srs-by"),
                             (self.header, "srs-caseload-header"),
                             (self.attention, "srs-attention"),
                             (self.rates, "srs-rates"), (self.outcomes, "srs-outcomes"),
                             (self.effects, "srs-effects"),
                             (self.jacobson_truax, "srs-jacobson-truax"),
                             (self.summary, "srs-summary"),
                             (self.comparison, "srs-comparison")):
            widget.add_class(name)
        for control in (self.start, self.end, self.clinicians, self.by):
            control.observe(lambda change: self.show(), names="value")
        hint = ("Hold Ctrl (Cmd on a Mac) to choose several; none chosen shows them all.")
        super().__init__([
            w.HTML(f"<style>{components_css()}</style>"),
            w.HBox([w.VBox([self.start, self.end, self.by]),
                    w.VBox([self.clinicians, w.HTML(f"<span class='muted'>{hint}</span>")])]),
            self.header,
            w.HTML("<h3>Who needs attention</h3><p class='muted'>Clients with an open "
                   "episode whose latest session holds a warning or a critical alert, most "
                   "urgent first: the list for this week.</p>"), self.attention,
            w.HTML("<h3>The alliance, month by month</h3><p class='muted'>The thick line "
                   "is the whole service with its 95% interval; a marker's size grows with "
                   "the ratings behind it. A falling SRS completion is the first thing to "
                   "talk about.</p>"), self.rates,
            w.HTML("<h3>Outcomes</h3>"), self.outcomes, self.effects,
            w.HTML("<p class='muted'>Clinicians come in their own order, never ranked; each "
                   "estimate with its interval. Those with fewer cases than the minimum are "
                   "named below the chart, not drawn.</p>"), self.comparison,
            self.jacobson_truax,
            w.HTML("<h3>The caseload in numbers</h3>"), self.summary])
        self.add_class("srs-caseload-view")
        self.show()

    def show(self) -> None:
        """Recompute the page for the chosen period, clinicians and grouping."""
        start, end = self.start.value, self.end.value
        if start is not None and end is not None and start > end:
            self.header.value = ("<p class='muted'>The period ends before it starts: choose "
                                 "a later <b>To</b> month.</p>")
            return
        end = None if end is None else end + pd.offsets.MonthEnd(0)
        chosen = tuple(self.clinicians.value) or None
        self.page = page = caseload_page(self.data, by=self.by.value, start=start, end=end,
                                         clinicians=chosen, settings=self.settings,
                                         model=self.model)
        self.attention.value = macro("attention_table", attention_rows(page.attention))
        update_image(self.rates, draw_caseload_rates, page.rates)
        update_image(self.outcomes, draw_outcome_categories, page.outcomes)
        update_image(self.effects, draw_effect_sizes, page.effects)
        update_image(self.jacobson_truax, draw_jacobson_truax, page.jacobson_truax)
        self.summary.value = ("<div class='table-wrap'>" + macro(
            "data_table", *table_rows(page.summary, "group", CASELOAD_FIELDS),
            "numbers with-total") + "</div>")
        self.comparison.value = macro("data_table", *table_rows(
            page.comparison, "clinician_id", COMPARISON_FIELDS))
        self.header.value = macro("caseload_header", page, "The caseload")  # last


def _month(value, months, *, first: bool):
    """The month of ``months`` holding ``value`` (default: the first or the last)."""
    if value is None:
        return months[0] if first else months[-1]
    want = pd.Timestamp(value).to_period("M").to_timestamp()
    return want if want in months else (months[0] if first else months[-1])


def caseload_view(data: pd.DataFrame, *, settings: CaseloadSettings | None = None,
                  model: ExpectedResponse | None = None, start=None, end=None,
                  clinicians=None, by: str | None = "clinician") -> CaseloadView:
    """The director's view of the caseload, as a widget.

    Parameters
    ----------
    data : pandas.DataFrame
        The canonical table (the whole history).
    settings : CaseloadSettings, optional
        Thresholds, alert severity, which episodes, ``min_cases``.
    model : ExpectedResponse, optional
        The expected treatment response; by default fitted on ``data``.
    start, end : date-like, optional
        The months the period opens on (default: the first and the last of the data).
    clinicians : sequence of str, optional
        The clinicians chosen first (default: none, which shows all).
    by : str or None, default "clinician"
        The grouping chosen first (:data:`srs_analytics.app.page.GROUPINGS`).

    Returns
    -------
    CaseloadView
        An ipywidgets ``VBox``: display it in a notebook, or serve it with the dashboard.
    """
    return CaseloadView(data, settings=settings, model=model, start=start, end=end,
                        clinicians=clinicians, by=by)


class CouplesView(w.VBox):
    """Clients seen together (a ``VBox``): a couple, a family or a group; see
    :func:`couples_view`.

    Attributes
    ----------
    together : ipywidgets.Dropdown
        The couple, family or group shown.
    header, summary, sessions, alerts : ipywidgets.HTML
    chart : ipywidgets.Image
        The couple or family chart, or the group chart.
    page : TogetherPage
        What is shown now.
    """

    def __init__(self, data: pd.DataFrame, *, settings: AlertSettings | None = None,
                 model: ExpectedResponse | None = None, choice=None):
        self.data, self.settings = data, settings
        self.model = fit_expected(data) if model is None else model
        options = together_choices(data)
        self.together = w.Dropdown(options=options, description="Seen together",
                                   layout=w.Layout(width="34rem"),
                                   style={"description_width": "initial"})
        if choice is not None and choice in {v for _, v in options}:
            self.together.value = choice
        self.header, self.summary = w.HTML(), w.HTML()
        self.sessions, self.alerts = w.HTML(), w.HTML()
        self.chart = figure_image(None)
        for widget, name in ((self.together, "srs-together"), (self.header, "srs-couple-header"),
                             (self.chart, "srs-couple-chart"),
                             (self.summary, "srs-couple-summary"),
                             (self.sessions, "srs-couple-sessions"),
                             (self.alerts, "srs-couple-alerts")):
            widget.add_class(name)
        self.together.observe(lambda change: self.show(change["new"]), names="value")
        super().__init__([
            w.HTML(f"<style>{components_css()}</style>"), self.together, self.header,
            self.chart, self.summary,
            w.HTML("<b>Alerts at the latest session</b>: with partners or a family, name a "
                   "difference openly, without taking sides, and ask what each needs."),
            self.alerts, w.HTML("<b>Session by session</b>"), self.sessions])
        self.add_class("srs-couples-view")
        if self.together.value is not None:
            self.show(self.together.value)
        else:
            self.header.value = ("<p>No couple, family or group in the data: clients seen "
                                 "together share an episode, or rate the GSRS with a "
                                 "group id.</p>")

    def show(self, choice) -> None:
        """Show one couple, family (``("couple", episode_id)``) or group
        (``("group", group_id)``)."""
        if choice is None:
            return
        kind, id = choice
        self.page = page = together_page(self.data, kind, id, settings=self.settings,
                                         model=self.model)
        draw = draw_couple_chart if kind == "couple" else draw_group_chart
        update_image(self.chart, draw, page.chart)
        self.summary.value = macro("summary_list", page.summary)
        self.alerts.value = macro("alerts_table", alert_rows(page.alerts, client=True))
        fields, first = ((COUPLE_FIELDS, "session_number") if kind == "couple"
                         else (GROUP_FIELDS, "group_session"))
        self.sessions.value = "<div class='table-wrap'>" + macro(
            "data_table", *table_rows(page.sessions, first, fields, "Session"),
            "numbers words") + "</div>"
        self.header.value = f"<h2>{html.escape(page.title)}</h2>"  # last: the page is whole


def couples_view(data: pd.DataFrame, *, settings: AlertSettings | None = None,
                 model: ExpectedResponse | None = None, choice=None) -> CouplesView:
    """Clients seen together, as a widget: a couple's or a family's episode, or a group.

    Parameters
    ----------
    data : pandas.DataFrame
        The canonical table.
    settings : AlertSettings, optional
        The alert rules and thresholds (the SRS and outcome cutoffs).
    model : ExpectedResponse, optional
        The expected treatment response; by default fitted on ``data``.
    choice : (str, str), optional
        What to show first: ``("couple", episode_id)`` or ``("group", group_id)``; by
        default the first couple.

    Returns
    -------
    CouplesView
        An ipywidgets ``VBox``: display it in a notebook, or serve it with the dashboard.
    """
    return CouplesView(data, settings=settings, model=model, choice=choice)


def dashboard(data: pd.DataFrame, *, settings: AlertSettings | None = None,
              model: ExpectedResponse | None = None, source: str | None = None) -> w.VBox:
    """The dashboard: a heading naming the data, then the views in tabs: the client view,
    the caseload view and the couples view.

    The client view is built at once; each other view when its tab is first opened, so the
    dashboard opens as fast as the client view alone. ``source`` names the data in the
    heading ("the synthetic sample" says it is synthetic).
    """
    model = fit_expected(data) if model is None else model
    caseload = None if settings is None else CaseloadSettings(
        outcome=settings.outcome, alliance=settings.alliance, alerts=settings)
    views = (("Client", lambda: client_view(data, settings=settings, model=model)),
             ("Caseload", lambda: caseload_view(data, settings=caseload, model=model)),
             ("Couples and groups", lambda: couples_view(data, settings=settings,
                                                         model=model)))
    boxes = [w.VBox([build()]) if i == 0 else w.VBox([w.HTML(
        "<p class='muted'>Computing the view&hellip;</p>")]) for i, (_, build) in
        enumerate(views)]
    tabs = w.Tab(children=boxes)
    for i, (title, _) in enumerate(views):
        tabs.set_title(i, title)
    tabs.add_class("srs-tabs")
    built = {0}

    def open_tab(change):
        i = change["new"]
        if i is None or i in built:
            return
        built.add(i)
        boxes[i].children = [views[i][1]()]

    tabs.observe(open_tab, names="selected_index")
    said = f" Data: {html.escape(source)}." if source else ""
    head = w.HTML("<h2 style='margin:0'>srs-analytics</h2><p style='margin:0'>Outcome (ORS) "
                  "and alliance (SRS) of your clients: the numbers are a conversation "
                  f"starter, not a verdict.{said}</p>")
    box = w.VBox([head, tabs])
    box.add_class("srs-dashboard")
    return box
