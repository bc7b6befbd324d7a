"""Widget views (ipywidgets) for a notebook and the browser dashboard.

:func:`client_view` is the clinician's view of one client: choose a clinician, then one of
their clients (those on the attention list first), and see the client chart, the items
chart, the alerts with their suggestions and the progress-note line ready to copy.
:func:`dashboard` puts the views in tabs; the dashboard served by Voila
(:mod:`srs_analytics.app.server`) shows exactly this. Callbacks only call package
functions (:func:`~srs_analytics.app.page.client_page` and the charts), so a notebook, the
dashboard and the HTML report show the same thing.

Needs the ``app`` extra: ``pip install "srs-analytics[app]"``.
"""

from __future__ import annotations

import html
from collections.abc import Callable

import ipywidgets as w
import matplotlib.pyplot as plt
import pandas as pd

from ..alerting import AlertSettings
from ..expected import ExpectedResponse, fit_expected
from ..plotting._style import chart_style, figure_bytes
from ..plotting.client import draw_client_chart
from ..plotting.items import draw_items_chart
from ..triage import AttentionSettings, attention
from ._templates import alert_rows, components_css, macro
from .page import client_choices, client_page, clinician_choices

__all__ = ["ClientView", "client_view", "dashboard", "figure_image"]

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
    """Redraw an Image widget of :func:`figure_image`."""
    with chart_style():
        ax = draw(*args, **kwargs)
        image.value = figure_bytes(ax.figure, dpi=100)
        plt.close(ax.figure)


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


def dashboard(data: pd.DataFrame, *, settings: AlertSettings | None = None,
              model: ExpectedResponse | None = None, source: str | None = None) -> w.VBox:
    """The dashboard: a heading naming the data, then the views in tabs (today the client
    view; the caseload, couples and research views join it as tabs).

    ``source`` names the data in the heading ("the synthetic sample" says it is synthetic).
    """
    model = fit_expected(data) if model is None else model
    tabs = w.Tab(children=[client_view(data, settings=settings, model=model)])
    tabs.set_title(0, "Client")
    tabs.add_class("srs-tabs")
    said = f" Data: {html.escape(source)}." if source else ""
    head = w.HTML("<h2 style='margin:0'>srs-analytics</h2><p style='margin:0'>Outcome (ORS) "
                  "and alliance (SRS) of your clients: the numbers are a conversation "
                  f"starter, not a verdict.{said}</p>")
    box = w.VBox([head, tabs])
    box.add_class("srs-dashboard")
    return box

