"""The Jinja2 templates of the reports and of the widgets' HTML, with autoescaping: free text
from the data (a comment, an id) is escaped, so ``<script>`` in a comment shows as text and
runs nothing. The caseload reports add their templates beside these and reuse the macros.
"""

from __future__ import annotations

import base64
from datetime import datetime
from functools import lru_cache

import jinja2
import numpy as np
import pandas as pd

from .. import __version__


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The templates of ``srs_analytics/app/templates``, autoescaped, undefined is an error."""
    return jinja2.Environment(loader=jinja2.PackageLoader("srs_analytics.app", "templates"),
                              autoescape=True, undefined=jinja2.StrictUndefined,
                              trim_blocks=True, lstrip_blocks=True)


def render(name: str, **context) -> str:
    """Render a page template; ``version``, ``made`` and ``synthetic`` have defaults."""
    context.setdefault("version", __version__)
    context.setdefault("made", datetime.now().strftime("%Y-%m-%d %H:%M"))
    context.setdefault("synthetic", False)
    context.setdefault("source", "the data given")
    return environment().get_template(name).render(**context)


def macro(name: str, *args, template: str = "_macros.html") -> str:
    """Call one macro of ``template`` (the widgets show the reports' alert table this way)."""
    return str(getattr(environment().get_template(template).module, name)(*args))


def components_css() -> str:
    """The CSS of the parts the reports and the widgets share (alert table, note, badges)."""
    return environment().loader.get_source(environment(), "_components.css")[0]


def png_base64(png: bytes) -> str:
    """PNG bytes as the base64 text of a ``data:`` URL."""
    return base64.b64encode(png).decode("ascii")


def text(value, decimals: int = 2) -> str:
    """A value as short text for a page: numbers without trailing zeros, dates as
    "12 Mar 2026", missing values as an en dash."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "\u2013"
    if isinstance(value, (pd.Timestamp, datetime)):
        return f"{value.day} {value:%b %Y}"
    if isinstance(value, (float, np.floating)):
        v = round(float(value), decimals) + 0.0
        return f"{v:.{decimals}f}".rstrip("0").rstrip(".")
    return str(value).replace("_", " ") if isinstance(value, str) else str(value)


def alert_rows(table: pd.DataFrame, *, client: bool = False) -> list[dict]:
    """The rows of an alerts table as the templates show them; ``client`` names the
    client first (a page about several clients: a couple, a group)."""
    rows = []
    for r in table.itertuples(index=False):
        when = "session ?" if pd.isna(r.session_number) else f"Session {r.session_number}"
        if client:
            when = f"{r.client_id}, {when[0].lower()}{when[1:]}"
        if not pd.isna(r.session_date):
            when += f", {text(r.session_date)}"
        message = str(r.message)
        head, sep, rest = message.partition(": ")
        rows.append({"severity": str(r.severity), "rule_text": str(r.rule).replace("_", " "),
                     "when": when, "message": rest if sep and head.startswith("Session")
                     else message, "suggestion": "" if pd.isna(r.suggestion) else
                     str(r.suggestion)})
    return rows


def attention_rows(table: pd.DataFrame, href=None) -> list[dict]:
    """The rows of an attention list (:func:`srs_analytics.attention`) as the templates
    show them; ``href(client_id)`` gives the link of a client's page (None: no link)."""
    rows = alert_rows(table)
    for row, r in zip(rows, table.itertuples(index=False)):
        row.update(client_id=str(r.client_id), clinician_id=text(r.clinician_id),
                   other_rules="" if pd.isna(r.other_rules) else str(r.other_rules).replace(
                       "_", " "),
                   href=None if href is None else href(r.client_id))
        if not pd.isna(r.days_since):
            days = int(r.days_since)
            row["when"] += {0: " (today)", 1: " (yesterday)"}.get(days, f" ({days} days ago)")
    return rows


def table_rows(table: pd.DataFrame, first: str, fields, heading: str = ""
               ) -> tuple[list[str], list[list[dict]]]:
    """A table as headings and rows of cells for the ``data_table`` macro: the column
    ``first``, then ``fields`` (heading, column, kind). Each cell is a dict of ``value``
    and ``note``: a ``share`` shows as "23%" with its ``_low`` / ``_high`` interval as the
    note ("19 to 27"), an ``es`` as "1.05" with "0.70 to 1.40", a ``count`` as it is (a
    suppressed one stays "<5"); a missing or withheld value as an en dash. ``heading``
    heads the first column."""
    fields = [f for f in fields if f[1] in table.columns]
    headings = [heading] + [h for h, _, _ in fields]
    rows = []
    for _, r in table.iterrows():
        row = [{"value": text(r[first]), "note": ""}]
        for _, col, kind in fields:
            v = r[col]
            low, high = r.get(f"{col}_low"), r.get(f"{col}_high")
            ci = low is not None and not pd.isna(low) and not pd.isna(v)
            if kind == "share" and not pd.isna(v):
                cell = {"value": f"{v:.0%}",
                        "note": f"{low * 100:.0f} to {high * 100:.0f}" if ci else ""}
            elif kind == "es" and not pd.isna(v):
                cell = {"value": f"{v:.2f}", "note": f"{low:.2f} to {high:.2f}" if ci else ""}
            else:
                cell = {"value": text(v), "note": ""}
            row.append(cell)
        rows.append(row)
    return headings, rows
