"""The alert engine: rules over the whole table, each one data and each one switchable.

:func:`alerts` reads the canonical table once per measure family (the alliance flags of
:func:`~srs_analytics.alliance.session_alliance`, the outcome of
:func:`~srs_analytics.outcomes.session_outcomes`, the expected treatment response of
:func:`~srs_analytics.expected.expected_status`) and derives every rule from those tables
with boolean masks, without a loop over clients. :data:`RULES` names the rules, what they
mean and where they come from; :class:`AlertSettings` holds which are on, their severities
and every threshold. Clients seen together (couples, families), collateral raters and
groups are read from the tables of :mod:`srs_analytics.couples`,
:mod:`srs_analytics.collateral` and :mod:`srs_analytics.groups`. To add a rule, add its
:class:`Rule` to :data:`RULES` and a builder to ``_BUILDERS``.

Examples
--------
The critical alerts of each client's latest rating in the sample (for the clients a
clinician is seeing now, one line each, see :func:`srs_analytics.attention`).

>>> from srs_analytics import load_sample
>>> out = alerts(load_sample(), min_severity="critical", latest_only=True)
>>> out[["client_id", "session_number", "rule", "value", "threshold"]].head(3)
  client_id  session_number               rule  value  threshold
0    C00225               3  ors_deterioration  -8.28       -5.0
1    C00280               3         sharp_drop  -6.00       -5.0
2    C00089               2         sharp_drop  -6.20       -5.0
>>> print(out["message"].iloc[1])
Session 3, 18 Nov 2025: SRS fell 6 points since the previous rating (39 to 33), a sharp drop
(5 or more), below the cutoff of 36. Lowest items: relationship, goals and topics, overall
(8/10).
>>> print(out["suggestion"].iloc[1])
Reflect and thank the client for the honest feedback; ask for one concrete example of what
was different this session, and agree on two small changes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from types import MappingProxyType

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from . import _docstrings
from . import _joint as jt
from . import _text as tx
from ._checks import check_choice, require_frame
from ._frames import EPS, column_map, item_flags, lag, positions
from ._text import ITEM_NAMES
from .alliance import ITEM_LABELS, AllianceSettings, session_alliance
from .collateral import collateral_sessions
from .couples import CoupleSettings
from .expected import ExpectedResponse, ExpectedSettings, expected_status
from .groups import GroupSettings
from .outcomes import OutcomeSettings, session_outcomes
from .schema import ITEM_COLUMNS

__all__ = ["ALERT_COLUMNS", "RULES", "SEVERITIES", "AlertSettings", "Rule", "alerts"]

#: Severities, least severe first.
SEVERITIES = ("info", "warning", "critical")
#: The columns of :func:`alerts`, in order (the identity columns take the names passed in).
ALERT_COLUMNS = ("client_id", "episode_id", "clinician_id", "session_number", "session_date",
                 "measure", "rule", "severity", "item", "value", "threshold", "message",
                 "suggestion")


@dataclass(frozen=True)
class Rule:
    """What a rule flags, where it comes from, the rating it is attached to, its severity.

    A graded rule has a milder case (``mild``: the severity of that case), described in
    ``description`` after the semicolon.
    """

    description: str
    source: str
    attached_to: str
    severity: str
    mild: str | None = None


_PRACTICE = "PCOMS practice (Duncan et al. 2003; Miller and Duncan)"
#: Every rule by name (names are an interface), with the default thresholds. Each is
#: described with its source in docs/measures-and-rules.md ("Alerts").
RULES: Mapping[str, Rule] = MappingProxyType({
    "low_total": Rule("SRS total below 36", "OpenFIT KA-01031 (the SRS cutoff)", "alliance",
                      "warning"),
    "low_item": Rule("an SRS item at or below 7, or 3 or more points below the previous "
                     "rating of the measure; milder: an item below 9",
                     f"{_PRACTICE}: one low item tells more than the total; 9 = 36 / 4 is a "
                     "practitioners' heuristic (no published item cutoff); 7 and 3 are our "
                     "choice", "alliance", "warning", "info"),
    "drop": Rule("SRS total 1 point or more below the previous rating of the measure, now "
                 "below 36; milder: still at or above 36",
                 f"OpenFIT red rule; {_PRACTICE}: slightly lower scores after a hard session "
                 "are often normal and temporary", "alliance", "warning", "info"),
    "sharp_drop": Rule("SRS total 5 points or more below the previous rating of the measure",
                       f"{_PRACTICE}: a fall such as 38 to 29; the 5 points are our choice",
                       "alliance", "critical"),
    "repeated_low_item": Rule("the same SRS item below 8 now and in at least one of the two "
                              "ratings before; milder: below 9 that way, the client's "
                              "consistently lowest item",
                              f"{_PRACTICE}: one low item tells more than the total, and a "
                              "repeatedly low one points to something bigger; 8 and 2 of 3 "
                              "are our choice", "alliance", "warning", "info"),
    "ceiling": Rule("SRS total 39 or more", "Meier and Feeley 2022 (SRS ceiling effect); "
                    "39 is our choice", "alliance", "info"),
    "false_reassurance": Rule(
        "every SRS of the episode so far at the ceiling over 3 or more sessions, or the same "
        "total (36 or more) 4 sessions running; milder: the ORS has improved reliably",
        f"{_PRACTICE}: name 'all 10s every time' directly; Meier and Feeley 2022", "alliance",
        "warning", "info"),
    "ors_deterioration": Rule("ORS 5 points or more below the intake (reliable "
                              "deterioration)", "Jacobson and Truax 1991; PCOMS points method "
                              "(OpenFIT KA-01028)", "outcome", "critical"),
    "off_track": Rule("ORS below the 25th percentile of the expected treatment response "
                      "(fallback: no reliable improvement by session 4)",
                      "Finch et al. 2001 (expected recovery curves); MyOutcomes", "outcome",
                      "warning"),
    "no_early_change": Rule("ORS not above a clinical-range intake at session 3 or later",
                            "Howard et al. 1986; Haas et al. 2002", "outcome", "warning"),
    "split_alliance": Rule(
        "clients seen together (a couple, a family) rate one session's SRS on either side "
        "of 36, or 5 or more points apart", "OpenFIT KA-01031 (the cutoff); Bartle-Haring et "
        "al. 2012 (split alliances in couple therapy); the 5 points are our choice",
        "alliance", "warning"),
    "persistent_split": Rule(
        "the alliance of clients seen together split in this session and in 2 of the last "
        "3 joint sessions", "Bartle-Haring et al. 2012; 2 of 3 is our choice", "alliance",
        "warning"),
    "widening_gap": Rule(
        "the gap between the SRS totals of clients seen together grew by 5 points or more "
        "over the last 3 joint sessions", "Bartle-Haring et al. 2012 (the change in the gap "
        "predicted dropout, a single gap did not); 5 and 3 are our choice", "alliance",
        "warning"),
    "outcome_divergence": Rule(
        "clients seen together part on the ORS: one has improved reliably, another has not "
        "and is 5 or more points of change behind",
        "Anker, Duncan and Sparks 2009 (PCOMS with couples); 5 points (one reliable change) "
        "is our choice", "outcome", "warning"),
    "collateral_deterioration": Rule(
        "a collateral rater's ORS or CORS 5 points or more below that rater's first rating "
        "(a reliable deterioration) that the client's own ratings do not show",
        "PCOMS points method (OpenFIT KA-01028); collateral raters beside the client's own "
        "ratings (Duncan et al. 2006)", "collateral", "warning"),
    "group_outlier": Rule(
        "a group member's GSRS 5 points or more below the mean of the other members, in "
        "this group session and 2 of the member's last 3", "Quirk et al. 2013 (the GSRS); 5 "
        "points and 2 of 3 are our choice", "alliance", "warning"),
})
#: The rules with a milder case (their ``mild`` severity).
_GRADED = tuple(k for k, r in RULES.items() if r.mild)


def _check_rules(names, what="rule", valid=tuple(RULES)):
    bad = [n for n in names if n not in valid]
    if bad:
        raise ValueError(f"unknown {what}(s) {', '.join(map(repr, bad))}; valid rules: "
                         f"{', '.join(valid)}")


def _check_severities(given, what, valid):
    given = dict(given)
    _check_rules(given, what, valid)
    bad = {k: v for k, v in given.items() if v not in SEVERITIES}
    if bad:
        raise ValueError(f"{what} must be one of {SEVERITIES}; got {bad}")
    return given


@dataclass(frozen=True)
class AlertSettings:
    """Which rules run, how severe each is, and every threshold.

    Attributes
    ----------
    rules : frozenset of str, default every rule in :data:`RULES`
        The rules switched on. :meth:`without` switches some off; unknown names raise.
    severity : mapping, default from :data:`RULES`
        Rule -> ``"info"``, ``"warning"`` or ``"critical"``; a partial mapping overrides
        only the rules it names. Defaults: ``sharp_drop`` and ``ors_deterioration``
        critical (a possible rupture; a reliable deterioration); every other rule warning
        (the couple, collateral and group rules included), except ``ceiling``, info (a
        score given in about 40% of sessions).
    mild_severity : mapping, default info for each graded rule
        The severity of the milder case of the graded rules (``low_item``: an item below
        9 that is neither deep nor fallen; ``drop``: a fall that leaves the total at or
        above the cutoff, which after a hard session is often normal and temporary;
        ``repeated_low_item``: an item that keeps sitting below 9 but not below 8;
        ``false_reassurance``: while the ORS has improved reliably).
    alliance : AllianceSettings
        SRS cutoff 36, low item 9, deep item 7, item fall 3, repeated low item below 8 now
        and in one of the two ratings before, drops 1 and 5, ceiling 39 for 3 sessions, no
        variation over 4.
    outcome : OutcomeSettings
        Reliable change (points, 5, inclusive) and the outcome cutoffs (adult ORS 25,
        adolescent 28, child CORS 32).
    expected : ExpectedSettings
        Fit and fallback of the expected treatment response, when :func:`alerts` fits it
        on the data (a model passed to :func:`alerts` keeps its own).
    early_session : int, default 3
        ``no_early_change`` judges outcome ratings from this session on.
    early_change : float, default 0
        ``no_early_change`` fires when the change from intake is at or below this: no
        improvement at all.
    early_clinical_only : bool, default True
        ``no_early_change`` only for an intake in the clinical range (below the cutoff).
    couples : CoupleSettings
        The thresholds of ``split_alliance`` (a gap of 5), ``persistent_split`` (2 of the
        last 3 joint sessions), ``widening_gap`` (5 points over the last 3) and
        ``outcome_divergence`` (5 points of change apart); its cutoff and reliable change
        are this object's ``alliance`` and ``outcome``.
    groups : GroupSettings
        The thresholds of ``group_outlier``: 5 points below the mean of at least 2 other
        members, in 2 of the member's last 3 group sessions; its cutoff is ``alliance``'s.
    """

    rules: frozenset[str] = frozenset(RULES)
    severity: Mapping[str, str] = field(
        default_factory=lambda: MappingProxyType({k: r.severity for k, r in RULES.items()}),
        hash=False)
    mild_severity: Mapping[str, str] = field(
        default_factory=lambda: MappingProxyType({k: RULES[k].mild for k in _GRADED}),
        hash=False)
    alliance: AllianceSettings = AllianceSettings()
    outcome: OutcomeSettings = OutcomeSettings()
    expected: ExpectedSettings = ExpectedSettings()
    early_session: int = 3
    early_change: float = 0.0
    early_clinical_only: bool = True
    couples: CoupleSettings = CoupleSettings()
    groups: GroupSettings = GroupSettings()

    def __post_init__(self):
        rules = (self.rules,) if isinstance(self.rules, str) else tuple(self.rules)
        _check_rules(rules)
        object.__setattr__(self, "rules", frozenset(rules))
        given = _check_severities(self.severity, "severity", tuple(RULES))
        merged = {k: given.get(k, r.severity) for k, r in RULES.items()}
        object.__setattr__(self, "severity", MappingProxyType(merged))
        given = _check_severities(self.mild_severity, "mild_severity", _GRADED)
        merged = {k: given.get(k, RULES[k].mild) for k in _GRADED}
        object.__setattr__(self, "mild_severity", MappingProxyType(merged))
        if not isinstance(self.early_session, (int, np.integer)) or self.early_session < 2:
            raise ValueError(f"early_session must be an integer >= 2, got {self.early_session!r}")
        for name, kind in (("couples", CoupleSettings), ("groups", GroupSettings)):
            if not isinstance(getattr(self, name), kind):
                raise TypeError(f"{name} must be {kind.__name__}; got "
                                f"{type(getattr(self, name)).__name__}")

    def without(self, *names: str) -> AlertSettings:
        """These settings with the named rules switched off.

        Examples
        --------
        >>> sorted(AlertSettings().without("ceiling", "low_item").rules)[:3]
        ['collateral_deterioration', 'drop', 'false_reassurance']
        """
        _check_rules(names)
        return replace(self, rules=self.rules - set(names))

    def level(self, rule: str, mild: bool = False) -> int:
        """The severity of a rule (its milder case with ``mild``) as an index into
        :data:`SEVERITIES` (0 info, 1 warning, 2 critical)."""
        table = self.mild_severity if mild and rule in self.mild_severity else self.severity
        return SEVERITIES.index(table[rule])

    def top_level(self, rule: str) -> int:
        """The most severe level a rule can give."""
        return max(self.level(rule), self.level(rule, mild=True))


# --------------------------------------------------------------------------- the tables
class _Context:
    """The tables the rules read, each computed once and only when a rule needs it.

    Each table is a dict: ``table`` (the DataFrame), ``keep`` (rows the filters keep),
    ``ce`` (the client-episode of each row, numbered in sorted order the same way in every
    table), ``pos`` (the row's place in its series), ``session``, ``measure`` and arrays
    the rules use.
    """

    def __init__(self, data, cols, s, model, keep):
        self.data, self.cols, self.s, self.model, self._keep = data, cols, s, model, keep
        # a given model keeps its own settings; otherwise it is fitted with the alert settings'
        self.expected = s.expected if model is None else model.settings

    @cached_property
    def _categories(self):
        """The sorted clients and episodes of ``data`` (arrow arrays)."""
        out = []
        for k in ("client", "episode"):
            values = pc.unique(tx.text(self.data[self.cols[k]]))
            out.append(values.take(pc.sort_indices(values)))
        return out

    @cached_property
    def _indexes(self):
        """The sorted clients and episodes as pandas indexes: their hash tables are built
        once, for the lookups of a few values (:meth:`rows_of`)."""
        return tuple(pd.Index(v.to_numpy(zero_copy_only=False).astype(object))
                     for v in self._categories)

    def _ce(self, client, episode, few=False):
        """The client-episode code of each pair of ``client`` and ``episode`` values
        (``few``: a handful of values, looked up in :attr:`_indexes`)."""
        clients, episodes = self._categories

        def codes(values, known):  # a hash lookup in arrow, far quicker than a Categorical
            found = pc.index_in(tx.text(values), value_set=known)
            return found.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)

        if few:
            c_index, e_index = self._indexes
            return (c_index.get_indexer(np.asarray(client, dtype=object)).astype(np.int64)
                    * (len(episodes) + 1)
                    + e_index.get_indexer(np.asarray(episode, dtype=object)))
        return codes(client, clients) * (len(episodes) + 1) + codes(episode, episodes)

    def _table(self, t, *other):
        """The arrays every rule reads from a table sorted by client, episode, then the
        ``other`` keys and session: rows of one series follow each other."""
        ce = self._ce(t[self.cols["client"]], t[self.cols["episode"]])
        new = np.zeros(len(t), dtype=bool)
        new[:1] = True
        for codes in [ce, *(pd.factorize(t[self.cols[k]])[0] for k in other)]:
            new[1:] |= codes[1:] != codes[:-1]
        pos, last = positions(np.cumsum(new))
        return {"table": t, "ce": ce, "pos": pos, "keep": self._keep(t, last),
                "session": t[self.cols["session"]].to_numpy(dtype=float, na_value=np.nan),
                "measure": tx.text(t[self.cols["measure"]])}

    def _args(self, *keys):
        return {k: self.cols[k] for k in keys}

    def release(self):
        """Let the cached tables go (the alerts are assembled from their own arrays)."""
        for name in [k for k, v in type(self).__dict__.items()
                     if isinstance(v, cached_property)]:
            self.__dict__.pop(name, None)

    @cached_property
    def alliance(self):
        t = session_alliance(self.data, settings=self.s.alliance, **self._args(
            "client", "episode", "clinician", "session", "date", "measure", "rater", "total",
            "items", "imputed"))
        a = self._table(t, "rater", "measure")  # each measure its own series
        pos = a["pos"]
        x = t[list(self.cols["items"])].to_numpy(dtype=float, na_value=np.nan)
        valid = t["lowest_item"].notna().to_numpy()
        lowest = t["lowest_item_score"].to_numpy(dtype=float)
        is_lowest = (np.abs(x - lowest[:, None]) <= EPS) & valid[:, None]
        a.update(total=t[self.cols["total"]].to_numpy(dtype=float), valid=valid, x=x,
                 before=lag(x, pos, 1), flags=item_flags(x, valid, pos, self.s.alliance),
                 lowest=is_lowest, n_lowest=is_lowest.sum(axis=1),
                 lowest_label=tx.text(t["lowest_item"]))
        same = np.zeros(len(t), dtype=bool)
        same[1:] = np.abs(np.diff(a["total"])) <= EPS
        same &= pos > 0
        idx = np.arange(len(t))
        a["same_run"] = idx - np.maximum.accumulate(np.where(same, -1, idx)) + 1
        return a

    @cached_property
    def outcome(self):
        t = session_outcomes(self.data, settings=self.s.outcome, **self._args(
            "client", "episode", "clinician", "session", "date", "measure", "rater", "total",
            "age_group"))
        o = self._table(t, "measure")
        o.update(total=t[self.cols["total"]].to_numpy(dtype=float),
                 change=t["ors_change"].to_numpy(dtype=float),
                 intake=t["ors_intake"].to_numpy(dtype=float),
                 cutoff=t["cutoff"].to_numpy(dtype=float), rci=t["rci"].to_numpy(dtype=float),
                 improved=t["reliable_improvement"].to_numpy(dtype=bool, na_value=False),
                 scored=t["reliable_improvement"].notna().to_numpy(),
                 worse=t["reliable_deterioration"].to_numpy(dtype=bool, na_value=False))
        return o

    @cached_property
    def etr(self):
        t = expected_status(self.data, model=self.model, settings=self.expected,
                            **self._args("client", "episode", "clinician", "session", "date",
                                         "measure", "rater", "total", "age_group"))
        t = t[(t[self.cols["rater"]] == "self").to_numpy(dtype=bool)].reset_index(drop=True)
        e = self._table(t, "measure")
        e.update(off=(t["etr_status"] == "off_track").to_numpy(dtype=bool),
                 fitted=(t["basis"] == "fitted").to_numpy(dtype=bool))
        return e

    def _keys(self, src):
        tab = getattr(self, src)
        return pd.DataFrame({"ce": tab["ce"], "measure": tab["table"][self.cols["measure"]],
                             "session": tab["session"]})

    @cached_property
    def outcome_links(self):
        """The same outcome rating in the two outcome tables: for each row of ``outcome``
        whether it is off track (``etr``), and for each row of ``etr`` whether it is a
        reliable deterioration (``outcome``)."""
        o, e = self.outcome, self.etr
        ko, ke = self._keys("outcome"), self._keys("etr")
        on = list(ko.columns)

        def look(keys, table, values):  # the first row of ``table`` with the same key
            found = table.assign(value=values).drop_duplicates(on)
            got = keys.merge(found, how="left", on=on)["value"]  # a left merge keeps order
            return got.fillna(False).to_numpy(dtype=bool)

        return look(ko, ke, e["off"]), look(ke, ko, o["worse"])

    @cached_property
    def ors_at_srs(self):
        """For each SRS: the row (in the outcome table) of the latest scored outcome rating
        of its episode up to its session, -1 where there is none."""
        a, o = self.alliance, self.outcome
        ors = self._keys("outcome")
        # the age group's own measure (a child's CORS, else the ORS) wins a tie in session
        age = o["table"][self.cols["age_group"]].eq("child").to_numpy(dtype=bool)
        ors = ors.assign(row=np.arange(len(ors)), own=(ors["measure"].eq("CORS") == age))
        ors = ors[o["scored"] & ors["session"].notna().to_numpy()].drop(columns="measure")
        srs = pd.DataFrame({"ce": a["ce"], "session": a["session"], "i": np.arange(len(a["ce"]))})
        found = pd.merge_asof(srs.sort_values("session", kind="stable"),
                              ors.sort_values(["session", "own"], kind="stable"),
                              on="session", by="ce", direction="backward")
        row = np.full(len(srs), -1, dtype=np.int64)
        row[found["i"].to_numpy()] = found["row"].fillna(-1).to_numpy(dtype=np.int64)
        return row

    @cached_property
    def totals(self):
        """The total-level alerts of each alliance rating (sharp drop, drop, low total:
        one of them at most) and their level (-1: none)."""
        a, s = self.alliance, self.s
        t = a["table"]
        below = t["below_cutoff"].to_numpy()
        sharp = t["sharp_drop"].to_numpy() & ("sharp_drop" in s.rules)
        drop = t["drop"].to_numpy() & ("drop" in s.rules) & ~sharp
        low = below & ("low_total" in s.rules) & ~(sharp | drop)  # a drop below 36 says it
        level = np.full(len(t), -1, dtype=np.int64)
        if "low_total" in s.rules:
            level[low] = s.level("low_total")
        if "drop" in s.rules:
            level[drop] = np.where(below[drop], s.level("drop"), s.level("drop", mild=True))
        if "sharp_drop" in s.rules:
            level[sharp] = s.level("sharp_drop")
        return {"sharp": sharp, "drop": drop, "low_total": low, "below": below, "level": level}

    @cached_property
    def items(self):
        """The level of each item's ``low_item`` and ``repeated_low_item`` alert, (n, 4)
        arrays (-1: none), after the supersessions of :func:`alerts`."""
        a, s = self.alliance, self.s
        f = a["flags"]
        none = np.full(f["low"].shape, -1, dtype=np.int64)
        low, rep = none.copy(), none.copy()
        if "low_item" in s.rules:
            # the milder case: the lowest item only (the seed: one follow-up on it)
            low = np.where(f["deep"] | f["fallen"], s.level("low_item"),
                           np.where(f["low"] & a["lowest"], s.level("low_item", mild=True),
                                    -1))
        if "repeated_low_item" in s.rules:
            # the milder case names the client's consistently lowest item
            recurring = f["recurring"] & a["lowest"]
            rep = np.where(f["repeated"], s.level("repeated_low_item"),
                           np.where(recurring, s.level("repeated_low_item", mild=True), -1))
        wins = (rep >= 0) & (rep >= low)  # one alert per item: the more severe
        low[wins] = -1
        rep[~wins] = -1
        # a total-level alert names the lowest item: it supersedes that item's low_item;
        # at warning or worse, every low_item and the milder repeated_low_item of the rating
        level = self.totals["level"][:, None]
        warn = SEVERITIES.index("warning")
        low[(level >= warn) | (a["lowest"] & (level >= low))] = -1
        rep[(level >= warn) & (rep < warn)] = -1
        return {"low": low, "repeated": rep}

    @cached_property
    def false_reassurance(self):
        """Ratings with the pattern, at the ceiling or the same total, and the ORS row."""
        a, al = self.alliance, self.s.alliance
        streak = a["table"]["ceiling_streak"].to_numpy()
        at_ceiling = (streak == a["pos"] + 1) & (streak >= al.ceiling_sessions)
        same = (a["table"]["no_variation"].to_numpy(dtype=bool)
                & (a["total"] >= al.cutoff - EPS))
        return at_ceiling | same, at_ceiling, streak, self.ors_at_srs

    # ----------------------------------------------------------------- clients together
    def rows_of(self, src, client, episode, measure, session):
        """The self-rated row of the ``src`` table with each client, episode, measure and
        session (-1 where there is none)."""
        tab = getattr(self, src)
        t = tab["table"]
        want = pd.DataFrame({"ce": self._ce(client, episode, few=True),
                             "measure": np.asarray(measure, dtype=object),
                             "session": np.asarray(session, dtype=float)})
        near = np.flatnonzero(np.isin(tab["ce"], want["ce"].to_numpy()))  # a few episodes
        if self.cols["rater"] in t.columns:
            near = near[(t[self.cols["rater"]].to_numpy(dtype=object)[near] == "self")]
        mine = pd.DataFrame({"ce": tab["ce"][near],
                             "measure": tab["measure"].take(near).to_numpy(
                                 zero_copy_only=False).astype(object),
                             "session": tab["session"][near], "row": near})
        on = ["ce", "measure", "session"]
        got = want.merge(mine.drop_duplicates(on), how="left", on=on)["row"]
        return got.fillna(-1).to_numpy(dtype=np.int64)

    @cached_property
    def couple_settings(self):
        """The couple thresholds, with the cutoff and reliable change of the alerts."""
        return replace(self.s.couples, alliance=self.s.alliance, outcome=self.s.outcome)

    @cached_property
    def joint(self):
        """The joint sessions of clients seen together (:func:`couple_sessions`) and the
        ratings they hold: the SRS family always, the ORS family for
        ``outcome_divergence``."""
        families = ("SRS", "ORS") if "outcome_divergence" in self.s.rules else ("SRS",)
        outcomes = self.outcome["table"] if "ORS" in families else None
        sessions, rows, _ = jt.joint_sessions(self.data, self.cols, self.couple_settings,
                                              families=families, outcomes=outcomes)
        return sessions, rows

    @cached_property
    def couples(self):
        """Per joint SRS-family session: the couple rule that fires (the widest evidence:
        widening_gap, then persistent_split, then split_alliance), the alliance row of the
        lowest client it is attached to, and the session's columns."""
        sessions, rows = self.joint
        t = sessions[(sessions["family"] == "SRS").to_numpy(dtype=bool)].reset_index(drop=True)
        on = self.s.rules
        split = t["split"].to_numpy(dtype=bool) | t["large_gap"].to_numpy(dtype=bool)
        rule = np.select([t["widening_gap"].to_numpy(dtype=bool) & ("widening_gap" in on),
                          t["persistent_split"].to_numpy(dtype=bool)
                          & ("persistent_split" in on),
                          split & ("split_alliance" in on)],
                         ["widening_gap", "persistent_split", "split_alliance"], "")
        low = rows.iloc[t["_lowest_row"].to_numpy()] if len(t) else rows.iloc[:0]
        row = self.rows_of("alliance", low["client"].to_numpy(dtype=object),
                           low["episode"].to_numpy(dtype=object),
                           low["measure"].to_numpy(dtype=object), t["session"].to_numpy())
        fired = (rule != "") & (row >= 0)
        return {"table": t, "rule": rule, "row": row, "fired": fired,
                "client": low["client"].to_numpy(dtype=object)}

    @cached_property
    def divergence(self):
        """Per joint ORS-family session where the outcomes part: the outcome row of the
        client lagging furthest behind, whom it is attached to, and the session's columns.
        A reliable deterioration of that rating supersedes it."""
        sessions, rows = self.joint
        t = sessions[(sessions["family"] == "ORS").to_numpy(dtype=bool)
                     & sessions["outcome_divergence"].to_numpy(dtype=bool, na_value=False)]
        t = t.reset_index(drop=True)
        lagging = rows.iloc[t["_lagging_row"].to_numpy()] if len(t) else rows.iloc[:0]
        top = rows.iloc[t["_top_row"].to_numpy()] if len(t) else rows.iloc[:0]
        row = self.rows_of("outcome", lagging["client"].to_numpy(dtype=object),
                           lagging["episode"].to_numpy(dtype=object),
                           lagging["measure"].to_numpy(dtype=object), t["session"].to_numpy())
        fired = row >= 0
        if "ors_deterioration" in self.s.rules and fired.any():
            fired[fired] = ~self.outcome["worse"][row[fired]]
        mask = np.zeros(len(self.outcome["table"]), dtype=bool)
        mask[row[fired]] = True
        return {"table": t, "row": row, "fired": fired, "mask": mask,
                "client": lagging["client"].to_numpy(dtype=object),
                "top_client": top["client"].to_numpy(dtype=object)}

    @cached_property
    def divergence_etr(self):
        """For each row of the expected-response table: whether ``outcome_divergence`` is
        attached to the same outcome rating."""
        mask = self.divergence["mask"]
        ke = self._keys("etr")
        out = np.zeros(len(ke), dtype=bool)
        if not mask.any():
            return out
        ko = self._keys("outcome")[mask]
        near = np.flatnonzero(np.isin(ke["ce"].to_numpy(), ko["ce"].to_numpy()))
        on = list(ko.columns)
        got = ke.iloc[near].merge(ko.drop_duplicates(on).assign(value=True), how="left",
                                  on=on)["value"]  # a left merge keeps the order
        out[near] = got.fillna(False).to_numpy(dtype=bool)
        return out

    @cached_property
    def groups(self):
        """Group members who stay below the rest of the group, and their alliance rows."""
        cols = self.cols
        if cols.get("group") not in self.data.columns:
            return {"table": pd.DataFrame(), "row": np.zeros(0, np.int64)}
        s = replace(self.s.groups, alliance=self.s.alliance)
        _, m = jt.group_ratings(self.data, cols, s)
        m = m[m["stays_below"].to_numpy(dtype=bool)].reset_index(drop=True)
        row = self.rows_of("alliance", m["client"].to_numpy(dtype=object),
                           m["episode"].to_numpy(dtype=object),
                           m["measure"].to_numpy(dtype=object), m["session"].to_numpy())
        return {"table": m[row >= 0].reset_index(drop=True), "row": row[row >= 0]}

    @cached_property
    def collateral(self):
        t = collateral_sessions(self.data, settings=self.s.outcome, **self._args(
            "client", "episode", "clinician", "session", "date", "measure", "rater", "total",
            "age_group"))
        c = self._table(t, "rater", "measure")
        c.update(unshared=t["unshared_deterioration"].to_numpy(dtype=bool))
        return c

    @cached_property
    def covered(self):
        """Alliance ratings whose total below the cutoff a couple or group alert states:
        it supersedes their ``low_total``."""
        out = np.zeros(len(self.alliance["table"]), dtype=bool)
        rules = self.s.rules
        if rules & {"split_alliance", "persistent_split", "widening_gap"}:
            c = self.couples
            out[c["row"][c["fired"]]] = True
        if "group_outlier" in rules:
            out[self.groups["row"]] = True
        return out & self.totals["below"]


# --------------------------------------------------------------------------- the rules
def _fired(src, rows, level, value, threshold, body, suggestion, item=None):
    """The alerts of one rule: rows of the ``src`` table, their severity level and columns.

    ``item`` and ``suggestion`` take few distinct values: they are kept as a vocabulary and
    codes, and spelled out once for the whole table.
    """
    n = len(rows)

    def vocabulary(x):  # missing values stay missing (a None word)
        if isinstance(x, str):
            return [x], np.zeros(n, np.int64)
        if not isinstance(x, (pa.Array, pa.ChunkedArray)):
            x = pa.array(pd.Series(np.asarray(x, dtype=object)), from_pandas=True)
        if isinstance(x, pa.ChunkedArray):
            x = x.combine_chunks()
        enc = pc.dictionary_encode(x.cast(tx.STR), null_encoding="encode")
        return enc.dictionary.to_pylist(), enc.indices.to_numpy(zero_copy_only=False)

    body = tx.text(body)
    return {"src": src, "rows": rows, "level": np.broadcast_to(level, n).astype(np.int64),
            "value": np.broadcast_to(value, n).astype(float),
            "threshold": np.broadcast_to(threshold, n).astype(float),
            "item": ([None], np.zeros(n, np.int64)) if item is None else vocabulary(item),
            "body": pa.repeat(body, n) if isinstance(body, pa.Scalar) else body,
            "suggestion": vocabulary(suggestion)}


def _lowest(a, rows):
    """The lowest item: its label, " Lowest item: goals and topics (7.5/10)." and " about
    goals and topics" (four tied items: " All four items: 7/10." and no item named)."""
    t = a["table"]
    label = a["lowest_label"].take(rows)
    names, score = tx.item_names(label), tx.numbers(t["lowest_item_score"].to_numpy()[rows])
    n = a["n_lowest"][rows]
    one, tied = a["valid"][rows] & (n < 4), n > 1
    named = tx.concat(tx.choose(tied, " Lowest items: ", " Lowest item: "), names, " (", score,
                      "/10).")
    text = tx.choose(one, named, tx.concat(" All four items: ", score, "/10."))
    label = pc.if_else(pa.array(a["valid"][rows]), label, pa.scalar(None, tx.STR))
    return (label, tx.choose(a["valid"][rows], text, ""),
            tx.choose(one, tx.concat(" about ", names), " of what did not fit"))


_THANK = "Reflect and thank the client for the honest feedback; ask for one concrete example"
_CHANGES = "and agree on two small changes."


def _low_total(ctx, s):
    a = ctx.alliance
    rows = np.flatnonzero(ctx.totals["low_total"] & a["keep"] & ~ctx.covered)
    label, lowest, about = _lowest(a, rows)
    body = tx.concat(" total ", tx.numbers(a["total"][rows]), " is below the cutoff of "
                     f"{tx.number(s.alliance.cutoff)}.", lowest)
    return _fired("alliance", rows, s.level("low_total"), a["total"][rows], s.alliance.cutoff,
                  body, tx.concat(_THANK, about, ", " + _CHANGES), label)


def _low_item(ctx, s):
    a, al, parts = ctx.alliance, s.alliance, []
    f = a["flags"]
    warn = s.level("low_item")
    for j, lab in enumerate(ITEM_LABELS):
        level = ctx.items["low"][:, j]
        rows = np.flatnonzero((level >= 0) & a["keep"])
        lv, v, was = level[rows], a["x"][rows, j], a["before"][rows, j]
        deep, fallen = f["deep"][rows, j], f["fallen"][rows, j] & (lv == warn)
        deep &= lv == warn
        fall = np.round(was - v, 2)
        name = ITEM_NAMES[lab]
        down = tx.concat(", down ", tx.numbers(fall), " points since the previous rating")
        body = tx.choose(
            deep,
            tx.concat(f" item {name} scored ", tx.numbers(v), f", at or below "
                      f"{tx.number(al.deep_item)}", tx.choose(fallen, down, ""), "."),
            tx.choose(fallen,
                      tx.concat(f" item {name} fell ", tx.numbers(fall), " points since the "
                                "previous rating (", tx.numbers(was), " to ", tx.numbers(v),
                                ")."),
                      tx.concat(f" item {name} scored ", tx.numbers(v),
                                f", below {tx.number(al.low_item)}.")))
        only_fall = fallen & ~deep
        value = np.where(only_fall, -fall, v)
        limit = np.where(deep, al.deep_item, np.where(only_fall, -al.item_fall, al.low_item))
        strong = deep | fallen
        parts.append(_fired("alliance", rows, lv, value, limit, body, tx.choose(
            strong, f"{_THANK} about {name}: one low item can tell more than the total.",
            f"Ask one follow-up question about {name}: what would have made it a 10?"), lab))
    return parts


def _drops(ctx, s, sharp):
    a, al = ctx.alliance, s.alliance
    t = a["table"]
    rows = np.flatnonzero(ctx.totals["sharp" if sharp else "drop"] & a["keep"])
    change = t["change_from_previous"].to_numpy()[rows]
    now = a["total"][rows]
    below = ctx.totals["below"][rows]
    limit = al.sharp_drop if sharp else al.drop
    label, lowest, _ = _lowest(a, rows)
    fall = np.round(-change, 2)
    cut = tx.number(al.cutoff)
    where = tx.choose(below, f", below the cutoff of {cut}.",
                      "." if sharp else f", still at or above the cutoff of {cut}.")
    body = tx.concat(" fell ", tx.numbers(fall), tx.choose(fall == 1, " point", " points"),
                     " since the previous rating (", tx.numbers(now - change), " to ",
                     tx.numbers(now), ")",
                     f", a sharp drop ({tx.number(limit)} or more)" if sharp else "", where,
                     lowest)
    if sharp:
        return _fired("alliance", rows, s.level("sharp_drop"), change, -limit, body,
                      f"{_THANK} of what was different this session, {_CHANGES}", label)
    level = np.where(below, s.level("drop"), s.level("drop", mild=True))
    suggestion = tx.choose(
        below, f"{_THANK} of what was different this session, {_CHANGES}",
        "Slightly lower scores after a hard session are often normal and temporary: "
        "acknowledge the change and ask whether anything in this session did not fit.")
    return _fired("alliance", rows, level, change, -limit, body, suggestion, label)


# What a repeatedly low item points to (PCOMS practice; docs/measures-and-rules.md, "Alerts")
_BIGGER_PICTURE = MappingProxyType({
    "relationship": "Have a bigger-picture conversation about the relationship: consider a "
    "possible rupture, a cultural mismatch, or a referral.",
    "goals_topics": "Revisit the treatment goals and who sets the agenda.",
    "approach_method": "Revisit whether the approach fits the client (modality fit) and "
    "informed consent.",
    "overall": "Have a bigger-picture conversation about how the sessions are going overall.",
})


def _repeated_low_item(ctx, s):
    a, al, parts = ctx.alliance, s.alliance, []
    f = a["flags"]
    warn = s.level("repeated_low_item")
    for j, lab in enumerate(ITEM_LABELS):
        level = ctx.items["repeated"][:, j]
        rows = np.flatnonzero((level >= 0) & a["keep"])
        strong = f["repeated"][rows, j] & (level[rows] == warn)
        n = np.where(strong, f["n_repeated"][rows, j], f["n_recurring"][rows, j])
        name = ITEM_NAMES[lab]
        body = tx.concat(f" item {name} has been below ",
                         tx.choose(strong, tx.number(al.repeat_low), tx.number(al.low_item)),
                         " in ", tx.numbers(n), " of the last ", tx.numbers(f["window"][rows]),
                         " ratings (", tx.numbers(a["x"][rows, j]), " this session)",
                         tx.choose(strong, ".", ": the client's consistently lowest item."))
        parts.append(_fired("alliance", rows, level[rows], n, al.repeat_min, body,
                            tx.choose(strong, _BIGGER_PICTURE[lab],
                                      f"Name it with the client: {name} has been the lowest "
                                      "item for a while; ask for one concrete example of what "
                                      "would make it fit better."), lab))
    return parts


def _ceiling(ctx, s):
    a = ctx.alliance
    mask = a["table"]["at_ceiling"].to_numpy()
    if "false_reassurance" in s.rules:
        mask = mask & ~ctx.false_reassurance[0]
    rows = np.flatnonzero(mask & a["keep"])
    body = tx.concat(" total ", tx.numbers(a["total"][rows]),
                     f" is at the ceiling ({tx.number(s.alliance.ceiling)} or more).")
    return _fired("alliance", rows, s.level("ceiling"), a["total"][rows], s.alliance.ceiling,
                  body, "Ratings at the ceiling are common and can hide smaller criticisms: "
                  "invite them.")


def _false_reassurance(ctx, s):
    a, o, al = ctx.alliance, ctx.outcome, s.alliance
    fires, at_ceiling, streak, row = ctx.false_reassurance
    rows = np.flatnonzero(fires & a["keep"])
    ceil, r = at_ceiling[rows], row[rows]
    found = r >= 0
    r = np.maximum(r, 0)
    improved = found & o["improved"][r] if len(o["improved"]) else np.zeros(len(rows), bool)
    n = np.where(ceil, streak[rows], a["same_run"][rows])
    pattern = tx.choose(
        ceil, tx.concat(f" at the ceiling ({tx.number(al.ceiling)} or more) in all ",
                        tx.numbers(n), " ratings so far"),
        tx.concat(" total the same (", tx.numbers(a["total"][rows]), ") for the last ",
                  tx.numbers(n), " ratings"))
    om = o["measure"].take(r) if len(o["improved"]) else tx.text(np.full(len(rows), ""))
    pick = (lambda v: v[r]) if len(o["improved"]) else (lambda v: np.full(len(rows), np.nan))
    needs = "" if s.outcome.method == "points" else "more than "
    ors = tx.concat(", while the ", om, " (", tx.numbers(pick(o["total"])), " at session ",
                    tx.numbers(pick(o["session"])), ")")
    flat = tx.concat(ors, " has not improved reliably (change ", tx.signed(pick(o["change"])),
                     " since the intake of ", tx.numbers(pick(o["intake"])),
                     f"; a reliable change needs {needs}", tx.numbers(pick(o["rci"])), ").")
    better = tx.concat(ors, " has improved reliably (", tx.signed(pick(o["change"])),
                       " since the intake of ", tx.numbers(pick(o["intake"])),
                       "): the high ratings may well be genuine.")
    body = tx.concat(pattern, tx.choose(found, tx.choose(improved, better, flat),
                                        ", with no outcome rating yet to set them against."))
    name = tx.choose(ceil, ' ("all 10s every time")', " (the same score every session)")
    suggestion = tx.choose(
        improved, "The outcome is improving, so the high ratings may be genuine; now and then "
        "still invite smaller criticisms.",
        tx.concat("Name the pattern directly", name, " and invite smaller criticisms: what "
                  "would make the sessions even a little better?"))
    level = np.where(improved, s.level("false_reassurance", mild=True),
                     s.level("false_reassurance"))
    return _fired("alliance", rows, level, n,
                  np.where(ceil, al.ceiling_sessions, al.no_variation_sessions), body,
                  suggestion)


_REVIEW = ("Review the plan with the client, using the ORS: ask for one concrete example of "
           "what would help, agree on two small changes, and consider discussing the client "
           "in supervision.")


def _ors_deterioration(ctx, s):
    o = ctx.outcome
    rows = np.flatnonzero(o["worse"] & o["keep"])
    change = o["change"][rows]
    points = s.outcome.method == "points"
    body = tx.concat(" is ", tx.numbers(-change), " points below the intake (",
                     tx.numbers(o["intake"][rows]), " to ", tx.numbers(o["total"][rows]),
                     "): a reliable deterioration (", "" if points else "more than ",
                     tx.numbers(o["rci"][rows]), " or more)." if points else ").")
    return _fired("outcome", rows, s.level("ors_deterioration"), change, -o["rci"][rows], body,
                  _REVIEW)


def _off_track(ctx, s):
    e, es = ctx.etr, ctx.expected
    t = e["table"]
    mask = e["off"]
    if "ors_deterioration" in s.rules:  # one piece of evidence, one alert
        mask = mask & ~ctx.outcome_links[1]
    if _divergence_wins(s, "off_track"):
        mask = mask & ~ctx.divergence_etr
    rows = np.flatnonzero(mask & e["keep"])
    fitted = e["fitted"][rows]
    total = t[ctx.cols["total"]].to_numpy(dtype=float)[rows]
    intake = t["ors_intake"].to_numpy(dtype=float)[rows]
    need = intake + es.reliable_change
    p25 = t["p25"].to_numpy(dtype=float)[rows]
    below = tx.concat(" ", tx.numbers(total), " is below ", tx.numbers(p25), ", the 25th "
                      "percentile expected at this session for an intake of ",
                      tx.numbers(intake), ": off track.")
    fallback = tx.concat(" ", tx.numbers(total), f" is less than "
                         f"{tx.number(es.reliable_change)} points above the intake of ",
                         tx.numbers(intake), " (needs ", tx.numbers(need), "): off track by "
                         "the fallback rule, no reliable improvement by session "
                         f"{es.fallback_session}.")
    return _fired("etr", rows, s.level("off_track"), total, np.where(fitted, p25, need),
                  tx.choose(fitted, below, fallback), _REVIEW)


def _no_early_change(ctx, s):
    o = ctx.outcome
    mask = ((o["session"] >= s.early_session) & (o["pos"] > 0) & o["scored"]
            & (o["change"] <= s.early_change + EPS))
    if s.early_clinical_only:
        mask &= o["intake"] < o["cutoff"] - EPS
    if "ors_deterioration" in s.rules:
        mask &= ~o["worse"]
    if "off_track" in s.rules:
        mask &= ~ctx.outcome_links[0]
    if _divergence_wins(s, "no_early_change"):
        mask &= ~ctx.divergence["mask"]
    rows = np.flatnonzero(mask & o["keep"])
    body = tx.concat(" ", tx.numbers(o["total"][rows]), " is not above the intake of ",
                     tx.numbers(o["intake"][rows]), " (change ", tx.signed(o["change"][rows]),
                     "); the intake was below the cutoff of ", tx.numbers(o["cutoff"][rows]),
                     ".")
    suggestion = tx.concat("Talk with the client about the lack of change on the ",
                           o["measure"].take(rows), " so far: ask for one concrete example of "
                           "what a small improvement would look like, and agree on two small "
                           "changes to the plan.")
    return _fired("outcome", rows, s.level("no_early_change"), o["change"][rows],
                  s.early_change, body, suggestion)


# --------------------------------------------------------------------------- clients together
_SEEN_TOGETHER = "the clients seen together"
_NAME_IT = ("Name the difference openly, without taking sides: \"I notice your ratings look "
            "different today. Let's talk about what each of you needs.\"")


def _divergence_wins(s, rule):
    """``outcome_divergence`` supersedes ``rule`` on the same outcome rating when it is on
    and at least as severe."""
    return ("outcome_divergence" in s.rules and rule in s.rules
            and s.level("outcome_divergence") >= s.level(rule))


def _couple(ctx, s, name):
    """The alerts of one couple rule (see :attr:`_Context.couples`)."""
    a, c, cs, al = ctx.alliance, ctx.couples, ctx.couple_settings, s.alliance
    pick = np.flatnonzero(c["fired"] & (c["rule"] == name))
    rows = c["row"][pick]
    pick, rows = pick[a["keep"][rows]], rows[a["keep"][rows]]
    t = c["table"].iloc[pick]
    gap = t["gap"].to_numpy(dtype=float)
    n_below = t["n_below_cutoff"].to_numpy()
    n_above = t["n_clients"].to_numpy() - n_below
    cut = f"the cutoff of {tx.number(al.cutoff)}"
    gap_words = tx.concat(tx.numbers(gap), tx.choose(gap == 1, " point", " points"))
    # "C2 33 is below the cutoff of 36, C1 40 is not (a gap of 7 points)"
    split = tx.concat(t["_below_detail"], tx.choose(n_below == 1, " is", " are"),
                      f" below {cut}, ", t["_above_detail"],
                      tx.choose(n_above == 1, " is not", " are not"), " (a gap of ", gap_words,
                      ")")
    apart = tx.concat(t["_detail"], tx.choose(n_above == 0, f", all below {cut}", ""))
    is_split = t["split"].to_numpy(dtype=bool)
    now = tx.choose(is_split, split, apart)
    item = t["most_divergent_item"]
    differ = tx.choose(item.notna().to_numpy(), tx.concat(
        " They differ most on ", tx.item_names(item), " (by ",
        tx.numbers(t["item_gap"].to_numpy(dtype=float)), ")."), "")
    lowest = _lowest_item_of(a, rows, c["client"][pick])
    # "CSRS and SRS totals ..." where a family's child rated the CSRS and the adults the SRS
    mine = a["table"][ctx.cols["measure"]].to_numpy(dtype=object)[rows]
    adult, child = jt.FAMILIES["SRS"]
    mixed = t["measures"].str.contains(";").to_numpy(dtype=bool)
    together = tx.concat(tx.choose(mixed, tx.concat(" and ", np.where(mine == adult, child,
                                                                      adult)), ""),
                         f" totals of {_SEEN_TOGETHER}")
    if name == "split_alliance":
        head = tx.choose(is_split, tx.concat(together, " are split: "),
                         tx.concat(together, " are ", gap_words, " apart ",
                                   f"({tx.number(cs.gap)} or more): "))
        body = tx.concat(head, now, ".", differ, lowest)
        value = np.where(is_split, t["min_total"].to_numpy(dtype=float), gap)
        limit = np.where(is_split, al.cutoff, cs.gap)
        suggestion = f"{_NAME_IT} Ask each what would make the sessions work for them."
    elif name == "persistent_split":
        n = t["recent_splits"].to_numpy()
        body = tx.concat(together, " have been split in ", tx.numbers(n),
                         f" of the last {cs.window} joint sessions; now ", now, ".", differ,
                         lowest)
        value, limit = n, cs.split_min
        suggestion = (f"{_NAME_IT} The difference has lasted for a while: ask each what the "
                      "sessions would need to work for them, and agree on two small changes.")
    else:
        body = tx.concat(together, " are moving apart: their gap grew from ",
                         tx.numbers(t["_gap_before"].to_numpy(dtype=float)), " to ", gap_words,
                         f" over the last {cs.window} joint sessions "
                         f"({tx.number(cs.widening)} or more); now ", now, ".", differ,
                         lowest)
        value, limit = t["gap_growth"].to_numpy(dtype=float), cs.widening
        suggestion = (f"{_NAME_IT} The ratings are moving apart, and a widening gap "
                      "between partners has gone with dropping out: ask each what would help "
                      "the sessions work for them.")
    return _fired("alliance", rows, s.level(name), value, limit, body, suggestion,
                  item.array)


def _lowest_item_of(a, rows, who):
    """" Lowest item of C2: approach or method (5/10)." (ties: "Lowest items of C2: ...";
    "" when the rating has no items)."""
    t = a["table"]
    label = a["lowest_label"].take(rows)
    names, score = tx.item_names(label), tx.numbers(t["lowest_item_score"].to_numpy()[rows])
    n = a["n_lowest"][rows]
    one, tied = a["valid"][rows] & (n < 4), n > 1
    named = tx.concat(tx.choose(tied, " Lowest items of ", " Lowest item of "), who, ": ",
                      names, " (", score, "/10).")
    four = tx.concat(" All four items of ", who, ": ", score, "/10.")
    return tx.choose(a["valid"][rows], tx.choose(one, named, four), "")


def _outcome_divergence(ctx, s):
    o, d, cs = ctx.outcome, ctx.divergence, ctx.couple_settings
    pick = np.flatnonzero(d["fired"])
    rows = d["row"][pick]
    pick, rows = pick[o["keep"][rows]], rows[o["keep"][rows]]
    t = d["table"].iloc[pick]
    spread = t["change_spread"].to_numpy(dtype=float)
    body = tx.concat(" of ", d["client"][pick], " changed ", tx.signed(o["change"][rows]),
                     " since the intake of ", tx.numbers(o["intake"][rows]), ", while ",
                     d["top_client"][pick], " has improved reliably (",
                     tx.signed(t["_top_change"].to_numpy(dtype=float)), f"): the outcomes of "
                     f"{_SEEN_TOGETHER} are parting, ", tx.numbers(spread), " points of "
                     f"change apart ({tx.number(cs.divergence)} or more).")
    return _fired("outcome", rows, s.level("outcome_divergence"), spread, cs.divergence, body,
                  "Name the difference openly, without taking sides: ask each how things "
                  "have been going and what each needs from the sessions, and agree on two "
                  "small changes.")


def _collateral_deterioration(ctx, s):
    c = ctx.collateral
    t = c["table"]
    rows = np.flatnonzero(c["unshared"] & c["keep"])
    rater = tx.text(t[ctx.cols["rater"]]).take(rows)
    total = t[ctx.cols["total"]].to_numpy(dtype=float)[rows]
    change = t["ors_change"].to_numpy(dtype=float)[rows]
    intake = t["ors_intake"].to_numpy(dtype=float)[rows]
    rci = t["rci"].to_numpy(dtype=float)[rows]
    own = t["self_total"].to_numpy(dtype=float)[rows]
    has_own = ~np.isnan(own)
    points = s.outcome.method == "points"
    shown = tx.concat(", which the client's own ratings do not show (", tx.numbers(own),
                      " at session ", tx.numbers(t["self_session"].to_numpy(
                          dtype=float, na_value=np.nan)[rows]), ", ",
                      tx.signed(t["self_ors_change"].to_numpy(dtype=float)[rows]),
                      " since the client's intake).")
    body = tx.concat(" rated by the ", rater, " is ", tx.numbers(-change), " points below the ",
                     rater, "'s first rating (", tx.numbers(intake), " to ",
                     tx.numbers(total), "): a reliable deterioration (",
                     "" if points else "more than ", tx.numbers(rci),
                     " or more)" if points else ")",
                     tx.choose(has_own, shown, ", and the client has no own rating of it "
                               "to compare."))
    suggestion = tx.concat("Set the two views side by side: ask the client how things have "
                           "been, and what the ", rater, " may be noticing. The client's own "
                           "ratings stay the outcome.")
    return _fired("collateral", rows, s.level("collateral_deterioration"), change, -rci, body,
                  suggestion)


def _group_outlier(ctx, s):
    a, g, gs = ctx.alliance, ctx.groups, s.groups
    rows = g["row"]
    m = g["table"]
    if not len(rows):
        return _fired("alliance", rows, 0, np.zeros(0), np.zeros(0), tx.text([]), tx.text([]))
    keep = a["keep"][rows]
    rows, m = rows[keep], m[keep]
    diff = m["diff_from_others"].to_numpy(dtype=float)
    below = ctx.totals["below"][rows]
    label, lowest, _ = _lowest(a, rows)
    body = tx.concat(" total ", tx.numbers(a["total"][rows]),
                     tx.choose(below, f", below the cutoff of {tx.number(s.alliance.cutoff)},",
                               ""), " is ", tx.numbers(-diff), " points below the mean of the "
                     "other ", tx.numbers(m["n_others"].to_numpy()), " members of group ",
                     m["group"].to_numpy(dtype=object), " (",
                     tx.numbers(m["others_mean"].to_numpy(dtype=float)), "), and ",
                     tx.number(gs.outlier_gap), " or more below them in ",
                     tx.numbers(m["recent_below_others"].to_numpy()), " of the member's last ",
                     tx.numbers(m["recent_window"].to_numpy()), " group sessions.", lowest)
    return _fired("alliance", rows, s.level("group_outlier"), diff, -gs.outlier_gap, body,
                  "Adjust the group's structure, safety norms and participation balance so "
                  "this member has room: ask, in the group or one to one, what would make the "
                  "group more useful to them.", label)


_BUILDERS = {
    "low_total": _low_total, "low_item": _low_item,
    "drop": lambda ctx, s: _drops(ctx, s, False),
    "sharp_drop": lambda ctx, s: _drops(ctx, s, True),
    "repeated_low_item": _repeated_low_item, "ceiling": _ceiling,
    "false_reassurance": _false_reassurance, "ors_deterioration": _ors_deterioration,
    "off_track": _off_track, "no_early_change": _no_early_change,
    "split_alliance": lambda ctx, s: _couple(ctx, s, "split_alliance"),
    "persistent_split": lambda ctx, s: _couple(ctx, s, "persistent_split"),
    "widening_gap": lambda ctx, s: _couple(ctx, s, "widening_gap"),
    "outcome_divergence": _outcome_divergence,
    "collateral_deterioration": _collateral_deterioration, "group_outlier": _group_outlier,
}


# --------------------------------------------------------------------------- public
@_docstrings.fill
def alerts(
    data: pd.DataFrame,
    *,
    client: str = "client_id",
    episode: str = "episode_id",
    clinician: str = "clinician_id",
    session: str = "session_number",
    date: str = "session_date",
    measure: str = "measure",
    rater: str = "rater",
    total: str = "total",
    items: tuple[str, str, str, str] = ITEM_COLUMNS,
    imputed: str = "items_imputed",
    age_group: str = "age_group",
    group: str = "group_id",
    settings: AlertSettings | None = None,
    model: ExpectedResponse | None = None,
    since: str | pd.Timestamp | None = None,
    clinicians: str | Iterable[str] | None = None,
    min_severity: str | None = None,
    latest_only: bool = False,
) -> pd.DataFrame:
    """Every alert in the table: one row per rule that fires at a session.

    Parameters
    ----------
    {data}
        The whole history, so that drops, streaks and changes from intake see the earlier
        sessions (filter the alerts, not the data).
    {columns}
        ``clinician``, ``date``, ``age_group``, ``group`` and the items may be absent
        (without ``group``, ``group_outlier`` finds no group).
    settings : AlertSettings, optional
        Rules switched on, severities and thresholds; the defaults when omitted.
    {model}
        It serves ``off_track``; fitted here, it uses ``settings.expected``.
    since : date-like, optional
        Keep alerts of sessions on or after this date (alerts without a date are dropped).
    clinicians : str or iterable of str, optional
        Keep alerts of sessions seen by these clinicians.
    min_severity : {"info", "warning", "critical"}, optional
        Keep alerts at least this severe. Rules that never reach it are not computed, so
        they supersede nothing (a ``drop`` raised to warning is kept when ``sharp_drop`` is
        not).
    latest_only : bool, default False
        Keep only alerts of each client's latest rating of the measure in the episode: the
        patterns that still hold now (:func:`srs_analytics.attention` gives one line per
        client a clinician is seeing now).

    Returns
    -------
    pandas.DataFrame
        One row per alert, sorted by severity (critical first), session date (latest
        first, unknown last), client, episode, session number (latest first) and rule, with
        the columns :data:`ALERT_COLUMNS`:

        - ``client_id``, ``episode_id``, ``clinician_id``, ``session_number``,
          ``session_date``, ``measure`` (the names passed in): the rating the alert is
          attached to, an SRS-family rating for alliance rules, an ORS or CORS for outcome
          rules and a collateral rater's rating for ``collateral_deterioration``
          (``RULES[rule].attached_to``); a couple's or family's alert is attached to the
          rating of the client it names first (the lowest, or the one lagging behind);
        - ``rule`` (str): a name in :data:`RULES`; ``severity`` (ordered categorical: info
          < warning < critical), the rule's, or its milder case's for a graded rule;
        - ``item`` (str): the item's short label (``relationship``, ``goals_topics``,
          ``approach_method``, ``overall``) for ``low_item`` and ``repeated_low_item``; the
          lowest item (ties joined by ``";"``) for ``low_total``, ``drop``, ``sharp_drop``
          and ``group_outlier``; the item where the clients differ most for
          ``split_alliance``, ``persistent_split`` and ``widening_gap``; NA otherwise;
        - ``value`` and ``threshold`` (float): the number judged and its limit. low_total,
          ceiling: the total and the cutoff (36) or ceiling (39); low_item: the item and 7
          (deep) or 9, or, for an item that fell without being deep, the change and -3;
          drop, sharp_drop: the change from the previous rating and -1 or -5;
          repeated_low_item: the ratings with the item low in the window and 2;
          false_reassurance: the sessions of the pattern and 3 (ceiling) or 4 (same total);
          ors_deterioration: the change from intake and -5; off_track: the ORS and the
          25th percentile expected (fallback: intake + 5); no_early_change: the change from
          intake and 0; split_alliance: the lowest total and 36 (or, with every client
          below 36, the gap and 5); persistent_split: the split sessions among the last 3
          and 2; widening_gap: the growth of the gap and 5; outcome_divergence: the
          clients' changes from intake apart and 5; collateral_deterioration: the
          collateral rater's change and -5; group_outlier: the total minus the other
          members' mean and -5;
        - ``message`` (str): what happened, in plain language, naming the session, the item
          and the numbers; ``suggestion`` (categorical of str: a few dozen texts): a
          follow-up from the seed's protocol.

    Notes
    -----
    The alerts are a conversation starter for the clients a clinician is seeing now, not
    an audit: one piece of evidence gives one alert. Rules (defaults of
    :class:`AlertSettings`; sources in :data:`RULES`). Alliance rules read
    :func:`~srs_analytics.alliance.session_alliance` and attach to the SRS rating; each
    measure (SRS, CSRS, GSRS, CGSRS) is its own series, so "previous" and "so far" never
    compare an SRS with a GSRS:

    - ``low_total``: total < 36, warning. ``ceiling``: total >= 39, info.
    - ``low_item``: an item <= 7 or one that fell 3 points or more since the previous
      rating, warning whatever the total (one low item tells more than the total); else
      the lowest item when below 9, info (the seed: one follow-up on the lowest item).
    - ``drop``: total at least 1 below the previous rating: warning when it is now below
      36, info while it stays at or above (slightly lower scores after a hard session are
      often normal and temporary). ``sharp_drop``: at least 5, critical.
    - ``repeated_low_item``: an item below 8 in this rating and in at least one of the
      two before, warning, with the item's bigger picture (what a repeatedly low item
      points to in PCOMS practice); the lowest item below 9 that way, info, naming it as
      the client's consistently lowest item. It holds only while the item is still low.
    - ``false_reassurance``: every rating of the episode so far at the ceiling, over at
      least 3, or the last 4 or more with the same total at or above 36. A warning on its
      own (with or without an ORS: the seed names "all 10s every time" directly), info
      when the client's latest self-rated ORS (or CORS) of the episode up to this session
      shows a reliable improvement. A constant low total is a stable low alliance, left to
      ``low_total``.

    Outcome rules read :func:`~srs_analytics.outcomes.session_outcomes` and
    :func:`~srs_analytics.expected.expected_status` (self-ratings; a child's CORS is read
    with its own cutoff, 32, and expected response) and attach to the outcome rating:

    - ``ors_deterioration``: change from intake <= -5 (points method, inclusive; with
      Jacobson-Truax, beyond the reliable change index), critical.
    - ``off_track``: ``etr_status`` off track: below the 25th percentile expected for the
      intake and session, or, where too little data was fitted, no reliable improvement
      by session 4; warning.
    - ``no_early_change``: at session 3 or later (``early_session``), the ORS is not
      above the intake (change <= 0, ``early_change``) and the intake was in the clinical
      range (below the cutoff: adult ORS 25, adolescent 28, child CORS 32); warning. Early
      change predicts outcome (Howard et al. 1986; Haas et al. 2002). A client starting in
      the non-clinical range has little room to change and is not flagged, as outcome
      benchmarks count clinical-range cases (ACORN).

    Clients who share an episode (a couple, a family) were seen together; their joint
    sessions are those of :func:`srs_analytics.couple_sessions` (thresholds in
    ``settings.couples``). The alliance rules read the SRS family (a family's child rates
    the CSRS) and attach to the rating of the lowest client; the messages name every
    client by id with their total:

    - ``split_alliance``: one client below 36 and another not, or every client below 36
      and 5 or more points apart; warning.
    - ``persistent_split``: split in this joint session and in at least 2 of the last 3;
      warning.
    - ``widening_gap``: the gap between the highest and the lowest total grew by 5 points
      or more over the last 3 joint sessions; warning. The change of the partners' gap
      over sessions, not a single gap, predicted dropout (Bartle-Haring et al. 2012).
    - ``outcome_divergence``: on the ORS family, one client has improved reliably since
      their own intake and another has not and is 5 or more points of change behind;
      warning, attached to that client's outcome rating.

    ``collateral_deterioration``: a collateral rater's ORS or CORS is a reliable
    deterioration from that rater's own first rating (5 points, as the client's), and the
    client's own latest rating of the measure is not (or there is none): warning, attached
    to the collateral rating (:func:`srs_analytics.collateral_sessions`). A deterioration
    the client shows too is the client's own ``ors_deterioration``.

    ``group_outlier``: a group member's GSRS or CGSRS 5 points or more below the mean of
    the other members (2 or more) of the group session, now and in at least 2 of the
    member's last 3 group sessions (:func:`srs_analytics.group_members`, thresholds in
    ``settings.groups``): warning.

    An alert describes the rating it is attached to: a pattern that holds at several
    sessions is reported at each (``latest_only=True`` keeps the latest rating's). On the
    same rating, when both rules are on, the more severe alert supersedes the milder one:

    - ``sharp_drop`` supersedes ``drop``; a drop or sharp drop that leaves the total below
      36 supersedes ``low_total`` (its message says so);
    - per item, the more severe of ``low_item`` and ``repeated_low_item`` (the repeated
      one on a tie);
    - a total-level alert (``low_total``, ``drop``, ``sharp_drop``) names the lowest item
      and supersedes its ``low_item``; at warning or worse it supersedes every
      ``low_item`` of the rating and the milder ``repeated_low_item``;
    - ``false_reassurance`` supersedes ``ceiling``;
    - ``ors_deterioration`` supersedes ``off_track``, which supersedes
      ``no_early_change``;
    - of the couple rules on one joint session, one: ``widening_gap`` (the widest
      evidence), else ``persistent_split``, else ``split_alliance``; it and
      ``group_outlier`` state a total below 36 and so supersede that rating's
      ``low_total`` (a drop stays beside them: it is other evidence);
    - ``ors_deterioration`` supersedes ``outcome_divergence``, which supersedes
      ``off_track`` and ``no_early_change`` when at least as severe.

    References
    ----------
    OpenFIT knowledge base KA-01028 and KA-01031 (cutoffs, reliable change, the red rule).
    Meier, S. T. and Feeley, T. H. (2022). Ceiling effects indicate a possible threshold
    structure for working alliance. Journal of Counseling Psychology, 69(2), 235-245.
    Jacobson, N. S. and Truax, P. (1991). Journal of Consulting and Clinical Psychology,
    59(1), 12-19.
    Finch, A. E., Lambert, M. J. and Schaalje, B. G. (2001). Clinical Psychology and
    Psychotherapy, 8(4), 231-242.
    Howard, K. I., Kopta, S. M., Krause, M. S. and Orlinsky, D. E. (1986). The
    dose-effect relationship in psychotherapy. American Psychologist, 41(2), 159-164.
    Haas, E., Hill, R. D., Lambert, M. J. and Morrell, B. (2002). Do early responders to
    psychotherapy maintain treatment gains? Journal of Clinical Psychology, 58(9),
    1157-1172.
    Bartle-Haring, S., Glebova, T., Gangamma, R., Grafsky, E. and Ostrom Delaney, R.
    (2012). Alliance and termination status in couple therapy: a comparison of methods
    for assessing discrepancies. Psychotherapy Research, 22(5), 502-514.
    Anker, M. G., Duncan, B. L. and Sparks, J. A. (2009). Using client feedback to improve
    couple therapy outcomes. Journal of Consulting and Clinical Psychology, 77(4),
    693-704.
    Quirk, K., Miller, S. D., Duncan, B. L. and Owen, J. (2013). Group Session Rating
    Scale. Counselling and Psychotherapy Research, 13(3), 194-200.

    Examples
    --------
    >>> import pandas as pd
    >>> srs = pd.DataFrame({"client_id": "C1", "episode_id": "E1", "session_number": [1, 2],
    ...                     "session_date": pd.to_datetime(["2026-03-05", "2026-03-12"]),
    ...                     "measure": "SRS", "rater": "self", "item_1": [9.5, 8.0],
    ...                     "item_2": [9.5, 7.0], "item_3": [9.5, 5.0],
    ...                     "item_4": [9.5, 9.0], "total": [38.0, 29.0]})
    >>> out = alerts(srs)
    >>> out[["session_number", "rule", "severity", "item", "value", "threshold"]]
       session_number        rule  severity             item  value  threshold
    0               2  sharp_drop  critical  approach_method   -9.0       -5.0
    >>> print(out["message"].iloc[0])
    Session 2, 12 Mar 2026: SRS fell 9 points since the previous rating (38 to 29), a sharp
    drop (5 or more), below the cutoff of 36. Lowest item: approach or method (5/10).
    """
    s = settings or AlertSettings()
    if min_severity is not None:
        check_choice("min_severity", min_severity, SEVERITIES)
    require_frame(data)
    if model is not None and not isinstance(model, ExpectedResponse):
        raise TypeError(f"model must be an ExpectedResponse (srs_analytics.fit_expected); got "
                        f"{type(model).__name__}")
    floor = SEVERITIES.index(min_severity) if min_severity else 0
    cols = column_map(client=client, episode=episode, clinician=clinician, session=session,
                      date=date, measure=measure, rater=rater, total=total, items=items,
                      imputed=imputed, age_group=age_group, group=group)
    # rules that never reach min_severity are not computed, and so supersede nothing
    s = replace(s, rules={r for r in s.rules if s.top_level(r) >= floor})
    ctx = _Context(data, cols, s, model, _filter(since, clinicians, latest_only, cols))
    parts = []
    for name in RULES:  # a loop over the rules, never over clients
        if name in s.rules:
            built = _BUILDERS[name](ctx, s)
            for part in built if isinstance(built, list) else [built]:
                part["rule"] = name
                if floor:  # the milder case of a graded rule may fall below min_severity
                    part = _subset(part, part["level"] >= floor)
                parts.append(part)
    return _assemble(ctx, parts, cols)


def _subset(part, keep):
    """The alerts of a part where ``keep``."""
    out = dict(part)
    for k in ("rows", "level", "value", "threshold"):
        out[k] = part[k][keep]
    for k in ("item", "suggestion"):
        out[k] = (part[k][0], part[k][1][keep])
    out["body"] = part["body"].filter(pa.array(keep))
    return out


def _filter(since, clinicians, latest_only, cols):
    """A function giving the rows of a rule's table that the filters keep."""
    since = None if since is None else pd.Timestamp(since)
    clinicians = [clinicians] if isinstance(clinicians, str) else clinicians

    def keep(table, last):
        ok = last.copy() if latest_only else np.ones(len(table), dtype=bool)
        if since is not None:
            ok &= (table[cols["date"]] >= since).to_numpy(dtype=bool, na_value=False)
        if clinicians is not None:
            ok &= table[cols["clinician"]].isin(list(clinicians)).to_numpy(dtype=bool)
        return ok

    return keep


def _taken(tables, used, offset, g, name):
    """``name`` at the rows ``g`` of the tables ``used`` stacked (text): only the rows
    alerted are taken from each table, then put in the order of ``g``."""
    if not used:
        return pa.array([], tx.STR)
    src = np.searchsorted(np.array([offset[u] for u in used]), g, side="right") - 1
    where = [np.flatnonzero(src == i) for i in range(len(used))]
    pieces = [pa.array(tables[u]["table"][name].iloc[g[w] - offset[u]], from_pandas=True)
              .cast(tx.STR) for u, w in zip(used, where)]
    blocked = pa.concat_arrays(pieces)
    return blocked.take(np.argsort(np.concatenate(where), kind="stable"))


def _assemble(ctx, parts, cols):
    """One table of every rule's alerts, sorted (see :func:`alerts`)."""
    names = [cols[k] for k in ("client", "episode", "clinician", "session", "date",
                               "measure")]
    used = list(dict.fromkeys(p["src"] for p in parts if len(p["rows"])))
    tables = {src: getattr(ctx, src) for src in used}
    offset = dict(zip(used, np.cumsum([0] + [len(tables[u]["table"]) for u in used])))
    n = [len(p["rows"]) for p in parts]
    gidx = np.concatenate([np.zeros(0, np.int64)] + [p["rows"] + offset.get(p["src"], 0)
                                                       for p in parts])
    ce = np.concatenate([np.zeros(0, np.int64)] + [tables[p["src"]]["ce"][p["rows"]]
                                                     for p in parts if len(p["rows"])])
    level = np.concatenate([np.zeros(0, np.int64)] + [p["level"] for p in parts])
    rule = np.repeat(np.array([list(RULES).index(p["rule"]) for p in parts], dtype=np.int64), n)
    day = np.concatenate([np.zeros(0, "datetime64[ns]")] + [
        tables[u]["table"][cols["date"]].to_numpy(dtype="datetime64[ns]") for u in used])[gidx]
    session = np.concatenate([np.zeros(0)] + [tables[u]["session"] for u in used])[gidx]
    # severity (critical first), date (latest first, unknown last), client, episode,
    # session (latest first), rule; the parts are in item order within a rule
    unknown = np.isnat(day)
    days = np.where(unknown, 0, -day.astype(np.int64) // 86_400_000_000_000)
    # the six keys packed into three integers (fewer passes of the sort)
    first = ((len(SEVERITIES) - level) * 2 + unknown) * 2**32 + (days - days.min(initial=0))
    last = -np.nan_to_num(session, nan=-1).astype(np.int64) * 64 + rule
    order = np.lexsort((last, ce, first))
    g = gidx[order]
    res = {}
    for n_ in names:
        if n_ == cols["session"]:
            s_ = session[order]
            res[n_] = pd.arrays.IntegerArray(np.nan_to_num(s_).astype(np.int64), np.isnan(s_))
        elif n_ == cols["date"]:
            res[n_] = day[order]
        else:  # text: each table's alerted rows taken in arrow, missing values kept
            res[n_] = pd.array(_taken(tables, used, offset, g, n_), dtype="str")
    tables = gidx = g = ce = None
    ctx.release()  # what follows needs the parts only: the rules' tables can go

    def spelled(key):  # a vocabulary column: codes into the words of every part
        words, codes = [], [np.zeros(0, np.int64)]
        for p in parts:
            codes.append(p[key][1].astype(np.int64) + len(words))
            words += p[key][0]
        return pc.take(pa.array(words, tx.STR), np.concatenate(codes)[order])

    def vocabulary(key):  # a categorical column: codes into the words of every part
        # (a suggestion is one of a few dozen texts: kept as a categorical, never spelled
        # out per alert)
        words, codes = [], [np.zeros(0, np.int64)]
        for p in parts:
            codes.append(p[key][1].astype(np.int64) + len(words))
            words += p[key][0]
        codes = np.concatenate(codes)[order]
        known = [w is not None for w in words]
        uniq, where = np.unique(np.array([w for w in words if w is not None], dtype=object),
                                return_inverse=True)
        remap = np.full(len(words), -1, dtype=np.int64)
        remap[np.flatnonzero(known)] = where
        return pd.Categorical.from_codes(remap[codes] if len(codes) else codes,
                                         pd.Index(uniq, dtype="str"))

    when, known = tx.dates(day[order]), ~np.isnan(session[order])
    dated = pc.not_equal(when, "").to_numpy(zero_copy_only=False)
    where = tx.concat(tx.choose(known, tx.concat("Session ", tx.numbers(session[order])), ""),
                 tx.choose(known & dated, ", ", ""), when, ": ")
    value = {k: np.concatenate([np.zeros(0)] + [p[k] for p in parts])[order]
             for k in ("value", "threshold")}
    body = pa.chunked_array([p["body"] for p in parts], tx.STR).take(order) if parts else \
        pa.array([], tx.STR)
    for p in parts:
        p["body"] = None
    return pd.DataFrame({
        **res,
        "rule": tx.str_column(pc.take(pa.array(list(RULES), tx.STR), rule[order])),
        "severity": pd.Categorical.from_codes(level[order], SEVERITIES, ordered=True),
        "item": pd.array(spelled("item"), dtype="str"),
        "value": value["value"], "threshold": value["threshold"],
        "message": tx.str_column(tx.concat(where, tx.text(res[cols["measure"]]), body)),
        "suggestion": vocabulary("suggestion"),
    })
