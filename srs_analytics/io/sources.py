"""What a table is (its source format) and how its columns become canonical fields.

Each supported layout is turned into one or more *blocks*: raw cells under canonical names,
one row per administration, with the measure of each row. The boundary rules
(:mod:`srs_analytics.io.validation`) then run on every block alike.

Sources
-------
canonical
    A long table with a measure column (CSV, TSV, Parquet, XLSX).
wide
    One row per session with ORS and SRS columns side by side (``ORS 1`` .. ``SRS total``).
openfit
    The OpenFIT flat file (``ORSQ1`` .. ``Total_SRS``, ``ORS_Skip``/``SRS_Skip``); a child's
    row (``Client_Group`` = Child) holds the CORS and CSRS.
camcops
    CamCOPS research dumps (tables ``ors``/``srs``; ``q_*`` columns); the client is the
    stable ID number (``_patient_idnum1``), never the tablet-local ``patient_id``.
mhsds
    NHS MHSDS coded score assessments (totals only, SNOMED CT codes, text scores).
mapping
    Anything else, through a column mapping (see :func:`read_mapping`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..instruments import INSTRUMENTS, snomed_map
from ._errors import LoadError
from ._header import known_name
from ._names import SYNONYMS, canonical_field, is_identifying, national_id, norm, wide_field
from ._raw import RawTable
from .cells import is_blank

SOURCES = ("canonical", "wide", "openfit", "camcops", "mhsds", "mapping")
_COMMON = ["client_id", "episode_id", "clinician_id", "site", "session_date",
           "session_number", "rater", "age_group", "group_id", "format", "setting",
           "episode_status", "comment", "skip"]
_SCORES = ["item_1", "item_2", "item_3", "item_4", "total"]
_BLOCK_FIELDS = [*_SCORES, "skip", "items_imputed"]
_CAMCOPS_ITEMS = {
    "ORS": ["qindividual", "qinterpersonal", "qsocial", "qoverall"],
    "SRS": ["qrelationship", "qgoals", "qapproach", "qoverall"],
}
_OPENFIT_MARKS = {"orsq1", "srsq1", "totalors", "totalsrs"}
_OPTIONS = ("item_scale", "dayfirst", "source")
_ALL_OPTIONS = ("measure", "rater", *_OPTIONS)
_CHILD_VERSION = {"ORS": "CORS", "SRS": "CSRS", "GSRS": "CGSRS"}


@dataclass
class Block:
    """Administrations of one table under canonical names, ready for the boundary rules."""

    frame: pd.DataFrame  # score fields (item_1..item_4, total, skip); index = raw position
    measure: pd.Series
    colnames: dict  # canonical name -> column in the file
    imputable: bool = False


@dataclass
class Layout:
    """How a raw table was understood."""

    source: str
    blocks: list[Block]
    column_mapping: dict = field(default_factory=dict)
    base: pd.DataFrame | None = None  # fields shared by the blocks (ids, dates...), per raw row
    consumed: list[str] = field(default_factory=list)  # read, though no field of their own
    identifying: list[str] = field(default_factory=list)
    unused: list[str] = field(default_factory=list)
    non_data: np.ndarray | None = None  # rows that are not data (REDCap event rows...)
    non_data_reason: str = ""
    not_administered: int = 0
    notes: list[str] = field(default_factory=list)
    national_id: str | None = None  # the client id is a national identifier (NHS number...)


def read_mapping(mapping) -> dict:
    """Read a column mapping from a dict or a JSON/YAML file.

    The mapping goes from canonical names to the file's columns. A key ``MEASURE.field``
    puts a column in a wide layout (``"ORS.item_1": "ors_1"``, ``"SRS.total": "srs_tot"``).
    Options sit beside ``columns``: ``measure`` (the one measure of a long file without a
    measure column), ``item_scale`` (``points`` or ``mm``), ``dayfirst``, ``rater``.

    Examples
    --------
    >>> m = read_mapping({"columns": {"client_id": "record_id", "ORS.item_1": "o1"},
    ...                   "item_scale": "mm"})
    >>> m["columns"]["client_id"], m["item_scale"]
    ('record_id', 'mm')
    >>> read_mapping({"client_id": "id", "total": "score", "measure": "SRS"})["measure"]
    'SRS'
    """
    if mapping is None:
        return {}
    if isinstance(mapping, (str, Path)):
        path = Path(mapping)
        if not path.is_file():
            raise LoadError(f"The mapping file {path} does not exist.")
        try:
            text = path.read_bytes().decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise LoadError(f"The mapping file {path.name} is not UTF-8 text (byte "
                            f"{exc.start + 1} cannot be read); save it as UTF-8 and try "
                            "again.") from None
        try:
            if path.suffix.lower() in (".yaml", ".yml"):
                import yaml

                mapping = yaml.safe_load(text)
            else:
                mapping = json.loads(text)
        except Exception as exc:  # json and yaml raise their own error types
            raise LoadError(f"The mapping file {path.name} could not be read ({exc}).") from None
    if not isinstance(mapping, dict):
        raise LoadError("A mapping must be a dict (or a JSON/YAML object) from canonical "
                        f"names to column names; got {type(mapping).__name__}.")
    if "columns" in mapping:
        if not isinstance(mapping["columns"], dict):
            raise LoadError("The mapping's 'columns' must be an object from canonical names to "
                            f"column names; got {type(mapping['columns']).__name__}.")
        columns = dict(mapping["columns"])
        options = {k: v for k, v in mapping.items() if k != "columns"}
        unknown = [k for k in options if k not in _ALL_OPTIONS]
        if unknown:
            raise LoadError(f"The mapping has the option(s) {', '.join(map(repr, unknown))}, "
                            f"which it does not know; its options are "
                            f"{', '.join(_ALL_OPTIONS)}, beside 'columns'.")
    else:  # flat form: every key but the options names a column
        options = {k: v for k, v in mapping.items() if k in _OPTIONS}
        columns = {k: v for k, v in mapping.items() if k not in _OPTIONS}
        if str(columns.get("measure", "")).upper() in INSTRUMENTS:
            options["measure"] = columns.pop("measure")
    allowed = set(SYNONYMS) | {"measure"}
    for key, col in columns.items():
        base = key.split(".", 1)[1] if isinstance(key, str) and "." in key else key
        if base not in allowed:
            raise LoadError(f"The mapping names '{key}', which is not a canonical field. "
                            f"Use one of: {', '.join(sorted(allowed))} (or MEASURE.field for "
                            "a wide layout).")
        if not isinstance(col, str) or not col.strip():
            raise LoadError(f"The mapping's '{key}' must be a column name (text); got "
                            f"{_kind(col)}.")
    _check_options(options)
    return {"columns": columns, **options}


def _kind(v) -> str:
    """A value's type in the words of JSON ("the text 'false'", "a list")."""
    if isinstance(v, str):
        return f"the text {v!r}"
    return {bool: "true/false", list: "a list", dict: "an object", type(None): "null",
            int: "a number", float: "a number"}.get(type(v), type(v).__name__) + (
        f" ({v!r})" if isinstance(v, (bool, int, float)) else "")


def _check_options(options: dict) -> None:
    """Each option of a mapping has its type: a text option a word, dayfirst true/false."""
    if "dayfirst" in options and not isinstance(options["dayfirst"], bool):
        raise LoadError("The mapping's dayfirst must be true or false (without quotes); got "
                        f"{_kind(options['dayfirst'])}.")
    choices = {"item_scale": ("points", "mm"), "source": SOURCES}
    for k in ("item_scale", "source", "measure", "rater"):
        if k not in options:
            continue
        v = options[k]
        if not isinstance(v, str) or not v.strip():
            raise LoadError(f"The mapping's {k} must be a word (text); got {_kind(v)}.")
        if k in choices and v not in choices[k]:
            raise LoadError(f"The mapping's {k} must be one of {', '.join(choices[k])}; got "
                            f"{v!r}.")


def detect_source(columns: list[str]) -> str:
    """The source format a table's header names point to.

    Raises :class:`LoadError` when no format fits or two fit equally well.
    """
    n = {norm(c) for c in columns}
    fields = {canonical_field(c) for c in columns} - {None}
    wide = [w for w in map(wide_field, columns) if w]
    found = []
    if {"codedasstooltype", "persscore"} <= n:
        found.append("mhsds")
    if any(c in n for cols in _CAMCOPS_ITEMS.values() for c in cols):
        found.append("camcops")
    if n & _OPENFIT_MARKS or (wide and {"caseid", "sessionid"} <= n):
        found.append("openfit")
    elif wide:
        found.append("wide")
    if "measure" in fields and fields & set(_SCORES):
        found.append("canonical")
    if len(found) == 1:
        return found[0]
    if not found:
        if "recordid" in n or any(c.startswith("redcap") for c in n):
            raise LoadError(
                "This looks like a REDCap export, but its score columns are not recognised "
                "(REDCap has no shared ORS/SRS instrument). Give a column mapping with "
                "mapping=... or --mapping FILE (see the README's REDCap example).")
        known = [str(c) for c in columns if known_name(c)]
        found_words = (f"recognised: {', '.join(known[:12])}" if known else
                       "no name is recognised; if the first row holds data rather than "
                       "column names, add a header row")
        raise LoadError(
            f"No recognisable ORS/SRS columns among its {len(columns)} columns ({found_words})."
            " Expected a measure column "
            "with items or totals, ORS/SRS columns side by side (e.g. 'ORS 1', 'SRS total'), "
            "or one of the OpenFIT, CamCOPS or NHS MHSDS layouts. For any other layout give "
            "a column mapping (mapping=... or --mapping FILE).")
    raise LoadError(
        f"The columns fit more than one source format ({', '.join(found)}). Say which one "
        f"with source=... (--source on the command line).")


def layout(t: RawTable, *, source: str | None = None, mapping: dict | None = None) -> Layout:
    """Understand a raw table: its source, its columns, and its blocks of administrations."""
    cols = list(t.frame.columns)
    if mapping and mapping.get("columns"):
        source = "mapping"
    elif source is None:
        source = detect_source(cols)
    elif source not in SOURCES:
        raise LoadError(f"source must be one of {', '.join(SOURCES)}; got {source!r}.")
    builder = {"canonical": _long, "wide": _wide, "openfit": _wide, "camcops": _camcops,
               "mhsds": _mhsds, "mapping": _mapped}[source]
    lay = builder(t, source, mapping or {})
    used = set(lay.column_mapping.values()) | set(lay.consumed)
    lay.identifying = [c for c in cols if c not in used and is_identifying(c)]
    lay.unused = [c for c in cols if c not in used and c not in lay.identifying]
    return lay


def _first_match(cols, field_of) -> dict:
    """canonical field -> first column that names it."""
    out = {}
    for c in cols:
        f = field_of(c)
        if f and f not in out:
            out[f] = c
    return out


def _frame(t: RawTable, colmap: dict) -> pd.DataFrame:
    return pd.DataFrame({f: t.frame[c] for f, c in colmap.items()}, index=t.frame.index)


def _long(t: RawTable, source: str, mapping: dict, colmap: dict | None = None) -> Layout:
    colmap = colmap or _first_match(t.frame.columns, canonical_field)
    if "measure" not in colmap and not mapping.get("measure"):
        raise LoadError(f"{t.name} has no measure column; add one, or give the measure in a "
                        "mapping ({'measure': 'ORS', ...}).")
    frame = _frame(t, {k: v for k, v in colmap.items() if k != "measure"})
    measure = t.frame[colmap["measure"]] if "measure" in colmap else pd.Series(
        mapping["measure"], index=t.frame.index)
    if "rater" in mapping and "rater" not in frame:
        frame["rater"] = mapping["rater"]
    lay = _split(source, frame, colmap)
    scores = [f for f in _SCORES if f in frame]
    no_scores = frame[scores].apply(_blank).all(axis=1) if scores else \
        pd.Series(True, index=frame.index)
    lay.non_data = _redcap_non_data(t, no_scores)
    block = frame[[c for c in frame.columns if c in _BLOCK_FIELDS]]
    if lay.non_data is not None:
        lay.non_data_reason = "rows of a non-repeating REDCap event that hold no scores"
        block, measure = block[~lay.non_data], measure[~lay.non_data]
    lay.blocks.append(Block(block, measure, colmap))
    return lay


def _split(source: str, frame: pd.DataFrame, colmap: dict) -> Layout:
    """A layout whose shared fields are the non-score columns of ``frame``."""
    return Layout(source, [], colmap, base=frame[[c for c in frame.columns
                                                  if c not in _BLOCK_FIELDS]])


def _wide(t: RawTable, source: str, mapping: dict, common: dict | None = None,
          scores: dict | None = None) -> Layout:
    cols = list(t.frame.columns)
    if scores is None:
        scores = {}
        for c in cols:
            w = wide_field(c)
            if w and w[1] not in scores.setdefault(w[0], {}):
                scores[w[0]][w[1]] = c
    if common is None:
        common = _first_match([c for c in cols if not wide_field(c)], canonical_field)
        common = {k: v for k, v in common.items() if k in _COMMON}
    base = _frame(t, common)
    age = base["age_group"].astype("str").str.lower().str.strip() if "age_group" in base \
        else None
    lay = Layout(source, [], dict(common), base=base)
    blocks_empty = []
    for measure, fields in scores.items():
        frame = _frame(t, fields)
        lay.column_mapping.update({f"{measure}.{f}": c for f, c in fields.items()})
        score_cols = [f for f in fields if f != "skip"]
        empty = frame[score_cols].apply(_blank).all(axis=1) if score_cols else \
            pd.Series(True, index=frame.index)
        if "skip" in frame:
            empty &= _blank(frame["skip"]) | frame["skip"].astype("str").str.strip().str.upper(
            ).isin(["N", "0", "NO", "FALSE", "0.0"])
        blocks_empty.append(empty)
        meas = pd.Series(measure, index=frame.index, dtype="str")
        if age is not None and measure in _CHILD_VERSION:
            meas = meas.where(~age.str.startswith("child").fillna(False), _CHILD_VERSION[measure])
        lay.blocks.append(Block(frame, meas, fields, imputable=source == "openfit"))
    if not lay.blocks:
        raise LoadError(f"{t.name}: no score columns found for the wide layout.")
    all_empty = pd.concat(blocks_empty, axis=1).all(axis=1)
    lay.non_data = _redcap_non_data(t, all_empty)
    if lay.non_data is not None:
        lay.non_data_reason = "rows of a non-repeating REDCap event that hold no scores"
    data_rows = True if lay.non_data is None else ~lay.non_data
    for i, (block, empty) in enumerate(zip(lay.blocks, blocks_empty)):
        # a row with no scores at all is one administration (rejected as no_scores)
        keep = ~empty | (all_empty & data_rows & (i == 0))
        lay.not_administered += int((empty & ~all_empty).sum())
        block.frame, block.measure = block.frame[keep], block.measure[keep]
    if lay.not_administered:
        lay.notes.append(f"{lay.not_administered} measure slots of wide rows were empty "
                         "(not administered at that session, no skip flag) and are not counted "
                         "as administrations.")
    return lay


def _blank(s: pd.Series) -> pd.Series:
    return is_blank(s)


def _redcap_non_data(t: RawTable, no_scores: pd.Series) -> np.ndarray | None:
    """REDCap rows of a non-repeating event that hold no scores: not data, not rejected."""
    n = {norm(c): c for c in t.frame.columns}
    if not any(k.startswith("redcap") for k in n):
        return None
    inst = n.get("redcaprepeatinstance")
    blank_instance = _blank(t.frame[inst]) if inst else pd.Series(True, index=t.frame.index)
    return (no_scores & blank_instance).to_numpy()


def _camcops(t: RawTable, source: str, mapping: dict) -> Layout:
    n = {norm(c): c for c in t.frame.columns}
    measure = "ORS" if "qindividual" in n else "SRS"
    idnums = sorted(k for k in n if k.startswith("patientidnum"))
    id_col = next((n[k] for k in idnums if t.frame[n[k]].notna().any()), None)
    lay = Layout(source, [])
    if id_col is None:
        id_col = n.get("patientpk")
        if id_col is None:
            raise LoadError(f"{t.name}: a CamCOPS table without a stable patient identifier "
                            "(_patient_idnum1 ...). patient_id is local to one tablet and is "
                            "not used; export the ID numbers with the dump.")
        lay.notes.append("No ID number column holds values; the server's patient record "
                         "(_patient__pk) is used, which is not stable across tablets.")
    else:
        num = norm(id_col).removeprefix("patientidnum")
        descs = [n[k] for k in (f"patientiddesc{num}", f"patientidshortdesc{num}") if k in n]
        kind = national_id(pd.unique(t.frame[descs].stack().dropna().astype("str")))
        if kind:
            lay.national_id = kind
            lay.notes.append(
                f"The client id is {id_col}, which its description calls a national "
                f"identifier ({kind}). It links the sessions of a person, but it identifies "
                "them: replace it (pseudonymise it) before the canonical table leaves the "
                "service.")
    colmap = {"client_id": id_col}
    for f, k in (("session_number", "qsession"), ("session_date", "qdate")):
        if k in n:
            colmap[f] = n[k]
    for i, k in enumerate(_CAMCOPS_ITEMS[measure], start=1):
        if k in n:
            colmap[f"item_{i}"] = n[k]
    frame = _frame(t, colmap)
    if "qwho" in n:
        who = t.frame[n["qwho"]].astype("str").str.strip().str.replace(".0", "", regex=False)
        other = t.frame[n["qwhoother"]] if "qwhoother" in n else pd.Series(None, index=frame.index)
        frame["rater"] = other.astype("str").str.strip().str.lower().where(
            who.eq("1")).fillna(who.map({"0": "self", "1": "other"}))
        colmap["rater"] = n["qwho"]
    notes, national = lay.notes, lay.national_id
    lay = _split(source, frame, colmap)
    lay.notes, lay.national_id = notes, national
    lay.consumed = [n[k] for k in ("qwhoother", "current") if k in n]
    block = frame[[c for c in frame.columns if c in _BLOCK_FIELDS]]
    if "current" in n:
        cur = t.frame[n["current"]].astype("str").str.strip().str.lower()
        lay.non_data = cur.isin(["0", "0.0", "false"]).to_numpy()
        lay.non_data_reason = "superseded record versions (_current = 0)"
        block = block[~lay.non_data]
    lay.blocks.append(Block(block, pd.Series(measure, index=block.index), colmap))
    return lay


def _mhsds(t: RawTable, source: str, mapping: dict) -> Layout:
    n = {norm(c): c for c in t.frame.columns}
    colmap = {f: n[k] for f, k in (("client_id", "personid"), ("episode_id", "uniqservreqid"),
                                   ("clinician_id", "careproflocalid"),
                                   ("session_date", "asstoolcompdate"), ("total", "persscore"))
              if k in n}
    if "session_date" not in colmap and "asstoolcomptimestamp" in n:
        colmap["session_date"] = n["asstoolcomptimestamp"]
    frame = _frame(t, colmap)
    code = t.frame[n["codedasstooltype"]].astype("str").str.strip().str.replace(
        r"\.0$", "", regex=True)
    measure = code.map(snomed_map()).fillna("SNOMED " + code.fillna("(empty)"))
    colmap["measure"] = n["codedasstooltype"]
    lay = _split(source, frame, colmap)
    lay.blocks.append(Block(frame[["total"]] if "total" in frame else frame[[]], measure, colmap))
    return lay


def _mapped(t: RawTable, source: str, mapping: dict) -> Layout:
    columns = mapping["columns"]
    missing = [c for c in columns.values() if c not in t.frame.columns]
    if missing:
        by_norm = {norm(c): c for c in t.frame.columns}
        fixed = {k: by_norm.get(norm(v), v) for k, v in columns.items()}
        missing = [c for c in fixed.values() if c not in t.frame.columns]
        if missing:
            raise LoadError(f"The mapping names columns that {t.name} does not have: "
                            f"{', '.join(map(str, missing))}.")
        columns = fixed
    wide = {k: v for k, v in columns.items() if "." in k}
    plain = {k: v for k, v in columns.items() if "." not in k}
    if wide:
        scores: dict = {}
        for k, v in wide.items():
            m, f = k.split(".", 1)
            scores.setdefault(m.upper(), {})[f] = v
        lay = _wide(t, source, mapping, common={k: v for k, v in plain.items() if k in _COMMON},
                    scores=scores)
    else:
        lay = _long(t, source, mapping, colmap=plain)
    return lay
