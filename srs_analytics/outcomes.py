"""Client outcomes on the ORS family: intake, last score, change, reliable change and
clinical significance, per client and episode and per session (``docs/measures-and-rules.md``,
"Outcomes").

Self-ratings only: collateral ratings (a parent, a teacher, a partner) are reported beside
the self figures, never mixed in. Every threshold is a setting of :class:`OutcomeSettings`.
:func:`reliable_change` and :func:`clinical_significance` work on any pre/post scores and
reproduce published Jacobson-Truax counts (``tests/test_outcomes.py``).

References
----------
Jacobson, N. S. and Truax, P. (1991). Clinical significance: a statistical approach to
defining meaningful change in psychotherapy research. Journal of Consulting and Clinical
Psychology, 59(1), 12-19.
Miller, S. D., Duncan, B. L., Brown, J., Sparks, J. A. and Claud, D. A. (2003). The Outcome
Rating Scale. Journal of Brief Therapy, 2(2), 91-100.
OpenFIT knowledge base KA-01028 (cutoffs: adult 25, child 32; reliable change 5 points).
NHS CYP IAPT (an alternative reliable change: 6.6 points for the ORS, 10 for the CORS).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import _docstrings
from ._checks import check_choice, check_number, require_columns
from ._frames import column_map, sort_into_groups
from .instruments import INSTRUMENTS, OUTCOME, Instrument

__all__ = ["OUTCOME_CATEGORIES", "OUTCOME_LABELS", "RELIABLE_CHANGE", "Z_CRIT",
           "IntakeNorms", "OutcomeSettings", "client_outcomes", "clinical_cutoff",
           "clinical_significance", "intake_counts", "intake_norms", "reliable_change",
           "reliable_change_threshold", "session_outcomes"]

#: Two-sided 5% critical value of the standard normal (Jacobson and Truax 1991).
Z_CRIT = 1.959964
#: Clinical significance categories, best first (Jacobson and Truax 1991).
OUTCOME_CATEGORIES = ("recovered", "improved", "unchanged", "deteriorated", "harmed")
#: The ``outcome`` column of :func:`client_outcomes`: the categories, ``insufficient`` (no
#: change to judge) and ``not_scored`` (a measure without a cutoff: YCORS).
OUTCOME_LABELS = (*OUTCOME_CATEGORIES, "insufficient", "not_scored")
#: Categories of :func:`reliable_change`.
RELIABLE_CHANGE = ("improvement", "none", "deterioration")
#: Outcome measure of each age group (CORC measure pages).
_MEASURE_FOR_AGE = {"young_child": "YCORS", "child": "CORS", "adolescent": "ORS",
                    "adult": "ORS"}
_CUTOFF_KINDS = ("default", "a", "b", "c")
_TOTAL_MAX = INSTRUMENTS["ORS"].total_range[1]  # 40, the same for the CORS


@dataclass(frozen=True)
class IntakeNorms:
    """Intake mean and SD per measure and cutoff age group, fixed in advance.

    Made by :func:`intake_norms` from the :func:`intake_counts` of the partitions of data
    too big for one machine, and given to :class:`OutcomeSettings` (``norms``): every
    partition then uses the norms of the whole data. Read-only, compared and hashed by
    value.

    Attributes
    ----------
    rows : tuple of tuple
        One ``(measure, cutoff_group, n, mean, sd, n_all, m_all, sd_all)`` per measure and
        cutoff age group (the columns of :attr:`table`); None for a missing mean or SD.

    Examples
    --------
    >>> norms = IntakeNorms((("ORS", "adult", 3, 17.5, 7.0, 3, 17.5, 7.0),))
    >>> norms.table[["measure", "cutoff_group", "n", "mean", "sd"]]
      measure cutoff_group  n  mean   sd
    0     ORS        adult  3  17.5  7.0
    """

    rows: tuple[tuple, ...] = ()

    def __post_init__(self):
        rows = []
        for row in self.rows:
            row = tuple(row)
            if len(row) != len(_NORM_COLUMNS):
                raise ValueError(f"each row of IntakeNorms holds {', '.join(_NORM_COLUMNS)}; "
                                 f"got {row!r}")
            m, g, n, mean, sd, n_all, m_all, sd_all = row
            rows.append((str(m), str(g), int(n), _number(mean), _number(sd), int(n_all),
                         _number(m_all), _number(sd_all)))
        object.__setattr__(self, "rows", tuple(rows))

    @property
    def table(self) -> pd.DataFrame:
        """``measure``, ``cutoff_group``, ``n``, ``mean``, ``sd`` (n - 1) of the intakes of
        each measure and cutoff age group, and ``n_all``, ``m_all``, ``sd_all`` of the
        measure across all age groups (a new frame each time)."""
        t = pd.DataFrame(list(self.rows), columns=list(_NORM_COLUMNS))
        for c in _NORM_COLUMNS:
            t[c] = t[c].astype("str" if c in ("measure", "cutoff_group") else
                               np.int64 if c.startswith("n") else float)
        return t


_NORM_COLUMNS = ("measure", "cutoff_group", "n", "mean", "sd", "n_all", "m_all", "sd_all")


def _number(x):
    """A float, or None for a missing one (so that equal norms compare equal)."""
    return None if x is None or pd.isna(x) else float(x)


@dataclass(frozen=True)
class OutcomeSettings:
    """Rules for reliable change and clinical significance on the ORS family.

    Attributes
    ----------
    method : {"points", "jt"}, default "points"
        ``"points"``: a change of at least ``rci`` points is reliable (the PCOMS convention,
        OpenFIT KA-01028). ``"jt"``: Jacobson and Truax (1991), from ``reliability`` and
        the intake SD.
    rci : float, default 5.0
        Reliable change in points for ``"points"``, inclusive (OpenFIT KA-01028; NHS CYP
        IAPT uses 6.6 for the ORS and 10 for the CORS).
    reliability : float, default 0.93
        For ``"jt"``: the ORS alpha of the original study (Miller et al. 2003, not
        re-checked; non-clinical samples .80-.83, test-retest .53).
    sd_intake, mean_intake : float, optional
        Intake SD and mean of the clinical population (agency norms, say). By default
        computed from the data per measure and cutoff age group, over the episodes with at
        least two self-rated administrations (sample SD, n - 1).
    min_intakes : int, default 20
        Fewer intakes than this in a measure and age group give no SD of their own: the
        SD and mean of the measure across all age groups are used instead (or
        ``fallback_sd``), and ``rci_basis`` says so. Our choice: the SD of *n* intakes has
        a relative standard error of about 1 / sqrt(2 (n - 1)), 16% at 20 and 50% at
        3 (three adolescents with an SD of 0.6 would make a change from 27 to 26 reliable).
    fallback_sd : float, optional
        The intake SD for a measure and age group with fewer than ``min_intakes`` intakes
        (a published norm, say); by default the SD of the measure across all age groups.
    cutoff : {"default", "a", "b", "c"} or float, default "default"
        ``"default"``: the measure's cutoff for the age group in ``instruments`` (adult ORS
        25, adolescent 28, CORS 32; OpenFIT KA-01028; the adolescent 28 has no primary
        source). ``"a"``, ``"b"``, ``"c"``: Jacobson and Truax (1991), see
        :func:`clinical_cutoff`. A number: that cutoff for every measure.
    functional_mean, functional_sd : float, default 30.5 and 5.8
        A non-clinical ORS sample (Miller et al. 2003), for cutoffs
        b and c. Adult ORS norms: no CORS norms are bundled.
    z_crit : float, default 1.959964
        Critical value of the Jacobson-Truax z (two-sided 5%).
    higher_is_better : bool, default True
        Direction of the scale (True for every PCOMS measure).
    norms : IntakeNorms, optional
        The intake means, SDs and counts per measure and cutoff age group to use instead of
        those of the data (for ``"jt"`` and cutoffs a, b, c): :func:`intake_norms` of the
        :func:`intake_counts` of the partitions of data split by client, so that each
        partition is judged by the norms of the whole. ``min_intakes``, ``fallback_sd``,
        ``sd_intake`` and ``mean_intake`` apply to them as to the data's own.

    Examples
    --------
    >>> OutcomeSettings(method="jt", cutoff="c").reliability
    0.93
    """

    method: str = "points"
    rci: float = 5.0
    reliability: float = 0.93
    sd_intake: float | None = None
    mean_intake: float | None = None
    min_intakes: int = 20
    fallback_sd: float | None = None
    cutoff: str | float = "default"
    functional_mean: float = 30.5
    functional_sd: float = 5.8
    z_crit: float = Z_CRIT
    higher_is_better: bool = True
    norms: IntakeNorms | None = None

    def __post_init__(self):
        if self.norms is not None and not isinstance(self.norms, IntakeNorms):
            raise TypeError(f"norms must be IntakeNorms (srs_analytics.intake_norms) or None; "
                            f"got {type(self.norms).__name__}")
        _check_method(self.method, self.rci, self.reliability, self.z_crit)
        top = _TOTAL_MAX  # every value on the scale of an ORS or CORS total (0-40)
        check_number("rci", self.rci, 0, top, low_open=True)
        check_number("sd_intake", self.sd_intake, 0, top, low_open=True, none=True)
        check_number("fallback_sd", self.fallback_sd, 0, top, low_open=True, none=True)
        check_number("min_intakes", self.min_intakes, 2, integer=True)
        check_number("functional_sd", self.functional_sd, 0, top, low_open=True)
        check_number("mean_intake", self.mean_intake, 0, top, none=True)
        check_number("functional_mean", self.functional_mean, 0, top)
        c = self.cutoff
        if isinstance(c, str):
            if c not in _CUTOFF_KINDS:
                raise ValueError(f"cutoff must be one of {', '.join(map(repr, _CUTOFF_KINDS))} "
                                 f"or a number from 0 to {top:g}; got {c!r}")
        else:
            check_number("cutoff", c, 0, top, low_open=True)


def reliable_change_threshold(sd_pre: float, reliability: float, *,
                              z_crit: float = Z_CRIT) -> float:
    """The Jacobson-Truax reliable change in points, ``z_crit * S_diff``.

    Notes
    -----
    :math:`S_{diff} = \\sqrt{2}\\, SD_{pre} \\sqrt{1 - r}` (Jacobson and Truax 1991).

    Examples
    --------
    A consistency check: reliability .93 and an intake SD of 7 give about 5
    points, the PCOMS convention.

    >>> round(reliable_change_threshold(7, 0.93), 2)
    5.13
    """
    return float(z_crit * np.sqrt(2.0) * sd_pre * np.sqrt(1.0 - reliability))


def clinical_cutoff(pre, kind: str = "c", *, functional_mean: float = 30.5,
                    functional_sd: float = 5.8, higher_is_better: bool = True) -> float:
    """A Jacobson-Truax cutoff between the clinical and the functional population.

    Parameters
    ----------
    pre : array-like of float
        Pre-treatment scores of the clinical sample; missing values are dropped.
    kind : {"a", "b", "c"}, default "c"
        a: 2 SD beyond the clinical mean, towards the functional side; b: 2 SD beyond the
        functional mean, towards the clinical side (with the functional SD, as Jacobson
        and Truax; the R package clinicalsignificance uses the clinical SD); c: between
        the two means, weighted by the SDs.
    functional_mean, functional_sd : float, default 30.5 and 5.8
        Functional norms (non-clinical ORS sample, Miller et al. 2003).
    higher_is_better : bool, default True

    Notes
    -----
    With :math:`s = 1` when higher is better, else :math:`-1`, and the clinical mean and
    sample SD (n - 1) from ``pre``: :math:`a = M_{clin} + 2 s\\, SD_{clin}`,
    :math:`b = M_{func} - 2 s\\, SD_{func}`,
    :math:`c = (SD_{clin} M_{func} + SD_{func} M_{clin}) / (SD_{clin} + SD_{func})`.

    Examples
    --------
    A consistency check: intakes with mean 17.5 and SD 7 and the non-clinical
    norms 30.5 / 5.8 put cutoff c at about 25, the published adult ORS cutoff.

    >>> round(clinical_cutoff([10.5, 17.5, 24.5], "c"), 1)
    24.6
    """
    pre = np.asarray(pre, dtype=float).ravel()
    pre = pre[~np.isnan(pre)]
    mean, sd = (pre.mean(), pre.std(ddof=1)) if len(pre) > 1 else (np.nan, np.nan)
    return float(_cutoff(kind, mean, sd, functional_mean, functional_sd, higher_is_better))


def reliable_change(pre, post, *, method: str = "points", rci: float = 5.0,
                    reliability: float = 0.93, sd_pre: float | None = None,
                    z_crit: float = Z_CRIT, higher_is_better: bool = True) -> pd.Series:
    """Reliable change from ``pre`` to ``post``: improvement, none or deterioration.

    Parameters
    ----------
    pre, post : array-like of float
        Scores before and after, paired by position; a pair with a missing value gives NA.
    method, rci, reliability, z_crit, higher_is_better
        As in :class:`OutcomeSettings`.
    sd_pre : float, optional
        SD of the pre scores for ``"jt"``; by default the sample SD (n - 1) of the pre
        scores of the complete pairs.

    Returns
    -------
    pandas.Series
        Categorical with the categories :data:`RELIABLE_CHANGE`, on the index of ``pre``
        when it is a Series.

    Notes
    -----
    Change :math:`d = post - pre` (reversed when lower is better), rounded to 9 decimals
    so that, say, 17.6 - 12.6 is exactly 5. Points: improvement when :math:`d \\ge rci`,
    deterioration when :math:`d \\le -rci`. Jacobson-Truax: :math:`z = d / S_{diff}` with
    :math:`S_{diff} = \\sqrt{2}\\, SD_{pre} \\sqrt{1 - r}`, reliable when
    :math:`|z| > z_{crit}` (strict).

    Examples
    --------
    >>> reliable_change([10, 10, 20], [15, 14.9, 15]).tolist()
    ['improvement', 'none', 'deterioration']
    """
    pre, post, index = _pairs(pre, post)
    sd = _sd(pre, post) if sd_pre is None else sd_pre
    scale, crit, inclusive, _ = _rule(method, rci, reliability, sd, z_crit)
    rc, _ = _classify(pre, post, scale, crit, inclusive, np.nan, higher_is_better)
    return pd.Series(pd.Categorical.from_codes(rc, RELIABLE_CHANGE), index=index,
                     name="reliable_change")


def clinical_significance(pre, post, *, cutoff: str | float, method: str = "points",
                          rci: float = 5.0, reliability: float = 0.93,
                          sd_pre: float | None = None, mean_pre: float | None = None,
                          functional_mean: float = 30.5, functional_sd: float = 5.8,
                          z_crit: float = Z_CRIT, higher_is_better: bool = True) -> pd.Series:
    """Recovered, improved, unchanged, deteriorated or harmed (Jacobson and Truax 1991).

    Parameters
    ----------
    pre, post : array-like of float
        Scores before and after, paired by position; a pair with a missing value gives NA.
    cutoff : {"a", "b", "c"} or float
        A fixed cutoff, or one of :func:`clinical_cutoff` from the pre scores of the
        complete pairs (or ``mean_pre`` and ``sd_pre``) and the functional norms.
    method, rci, reliability, z_crit, higher_is_better, functional_mean, functional_sd
        As in :class:`OutcomeSettings`.
    sd_pre, mean_pre : float, optional
        Clinical intake SD and mean; by default from the complete pairs (SD with n - 1).

    Returns
    -------
    pandas.Series
        Categorical with the categories :data:`OUTCOME_CATEGORIES`.

    Notes
    -----
    As Jacobson and Truax (1991) define them, with the reliable change of
    :func:`reliable_change`; "below" and "above" are strict and follow the direction of the
    scale (the clinical side is below the cutoff when higher is better):

    - recovered: reliable improvement, pre on the clinical side, post on the functional side;
    - improved: any other reliable improvement;
    - harmed: reliable deterioration, pre not on the clinical side, post not on the
      functional side;
    - deteriorated: any other reliable deterioration;
    - unchanged: no reliable change.

    A score exactly at the cutoff is neither clinical nor recovered. This reproduces the
    published counts of the R package clinicalsignificance and of Jacobson and Truax (1991).

    Examples
    --------
    >>> clinical_significance([15, 15, 28, 26, 20], [26, 25, 18, 24, 21], cutoff=25).tolist()
    ['recovered', 'improved', 'harmed', 'unchanged', 'unchanged']
    """
    pre, post, index = _pairs(pre, post)
    complete = ~(np.isnan(pre) | np.isnan(post))
    mean = mean_pre if mean_pre is not None else (
        pre[complete].mean() if complete.any() else np.nan)
    sd = _sd(pre, post) if sd_pre is None else sd_pre
    if isinstance(cutoff, str):
        cutoff = _cutoff(cutoff, mean, sd, functional_mean, functional_sd, higher_is_better)
    scale, crit, inclusive, _ = _rule(method, rci, reliability, sd, z_crit)
    _, out = _classify(pre, post, scale, crit, inclusive, cutoff, higher_is_better)
    return pd.Series(pd.Categorical.from_codes(out, OUTCOME_CATEGORIES), index=index,
                     name="outcome")


@_docstrings.fill
def client_outcomes(
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
    age_group: str = "age_group",
    status: str = "episode_status",
    settings: OutcomeSettings | None = None,
    instruments: Mapping[str, Instrument] = INSTRUMENTS,
) -> pd.DataFrame:
    """Outcome per client and episode from self-ratings, with collateral ratings beside.

    Parameters
    ----------
    {data}
        Only outcome measures (``family == "outcome"`` in ``instruments``: ORS, CORS,
        YCORS) with a total are used.
    {columns}
        ``clinician``, ``age_group``, ``status`` and one of ``date`` / ``session`` may be
        absent.
    settings : OutcomeSettings, optional
        Reliable change and cutoff rules; by default points (5) and the age group's cutoff.
    {instruments}

    Returns
    -------
    DataFrame
        One row per client and episode with an outcome administration, sorted by client and
        episode (a couple's episode gives one row per partner). An episode rated only by a
        collateral rater (a child rated by a parent) has a row with the collateral columns
        filled and the self columns empty (``n_sessions`` 0):

        - ``client_id``, ``episode_id``; ``clinician_id`` and ``episode_status``, the last
          known in the client's rows of the episode; ``age_group``, the first known;
        - ``measure``: the self-rated outcome measure of the client's age group (young
          child YCORS, child CORS, else ORS); without one, the measure given most often;
        - ``cutoff`` and ``rci``: the cutoff and the reliable change in points applied
          (points: a change of at least ``rci``; JT: of more than ``rci``); ``rci_basis``:
          how it was set, in words (``"points method: 5 points"``, or the intake SD and the
          number of intakes behind it, saying when a small age group took the SD of its
          measure across all age groups);
        - ``n_sessions``: self-rated administrations of that measure (sessions with one);
          ``first_date``, ``last_date`` and ``n_days`` from the first to the last;
        - ``ors_intake`` and ``ors_last``: the first and the last of them in session order
          (session number, then date); ``ors_change`` = last - intake, NA with just one;
        - ``reliable_change``: ``improvement``, ``none`` or ``deterioration``
          (:func:`reliable_change`); NA when ``outcome`` is ``insufficient`` or
          ``not_scored``;
        - ``outcome``: one of :data:`OUTCOME_CATEGORIES` (:func:`clinical_significance`);
          ``insufficient`` for a single administration (with ``method="jt"``, also when
          fewer than two episodes of the measure and age group have a change to estimate
          the intake SD from); ``not_scored`` for a measure without a cutoff (YCORS);
        - ``intake_clinical``: intake strictly below the cutoff (NA when not scored);
        - ``collateral_raters``: every collateral rater with an outcome rating of the
          client in the episode (comma-separated); for the one with the most ratings (then
          the earliest) ``collateral_rater``, ``collateral_measure``, ``collateral_n`` (0
          when none), ``collateral_intake``, ``collateral_last`` and ``collateral_change``.
          They never enter the self figures.

    Notes
    -----
    With ``method="jt"`` the intake SD (and, for cutoffs a and c, the mean) is computed per
    measure and cutoff age group over the episodes in ``data`` with at least two self-rated
    administrations (complete pairs, as the R package clinicalsignificance does), unless
    ``settings`` gives ``sd_intake`` / ``mean_intake`` (agency norms). A group with fewer
    than ``min_intakes`` (20) such intakes takes the SD and mean of its measure across all
    age groups, or ``fallback_sd``: an SD from three adolescents is no basis for a
    reliable change. Formulas:
    :func:`reliable_change`, :func:`clinical_cutoff`, :func:`clinical_significance`.

    References
    ----------
    Jacobson and Truax (1991); Miller et al. (2003); OpenFIT KA-01028; NHS CYP IAPT (6.6
    and 10 points as alternative ``rci``).

    Examples
    --------
    >>> from srs_analytics import load_sample
    >>> out = client_outcomes(load_sample())
    >>> out[["client_id", "measure", "cutoff", "ors_intake", "ors_last", "outcome"]].head(3)
      client_id measure  cutoff  ors_intake  ors_last    outcome
    0    C00001     ORS    25.0       15.10     12.90  unchanged
    1    C00002     ORS    28.0       15.90     23.60   improved
    2    C00003     ORS    28.0       10.28     39.33  recovered
    """
    s = settings or OutcomeSettings()
    cols = column_map(client=client, episode=episode, clinician=clinician, session=session,
                      date=date, measure=measure, rater=rater, total=total,
                      age_group=age_group, status=status)
    p, own = _episodes(data, s, instruments, cols)
    own = _choose(own)
    # an episode rated only by a collateral rater (a parent) has a row with the self
    # columns empty
    ce = np.union1d(own["ce"].to_numpy(), p["collateral"]["ce"].to_numpy()).astype(np.int64)
    own = own.set_index("ce").reindex(ce).reset_index()
    rated = own["n"].notna().to_numpy()
    own["n"] = own["n"].fillna(0).astype(np.int64)
    change = np.where(own["n"] > 1, np.round(own["last"] - own["intake"], 9), np.nan)
    rc, out = _classify(own["intake"], own["last"], own["scale"], own["crit"],
                        s.method == "points", own["cutoff"], s.higher_is_better)
    out[np.isnan(change) | (rc < 0)] = OUTCOME_LABELS.index("insufficient")
    out[own["cutoff_group"].isna().to_numpy() & rated] = OUTCOME_LABELS.index("not_scored")
    rc[out >= len(OUTCOME_CATEGORIES)] = -1
    out[~rated] = rc[~rated] = -1
    sign = 1 if s.higher_is_better else -1
    res = pd.DataFrame({
        client: p["client"][ce], episode: p["episode"][ce], clinician: p["clinician"][ce],
        status: p["status"][ce], age_group: p["age"][ce],
        measure: pd.array(own["measure"].to_numpy(dtype=object), dtype="str"),
        "cutoff": own["cutoff"].to_numpy(dtype=float), "rci": own["rci"].to_numpy(dtype=float),
        "rci_basis": pd.array(own["rci_basis"].to_numpy(dtype=object), dtype="str"),
        "n_sessions": own["n"], "first_date": own["d0"], "last_date": own["d1"],
        "n_days": (own["d1"] - own["d0"]).dt.days.astype("Int64"),
        "ors_intake": own["intake"], "ors_last": own["last"], "ors_change": change,
        "reliable_change": pd.Categorical.from_codes(rc, RELIABLE_CHANGE),
        "outcome": pd.Categorical.from_codes(out, OUTCOME_LABELS),
        "intake_clinical": _nullable(sign * own["intake"] < sign * own["cutoff"],
                                     own["cutoff"].isna().to_numpy() | ~rated),
    })
    return pd.concat([res, _collateral(p["collateral"], ce)], axis=1)


@_docstrings.fill
def session_outcomes(
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
    age_group: str = "age_group",
    settings: OutcomeSettings | None = None,
    instruments: Mapping[str, Instrument] = INSTRUMENTS,
    raters: str = "self",
) -> pd.DataFrame:
    """Every self-rated outcome administration against its episode's intake (or every
    collateral one against the collateral rater's own first rating).

    Parameters
    ----------
    {data}
        Only outcome measures with a total are used.
    {columns}
        ``clinician``, ``age_group`` and one of ``date`` / ``session`` may be absent.
    settings : OutcomeSettings, optional
        Reliable change and cutoff rules, a Jacobson-Truax intake SD included, as in
        :func:`client_outcomes`.
    {instruments}
    raters : {"self", "collateral"}, default "self"
        ``"self"``: the client's own ratings. ``"collateral"``: the ratings of collateral
        raters (a parent, a teacher), each rater's series of a measure read against that
        rater's own first rating, with the cutoff and the reliable change of the client's
        measure and age group (Jacobson-Truax: the intake SD of the clients' own ratings).
        They are kept apart from the client's own: see
        :func:`srs_analytics.collateral_sessions`.

    Returns
    -------
    DataFrame
        One row per outcome administration of ``raters``, sorted by client, episode,
        rater, measure and session order: ``client_id``, ``episode_id``, ``clinician_id``
        (of the row), ``session_number``, ``session_date``, ``measure``, ``rater``,
        ``age_group`` (the client's), ``total`` (the names passed in), ``ors_intake`` (the
        first administration of the measure by the rater in the episode), ``ors_change``
        (total - intake), ``cutoff``, ``rci``,
        ``clinical`` (total strictly below the cutoff), ``reliable_improvement`` and
        ``reliable_deterioration`` (the change from intake, as :func:`reliable_change`;
        False at the intake). The last three are nullable booleans: NA for a measure
        without a cutoff (YCORS) and, with ``method="jt"``, when the intake SD cannot be
        estimated.

    Examples
    --------
    >>> from srs_analytics import load_sample
    >>> s = session_outcomes(load_sample())
    >>> s[["client_id", "session_number", "total", "ors_change", "reliable_deterioration"]].head(3)
      client_id  session_number  total  ors_change  reliable_deterioration
    0    C00001               1   15.1         0.0                   False
    1    C00001               2   12.9        -2.2                   False
    2    C00002               1   15.9         0.0                   False
    """
    s = settings or OutcomeSettings()
    cols = column_map(client=client, episode=episode, clinician=clinician, session=session,
                      date=date, measure=measure, rater=rater, total=total,
                      age_group=age_group, status="episode_status")
    check_choice("raters", raters, ("self", "collateral"))
    p, own = _episodes(data, s, instruments, cols)
    if raters == "collateral":
        own = p["collateral"].reset_index(drop=True)
    o = own.iloc[np.repeat(np.arange(len(own)), own["n"].to_numpy())].reset_index(drop=True)
    r = p["rows"].iloc[_expand(own["start"].to_numpy(), own["n"].to_numpy())]
    tot = r["_total"].to_numpy()
    rc, _ = _classify(o["intake"], tot, o["scale"], o["crit"], s.method == "points",
                      o["cutoff"], s.higher_is_better)
    sign = 1 if s.higher_is_better else -1
    ce = o["ce"].to_numpy()
    return pd.DataFrame({
        client: p["client"][ce], episode: p["episode"][ce], clinician: r["_clin"].array,
        session: r["_session"].array, date: r["_date"].to_numpy(), measure: o["measure"],
        rater: pd.array(o["rater"].to_numpy(dtype=object), dtype="str"),
        age_group: p["age"][ce], total: tot, "ors_intake": o["intake"],
        "ors_change": np.round(tot - o["intake"].to_numpy(), 9),
        "cutoff": o["cutoff"], "rci": o["rci"],
        "clinical": _nullable(sign * tot < sign * o["cutoff"].to_numpy(), o["cutoff"].isna()),
        "reliable_improvement": _nullable(rc == 0, rc < 0),
        "reliable_deterioration": _nullable(rc == 2, rc < 0),
    })


@_docstrings.fill
def intake_counts(
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
    age_group: str = "age_group",
    instruments: Mapping[str, Instrument] = INSTRUMENTS,
) -> pd.DataFrame:
    """The intakes behind the Jacobson-Truax norms, as counts that combine across partitions.

    With ``method="jt"`` or a cutoff a, b or c, :func:`client_outcomes` takes the intake
    mean and SD of the whole data. For data split into partitions that each hold whole
    clients (Dask, Spark): the counts of every partition, concatenated and given to
    :func:`intake_norms`, make the :class:`IntakeNorms` of the whole data, which
    ``OutcomeSettings(norms=...)`` then applies to each partition.

    Parameters
    ----------
    {data}
        One partition, holding every row of each of its clients.
    {columns}
        ``clinician``, ``age_group`` and one of ``date`` / ``session`` may be absent.
    {instruments}

    Returns
    -------
    DataFrame
        One row per measure and cutoff age group with at least one intake, sorted by them:
        ``measure``, ``cutoff_group``, ``n`` (intakes: the first self-rating of each
        client's episode with two or more self-rated administrations of the chosen
        measure, as :func:`client_outcomes` counts them), ``mean`` (their mean) and ``m2``
        (the sum of their squared deviations from ``mean``).

    Notes
    -----
    Partitions combine as Chan et al. (1979) show: with :math:`N = \\sum n_i`,
    :math:`M = \\sum n_i m_i / N` and :math:`M_2 = \\sum M_{2,i} + \\sum n_i (m_i - M)^2`,
    the SD is :math:`\\sqrt{M_2 / (N - 1)}`, without the cancellation of a sum of
    squares.

    References
    ----------
    Chan, T. F., Golub, G. H. and LeVeque, R. J. (1979). Updating formulae and a pairwise
    algorithm for computing sample variances. Technical report STAN-CS-79-773, Stanford
    University.

    Examples
    --------
    >>> import pandas as pd
    >>> from srs_analytics import load_sample
    >>> data = load_sample()
    >>> part = data["client_id"].str[-1].astype(int) % 3
    >>> counts = pd.concat([intake_counts(data[part == i]) for i in range(3)])
    >>> settings = OutcomeSettings(method="jt", norms=intake_norms(counts))
    >>> first = client_outcomes(data[part == 0], settings=settings)  # one partition
    >>> whole = client_outcomes(data, settings=OutcomeSettings(method="jt"))
    >>> same = whole[whole["client_id"].isin(first["client_id"])].reset_index(drop=True)
    >>> pd.testing.assert_frame_equal(first, same, rtol=1e-12)  # as judged on the whole
    """
    cols = column_map(client=client, episode=episode, clinician=clinician, session=session,
                      date=date, measure=measure, rater=rater, total=total,
                      age_group=age_group, status="episode_status")
    p = _prepare(data, cols, instruments)
    own = p["groups"][p["groups"]["self"]].reset_index(drop=True)
    complete = _complete(_choose(own))
    key = ["measure", "cutoff_group"]
    x = complete[[*key, "intake"]].astype({"measure": "str", "cutoff_group": "str"})
    grouped = x.groupby(key, sort=True)["intake"]
    out = grouped.agg(n="size", mean="mean").reset_index()
    dev = (x["intake"] - grouped.transform("mean")) ** 2
    out["m2"] = dev.groupby([x[k] for k in key], sort=True).sum().to_numpy()
    out["n"] = out["n"].astype(np.int64)
    return out[[*key, "n", "mean", "m2"]]


def intake_norms(counts: pd.DataFrame) -> IntakeNorms:
    """The intake norms of the whole data from the :func:`intake_counts` of its partitions.

    Parameters
    ----------
    counts : pandas.DataFrame
        The counts of the partitions (each holding whole clients), concatenated.

    Returns
    -------
    IntakeNorms
        Per measure and cutoff age group the intakes ``n``, their ``mean`` and ``sd``
        (n - 1; missing for one intake), and across the measure's age groups ``n_all``,
        ``m_all`` and ``sd_all``: those :func:`client_outcomes` computes on the whole data
        (to rounding, about 1e-15 relative).

    Notes
    -----
    Combined as in :func:`intake_counts` (Chan et al. 1979).

    Examples
    --------
    >>> from srs_analytics import load_sample
    >>> norms = intake_norms(intake_counts(load_sample()))
    >>> norms.table[["measure", "cutoff_group", "n", "sd", "n_all"]].round(2)
      measure cutoff_group    n    sd  n_all
    0    CORS        child   31  6.49     31
    1     ORS   adolescent   29  7.40    220
    2     ORS        adult  191  6.90    220
    """
    if not isinstance(counts, pd.DataFrame):
        raise TypeError(f"counts must be a pandas DataFrame (srs_analytics.intake_counts); "
                        f"got {type(counts).__name__}")
    missing = [c for c in ("measure", "cutoff_group", "n", "mean", "m2")
               if c not in counts.columns]
    if missing:
        raise ValueError(f"counts lacks the column(s) {missing} (intake_counts makes them); "
                         f"got {list(counts.columns)}")
    counts = counts[counts["n"] > 0]
    key = ["measure", "cutoff_group"]
    groups = _combine(counts, key)
    pooled = _combine(counts, ["measure"]).rename(
        columns={"n": "n_all", "mean": "m_all", "sd": "sd_all"})
    table = groups.merge(pooled, on="measure", how="left")
    return IntakeNorms(tuple(table[list(_NORM_COLUMNS)].itertuples(index=False, name=None)))


def _combine(counts, key):
    """``n``, ``mean`` and ``sd`` (n - 1) per ``key`` from the n, mean and m2 of parts."""
    c = counts[[*key, "n", "mean", "m2"]].astype({k: "str" for k in key})
    n, mean = c["n"].to_numpy(dtype=float), c["mean"].to_numpy(dtype=float)
    by = [c[k] for k in key]
    total = c["n"].astype(np.int64).groupby(by, sort=True).sum()
    m = (pd.Series(n * mean, c.index).groupby(by, sort=True).sum() / total)
    at = m.reindex(pd.MultiIndex.from_frame(c[key]) if len(key) > 1 else c[key[0]])
    spread = pd.Series(c["m2"].to_numpy(dtype=float) + n * (mean - at.to_numpy()) ** 2,
                       c.index).groupby(by, sort=True).sum()
    with np.errstate(invalid="ignore", divide="ignore"):
        sd = np.sqrt(spread / (total - 1)).where(total > 1)
    out = pd.DataFrame({"n": total, "mean": m, "sd": sd}).reset_index()
    return out


# --- rules ---------------------------------------------------------------------------------

def _check_method(method, rci, reliability, z_crit):
    check_choice("method", method, ("points", "jt"))
    check_number("rci", rci, 0, low_open=True)
    check_number("z_crit", z_crit, 0, low_open=True)
    check_number("reliability", reliability, 0, 1, high_open=True)


def _pairs(pre, post):
    """Pre and post as float arrays of one length, and the index of ``pre`` if any."""
    index = pre.index if isinstance(pre, pd.Series) else None
    pre, post = np.asarray(pre, dtype=float), np.asarray(post, dtype=float)
    if pre.ndim != 1 or pre.shape != post.shape:
        raise ValueError(f"pre and post must be 1-D and of the same length, got shapes "
                         f"{pre.shape} and {post.shape}")
    return pre, post, index


def _sd(pre, post):
    """Sample SD (n - 1) of the pre scores of the complete pairs."""
    x = pre[~(np.isnan(pre) | np.isnan(post))]
    return x.std(ddof=1) if len(x) > 1 else np.nan


def _rule(method, rci, reliability, sd, z_crit):
    """(scale, critical value, inclusive, reliable change in points) of a method.

    A change ``d`` is a reliable improvement when ``d / scale`` reaches ``crit`` (``>=``
    when inclusive, else ``>``). ``sd`` may be an array, one per norm group.
    """
    _check_method(method, rci, reliability, z_crit)
    if method == "points":
        return 1.0, float(rci), True, float(rci)
    s_diff = np.sqrt(2.0) * np.asarray(sd, dtype=float) * np.sqrt(1.0 - reliability)
    return s_diff, z_crit, False, z_crit * s_diff


def _cutoff(kind, mean, sd, functional_mean, functional_sd, higher_is_better):
    """Jacobson-Truax cutoff a, b or c (:func:`clinical_cutoff`); arrays broadcast."""
    sign = 1.0 if higher_is_better else -1.0
    if kind == "a":
        return mean + sign * 2 * sd
    if kind == "b":
        return functional_mean - sign * 2 * functional_sd
    if kind == "c":
        return (sd * functional_mean + functional_sd * mean) / (sd + functional_sd)
    raise ValueError(f"cutoff must be 'a', 'b', 'c' or a number, got {kind!r}")


def _classify(pre, post, scale, crit, inclusive, cutoff, higher_is_better):
    """Codes into RELIABLE_CHANGE and OUTCOME_CATEGORIES, -1 where the change is unknown.

    Arguments broadcast. The change is rounded to 9 decimals so that float noise
    (17.6 - 12.6 = 5.000000000000002) cannot decide a boundary case.
    """
    sign = 1.0 if higher_is_better else -1.0
    pre, post, scale, cutoff = (np.asarray(v, dtype=float) for v in (pre, post, scale, cutoff))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.round(sign * (post - pre), 9) / scale
    imp = z >= crit if inclusive else z > crit
    det = z <= -crit if inclusive else z < -crit
    clinical_pre, functional_post = sign * pre < sign * cutoff, sign * post > sign * cutoff
    rc = np.where(imp, 0, np.where(det, 2, 1)).astype(np.int8)
    out = np.select([imp & clinical_pre & functional_post, imp,
                     det & ~clinical_pre & ~functional_post, det], [0, 1, 4, 3], 2)
    out = out.astype(np.int8)
    rc[np.isnan(z)] = out[np.isnan(z)] = -1
    return rc, out


# --- the canonical table -------------------------------------------------------------------

def _prepare(data, cols, instruments):
    """Outcome administrations grouped by client-episode (``ce``), rater and measure.

    Returns a dict: ``client``, ``episode``, ``clinician``, ``status``, ``age`` (arrays by
    ``ce``, the client-episodes in sorted order); ``rows`` (outcome administrations sorted
    by ce, rater, measure, then session order: session number, then date); ``groups`` (one
    row per ce, rater and measure: ``n``, ``start`` in ``rows``, ``intake``, ``last``,
    ``d0``, ``d1``, ``t0`` (session-order rank of the first), ``self``, ``pref`` (the age
    group's measure), ``cutoff_group``, ``default_cutoff``).
    """
    require_columns(data, cols, ("client", "episode", "measure", "rater", "total"))
    if cols["date"] not in data.columns and cols["session"] not in data.columns:
        raise ValueError(f"data lacks the column(s) session={cols['session']!r} and "
                         f"date={cols['date']!r}: one of them is needed to order the "
                         f"administrations; got {list(data.columns)}")
    for key in ("client", "episode"):
        if data[cols[key]].isna().any():
            raise ValueError(f"{key}={cols[key]!r} has missing values")
    df = data[[c for c in dict.fromkeys(cols.values()) if c in data.columns]]
    df = df.assign(**{cols[k]: np.nan for k in ("clinician", "age_group", "status", "session")
                      if cols[k] not in df.columns})
    if cols["date"] not in df.columns:
        df[cols["date"]] = pd.NaT
    df[cols["session"]] = pd.to_numeric(df[cols["session"]], errors="coerce")
    df[cols["date"]] = pd.to_datetime(df[cols["date"]], errors="coerce")
    df, ce, starts, _ = sort_into_groups(df, cols, ("client", "episode"))

    def per_episode(key, how):  # the first or last known value of a column, by ce
        return getattr(df[cols[key]].groupby(ce), how)().reindex(range(len(starts))).array

    p = {"client": df[cols["client"]].array[starts], "episode": df[cols["episode"]].array[starts],
         "clinician": per_episode("clinician", "last"), "age": per_episode("age_group", "first"),
         "status": per_episode("status", "last")}

    family = [k for k, inst in instruments.items() if inst.family == OUTCOME]
    total = pd.to_numeric(df[cols["total"]], errors="coerce").to_numpy(dtype=float)
    sub = np.flatnonzero(df[cols["measure"]].isin(family).to_numpy() & ~np.isnan(total))
    mc, mu = pd.factorize(df[cols["measure"]].iloc[sub], sort=True)
    rcode, ru = pd.factorize(df[cols["rater"]].iloc[sub], sort=True)
    if (rcode < 0).any():
        raise ValueError(f"rater={cols['rater']!r} has missing values in outcome rows")
    perm = np.lexsort((sub, mc, rcode, ce[sub]))  # rows keep their session order
    sub, mc, rcode, cs = sub[perm], mc[perm], rcode[perm], ce[sub][perm]
    dates = df[cols["date"]].to_numpy(dtype="datetime64[ns]")
    p["rows"] = pd.DataFrame({
        "_total": total[sub], "_date": dates[sub],
        "_session": pd.array(df[cols["session"]].to_numpy()[sub], dtype="Int64"),
        "_clin": df[cols["clinician"]].iloc[sub].to_numpy(dtype=object)})
    new = np.ones(len(sub), dtype=bool)
    new[1:] = (np.diff(cs) != 0) | (np.diff(rcode) != 0) | (np.diff(mc) != 0)
    start = np.flatnonzero(new)
    end = np.append(start[1:], len(sub)).astype(np.int64)[:len(start)] - 1
    g = pd.DataFrame({
        "ce": cs[start], "rater": ru.take(rcode[start]).array,
        "measure": mu.take(mc[start]).array, "n": end - start + 1, "start": start,
        "intake": total[sub[start]], "last": total[sub[end]],
        "d0": dates[sub[start]], "d1": dates[sub[end]], "t0": sub[start]})
    g["self"] = (g["rater"] == "self").to_numpy()
    age = pd.Series(p["age"][g["ce"].to_numpy()], dtype=object)
    g["pref"] = age.map(_MEASURE_FOR_AGE).to_numpy() == g["measure"].to_numpy()
    p["groups"] = pd.concat([g, _cutoff_groups(g["measure"], age, instruments)], axis=1)
    return p


def _cutoff_groups(measure, age, instruments):
    """The age group whose default cutoff applies (:meth:`Instrument.cutoff_group`) and that
    cutoff; None and NaN for a measure without a cutoff."""
    keys = pd.DataFrame({"measure": measure.to_numpy(), "age": age.fillna("").to_numpy()})
    combos = keys.drop_duplicates().reset_index(drop=True)
    # a few measure x age combinations, not one per client
    groups = [instruments[m].cutoff_group(a) for m, a in combos.itertuples(index=False)]
    combos["cutoff_group"] = pd.Series(groups, dtype=object)
    combos["default_cutoff"] = pd.Series(
        [instruments[m].cutoffs[g] if g else np.nan
         for m, g in zip(combos["measure"], groups)], dtype=float)
    return keys.merge(combos, on=["measure", "age"], how="left")[list(combos.columns[2:])]


def _episodes(data, s, instruments, cols):
    """The prepared table, and the self-rated groups with their cutoff and change rule.

    ``p["collateral"]`` holds the collateral groups with the same cutoff and change rule:
    those of the client's measure and age group, from the norms of the self-ratings.
    """
    p = _prepare(data, cols, instruments)
    key = ["measure", "cutoff_group"]
    own = p["groups"][p["groups"]["self"]].reset_index(drop=True)
    norms = _norms(p["groups"], _choose(own), s)
    own = own.merge(norms, on=key, how="left")
    own["rci_basis"] = own["rci_basis"].astype(object)
    p["collateral"] = p["groups"][~p["groups"]["self"]].merge(norms, on=key, how="left")
    return p, own


def _choose(own):
    """One self-rated measure per client-episode: the age group's, else the most given."""
    own = own.sort_values(["ce", "pref", "n", "t0", "measure"],
                          ascending=[True, False, False, True, True])
    return own.drop_duplicates("ce")


def _norms(own, chosen, s):
    """Cutoff and reliable-change rule per measure and cutoff age group of ``own`` (the
    groups of every rater: a collateral rater's measure and age group has a rule too).

    The intake mean and SD (n - 1) come from the chosen episodes with two or more
    administrations unless ``s.mean_intake`` / ``s.sd_intake`` are given; a group with
    fewer than ``s.min_intakes`` of them takes those of its measure across all age groups
    (or ``s.fallback_sd``). ``rci_basis`` says which.
    """
    key = ["measure", "cutoff_group"]
    norms = own.loc[own["cutoff_group"].notna(), [*key, "default_cutoff"]]
    norms = norms.drop_duplicates(key).reset_index(drop=True)
    if s.norms is None:
        complete = _complete(chosen)
        stats = complete.groupby(key)["intake"].agg(m="mean", sd="std", n="size").reset_index()
        pooled = complete.groupby("measure")["intake"].agg(
            m_all="mean", sd_all="std", n_all="size").reset_index()
    else:  # given (the whole data's, say): the same columns, keyed as the data's groups
        given = s.norms.table.rename(columns={"mean": "m"})
        given["measure"] = given["measure"].astype(norms["measure"].dtype)
        given["cutoff_group"] = given["cutoff_group"].astype(norms["cutoff_group"].dtype)
        stats = given[[*key, "m", "sd", "n"]]
        pooled = given[["measure", "m_all", "sd_all", "n_all"]].drop_duplicates("measure")
    norms = norms.merge(stats, on=key, how="left").merge(pooled, on="measure", how="left")
    norms[["n", "n_all"]] = norms[["n", "n_all"]].fillna(0).astype(np.int64)
    small = (norms["n"] < s.min_intakes).to_numpy()
    own_sd = norms["sd"].where(~small, s.fallback_sd if s.fallback_sd else norms["sd_all"])
    own_mean = norms["m"].where(~small, norms["m_all"])
    mean = own_mean if s.mean_intake is None else pd.Series(s.mean_intake, norms.index)
    sd = own_sd if s.sd_intake is None else pd.Series(s.sd_intake, norms.index)
    sd = sd.where(sd > 0)
    if s.cutoff == "default":
        norms["cutoff"] = norms["default_cutoff"]
    elif isinstance(s.cutoff, str):
        norms["cutoff"] = _cutoff(s.cutoff, mean, sd, s.functional_mean, s.functional_sd,
                                  s.higher_is_better)
    else:
        norms["cutoff"] = float(s.cutoff)
    norms["scale"], norms["crit"], _, norms["rci"] = _rule(s.method, s.rci, s.reliability,
                                                           sd, s.z_crit)
    norms["rci_basis"] = _basis(norms, sd, small, s)
    return norms[[*key, "cutoff", "scale", "crit", "rci", "rci_basis"]]


def _complete(chosen):
    """The chosen self-rated episodes whose intake enters the norms: two or more
    administrations of a measure with a cutoff."""
    return chosen[(chosen["n"] > 1) & chosen["cutoff_group"].notna()]


def _basis(norms, sd, small, s):
    """How the reliable change of each norm group was set, in words (a few groups)."""
    if s.method == "points":
        return f"points method: {s.rci:g} points"
    words = []
    for row, v, few in zip(norms.itertuples(index=False), sd, small):
        group = f"{row.measure} {str(row.cutoff_group).replace('_', ' ')}"
        if s.sd_intake is not None:
            how = f"the given intake SD {s.sd_intake:g}"
        elif np.isnan(v):
            how = f"no intake SD: {row.n_all} {row.measure} intake(s) with a change"
        elif not few:
            how = f"SD {v:.2f} of {row.n} {group} intakes"
        elif s.fallback_sd:
            how = (f"the given fallback SD {s.fallback_sd:g}: only {row.n} {group} intake(s), "
                   f"below {s.min_intakes}")
        else:
            how = (f"SD {v:.2f} of {row.n_all} {row.measure} intakes of all age groups: only "
                   f"{row.n} {group} intake(s), below {s.min_intakes}")
        words.append(f"Jacobson-Truax: {how}")
    return pd.array(words, dtype="str")


def _collateral(groups, ce):
    """Collateral ratings beside the self figures, aligned with the client-episodes ``ce``."""
    main = groups.sort_values(["ce", "n", "t0", "rater"], ascending=[True, False, True, True])
    main = main.drop_duplicates("ce").set_index("ce").reindex(ce)
    pairs = groups[["ce", "rater"]].drop_duplicates()
    where = pd.Index(ce).get_indexer(pairs["ce"])
    raters = np.full(len(ce), "", dtype=object)
    for name in sorted(pairs["rater"].unique()):  # a few roles, not one per client
        has = np.zeros(len(ce), dtype=bool)
        has[where[(pairs["rater"] == name).to_numpy() & (where >= 0)]] = True
        raters = np.where(has, np.where(raters == "", name, raters + ", " + name), raters)
    n = main["n"].fillna(0).astype(np.int64).to_numpy()
    return pd.DataFrame({
        "collateral_raters": pd.array(np.where(raters == "", None, raters), dtype="str"),
        "collateral_rater": pd.array(main["rater"].to_numpy(dtype=object), dtype="str"),
        "collateral_measure": pd.array(main["measure"].to_numpy(dtype=object), dtype="str"),
        "collateral_n": n,
        "collateral_intake": main["intake"].to_numpy(dtype=float),
        "collateral_last": main["last"].to_numpy(dtype=float),
        "collateral_change": np.where(n > 1, np.round(main["last"] - main["intake"], 9),
                                      np.nan),
    })


def _expand(start, n):
    """Concatenated ranges ``start[i] .. start[i] + n[i] - 1``, without a Python loop."""
    return np.repeat(start, n) + np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n)


def _nullable(values, missing):
    """A nullable boolean array, NA where ``missing``."""
    out = pd.array(np.asarray(values, dtype=bool), dtype="boolean")
    out[np.asarray(missing, dtype=bool)] = pd.NA
    return out
