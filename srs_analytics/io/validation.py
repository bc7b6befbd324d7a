"""The boundary rules: parse cells, check every administration, give each rejection a reason.

The rules are those of ``docs/measures-and-rules.md`` (section "The canonical table and the
boundary rules"): a partial set of items is not prorated; 0 is a real score; a reported
total that disagrees with its items beyond rounding is an error; a value outside its range
is an error. Every check is vectorised over the whole table.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np
import pandas as pd

from .. import _text as tx
from .._checks import check_choice, check_number
from ..instruments import INSTRUMENTS, Instrument
from ..schema import ITEM_COLUMNS
from ._errors import LoadError
from .cells import categorize, parse_numbers, parse_skip, text, value
from .dates import parse_dates
from .limits import ReadLimits

#: Where each administration read ends up (the ``status`` of the loader's ledger).
FATES = ("loaded", "rejected", "skipped", "duplicate", "conflict")

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
    as_of : date-like or None
        The day the data is checked as of: a session dated after it is rejected
        (``future_date``). ``None`` is today, the day the check runs.
    earliest_date : date-like
        Sessions dated before it are rejected (``date_too_early``): 2000-01-01, as the ORS
        (Miller, Duncan et al. 2003; copyright 2000) and the SRS (Duncan et al. 2003) did
        not exist before, so an earlier date is a typing error or a placeholder such as
        ``01/01/1900``.
    max_session_number : int
        The largest session number taken as one (10,000; this project's choice: twenty
        years of weekly sessions are about 1,000). A larger one is rejected
        (``invalid_session_number``), as an identifier rather than a count.
    limits : ReadLimits
        The caps on what a file may make the readers decompress and parse.
    """

    dayfirst: bool | None = None
    item_scale: str | None = None
    total_tolerance: float = 0.5
    instruments: Mapping[str, Instrument] = field(default_factory=lambda: INSTRUMENTS)
    as_of: object = None
    earliest_date: object = "2000-01-01"
    max_session_number: int = 10_000
    limits: ReadLimits = field(default_factory=ReadLimits)

    def __post_init__(self) -> None:
        if self.dayfirst is not None and not isinstance(self.dayfirst, (bool, np.bool_)):
            raise LoadError(f"dayfirst must be True, False or None; got {self.dayfirst!r} "
                            f"({type(self.dayfirst).__name__}).")
        if self.item_scale is not None:
            try:
                check_choice("item_scale", self.item_scale, ("points", "mm"))
            except ValueError as exc:
                raise LoadError(f"{exc} ('points' is 0-10, 'mm' is 0-100).") from None
        for name, low in (("total_tolerance", 0), ("max_session_number", 1)):
            try:
                check_number(name, getattr(self, name), low,
                             integer=name == "max_session_number")
            except ValueError as exc:
                raise LoadError(f"{exc}.") from None
        if not isinstance(self.limits, ReadLimits):
            raise LoadError("limits must be a ReadLimits; got "
                            f"{type(self.limits).__name__}.")
        for name in ("as_of", "earliest_date"):
            object.__setattr__(self, name, _day(getattr(self, name), name))

    def date_bounds(self) -> tuple[pd.Timestamp, pd.Timestamp]:
        """The first and the last session date taken (``as_of`` or today)."""
        last = self.as_of if self.as_of is not None else pd.Timestamp.now().normalize()
        return self.earliest_date, last.as_unit("us")


def _day(v, name: str) -> pd.Timestamp | None:
    """A date-like setting as a Timestamp at midnight (``None`` stays ``None``)."""
    if v is None:
        return None
    if isinstance(v, bool):
        raise LoadError(f"{name} must be a date such as 2026-03-31; got {v!r}.")
    try:
        t = pd.Timestamp(v)
    except (ValueError, TypeError, OverflowError):
        t = pd.NaT
    if pd.isna(t):
        raise LoadError(f"{name} must be a date such as 2026-03-31; got {v!r}.")
    if t.tzinfo is not None:
        t = t.tz_localize(None)
    return t.normalize().as_unit("us")


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


# The boundary rules as one ordered table (CHECKS): a small check per rejection reason, plus
# the skip step in its place. A row gets the first check that applies to it. The checks of
# fields a raw row shares with all its administrations (``per_row``) read a _Row context and
# run once per raw row, in check_shared; the others read a _Block context, in check_block.


@dataclass(frozen=True)
class _Row:
    """The fields a raw row shares with its administrations, parsed once per raw table."""

    base: pd.DataFrame  # the raw shared cells under canonical names
    label: Callable[[str], str]  # canonical name -> how messages name the column
    client_id: pd.Series
    raw_date: pd.Series  # the session date cells as read
    date_written: np.ndarray  # the cell holds something (not blank, not a missing marker)
    dates: pd.Series  # parsed, NaT where blank or unreadable
    snum: pd.Series  # session number as a number, NaN where blank or not a number
    snum_bad: pd.Series  # written, but not a whole number from 1 to max_session_number
    max_session: int  # LoadSettings.max_session_number
    first_day: pd.Timestamp  # LoadSettings.earliest_date
    last_day: pd.Timestamp  # LoadSettings.as_of, or today
    as_of_given: bool  # the last day is an as_of the user gave (not today)
    reader_reason: np.ndarray | None  # the reader's verdicts on rows (None: all fine)
    reader_message: np.ndarray | None


@dataclass(frozen=True)
class _Block:
    """The score cells of one block of administrations, parsed once; arrays are per row."""

    block: pd.DataFrame  # the raw score cells (and skip flag) under canonical names
    label: Callable[[str], str]
    measure: pd.Series  # the measure as written
    meas: pd.Series  # the canonical measure, missing when unknown
    names: tuple[str, ...]  # the measures known (settings.instruments)
    skipped: np.ndarray  # flagged skipped by a valid skip flag
    bad_skip: np.ndarray  # a skip flag that is neither yes/no nor 1/0
    bad: dict[str, np.ndarray]  # score column -> cell is not a number
    items: np.ndarray  # rows x 4 on the 0-10 scale, NaN = missing
    total: np.ndarray  # the reported total (a one-rating measure's rating), NaN = none
    scale: str  # "points" or "mm" (read as millimetres and divided by 10)
    n_items: np.ndarray  # items present
    lo_item: np.ndarray  # the range of the row's measure (NaN when unknown)
    hi_item: np.ndarray
    lo_tot: np.ndarray
    hi_tot: np.ndarray
    off_items: np.ndarray  # rows x 4: item outside its range
    off_total: np.ndarray
    item_sum: np.ndarray  # NaN unless all four items are present
    tolerance: float

    def cells(self, name: str) -> pd.Series:
        """The raw cells of a column as stripped text (messages quote them as written)."""
        return text(_column(self.block, name))


@dataclass(frozen=True)
class Check:
    """One step of the boundary rules (an entry of :data:`CHECKS`).

    Attributes
    ----------
    code : str
        The reason given to the rows it rejects (a key of :data:`REASONS`), or, for the skip
        step, the fate ``"skipped"``.
    meaning : str
        What it means, in one line.
    applies : callable
        ``applies(context) -> bool array``: the rows it applies to, given the parsed cells.
    message : callable or None
        ``message(context, rows) -> str or array of str``: the messages for just ``rows``
        (a bool array: the rows this step decides); ``None`` for the skip step.
    per_row : bool
        Checks a field a raw row shares with all its administrations (a wide row holds an
        ORS and an SRS): computed once per raw row, by :func:`check_shared`.
    fate : {"rejected", "skipped"}
        What becomes of the rows it applies to: a reason rejects them; the skip step is a
        fate, not a reason (the row is ``skipped`` and no later check applies to it).
    """

    code: str
    meaning: str
    applies: Callable[..., np.ndarray]
    message: Callable[..., object] | None
    per_row: bool = False
    fate: str = "rejected"


def _unclosed_quote(r: _Row) -> np.ndarray:
    return _reader_said(r, "unclosed_quote")


def _extra_fields(r: _Row) -> np.ndarray:
    return _reader_said(r, "extra_fields")


def _reader_said(r: _Row, code: str) -> np.ndarray:
    if r.reader_reason is None:
        return np.zeros(len(r.client_id), dtype=bool)
    return r.reader_reason == code


def _reader_message(r: _Row, rows: np.ndarray) -> np.ndarray:
    return r.reader_message[rows]


def _no_client_id(r: _Row) -> np.ndarray:
    return r.client_id.isna().to_numpy(dtype=bool)


def _no_client_id_message(r: _Row, rows: np.ndarray) -> str:
    return f"No client identifier ({r.label('client_id')} is empty)."


def _bad_skip_flag(b: _Block) -> np.ndarray:
    return b.bad_skip


def _bad_skip_flag_message(b: _Block, rows: np.ndarray) -> pd.Series:
    return "Skip flag '" + b.cells("skip")[rows].fillna("") + "' is neither yes/no nor 1/0."


def _flagged_skipped(b: _Block) -> np.ndarray:
    return b.skipped


def _unknown_measure(b: _Block) -> np.ndarray:
    return b.meas.isna().to_numpy(dtype=bool)


def _unknown_measure_message(b: _Block, rows: np.ndarray) -> pd.Series:
    return ("Measure '" + text(b.measure)[rows].fillna("(empty)") + "' is not one of "
            + ", ".join(b.names) + ".")


def _no_scores(b: _Block) -> np.ndarray:
    return (b.n_items == 0) & np.isnan(b.total) & ~_not_a_number(b)


def _no_scores_message(b: _Block, rows: np.ndarray) -> str:
    return "The row holds no items and no total, and is not marked as skipped."


def _not_a_number(b: _Block) -> np.ndarray:
    return np.logical_or.reduce(list(b.bad.values()))


def _not_a_number_message(b: _Block, rows: np.ndarray) -> pd.Series:
    text = pd.Series("", index=b.block.index[rows], dtype="str")
    for c, bad in b.bad.items():
        text = text.where(~bad[rows], text + b.label(c) + " = '" + b.cells(c)[rows].fillna("")
                          + "' ")
    return "Not a number: " + text.str.strip() + "."


def _out_of_range(b: _Block) -> np.ndarray:
    return b.off_items.any(axis=1) | b.off_total


def _out_of_range_message(b: _Block, rows: np.ndarray) -> pd.Series:
    text = pd.Series("", index=b.block.index[rows], dtype="str")
    checks = [(c, b.off_items[rows, i], b.items[rows, i], b.lo_item, b.hi_item)
              for i, c in enumerate(ITEM_COLUMNS)]
    checks.append(("total", b.off_total[rows], b.total[rows], b.lo_tot, b.hi_tot))
    for c, off, v, lo, hi in checks:
        text = text.where(~off, text + b.label(c) + " = " + _fmt(v) + " (range "
                          + _fmt(lo[rows]) + "-" + _fmt(hi[rows]) + "); ")
    note = " Items were read as millimetres (0-100) and divided by 10." if b.scale == "mm" \
        else ""
    return "Outside the range of " + b.meas[rows] + ": " + text.str.rstrip("; ") + "." + note


def _partial_items(b: _Block) -> np.ndarray:
    return (b.n_items > 0) & (b.n_items < 4)


def _partial_items_message(b: _Block, rows: np.ndarray) -> pd.Series:
    return ("Only " + pd.Series(b.n_items[rows]).astype(str) + " of 4 items present; partial "
            "sets are never prorated.")


def _total_mismatch(b: _Block) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        return np.abs(b.item_sum - b.total) > b.tolerance + 1e-9


def _total_mismatch_message(b: _Block, rows: np.ndarray) -> np.ndarray:
    return ("Reported " + b.label("total") + " " + _fmt(b.total[rows])
            + " but the items add up to " + _fmt(b.item_sum[rows]) + ".")


def _bad_date(r: _Row) -> np.ndarray:
    return r.date_written & r.dates.isna().to_numpy(dtype=bool)


def _bad_date_message(r: _Row, rows: np.ndarray) -> pd.Series:
    written = value(r.raw_date[rows].astype("str"))
    return r.label("session_date") + " '" + written + "' is not a readable date."


def _written(cells: pd.Series) -> np.ndarray:
    """Which cells hold something: not blank, not a missing-value marker (each distinct
    value looked at once; dates are not formatted row by row)."""
    codes, uniques = pd.factorize(cells, use_na_sentinel=True)
    held = value(pd.Series(uniques).astype("str")).notna().to_numpy(dtype=bool)
    return np.append(held, False)[codes]


def _future_date(r: _Row) -> np.ndarray:
    return (r.dates > r.last_day).to_numpy(dtype=bool, na_value=False)


def _future_date_message(r: _Row, rows: np.ndarray) -> pd.Series:
    when = (f"the as-of date given ({r.last_day:%Y-%m-%d})" if r.as_of_given
            else f"today ({r.last_day:%Y-%m-%d})")
    return (r.label("session_date") + " " + _days(r.dates[rows]) + " is after " + when
            + ": a session cannot be rated before it happens.")


def _early_date(r: _Row) -> np.ndarray:
    return (r.dates < r.first_day).to_numpy(dtype=bool, na_value=False)


def _early_date_message(r: _Row, rows: np.ndarray) -> pd.Series:
    return (r.label("session_date") + " " + _days(r.dates[rows]) + " is before "
            + f"{r.first_day:%Y-%m-%d}, before the ORS and SRS existed (a typing error or a "
            "placeholder date?).")


def _days(dates: pd.Series) -> pd.Series:
    """Dates as yyyy-mm-dd text (years below 1000 with leading zeros)."""
    d = dates.dt
    return (d.year.astype("str").str.zfill(4) + "-" + d.month.astype("str").str.zfill(2) + "-"
            + d.day.astype("str").str.zfill(2))


def _bad_session_number(r: _Row) -> np.ndarray:
    return r.snum_bad.to_numpy(dtype=bool)


def _bad_session_number_message(r: _Row, rows: np.ndarray) -> pd.Series:
    written = text(_column(r.base, "session_number"))[rows].fillna("")
    return (r.label("session_number") + " '" + written + "' is not a whole number from 1 to "
            + f"{r.max_session:,}.")


def _no_session(r: _Row) -> np.ndarray:
    return (r.dates.isna() & r.snum.isna()).to_numpy(dtype=bool)


def _no_session_message(r: _Row, rows: np.ndarray) -> str:
    return "Neither a session date nor a session number."


#: The boundary rules in the order applied: a row gets the first that applies to it.
CHECKS: tuple[Check, ...] = (
    Check("unclosed_quote", "a quote left open in a text file swallowed the lines after it "
          "into one cell of this row",
          _unclosed_quote, _reader_message, per_row=True),
    Check("extra_fields", "the row has values beyond the header's last column (its cells "
          "are shifted)", _extra_fields, _reader_message, per_row=True),
    Check("missing_client_id", "no client identifier",
          _no_client_id, _no_client_id_message, per_row=True),
    Check("invalid_skip_flag", "a skip flag that is neither yes/no nor 1/0",
          _bad_skip_flag, _bad_skip_flag_message),
    # a fate, not a reason: a row flagged skipped by its own valid skip flag is skipped,
    # and no later check applies to it
    Check("skipped", "flagged as skipped by its own valid skip flag (a fate, not a reason)",
          _flagged_skipped, None, fate="skipped"),
    Check("unknown_measure",
          "the measure is not one of ORS, CORS, YCORS, SRS, CSRS, GSRS, CGSRS",
          _unknown_measure, _unknown_measure_message),
    Check("no_scores", "neither items nor a total, and not marked as skipped",
          _no_scores, _no_scores_message),
    Check("non_numeric_score", "a score cell holds something that is not a number",
          _not_a_number, _not_a_number_message),
    Check("out_of_range", "an item or total outside the measure's range",
          _out_of_range, _out_of_range_message),
    Check("partial_items", "some but not all four items (partial sets are never prorated)",
          _partial_items, _partial_items_message),
    Check("total_mismatch",
          "the reported total disagrees with the sum of the items beyond rounding",
          _total_mismatch, _total_mismatch_message),
    Check("invalid_date", "a session date that cannot be read as a date",
          _bad_date, _bad_date_message, per_row=True),
    Check("future_date", "a session date after today (or after the as-of date given)",
          _future_date, _future_date_message, per_row=True),
    Check("date_too_early", "a session date before 2000, when the measures did not exist "
          "(LoadSettings.earliest_date)", _early_date, _early_date_message, per_row=True),
    Check("invalid_session_number",
          "a session number that is not a whole number from 1 to 10,000 "
          "(LoadSettings.max_session_number)",
          _bad_session_number, _bad_session_number_message, per_row=True),
    Check("missing_session", "neither a session date nor a session number",
          _no_session, _no_session_message, per_row=True),
)

#: Reason codes of rejected rows, in the order applied (that of :data:`CHECKS`), with what
#: they mean.
REASONS: Mapping[str, str] = MappingProxyType(
    {c.code: c.meaning for c in CHECKS if c.fate == "rejected"})


def _stages(checks: tuple[Check, ...]) -> tuple[tuple[Check, ...], ...]:
    """The checks in order, each run of consecutive row-level checks as one stage."""
    stages: list[list[Check]] = []
    for c in checks:
        if c.per_row and stages and stages[-1][0].per_row:
            stages[-1].append(c)
        else:
            stages.append([c])
    return tuple(tuple(s) for s in stages)


_STAGES = _stages(CHECKS)
# check_shared's columns: the first reason and its message of each run of row-level checks
_ROW_STAGES = [s for s in _STAGES if s[0].per_row]
_SHARED_REASON = [col for n in range(len(_ROW_STAGES))
                  for col in (f"_reason{n}", f"_message{n}")]


def _apply(checks, context, reason: np.ndarray, message: np.ndarray, decided: np.ndarray,
           skipped: np.ndarray | None = None) -> None:
    """Give the rows not yet decided the first of ``checks`` that applies (in place)."""
    for c in checks:
        rows = c.applies(context) & ~decided
        if not rows.any():
            continue
        decided |= rows
        if c.fate == "skipped":
            skipped |= rows
        else:
            reason[rows] = c.code
            message[rows] = np.asarray(c.message(context, rows), dtype=object)


def check_shared(base: pd.DataFrame, colnames: Mapping[str, str], settings: LoadSettings,
                 *, where: str, reader: tuple | None = None) -> tuple[pd.DataFrame, dict]:
    """Parse the fields a raw row shares with all its administrations, once per row.

    Identifiers, the session (date and number), the rater and the descriptive columns.
    Returns the parsed fields plus the verdicts of the row-level checks of :data:`CHECKS`
    (the reader's ``unclosed_quote`` and ``extra_fields``, ``missing_client_id``; the
    date and session checks): for each run of consecutive row-level checks, the first
    reason that applies and its message, which :func:`check_block` gives in the run's
    place in the table. Also what was detected (``date_order``).

    ``reader`` is the reader's ``(reason, message)`` arrays for the rows of ``base`` (in
    order), or ``None`` when it found nothing wrong. A session date outside the dates
    taken (:meth:`LoadSettings.date_bounds`) is kept out of ``session_date``.
    """
    idx = base.index
    label = _labeller(colnames)
    out = pd.DataFrame(index=idx)
    out["client_id"] = text(_column(base, "client_id"))
    out["episode_id"] = text(_column(base, "episode_id")).fillna(out["client_id"])
    for c in ("clinician_id", "site", "group_id", "comment"):
        out[c] = text(_column(base, c))
    out["rater"] = categorize(_column(base, "rater"), _RATER, keep_unknown=True).fillna("self")
    out["age_group"] = categorize(_column(base, "age_group"), _AGE)
    out["format"] = categorize(_column(base, "format"), _FORMAT)
    out["setting"] = categorize(_column(base, "setting"), _SETTING)
    out["episode_status"] = categorize(_column(base, "episode_status"), _STATUS)

    raw = _column(base, "session_date")
    dates, date_order = parse_dates(raw, dayfirst=settings.dayfirst, where=where)
    first, last = settings.date_bounds()
    snum, snum_bad = parse_numbers(_column(base, "session_number"))
    with np.errstate(invalid="ignore"):
        snum_bad = snum_bad | (snum.notna() & ((snum < 1) | (snum % 1 != 0)
                                               | (snum > settings.max_session_number)))
    taken = dates.notna() & (dates >= first) & (dates <= last)
    out["session_date"] = dates.where(taken).astype("datetime64[ns]")
    out["session_number"] = snum.where(~snum_bad)

    reason, message = reader if reader is not None and reader[0] is not None else (None, None)
    row = _Row(base=base, label=label, client_id=out["client_id"],
               raw_date=raw, date_written=_written(raw), dates=dates, snum=snum,
               snum_bad=snum_bad,
               max_session=settings.max_session_number, first_day=first, last_day=last,
               as_of_given=settings.as_of is not None,
               reader_reason=None if reason is None else np.asarray(reason, dtype=object),
               reader_message=None if message is None else np.asarray(message, dtype=object))
    for n, stage in enumerate(_ROW_STAGES):
        reason = np.full(len(idx), None, dtype=object)
        message = np.full(len(idx), None, dtype=object)
        _apply(stage, row, reason, message, np.zeros(len(idx), dtype=bool))
        out[f"_reason{n}"] = pd.Series(reason, index=idx, dtype=object)
        out[f"_message{n}"] = pd.Series(message, index=idx, dtype=object)
    return out, {"date_order": date_order}


def _parse_block(block: pd.DataFrame, measure: pd.Series, colnames: Mapping[str, str],
                 settings: LoadSettings) -> _Block:
    """Parse the score cells of a block once, for the checks to read."""
    idx = block.index
    meas = categorize(measure, _MEASURE_NAMES)
    if "skip" in block:
        skipped, bad_skip = (s.to_numpy(dtype=bool) for s in parse_skip(block["skip"]))
    else:
        skipped = bad_skip = np.zeros(len(idx), dtype=bool)

    nums, bad = {}, {}
    for c in [*ITEM_COLUMNS, "total"]:
        v, b = parse_numbers(_column(block, c))
        nums[c], bad[c] = v.to_numpy(dtype="float64"), b.to_numpy(dtype=bool)
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
    return _Block(block=block, label=_labeller(colnames), measure=measure, meas=meas,
                  names=tuple(inst), skipped=skipped, bad_skip=bad_skip, bad=bad,
                  items=items, total=total, scale=scale, n_items=present.sum(axis=1),
                  lo_item=lo_item, hi_item=hi_item, lo_tot=lo_tot, hi_tot=hi_tot,
                  off_items=off_items, off_total=off_total, item_sum=items.sum(axis=1),
                  tolerance=settings.total_tolerance)


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
    The checks of :data:`CHECKS` are applied in order; a row gets the first that applies
    (the row-level ones as :func:`check_shared` found them, in their place in the order).
    """
    idx = block.index
    sh = shared[_SHARED_REASON]
    sh = sh if sh.index.equals(idx) else sh.loc[idx]
    cells = _parse_block(block, measure, colnames, settings)
    reason = np.full(len(idx), None, dtype=object)
    message = np.full(len(idx), None, dtype=object)
    decided = np.zeros(len(idx), dtype=bool)
    skipped = np.zeros(len(idx), dtype=bool)
    row_stage = 0
    for stage in _STAGES:
        if not stage[0].per_row:
            _apply(stage, cells, reason, message, decided, skipped)
            continue
        found = sh[f"_reason{row_stage}"].to_numpy(dtype=object)
        rows = pd.notna(found) & ~decided
        if rows.any():
            reason[rows] = found[rows]
            message[rows] = sh[f"_message{row_stage}"].to_numpy(dtype=object)[rows]
            decided |= rows
        row_stage += 1

    items, total, n_items = cells.items, cells.total, cells.n_items
    out = pd.DataFrame({"measure": cells.meas}, index=idx)
    # rounded to 1e-6 so that sums and scale changes carry no floating-point noise
    # (3.7 + 4 + 3.2 + 4.2 is 15.100000000000001): the same score compares equal everywhere
    with np.errstate(over="ignore", invalid="ignore"):  # huge values are rejected anyway
        for i, c in enumerate(ITEM_COLUMNS):
            out[c] = np.round(items[:, i], 6)
        out["total"] = np.round(np.where(np.isnan(total), cells.item_sum, total), 6)
    if imputable:
        out["items_imputed"] = (n_items == 4) & (items.max(axis=1) == items.min(axis=1))
    elif "items_imputed" in block:  # a canonical table says so itself
        out["items_imputed"] = parse_skip(block["items_imputed"])[0].to_numpy() & (n_items == 4)
    else:
        out["items_imputed"] = False
    codes = np.where(skipped, FATES.index("skipped"),
                     np.where(decided, FATES.index("rejected"), FATES.index("loaded")))
    out["status"] = pd.Series(pd.Categorical.from_codes(codes.astype(np.int8),
                                                        categories=FATES), index=idx)
    out["reason"] = pd.Series(reason, index=idx, dtype=object)
    out["message"] = pd.Series(message, index=idx, dtype=object)
    return out, {"item_scale": cells.scale}


def _fmt(v) -> np.ndarray:
    """Numbers as short text, 36, 7.5, 11.25, to six decimals (called on rejected rows)."""
    return tx.numbers(v, 6).to_numpy(zero_copy_only=False)


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
