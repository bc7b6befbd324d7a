"""Writing a canonical table in the layouts of real systems.

The writers turn a canonical table (one row per administration, see :mod:`.schema`) into
the files that feedback systems export, with their column names as documented in
``docs/formats.md``. They exist to make synthetic sample data and to
test the loader by round trips; every value they write comes from the table or is plainly
synthetic ("Synthetic", "Client0001", "client0001@example.invalid").

Each writer is ``write_<format>(data, path, **options) -> pathlib.Path``. What a layout has
no place for (another measure, a collateral rating, items in a totals-only format) is left
out, and the docstring says so. ``data/sample/build.py`` uses them all.

Examples
--------
>>> import pathlib, tempfile
>>> from srs_analytics.synthetic import simulate
>>> data = simulate(5, seed=1)
>>> tmp = tempfile.TemporaryDirectory()
>>> path = write_openfit(data, pathlib.Path(tmp.name) / "openfit.csv", score_layout="total",
...                      total_as_items=True, skip_style="10")
>>> pd.read_csv(path).columns[[2, 4, 5, 7, 8, 12]].tolist()
['Client_ID', 'Case_ID', 'Session_ID', 'ORS_Skip', 'ORSQ1', 'Total_ORS']
>>> write_camcops(data, pathlib.Path(tmp.name) / "camcops.zip").name
'camcops.zip'
>>> tmp.cleanup()
"""

from __future__ import annotations

import json
import sqlite3
import zipfile
import zlib
from pathlib import Path

import numpy as np
import pandas as pd

from .. import _text as tx
from ..instruments import ALLIANCE, INSTRUMENTS
from ..schema import ITEM_COLUMNS, coerce_canonical
from ._output import neutralise, write_csv
from .loader import number_sessions

__all__ = ["redcap_mapping", "write_camcops", "write_canonical", "write_mhsds",
           "write_openfit", "write_redcap", "write_wide"]

_KEYS = ["client_id", "episode_id", "session_number"]
_SESSION_INFO = ["site", "clinician_id", "session_date", "age_group", "comment"]
_CLIENT_GROUP = {"adult": "Adult", "adolescent": "Adolescent", "child": "Child",
                 "young_child": "Child"}
_SKIP_STYLES = {"YN": ("Y", "N"), "10": ("1", "0")}
_CAMCOPS_ITEMS = {"ors": ["q_individual", "q_interpersonal", "q_social", "q_overall"],
                  "srs": ["q_relationship", "q_goals", "q_approach", "q_overall"]}
_CAMCOPS_TIME = {"ors": pd.Timedelta(hours=10), "srs": pd.Timedelta(hours=10, minutes=50)}
_CAMCOPS_STAMP = "%Y-%m-%dT%H:%M:%S.%f+00:00"
_DOB_BY_AGE = {"adult": "1990-01-01", "adolescent": "2010-01-01", "child": "2016-01-01",
               "young_child": "2021-01-01"}


# --------------------------------------------------------------------------- helpers
def _check_choice(name: str, value, choices) -> None:
    if value not in choices:
        raise ValueError(f"{name} must be one of {sorted(choices)!r}; got {value!r}.")


def _canonical(data: pd.DataFrame) -> pd.DataFrame:
    """The canonical columns with their dtypes; defaults filled, totals computed, sorted."""
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"data must be a canonical pandas DataFrame; got {type(data).__name__}.")
    missing = [c for c in ("client_id", "measure") if c not in data.columns]
    if missing:
        raise ValueError(f"data lacks the canonical column(s) {missing}; got {list(data.columns)}.")
    df = coerce_canonical(data)
    df["episode_id"] = df["episode_id"].fillna(df["client_id"])
    df["rater"] = df["rater"].astype("str").fillna("self").astype("category")
    items = df[list(ITEM_COLUMNS)]
    df["total"] = df["total"].fillna(items.sum(axis=1).where(items.notna().all(axis=1)))
    df = number_sessions(df)  # the loader's rule: date order within the episode
    df["session_number"] = pd.to_numeric(df["session_number"]).round().astype("Int64")
    return df.sort_values([*_KEYS, "measure", "rater"], kind="stable").reset_index(drop=True)


def _complete(df: pd.DataFrame) -> pd.Series:
    return df[list(ITEM_COLUMNS)].notna().all(axis=1)


def _session_wide(df: pd.DataFrame, outcome, alliance) -> pd.DataFrame:
    """One row per client, episode and session: session info, then ``ORS_*`` and ``SRS_*``.

    Only self-ratings of the given measures are used; the first of each side is kept.
    """
    sides = {}
    for side, measures in (("ORS", outcome), ("SRS", alliance)):
        part = df[df["rater"].eq("self") & df["measure"].isin(measures)]
        sides[side] = part.drop_duplicates(_KEYS).set_index(_KEYS)
    info = sides["ORS"][_SESSION_INFO].combine_first(sides["SRS"][_SESSION_INFO])
    scores = [s[[*ITEM_COLUMNS, "total", "measure"]].add_prefix(f"{side}_")
              for side, s in sides.items()]
    wide = info.join(scores, how="left").reset_index()
    wide["session_date"] = pd.to_datetime(wide["session_date"])
    return wide.sort_values(_KEYS, kind="stable").reset_index(drop=True)


def _number_of(ids: pd.Series) -> pd.Series:
    """A synthetic number for each identifier, derived from the identifier alone.

    The digits of ids like ``C0042`` (42) when those are unique, else a CRC-32 hash of the
    text modulo 10**7; two different ids never share a number.
    """
    ids = ids.astype("str")
    uniq = pd.Series(ids.dropna().unique(), dtype="str")
    digits = uniq.str.extract(r"^\D*(\d{1,7})$")[0]
    if digits.notna().all() and not digits.astype(int).duplicated().any():
        nums = digits.astype(int)
    else:
        nums = uniq.map(lambda s: zlib.crc32(s.encode("utf-8")) % 10**7)
    if nums.duplicated().any():
        raise ValueError("Two identifiers hash to the same synthetic number; rename one.")
    return ids.map(dict(zip(uniq, nums))).astype("Int64")


def _synthetic(prefix: str, numbers: pd.Series) -> pd.Series:
    """``Client0001``-style labels (missing where the number is missing)."""
    return (prefix + numbers.astype("str").str.zfill(4)).astype("str")


def _dates_as_text(frame: pd.DataFrame, fmt: str) -> pd.DataFrame:
    out = frame.copy()
    for c in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[c]):
            out[c] = out[c].dt.strftime(fmt)
    return out


def _write_frame(frame: pd.DataFrame, path: Path, *, european: bool = False,
                 sheet: str = "data", note: str | None = None,
                 text_suffixes=(".csv", ".tsv", ".txt")) -> Path:
    """Write one table by suffix: text (csv, tsv), workbook (xlsx, ods) or Parquet.

    Text cells a spreadsheet would run as formulas are neutralised in text and workbook
    files (:func:`._output.neutralise`); Parquet keeps every value as it is.
    """
    suffix = path.suffix.lower()
    if suffix in text_suffixes:
        sep = ";" if european else ("\t" if suffix == ".tsv" else ",")
        frame = neutralise(frame)
        if european:
            text = _dates_as_text(frame, "%d/%m/%Y")
            text.to_csv(path, sep=sep, decimal=",", float_format="%.6g", index=False,
                        encoding="cp1252", lineterminator="\n")
        else:
            write_csv(frame, path, sep=sep)
    elif suffix in (".xlsx", ".ods"):
        _write_workbook({sheet: frame}, path, european=european, note=note)
    elif suffix == ".parquet":
        frame = frame.copy()
        frame.attrs = {"note": note} if note else {}
        frame.to_parquet(path, index=False)
    else:
        raise ValueError(f"path must end in one of {[*text_suffixes, '.xlsx', '.ods', '.parquet']}"
                         f"; got {path.name!r}.")
    return path


def _write_workbook(sheets: dict[str, pd.DataFrame], path: Path, *, european: bool = False,
                    note: str | None = None) -> None:
    ods = path.suffix.lower() == ".ods"
    fmt = "dd/mm/yyyy" if european else "yyyy-mm-dd"
    with pd.ExcelWriter(path, engine="odf" if ods else "openpyxl", date_format=fmt,
                        datetime_format=fmt) as writer:
        for name, frame in sheets.items():
            neutralise(frame).to_excel(writer, sheet_name=name, index=False)
        if note and ods:
            from odf import dc

            writer.book.meta.addElement(dc.Title(text=note))
        elif note:
            writer.book.properties.title = note


def _path(path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


# --------------------------------------------------------------------------- canonical
def write_canonical(data: pd.DataFrame, path, *, european: bool = False,
                    note: str | None = None, partition_by=None, folder: bool = False) -> Path:
    """Write the canonical table itself: ``.csv``, ``.tsv``, ``.parquet`` or ``.xlsx``, or a
    folder of Parquet files (a data set).

    Parameters
    ----------
    data : DataFrame
        A canonical table; missing optional columns are added empty, in canonical order.
    path : str or Path
        Where to write; the suffix picks the format. Text dates are ISO ``yyyy-mm-dd``.
    european : bool, default False
        ``;`` separator, decimal commas, ``dd/mm/yyyy`` dates and Windows-1252 text.
    note : str, optional
        A line such as "SYNTHETIC data", kept as the workbook title or Parquet metadata.
    partition_by : str or list of str, optional
        Write a Parquet data set to the folder ``path``, in ``key=value`` subfolders by
        these keys (``clinician``, ``month``...: see
        :func:`srs_analytics.io.partitioned.write_dataset`).
    folder : bool, default False
        Write a Parquet data set to the folder ``path`` (implied by ``partition_by``).

    Returns
    -------
    Path
        The file or folder written.
    """
    if partition_by is not None or folder:
        from .partitioned import write_dataset

        return write_dataset(_canonical(data), path, partition_by=partition_by)
    path = _path(path)
    return _write_frame(_canonical(data), path, european=european, note=note,
                        sheet="canonical")


def write_table(frame: pd.DataFrame, path) -> Path:
    """Write any result table (the client table, the alerts...) by suffix: ``.csv``,
    ``.tsv`` (or ``.txt``, comma-separated), ``.parquet`` or ``.xlsx``.

    Text dates are ISO ``yyyy-mm-dd`` and floats have six significant digits, as
    ``DataFrame.to_csv(float_format="%.6g")`` writes them; the text is built in Arrow (a
    few million rows take seconds). A text cell that a spreadsheet would run as a formula
    (it starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return and is not a
    plain number) gets a leading ``'`` in CSV, TSV and XLSX files (OWASP's advice on CSV
    injection); Parquet keeps every value as it is.

    Returns
    -------
    Path
        The file written.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> tmp = tempfile.TemporaryDirectory()
    >>> path = write_table(pd.DataFrame({"client_id": ["=cmd|' /C calc'!A0", "C1"],
    ...                                  "total": [31.0, 36.5]}), pathlib.Path(tmp.name) / "t.csv")
    >>> print(path.read_text(), end="")
    client_id,total
    '=cmd|' /C calc'!A0,31
    C1,36.5
    >>> tmp.cleanup()
    """
    return _write_frame(frame, _path(path), sheet="data")


# --------------------------------------------------------------------------- OpenFIT
def _openfit_side(wide: pd.DataFrame, side: str, layout: str, total_as_items: bool,
                  skip: tuple[str, str], skip_missing: bool) -> pd.DataFrame:
    items = wide[[f"{side}_{c}" for c in ITEM_COLUMNS]].round(2).to_numpy()
    total = wide[f"{side}_total"].round(2)
    complete = ~np.isnan(items).any(axis=1)
    if layout == "items":
        items = np.where(complete[:, None], items, np.nan)
        total = total.where(~complete)
    elif total_as_items:
        items = np.repeat((total / 4).round(4).to_numpy()[:, None], 4, axis=1)
    else:
        items = np.full_like(items, np.nan)
    absent = total.isna() & ~complete
    out = pd.DataFrame(items, columns=[f"{side}Q{i}" for i in range(1, 5)], index=wide.index)
    out.insert(0, f"{side}_Skip", np.where(absent & skip_missing, skip[0], skip[1]))
    out[f"Total_{side}"] = total
    return out


def write_openfit(data: pd.DataFrame, path, *, skip_style: str = "YN",
                  score_layout: str = "items", total_as_items: bool = False,
                  skip_missing: bool = False, with_identifiers: bool = False) -> Path:
    """Write the OpenFIT flat file: one row per session, ORS and SRS side by side.

    Parameters
    ----------
    data : DataFrame
        A canonical table. Self-rated ORS/CORS fill the ORS side, self-rated SRS/CSRS the
        SRS side; other measures and collateral ratings have no place here and are left out.
        ``Client_Group`` is ``Adult``, ``Adolescent`` or ``Child`` (from ``age_group``).
    path : str or Path
        ``.csv`` (UTF-8), ``.xlsx`` or ``.ods``.
    skip_style : {"YN", "10"}
        How ``ORS_Skip`` / ``SRS_Skip`` are written (OpenFIT's documentation shows both).
    score_layout : {"items", "total"}
        ``"items"``: the four items, ``Total_*`` blank (a score without items keeps its
        total). ``"total"``: the total, items blank.
    total_as_items : bool, default False
        With ``score_layout="total"``: also write four equal items = total / 4, as OpenFIT
        stores a total-only score.
    skip_missing : bool, default False
        Mark a measure absent from a session as skipped (``Y``/``1``); otherwise that side
        is blank with ``N``/``0``: not administered.
    with_identifiers : bool, default False
        Add the identifying columns (names, e-mails, gender, ``Case_Date``, custom
        ``Client_DOB``) with plainly synthetic values ("Synthetic", "Client0001",
        "1990-01-01", "client0001@example.invalid"), to test that the loader drops them.

    Returns
    -------
    Path
        The file written, columns ``Service_Location, Provider_ID, Client_ID, Client_Group,
        Case_ID, Session_ID, Session_Date, ORS_Skip, ORSQ1..ORSQ4, Total_ORS, SRS_Skip,
        SRSQ1..SRSQ4, Total_SRS, Notes``.

    References
    ----------
    OpenFIT import documentation; ``docs/formats.md`` (openfit).
    """
    _check_choice("skip_style", skip_style, _SKIP_STYLES)
    _check_choice("score_layout", score_layout, ("items", "total"))
    if total_as_items and score_layout != "total":
        raise ValueError("total_as_items=True needs score_layout='total'; "
                         f"got score_layout={score_layout!r}.")
    path = _path(path)
    wide = _session_wide(_canonical(data), ("ORS", "CORS"), ("SRS", "CSRS"))
    child = wide["ORS_measure"].eq("CORS") | wide["SRS_measure"].eq("CSRS")
    group = wide["age_group"].map(_CLIENT_GROUP).astype("str")
    out = pd.DataFrame({
        "Service_Location": wide["site"],
        "Provider_ID": wide["clinician_id"],
        "Client_ID": wide["client_id"],
        "Client_Group": group.where(group.notna() | ~child, "Child"),
        "Case_ID": wide["episode_id"],
        "Session_ID": wide["session_number"],
        "Session_Date": wide["session_date"],
    })
    skip = _SKIP_STYLES[skip_style]
    for side in ("ORS", "SRS"):
        out = out.join(_openfit_side(wide, side, score_layout, total_as_items, skip,
                                     skip_missing))
    out["Notes"] = wide["comment"]
    if with_identifiers:
        out = _openfit_identifiers(out)
    return _write_frame(out, path, sheet="openfit", text_suffixes=(".csv",))


def _openfit_identifiers(out: pd.DataFrame) -> pd.DataFrame:
    client = _synthetic("Client", _number_of(out["Client_ID"]))
    provider = _synthetic("Provider", _number_of(out["Provider_ID"]))
    has_provider = out["Provider_ID"].notna()
    out = out.assign(
        Provider_Email=(provider.str.lower() + "@example.invalid").where(has_provider),
        Provider_FirstName=pd.Series("Synthetic", index=out.index, dtype="str")
        .where(has_provider),
        Provider_LastName=provider,
        Client_FirstName="Synthetic",
        Client_LastName=client,
        Client_Gender="Not stated",
        Case_Date=out.groupby("Case_ID")["Session_Date"].transform("min"),
        Client_DOB="1990-01-01",
        Client_Email=client.str.lower() + "@example.invalid",
    )
    order = ["Service_Location", "Provider_Email", "Provider_FirstName", "Provider_LastName",
             "Provider_ID", "Client_ID", "Client_FirstName", "Client_LastName",
             "Client_Gender", "Client_Group", "Case_ID", "Case_Date", "Session_ID"]
    rest = [c for c in out.columns if c not in order and c not in ("Client_DOB", "Client_Email")]
    return out[[*order, *rest, "Client_DOB", "Client_Email"]]


# --------------------------------------------------------------------------- wide
def write_wide(data: pd.DataFrame, path, *, european: bool = False) -> Path:
    """Write a home-made spreadsheet: one row per session, ORS and SRS items and totals.

    Parameters
    ----------
    data : DataFrame
        A canonical table. Only self-rated ORS and SRS are written (a home-made sheet has
        columns for those two); a score without items keeps its total.
    path : str or Path
        ``.csv``, ``.xlsx`` or ``.ods``.
    european : bool, default False
        ``;`` separator, decimal commas, ``dd/mm/yyyy`` dates and Windows-1252 text.

    Returns
    -------
    Path
        The file written, columns ``client id, episode, therapist, session date,
        session #, ORS 1 .. ORS 4, ORS total, SRS 1 .. SRS 4, SRS total``.
    """
    path = _path(path)
    wide = _session_wide(_canonical(data), ("ORS",), ("SRS",))
    out = pd.DataFrame({"client id": wide["client_id"], "episode": wide["episode_id"],
                        "therapist": wide["clinician_id"], "session date": wide["session_date"],
                        "session #": wide["session_number"]})
    for side in ("ORS", "SRS"):
        for i, c in enumerate(ITEM_COLUMNS, start=1):
            out[f"{side} {i}"] = wide[f"{side}_{c}"].round(2)
        out[f"{side} total"] = wide[f"{side}_total"].round(2)
    return _write_frame(out, path, european=european, sheet="sessions",
                        text_suffixes=(".csv",))


# --------------------------------------------------------------------------- CamCOPS
def _camcops_tables(df: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The ``ors`` and ``srs`` task tables with CamCOPS's columns, from a canonical table."""
    # patients are registered in order of their first visit, alternately on two tablets
    first = df.groupby("client_id")["session_date"].min().sort_values(kind="stable")
    pos = pd.Series(np.arange(len(first)), index=first.index)
    number = _number_of(df["client_id"])
    age = df.groupby("client_id")["age_group"].first()
    tables = {}
    for task in ("ors", "srs"):
        keep = df["measure"].eq(task.upper()) & _complete(df)
        if task == "srs":
            keep &= df["rater"].eq("self")
        part = df[keep].sort_values(["session_date", "client_id"], kind="stable")
        i = part["client_id"].map(pos).to_numpy()
        created = part["session_date"] + _CAMCOPS_TIME[task]
        modified = created + pd.Timedelta(seconds=4)
        t = pd.DataFrame({
            "_pk": np.arange(1, len(part) + 1), "_device_id": i % 2 + 1, "_era": "NOW",
            "_current": 1, "patient_id": i // 2 + 1,  # local per tablet: reused on both
            "when_created": created.dt.strftime(_CAMCOPS_STAMP),
            "when_last_modified": modified.dt.strftime(_CAMCOPS_STAMP), "is_complete": 1,
            "q_session": part["session_number"], "q_date": part["session_date"],
        }, index=part.index)
        if task == "ors":
            t["q_who"] = part["rater"].ne("self").astype(int)
            t["q_who_other"] = part["rater"].where(part["rater"].ne("self"))
        for col, item in zip(_CAMCOPS_ITEMS[task], ITEM_COLUMNS):
            t[col] = part[item].round(2)
        n = number.loc[part.index]
        t["_patient_forename"] = "Synthetic"
        t["_patient_surname"] = _synthetic("Patient", n)
        t["_patient_dob"] = part["client_id"].map(age).map(_DOB_BY_AGE).fillna("1990-01-01")
        t["_patient_sex"] = "X"
        t["_patient__pk"] = i + 1
        t["_patient_idnum1"] = n + 9_990_000_000  # 999-prefixed, like NHS test numbers
        t["_patient_iddesc1"] = "NHS number (synthetic)"
        t["_patient_idshortdesc1"] = "NHS"
        tables[task] = t.reset_index(drop=True)
    return tables


def write_camcops(data: pd.DataFrame, path, *, task: str = "ors",
                  note: str | None = None) -> Path:
    """Write a CamCOPS research dump of the ``ors`` and ``srs`` tasks.

    Parameters
    ----------
    data : DataFrame
        A canonical table. ORS rows (any rater: ``q_who`` 0 = self, 1 = someone else, named
        in ``q_who_other``) and self-rated SRS rows with all four items are written; CamCOPS
        stores no totals, clinicians or episodes, and has no task for the other measures.
    path : str or Path
        The suffix picks the layout: ``.zip`` holding ``ors.tsv`` and ``srs.tsv`` (tab-
        separated UTF-8, blank = NULL); ``.xlsx`` or ``.ods`` with sheets ``ors`` and
        ``srs``; ``.tsv`` one task only; ``.sqlite`` or ``.db`` with tables ``ors`` and
        ``srs``. An existing file is replaced.
    task : {"ors", "srs"}
        The task written to a ``.tsv`` file.
    note : str, optional
        A line such as "SYNTHETIC data", stored as the ZIP comment, the workbook title or a
        comment in each SQLite table definition.

    Returns
    -------
    Path
        The file written. Columns: ``_pk, _device_id, _era, _current, patient_id,
        when_created, when_last_modified, is_complete, q_session, q_date``, (ORS only)
        ``q_who, q_who_other``, the four items (``q_individual, q_interpersonal, q_social,
        q_overall`` / ``q_relationship, q_goals, q_approach, q_overall``), then
        ``_patient_forename, _patient_surname, _patient_dob, _patient_sex, _patient__pk,
        _patient_idnum1, _patient_iddesc1, _patient_idshortdesc1``.

    Notes
    -----
    ``patient_id`` is local to one of two tablets (``_device_id``) and reused on both;
    ``_patient_idnum1`` is the stable identifier: 9990000000 plus the digits of the client
    id (``C00042`` -> 9990000042), or a hash of it. Names are "Synthetic" / "Patient0042".
    """
    _check_choice("task", task, ("ors", "srs"))
    path = _path(path)
    tables = _camcops_tables(_canonical(data))
    suffix = path.suffix.lower()
    if suffix == ".zip":
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, t in tables.items():
                zf.writestr(f"{name}.tsv", _dates_as_text(neutralise(t), "%Y-%m-%d").to_csv(
                    sep="\t", index=False, lineterminator="\n", float_format="%.6g"))
            if note:
                zf.comment = note.encode("utf-8")
    elif suffix in (".xlsx", ".ods"):
        _write_workbook(tables, path, note=note)
    elif suffix == ".tsv":
        _write_frame(tables[task], path, text_suffixes=(".tsv",))
    elif suffix in (".sqlite", ".db"):
        path.unlink(missing_ok=True)
        with sqlite3.connect(path) as con:
            for name, t in tables.items():
                t = _dates_as_text(t, "%Y-%m-%d")
                ddl = pd.io.sql.get_schema(t, name, con=con)
                if note:
                    ddl = ddl.replace("(\n", f"(  -- {note}\n", 1)
                con.execute(ddl)
                t.to_sql(name, con, if_exists="append", index=False)
        con.close()
    else:
        raise ValueError("path must end in .zip, .xlsx, .ods, .tsv, .sqlite or .db; "
                         f"got {path.name!r}.")
    return path


# --------------------------------------------------------------------------- MHSDS
def write_mhsds(data: pd.DataFrame, path, *, edition: str = "international") -> Path:
    """Write NHS MHSDS coded score assessments: one total per row, SNOMED CT coded.

    Parameters
    ----------
    data : DataFrame
        A canonical table. Self-ratings of every measure are written, totals only.
    path : str or Path
        ``.csv`` (UTF-8), ``.xlsx`` or ``.ods``.
    edition : {"international", "uk"}
        Which SNOMED CT codes to use (:attr:`Instrument.snomed` or ``snomed_uk``).

    Returns
    -------
    Path
        The file written, columns ``Person_ID, UniqServReqID`` (the episode),
        ``CareProfLocalId, CodedAssToolType`` (code as text), ``PersScore`` (text),
        ``AssToolCompDate`` (``yyyy-mm-dd``) and ``AssToolCompTimestamp``.

    References
    ----------
    NHS Digital, Mental Health Services Data Set (coded score assessments).
    """
    _check_choice("edition", edition, ("international", "uk"))
    path = _path(path)
    df = _canonical(data)
    df = df[df["rater"].eq("self") & df["total"].notna()]
    attr = "snomed" if edition == "international" else "snomed_uk"
    codes = {code: getattr(inst, attr) for code, inst in INSTRUMENTS.items()}
    alliance = df["measure"].map({c: i.family for c, i in INSTRUMENTS.items()}).eq(ALLIANCE)
    time = np.where(alliance, "T10:50:00", "T10:00:00")
    out = pd.DataFrame({
        "Person_ID": df["client_id"],
        "UniqServReqID": df["episode_id"],
        "CareProfLocalId": df["clinician_id"],
        "CodedAssToolType": df["measure"].map(codes).astype("str"),
        "PersScore": pd.array(tx.numbers(df["total"], missing=None), dtype="str"),
        "AssToolCompDate": df["session_date"],
        "AssToolCompTimestamp": df["session_date"].dt.strftime("%Y-%m-%d") + time,
    })
    return _write_frame(out, path, sheet="coded_scores", text_suffixes=(".csv",))


# --------------------------------------------------------------------------- REDCap
def redcap_mapping(*, slider_scale: int = 100) -> dict:
    """The column mapping that reads a :func:`write_redcap` export back.

    Keys are canonical names; a key ``MEASURE.column`` says the column belongs to that
    measure in a wide layout. ``item_scale`` is ``"mm"`` (0-100) or ``"points"`` (0-10).

    Examples
    --------
    >>> m = redcap_mapping()
    >>> m["columns"]["SRS.item_4"], m["item_scale"], m["dayfirst"]
    ('srs_4', 'mm', False)
    """
    _check_choice("slider_scale", slider_scale, (10, 100))
    columns = {"client_id": "record_id", "episode_id": "episode", "session_date": "visit_date",
               "clinician_id": "therapist", "session_number": "redcap_repeat_instance"}
    for m in ("ORS", "SRS"):
        columns |= {f"{m}.item_{i}": f"{m.lower()}_{i}" for i in range(1, 5)}
    return {"columns": columns, "item_scale": "mm" if slider_scale == 100 else "points",
            "dayfirst": False}


def write_redcap(data: pd.DataFrame, path, *, slider_scale: int = 100,
                 mapping_path=None) -> Path:
    """Write a REDCap raw export with a repeating ``session_feedback`` instrument.

    Each client (record) has one ``baseline_arm_1`` row holding the demographics form
    (``age_band``) and no scores, then one ``sessions_arm_1`` row per session with
    ``redcap_repeat_instrument = "session_feedback"`` and ``redcap_repeat_instance`` = the
    session number. ``redcap_mapping.json`` (:func:`redcap_mapping`) is written beside it.

    Parameters
    ----------
    data : DataFrame
        A canonical table. Self-rated ORS and SRS with all four items are written; a
        totals-only score, other measures and collateral ratings have no field here.
    path : str or Path
        ``.csv`` (UTF-8).
    slider_scale : {100, 10}
        Sliders in millimetres (item x 10, the default) or in points (0-10).
    mapping_path : str or Path, optional
        Where to write the mapping; default ``redcap_mapping.json`` in the same folder.

    Returns
    -------
    Path
        The export, columns ``record_id, redcap_event_name, redcap_repeat_instrument,
        redcap_repeat_instance, age_band, demographics_complete, visit_date, episode,
        therapist, ors_1..ors_4, srs_1..srs_4, session_feedback_complete`` (2 = complete).
        REDCap numbers instances per record, so for a client with several episodes they
        keep counting across episodes; ``episode`` tells the episodes apart.
    """
    mapping = redcap_mapping(slider_scale=slider_scale)
    path = _path(path)
    df = _canonical(data)
    wide = _session_wide(df[_complete(df)], ("ORS",), ("SRS",))
    instance = wide.groupby("client_id").cumcount() + 1
    clash = instance.ne(wide["session_number"]).groupby(wide["client_id"]).transform("any")
    sessions = pd.DataFrame({
        "record_id": wide["client_id"], "redcap_event_name": "sessions_arm_1",
        "redcap_repeat_instrument": "session_feedback",
        "redcap_repeat_instance": wide["session_number"].where(~clash, instance),
        "visit_date": wide["session_date"], "episode": wide["episode_id"],
        "therapist": wide["clinician_id"],
    })
    for side in ("ORS", "SRS"):
        for i, c in enumerate(ITEM_COLUMNS, start=1):
            sessions[f"{side.lower()}_{i}"] = (wide[f"{side}_{c}"] * slider_scale / 10).round(2)
    sessions["session_feedback_complete"] = 2
    age = df.groupby("client_id")["age_group"].first()
    baseline = pd.DataFrame({"record_id": age.index, "redcap_event_name": "baseline_arm_1",
                             "age_band": age.to_numpy(), "demographics_complete": 2})
    out = pd.concat([baseline, sessions], ignore_index=True)
    order = ["record_id", "redcap_event_name", "redcap_repeat_instrument",
             "redcap_repeat_instance", "age_band", "demographics_complete"]
    out = out[[*order, *(c for c in sessions.columns if c not in order)]]
    out = out.sort_values(["record_id", "redcap_repeat_instance"], na_position="first",
                          kind="stable")
    for c in ("redcap_repeat_instance", "demographics_complete", "session_feedback_complete"):
        out[c] = out[c].astype("Int64")
    _write_frame(out, path, text_suffixes=(".csv",))
    mapping_path = Path(mapping_path) if mapping_path else path.with_name("redcap_mapping.json")
    mapping_path.write_text(json.dumps(mapping, indent=2) + "\n", encoding="utf-8")
    return path
