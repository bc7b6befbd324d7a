"""The boundary rules: parse cells, check every administration, give each rejection a reason.

The rules are those of ``docs/measures-and-rules.md`` (section "The canonical table and the
boundary rules"): a partial set of items is not prorated; 0 is a real score; a reported
total that disagrees with its items beyond rounding is an error; a value outside its range
is an error. Every check is vectorised over the whole table.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..instruments import INSTRUMENTS, Instrument
from ..schema import ITEM_COLUMNS
from .readers import LoadError

#: Where each administration read ends up (the ``status`` of the loader's ledger).
FATES = ("loaded", "rejected", "skipped", "duplicate", "conflict")

#: Reason codes of rejected rows, in the order they are checked, with what they mean.
REASONS: dict[str, str] = {
    "missing_client_id": "no client identifier",
    "unknown_measure": "the measure is not one of ORS, CORS, YCORS, SRS, CSRS, GSRS, CGSRS",
    "no_scores": "neither items nor a total, and not marked as skipped",
    "non_numeric_score": "a score cell holds something that is not a number",
    "out_of_range": "an item or total outside the measure's range",
    "partial_items": "some but not all four items (partial sets are never prorated)",
    "total_mismatch": "the reported total disagrees with the sum of the items beyond rounding",
    "invalid_date": "a session date that cannot be read as a date",
    "invalid_session_number": "a session number that is not a whole number of 1 or more",
    "missing_session": "neither a session date nor a session number",
    "invalid_skip_flag": "a skip flag that is neither yes/no nor 1/0",
}

_MEASURE_NAMES = {
    "ors": "ORS", "outcomeratingscale": "ORS", "cors": "CORS", "childors": "CORS",
    "childoutcomeratingscale": "CORS", "ycors": "YCORS", "youngchildoutcomeratingscale": "YCORS",
    "srs": "SRS", "sessionratingscale": "SRS", "csrs": "CSRS", "childsrs": "CSRS",
    "childsessionratingscale": "CSRS", "gsrs": "GSRS", "groupsrs": "GSRS",
    "groupsessionratingscale": "GSRS", "cgsrs": "CGSRS", "childgroupsessionratingscale": "CGSRS",
}
_RATER = {"self": "self", "client": "self", "patient": "self", "0": "self", "s": "self",
          "selfrated": "self", "own": "self", "1": "other", "mother": "parent",
          "father": "parent", "carer": "parent", "caregiver": "parent", "guardian": "parent"}
_AGE = {"adult": "adult", "adults": "adult", "a": "adult", "adolescent": "adolescent",
        "adolescents": "adolescent", "youth": "adolescent", "teen": "adolescent",
        "teenager": "adolescent", "child": "child", "children": "child", "c": "child",
        "youngchild": "young_child", "youngchildren": "young_child", "infant": "young_child",
        "preschool": "young_child"}
_FORMAT = {"paper": "paper", "pen": "paper", "digital": "digital", "tablet": "digital",
           "online": "digital", "app": "digital", "electronic": "digital", "web": "digital",
           "verbal": "verbal", "oral": "verbal", "spoken": "verbal", "phone": "verbal"}
_SETTING = {"inperson": "in_person", "facetoface": "in_person", "office": "in_person",
            "f2f": "in_person", "telehealth": "telehealth", "video": "telehealth",
            "online": "telehealth", "remote": "telehealth", "telephone": "telehealth",
            "virtual": "telehealth"}
_STATUS = {"open": "open", "active": "open", "ongoing": "open",
           "closedplanned": "closed_planned", "planned": "closed_planned",
           "completed": "closed_planned", "closedunplanned": "closed_unplanned",
           "unplanned": "closed_unplanned", "dropout": "closed_unplanned",
           "droppedout": "closed_unplanned"}
_YES = {"y", "yes", "1", "true", "t", "skip", "skipped", "ja", "j", "oui", "si", "x"}
_NO = {"n", "no", "0", "false", "f", "nein", "non", ""}
_DMY = re.compile(
    r"^\s*(\d{1,2})[./-](\d{1,2})[./-](\d{2}|\d{4})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?\s*$")


@dataclass(frozen=True)
class LoadSettings:
    """What the loader needs to know beyond the files; every field can be overridden.

    Attributes
    ----------
    dayfirst : bool or None
        Day-first dates (``03/04/2026`` is 3 April). ``None`` detects it from the data and
        refuses to guess when no date tells.
    item_scale : {"points", "mm", None}
        Items scored 0-10 or in millimetres 0-100; ``None`` detects it per table (mm when
        most items are above 10).
    total_tolerance : float
        Largest difference between a reported total and the sum of its items still taken
        as rounding (0.5: a total rounded to a whole number).
    instruments : mapping
        The measures and their ranges (:data:`srs_analytics.instruments.INSTRUMENTS`).
    """

    dayfirst: bool | None = None
    item_scale: str | None = None
    total_tolerance: float = 0.5
    instruments: Mapping[str, Instrument] = field(default_factory=lambda: INSTRUMENTS)


def _per_value(s: pd.Series, func) -> pd.Series:
    """Apply a text function to each distinct value once (IDs and categories repeat)."""
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    u = pd.Series(uniques, dtype="str")
    mapped = func(u)
    if len(u) and str(s.dtype) == "str" and mapped.equals(u):
        return s  # already clean text: keep the column as it is
    values = mapped.to_numpy(dtype=object, na_value=None)
    taken = np.append(values, None)[codes] if len(values) else np.full(len(s), None)
    return pd.Series(taken, index=s.index, dtype="str")


def _key(s: pd.Series) -> pd.Series:
    """Normalised text of each cell, for matching category values."""
    return _per_value(s, lambda u: u.str.lower().str.replace(r"[^0-9a-z]", "", regex=True))


def _text(s: pd.Series) -> pd.Series:
    """Cells as stripped text; blanks become missing; whole floats lose their '.0'."""
    if pd.api.types.is_float_dtype(s.dtype):
        whole = s.notna() & (s % 1 == 0) & (s.abs() < 1e15)
        out = s.astype("str")
        return out.where(~whole, s.where(whole).astype("Int64").astype("str"))
    return _per_value(s, lambda u: u.str.strip().replace("", None))


def categorize(s: pd.Series, table: Mapping[str, str], keep_unknown: bool = False) -> pd.Series:
    """Map free-text category values to canonical ones; unknown values become missing."""
    def one(u):
        k = u.str.lower().str.replace(r"[^0-9a-z]", "", regex=True)
        out = k.map(dict(table))
        if keep_unknown:
            out = out.fillna(u.str.strip().str.lower().str.replace(r"\s+", "_", regex=True)
                             .replace("", None))
        return out
    return _per_value(s, one)


def parse_numbers(s: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Numbers from cells, accepting decimal commas; returns (values, not-a-number mask)."""
    if pd.api.types.is_bool_dtype(s.dtype):
        s = s.astype(float)
    if pd.api.types.is_numeric_dtype(s.dtype):
        return s.astype("float64"), pd.Series(False, index=s.index)
    txt = _text(s)
    vals = pd.to_numeric(txt.str.replace(",", ".", regex=False), errors="coerce")
    vals = vals.astype("float64")
    bad = txt.notna() & vals.isna()
    return vals, bad


def parse_skip(s: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Skip flags in either style (Y/N or 1/0); returns (skipped, invalid flag)."""
    if pd.api.types.is_bool_dtype(s.dtype):
        return s.fillna(False).astype(bool), pd.Series(False, index=s.index)
    k = _key(s).fillna("")
    yes, no = k.isin(_YES), k.isin(_NO) | s.isna()
    return yes, ~(yes | no)


def parse_dates(s: pd.Series, *, dayfirst: bool | None, where: str) -> tuple[pd.Series, str]:
    """Dates from text, date cells or Excel serial numbers (each distinct value parsed once).

    Day-first or month-first order is read from the data: a first part above 12 means
    day-first, a second part above 12 month-first. When no date tells and ``dayfirst`` is
    not given, this raises :class:`LoadError` rather than guess.

    Returns the dates (normalised to midnight, ``NaT`` where unreadable) and a description
    of what was found.
    """
    if len(s) == 0 or s.isna().all():
        return pd.Series(pd.NaT, index=s.index, dtype="datetime64[ns]"), "none"
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    parsed, found = _parse_distinct_dates(pd.Series(uniques), dayfirst, where)
    values = np.append(parsed.to_numpy(dtype="datetime64[ns]"), np.datetime64("NaT", "ns"))
    return pd.Series(values[codes], index=s.index), found


def _parse_distinct_dates(s: pd.Series, dayfirst: bool | None, where: str
                          ) -> tuple[pd.Series, str]:
    out = pd.Series(pd.NaT, index=s.index, dtype="datetime64[ns]")
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        return s.dt.tz_localize(None).dt.normalize().astype("datetime64[ns]") if getattr(
            s.dt, "tz", None) else s.dt.normalize().astype("datetime64[ns]"), "date cells"
    found = []
    if pd.api.types.is_numeric_dtype(s.dtype):
        return _excel_serial(s), "Excel serial numbers"
    obj = s.astype(object)
    is_dt = obj.map(lambda v: hasattr(v, "year") and hasattr(v, "month"), na_action="ignore")
    is_dt = is_dt.fillna(False).astype(bool)
    if is_dt.any():
        out[is_dt] = pd.to_datetime(obj[is_dt], errors="coerce").dt.normalize()
        found.append("date cells")
    txt = _text(s.where(~is_dt).astype("str"))
    left = txt.notna()
    if left.any():  # the common case first: plain yyyy-mm-dd, parsed in C
        plain = pd.to_datetime(txt[left], format="%Y-%m-%d", errors="coerce")
        if plain.notna().any():
            out[plain.index[plain.notna()]] = plain[plain.notna()]
            found.append("ISO (yyyy-mm-dd)")
            left = left & out.isna()
    if left.any():
        iso = pd.to_datetime(txt[left], format="ISO8601", errors="coerce")
        iso = iso.where(txt[left].str.match(r"^\d{4}-\d{1,2}-\d{1,2}"))
        ok = iso.notna()
        if ok.any():
            out[iso.index[ok]] = iso[ok].dt.tz_localize(None).dt.normalize() if iso.dt.tz \
                else iso[ok].dt.normalize()
            if "ISO (yyyy-mm-dd)" not in found:
                found.append("ISO (yyyy-mm-dd)")
        left = left & out.isna()
    if left.any():
        serial = pd.to_numeric(txt[left], errors="coerce")
        serial = serial[serial.between(1, 2958465)]
        if len(serial):
            out[serial.index] = _excel_serial(serial)
            found.append("Excel serial numbers")
            left = left & out.isna()
    if left.any():
        parts = txt[left].str.extract(_DMY).dropna()
        if len(parts):
            a, b, y = (parts[i].astype(int) for i in range(3))
            order = _date_order(a, b, dayfirst, where)
            day, month = (a, b) if order == "day-first" else (b, a)
            year = y.where(y >= 100, np.where(y < 70, 2000 + y, 1900 + y))
            out[parts.index] = pd.to_datetime(
                pd.DataFrame({"year": year, "month": month, "day": day}), errors="coerce")
            found.append(order)
            left = left & out.isna()
    if left.any():  # month names ("3 Apr 2026"): unambiguous
        named = txt[left][txt[left].str.contains("[A-Za-z]{3}", regex=True)]
        if len(named):
            parsed = pd.to_datetime(named, format="mixed", errors="coerce",
                                    dayfirst=bool(dayfirst))
            out[named.index] = parsed.dt.normalize()
            if parsed.notna().any():
                found.append("month names")
    return out, ", ".join(found) or "unreadable"


def _excel_serial(s: pd.Series) -> pd.Series:
    v = pd.to_numeric(s, errors="coerce")
    v = v.where(v.between(1, 2958465))
    return (pd.Timestamp("1899-12-30") + pd.to_timedelta(v.round(), unit="D")).astype(
        "datetime64[ns]")


def _date_order(a: pd.Series, b: pd.Series, dayfirst: bool | None, where: str) -> str:
    if dayfirst is not None:
        return "day-first" if dayfirst else "month-first"
    first, second = bool((a > 12).any()), bool((b > 12).any())
    if first and not second:
        return "day-first"
    if second and not first:
        return "month-first"
    example = f"{a.iloc[0]:02d}/{b.iloc[0]:02d}"
    if first and second:
        raise LoadError(
            f"The dates in {where} mix day-first and month-first order (some have a first "
            "part above 12, others a second part above 12). Fix the file, or say which "
            "order is right with dayfirst=True or dayfirst=False (--dayfirst / --monthfirst "
            "on the command line); rows that do not fit will be rejected.")
    raise LoadError(
        f"The dates in {where} could be day-first or month-first: no date has a part above "
        f"12 (e.g. {example}), so the order cannot be read from the data and will not be "
        "guessed. Say which it is with dayfirst=True (3 April for 03/04) or dayfirst=False "
        "(March 4); on the command line, --dayfirst or --monthfirst.")


def detect_item_scale(items, setting: str | None) -> str:
    """'mm' when most item values are above 10 (a 0-100 line), else 'points'."""
    if setting is not None:
        if setting not in ("points", "mm"):
            raise LoadError(f"item_scale must be 'points' (0-10) or 'mm' (0-100), got "
                            f"{setting!r}.")
        return setting
    values = np.asarray(items, dtype="float64")
    present = int((~np.isnan(values)).sum())
    with np.errstate(invalid="ignore"):
        above = int((values > 10).sum())
    return "mm" if present and above / present > 0.5 else "points"


def _labeller(colnames: Mapping[str, str]):
    def label(name):
        orig = colnames.get(name, name)
        return name if orig == name else f"{orig} ({name})"
    return label


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    if name in frame:
        return frame[name]
    return pd.Series(None, index=frame.index, dtype="object")


_SHARED_REASON = ["_first", "_first_msg", "_last", "_last_msg"]


def check_shared(base: pd.DataFrame, colnames: Mapping[str, str], settings: LoadSettings,
                 *, where: str) -> tuple[pd.DataFrame, dict]:
    """Parse the fields a raw row shares with all its administrations, once per row.

    Identifiers, the session (date and number), the rater and the descriptive columns.
    Returns the parsed fields plus the row-level reasons: ``missing_client_id`` (checked
    first) and ``invalid_date`` / ``invalid_session_number`` / ``missing_session`` (checked
    after the scores), with their messages; and what was detected (``date_order``).
    """
    idx = base.index
    label = _labeller(colnames)
    out = pd.DataFrame(index=idx)
    out["client_id"] = _text(_column(base, "client_id"))
    out["episode_id"] = _text(_column(base, "episode_id")).fillna(out["client_id"])
    for c in ("clinician_id", "site", "group_id", "comment"):
        out[c] = _text(_column(base, c))
    out["rater"] = categorize(_column(base, "rater"), _RATER, keep_unknown=True).fillna("self")
    out["age_group"] = categorize(_column(base, "age_group"), _AGE)
    out["format"] = categorize(_column(base, "format"), _FORMAT)
    out["setting"] = categorize(_column(base, "setting"), _SETTING)
    out["episode_status"] = categorize(_column(base, "episode_status"), _STATUS)

    raw = _column(base, "session_date")
    dates, date_order = parse_dates(raw, dayfirst=settings.dayfirst, where=where)
    raw_date = _text(raw.astype("str"))
    snum, snum_bad = parse_numbers(_column(base, "session_number"))
    snum_bad = snum_bad | (snum.notna() & ((snum < 1) | (snum % 1 != 0)))
    out["session_date"] = dates
    out["session_number"] = snum.where(~snum_bad)

    first = out["client_id"].isna()
    out["_first"] = pd.Series(np.where(first, "missing_client_id", None), index=idx,
                              dtype=object)
    out["_first_msg"] = pd.Series(np.where(first, f"No client identifier "
                                           f"({label('client_id')} is empty).", None),
                                  index=idx, dtype=object)
    last = pd.Series(None, index=idx, dtype=object)
    last_msg = pd.Series(None, index=idx, dtype=object)
    bad_date = raw_date.notna() & dates.isna()
    if bad_date.any():
        last[bad_date] = "invalid_date"
        last_msg[bad_date] = (label("session_date") + " '" + raw_date[bad_date]
                              + "' is not a readable date.")
    m = snum_bad & last.isna()
    if m.any():
        last[m] = "invalid_session_number"
        last_msg[m] = (label("session_number") + " '" + _text(_column(
            base, "session_number"))[m].fillna("") + "' is not a whole number of 1 or more.")
    m = dates.isna() & snum.isna() & last.isna()
    if m.any():
        last[m] = "missing_session"
        last_msg[m] = "Neither a session date nor a session number."
    out["_last"], out["_last_msg"] = last, last_msg
    return out, {"date_order": date_order}


def check_block(block: pd.DataFrame, measure: pd.Series, shared: pd.DataFrame,
                colnames: Mapping[str, str], settings: LoadSettings, *,
                imputable: bool = False) -> tuple[pd.DataFrame, dict]:
    """Apply the boundary rules to one block of administrations.

    Parameters
    ----------
    block : DataFrame
        Raw score cells under canonical names (``item_1`` ... ``item_4``, ``total``), plus
        an optional ``skip`` flag; the index is the row's position in the raw table.
    measure : Series
        The measure of each row, as written (``"ORS"``, ``"session rating scale"``...).
    shared : DataFrame
        :func:`check_shared` of the raw table (indexed by raw position).
    colnames : mapping
        Canonical name -> the column name in the file, used in messages.
    settings : LoadSettings
    imputable : bool
        Mark four equal items as ``items_imputed`` (OpenFIT stores a total-only score as
        total / 4 in each item).

    Returns
    -------
    DataFrame
        ``measure``, ``item_1`` .. ``item_4``, ``total``, ``items_imputed``, ``status``
        (``loaded`` / ``rejected`` / ``skipped``), ``reason`` and ``message``; the shared
        fields are joined by :func:`assemble`.
    dict
        What was detected: ``item_scale``.

    Notes
    -----
    Reasons are checked in the order of :data:`REASONS`; a row gets the first that applies.
    """
    idx = block.index
    sh = shared[_SHARED_REASON]
    sh = sh if sh.index.equals(idx) else sh.loc[idx]
    reason = sh["_first"].to_numpy(dtype=object, copy=True)
    message = sh["_first_msg"].to_numpy(dtype=object, copy=True)
    decided = pd.notna(reason)
    label = _labeller(colnames)

    def reject(mask, code, text):
        """Give rows not yet decided this reason; ``text`` builds messages for them only."""
        if not isinstance(mask, np.ndarray):
            mask = pd.Series(mask, index=idx).fillna(False).to_numpy(dtype=bool)
        mask = mask & ~decided
        if mask.any():
            decided[mask] = True
            reason[mask] = code
            m = pd.Series(mask, index=idx)
            message[mask] = np.asarray(text(m), dtype=object) if callable(text) else text

    def col(name):
        return _column(block, name)

    meas = categorize(measure, _MEASURE_NAMES)
    if "skip" in block:
        skipped, bad_skip = parse_skip(block["skip"])
    else:
        skipped = bad_skip = pd.Series(False, index=idx)

    nums, bad = {}, {}
    for c in [*ITEM_COLUMNS, "total"]:
        v, b = parse_numbers(col(c))
        nums[c], bad[c] = v.to_numpy(dtype="float64"), b.to_numpy(dtype=bool)
    nonnum = np.logical_or.reduce(list(bad.values()))
    items = np.column_stack([nums[c] for c in ITEM_COLUMNS])  # rows x 4, NaN = missing
    scale = detect_item_scale(items, settings.item_scale)
    total = nums["total"]
    if scale == "mm":
        items, total = items / 10.0, total / 10.0
    inst = settings.instruments
    single = meas.isin([k for k, v in inst.items() if v.n_items == 0]).to_numpy()
    if single.any():  # a one-rating measure (YCORS): its rating is the total
        total = np.where(np.isnan(total) & single, items[:, 0], total)
        items[single] = np.nan
    present = ~np.isnan(items)
    n_items = present.sum(axis=1)
    has_score = (n_items > 0) | ~np.isnan(total) | nonnum

    def series(values):
        return pd.Series(values, index=idx)

    reject(bad_skip, "invalid_skip_flag",
           lambda m: "Skip flag '" + _text(col("skip"))[m].fillna("") + "' is neither yes/no "
           "nor 1/0.")
    is_skipped = skipped.to_numpy(dtype=bool) & ~decided
    decided |= is_skipped  # skipped rows are decided: no later reason applies
    reject(meas.isna(), "unknown_measure",
           lambda m: "Measure '" + _text(measure)[m].fillna("(empty)") + "' is not one of "
           + ", ".join(inst) + ".")
    reject(~has_score, "no_scores",
           "The row holds no items and no total, and is not marked as skipped.")

    def not_numbers(m):
        text = pd.Series("", index=idx[m], dtype="str")
        for c, b in bad.items():
            b = b[m.to_numpy()]
            text = text.where(~b, text + label(c) + " = '" + _text(col(c))[m].fillna("") + "' ")
        return "Not a number: " + text.str.strip() + "."
    reject(nonnum, "non_numeric_score", not_numbers)

    mcodes, muniq = pd.factorize(meas, use_na_sentinel=True)

    def per_measure(value):
        table = np.array([value(inst[m]) if m in inst else np.nan for m in muniq] + [np.nan],
                         dtype="float64")
        return table[mcodes]
    lo_item = per_measure(lambda v: v.item_range[0])
    hi_item = per_measure(lambda v: v.item_range[1])
    lo_tot = per_measure(lambda v: v.total_range[0])
    hi_tot = per_measure(lambda v: v.total_range[1])
    with np.errstate(invalid="ignore"):
        off_items = present & ((items < lo_item[:, None]) | (items > hi_item[:, None]))
        off_total = ~np.isnan(total) & ((total < lo_tot) | (total > hi_tot))

    def out_of_range(m):
        rows = m.to_numpy()
        text = pd.Series("", index=idx[rows], dtype="str")
        checks = [(c, off_items[rows, i], items[rows, i], lo_item, hi_item)
                  for i, c in enumerate(ITEM_COLUMNS)]
        checks.append(("total", off_total[rows], total[rows], lo_tot, hi_tot))
        for c, o, v, lo, hi in checks:
            text = text.where(~o, text + label(c) + " = " + _fmt(v) + " (range "
                              + _fmt(lo[rows]) + "-" + _fmt(hi[rows]) + "); ")
        note = " Items were read as millimetres (0-100) and divided by 10." if scale == "mm" \
            else ""
        return "Outside the range of " + meas[m] + ": " + text.str.rstrip("; ") + "." + note
    reject(off_items.any(axis=1) | off_total, "out_of_range", out_of_range)
    reject((n_items > 0) & (n_items < 4), "partial_items",
           lambda m: "Only " + series(n_items)[m].astype(str) + " of 4 items present; "
           "partial sets are never prorated.")
    item_sum = items.sum(axis=1)  # NaN unless all four are present
    with np.errstate(invalid="ignore"):
        mismatch = np.abs(item_sum - total) > settings.total_tolerance + 1e-9
    reject(mismatch, "total_mismatch",
           lambda m: "Reported " + label("total") + " " + _fmt(total[m.to_numpy()])
           + " but the items add up to " + _fmt(item_sum[m.to_numpy()]) + ".")
    last = sh["_last"].to_numpy(dtype=object)
    late = pd.notna(last) & ~decided
    reason[late], message[late] = last[late], sh["_last_msg"].to_numpy(dtype=object)[late]
    decided |= late

    out = pd.DataFrame({"measure": meas}, index=idx)
    # rounded to 1e-6 so that sums and scale changes carry no floating-point noise
    # (3.7 + 4 + 3.2 + 4.2 is 15.100000000000001): the same score compares equal everywhere
    with np.errstate(over="ignore", invalid="ignore"):  # huge values are rejected anyway
        for i, c in enumerate(ITEM_COLUMNS):
            out[c] = np.round(items[:, i], 6)
        out["total"] = np.round(np.where(np.isnan(total), item_sum, total), 6)
    if imputable:
        out["items_imputed"] = (n_items == 4) & (items.max(axis=1) == items.min(axis=1))
    elif "items_imputed" in block:  # a canonical table says so itself
        out["items_imputed"] = parse_skip(block["items_imputed"])[0].to_numpy() & (n_items == 4)
    else:
        out["items_imputed"] = False
    codes = np.where(is_skipped, 2, np.where(decided, 1, 0)).astype(np.int8)
    out["status"] = pd.Series(pd.Categorical.from_codes(codes, categories=FATES), index=idx)
    out["reason"] = pd.Series(reason, index=idx, dtype=object)
    out["message"] = pd.Series(message, index=idx, dtype=object)
    return out, {"item_scale": scale}


def _fmt(v) -> np.ndarray:
    """Numbers as short text: 36, 7.5, 11.25 (only ever called on the rows rejected)."""
    return np.array([("" if pd.isna(x) else f"{x:g}") for x in np.asarray(v)], dtype=object)


_AGE_OF_MEASURE = {"CORS": "child", "CSRS": "child", "CGSRS": "child", "YCORS": "young_child"}


def assemble(shared: pd.DataFrame, blocks: list[pd.DataFrame]) -> pd.DataFrame:
    """Join the checked blocks of a table with the fields their raw rows share.

    Each block is indexed by raw row position (a wide row appears once per measure). A
    block that holds every row reuses the shared fields as they are, and the blocks are
    stacked (cheap for text columns, unlike taking rows). Children's measures imply an age
    group where the file gives none.
    """
    fields = shared.drop(columns=_SHARED_REASON)
    pieces = [fields if b.index.equals(fields.index) else fields.take(b.index.to_numpy())
              for b in blocks]
    out = pd.concat(pieces, ignore_index=True) if len(pieces) > 1 else \
        pieces[0].reset_index(drop=True)
    pos = np.concatenate([b.index.to_numpy() for b in blocks])
    checked = pd.concat(blocks, ignore_index=True) if len(blocks) > 1 else \
        blocks[0].reset_index(drop=True)
    for c in checked.columns:
        out[c] = checked[c]
    implied = out["measure"].map(_AGE_OF_MEASURE)
    out["age_group"] = out["age_group"].fillna(implied).astype("str")
    out["_pos"] = pos
    return out
