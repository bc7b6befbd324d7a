"""Load exports into the canonical table, with an honest account of every row.

Every administration read ends in exactly one place: ``data`` (loaded), ``rejected`` (with
a reason), ``skipped`` (by its own skip flag), ``duplicates`` (seen before with the same
scores) or ``conflicts`` (seen with different scores: held back until resolved). The
report's counts add up: ``rows_read = loaded + rejected + skipped + duplicates + conflicts``.
"""

from __future__ import annotations

import html
import json
import re
import warnings
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from ..schema import CANONICAL_SCHEMA, ITEM_COLUMNS, SENSITIVE_COLUMNS, coerce_canonical
from ._errors import LimitError, LoadError
from ._header import has_score_columns
from ._raw import RawTable
from .readers import SUPPORTED, gather_inputs, read_any
from .sources import layout, read_mapping
from .validation import FATES, REASONS, LoadSettings, assemble, check_block, check_shared

__all__ = ["LoadResult", "load", "LoadError", "REASONS"]

#: What makes two rows the same administration (the session number counts only where the
#: date is unknown: one date is one session, whatever number each export gave it).
ADMINISTRATION_KEY = ("client_id", "episode_id", "measure", "rater", "session_date",
                      "session_number")
_SCORES = [*ITEM_COLUMNS, "total"]
_INTERNAL = ["status", "reason", "message", "_table", "_pos", "_block"]
REJECTED_COLUMNS = ("source_file", "source_row", "reason", "message", "client_id", "measure",
                    "raw_values")


@dataclass
class LoadResult:
    """What :func:`load` returns.

    Attributes
    ----------
    data : DataFrame
        The canonical table (:data:`srs_analytics.schema.CANONICAL_SCHEMA`).
    rejected : DataFrame
        One row per rejected administration: ``source_file``, ``source_row``, ``reason``
        (a code from :data:`REASONS`), ``message``, ``client_id``, ``measure`` and
        ``raw_values`` (the row's cells as JSON).
    skipped : DataFrame
        Administrations marked as skipped by their own flag (same columns as ``rejected``).
    duplicates : DataFrame
        Later copies of an administration already loaded with the same scores (canonical
        columns; ``source_file``/``source_row`` say where each copy was).
    conflicts : DataFrame
        Every version of each administration seen with different scores, with
        ``conflict_id`` and ``kept`` (True for the version loaded under ``conflicts="last"``).
    report : dict
        Counts, counts per reason and per measure, for each file what was detected, and
        ``files_skipped``: the files, sheets and archive members set aside as not exports,
        each as ``{"file": ..., "reason": ...}``; ``swallowed_lines`` (lines a quote left
        open folded into a cell) and ``national_identifiers`` (files whose client id is a
        national identifier such as an NHS number).
    """

    data: pd.DataFrame
    rejected: pd.DataFrame
    skipped: pd.DataFrame
    duplicates: pd.DataFrame
    conflicts: pd.DataFrame
    report: dict = field(default_factory=dict)

    @property
    def summary(self) -> pd.DataFrame:
        """Counts per file (rows are files, columns the fates of their administrations)."""
        cols = ["source", "rows_read", "loaded", "rejected", "skipped", "duplicates",
                "conflicts"]
        return pd.DataFrame(self.report["files"]).set_index("file")[cols]

    def to_text(self) -> str:
        """A readable summary for people (the CLI's ``validate`` output)."""
        r = self.report
        lines = [
            f"Read {r['rows_read']} administrations from {len(r['files'])} table(s) "
            f"({r['counted_per']}).",
            f"  loaded     {r['loaded']}",
            f"  rejected   {r['rejected']}",
            f"  skipped    {r['skipped']}  (by their own skip flag)",
            f"  duplicates {r['duplicates']}  (same administration, same scores: kept once)",
            f"  conflicts  {r['conflicts']}  (same administration, different scores: "
            + ("held back until resolved" if r["conflict_policy"] == "hold"
               else "the version given last is loaded") + ")",
        ]
        if r["loaded"]:
            lines.append(f"{r['clients']} clients, {r['episodes']} episodes, "
                         f"{r['clinicians']} clinicians; sessions from {r['first_date']} to "
                         f"{r['last_date']}.")
        if r["by_measure"]:
            lines.append("Loaded by measure: " + ", ".join(f"{k} {v}" for k, v in
                                                          r["by_measure"].items()))
        if r["by_reason"]:
            lines.append("Rejected by reason:")
            lines += [f"  {k:<24} {v:>6}  {REASONS.get(k, '')}" for k, v in r["by_reason"].items()]
        for f in r["files"]:
            lines.append("")
            lines.append(f"{f['file']}: {f['source']} ({f['format']})")
            detected = {k: f[k] for k in ("encoding", "delimiter", "decimal", "header_line",
                                          "date_order", "item_scale") if f.get(k) is not None}
            lines.append("  detected: " + ", ".join(f"{k} {v!r}" for k, v in detected.items()))
            lines.append("  columns: " + ", ".join(f"{k} <- {v}" for k, v in
                                                    f["column_mapping"].items()))
            if f["dropped_identifying"]:
                lines.append("  identifying columns dropped: " + ", ".join(
                    f["dropped_identifying"]))
            if f["unused_columns"]:
                lines.append("  columns not used: " + ", ".join(f["unused_columns"]))
            for note in f["notes"]:
                lines.append("  note: " + note)
        if r.get("files_skipped"):
            lines.append("")
            lines.append(f"Not loaded, not ORS/SRS exports ({len(r['files_skipped'])}):")
            lines += [f"  {f['file']}: {_first_sentence(f['reason'])}."
                      for f in r["files_skipped"]]
        for note in r.get("notes", []):
            lines.append("")
            lines.append("Note: " + note)
        for f in r.get("national_identifiers", []):
            lines.append("")
            lines.append(f"Identifying: the client_id of {f['file']} is a national identifier "
                         f"({f['kind']}, column {f['column']}). Pseudonymise it before sharing "
                         "the table.")
        if r["sensitive_columns"]:
            lines.append("")
            lines.append("Sensitive free text kept: " + ", ".join(r["sensitive_columns"])
                         + " (it may identify a client: leave it out of anything shared as "
                         "de-identified).")
        return "\n".join(lines)

    def __repr__(self) -> str:
        r = self.report
        return (f"<LoadResult: {r['loaded']} loaded, {r['rejected']} rejected, {r['skipped']} "
                f"skipped, {r['duplicates']} duplicates, {r['conflicts']} conflicts of "
                f"{r['rows_read']} administrations>")

    def _repr_html_(self) -> str:
        """The report as text, then the counts per file as a table (escaped: file names and
        messages come from the user's data)."""
        return (f"<pre>{html.escape(self.to_text())}</pre>"
                f"{self.summary.to_html(escape=True)}")


def load(*inputs, source: str | None = None, mapping=None, dayfirst: bool | None = None,
         item_scale: str | None = None, keep_identifying: bool = False,
         conflicts: str = "hold", encoding: str | None = None, sheet: str | None = None,
         as_of=None, settings: LoadSettings | None = None) -> LoadResult:
    """Load SRS/ORS exports into one canonical table.

    Parameters
    ----------
    *inputs : path, glob pattern, folder or DataFrame (or a list of them)
        Read in the order given; later files win only where ``conflicts="last"``. A file
        of a folder or pattern that is not an export (another file type, a table without
        ORS/SRS columns, an unreadable file) is skipped and listed in
        ``report["files_skipped"]``; a file named explicitly that is not one is an error.
    source : {"canonical", "wide", "openfit", "camcops", "mhsds", "mapping"}, optional
        The source format; detected from the header names when not given.
    mapping : dict or path to a JSON/YAML file, optional
        Canonical name -> column name, with options (see :func:`sources.read_mapping`).
    dayfirst : bool, optional
        Day-first dates. Detected from the data when unambiguous; when not, loading stops
        with a message asking for it (the loader never guesses).
    item_scale : {"points", "mm"}, optional
        Items scored 0-10 or in millimetres 0-100; detected per table when not given.
    keep_identifying : bool
        Keep columns that identify people (names, dates of birth, e-mail, addresses, ID
        numbers). By default they are dropped on load and listed in the report.
    conflicts : {"hold", "last"}
        The same administration with different scores: ``"hold"`` loads neither version
        until the user resolves it; ``"last"`` loads the version from the input given last.
    encoding : str, optional
        Text encoding; detected (UTF-8 with or without BOM, UTF-16, Windows-1252).
    sheet : str, optional
        Read only this sheet of a workbook. By default every sheet is read, and sheets
        without ORS/SRS columns (a summary, notes) are skipped and listed in
        ``report["files_skipped"]`` as ``book.xlsx:Summary``, as long as one sheet is data.
    as_of : date-like, optional
        The day the data is checked as of: sessions dated after it are rejected
        (``future_date``). Default: today.
    settings : LoadSettings, optional
        Boundary-rule settings (total tolerance, instruments, the earliest date, the caps
        on what a file may make the readers parse: ``limits``); the keyword arguments above
        override its fields.

    Returns
    -------
    LoadResult
        ``data`` (canonical columns, see :data:`srs_analytics.schema.COLUMN_DOCS`),
        ``rejected``, ``skipped``, ``duplicates``, ``conflicts`` and ``report``.

    Raises
    ------
    LoadError
        For input that cannot be read at all (a missing or empty file, no recognisable
        columns, ambiguous dates, a folder holding no export, a file over a cap of
        ``settings.limits``); the message names the file and says what to do.

    Examples
    --------
    >>> from pathlib import Path
    >>> res = load(Path(__file__).parents[2] / "data" / "sample" / "caseload.csv")
    >>> r = res.report
    >>> r["rows_read"] == r["loaded"] + r["rejected"] + r["skipped"] + r["duplicates"] \\
    ...     + r["conflicts"]
    True
    """
    if conflicts not in ("hold", "last"):
        raise LoadError(f"conflicts must be 'hold' or 'last' ('last' is --keep-last on the "
                        f"command line); got {conflicts!r}.")
    flat = []
    for item in inputs:
        flat.extend(item if isinstance(item, (list, tuple)) else [item])
    if not flat:
        raise LoadError("No input given: pass one or more files, folders, patterns or "
                        "DataFrames.")
    m = read_mapping(mapping)
    base = settings or LoadSettings()
    if not isinstance(base, LoadSettings):
        raise LoadError(f"settings must be a LoadSettings; got {type(base).__name__}.")
    base = replace(base, dayfirst=_one_of("dayfirst", m, dayfirst, base.dayfirst),
                   item_scale=_one_of("item_scale", m, item_scale, base.item_scale),
                   as_of=as_of if as_of is not None else base.as_of)
    source = _one_of("source", m, source, None)

    inputs, not_read = gather_inputs(flat)

    def select(names: list[str]) -> list[str]:
        """The columns of a Parquet data set worth reading: all but identifying ones."""
        return names if keep_identifying else _not_identifying(names, source, m)

    tables, parts, files, passed_over = [], [], [], list(not_read)
    workbooks = 0
    for i, inp in enumerate(inputs):
        name = inp.item.name if isinstance(inp.item, Path) else f"<DataFrame {i + 1}>"
        try:  # in a folder, an unreadable file is passed over, as is one without ORS/SRS data
            raw, members = read_any(inp.item, index=i, sheet=sheet, encoding=encoding,
                                    limits=base.limits, select=select)
        except LimitError:
            raise  # a cap reached stops the load, wherever the file was found
        except LoadError as exc:
            if inp.found_in is None:
                raise
            passed_over.append(_passed(name, exc, inp.found_in))
            continue
        passed_over += [{**f, "found_in": inp.found_in} for f in members]
        if not raw:
            exc = LoadError(f"{name} holds no table the loader reads: " + " ".join(
                f"{f['file']}: {_first_sentence(f['reason'])}." for f in members))
            if inp.found_in is None:
                raise exc
            passed_over.append(_passed(name, exc, inp.found_in))
            continue
        try:
            usable, others = _exports(raw, source, m)
        except _NotAnExport as exc:
            if inp.found_in is None:
                raise
            passed_over.append(_passed(name, exc, inp.found_in))
            continue
        workbooks += any(t.info.get("format") in ("xlsx", "ods") for t in raw)
        passed_over += [{"file": t.name, "reason": why, "found_in": inp.found_in}
                        for t, why in others]
        for t, lay in usable:
            try:
                files.append(_read_table(t, lay, len(tables), base, keep_identifying, parts))
            except LoadError as exc:
                raise _named(exc, t.name) from None
            tables.append(t)
    raw = usable = lay = None  # the raw tables are held in ``tables`` only
    _check_folders(inputs, passed_over)

    if parts:  # file by file; within a wide file, measure by measure, each in row order
        names = sorted({n for p in parts for n in p["source_file"].cat.categories})
        for p in parts:  # one set of categories, so that the files stay a categorical
            p["source_file"] = p["source_file"].cat.set_categories(names)
        every = pd.concat(parts, ignore_index=True) if len(parts) > 1 else \
            parts[0].reset_index(drop=True)
        parts.clear()
    else:
        every = pd.DataFrame(columns=["status", "reason", "message", "source_file",
                                      "source_row", "_table", "_pos", "_block"])
    loaded = every["status"].eq("loaded")
    ok = every if loaded.all() else every[loaded]  # filtering copies every text column
    data, dups, confl = _resolve(ok, conflicts)
    data = number_sessions(data, every)
    unresolved = int((data["session_number"].isna() & data["session_date"].notna()).sum())

    status = every["status"].copy()
    status[dups.index] = "duplicate"
    status[confl.index[~confl["kept"].to_numpy()]] = "conflict"
    data = _with_identifying(data, tables, files) if keep_identifying else data
    hidden = [f["dropped_identifying"] for f in files]
    rejected = _ledger(every[every["status"].eq("rejected")], tables, hidden)
    skipped = _ledger(every[every["status"].eq("skipped")], tables, hidden)
    for t in tables:  # the raw cells are no longer needed: let them go before the copy
        t.frame = t.rows = t.files = t.row_reason = t.row_message = None
    canonical = coerce_canonical(data.drop(columns=_INTERNAL, errors="ignore"))
    del data, ok
    try:
        with warnings.catch_warnings():  # pandera imports pyspark.pandas where installed
            warnings.filterwarnings("ignore", "PySpark does not yet fully support",
                                    FutureWarning)
            CANONICAL_SCHEMA.validate(canonical, lazy=True)
    except Exception as exc:  # pandera's SchemaErrors: a loader bug, said plainly
        raise LoadError(f"Internal check failed: the loaded table does not meet the canonical "
                        f"schema ({str(exc)[:500]}). Please report this.") from None

    dup_table = coerce_canonical(dups.drop(columns=_INTERNAL, errors="ignore"))
    conf_table = _conflict_table(confl)
    report = _report(every, status, canonical, files, conflicts, unresolved)
    report["files_skipped"] = [{"file": f["file"], "reason": f["reason"]} for f in passed_over]
    if sheet is not None and not workbooks:
        report["notes"].append(f"sheet={sheet!r} was given, but no input is a workbook.")
    return LoadResult(canonical, rejected, skipped, dup_table, conf_table, report)


_FLAGS = {"dayfirst": "--dayfirst / --monthfirst", "item_scale": "--item-scale",
          "source": "--source"}


def _one_of(name: str, mapping: dict, given, default):
    """A setting the mapping and an argument may both give: once, or twice the same."""
    if name in mapping:
        if given is not None and given != mapping[name]:
            raise LoadError(f"The mapping sets {name} to {mapping[name]!r}, and {name}="
                            f"{given!r} was given too ({_FLAGS[name]} on the command line). "
                            "They disagree: give it in one place only.")
        return mapping[name]
    return given if given is not None else default


class _NotAnExport(LoadError):
    """An input none of whose tables holds ORS/SRS columns (skipped in a folder)."""


def _passed(name: str, exc: LoadError, found_in: str) -> dict:
    """The files_skipped entry of a file of a folder (its reason without its name)."""
    return {"file": name, "reason": str(exc).removeprefix(f"{name}: "), "found_in": found_in}


def _exports(raw: list, source, mapping) -> tuple[list, list]:
    """The tables of one input that are ORS/SRS data, with their layouts, and the others.

    A table without recognisable score columns (a summary sheet, a list of clients) is set
    aside with the reason, as long as another table of the input is data; when none is,
    this raises :class:`_NotAnExport`, naming each table and why. A table with score
    columns that cannot be laid out is an export with a problem: a plain LoadError.
    """
    usable, others = [], []
    for t in raw:
        try:
            usable.append((t, layout(t, source=source, mapping=mapping)))
        except LoadError as exc:
            if has_score_columns(t.frame.columns, mapping):
                raise _named(exc, t.name) from None
            others.append((t, str(exc)))
    if not usable:
        if len(others) == 1:
            raise _NotAnExport(str(_named(LoadError(others[0][1]), others[0][0].name)))
        raise _NotAnExport(f"No table of {raw[0].name.split(':')[0]} holds ORS/SRS data. "
                        + " ".join(f"{t.name}: {_first_sentence(why)}." for t, why in others))
    return usable, others


def _named(exc: LoadError, name: str) -> LoadError:
    """The error, with the table's name in front unless its message already names it."""
    text = str(exc)
    return exc if name in text else LoadError(f"{name}: {text}")


def _check_folders(inputs, passed_over) -> None:
    """A folder or pattern none of whose files is an export is an error naming each file."""
    places = dict.fromkeys([i.found_in for i in inputs] + [f["found_in"] for f in passed_over])
    for where in places:
        if where is None:
            continue
        skipped = [f for f in passed_over if f["found_in"] == where]
        whole = {f["file"] for f in skipped}  # a sheet set aside is "book.xlsx:Summary"
        if any(i.item.name not in whole for i in inputs if i.found_in == where):
            continue  # at least one file of the folder was read as an export
        kind = "The folder {} holds" if Path(where).is_dir() else "The pattern {} matches"
        raise LoadError(kind.format(where) + " no ORS/SRS export. " + " ".join(
            f"{f['file']}: {_first_sentence(f['reason'])}." for f in skipped)
            + f" The loader reads {', '.join(sorted(SUPPORTED))} files.")


def _first_sentence(text: str) -> str:
    return re.split(r"(?<=[a-z0-9)'])\. (?=[A-Z])", text, maxsplit=1)[0].rstrip(".")


def _read_table(t, lay, tnum, base, keep_identifying, parts) -> dict:
    """Check one table's blocks (appending them to ``parts``) and return its report entry."""
    entry = {"file": t.name, "source": lay.source, **t.info,
             "column_mapping": lay.column_mapping,
             # a data set's identifying columns are dropped before they are read
             "dropped_identifying": [] if keep_identifying else
             lay.identifying + t.info.get("columns_not_read", []),
             "kept_identifying": lay.identifying if keep_identifying else [],
             "unused_columns": lay.unused, "data_rows": len(t.frame),
             "non_data_rows": int(lay.non_data.sum()) if lay.non_data is not None
             else 0, "not_administered": lay.not_administered,
             "client_id_national": lay.national_id, "notes": list(lay.notes)}
    if entry["non_data_rows"]:
        entry["notes"].append(f"{entry['non_data_rows']} {lay.non_data_reason}: "
                              "not data, not counted.")
    if entry.get("swallowed_lines"):
        entry["notes"].append(
            f"{entry['swallowed_lines']} line(s) were swallowed by quotes left open: they are "
            "inside one cell of the row before them (rejected as unclosed_quote) and are not "
            "counted as rows. Close the quotes and load the file again.")
    shared, found = check_shared(lay.base, lay.column_mapping, base, where=t.name,
                                 reader=(t.row_reason, t.row_message))
    entry["date_order"] = found["date_order"] if found["date_order"] != "none" else None
    blocks = []
    for bnum, block in enumerate(lay.blocks):
        checked, found = check_block(block.frame, block.measure, shared, block.colnames,
                                     base, imputable=block.imputable)
        for k, v in found.items():
            if v not in ("none", None):
                entry[k] = v if entry.get(k) in (None, v) else f"{entry[k]}; {v}"
        blocks.append(checked.assign(_block=bnum))
    if blocks:
        checked = assemble(shared, blocks)
        pos = checked["_pos"].to_numpy()
        checked["source_file"] = t.files.take(pos) if t.files is not None else \
            pd.Categorical.from_codes(np.zeros(len(pos), dtype=np.int8), [t.name])
        checked["source_row"] = t.rows[checked["_pos"].to_numpy()]
        checked["_table"] = tnum
        parts.append(checked)
    return entry


def _not_identifying(names: list[str], source, mapping) -> list[str]:
    """The columns that are not dropped as identifying, known from the header alone."""
    empty = RawTable("", pd.DataFrame({c: pd.Series(dtype="str") for c in names}),
                     np.zeros(0, dtype=np.int64))
    try:
        dropped = set(layout(empty, source=source, mapping=mapping).identifying)
    except LoadError:  # the same error comes again from the data, where it is handled
        return names
    return [c for c in names if c not in dropped]


def _resolve(ok: pd.DataFrame, policy: str):
    """Split loaded rows into kept, duplicates and conflicting versions.

    A duplicate is the same administration with the same scores, or with the same total
    where only one version has rated items (a totals-only export, or OpenFIT's total / 4
    back-filled items, beside the full record): the version with rated items is kept.
    Any other difference is a conflict.

    Rows are compared through 64-bit hashes of the administration key and of the scores
    (``pandas.util.hash_pandas_object``), which is fast on millions of rows. Two different
    administrations share a hash with a chance of about n^2 / 2^65 (3e-8 for a million
    rows).
    """
    ident = ok[list(ADMINISTRATION_KEY)].assign(  # the date names the session where it is known
        session_number=ok["session_number"].where(ok["session_date"].isna()))
    key = pd.util.hash_pandas_object(ident, index=False)
    both = key ^ pd.util.hash_pandas_object(ok[_SCORES], index=False).mul(3)
    exact = both.duplicated(keep="first")
    if not exact.any() and not key.duplicated().any():  # the common case: nothing seen twice
        none = ok.iloc[:0].assign(conflict_id=pd.Series(dtype="int64"),
                                  kept=pd.Series(dtype=bool))
        return ok, ok.iloc[:0], none
    rest, key = ok[~exact], key[~exact]
    clash = key.duplicated(keep=False).to_numpy()
    same = _same_total_fewer_items(rest[clash], key[clash])
    lesser = np.zeros(len(rest), dtype=bool)
    lesser[np.flatnonzero(clash)[same]] = True
    dups = pd.concat([ok[exact], rest[lesser]]) if lesser.any() else ok[exact]
    rest, key = rest[~lesser], key[~lesser]
    clash = key.duplicated(keep=False)
    confl = rest[clash].copy()
    if not len(confl):
        confl["conflict_id"] = pd.Series(dtype="int64")
        confl["kept"] = pd.Series(dtype=bool)
        return rest, dups, confl
    confl["conflict_id"] = pd.factorize(key[clash])[0] + 1
    last = ~key[clash].duplicated(keep="last")
    confl["kept"] = last.to_numpy() if policy == "last" else False
    data = pd.concat([rest[~clash], confl[confl["kept"]].drop(columns=["conflict_id", "kept"])])
    return data.sort_index(), dups, confl


def _same_total_fewer_items(rows: pd.DataFrame, key: pd.Series) -> np.ndarray:
    """Versions that only lack the rated items of another version with the same total."""
    rated = rows["item_1"].notna() & ~rows["items_imputed"].astype(bool)
    group = key.to_numpy()
    totals = rows.groupby(group)["total"].agg(["min", "max"])
    n_rated = rated.groupby(group).transform("sum").to_numpy()
    agree = (totals["max"] - totals["min"]).reindex(group).to_numpy() < 1e-9
    # one rated version and the rest without rated items: the rest are duplicates of it;
    # without any rated version the first one stands for the others
    first = ~key.duplicated(keep="first").to_numpy()
    keep = np.where(n_rated == 1, rated.to_numpy(), first)
    return agree & (n_rated <= 1) & ~keep


def number_sessions(data: pd.DataFrame, every: pd.DataFrame | None = None) -> pd.DataFrame:
    """Derive session numbers from date order within the episode where the source has none.

    All administrations of one episode on one date share a number (the ORS and SRS of a
    session; the members of a couple). The order counts every dated administration of
    ``every`` (the loader passes every one read, rejected ones included, so a session whose
    scores were rejected still has its place; by default ``data`` itself). Episodes with
    some numbers given keep them, and rows without one take the number of another row of
    the same episode and date. The writers use the same rule.
    """
    every = data if every is None else every
    num = data["session_number"]
    if data.empty or num.notna().all():
        return data
    data = data.copy()
    has_any = num.notna().groupby(data["episode_id"]).transform("any")
    pairs = every.loc[every["session_date"].notna(), ["episode_id", "session_date"]]
    pairs = pairs.drop_duplicates()
    pairs = pairs.assign(_n=pairs.groupby("episode_id")["session_date"].rank(method="dense"))
    rank = data[["episode_id", "session_date"]].merge(pairs, how="left", on=["episode_id",
                                                                            "session_date"])
    data["session_number"] = num.where(has_any, rank["_n"].to_numpy())
    same_day = data.groupby(["episode_id", "session_date"])["session_number"].transform("first")
    data["session_number"] = data["session_number"].fillna(same_day)
    return data


def _with_identifying(data: pd.DataFrame, tables, files) -> pd.DataFrame:
    cols = sorted({c for f in files for c in f["kept_identifying"]})
    if not cols:
        return data
    extra = pd.DataFrame(index=data.index, columns=cols, dtype=object)
    for tnum, group in data.groupby("_table"):
        raw = tables[tnum].frame
        here = [c for c in cols if c in raw.columns]
        extra.loc[group.index, here] = raw.loc[group["_pos"].to_numpy(), here].to_numpy()
    return pd.concat([data, extra], axis=1)


def _ledger(rows: pd.DataFrame, tables, hidden) -> pd.DataFrame:
    """Rejected or skipped rows with where they came from and their raw cells as JSON.

    The identifying columns dropped from the data (``hidden``, per table) are left out of
    the raw cells too.
    """
    out = pd.DataFrame({c: rows[c] for c in ["source_file", "source_row", "reason", "message",
                                             "client_id", "measure"] if c in rows})
    raw = pd.Series("", index=rows.index, dtype=object)
    for tnum, group in rows.groupby("_table"):
        frame = tables[tnum].frame
        frame = frame.drop(columns=[c for c in hidden[tnum] if c in frame.columns])
        cells = frame.loc[group["_pos"].to_numpy()]
        cells = cells.astype(object).where(cells.notna(), None)
        raw[group.index] = [json.dumps(r, default=str, ensure_ascii=False)
                            for r in cells.to_dict(orient="records")]
    out["raw_values"] = raw
    if "source_file" in out:
        out["source_file"] = out["source_file"].astype("str")
    out = out.reindex(columns=list(REJECTED_COLUMNS)).reset_index(drop=True)
    out["source_row"] = out["source_row"].astype("Int64")
    return out


def _conflict_table(confl: pd.DataFrame) -> pd.DataFrame:
    if confl.empty:
        out = coerce_canonical(pd.DataFrame())
        return out.assign(conflict_id=pd.Series(dtype="int64"), kept=pd.Series(dtype=bool))
    keep = confl[["conflict_id", "kept"]].reset_index(drop=True)
    table = coerce_canonical(confl.drop(columns=[*_INTERNAL, "conflict_id", "kept"],
                                        errors="ignore"))
    table[["conflict_id", "kept"]] = keep
    return table.sort_values(["conflict_id", "source_file", "source_row"], kind="stable",
                             ignore_index=True)


def _report(every, status, data, files, policy, unresolved) -> dict:
    fates = FATES
    codes = pd.Categorical(status, categories=fates).codes.astype(np.int64)
    table = every["_table"].to_numpy(np.int64) if len(every) else np.zeros(0, np.int64)
    per_table = np.bincount(table * len(fates) + codes, minlength=len(files) * len(fates))
    per_table = per_table.reshape(len(files), len(fates)) if len(files) else per_table
    counts = dict(zip(fates, per_table.sum(axis=0).tolist() if len(files) else [0] * 5))
    for f, row in zip(files, per_table):
        for k, n in zip(("loaded", "rejected", "skipped", "duplicates", "conflicts"), row):
            f[k] = int(n)
        f["rows_read"] = int(row.sum())
    reasons = every.loc[status.eq("rejected"), "reason"].value_counts()
    sensitive = [c for c in SENSITIVE_COLUMNS if c in data and data[c].notna().any()]
    dropped = sorted({c for f in files for c in f["dropped_identifying"]})
    notes = []
    if unresolved:
        notes.append(f"{unresolved} administrations have a date but no session number: their "
                     "episode numbers some sessions and not this one.")
    return {
        "rows_read": int(len(every)),
        "loaded": int(counts.get("loaded", 0)),
        "rejected": int(counts.get("rejected", 0)),
        "skipped": int(counts.get("skipped", 0)),
        "duplicates": int(counts.get("duplicate", 0)),
        "conflicts": int(counts.get("conflict", 0)),
        "conflict_policy": policy,
        "counted_per": "counted per administration: a wide row holding an ORS and an SRS "
                       "counts as two",
        "data_rows": int(sum(f["data_rows"] for f in files)),
        "non_data_rows": int(sum(f["non_data_rows"] for f in files)),
        "blank_rows": int(sum(f.get("blank_rows", 0) for f in files)),
        "swallowed_lines": int(sum(f.get("swallowed_lines", 0) for f in files)),
        "not_administered": int(sum(f["not_administered"] for f in files)),
        "by_measure": {k: int(v) for k, v in data["measure"].value_counts().sort_index().items()},
        "by_reason": {k: int(v) for k, v in reasons.items()},
        "dropped_identifying": dropped,
        "national_identifiers": [{"file": f["file"], "column": f["column_mapping"].get(
            "client_id"), "kind": f["client_id_national"]} for f in files
            if f.get("client_id_national")],
        "sensitive_columns": sensitive,
        "clients": int(data["client_id"].nunique()),
        "clinicians": int(data["clinician_id"].nunique()),
        "first_date": _day(data["session_date"].min()),
        "last_date": _day(data["session_date"].max()),
        "episodes": int(data["episode_id"].nunique()),
        "notes": notes,
        "files": files,
    }


def _day(value) -> str | None:
    return None if pd.isna(value) else pd.Timestamp(value).strftime("%Y-%m-%d")
