"""Reading session dates: ISO text, day- or month-first text, month names, date cells and
Excel serial numbers, each distinct value parsed once.

Dates are read at microsecond resolution, which spans years 1 to 9999, so that a sentinel
such as ``9999-12-31`` or ``31/12/0001`` is read as what it says (and then rejected as a
date after today or before the measures existed) instead of overflowing.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ._errors import LoadError
from .cells import value

UNIT = "datetime64[us]"
_TIME = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
_DMY = re.compile(rf"^\s*(\d{{1,2}})[./-](\d{{1,2}})[./-](\d{{2}}|\d{{4}}){_TIME}\s*$")
_YMD = re.compile(rf"^\s*(\d{{4}})[./](\d{{1,2}})[./](\d{{1,2}}){_TIME}\s*$")
# a time zone after a time ("10:00+02:00", "10:00:00Z"): dropped, the date is as written
_TZ = r"(\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)\s*(?:Z|[+-]\d{2}(?::?\d{2})?)$"
_EXCEL_EPOCH = np.datetime64("1899-12-30", "D")
_EXCEL_LAST = 2958465  # 9999-12-31


def parse_dates(s: pd.Series, *, dayfirst: bool | None, where: str) -> tuple[pd.Series, str]:
    """Dates from text, date cells or Excel serial numbers (each distinct value parsed once).

    Day-first or month-first order is read from the data: a first part above 12 means
    day-first, a second part above 12 month-first. When no date tells and ``dayfirst`` is
    not given, this raises :class:`LoadError` rather than guess. A year written with two
    digits below 70 is 20xx, otherwise 19xx; a year written with four digits is that year
    (``0001`` is the year 1). ``yyyy/mm/dd`` is read as such. A time and a time zone are
    dropped: the date is the one written.

    Returns the dates (normalised to midnight, ``datetime64[us]``, ``NaT`` where blank or
    unreadable) and a description of what was found.
    """
    if len(s) == 0 or s.isna().all():
        return pd.Series(pd.NaT, index=s.index, dtype=UNIT), "none"
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    parsed, found = _parse_distinct(pd.Series(uniques), dayfirst, where)
    values = np.append(parsed.to_numpy(dtype=UNIT), np.datetime64("NaT", "us"))
    return pd.Series(values[codes], index=s.index), found


def _parse_distinct(s: pd.Series, dayfirst: bool | None, where: str) -> tuple[pd.Series, str]:
    out = pd.Series(pd.NaT, index=s.index, dtype=UNIT)
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        if getattr(s.dt, "tz", None) is not None:
            s = s.dt.tz_localize(None)
        return s.astype(UNIT).dt.normalize(), "date cells"
    if pd.api.types.is_bool_dtype(s.dtype):
        return out, "unreadable"
    if pd.api.types.is_numeric_dtype(s.dtype):
        return excel_serial(s), "Excel serial numbers"
    found = []
    obj = s.astype(object)
    is_dt = obj.map(lambda v: hasattr(v, "year") and hasattr(v, "month"), na_action="ignore")
    is_dt = is_dt.fillna(False).astype(bool)
    if is_dt.any():
        cells = obj[is_dt].map(lambda v: v.replace(tzinfo=None) if getattr(v, "tzinfo", None)
                               else v)
        out[is_dt] = pd.to_datetime(cells, errors="coerce").astype(UNIT).dt.normalize()
        found.append("date cells")
    txt = value(s.where(~is_dt).astype("str"))
    left = txt.notna()
    if left.any():  # the common case first: plain yyyy-mm-dd, parsed in C
        plain = pd.to_datetime(txt[left], format="%Y-%m-%d", errors="coerce")
        if plain.notna().any():
            out[plain.index[plain.notna()]] = plain[plain.notna()].astype(UNIT)
            found.append("ISO (yyyy-mm-dd)")
            left = left & out.isna()
    if left.any():
        iso_text = txt[left][txt[left].str.match(r"^\s*\d{4}-\d{1,2}-\d{1,2}")]
        iso = _to_datetime(iso_text.str.strip().str.replace(_TZ, r"\1", regex=True),
                           format="ISO8601")
        ok = iso.notna()
        if ok.any():
            out[iso.index[ok]] = iso[ok].astype(UNIT).dt.normalize()
            if "ISO (yyyy-mm-dd)" not in found:
                found.append("ISO (yyyy-mm-dd)")
        left = left & out.isna()
    if left.any():
        serial = pd.to_numeric(txt[left], errors="coerce")
        serial = serial[serial.between(1, _EXCEL_LAST)]
        if len(serial):
            out[serial.index] = excel_serial(serial)
            found.append("Excel serial numbers")
            left = left & out.isna()
    if left.any():
        parts = txt[left].str.extract(_YMD).dropna()
        if len(parts):
            out[parts.index] = _from_parts(parts[0], parts[1], parts[2])
            found.append("yyyy/mm/dd")
            left = left & out.isna()
    if left.any():
        parts = txt[left].str.extract(_DMY).dropna()
        if len(parts):
            a, b = parts[0].astype(int), parts[1].astype(int)
            order = _date_order(a, b, dayfirst, where)
            day, month = (a, b) if order == "day-first" else (b, a)
            y = parts[2].astype(int)
            two = parts[2].str.len().eq(2)
            year = y.where(~two, np.where(y < 70, 2000 + y, 1900 + y))
            out[parts.index] = _from_parts(year, month, day)
            found.append(order)
            left = left & out.isna()
    if left.any():  # month names ("3 Apr 2026"): unambiguous
        named = txt[left][txt[left].str.contains("[A-Za-z]{3}", regex=True)]
        if len(named):
            parsed = _to_datetime(named.str.replace(_TZ, r"\1", regex=True), format="mixed",
                                  dayfirst=bool(dayfirst))
            out[named.index] = parsed.astype(UNIT).dt.normalize()
            if parsed.notna().any():
                found.append("month names")
    return out, ", ".join(found) or "unreadable"


def _to_datetime(s: pd.Series, **options) -> pd.Series:
    """``pd.to_datetime(errors="coerce")``, that also gives NaT where pandas would raise."""
    try:
        out = pd.to_datetime(s, errors="coerce", **options)
    except (ValueError, TypeError, OverflowError):
        out = pd.Series(pd.NaT, index=s.index, dtype=UNIT)
    if getattr(out.dt, "tz", None) is not None:
        out = out.dt.tz_localize(None)
    return out


def _from_parts(year, month, day) -> pd.Series:
    parts = pd.DataFrame({"year": pd.Series(year).astype(int),
                          "month": pd.Series(month).astype(int),
                          "day": pd.Series(day).astype(int)})
    try:
        return pd.to_datetime(parts, errors="coerce").astype(UNIT)
    except (ValueError, OverflowError):
        return pd.Series(pd.NaT, index=parts.index, dtype=UNIT)


def excel_serial(s: pd.Series) -> pd.Series:
    """Excel serial numbers (days since 1899-12-30) as dates; NaT outside 1 to 2958465."""
    v = pd.to_numeric(s, errors="coerce").astype("float64")
    v = v.where(v.between(1, _EXCEL_LAST))
    days = np.round(v.to_numpy()).astype("float64")
    out = np.full(len(v), np.datetime64("NaT", "us"))
    ok = ~np.isnan(days)
    out[ok] = (_EXCEL_EPOCH + days[ok].astype(np.int64).astype("timedelta64[D]")).astype(
        "datetime64[us]")
    return pd.Series(out, index=s.index, dtype=UNIT)


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
