"""Results as text for a terminal: the attention list, alerts, couples and groups.

Each ``format_*`` function takes the table its command computed and returns text wrapped to
the terminal's width (40 to 100 columns); the command line prints it.
"""

from __future__ import annotations

import re
import shutil
import textwrap

import pandas as pd


def format_attention(table: pd.DataFrame, width: int | None = None, *, as_of=None,
                     n_open: int | None = None, open_weeks: float | None = None) -> str:
    """The attention list as text for a terminal, grouped by clinician.

    A heading says how many clients with an open episode are on the list; then, per
    clinician (in the order of the clinician's most urgent client), each client with the
    leading alert's severity, rule, session, date and days since, its message and suggestion
    wrapped to ``width`` (default: the terminal's, at most 100 columns), and the session's
    other alerts.
    """
    width = terminal_width(width)

    def wrap(text, indent, more=""):
        return textwrap.wrap(text, width, initial_indent=indent,
                             subsequent_indent=indent + more, break_on_hyphens=False)

    when = "" if as_of is None else f" as of {as_of.day} {as_of:%b %Y}"
    of = "" if n_open is None else f" of {n_open} with an open episode"
    window = "" if open_weeks is None else (
        f" (not ended, seen within {open_weeks:g} weeks)")
    lines = wrap(f"Who needs attention{when}: {plural(len(table), 'client')}{of}{window} "
                 "with a warning or critical alert at the latest session.", "")
    lines.append("")
    clinician = table["clinician_id"].astype(object).where(table["clinician_id"].notna(),
                                                          "(no clinician)")
    for who, group in table.groupby(clinician, sort=False):
        lines.append(f"{who}: {plural(len(group), 'client')}")
        for row in group.itertuples(index=False):
            when = "session ?" if pd.isna(row.session_number) else \
                f"session {row.session_number}"
            if not pd.isna(row.session_date):
                ago = {0: "today", 1: "yesterday"}.get(row.days_since,
                                                       f"{row.days_since} days ago")
                when += f", {row.session_date.day} {row.session_date:%b %Y} ({ago})"
            lines.append(f"  {row.client_id}  episode {row.episode_id}  {when}")
            lines.append(f"    {row.severity:<8}  {row.rule}")
            lines += wrap(_SESSION_PREFIX.sub("", str(row.message), count=1), "    ")
            if isinstance(row.suggestion, str) and row.suggestion:
                lines += wrap("Suggestion: " + row.suggestion, "    ", "  ")
            if row.other_rules:
                lines += wrap("Also: " + row.other_rules, "    ", "  ")
        lines.append("")
    lines += wrap("Every alert of every session: 'srs-analytics alerts'. This list as a "
                  "table: -o FILE (.csv, .tsv, .parquet or .xlsx).", "")
    return "\n".join(lines)


def terminal_width(width: int | None = None) -> int:
    """The width to wrap text to: the terminal's (or ``width``), 40 to 100 columns."""
    if width is None:
        width = shutil.get_terminal_size((80, 24)).columns
    return max(40, min(width, 100))


def plural(n: int, noun: str) -> str:
    """"1 client", "3 clients"."""
    return f"{n} {noun}" + ("" if n == 1 else "s")


_SESSION_PREFIX = re.compile(r"^(Session \d+(, )?)?(\d{1,2} [A-Z][a-z]{2} \d{4})?: ")


def format_alerts(table: pd.DataFrame, width: int | None = None) -> str:
    """An alerts table as text for a terminal, grouped by client and episode.

    Clients come in the table's order (most severe first), each with a heading (client,
    episode, clinician) and then, per alert, the severity, session and date, rule, and the
    message and suggestion wrapped to ``width`` (default: the terminal's, at most 100
    columns). Ends with the counts by severity and how to get the full table.
    """
    width = terminal_width(width)

    def wrap(text, indent, more=""):
        return textwrap.wrap(text, width, initial_indent=indent,
                             subsequent_indent=indent + more, break_on_hyphens=False)

    lines = []
    for (client, episode), group in table.groupby(["client_id", "episode_id"], sort=False,
                                                  dropna=False):
        clinicians = ", ".join(dict.fromkeys(group["clinician_id"].dropna().astype(str))) \
            if "clinician_id" in group else ""
        lines.append(f"{client}   episode {'?' if pd.isna(episode) else episode}   "
                     f"clinician {clinicians or '(none)'}")
        for row in group.itertuples(index=False):
            when = "session ?" if pd.isna(row.session_number) else \
                f"session {row.session_number}"
            if not pd.isna(row.session_date):
                when += f", {row.session_date.day} {row.session_date:%b %Y}"
            lines.append(f"  {row.severity:<8}  {when}  {row.rule}")
            lines += wrap(_SESSION_PREFIX.sub("", str(row.message), count=1), "    ")
            if isinstance(row.suggestion, str) and row.suggestion:
                lines += wrap("Suggestion: " + row.suggestion, "    ", "  ")
        lines.append("")
    counts = table["severity"].value_counts()
    clients = table[["client_id", "episode_id"]].drop_duplicates().shape[0]
    lines += wrap(f"{plural(len(table), 'alert')} for {plural(clients, 'client episode')}: "
                  + ", ".join(f"{counts.get(k, 0)} {k}" for k in ("critical", "warning",
                                                                   "info")) + ".", "")
    lines += wrap("The full table, every column: -o FILE (.csv, .tsv, .parquet or .xlsx).", "")
    return "\n".join(lines)


def _when(row, session="session_number") -> str:
    text = f"session {getattr(row, session)}"
    date = row.session_date
    return text if pd.isna(date) else f"{text}, {date.day} {date:%b %Y}"


def _pairs(clients: str, totals: str) -> str:
    """"C1 40, C2 35" from "C1;C2" and "40;35"."""
    return ", ".join(f"{c} {t}" for c, t in zip(clients.split(";"), totals.split(";")))


def _true(value) -> bool:
    """A nullable boolean as a bool (NA is False)."""
    return not pd.isna(value) and bool(value)


def _labels(items) -> str:
    if not isinstance(items, str) or not items:
        return ""
    from ._text import ITEM_NAMES

    return ", ".join(ITEM_NAMES.get(i, i) for i in items.split(";"))


def format_couples(table: pd.DataFrame, width: int | None = None) -> str:
    """The joint sessions of :func:`srs_analytics.couple_sessions` as text for a terminal:
    per episode and measure family, each session with the clients' totals, the gap, what
    it shows (split, persistent split, widening gap, outcomes parting) and the item where
    the clients differ most."""
    width = terminal_width(width)
    lines = []
    for (episode, family), g in table.groupby(["episode_id", "measure"], sort=False):
        family_name = {"SRS": "alliance (SRS, CSRS)", "ORS": "outcome (ORS, CORS)"}.get(
            family, family)
        clinicians = ", ".join(dict.fromkeys(g["clinician_id"].dropna().astype(str)))
        lines.append(f"{episode}  {family_name}  clinician {clinicians or '(none)'}")
        split = "split" if family == "SRS" else "one in the clinical range, one not"
        for row in g.itertuples(index=False):
            flags = [name for name, on in (
                (split, row.split), ("persistent split", row.persistent_split),
                ("widening gap", row.widening_gap),
                (f"outcomes part, {row.lagging_client} behind", _true(row.outcome_divergence)))
                if on]
            text = (f"{_when(row)}: {_pairs(row.clients, row.totals)}; gap {row.gap:g}"
                    + (f" ({', '.join(flags)})" if flags else "")
                    + f"; lowest {row.lowest_client.replace(';', ', ')}")
            if _labels(row.most_divergent_item):
                text += f"; differ most on {_labels(row.most_divergent_item)}"
            lines += textwrap.wrap(text, width, initial_indent="  ", subsequent_indent="      ")
        lines.append("")
    srs = table[table["measure"] == "SRS"]
    lines += textwrap.wrap(
        f"{plural(len(table), 'joint session')} of "
        f"{plural(table['episode_id'].nunique(), 'episode')}; the alliance split across "
        f"the cutoff in {int(srs['split'].sum())} of {len(srs)}. The full table: -o FILE "
        "(.csv, .tsv, .parquet or .xlsx); each episode summarised: --table episodes.", width)
    return "\n".join(lines)


def format_couple_episodes(table: pd.DataFrame, width: int | None = None) -> str:
    """The episodes of :func:`srs_analytics.couple_episodes` as text for a terminal."""
    width = terminal_width(width)
    lines = []
    for row in table.itertuples(index=False):
        head = (f"{row.episode_id}  {row.measure}  {row.clients.replace(';', ', ')}: "
                f"{plural(row.n_joint_sessions, 'joint session')}")
        split = "split" if row.measure == "SRS" else "one in the clinical range, one not,"
        parts = [f"{split} in {row.n_split} ({row.share_split:.0%})",
                 f"gap {row.gap_first:g} to {row.gap_last:g}, trend {row.gap_trend}"
                 + ("" if pd.isna(row.gap_slope) else f" ({row.gap_slope:+.2f} a session)")]
        if isinstance(row.lowest_client, str):
            parts.append(f"{row.lowest_client} lowest in {row.n_lowest}"
                         + (" (consistently)" if row.consistently_lowest else ""))
        if row.measure == "ORS":
            improved = row.improved_clients.replace(";", ", ") if isinstance(
                row.improved_clients, str) and row.improved_clients else "none"
            parts.append(f"improved reliably: {improved}")
            if _true(row.outcome_divergence):
                parts.append(f"the outcomes part, {row.lagging_client} behind")
        lines += textwrap.wrap(f"{head}; " + "; ".join(parts) + ".", width,
                               subsequent_indent="    ")
    lines.append("")
    lines += textwrap.wrap("The full table: -o FILE (.csv, .tsv, .parquet or .xlsx); every "
                           "joint session: --table sessions.", width)
    return "\n".join(lines)


def format_groups(table: pd.DataFrame, width: int | None = None) -> str:
    """The group sessions of :func:`srs_analytics.group_sessions` as text for a terminal."""
    width = terminal_width(width)
    lines = []
    for (group, measure), g in table.groupby(["group_id", "measure"], sort=False):
        lines.append(f"group {group}  {measure}")
        for row in g.itertuples(index=False):
            sd = "" if pd.isna(row.sd_total) else f", SD {row.sd_total:.2f}"
            text = (f"{_when(row, 'group_session')}: {row.n_members} members, mean "
                    f"{row.mean_total:.2f}{sd}, {row.min_total:g} to {row.max_total:g}; "
                    + (f"below 36: {row.members_below.replace(';', ', ')}"
                       if row.members_below else "none below 36"))
            if _labels(row.lowest_item):
                text += f"; the group's lowest item {_labels(row.lowest_item)} " \
                        f"({row.lowest_item_mean:.2f})"
            if row.n_below_others:
                text += f"; {row.n_below_others} well below the others"
            lines += textwrap.wrap(text, width, initial_indent="  ", subsequent_indent="      ")
        lines.append("")
    lines += textwrap.wrap("The full table: -o FILE (.csv, .tsv, .parquet or .xlsx); each "
                           "member against the group: --table members.", width)
    return "\n".join(lines)


def format_group_members(table: pd.DataFrame, width: int | None = None) -> str:
    """Each member's group ratings (:func:`srs_analytics.group_members`) against the mean
    of the others, as text for a terminal."""
    width = terminal_width(width)
    lines = []
    for (group, measure), g in table.groupby(["group_id", "measure"], sort=False):
        lines.append(f"group {group}  {measure}  (total, and the difference from the mean "
                     "of the other members)")
        for client, m in g.groupby("client_id", sort=False):
            cells = [f"{r.group_session}: {r.total:g}"
                     + ("" if pd.isna(r.diff_from_others) else f" ({r.diff_from_others:+.2f})")
                     + ("!" if r.below_others else "") for r in m.itertuples(index=False)]
            stays = " - stays below the group" if m["stays_below"].iloc[-1] else ""
            lines += textwrap.wrap(f"{client}  " + ", ".join(cells) + stays, width,
                                   initial_indent="  ", subsequent_indent="      ")
        lines.append("")
    lines += textwrap.wrap("! marks a rating well below the other members (5 points or more). "
                           "The full table: -o FILE (.csv, .tsv, .parquet or .xlsx).", width)
    return "\n".join(lines)
