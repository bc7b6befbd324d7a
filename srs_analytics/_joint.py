"""Private: clients rated together, computed once for the tables of ``couples.py`` and
``groups.py`` and for the alert rules that read them.

- :func:`joint_sessions`: the sessions in which two or more clients of one episode (a
  couple, a family) rated the same measure family, with their totals, gap, split and the
  item where they differ most, and the run of those sessions over the episode;
- :func:`couple_summary`: each episode's joint sessions summarised (split share, gap
  trend, the client most often lowest, whether the outcomes part);
- :func:`group_ratings`: the group measures by group and group session, and each member's
  rating against the rest of the group.

Everything is one sort and reductions over whole columns (``np.*.reduceat``,
``np.bincount``); nothing loops over episodes or groups. The loops run over the positions
within a session (a couple has two, a family a handful), over the four items, or over the
sessions of a window (three).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import numpy as np
import pandas as pd

from . import _text as tx
from ._checks import require_columns
from ._frames import EPS, lag, positions
from .instruments import INSTRUMENTS
from .outcomes import session_outcomes

#: The measure families compared between clients seen together, by the name of the
#: family's adult measure: the alliance (SRS, CSRS) and the outcome (ORS, CORS). The YCORS
#: (a 1-4 rating) and the group measures are left out.
FAMILIES: Mapping[str, tuple[str, ...]] = MappingProxyType({"SRS": ("SRS", "CSRS"),
                                                            "ORS": ("ORS", "CORS")})
#: The group measures.
GROUP_MEASURES = ("GSRS", "CGSRS")
_ITEMS = {f: INSTRUMENTS[f].items for f in FAMILIES}
# "a;b" labels of every subset of the four items of each family, indexed by a 4-bit mask
_SUBSETS = {f: np.array([";".join(lab for j, lab in enumerate(items) if m >> j & 1)
                         for m in range(16)], dtype=object) for f, items in _ITEMS.items()}
_BIG = np.iinfo(np.int64).max


# --------------------------------------------------------------------------- helpers
def _starts(*codes) -> np.ndarray:
    """True where a row starts a new combination of the (sorted) ``codes``."""
    n = len(codes[0])
    new = np.zeros(n, dtype=bool)
    new[:1] = True
    for c in codes:
        new[1:] |= c[1:] != c[:-1]
    return new


def _text(values) -> np.ndarray:
    """Text as a numpy object array ("" for missing)."""
    return tx.text(values).to_numpy(zero_copy_only=False)


def _joined(values: np.ndarray, gid: np.ndarray, n: int, sep: str = ";") -> np.ndarray:
    """The texts of the rows of each group joined by ``sep`` in row order ("" for a group
    without rows). ``gid`` is sorted; the loop runs over positions within a group."""
    out = np.full(n, "", dtype=object)
    if not len(gid):
        return out
    pos, _ = positions(gid)
    for k in range(int(pos.max()) + 1):
        at = np.flatnonzero(pos == k)
        out[gid[at]] = out[gid[at]] + (sep if k else "") + values[at]
    return out


def _first_where(mask: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """The first row of each group (``starts``) where ``mask`` holds, -1 where none."""
    idx = np.where(mask, np.arange(len(mask)), _BIG)
    first = np.minimum.reduceat(idx, starts) if len(starts) else idx[:0]
    return np.where(first == _BIG, -1, first)


def strings(values) -> pd.api.extensions.ExtensionArray:
    """A pandas ``str`` column, NA where ``values`` is None."""
    return pd.array(np.asarray(values, dtype=object), dtype="str")


def _items(df, cols) -> np.ndarray:
    """The items of each row, (n, 4), NaN where not all four were rated or they were
    back-filled from a total."""
    names = [cols[f"item_{j + 1}"] for j in range(4)] if "item_1" in cols else []
    if not names or not all(c in df.columns for c in names):
        return np.full((len(df), 4), np.nan)
    x = np.array(df[names].to_numpy(dtype=float, na_value=np.nan))
    imputed = (df[cols["imputed"]].fillna(False).to_numpy(dtype=bool)
               if cols.get("imputed") in df.columns else np.zeros(len(df), bool))
    x[np.isnan(x).any(axis=1) | imputed] = np.nan
    return x


def _most_divergent(x, starts, family):
    """The item(s) whose highest and lowest rating in each group differ most, and that
    difference; NA and NaN where fewer than two rows rated items or none differ."""
    if not len(starts):
        return strings([]), np.zeros(0)
    rated = ~np.isnan(x[:, 0])
    n_rated = np.add.reduceat(rated.astype(np.int64), starts)
    spread = np.fmax.reduceat(x, starts, axis=0) - np.fmin.reduceat(x, starts, axis=0)
    top = spread.max(axis=1)
    ok = (n_rated >= 2) & (top > EPS)
    bits = ((np.abs(spread - top[:, None]) <= EPS).astype(np.int64) << np.arange(4)).sum(1)
    labels = np.empty(len(starts), dtype=object)
    for f, subsets in _SUBSETS.items():  # two families
        here = family == f
        labels[here] = subsets[bits[here]]
    labels[~ok] = None
    return strings(labels), np.where(ok, top, np.nan)


def _float_key(values) -> np.ndarray:
    return pd.to_numeric(pd.Series(values), errors="coerce").to_numpy(dtype=float)


def _session_numbers(df, cols, what):
    session = _float_key(df[cols["session"]])
    if np.isnan(session).any():
        raise ValueError(f"session={cols['session']!r} is missing on some {what} rows; the "
                         "loader derives session numbers from dates (srs_analytics.load)")
    return session


def _days(df, cols) -> np.ndarray:
    """Session dates as int64 nanoseconds, NaT as the largest int64 (sorts last)."""
    if cols["date"] not in df.columns:
        return np.full(len(df), _BIG)
    d = pd.to_datetime(df[cols["date"]], errors="coerce").to_numpy(dtype="datetime64[ns]")
    d = d.view(np.int64)
    return np.where(d == np.iinfo(np.int64).min, _BIG, d)


def _dates(days) -> np.ndarray:
    return np.where(days == _BIG, np.iinfo(np.int64).min, days).view("datetime64[ns]")


def _first_known(values: pd.Series, gid: np.ndarray, n: int):
    """The first known value of each group (NA where none)."""
    return pd.Series(values.to_numpy(dtype=object)).groupby(gid).first().reindex(
        range(n)).to_numpy(dtype=object)


# --------------------------------------------------------------------------- couples
def _joint_rows(data, cols, s, families, outcomes):
    """Self-ratings of the ``families`` in episodes with two or more clients, one per
    client, episode, family and session, sorted by episode, family, session and client."""
    need = ("client", "episode", "session", "measure", "rater", "total")
    require_columns(data, cols, need)
    measures = [m for f in families for m in FAMILIES[f]]
    keep = (data[cols["rater"]].eq("self").to_numpy(dtype=bool, na_value=False)
            & data[cols["measure"]].isin(measures).to_numpy(dtype=bool)
            & pd.to_numeric(data[cols["total"]], errors="coerce").notna().to_numpy())
    # the episodes with two or more clients, found on two columns before the others are read
    rows = np.flatnonzero(keep)
    who = data[[cols["episode"], cols["client"]]].iloc[rows]
    for key in ("client", "episode"):
        if who[cols[key]].isna().any():
            raise ValueError(f"{key}={cols[key]!r} has missing values")
    e = pd.factorize(who[cols["episode"]])[0]
    c = pd.factorize(who[cols["client"]])[0]
    pairs = np.unique(e.astype(np.int64) * (c.max(initial=0) + 1) + c)
    n_clients = np.bincount(pairs // (c.max(initial=0) + 1), minlength=e.max(initial=-1) + 1)
    take = [c for k, c in cols.items() if k != "items" and c in data.columns]
    df = data[list(dict.fromkeys(take))].iloc[rows[n_clients[e] >= 2]]
    session = _session_numbers(df, cols, "joint")
    e, episodes = pd.factorize(df[cols["episode"]], sort=True)
    c, clients = pd.factorize(df[cols["client"]], sort=True)
    measure = df[cols["measure"]].to_numpy(dtype=object)
    fam = np.select([np.isin(measure, FAMILIES[f]) for f in families],
                    list(range(len(families))), -1)
    rank = np.select([measure == m for m in measures], list(range(len(measures))), 0)
    order = np.lexsort((np.arange(len(df)), rank, c, session, fam, e))
    df, e, c, fam, session = df.iloc[order], e[order], c[order], fam[order], session[order]
    first = _starts(e, fam, session, c)  # one rating per client, family and session
    df, e, c, fam, session = df[first], e[first], c[first], fam[first], session[first]
    r = pd.DataFrame({"e": e, "c": c, "fam": fam, "session": session,
                      "total": pd.to_numeric(df[cols["total"]]).to_numpy(dtype=float),
                      "measure": df[cols["measure"]].to_numpy(dtype=object),
                      "days": _days(df, cols)})
    r["client"] = clients.to_numpy(dtype=object)[c]
    r["episode"] = episodes.to_numpy(dtype=object)[e]
    clin = cols.get("clinician")
    r["clinician"] = (df[clin].to_numpy(dtype=object) if clin in df.columns
                      else np.full(len(df), None, dtype=object))
    x = _items(df, cols)
    alliance = fam == (families.index("SRS") if "SRS" in families else -1)
    r["below"] = alliance & (r["total"].to_numpy() < s.alliance.cutoff - EPS)
    for name in ("change", "improved", "worse", "clinical"):
        r[name] = np.nan if name == "change" else False
    o = None
    if "ORS" in families:
        o = outcomes if outcomes is not None else _outcomes(data, cols, s, df)
        r = _with_outcomes(r, o, cols, fam == families.index("ORS"))
    return r, x, o


def _outcomes(data, cols, s, df):
    """:func:`session_outcomes` of the data, on the joint episodes only where no rule
    depends on the other clients (the points method and a fixed or default cutoff)."""
    independent = s.outcome.method == "points" and s.outcome.cutoff not in ("a", "b", "c")
    whole = data
    if independent:
        whole = data[data[cols["episode"]].isin(pd.unique(df[cols["episode"]])).to_numpy(
            dtype=bool)]
    args = {k: cols[k] for k in ("client", "episode", "clinician", "session", "date",
                                 "measure", "rater", "total", "age_group")}
    return session_outcomes(whole, settings=s.outcome, **args)


def _with_outcomes(r, o, cols, is_ors):
    """The change from intake, reliable change and clinical range of the outcome rows."""
    o = o[o[cols["episode"]].isin(pd.unique(r["episode"])).to_numpy(dtype=bool)]
    keys = pd.DataFrame({"client": o[cols["client"]].to_numpy(dtype=object),
                         "episode": o[cols["episode"]].to_numpy(dtype=object),
                         "measure": o[cols["measure"]].to_numpy(dtype=object),
                         "session": _float_key(o[cols["session"]]),
                         "_change": o["ors_change"].to_numpy(dtype=float),
                         "_improved": o["reliable_improvement"].to_numpy(dtype=bool,
                                                                         na_value=False),
                         "_worse": o["reliable_deterioration"].to_numpy(dtype=bool,
                                                                        na_value=False),
                         "_clinical": o["clinical"].to_numpy(dtype=bool, na_value=False)})
    on = ["client", "episode", "measure", "session"]
    keys = keys.drop_duplicates(on)
    got = r.loc[is_ors, on].merge(keys, on=on, how="left")  # a left merge keeps the order
    r.loc[is_ors, "change"] = got["_change"].to_numpy()
    for name in ("improved", "worse", "clinical"):
        r.loc[is_ors, name] = got[f"_{name}"].fillna(False).to_numpy(dtype=bool)
    r.loc[is_ors, "below"] = r.loc[is_ors, "clinical"].to_numpy(dtype=bool)
    return r


def joint_sessions(data, cols, s, *, families=("SRS", "ORS"), outcomes=None):
    """The joint sessions of clients seen together and the rows they hold.

    ``s`` holds the couple thresholds and ``s.alliance`` (cutoff) and ``s.outcome``
    (reliable change, cutoffs); ``outcomes`` is :func:`session_outcomes` of ``data`` with
    ``s.outcome`` when already computed. Returns ``(sessions, rows)``: ``sessions`` one row
    per episode, family and session with two or more clients (sorted by episode, family,
    session), ``rows`` their ratings (with ``gid``, the row of ``sessions``), ``outcomes``
    the outcome table read (None without the ORS family).
    """
    families = tuple(families)
    r, x, outcomes = _joint_rows(data, cols, s, families, outcomes)
    key_new = _starts(r["e"].to_numpy(), r["fam"].to_numpy(), r["session"].to_numpy())
    gid = np.cumsum(key_new) - 1
    size = np.bincount(gid) if len(gid) else np.zeros(0, np.int64)
    joint = size[gid] >= 2 if len(gid) else np.zeros(0, bool)
    r, x = r[joint].reset_index(drop=True), x[joint]
    new = _starts(r["e"].to_numpy(), r["fam"].to_numpy(), r["session"].to_numpy())
    gid = np.cumsum(new) - 1
    starts = np.flatnonzero(new)
    r["gid"] = gid
    return _session_table(r, x, gid, starts, families, s), r, outcomes


def _session_table(r, x, gid, starts, names, s):
    n = len(starts)
    t = r["total"].to_numpy()
    size = np.diff(np.append(starts, len(r))).astype(np.int64)
    lo = np.minimum.reduceat(t, starts) if n else t[:0]
    hi = np.maximum.reduceat(t, starts) if n else t[:0]
    total = np.add.reduceat(t, starts) if n else t[:0]
    is_low = np.abs(t - lo[gid]) <= EPS
    lowest = _first_where(is_low, starts)
    n_low = np.bincount(gid, is_low, minlength=n).astype(np.int64)
    below = r["below"].to_numpy(dtype=bool)
    n_below = np.bincount(gid, below, minlength=n).astype(np.int64)
    family = np.asarray(names, dtype=object)[r["fam"].to_numpy()[starts]] if n else \
        np.zeros(0, dtype=object)
    client = _text(r["client"])
    days = r["days"].to_numpy()
    out = pd.DataFrame({
        "episode": r["episode"].to_numpy(dtype=object)[starts],
        "session": r["session"].to_numpy()[starts],
        "days": np.minimum.reduceat(days, starts) if n else days[:0],
        "clinician": _first_known(r["clinician"], gid, n),
        "family": family,
        "measures": _measures(r["measure"].to_numpy(dtype=object), gid, n),
        "n_clients": size,
        "clients": _joined(client, gid, n),
        "totals": _joined(_text(tx.numbers(t)), gid, n),
        "min_total": lo, "max_total": hi, "mean_total": total / np.maximum(size, 1),
        "gap": np.round(hi - lo, 9),
    })
    pick = np.flatnonzero(is_low)
    out["lowest_client"] = _joined(client[pick], gid[pick], n)
    out["n_below_cutoff"] = n_below
    out["split"] = (n_below >= 1) & (n_below < size)
    out["large_gap"] = out["gap"].to_numpy() >= s.gap - EPS
    out["most_divergent_item"], out["item_gap"] = _most_divergent(x, starts, family)
    out["_lowest_row"] = lowest
    out["_n_lowest"] = n_low
    _over_episode(out, s)
    _divergence(out, r, gid, starts, s)
    each = client + " " + _text(tx.numbers(t))
    out["_detail"] = _joined(each, gid, n, ", ")
    out["_below_detail"] = _joined(each[below], gid[below], n, ", ")
    out["_above_detail"] = _joined(each[~below], gid[~below], n, ", ")
    return out


def _measures(measure, gid, n):
    """The distinct measures of each session, joined by ";" in the order of FAMILIES."""
    order = [m for ms in FAMILIES.values() for m in ms]
    code = np.select([measure == m for m in order], list(range(len(order))), 0)
    bits = np.bitwise_or.reduceat(np.int64(1) << code, np.flatnonzero(_starts(gid))) \
        if n else np.zeros(0, np.int64)
    words = {b: ";".join(m for j, m in enumerate(order) if b >> j & 1) for b in np.unique(bits)}
    return np.array([words[b] for b in bits], dtype=object) if n else bits.astype(object)


def _over_episode(out, s):
    """The run of joint sessions over each episode and family: the change of the gap, the
    splits in the last ``window`` sessions and the growth of the gap over them."""
    ef = _starts(out["episode"].to_numpy(dtype=object), out["family"].to_numpy(dtype=object))
    pos, _ = positions(np.cumsum(ef))
    gap = out["gap"].to_numpy()
    split = out["split"].to_numpy()
    out["gap_change"] = np.round(gap - lag(gap, pos, 1), 9)
    recent = sum(lag(split, pos, k, fill=False).astype(np.int64) for k in range(s.window))
    out["recent_splits"] = recent
    out["persistent_split"] = split & (recent >= s.split_min)
    before = lag(gap, pos, s.window - 1)
    out["gap_growth"] = np.round(gap - before, 9)
    out["widening_gap"] = out["gap_growth"].to_numpy() >= s.widening - EPS
    out["_gap_before"] = before
    out["_pos"] = pos


def _divergence(out, r, gid, starts, s):
    """Outcome rows: the clients reliably improved, the one lagging furthest behind and
    whether the outcomes part (the lagging one at least ``divergence`` points behind an
    improved one)."""
    n = len(starts)
    ors = out["family"].to_numpy(dtype=object) == "ORS"
    improved = r["improved"].to_numpy(dtype=bool)
    change = r["change"].to_numpy(dtype=float)
    known = ~np.isnan(change)
    top = np.fmax.reduceat(np.where(improved, change, np.nan), starts) if n else change[:0]
    behind = np.where(~improved & known, change, np.inf)
    least = np.minimum.reduceat(behind, starts) if n else change[:0]
    lagging = _first_where((behind <= least[gid] + EPS) & np.isfinite(behind), starts)
    spread = np.round(top - np.where(np.isfinite(least), least, np.nan), 9)
    parting = ors & (spread >= s.divergence - EPS)
    out["n_improved"] = pd.array(np.bincount(gid, improved, minlength=n).astype(np.int64),
                                 dtype="Int64")
    out["n_deteriorated"] = pd.array(np.bincount(gid, r["worse"].to_numpy(dtype=bool),
                                                 minlength=n).astype(np.int64), dtype="Int64")
    out.loc[~ors, ["n_improved", "n_deteriorated"]] = pd.NA
    client = r["client"].to_numpy(dtype=object)
    out["lagging_client"] = strings(np.where(parting, client[np.maximum(lagging, 0)], None))
    out["change_spread"] = np.where(ors, spread, np.nan)
    div = pd.array(parting, dtype="boolean")
    div[~ors] = pd.NA
    out["outcome_divergence"] = div
    out["_lagging_row"] = np.where(parting, lagging, -1)
    first_top = _first_where(improved & (np.abs(change - top[gid]) <= EPS), starts)
    out["_top_row"] = first_top
    out["_top_change"] = top


def couple_summary(sessions, rows, s, outcomes=None, cols=None):
    """One row per episode and family of ``sessions`` (see :func:`joint_sessions`);
    ``outcomes`` (with the column names ``cols``) gives each client's latest change from
    intake for the outcome family."""
    fam = sessions["family"].to_numpy(dtype=object)
    ep = sessions["episode"].to_numpy(dtype=object)
    new = _starts(ep, fam)
    g = np.cumsum(new) - 1
    starts = np.flatnonzero(new)
    n = len(starts)
    ends = np.append(starts[1:], len(sessions)).astype(np.int64)[:n] - 1
    count = (ends - starts + 1).astype(np.int64)
    x = sessions["session"].to_numpy(dtype=float)
    gap = sessions["gap"].to_numpy(dtype=float)

    def per(values):
        return np.bincount(g, values, minlength=n)

    xc = x - (per(x) / np.maximum(count, 1))[g] if n else x
    sxx = per(xc * xc)
    slope = np.divide(per(xc * gap), sxx, out=np.full(n, np.nan), where=sxx > EPS)
    out = pd.DataFrame({
        "episode": ep[starts], "family": fam[starts],
        "clinician": _last_known(sessions["clinician"], g, n),
        "n_joint_sessions": count,
        "first_session": x[starts], "last_session": x[ends],
        "n_split": per(sessions["split"].to_numpy(dtype=float)).astype(np.int64),
        "n_large_gap": per(sessions["large_gap"].to_numpy(dtype=float)).astype(np.int64),
        "gap_first": gap[starts], "gap_last": gap[ends],
        "gap_mean": per(gap) / np.maximum(count, 1),
        "gap_max": np.maximum.reduceat(gap, starts) if n else gap[:0],
        "gap_slope": slope,
    })
    out["share_split"] = out["n_split"] / np.maximum(count, 1)
    out["gap_trend"] = strings(np.select(
        [count < s.min_sessions, slope >= s.trend_slope - EPS, slope <= -s.trend_slope + EPS],
        ["insufficient", "widening", "narrowing"], "stable").astype(object))
    _clients_and_lowest(out, sessions, rows, g, n, s)
    _episode_divergence(out, s, outcomes, cols)
    return out


def _last_known(values, g, n):
    return pd.Series(values.to_numpy(dtype=object)).groupby(g).last().reindex(
        range(n)).to_numpy(dtype=object)


def _clients_and_lowest(out, sessions, rows, g, n, s):
    """The clients of each episode and family, and the client most often alone lowest."""
    rg = g[rows["gid"].to_numpy()]
    c = rows["c"].to_numpy().astype(np.int64)
    width = int(c.max(initial=0)) + 1
    pairs = np.unique(rg.astype(np.int64) * width + c)
    pg, pc_ = pairs // width, pairs % width
    names = np.empty(width, dtype=object)
    names[c] = rows["client"].to_numpy(dtype=object)
    out["n_clients"] = np.bincount(pg, minlength=n).astype(np.int64)
    out["clients"] = _joined(names[pc_], pg, n)
    # the sessions with one lowest client: who it was, counted per episode and family
    alone = sessions["_n_lowest"].to_numpy() == 1
    low = sessions["_lowest_row"].to_numpy()[alone]
    keys, counts = np.unique(g[alone].astype(np.int64) * width + c[low], return_counts=True)
    kg, kc = keys // width, keys % width
    order = np.lexsort((kc, -counts, kg))  # most often first, then in client order
    kg, kc, counts = kg[order], kc[order], counts[order]
    head = _starts(kg) if len(kg) else np.zeros(0, bool)
    most = np.full(n, -1, dtype=np.int64)
    times = np.zeros(n, dtype=np.int64)
    most[kg[head]], times[kg[head]] = kc[head], counts[head]
    share = times / np.maximum(out["n_joint_sessions"].to_numpy(), 1)
    out["lowest_client"] = strings(np.where(most >= 0, names[np.maximum(most, 0)], None))
    out["n_lowest"] = times
    out["share_lowest"] = np.where(most >= 0, share, np.nan)
    out["consistently_lowest"] = ((out["n_joint_sessions"].to_numpy() >= s.min_sessions)
                                  & (share >= s.lowest_share - EPS))


def _episode_divergence(out, s, o, cols):
    """Outcome families: each client's latest change from intake in the episode (every
    session, joint or not), the clients reliably improved, the one lagging furthest and
    whether they part."""
    ors = out["family"].to_numpy(dtype=object) == "ORS"
    out["improved_clients"] = strings(np.full(len(out), None, dtype=object))
    out["lagging_client"] = out["improved_clients"].copy()
    out["outcome_divergence"] = pd.array(np.full(len(out), pd.NA), dtype="boolean")
    if not ors.any() or o is None:
        return
    is_family = o[cols["measure"]].isin(FAMILIES["ORS"]).to_numpy(dtype=bool)
    last = o[is_family].drop_duplicates([cols["client"], cols["episode"]], keep="last")
    last = last[last[cols["episode"]].isin(out.loc[ors, "episode"]).to_numpy(dtype=bool)]
    f = pd.DataFrame({"episode": last[cols["episode"]].to_numpy(dtype=object),
                      "client": last[cols["client"]].to_numpy(dtype=object),
                      "change": last["ors_change"].to_numpy(dtype=float),
                      "improved": last["reliable_improvement"].to_numpy(dtype=bool,
                                                                         na_value=False)})
    f = f[f["change"].notna().to_numpy()].sort_values(["episode", "client"], kind="stable")
    idx = pd.Index(out.loc[ors, "episode"].to_numpy(dtype=object))
    where = np.flatnonzero(ors)[idx.get_indexer(f["episode"].to_numpy(dtype=object))]
    n = len(out)
    imp = f["improved"].to_numpy()
    change = f["change"].to_numpy()
    top = np.full(n, -np.inf)
    np.maximum.at(top, where[imp], change[imp])
    least = np.full(n, np.inf)
    np.minimum.at(least, where[~imp], change[~imp])
    parting = np.isfinite(top) & np.isfinite(least) & (top - least >= s.divergence - EPS)
    who = f["client"].to_numpy(dtype=object)
    lagging = np.full(n, None, dtype=object)
    at = np.flatnonzero(~imp & (np.abs(change - least[where]) <= EPS))
    head = at[_starts(where[at])] if len(at) else at  # the first in client order
    lagging[where[head]] = who[head]
    improved = _joined(who[imp], where[imp], n)
    out["improved_clients"] = strings(np.where(ors, improved, None))
    out["lagging_client"] = strings(np.where(parting, lagging, None))
    div = pd.array(parting, dtype="boolean")
    div[~ors] = pd.NA
    out["outcome_divergence"] = div


# --------------------------------------------------------------------------- groups
def group_ratings(data, cols, s):
    """Group measures by group, measure and group session, and every member's rating.

    A group session is a date of the group (where dates are unknown, a session number);
    it is numbered 1, 2 ... within the group and measure. Returns ``(sessions, members)``.
    """
    require_columns(data, cols, ("client", "episode", "session", "measure", "rater", "total",
                                 "group"))
    keep = (data[cols["rater"]].eq("self").to_numpy(dtype=bool, na_value=False)
            & data[cols["measure"]].isin(GROUP_MEASURES).to_numpy(dtype=bool)
            & data[cols["group"]].notna().to_numpy(dtype=bool)
            & pd.to_numeric(data[cols["total"]], errors="coerce").notna().to_numpy())
    take = [c for k, c in cols.items() if k != "items" and c in data.columns]
    df = data.loc[keep, list(dict.fromkeys(take))]
    session = _session_numbers(df, cols, "group")
    days = _days(df, cols)
    key = np.where(days == _BIG, _BIG - 2**40 + session.astype(np.int64), days)
    g, groups = pd.factorize(df[cols["group"]].astype(str), sort=True)
    m, meas = pd.factorize(df[cols["measure"]], sort=True)
    c, clients = pd.factorize(df[cols["client"]], sort=True)
    order = np.lexsort((np.arange(len(df)), c, key, m, g))
    df, g, m, c, key, session, days = (v[order] if not isinstance(v, pd.DataFrame) else
                                       v.iloc[order] for v in (df, g, m, c, key, session, days))
    first = _starts(g, m, key, c)  # one rating per member and group session
    df, g, m, c, key, session, days = (v[first] if not isinstance(v, pd.DataFrame) else
                                       v[first] for v in (df, g, m, c, key, session, days))
    new = _starts(g, m, key)
    gid = np.cumsum(new) - 1
    starts = np.flatnonzero(new)
    n = len(starts)
    gm = _starts(g, m)[starts]
    number = positions(np.cumsum(gm))[0] + 1
    t = pd.to_numeric(df[cols["total"]]).to_numpy(dtype=float)
    size = np.bincount(gid, minlength=n).astype(np.int64)
    total = np.bincount(gid, t, minlength=n)
    mean = total / np.maximum(size, 1)
    dev = t - mean[gid]
    ss = np.bincount(gid, dev * dev, minlength=n)
    lo = np.minimum.reduceat(t, starts) if n else t[:0]
    below = t < s.alliance.cutoff - EPS
    others = size[gid] - 1
    with np.errstate(invalid="ignore", divide="ignore"):
        others_mean = np.where(others > 0, (total[gid] - t) / np.maximum(others, 1), np.nan)
    diff = np.round(t - others_mean, 9)
    below_others = (others >= s.min_others) & (diff <= -s.outlier_gap + EPS)
    client = clients.to_numpy(dtype=object)[c]
    x = _items(df, cols)
    rated = ~np.isnan(x[:, 0])
    n_rated = np.bincount(gid, rated, minlength=n)
    sums = np.column_stack([np.bincount(gid, np.where(rated, x[:, j], 0.0), minlength=n)
                            for j in range(4)]) if n else np.zeros((0, 4))
    item_mean = sums / np.maximum(n_rated, 1)[:, None]
    low_item = item_mean.min(axis=1, initial=np.inf)
    bits = ((np.abs(item_mean - low_item[:, None]) <= EPS).astype(np.int64)
            << np.arange(4)).sum(axis=1)
    labels = _SUBSETS["SRS"][bits].astype(object)
    labels[n_rated == 0] = None
    is_low = np.abs(t - lo[gid]) <= EPS
    sessions = pd.DataFrame({
        "group": groups.to_numpy(dtype=object)[g[starts]],
        "measure": meas.to_numpy(dtype=object)[m[starts]],
        "group_session": number,
        "days": days[starts],
        "clinician": _first_known(df[cols["clinician"]] if cols["clinician"] in df.columns
                                  else pd.Series([None] * len(df)), gid, n),
        "n_members": size,
        "members": _joined(client, gid, n),
        "mean_total": mean,
        "sd_total": np.where(size > 1, np.sqrt(ss / np.maximum(size - 1, 1)), np.nan),
        "min_total": lo,
        "max_total": np.maximum.reduceat(t, starts) if n else t[:0],
        "n_below_cutoff": np.bincount(gid, below, minlength=n).astype(np.int64),
        "members_below": _joined(client[below], gid[below], n),
        "lowest_member": _joined(client[is_low], gid[is_low], n),
        "lowest_item": strings(labels),
        "lowest_item_mean": np.where(n_rated > 0, low_item, np.nan),
        "n_below_others": np.bincount(gid, below_others, minlength=n).astype(np.int64),
    })
    members = pd.DataFrame({
        "group": sessions["group"].to_numpy()[gid], "measure": sessions["measure"].to_numpy()[gid],
        "group_session": number[gid], "client": client,
        "episode": df[cols["episode"]].to_numpy(dtype=object),
        "session": session, "days": days, "total": t, "n_others": others,
        "others_mean": others_mean, "diff_from_others": diff, "below_cutoff": below,
        "below_others": below_others, "_c": c, "_g": g, "_m": m, "_key": key})
    return sessions, _member_runs(members, s)


def _member_runs(members, s):
    """Each member's ratings in group-session order: how often below the others lately."""
    order = np.lexsort((members["_key"].to_numpy(), members["_c"].to_numpy(),
                        members["_m"].to_numpy(), members["_g"].to_numpy()))
    mem = members.iloc[order].reset_index(drop=True)
    new = _starts(mem["_g"].to_numpy(), mem["_m"].to_numpy(), mem["_c"].to_numpy())
    pos, _ = positions(np.cumsum(new))
    flag = mem["below_others"].to_numpy(dtype=bool)
    recent = sum(lag(flag, pos, k, fill=False).astype(np.int64) for k in range(s.window))
    mem["member_session"] = pos + 1
    mem["recent_below_others"] = recent
    mem["recent_window"] = np.minimum(pos + 1, s.window)
    mem["stays_below"] = flag & (recent >= s.outlier_min)
    return mem.drop(columns=["_c", "_g", "_m", "_key"])


def output_dates(days) -> np.ndarray:
    """The ``days`` columns of the tables above as datetime64 (NaT where unknown)."""
    return _dates(np.asarray(days, dtype=np.int64))
