"""De-identified exports for sharing data with a researcher or a registry.

:func:`deidentify` turns the canonical table into one that can leave the clinic: client,
episode, clinician, site and group ids replaced by keyed pseudonyms (HMAC-SHA256 with the
user's secret key), dates replaced by days since the episode's start (or shifted by a
fixed number of days per client), free text, file names and every column that is not an
ORS/SRS field removed, raters reduced to their role, and text cells that a spreadsheet
would run as a formula neutralised. :func:`write_research_export` writes it with a short
data dictionary beside it. How and why: ``docs/research.md``, "De-identified export".

The key stays with the user: it is read, used and never written. The same key gives the
same pseudonyms in every export (so that exports of successive months can be joined);
another key gives other pseudonyms; without the key a pseudonym cannot be traced back,
not even by trying every plausible id (a keyed hash cannot be recomputed without the key).

Examples
--------
>>> from srs_analytics import load_sample
>>> key = b"an example key of 32 bytes or more, never this one"
>>> out = deidentify(load_sample(), key)
>>> out.columns.tolist()[:6]
['client_id', 'episode_id', 'clinician_id', 'site', 'group_id', 'days_since_start']
>>> out["client_id"].str.match(r"C-[0-9a-f]{16}$").all(), "comment" in out
(np.True_, False)
"""

from __future__ import annotations

import hashlib
import hmac
import os
from pathlib import Path

import numpy as np
import pandas as pd

from . import _docstrings
from ._checks import check_choice, check_number, require_columns
from ._frames import column_map
from .io import neutralise

__all__ = ["MIN_KEY_BYTES", "RATER_ROLES", "KeyFileError",
           "data_dictionary", "deidentify", "pseudonyms", "read_key",
           "write_research_export"]

#: The shortest key accepted, in bytes (256 bits of a random key: ``secrets.token_hex(32)``
#: gives 64 characters).
MIN_KEY_BYTES = 32
#: Rater roles kept as they are; any other rater becomes ``other`` (a name typed into the
#: rater field must not travel).
RATER_ROLES = ("self", "parent", "carer", "guardian", "teacher", "partner", "sibling",
               "other")
_DATES = ("relative", "shift")
_KINDS = {"client_id": "C", "episode_id": "E", "clinician_id": "T", "site": "S",
          "group_id": "G"}
_KEPT = ("session_number", "measure", "rater", "item_1", "item_2", "item_3", "item_4",
         "total", "items_imputed", "age_group", "format", "setting", "episode_status")
_MAKE_KEY = ('python -c "import secrets; print(secrets.token_hex(32))" > research.key')


class KeyFileError(ValueError):
    """The key file is missing, unreadable, empty or too short."""


def read_key(path) -> bytes:
    """The secret key in the file ``path``, checked.

    Surrounding whitespace (a trailing newline) is not part of the key. A missing,
    unreadable, empty or short key (under :data:`MIN_KEY_BYTES` bytes), or one made of
    fewer than 8 distinct characters, raises :class:`KeyFileError` with how to make one.
    """
    p = Path(os.fspath(path))
    how = f"Make one with: {_MAKE_KEY} and keep it out of the data folder."
    if not p.is_file():
        raise KeyFileError(f"The key file {p} does not exist. {how}")
    try:
        key = p.read_bytes().strip()
    except OSError as exc:
        raise KeyFileError(f"The key file {p} cannot be read ({exc.strerror}).") from None
    _check_key(key, f"The key file {p}", how)
    return key


def _check_key(key: bytes, what: str, how: str) -> None:
    if not key:
        raise KeyFileError(f"{what} is empty. {how}")
    if len(key) < MIN_KEY_BYTES:
        raise KeyFileError(f"{what} holds {len(key)} bytes; a key needs at least "
                           f"{MIN_KEY_BYTES}. {how}")
    if len(set(key)) < 8:
        raise KeyFileError(f"{what} repeats fewer than 8 distinct characters: not a secret "
                           f"key. {how}")


def _key(key) -> bytes:
    if isinstance(key, (bytes, bytearray)):
        key = bytes(key).strip()
        _check_key(key, "The key", f"Make one with: {_MAKE_KEY}")
        return key
    if isinstance(key, (str, os.PathLike)):
        return read_key(key)
    raise TypeError(f"key must be the key's bytes or the path of the key file; got "
                    f"{type(key).__name__}")


def pseudonyms(values, key, kind: str = "C") -> np.ndarray:
    """Keyed pseudonyms of ``values``: ``kind-`` and 16 hex digits of HMAC-SHA256.

    The message is ``kind``, a unit separator and the value as text, so the same id as a
    client and as a clinician gets two unrelated pseudonyms. Missing values stay missing.
    Each distinct value is hashed once.

    Examples
    --------
    >>> key = b"0123456789abcdef0123456789abcdef"
    >>> p = pseudonyms(["C1", "C2", "C1", None], key)
    >>> p[0] == p[2], p[0] != p[1], p[3] is None, len(p[0])
    (True, True, True, 18)
    """
    key = _key(key)
    codes, uniques = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=True)
    names = [f"{kind}-" + hmac.new(key, f"{kind}\x1f{u}".encode(), hashlib.sha256)
             .hexdigest()[:16] for u in uniques]  # once per distinct id: hashing is per value
    if len(set(names)) < len(names):
        raise ValueError("two ids got the same pseudonym (a 1 in 10^19 chance per pair); "
                         "export again with another key")
    out = np.array([*names, None], dtype=object)
    return out[np.where(codes < 0, len(names), codes)]


def _shift_days(clients, key, max_days: int) -> np.ndarray:
    """A fixed shift per client, from -max_days to +max_days (never 0), from the key."""
    codes, uniques = pd.factorize(pd.Series(clients, dtype=object))
    shifts = np.array([  # once per distinct client
        int.from_bytes(hmac.new(key, f"shift\x1f{u}".encode(), hashlib.sha256).digest()[:8],
                       "big") % (2 * max_days + 1) - max_days for u in uniques],
        dtype=np.int64)
    shifts[shifts == 0] = max_days
    return shifts[codes]


@_docstrings.fill
def deidentify(
    data: pd.DataFrame,
    key,
    *,
    dates: str = "relative",
    max_shift_days: int = 183,
    client: str = "client_id",
    episode: str = "episode_id",
    clinician: str = "clinician_id",
    site: str = "site",
    session: str = "session_number",
    date: str = "session_date",
    measure: str = "measure",
    rater: str = "rater",
    total: str = "total",
    items: tuple[str, str, str, str] = ("item_1", "item_2", "item_3", "item_4"),
    imputed: str = "items_imputed",
    age_group: str = "age_group",
    group: str = "group_id",
    format: str = "format",
    setting: str = "setting",
    status: str = "episode_status",
) -> pd.DataFrame:
    """The canonical table with nothing left that names a person, a place or a day.

    Parameters
    ----------
    {data}
    key : bytes or path-like
        The secret key, or the path of the file holding it (:func:`read_key`). At least
        :data:`MIN_KEY_BYTES` bytes. Keep it: the same key gives the same pseudonyms.
    dates : {"relative", "shift"}, default "relative"
        ``relative``: ``days_since_start``, days from the episode's first session (the
        date itself goes). ``shift``: ``session_date`` moved by a number of days fixed
        for each client and drawn from the key, so intervals within a client survive
        (the partners of a couple are shifted apart: use ``relative`` for couples).
    max_shift_days : int, default 183
        The largest shift, in days, either way.
    {columns}
        Only the first six of the canonical table are required.

    Returns
    -------
    pandas.DataFrame
        One row per administration, sorted by the pseudonyms and the session:
        ``client_id``, ``episode_id``, ``clinician_id``, ``site``, ``group_id``
        (pseudonyms ``C-``, ``E-``, ``T-``, ``S-``, ``G-`` and 16 hex digits),
        ``days_since_start`` (or ``session_date``), ``session_number``, ``measure``,
        ``rater`` (a role of :data:`RATER_ROLES`), ``item_1`` .. ``item_4``, ``total``,
        ``items_imputed``, ``age_group`` (the age is never more precise than the group),
        ``format``, ``setting``, ``episode_status``, under their canonical names. The
        comment, the source file and row and every other column are left out; text that
        a spreadsheet would run is neutralised (:func:`srs_analytics.io.neutralise`, the
        rule of every writer).

    Notes
    -----
    A pseudonym is HMAC-SHA256 of the id under the key (RFC 2104), cut to 64 bits: the
    same id and key give the same pseudonym, another key an unrelated one, and without
    the key there is no way from a pseudonym back to the id, not even trying every id.
    This is pseudonymisation in the sense of the GDPR (Art. 4(5)): with the key and the
    original data the link can be remade, so the key is kept apart and never exported.
    Small groups can still single a person out (one adolescent in a site in a month);
    aggregate tables that leave the clinic go through
    :func:`srs_analytics.caseload.suppress_small_cells`.

    References
    ----------
    Krawczyk, H., Bellare, M. and Canetti, R. (1997). HMAC: keyed-hashing for message
    authentication. RFC 2104.
    Regulation (EU) 2016/679 (GDPR), Article 4(5) (pseudonymisation).
    OWASP, "CSV Injection" (formula cells).
    """
    check_choice("dates", dates, _DATES)
    check_number("max_shift_days", max_shift_days, 1, integer=True)
    secret = _key(key)
    cols = column_map(client=client, episode=episode, clinician=clinician, site=site,
                      session=session, date=date, measure=measure, rater=rater, total=total,
                      items=items, imputed=imputed, age_group=age_group, group=group,
                      format=format, setting=setting, status=status)
    require_columns(data, cols, ("client", "episode", "session", "measure", "rater",
                                 "total"))
    canon = {"client": "client_id", "episode": "episode_id", "clinician": "clinician_id",
             "site": "site", "session": "session_number", "date": "session_date",
             "measure": "measure", "rater": "rater", "total": "total",
             "imputed": "items_imputed", "age_group": "age_group", "group": "group_id",
             "format": "format", "setting": "setting", "status": "episode_status",
             **{f"item_{j + 1}": f"item_{j + 1}" for j in range(4)}}
    src = {canon[k]: data[c] for k, c in cols.items() if k in canon and c in data.columns}
    n = len(data)
    out = pd.DataFrame(index=range(n))
    for name, kind in _KINDS.items():
        values = src[name].to_numpy(dtype=object) if name in src else np.full(n, None)
        out[name] = pd.array(pseudonyms(values, secret, kind), dtype="str")
    when = pd.to_datetime(src.get("session_date", pd.Series(pd.NaT, index=data.index)),
                          errors="coerce").reset_index(drop=True)
    if dates == "relative":
        start = when.groupby(src["episode_id"].astype(str).to_numpy()).transform("min")
        out["days_since_start"] = (when - start).dt.days.astype("Int64")
    else:
        shift = _shift_days(src["client_id"].to_numpy(dtype=object), secret, max_shift_days)
        out["session_date"] = when + pd.to_timedelta(shift, unit="D")
    for name in _KEPT:
        if name in src:
            out[name] = src[name].reset_index(drop=True).array
    roles = out["rater"].astype("str").str.strip().str.lower()
    out["rater"] = roles.where(roles.isin(RATER_ROLES), "other").astype("str")
    order = ["client_id", "episode_id", "clinician_id", "site", "group_id",
             "days_since_start" if dates == "relative" else "session_date", *_KEPT]
    out = out[[c for c in order if c in out.columns]]
    out = out.sort_values(["client_id", "episode_id", "session_number", "measure", "rater"],
                          kind="stable", ignore_index=True)
    return neutralise(out)


_DESCRIPTIONS = {
    "client_id": "Pseudonym of the client (HMAC-SHA256 of the id under the exporter's "
                 "secret key, 64 bits). Stable across exports made with the same key.",
    "episode_id": "Pseudonym of the episode of care (clients seen together share it).",
    "clinician_id": "Pseudonym of the clinician.",
    "site": "Pseudonym of the service location.",
    "group_id": "Pseudonym of the therapy group (group members only).",
    "days_since_start": "Days from the first session of the episode to this session "
                        "(the dates themselves are not exported).",
    "session_date": "Session date moved by a fixed number of days per client (at most "
                    "{max_shift} either way); intervals within a client are kept.",
    "session_number": "Session number, 1-based within the episode.",
    "measure": "ORS, CORS, YCORS (outcome) or SRS, CSRS, GSRS, CGSRS (alliance).",
    "rater": "self, or the collateral rater's role (" + ", ".join(RATER_ROLES[1:]) + ").",
    "item_1": "First item, 0-10 (ORS: individual; SRS: relationship).",
    "item_2": "Second item, 0-10 (ORS: interpersonal; SRS: goals and topics).",
    "item_3": "Third item, 0-10 (ORS: social; SRS: approach or method).",
    "item_4": "Fourth item, 0-10 (overall). Items are missing for totals-only sources.",
    "total": "Total score 0-40 (YCORS 1-4).",
    "items_imputed": "True when the items were back-filled from a total, not rated.",
    "age_group": "young_child (under 6), child (6-12), adolescent (13-17), adult; ages "
                 "are not exported more precisely.",
    "format": "paper, digital or verbal administration.",
    "setting": "in_person or telehealth.",
    "episode_status": "open, closed_planned or closed_unplanned (at the export).",
}


def data_dictionary(table: pd.DataFrame, *, max_shift_days: int = 183) -> pd.DataFrame:
    """The data dictionary of a de-identified table: ``column``, ``type``,
    ``description``, one row per column, and a last row on what was removed.

    Examples
    --------
    >>> t = pd.DataFrame({"client_id": ["C-0123456789abcdef"], "total": [31.5]})
    >>> data_dictionary(t)["column"].tolist()
    ['client_id', 'total', '(removed)']
    """
    rows = []
    for col in table.columns:
        dtype = table[col].dtype
        kind = ("integer" if pd.api.types.is_integer_dtype(dtype) else
                "boolean" if pd.api.types.is_bool_dtype(dtype) else
                "number" if pd.api.types.is_numeric_dtype(dtype) else
                "date" if pd.api.types.is_datetime64_any_dtype(dtype) else "text")
        text = _DESCRIPTIONS.get(col, "")
        rows.append({"column": col, "type": kind,
                     "description": text.format(max_shift=max_shift_days)})
    rows.append({"column": "(removed)", "type": "",
                 "description": "Free-text comments, source file names and rows, exact "
                                "dates (see above), and every column that is not an "
                                "ORS/SRS field (names, dates of birth, contact details, "
                                "national numbers, exact ages). Text cells starting with "
                                "= + - @ begin with an apostrophe so that spreadsheets "
                                "do not run them."})
    return pd.DataFrame(rows, columns=["column", "type", "description"])


def write_research_export(data: pd.DataFrame, key, path, *, dates: str = "relative",
                          max_shift_days: int = 183, **columns) -> tuple[Path, Path]:
    """Write :func:`deidentify` of ``data`` to ``path`` (``.csv``, ``.tsv``, ``.parquet``
    or ``.xlsx``) and its :func:`data_dictionary` beside it as
    ``<name>_dictionary.csv``. The key is never written.

    Returns
    -------
    tuple of Path
        The export and the dictionary.
    """
    from .io.writers import write_table

    path = Path(path)
    table = deidentify(data, key, dates=dates, max_shift_days=max_shift_days, **columns)
    out = write_table(table, path)
    dictionary = write_table(data_dictionary(table, max_shift_days=max_shift_days),
                             path.with_name(f"{path.stem}_dictionary.csv"))
    return out, dictionary
