"""HTML reports for people who do not open Jupyter: one self-contained page per client, and
the caseload report of a period for the director, linking them.

A client page holds the client chart and the items chart (PNG inside the page), the alerts
of the latest session with their suggestions and the progress-note line. The caseload
report (:func:`write_caseload_report`) holds the director's charts, the attention list, the
clinician comparison and the caseload table. Every page opens offline and runs no script
(its Content-Security-Policy forbids scripts and requests); pages are rendered with Jinja2
and autoescaping, so free text from the data shows as text. The content of a page is
:func:`~srs_analytics.app.page.client_page` or
:func:`~srs_analytics.app.page.caseload_page`, the same as the widget views'.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
from tqdm import tqdm

from ..alerting import AlertSettings
from ..caseload import CaseloadSettings
from ..expected import ExpectedResponse, fit_expected
from ..plotting._style import chart_style, figure_bytes, figure_of
from ..plotting.caseload import draw_caseload_rates, draw_effect_sizes, draw_outcome_categories
from ..plotting.client import draw_client_chart
from ..plotting.items import draw_items_chart
from ..plotting.significance import draw_jacobson_truax
from ._templates import alert_rows, attention_rows, png_base64, render, table_rows, text
from .page import (
    CASELOAD_FIELDS,
    COMPARISON_FIELDS,
    CaseloadPage,
    ClientPage,
    caseload_page,
    client_page,
)

__all__ = ["CLIENT_PAGES", "SUMMARY_FIELDS", "caseload_html", "client_report",
           "demo_caseload_report", "demo_report", "page_html", "write_caseload_report",
           "write_client_reports"]

#: The rows of a page's "At a glance" list: (label, column of the client table).
SUMMARY_FIELDS = (
    ("Outcome measure", "measure"), ("Sessions with an outcome rating", "n_sessions"),
    ("Outcome at intake", "ors_intake"), ("Outcome latest", "ors_last"),
    ("Change since intake", "ors_change"),
    ("Cutoff applied", "cutoff"), ("Reliable change (points)", "rci"),
    ("Reliable change", "reliable_change"), ("Outcome so far", "outcome"),
    ("Expected response at the latest rating", "etr_status"),
    ("Alliance measure", "alliance_measure"), ("Latest SRS", "srs_last"),
    ("Lowest item over the episode", "lowest_item"), ("Alliance pattern", "alliance_pattern"),
)


def page_html(page: ClientPage, *, model: ExpectedResponse | None = None,
              index: str | None = None, synthetic: bool = False,
              source: str = "the data given") -> str:
    """The HTML of one client's page (see :func:`client_report`).

    ``index`` is the link back to a list of clients; ``synthetic`` adds a banner saying that
    the data is synthetic; ``source`` names the data in the footer.
    """
    with chart_style("notebook"):
        ax = draw_client_chart(page.chart)
        ax.figure.set_size_inches(9.5, 4.6)
        chart = png_base64(figure_bytes(ax.figure, dpi=110))
        plt.close(ax.figure)
        items = ""
        if len(page.items):
            ax = draw_items_chart(page.items)
            items = png_base64(figure_bytes(ax.figure, dpi=110))
            plt.close(ax.figure)
    summary = [(label, text(page.summary.get(key))) for label, key in SUMMARY_FIELDS
               if key in page.summary]
    threshold = text(float(page.items["threshold"].iloc[0])) if len(page.items) else ""
    return render("client.html", page=page, chart=chart, items=items, summary=summary,
                  alerts=alert_rows(page.alerts), threshold=threshold,
                  expected=model is not None and (page.chart["layer"] == "expected").any(),
                  session=text(page.note_session), index=index, synthetic=synthetic,
                  source=source)


def client_report(data: pd.DataFrame, client_id: str, *, episode_id: str | None = None,
                  settings: AlertSettings | None = None,
                  model: ExpectedResponse | None = None, synthetic: bool = False) -> str:
    """One client's page as a self-contained HTML document.

    Parameters
    ----------
    data : pandas.DataFrame
        The canonical table (the whole caseload).
    client_id : str
        The client.
    episode_id : str, optional
        The episode; by default the one of the client's latest rating.
    settings : AlertSettings, optional
        Alert rules and thresholds (with the outcome and alliance settings).
    model : ExpectedResponse, optional
        A fitted expected treatment response for the expected band and ``off_track``.
    synthetic : bool, default False
        Say on the page that the data is synthetic.

    Returns
    -------
    str
        The HTML: charts embedded as PNG, no script, no request when opened.

    Examples
    --------
    >>> import srs_analytics as srs
    >>> html = client_report(srs.load_sample(), "C00092", synthetic=True)
    >>> "<script" in html, "Client C00092" in html, "data:image/png;base64," in html
    (False, True, True)
    """
    page = client_page(data, client_id, episode_id=episode_id, settings=settings, model=model)
    return page_html(page, model=model, synthetic=synthetic)


def _file_name(client_id) -> str:
    """A safe file name for a client's page."""
    return "client_" + re.sub(r"[^A-Za-z0-9_.-]+", "_", str(client_id)) + ".html"


def write_client_reports(data: pd.DataFrame, out_dir, *, clients: Iterable[str] | None = None,
                         clinician: str | None = None, settings: AlertSettings | None = None,
                         model: ExpectedResponse | None = None, progress: bool | None = None,
                         synthetic: bool = False, source: str = "the data given",
                         index: str = "index.html", home: tuple[str, str] | None = None
                         ) -> list[Path]:
    """Write one HTML page per client, and an index (``index.html``) linking them.

    Parameters
    ----------
    data : pandas.DataFrame
        The canonical table (the whole caseload).
    out_dir : str or Path
        The folder to write to (created when missing).
    clients : iterable of str, optional
        These clients (each one's latest episode).
    clinician : str, optional
        Every client whose latest rating was with this clinician. One of ``clients`` and
        ``clinician`` is needed.
    settings : AlertSettings, optional
        Alert rules and thresholds.
    model : ExpectedResponse, optional
        The expected treatment response; by default fitted on ``data`` (the whole table).
    progress : bool, optional
        Show a progress bar (tqdm) on stderr; by default only on a terminal.
    synthetic : bool, default False
        Say on every page that the data is synthetic.
    source : str
        What the footer names as the data.
    index : str, default "index.html"
        The file name of the list of clients (each client page links back to it).
    home : (str, str), optional
        A link from the list to a page above it: its file name and its text (the caseload
        report, say).

    Returns
    -------
    list of Path
        The index first (it lists the clients with the most severe alert first), then
        the client pages in the order of the clients.

    Raises
    ------
    ValueError
        A client or clinician not in the data (the message lists what exists), or neither
        given.
    """
    if (clients is None) == (clinician is None):
        raise ValueError("give either clients or clinician")
    if clinician is not None:
        known = sorted(map(str, pd.unique(data["clinician_id"].dropna()))) \
            if "clinician_id" in data else []
        if clinician not in known:
            raise ValueError(f"clinician {clinician!r} is not in the data; its clinicians: "
                             f"{', '.join(known) or '(none)'}")
        order = data.sort_values(["session_date", "session_number"], na_position="first")
        latest = order.drop_duplicates("client_id", keep="last")
        clients = sorted(latest.loc[latest["clinician_id"] == clinician, "client_id"])
    clients = list(dict.fromkeys(clients))
    known = set(pd.unique(data["client_id"].dropna()))
    missing = [c for c in clients if c not in known]
    if missing:
        sample = ", ".join(sorted(map(str, known))[:3])
        raise ValueError(f"client(s) {', '.join(map(str, missing))} not in the data "
                         f"({len(known):,} clients, e.g. {sample})")
    model = fit_expected(data) if model is None else model
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written, listed = [], []
    bar = tqdm(clients, desc="client pages", unit="page", disable=None if progress is None
               else not progress)
    for client_id in bar:
        page = client_page(data, client_id, settings=settings, model=model)
        path = out / _file_name(page.client_id)
        path.write_text(page_html(page, model=model, index=index, synthetic=synthetic,
                                  source=source), encoding="utf-8")
        written.append(path)
        first = page.alerts.iloc[0] if len(page.alerts) else None
        listed.append({"href": path.name, "client_id": page.client_id,
                       "episode_id": page.episode_id, "severity": page.severity,
                       "rule_text": "" if first is None else str(first["rule"]).replace(
                           "_", " ")})
    rank = {"critical": 0, "warning": 1, "info": 2, None: 3}
    listed.sort(key=lambda p: rank[p["severity"]])
    title = f"Clients of clinician {clinician}" if clinician else "Client reports"
    listing = out / index
    listing.write_text(render("index.html", title=title, pages=listed, synthetic=synthetic,
                              source=source, home=home), encoding="utf-8")
    return [listing, *written]


#: Which clients the caseload report writes a page for.
CLIENT_PAGES = ("all", "attention", "none")


def _png(draw, frame, *, size=None, dpi: int = 110) -> str:
    """A chart of ``draw(frame)`` as the base64 text of a PNG, the figure closed."""
    with chart_style("notebook"):
        fig = figure_of(draw(frame))
        if size is not None:
            fig.set_size_inches(*size)
        png = png_base64(figure_bytes(fig, dpi=dpi))
        plt.close(fig)
    return png


def caseload_html(page: CaseloadPage, *, title: str = "The caseload",
                  client_href=None, n_pages: int = 0, clients_href: str = "clients.html",
                  settings: CaseloadSettings | None = None, synthetic: bool = False,
                  source: str = "the data given") -> str:
    """The HTML of a caseload report (see :func:`write_caseload_report`).

    ``client_href(client_id)`` gives the link of a client's page (None: no links);
    ``n_pages`` and ``clients_href`` the number of client pages and their list.
    """
    s = settings or CaseloadSettings()
    from ..triage import AttentionSettings

    by = {"clinician": "clinician", "site": "site", "age_group": "age group",
          "service_type": "service type", "format": "format", "setting": "setting",
          None: "group"}.get(page.by, str(page.by))
    return render(
        "caseload.html", page=page, title=title, n_pages=n_pages, clients_href=clients_href,
        attention=attention_rows(page.attention, client_href),
        rates=_png(draw_caseload_rates, page.rates),
        outcomes=_png(draw_outcome_categories, page.outcomes),
        effects=_png(draw_effect_sizes, page.effects),
        jacobson_truax=_png(draw_jacobson_truax, page.jacobson_truax),
        comparison=table_rows(page.comparison, page.comparison.columns[0], COMPARISON_FIELDS),
        summary=table_rows(page.summary, "group", CASELOAD_FIELDS),
        suppress_below=page.suppress_below, confidence=f"{s.confidence:.0%}",
        min_cases=s.min_cases, by_word=by, open_weeks=f"{AttentionSettings().open_weeks:g}",
        episodes_text="closed in the period" if s.episodes == "closed"
        else "with a session in the period", synthetic=synthetic, source=source)


def write_caseload_report(data: pd.DataFrame, out_dir, *, by: str | None = "clinician",
                          start=None, end=None, clinicians=None, client_pages: str = "all",
                          suppress_below: int | None = None,
                          settings: CaseloadSettings | None = None,
                          model: ExpectedResponse | None = None,
                          progress: bool | None = None, synthetic: bool = False,
                          source: str = "the data given") -> list[Path]:
    """Write the caseload report of a period: ``index.html`` for the director, linking one
    page per client.

    Parameters
    ----------
    data : pandas.DataFrame
        The canonical table, the whole history.
    out_dir : str or Path
        The folder to write to (created when missing).
    by : str or None, default "clinician"
        The grouping of the charts and the table (:data:`~srs_analytics.app.page.GROUPINGS`).
    start, end : date-like, optional
        The period, both days included.
    clinicians : sequence of str, optional
        Only these clinicians (the whole service stays as the line to compare with).
    client_pages : {"all", "attention", "none"} or int, default "all"
        Write a page for every client with a session in the period (of the chosen
        clinicians), for the clients on the attention list only, for the ``n`` most urgent
        of them (an int), or none.
    suppress_below : int, optional
        In the clinician comparison and the caseload table, counts under it as ``"<k"``
        and the figures derived from them withheld
        (:func:`~srs_analytics.suppress_small_cells`).
    settings : CaseloadSettings, optional
        Thresholds, the alert severity, which episodes, ``min_cases``.
    model : ExpectedResponse, optional
        The expected treatment response; by default fitted on ``data``.
    progress : bool, optional
        A progress bar (tqdm) on stderr over the client pages; by default only on a
        terminal.
    synthetic : bool, default False
        Say on every page that the data is synthetic.
    source : str
        What the footer names as the data.

    Returns
    -------
    list of Path
        ``index.html`` (the caseload report), then ``clients.html`` (the list of client
        pages) and the client pages, when there are any.

    Examples
    --------
    >>> import tempfile, srs_analytics as srs
    >>> data = srs.load_sample()
    >>> few = data[data["client_id"].isin(["C00225", "C00288", "C00003"])]
    >>> paths = write_caseload_report(few, tempfile.mkdtemp(), client_pages="attention")
    >>> [p.name for p in paths]
    ['index.html', 'clients.html', 'client_C00225.html', 'client_C00288.html']
    """
    from .._checks import check_choice

    if isinstance(client_pages, bool) or not isinstance(client_pages, int):
        check_choice("client_pages", client_pages, CLIENT_PAGES)
    elif client_pages < 0:
        raise ValueError(f"client_pages must be 0 or more; got {client_pages}")
    s = settings or CaseloadSettings()
    model = fit_expected(data) if model is None else model
    page = caseload_page(data, by=by, start=start, end=end, clinicians=clinicians,
                         settings=s, model=model, suppress_below=suppress_below)
    if client_pages == "attention" or isinstance(client_pages, int):
        ids = list(page.attention["client_id"])
        ids = ids if client_pages == "attention" else ids[:client_pages]
    elif client_pages == "all":
        seen = data
        dates = pd.to_datetime(data["session_date"]) if "session_date" in data else None
        if dates is not None and (page.start is not None or page.end is not None):
            inside = pd.Series(True, index=data.index)
            if page.start is not None:
                inside &= dates >= page.start
            if page.end is not None:
                inside &= dates <= page.end
            seen = data[inside.to_numpy(dtype=bool)]
        if page.clinicians is not None:
            seen = seen[seen["clinician_id"].isin(page.clinicians).to_numpy(dtype=bool)]
        ids = sorted(map(str, pd.unique(seen["client_id"].dropna())))
    else:
        ids = []
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    pages = []
    if ids:
        pages = write_client_reports(data, out, clients=ids, settings=s.alerts, model=model,
                                     progress=progress, synthetic=synthetic, source=source,
                                     index="clients.html",
                                     home=("index.html", "The caseload report"))
    names = {p.stem.removeprefix("client_") for p in pages[1:]}

    def href(client_id):
        name = _file_name(client_id)
        return name if name.removesuffix(".html").removeprefix("client_") in names else None

    index = out / "index.html"
    index.write_text(caseload_html(page, client_href=href, n_pages=len(pages[1:]),
                                   settings=s, synthetic=synthetic, source=source),
                     encoding="utf-8")
    return [index, *pages]


def demo_report(data: pd.DataFrame, out_dir) -> Path:
    """Write the page of the most urgent client of the (synthetic sample) ``data`` for
    ``srs-analytics demo``, and return its path."""
    from ..triage import attention

    model = fit_expected(data)
    now = attention(data, model=model)
    client_id = now["client_id"].iloc[0] if len(now) else data["client_id"].iloc[0]
    paths = write_client_reports(data, out_dir, clients=[client_id], model=model,
                                 progress=False, synthetic=True,
                                 source="the bundled synthetic sample")
    return paths[1]


def demo_caseload_report(data: pd.DataFrame, out_dir, client_pages=5) -> Path:
    """Write the caseload report of the (synthetic sample) ``data`` for
    ``srs-analytics demo``, with the pages of the five most urgent clients on its attention
    list (a page takes about a second), and return the path of its ``index.html``."""
    paths = write_caseload_report(data, out_dir, client_pages=client_pages, progress=False,
                                  synthetic=True, source="the bundled synthetic sample")
    return paths[0]
