"""The caseload, as a clinical director asks about it: who is seen, how the alliance is
measured and how the clients do, by clinician, site, month or any other grouping.

:func:`caseload_summary` gives the indices the ICCE asks licensed PCOMS systems to report
(OpenFIT KA-01016: numbers of clients by age, episodes, collateral raters, average intake
ORS and SRS, sessions and days per episode, effect size, clients reaching target, dropout)
with the alliance figures a director needs beside them (SRS below the cutoff and at the
ceiling, SRS completion, sessions with an alert), each share and effect size with its
confidence interval; :func:`caseload_parts` and :func:`caseload_table` compute it partition
by partition (Dask, Spark). :func:`srs_completion` and :func:`completion_trend` follow the SRS
completion by clinician and month; :func:`clinician_comparison` compares clinicians
fairly (intervals, a minimum number of cases, estimates shrunk towards the mean);
:func:`attention_summary` counts the attention list per clinician;
:func:`suppress_small_cells` prepares any of these tables to leave the clinic. The
formulas and their sources are in ``docs/caseload.md``.

Examples
--------
>>> from srs_analytics import load_sample
>>> table = caseload_summary(load_sample(), by="service_type", episodes="all")
>>> table[["service_type", "n_clients", "n_episodes", "n_sessions"]]
  service_type  n_clients  n_episodes  n_sessions
0       couple         12           6          21
1       family         10           4          21
2        group          7           7          21
3   individual        271         271        1586
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np
import pandas as pd

from . import _caseframes as cf
from . import _docstrings
from ._checks import check_choice, check_number
from ._effects import effect_sizes
from ._frames import EPS, column_map
from .alerting import SEVERITIES, AlertSettings, alerts
from .alliance import AllianceSettings
from .expected import ExpectedResponse, fit_expected
from .outcomes import OUTCOME_CATEGORIES, OutcomeSettings
from .schema import ITEM_COLUMNS
from .triage import AttentionSettings, attention, open_episodes

__all__ = ["BY", "DERIVED_FROM", "EPISODE_COLUMNS", "EPISODE_SETS", "PARTITIONS",
           "SERVICE_TYPES", "SESSION_COUNTS", "CaseloadSettings", "attention_summary",
           "caseload_parts", "caseload_summary", "caseload_table", "suppress_small_cells"]

#: The groupings a caseload table can be split by, and the column each one reads.
BY = cf.BY
#: Which episodes the outcome figures describe.
EPISODE_SETS = ("closed", "all")
#: Service types (:func:`srs_analytics._caseframes.service_types` says how each is told).
SERVICE_TYPES = cf.SERVICE_TYPES
_AGES = ("adult", "adolescent", "child", "young_child")


@dataclass(frozen=True)
class CaseloadSettings:
    """What the caseload tables count and how.

    Attributes
    ----------
    outcome : OutcomeSettings
        Reliable change (points, 5) and the clinical cutoffs (adult ORS 25, adolescent 28,
        child CORS 32; OpenFIT KA-01028).
    alliance : AllianceSettings
        The SRS cutoff (36, OpenFIT KA-01031) and ceiling (39, our choice after Meier and
        Feeley 2022).
    alerts : AlertSettings
        The alert rules of the share of sessions with an alert.
    alert_severity : {"info", "warning", "critical"} or None, default "warning"
        A session counts as having an alert when one at least this severe fires on it
        (info alone fires on about 40% of sessions, at the ceiling); None leaves the share
        out (and saves the time the alerts take on a large caseload).
    episodes : {"closed", "all"}, default "closed"
        The outcome figures describe the episodes closed in the period (status closed and
        no later session), or every episode with a session in it, read up to its end.
    clinical_only : bool, default True
        Effect sizes over the cases whose intake was in the clinical range (below the
        cutoff), as ACORN computes them; False takes every case with a change.
    sd_intake : float, optional
        The SD that turns a change into an effect size (a published norm, say); by default
        the SD of the intake over every case of the table with a change (intake as the
        distance from the cutoff, so that ORS and CORS share one scale). Not the SD of
        the clinical-range cases alone: cut at the cutoff, it is smaller and would inflate
        every effect size.
    min_cases : int, default 15
        :func:`clinician_comparison` shows a clinician with at least this many
        clinical-range cases (ACORN's minimum).
    confidence : float, default 0.95
        Level of every confidence interval.

    Examples
    --------
    >>> CaseloadSettings(episodes="all").min_cases
    15
    """

    outcome: OutcomeSettings = field(default_factory=OutcomeSettings)
    alliance: AllianceSettings = field(default_factory=AllianceSettings)
    alerts: AlertSettings = field(default_factory=AlertSettings)
    alert_severity: str | None = "warning"
    episodes: str = "closed"
    clinical_only: bool = True
    sd_intake: float | None = None
    min_cases: int = 15
    confidence: float = 0.95

    def __post_init__(self):
        for name, kind in (("outcome", OutcomeSettings), ("alliance", AllianceSettings),
                           ("alerts", AlertSettings)):
            if not isinstance(getattr(self, name), kind):
                raise TypeError(f"{name} must be {kind.__name__}; got "
                                f"{type(getattr(self, name)).__name__}")
        if self.alert_severity is not None:
            check_choice("alert_severity", self.alert_severity, SEVERITIES)
        check_choice("episodes", self.episodes, EPISODE_SETS)
        check_number("sd_intake", self.sd_intake, 0, low_open=True, none=True)
        check_number("min_cases", self.min_cases, 1, integer=True)
        check_number("confidence", self.confidence, 0, 1, low_open=True, high_open=True)


@_docstrings.fill
def caseload_summary(
    data: pd.DataFrame,
    *,
    by=("clinician",),
    start=None,
    end=None,
    episodes: str | None = None,
    client: str = "client_id",
    episode: str = "episode_id",
    clinician: str = "clinician_id",
    site: str = "site",
    session: str = "session_number",
    date: str = "session_date",
    measure: str = "measure",
    rater: str = "rater",
    total: str = "total",
    items: tuple[str, str, str, str] = ITEM_COLUMNS,
    imputed: str = "items_imputed",
    age_group: str = "age_group",
    group: str = "group_id",
    format: str = "format",
    setting: str = "setting",
    status: str = "episode_status",
    settings: CaseloadSettings | None = None,
    model: ExpectedResponse | None = None,
) -> pd.DataFrame:
    """The caseload of a period: who was seen, how the alliance went, how clients did.

    Parameters
    ----------
    {data}
        The whole history: episodes that began before ``start`` keep their intake.
    by : str or sequence of str, default ("clinician",)
        Groupings, any of :data:`BY`: ``clinician``, ``site``, ``month``, ``age_group``,
        ``format``, ``setting``, ``service_type`` (``"clinician,month"`` works too);
        ``()`` gives one row for the whole service.
    start, end : date-like, optional
        The period, both days included. Sessions are counted in it; the outcome figures
        describe the episodes closed in it (``episodes="closed"``), or every episode with
        a session in it read up to ``end`` (``"all"``).
    episodes : {"closed", "all"}, optional
        Overrides ``settings.episodes``.
    {columns}
        Only the first six are required.
    settings : CaseloadSettings, optional
        Thresholds, the alert severity, which episodes, confidence level.
    {model}
        It judges whether a client reached target and serves the ``off_track`` alert.

    Returns
    -------
    pandas.DataFrame
        One row per group (sorted by the groups; a missing value is a group of its own),
        the group columns first (``month`` is the first day of the month). A session,
        its client and its ratings are grouped by the session's own clinician, site,
        month, format and setting and by the client's age group and the episode's service
        type; an episode (for the outcome figures) by its last clinician and site, the
        month of its last session and its most common format and setting.

        Sessions in the period (ICCE indices first):

        - ``n_clients``; ``n_clients_adult``, ``_adolescent``, ``_child``,
          ``_young_child``, ``_unknown_age``; ``n_episodes``, ``n_new_episodes`` (their
          first session in the period), ``n_sessions`` (a couple's joint session is
          one), ``n_client_sessions`` (one per client), ``n_collateral_raters``
          (distinct raters of a client's episode other than the client);
        - ``n_srs``, ``n_srs_below_cutoff``, ``share_srs_below_cutoff``,
          ``n_srs_at_ceiling``, ``share_srs_at_ceiling``: self-rated SRS-family ratings
          below 36, at or above 39;
        - ``n_ors_sessions`` (client sessions with a self-rated ORS or CORS),
          ``n_ors_sessions_with_srs``, ``share_srs_completion``;
        - ``n_sessions_with_alert``, ``share_sessions_with_alert`` (of the client
          sessions; an alert of ``alert_severity`` or worse).

        Episodes (one row per client in a couple or family):

        - ``n_outcome_episodes``, ``n_outcome_clients``; ``mean_sessions``,
          ``mean_days`` (first to last session) per episode;
        - ``n_intake_ors_adult`` .. ``_child`` and ``intake_ors_adult`` .. ``_child``:
          average intake ORS (CORS for children) by age group; ``n_intake_srs``,
          ``intake_srs``: average first SRS;
        - ``n_change`` (a change on a scored measure) and its split into the outcome
          categories ``n_outcome_recovered``, ``_improved``, ``_unchanged``,
          ``_deteriorated``, ``_harmed`` (:func:`srs_analytics.client_outcomes`);
          ``n_reliable_improvement``,
          ``n_reliable_deterioration`` and their shares of ``n_change``;
          ``n_clinical_change`` (of them, intake below the cutoff), ``n_recovered`` and
          its share; ``n_closed``, ``n_dropout`` (closed unplanned without reliable
          improvement) and its share; ``n_target_judged``, ``n_reaching_target`` (last
          outcome rating on track on the expected response) and its share;
        - ``n_es``, ``mean_change``, ``effect_size`` (pre-post) and
          ``severity_adjusted_es``.

        Every ``share_*``, ``effect_size`` and ``severity_adjusted_es`` has ``_low`` and
        ``_high``: the confidence interval (Wilson for shares, t for effect sizes).

    Notes
    -----
    Effect sizes (Seidel, Miller and Chow 2014; ACORN), over the cases with a change
    whose intake was in the clinical range (``clinical_only``): with :math:`x_i` the
    intake's distance below the cutoff (so ORS and CORS share one scale) and
    :math:`\\hat c(x)` the least-squares line of change on it over all cases of the table,

    .. math:: ES = \\bar c / SD_x, \\qquad
              SAES = \\overline{c - \\hat c(x) + \\bar c_{all}} / SD_x

    with :math:`SD_x` the SD of :math:`x` over every case with a change (or
    ``sd_intake``). The
    interval is the t interval of the mean divided by :math:`SD_x`. Shares have Wilson
    intervals. Dropout: an unplanned ending without reliable improvement (OpenFIT).
    Reaching target: the latest outcome rating at or above the 50th percentile of the
    expected response fitted on the data (MyOutcomes' on-track rule), not a vendor's
    licensed trajectories.

    References
    ----------
    OpenFIT knowledge base KA-01016 (the ICCE-approved statistical indices), KA-01028 and
    KA-01031 (cutoffs, reliable change).
    Seidel, J. A., Miller, S. D. and Chow, D. L. (2014). Effect size calculations for the
    clinician: methods and comparability. Psychotherapy Research, 24(4), 470-484.
    ACORN, "Severity Adjusted Effect Size" (psychoutcomes.org).
    Wilson, E. B. (1927). Probable inference, the law of succession, and statistical
    inference. Journal of the American Statistical Association, 22(158), 209-212.

    Examples
    --------
    >>> from srs_analytics import load_sample
    >>> t = caseload_summary(load_sample(), by="site")
    >>> t[["site", "n_clients", "share_srs_completion", "n_es", "severity_adjusted_es"]].round(2)
        site  n_clients  share_srs_completion  n_es  severity_adjusted_es
    0   East         81                  0.96    39                  1.29
    1  North         97                  0.98    53                  0.92
    2  South        122                  0.97    65                  1.06
    """
    s = settings or CaseloadSettings()
    if episodes is not None:
        check_choice("episodes", episodes, EPISODE_SETS)
        s = _replace(s, episodes=episodes)
    cols = column_map(client=client, episode=episode, clinician=clinician, site=site,
                      session=session, date=date, measure=measure, rater=rater, total=total,
                      items=items, imputed=imputed, age_group=age_group, group=group,
                      format=format, setting=setting, status=status)
    parts = _parts(data, by, start, end, cols, s, model, whole=True)
    return caseload_table(parts, by=by, settings=s)


def _replace(s, **changes):
    from dataclasses import replace

    return replace(s, **changes)


# --------------------------------------------------------------------------- in parts
#: The additive counts of the "sessions" rows of :func:`caseload_parts`, in their order
#: (``n_sessions_with_alert`` last, when ``alert_severity`` is not None).
SESSION_COUNTS = (
    "n_clients", *(f"n_clients_{a}" for a in (*_AGES, "unknown_age")), "n_episodes",
    "n_new_episodes", "n_sessions", "n_client_sessions", "n_collateral_raters", "n_srs",
    "n_srs_below_cutoff", "n_srs_at_ceiling", "n_ors_sessions", "n_ors_sessions_with_srs",
)
#: The columns of the "episodes" rows of :func:`caseload_parts` and their dtypes.
EPISODE_COLUMNS = MappingProxyType({
    "client_id": "str", "episode_id": "str", "n_episode_sessions": "float64",
    "n_episode_days": "float64", "age_group": "str", "episode_status": "str",
    "ors_intake": "float64", "cutoff": "float64", "severity": "float64",
    "ors_change": "float64", "reliable_change": "str", "outcome": "str",
    "scored": "boolean", "intake_clinical": "boolean", "es_case": "boolean",
    "srs_intake": "float64", "etr_status": "str",
})
#: Groupings shown under the name of the caller's column (the others are derived).
_NAMED = ("clinician", "site", "age_group", "format", "setting")


def _session_counts(s) -> list[str]:
    return [*SESSION_COUNTS, *(["n_sessions_with_alert"] if s.alert_severity else [])]


def _data_norms(o: OutcomeSettings) -> bool:
    """Whether ``o`` takes the intake SD or mean from the data (Jacobson-Truax change or
    cutoff a / c without ``sd_intake`` / ``mean_intake``)."""
    if o.norms is not None:  # the intake norms of all the data, given
        return False
    return (o.method == "jt" and o.sd_intake is None) or (
        isinstance(o.cutoff, str) and o.cutoff in ("a", "c")
        and (o.sd_intake is None or o.mean_intake is None))


@_docstrings.fill
def caseload_parts(
    data: pd.DataFrame,
    *,
    by=("clinician",),
    start=None,
    end=None,
    client: str = "client_id",
    episode: str = "episode_id",
    clinician: str = "clinician_id",
    site: str = "site",
    session: str = "session_number",
    date: str = "session_date",
    measure: str = "measure",
    rater: str = "rater",
    total: str = "total",
    items: tuple[str, str, str, str] = ITEM_COLUMNS,
    imputed: str = "items_imputed",
    age_group: str = "age_group",
    group: str = "group_id",
    format: str = "format",
    setting: str = "setting",
    status: str = "episode_status",
    settings: CaseloadSettings | None = None,
    model: ExpectedResponse | None = None,
) -> pd.DataFrame:
    """The part of a caseload table one partition of the data gives, for an engine that
    splits the canonical table (Dask ``map_partitions``, Spark ``applyInPandas``).

    :func:`caseload_table` of the concatenated parts of every partition is
    :func:`caseload_summary` of the whole table (``caseload_summary`` is
    ``caseload_table(caseload_parts(data))``): the counts add up, and what needs every
    case (the SD and the reference line of the effect sizes, the means, the shares and
    their intervals) is computed there.

    Parameters
    ----------
    data : pandas.DataFrame
        One partition of the canonical table (:func:`srs_analytics.load`), holding whole
        units: every row of each of its clients and episodes, and of every client who
        shares an episode (a couple, a family) or a group with one of them. It may be
        empty. The partition's whole history: episodes that began before ``start`` keep
        their intake.
    by : str or sequence of str, default ("clinician",)
        Groupings, as :func:`caseload_summary` takes them; the same for every partition.
    start, end : date-like, optional
        The period, both days included; the same for every partition (explicit dates, not
        one partition's first or last session).
    {columns}
        Only the first six are required.
    settings : CaseloadSettings, optional
        The same for every partition. ``settings.outcome`` (and ``settings.alerts.outcome``
        when ``alert_severity`` is set) must not take a norm from the data: with
        ``method="jt"`` or ``cutoff="a"`` / ``"c"``, give the intake norms of all the data
        (``norms=``, :func:`srs_analytics.intake_norms` of the partitions'
        :func:`srs_analytics.intake_counts`), or ``sd_intake`` (and ``mean_intake`` for the
        cutoffs).
    model : ExpectedResponse, optional
        The expected treatment response (:func:`srs_analytics.fit_expected` on all the
        data, up to ``end``), the same for every partition: it judges whether a client
        reached target and serves the ``off_track`` alert. An engine must pass it: when
        omitted it is fitted on this partition alone, which is right only when the
        partition is the whole table.

    Returns
    -------
    pandas.DataFrame
        One frame whose columns and dtypes depend only on ``by``, ``settings`` and the
        dtypes of ``data``'s columns, whatever rows the partition holds (a schema an
        engine declares once):

        - ``part`` (str): ``"sessions"`` or ``"episodes"``;
        - the group columns of ``by``, in its order, named and typed as the table shows
          them (``month`` datetime64[ns], ``service_type`` str, the others as ``data``'s
          column);
        - ``"sessions"`` rows, one per group with a session in the period (one row with
          ``by=()``), Int64 (missing on ``"episodes"`` rows): the counts of
          :data:`SESSION_COUNTS` and ``n_sessions_with_alert`` when
          ``settings.alert_severity`` is set. Each is a count of distinct clients,
          episodes, sessions or raters, which never span partitions, so they add up;
        - ``"episodes"`` rows, one per client and episode of the outcome set
          (:func:`caseload_summary` says which), the columns of :data:`EPISODE_COLUMNS`
          with those dtypes (missing on ``"sessions"`` rows): ``client_id`` and
          ``episode_id`` as text (an episode's clients share its ``episode_id``: the
          distinct count of episodes), ``n_episode_sessions``, ``n_episode_days``,
          ``age_group``, ``episode_status``, ``ors_intake``, ``cutoff``, ``severity``
          (intake minus cutoff), ``ors_change``, ``reliable_change``, ``outcome``,
          ``scored``, ``intake_clinical``, ``es_case`` (in the effect-size set),
          ``srs_intake``, ``etr_status``. With ``by`` holding ``age_group`` under the
          name ``age_group``, that group column is the episodes' ``age_group`` too.

    See Also
    --------
    caseload_table : The caseload table from the parts.

    Notes
    -----
    A partition must hold whole units; the units are the connected components of the
    graph linking each client to its episodes and groups. Everything in a part is
    computed from the partition's own rows, given ``start``, ``end``, ``settings`` and
    ``model``.

    Examples
    --------
    >>> import pandas as pd
    >>> from srs_analytics import fit_expected, load_sample
    >>> data = load_sample()
    >>> model = fit_expected(data)
    >>> north = data["site"].eq("North")  # whole units here: no one is seen at two sites
    >>> parts = pd.concat([caseload_parts(data[north], by="site", model=model),
    ...                    caseload_parts(data[~north], by="site", model=model)])
    >>> parts["part"].value_counts().to_dict()
    {'episodes': 232, 'sessions': 3}
    >>> t = caseload_table(parts, by="site")
    >>> t.equals(caseload_summary(data, by="site", model=model))
    True
    """
    s = settings or CaseloadSettings()
    for name, o in (("settings.outcome", s.outcome),
                    ("settings.alerts.outcome", s.alerts.outcome if s.alert_severity
                     else None)):
        if o is not None and _data_norms(o):
            raise ValueError(
                f"{name} takes the intake SD or mean from the data (method={o.method!r}, "
                f"cutoff={o.cutoff!r}), which a partition cannot: compute them over all "
                "the data and give them as OutcomeSettings(norms=intake_norms(...)), or "
                "sd_intake=... and mean_intake=...")
    cols = column_map(client=client, episode=episode, clinician=clinician, site=site,
                      session=session, date=date, measure=measure, rater=rater, total=total,
                      items=items, imputed=imputed, age_group=age_group, group=group,
                      format=format, setting=setting, status=status)
    return _parts(data, by, start, end, cols, s, model, whole=False)


def caseload_table(parts: pd.DataFrame, *, by=("clinician",),
                   settings: CaseloadSettings | None = None) -> pd.DataFrame:
    """The caseload table from the parts of every partition (:func:`caseload_parts`).

    Parameters
    ----------
    parts : pandas.DataFrame
        The frames of :func:`caseload_parts` of every partition, concatenated (in any
        order), made with the same ``by``, ``start``, ``end``, ``settings`` and ``model``.
    by : str or sequence of str, default ("clinician",)
        The ``by`` the parts were made with.
    settings : CaseloadSettings, optional
        The settings the parts were made with.

    Returns
    -------
    pandas.DataFrame
        The table of :func:`caseload_summary`: the same columns, dtypes and row order.

    Notes
    -----
    The counts of the ``"sessions"`` rows are summed per group (a missing group value is
    a group of its own). From the ``"episodes"`` rows of every partition: the SD of the
    severity over the scored cases (unless ``settings.sd_intake``), the least-squares
    line of change on severity over the effect-size cases, and then every count, mean,
    share and effect size of the outcome figures, as :func:`caseload_summary` computes
    them.

    Examples
    --------
    >>> from srs_analytics import load_sample
    >>> parts = caseload_parts(load_sample(), by=())
    >>> caseload_table(parts, by=())[["n_clients", "n_outcome_episodes"]]
       n_clients  n_outcome_episodes
    0        300                 222
    """
    from ._checks import require_frame

    require_frame(parts)
    s = settings or CaseloadSettings()
    names = cf.grouping(by)
    counts = _session_counts(s)
    keys = list(parts.columns[1:1 + len(names)])
    missing = [c for c in ("part", *counts, *EPISODE_COLUMNS) if c not in parts.columns]
    if missing or parts.columns[0] != "part":
        raise ValueError("parts must be frames of caseload_parts with this by and settings "
                         f"(part, the {len(names)} group column(s), the counts and the "
                         f"episode columns); it lacks {missing or ['part first']}")
    kind = parts["part"].to_numpy(dtype=object)
    ses = parts[kind == "sessions"]
    if keys:
        table = ses.groupby(keys, dropna=False, observed=True, sort=True)[counts].sum()
    else:
        table = ses[counts].sum().to_frame().T
    ep = parts[kind == "episodes"].reset_index(drop=True)
    ep = ep.assign(_e=ep["episode_id"], scored=ep["scored"].to_numpy(dtype=bool),
                   es_case=ep["es_case"].to_numpy(dtype=bool))
    for b, k in zip(names, keys):
        # an episode's format and setting are its most common, as text
        if b in ("format", "setting") and isinstance(ep[k].dtype, pd.CategoricalDtype):
            ep[k] = ep[k].astype(ep[k].cat.categories.dtype)
    ep["adjusted_change"], sd = cf.effect_reference(ep, s)
    table = cf.join_parts([table, *_episode_parts(ep, keys, s, sd)], keys)
    return _finish(table, keys, s)


def _parts(data, by, start, end, cols, s, model, *, whole):
    """:func:`caseload_parts` of ``data`` (``whole``: the whole table, which must hold a
    date when a period is given)."""
    names = cf.grouping(by)
    keys = [BY[b] for b in names]
    shown = [cols[b] if b in _NAMED else BY[b] for b in names]
    counts = _session_counts(s)
    taken = {"part", *counts, *EPISODE_COLUMNS}
    clash = [n for b, n in zip(names, shown) if n in taken and (b, n) != ("age_group",
                                                                          "age_group")]
    if clash or len(set(shown)) < len(shown):
        raise ValueError(f"the group columns {shown!r} must have names of their own, not "
                         f"those of the columns of caseload_parts ({clash!r})")
    full, df, ses, now, start, end, cs = cf.prepare(data, cols, start, end,
                                                    need_dates=whole)
    if model is None:
        model = fit_expected(df)
    sessions = _session_parts(df, ses, cs, now, keys, s, model, start)[0]
    ep = cf.episode_rows(full, df, ses, start, end, s, model)
    if keys:
        sessions = sessions.reset_index()
    derived = {"month": np.dtype("datetime64[ns]"), "service_type": "str"}
    schema = {"part": "str", **{n: derived.get(k, ses[k].dtype) for k, n in zip(keys, shown)},
              **dict.fromkeys(counts, "Int64")}
    schema.update({c: t for c, t in EPISODE_COLUMNS.items() if c not in schema})
    rows = {"sessions": (sessions, counts), "episodes": (ep, list(EPISODE_COLUMNS))}
    frames = []
    for kind, (frame, own) in rows.items():
        columns = {"part": np.full(len(frame), kind, dtype=object)}
        for k, n in zip(keys, shown):
            columns[n] = frame[k].array
        for c in own:
            if c not in columns:
                columns[c] = frame[c].array if c in frame else np.nan
        out = pd.DataFrame(columns, index=pd.RangeIndex(len(frame)))
        if kind == "sessions":
            out[counts] = out[counts].fillna(0)
        frames.append(_typed(out, schema))
    return pd.concat(frames, ignore_index=True)


def _typed(frame, schema):
    """``frame`` with the columns of ``schema`` in its order and dtypes (absent ones
    missing). A group column of numbers or dates keeps its own dtype (an episode's
    format is its most common, and may be missing)."""
    out = {}
    for c, dtype in schema.items():
        v = frame[c] if c in frame else pd.Series(np.nan, index=frame.index)
        if isinstance(dtype, (str, pd.CategoricalDtype, pd.StringDtype)) \
                or pd.api.types.is_object_dtype(dtype):
            v = v.astype(dtype)
        out[c] = v
    return pd.DataFrame(out, index=frame.index)


def _session_parts(df, ses, cs, now, keys, s, model, start):
    """Counts and shares of the sessions in the period.

    Everything is counted by an integer group code of the session (``_g``) and given its
    group keys at the end: the administrations take their session's code, not its keys.
    """
    if keys:
        g = ses.groupby(keys, dropna=False, sort=True, observed=True).ngroup().to_numpy()
        first = pd.Series(np.arange(len(g))).groupby(g, sort=True).first().to_numpy()
        index = pd.MultiIndex.from_frame(ses[keys].iloc[first]) if len(keys) > 1 else \
            pd.Index(ses[keys[0]].iloc[first], name=keys[0])
    else:
        g, index = np.zeros(len(ses), dtype=np.int64), None
    by = ["_g"]
    # first, while the session and administration frames below do not exist yet: the
    # alerts are the largest step, and only their count per group is kept
    with_alert = (None if s.alert_severity is None else
                  _sessions_with_alert(df, ses, now, g[now], s, model, start))
    S = pd.DataFrame({"_g": g, "_c": ses["_c"].to_numpy(), "_e": ses["_e"].to_numpy(),
                      "_one": 1, "_out": ses["has_outcome"].to_numpy(),
                      "_with": ses["has_alliance"].to_numpy(dtype=np.int64)})
    first_session = ses.groupby("_e")["session_number"].transform("min").to_numpy()
    S["_new"] = (ses["session_number"].to_numpy() == first_session)
    number = ses["session_number"].to_numpy(dtype=np.int64)
    S["_es"] = ses["_e"].to_numpy() * (number.max(initial=0) + 1) + number
    age = ses["age_group"].where(ses["age_group"].isin(_AGES), "unknown_age")
    S["_age"] = pd.Categorical(age.to_numpy(dtype=object),
                               categories=[*_AGES, "unknown_age"])
    S = S[now]
    parts = [cf.counts(S, by, "_c", distinct=True, name="n_clients")]
    by_age = S.groupby(["_g", "_age"], observed=False)["_c"].nunique().unstack("_age")
    parts.append(by_age.fillna(0).astype(np.int64).add_prefix("n_clients_"))
    parts += [cf.counts(S, by, "_e", distinct=True, name="n_episodes"),
              cf.counts(S[S["_new"]], by, "_e", distinct=True, name="n_new_episodes"),
              cf.counts(S, by, "_es", distinct=True, name="n_sessions"),
              cf.counts(S, by, "_one", name="n_client_sessions")]
    # administrations of the period, counted under their session's group
    rows = np.flatnonzero(now[cs])
    a = df.iloc[rows][["rater", "measure", "total"]]
    own = a["rater"].eq("self").to_numpy(dtype=bool, na_value=False)
    rater = pd.factorize(a["rater"])[0].astype(np.int64)
    ce = ses["_ce"].to_numpy()[cs[rows]]
    admin = pd.DataFrame({"_g": g[cs[rows]], "_r": ce * (rater.max(initial=0) + 1) + rater})
    parts.append(cf.counts(admin[~own], by, "_r", distinct=True,
                           name="n_collateral_raters"))
    t = a["total"].to_numpy(dtype=float)
    ally = own & a["measure"].isin(cf.ALLIANCE_MEASURES).to_numpy(dtype=bool)
    srs = pd.DataFrame({"_g": admin["_g"].to_numpy(), "_one": 1,
                        "_low": t < s.alliance.cutoff - EPS,
                        "_top": t >= s.alliance.ceiling - EPS})[ally]
    parts += [cf.counts(srs, by, "_one", name="n_srs"),
              cf.counts(srs, by, "_low", name="n_srs_below_cutoff"),
              cf.counts(srs, by, "_top", name="n_srs_at_ceiling")]
    due = S[S["_out"]]
    parts += [cf.counts(due, by, "_one", name="n_ors_sessions"),
              cf.counts(due, by, "_with", name="n_ors_sessions_with_srs")]
    if with_alert is not None:
        parts.append(with_alert.reindex(parts[0].index, fill_value=0))
    table = pd.concat([p.to_frame() if isinstance(p, pd.Series) else p for p in parts],
                      axis=1)
    table = table.reindex(np.unique(g[now]) if now.any() else [])
    if index is None:
        return [table.reset_index(drop=True)]
    table.index = index[table.index.to_numpy()]
    return [table]


def _sessions_with_alert(df, ses, now, g, s, model, start):
    """Client sessions of the period with an alert of ``s.alert_severity`` or worse, counted
    per group code ``g`` (the group of each session where ``now``)."""
    # the whole history up to the end, so that drops and streaks see earlier sessions;
    # alerts of the period only (``since``), so that no text is built for the rest
    fired = alerts(df, settings=s.alerts, model=model, min_severity=s.alert_severity,
                   since=start)
    key = ["client_id", "episode_id", "session_number"]
    hit = fired[key].drop_duplicates().assign(_alert=1)
    fired = None
    sessions = ses.loc[now, key].assign(_g=g)
    with_alert = sessions.merge(hit, on=key, how="inner")
    return cf.counts(with_alert, ["_g"], "_alert", name="n_sessions_with_alert")


def _episode_parts(ep, keys, s, sd):
    """Counts, averages, shares and effect sizes of the episodes of the outcome set."""
    ep = ep.assign(_one=1)
    parts = [cf.counts(ep, keys, "_e", distinct=True, name="n_outcome_episodes"),
             cf.counts(ep, keys, "_one", name="n_outcome_clients")]
    distinct = ep.drop_duplicates([*keys, "_e"])
    if keys:
        g = distinct.groupby(keys, dropna=False, observed=True, sort=True)
        parts.append(pd.DataFrame({"mean_sessions": g["n_episode_sessions"].mean(),
                                   "mean_days": g["n_episode_days"].mean()}))
    else:
        parts.append(pd.DataFrame({"mean_sessions": [distinct["n_episode_sessions"].mean()],
                                   "mean_days": [distinct["n_episode_days"].mean()]}))
    intake = ep[ep["ors_intake"].notna() & ep["cutoff"].notna()]
    intake = intake[intake["age_group"].isin(_AGES[:3])]
    ages = list(_AGES[:3])
    age = pd.Categorical(intake["age_group"].to_numpy(dtype=object), categories=ages)
    g = intake.assign(_age=age).groupby([*keys, "_age"], dropna=False, observed=False)
    stats = g["ors_intake"].agg(["count", "mean"])
    if keys:
        n_in = stats["count"].unstack("_age").reindex(columns=ages)
        m_in = stats["mean"].unstack("_age").reindex(columns=ages)
    else:
        n_in, m_in = (stats[c].reindex(ages).to_frame().T.reset_index(drop=True)
                      for c in ("count", "mean"))
    n_in.columns, m_in.columns = ages, ages
    parts += [n_in.fillna(0).astype(np.int64).add_prefix("n_intake_ors_"),
              m_in.astype(float).add_prefix("intake_ors_")]
    srs = ep[ep["srs_intake"].notna()]
    parts += [cf.counts(srs, keys, "_one", name="n_intake_srs")]
    parts.append((srs.groupby(keys, dropna=False, observed=True, sort=True)["srs_intake"]
                  .mean() if keys else pd.Series([srs["srs_intake"].mean()]))
                 .rename("intake_srs"))
    rc = ep["reliable_change"].astype(object)
    closed = ep["episode_status"].isin(cf.CLOSED) & ep["ors_intake"].notna() \
        & ep["cutoff"].notna()
    flags = ep.assign(
        _change=ep["scored"].astype(np.int64),
        _imp=(ep["scored"] & rc.eq("improvement")).astype(np.int64),
        _det=(ep["scored"] & rc.eq("deterioration")).astype(np.int64),
        _clin=(ep["scored"] & ep["intake_clinical"].fillna(False).astype(bool))
        .astype(np.int64),
        _rec=(ep["scored"] & ep["outcome"].astype(object).eq("recovered")).astype(np.int64),
        _closed=closed.astype(np.int64),
        _drop=(closed & ep["episode_status"].eq("closed_unplanned")
               & ~rc.eq("improvement")).astype(np.int64),
        _judged=ep["etr_status"].isin(["on_track", "watch", "off_track"]).astype(np.int64),
        _target=ep["etr_status"].eq("on_track").astype(np.int64))
    outcome = ep["outcome"].astype(object)
    flags = flags.assign(**{f"_o_{c}": (ep["scored"] & outcome.eq(c)).astype(np.int64)
                            for c in OUTCOME_CATEGORIES})
    for c in OUTCOME_CATEGORIES:
        parts.append(cf.counts(flags, keys, f"_o_{c}", name=f"n_outcome_{c}"))
    for col, name in (("_change", "n_change"), ("_imp", "n_reliable_improvement"),
                      ("_det", "n_reliable_deterioration"), ("_clin", "n_clinical_change"),
                      ("_rec", "n_recovered"), ("_closed", "n_closed"),
                      ("_drop", "n_dropout"), ("_judged", "n_target_judged"),
                      ("_target", "n_reaching_target")):
        parts.append(cf.counts(flags, keys, col, name=name))
    cases = ep[ep["es_case"]]
    es = effect_sizes(cases, keys, change="ors_change", adjusted="adjusted_change",
                      sd_ref=sd, confidence=s.confidence)
    parts.append(es.set_index(keys) if keys else es)
    return parts


#: The counts each derived column is computed from: a derived value is withheld by
#: :func:`suppress_small_cells` when one of them is suppressed.
DERIVED_FROM = MappingProxyType({
    "share_srs_below_cutoff": ("n_srs", "n_srs_below_cutoff"),
    "share_srs_at_ceiling": ("n_srs", "n_srs_at_ceiling"),
    "share_srs_completion": ("n_ors_sessions", "n_ors_sessions_with_srs"),
    "share_sessions_with_alert": ("n_client_sessions", "n_sessions_with_alert"),
    "mean_sessions": ("n_outcome_episodes",), "mean_days": ("n_outcome_episodes",),
    **{f"intake_ors_{a}": (f"n_intake_ors_{a}",) for a in _AGES[:3]},
    "intake_srs": ("n_intake_srs",),
    "share_reliable_improvement": ("n_change", "n_reliable_improvement"),
    "share_reliable_deterioration": ("n_change", "n_reliable_deterioration"),
    "share_recovered": ("n_clinical_change", "n_recovered"),
    "share_dropout": ("n_closed", "n_dropout"),
    "share_reaching_target": ("n_target_judged", "n_reaching_target"),
    "mean_change": ("n_es",), "effect_size": ("n_es",), "severity_adjusted_es": ("n_es",),
    "shrunk_es": ("n_es",), "service_es": (), "completion_slope": ("n_ors_sessions",),
    "share_attention": ("n_open", "n_attention"), "median_days_since": ("n_attention",),
})
#: Counts that add up to another: a single suppressed part is protected by suppressing
#: the next smallest part too (otherwise it follows from the total).
PARTITIONS = MappingProxyType({
    "n_clients": tuple(f"n_clients_{a}" for a in (*_AGES, "unknown_age")),
    "n_change": tuple(f"n_outcome_{c}" for c in OUTCOME_CATEGORIES),
})


def _finish(table, keys, s):
    """Shares and intervals from the counts; integer counts; column order."""
    counts = [c for c in table.columns if c.startswith("n_")]
    table[counts] = table[counts].fillna(0).astype(np.int64)
    for name, (n, k) in {"srs_below_cutoff": ("n_srs", "n_srs_below_cutoff"),
                         "srs_at_ceiling": ("n_srs", "n_srs_at_ceiling"),
                         "srs_completion": ("n_ors_sessions", "n_ors_sessions_with_srs"),
                         "sessions_with_alert": ("n_client_sessions",
                                                 "n_sessions_with_alert"),
                         "reliable_improvement": ("n_change", "n_reliable_improvement"),
                         "reliable_deterioration": ("n_change", "n_reliable_deterioration"),
                         "recovered": ("n_clinical_change", "n_recovered"),
                         "dropout": ("n_closed", "n_dropout"),
                         "reaching_target": ("n_target_judged", "n_reaching_target")}.items():
        if k in table.columns:
            cf.add_share(table, name, k, n, s.confidence)
    return table[[*keys, *(c for c in _ORDER if c in table.columns)]]


_ORDER = (
    "n_clients", *(f"n_clients_{a}" for a in (*_AGES, "unknown_age")), "n_episodes",
    "n_new_episodes", "n_sessions", "n_client_sessions", "n_collateral_raters",
    "n_srs", "n_srs_below_cutoff", "share_srs_below_cutoff", "share_srs_below_cutoff_low",
    "share_srs_below_cutoff_high", "n_srs_at_ceiling", "share_srs_at_ceiling",
    "share_srs_at_ceiling_low", "share_srs_at_ceiling_high", "n_ors_sessions",
    "n_ors_sessions_with_srs", "share_srs_completion", "share_srs_completion_low",
    "share_srs_completion_high", "n_sessions_with_alert", "share_sessions_with_alert",
    "share_sessions_with_alert_low", "share_sessions_with_alert_high",
    "n_outcome_episodes", "n_outcome_clients", "mean_sessions", "mean_days",
    *(f"n_intake_ors_{a}" for a in _AGES[:3]), *(f"intake_ors_{a}" for a in _AGES[:3]),
    "n_intake_srs", "intake_srs", "n_change",
    *(f"n_outcome_{c}" for c in OUTCOME_CATEGORIES),
    *(x for name in ("reliable_improvement", "reliable_deterioration")
      for x in (f"n_{name}", f"share_{name}", f"share_{name}_low", f"share_{name}_high")),
    "n_clinical_change", "n_recovered", "share_recovered", "share_recovered_low",
    "share_recovered_high", "n_closed", "n_dropout", "share_dropout", "share_dropout_low",
    "share_dropout_high", "n_target_judged", "n_reaching_target", "share_reaching_target",
    "share_reaching_target_low", "share_reaching_target_high", "n_es", "mean_change",
    "effect_size", "effect_size_low", "effect_size_high", "severity_adjusted_es",
    "severity_adjusted_es_low", "severity_adjusted_es_high",
)


# --------------------------------------------------------------------------- attention
@_docstrings.fill
def attention_summary(
    data: pd.DataFrame,
    *,
    by=("clinician",),
    as_of=None,
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
    status: str = "episode_status",
    settings: AttentionSettings | None = None,
    model: ExpectedResponse | None = None,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Who needs attention this week, counted per clinician and for the whole service.

    The list itself is :func:`srs_analytics.attention` (``clinicians=`` keeps one
    clinician's clients; ``srs-analytics attention`` prints it grouped by clinician).

    Parameters
    ----------
    {data}
    by : "clinician" or (), default ("clinician",)
        One row per clinician (of the client's latest session), or one for the service.
    as_of : date-like, optional
        The day the list is drawn up; by default the latest session date in ``data``.
    {columns}
    settings : AttentionSettings, optional
        How recently an open episode was seen (4 weeks), the least severity listed
        (warning) and the alert rules.
    {model}
    confidence : float, default 0.95
        Level of the interval of ``share_attention``.

    Returns
    -------
    pandas.DataFrame
        One row per clinician with an open episode (sorted by clinician), or one row:
        ``n_open`` (clients with an open episode), ``n_attention`` (of them on the
        attention list), ``n_critical`` and ``n_warning`` (by the leading alert's
        severity), ``share_attention`` with its Wilson interval, ``median_days_since``
        (days from the listed clients' latest session to ``as_of``).

    Examples
    --------
    >>> from srs_analytics import load_sample
    >>> t = attention_summary(load_sample(), by=())
    >>> t[["n_open", "n_attention"]].to_dict("records")
    [{'n_open': 66, 'n_attention': 25}]
    """
    from ._checks import check_choice as _choice

    names = cf.grouping(by)
    for b in names:
        _choice("by", b, ("clinician",))
    s = settings or AttentionSettings()
    cols = column_map(client=client, episode=episode, clinician=clinician, session=session,
                      date=date, measure=measure, rater=rater, total=total, items=items,
                      imputed=imputed, age_group=age_group, status=status)
    eps = open_episodes(data, client=client, episode=episode, clinician=clinician,
                        session=session, date=date, status=status, as_of=as_of, settings=s)
    eps = eps[eps["open"].to_numpy(dtype=bool)].assign(_one=1)
    listed = attention(data, **{k: v for k, v in cols.items() if not k.startswith("item_")},
                       as_of=as_of, settings=s, model=model).assign(_one=1)
    severity = listed["severity"].astype(object)
    listed = listed.assign(_crit=severity.eq("critical").astype(np.int64),
                           _warn=severity.eq("warning").astype(np.int64))
    keys = [clinician] if names else []
    parts = [cf.counts(eps, keys, "_one", name="n_open"),
             cf.counts(listed, keys, "_one", name="n_attention"),
             cf.counts(listed, keys, "_crit", name="n_critical"),
             cf.counts(listed, keys, "_warn", name="n_warning")]
    days = (listed.groupby(keys, dropna=False, sort=True)["days_since"].median() if keys
            else pd.Series([listed["days_since"].median()]))
    table = cf.join_parts([*parts, days.rename("median_days_since").astype(float)], keys)
    counts = ["n_open", "n_attention", "n_critical", "n_warning"]
    table[counts] = table[counts].fillna(0).astype(np.int64)
    cf.add_share(table, "attention", "n_attention", "n_open", confidence)
    return table


# --------------------------------------------------------------------------- small cells
def suppress_small_cells(table: pd.DataFrame, k: int = 5, *, derived=DERIVED_FROM,
                         partitions=PARTITIONS) -> pd.DataFrame:
    """A table fit to leave the clinic: counts under ``k`` shown as ``"<k"``, and every
    figure derived from them withheld.

    Parameters
    ----------
    table : pandas.DataFrame
        A table of this package (:func:`caseload_summary`,
        :func:`~srs_analytics.completion.srs_completion`,
        :func:`~srs_analytics.comparison.clinician_comparison`...). Its counts are the
        integer columns named ``n_*``.
    k : int, default 5
        The smallest count shown. 0 counts too: "none of this clinician's three
        adolescents improved" discloses as much as a 1.
    derived : mapping, default :data:`DERIVED_FROM`
        For each derived column (a share, a mean, an effect size), the counts it is
        computed from; its ``_low`` / ``_high`` interval goes with it. A numeric column
        that is neither a count nor listed is withheld wherever any count of its row is
        suppressed.
    partitions : mapping, default :data:`PARTITIONS`
        Counts that add up to another count (clients by age group to the clients): when
        only one part of a row is suppressed, the next smallest part is suppressed too,
        so that it cannot be had by subtraction.

    Returns
    -------
    pandas.DataFrame
        A copy: the group columns as they were; each count column as text (``"12"``,
        ``"<5"``); derived columns NaN where withheld.

    Notes
    -----
    Primary suppression of small cells with one round of secondary suppression within the
    declared partitions. It does not protect against differencing between two tables
    (the same figures for overlapping periods or groupings): publish one grouping of a
    period, or check the differences by hand.

    References
    ----------
    NHS Digital, Mental Health Services Data Set publications: counts below 5 suppressed
    and rates withheld (the convention this default follows).

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"clinician_id": ["T1", "T2"], "n_change": [40, 12],
    ...                   "n_reliable_improvement": [22, 3],
    ...                   "share_reliable_improvement": [0.55, 0.25]})
    >>> suppress_small_cells(t)
      clinician_id n_change n_reliable_improvement  share_reliable_improvement
    0           T1       40                     22                        0.55
    1           T2       12                     <5                         NaN
    """
    from ._checks import check_number, require_frame

    require_frame(table)
    check_number("k", k, 1, integer=True)
    counts = [c for c in table.columns if c.startswith("n_")
              and pd.api.types.is_integer_dtype(table[c])]
    small = pd.DataFrame({c: table[c].to_numpy() < k for c in counts}, index=table.index)
    for total, parts in partitions.items():
        parts = [p for p in parts if p in small.columns]
        if total not in small.columns or not parts:
            continue
        lone = small[parts].sum(axis=1).eq(1) & ~small[total]
        if lone.any():
            values = table[parts].where(~small[parts])  # the parts still shown
            nxt = values[lone].idxmin(axis=1).dropna()
            for row, col in nxt.items():  # a few rows: one cell each
                small.loc[row, col] = True
    out = table.copy()
    listed = {x for name in derived for x in (name, f"{name}_low", f"{name}_high")}
    for col in table.columns:
        if col in counts or not pd.api.types.is_numeric_dtype(table[col]) or \
                pd.api.types.is_bool_dtype(table[col]):
            continue
        base = col.removesuffix("_low").removesuffix("_high")
        if col in listed:
            basis = [c for c in derived[base] if c in small.columns]
            hide = small[basis].any(axis=1) if basis else pd.Series(False, table.index)
        else:
            hide = small.any(axis=1)
        out[col] = table[col].where(~hide)
    for col in counts:
        text = table[col].astype(str).to_numpy(dtype=object)
        text[small[col].to_numpy()] = f"<{k}"
        out[col] = pd.array(text, dtype="str")
    return out
