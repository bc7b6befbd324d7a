"""Synthetic PCOMS caseloads: a canonical table of ORS and SRS administrations.

Everything this module produces is **synthetic**: invented clients, clinicians, sites, dates
and comments, drawn from published summary figures. It contains no real person's data and is
meant for demos, tests, teaching and benchmarks, never as evidence about real services.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._checks import check_number
from .schema import coerce_canonical

__all__ = ["simulate"]

_AGES = np.array(["young_child", "child", "adolescent", "adult"], dtype=object)
_YOUNG, _CHILD, _ADOL, _ADULT = range(4)
#: Age mix of individual clients (young child, child, adolescent, adult): an assumption for a
#: mixed-age outpatient service, not a published figure.
_AGE_MIX = (0.04, 0.14, 0.12, 0.70)
#: Cutoff of each age group's outcome measure (OpenFIT KA-01028; adolescent 28 widely taught,
#: no primary source). The intake mean sits ``25 - intake_mean`` points below it for every
#: age group (an assumption: the adult gap applied to the other groups).
_CUTOFF = np.array([32.0, 32.0, 28.0, 25.0])
_MEASURES = np.array(["ORS", "CORS", "YCORS", "SRS", "CSRS", "GSRS"], dtype=object)
_OUT_MEASURE = np.array([2, 1, 0, 0])  # outcome measure code by age group
_FORMATS = np.array(["paper", "digital", "verbal"], dtype=object)
_DECIMALS = np.array([1, 2, 0])  # paper ruler to the mm, tablet 0.01 steps, spoken number
_SETTINGS = np.array(["in_person", "telehealth"], dtype=object)
_STATUS = np.array(["open", "closed_planned", "closed_unplanned"], dtype=object)
_RATERS = np.array(["self", "parent", "teacher"], dtype=object)
_SITE_NAMES = ("North", "South", "East", "West", "Central", "Riverside", "Hillside", "Harbour")
#: Share of clients with an alliance measure showing each pattern, codes 0-4: none, all 10s,
#: sharp drop, ascending, low item (assumptions; the alerts are built to find them).
_PATTERN_P = (0.74, 0.06, 0.07, 0.07, 0.06)
_REF_SESSION = 8  # the growth parameter is the expected change by this session
_ROWS_PER_CLIENT = 12.4  # calibrated: rows / n_clients for the defaults (used by n_administrations)

#: Fictional comments (no names), on high and on low (< 36) SRS totals.
_COMMENTS_OK = (
    "Helpful to map out the week together.", "Felt heard today.",
    "Good to focus on the sleep routine.", "Liked the worksheet on worry time.",
    "Useful to plan the talk with my manager.", "Glad we came back to the goals list.",
)
_COMMENTS_LOW = (
    "Agreed to try two small changes: shorter homework, more time on work stress.",
    "Felt rushed at the end.", "Wanted more time on the conflict at home.",
    "Not sure the breathing exercises fit me.", "Asked to set the agenda together next time.",
    "Too much talking about the past today.",
)


def simulate(
    n_clients: int = 300,
    *,
    seed: int | None = 0,
    n_clinicians: int = 8,
    n_sites: int = 3,
    start: str = "2025-01-06",
    weeks: int = 52,
    n_administrations: int | None = None,
    intake_mean: float = 17.5,
    intake_sd: float = 7.0,
    norm_mean: float = 30.5,
    retest_sd: float = 3.0,
    gap_closed: float = 0.6,
    alliance_effect: float = 5.0,
    max_sessions: int = 20,
    p_end: float = 0.115,
    next_ors_within: float = 0.0,
    next_ors_between: float = 0.0,
    srs_ors_noise: float = 0.2,
) -> pd.DataFrame:
    """Simulate a synthetic PCOMS caseload as a canonical table.

    The data are **synthetic**: every client, clinician, site, date and comment is invented.
    Scores are drawn so that their distributions match the published figures listed below;
    no real data were used. The bulk of the work is vectorised with numpy, so one million
    administrations take seconds.

    Parameters
    ----------
    n_clients : int, default 300
        Number of distinct clients (couples, families and group members included).
    seed : int or None, default 0
        Seed of :func:`numpy.random.default_rng`; the same seed gives the same table.
    n_clinicians : int, default 8
        Clinicians ``T01`` ...; clinician *k* works at site *k* modulo ``n_sites``.
    n_sites : int, default 3
        Sites ``North``, ``South``, ``East`` ... .
    start : str, default "2025-01-06"
        First day of the simulated period. Episodes start uniformly over ``weeks`` weeks.
    weeks : int, default 52
        Length of the period. The data are extracted at its end: episodes still running
        then, or seen in the last three weeks, are ``open``.
    n_administrations : int, optional
        Approximate number of rows wanted; when given it overrides ``n_clients`` (about
        12.4 rows per client with the defaults, so 1,000,000 rows is about 81,000 clients).
    intake_mean, intake_sd : float, default 17.5 and 7.0
        Adult intake ORS; adult outpatients start at about 16-19 with an SD of about 7
        (typical figures of the PCOMS literature: a working assumption, not one cited
        study). Other age groups start the same distance below their own
        cutoff (adolescent 28, child 32; an assumption).
    norm_mean : float, default 30.5
        Mean of a non-clinical ORS sample (SD 5.8; attributed to Miller et al. 2003, see
        ``docs/measures-and-rules.md``): where improvement heads.
    retest_sd : float, default 3.0
        Session-to-session noise of an ORS total. With the intake SD of 7 it gives a
        reliability of 1 - 9/49 = .82, in the range of the non-clinical alpha .80-.83.
    gap_closed : float, default 0.6
        Expected share of the gap between the true intake score and ``norm_mean`` closed by
        session 8, on a log-session curve: lower intakes improve more (together with the
        regression to the mean the retest noise produces).
    alliance_effect : float, default 5.0
        ORS points by session 8 per SD of a client's alliance; tuned so the correlation
        between a client's mean SRS and ORS change (clients with 2+ ORS) is about .28
        (Flückiger et al. 2018: r = .278).
    max_sessions : int, default 20
        Longest episode.
    p_end : float, default 0.115
        Episode length is geometric on 1..``max_sessions`` with this chance of ending after
        each session: right-skewed, median 5, mean about 6, 1 in 7 single-session (an
        assumption in line with routine outpatient care; open episodes are shorter).
    next_ors_within, next_ors_between : float, default 0.0
        Known effects of this session's alliance on the next session's ORS, for checking
        that an analysis recovers them (:func:`srs_analytics.research.next_ors_model`).
        ``next_ors_within``: ORS points added to the client's next ORS per point of this
        session's SRS total above the client's own mean SRS. ``next_ors_between``: ORS
        points added to every ORS after the first per point of the client's mean SRS above
        the mean of all clients (see Notes). Both 0 by default, which leaves the data
        exactly as without them.
    srs_ors_noise : float, default 0.2
        How much a session's SRS follows the noise of that session's ORS: the SRS deficit
        falls by this much per SD of the ORS noise (a good day lifts both). It makes a
        session's SRS tell something about that session's ORS beyond the client's level,
        which a model of the next ORS reads as a (negative) within-client effect; set 0
        when checking that such a model recovers ``next_ors_within``.

    Returns
    -------
    pandas.DataFrame
        The canonical table (:func:`srs_analytics.schema.coerce_canonical`), one row per
        administration, sorted by episode, session, client, then outcome before alliance:
        ``client_id`` (``C00001``), ``episode_id`` (``E00001``), ``clinician_id`` (``T01``),
        ``site``, ``session_date``, ``session_number`` (1-based, contiguous per episode and
        client), ``measure`` (ORS, CORS, YCORS, SRS, CSRS, GSRS), ``rater`` (``self``,
        ``parent``, ``teacher``), ``item_1`` .. ``item_4`` (0-10; one decimal on paper, two
        on a tablet, whole numbers when given verbally; missing for YCORS), ``total`` (the
        item sum; YCORS 1-4), ``items_imputed`` (always False), ``age_group``,
        ``group_id`` (``G01``, group members only), ``format``, ``setting``,
        ``episode_status``, ``comment`` (a few fictional lines on SRS rows),
        ``source_file`` (``"simulated"``) and ``source_row`` (1-based row position).

    Notes
    -----
    *Caseload* (shares are assumptions unless a source is named). Individual clients: 4%
    young children, 14% children, 12% adolescents, 70% adults. Couples, 4% of clients
    (PCOMS with couples: Anker, Duncan and Sparks 2009), and families of an adult, an
    adolescent and sometimes a child, 3%, share one episode, clinician and session dates.
    Closed groups of 6-8 adults meet weekly for 8-12 sessions (30% of members leave early),
    rated on the GSRS (Quirk et al. 2013): 2.5% of clients, each with an own episode but the
    group's dates. Sessions are weekly with +-2 days of jitter, 18% fortnightly and 7% 3-6
    weeks apart, moved off weekends. Parents rate 60% of children and young children (CORS)
    and 30% of adolescents (ORS); teachers rate 15% of children every third session. The SRS
    is skipped 3% of the time; young children have a YCORS only. Telehealth: never in 60% of
    episodes, a quarter of sessions in 25%, always in 15%. In person, paper 55%, tablet 40%,
    verbal 5%; telehealth, tablet 75%, verbal 25%.

    *Outcome*. The true intake :math:`\\tau_i` is normal, mean ``intake_mean`` (shifted by
    age group), SD :math:`\\sqrt{7^2 - 3^2}`; the ORS at session :math:`s` is

    .. math:: \\tau_i + G_i \\ln s / \\ln 8 + e_{is}, \\quad
              G_i = 0.6 (30.5 - \\tau_i) + 5 a_i + c_t + u_i

    with :math:`e_{is} \\sim N(0, 3^2)`, alliance :math:`a_i \\sim N(0, 1)`, clinician
    effect :math:`c_t \\sim N(0, 2^2)` (a few percent of the variance of change; therapist
    effects are about 5% of outcome variance, Baldwin and Imel 2013) and
    :math:`u_i \\sim N(0, 4^2)`. Mean change is about 6 points (pre-post d about .85); about
    8% of clients deteriorate by 5 points or more. Items spread the total with a fixed
    client profile.

    *Alliance*. Each SRS item is ``10 - max(0, d)``; the deficit :math:`d` adds a client
    level (lower for a higher :math:`a_i` or intake), an item effect, a session shock that
    follows that session's ORS noise, item noise and a slow decline with log session: the
    ceiling grows slightly over sessions (Meier and Feeley 2022). The SRS is strongly
    skewed to the top of the scale: the validation studies report ceiling effects (Duncan
    et al. 2003; the Dutch version, Janse et al. 2014), and our working figures, to be
    checked before citing, are a mean in the high 30s, a fifth to a third of first
    sessions below 36 and many ratings at 39-40. With the defaults the mean is 37.6, 28% of
    first sessions are below 36, 42% of SRS totals are 39 or more (37% at session 1, 46% at
    session 8), 77% are 36 or more, 21% are 40, the median is 38.4. A client's mean SRS
    correlates about .28 with ORS change (Flückiger et al. 2018: r = .278), an SRS total
    about .30 with the ORS of its session (reported .29). Patterns: 6% of clients give all
    10s every session and improve less (the false reassurance of the alerts); 7% have one
    sharp drop of 5.5-10 points after session 1; 7% an ascending alliance from about 32, and
    improve more (Anker et al. 2010); 6% one item that stays low (about 7-8.5). In 40% of
    couples and families one member's alliance is about 6 points lower: a split alliance
    (Bartle-Haring et al. 2012).

    *Known alliance effects* (``next_ors_within`` :math:`b_w`, ``next_ors_between``
    :math:`b_b`; 0 by default). With :math:`S_{is}` the SRS-family total of session
    :math:`s` before rounding, :math:`m_i` the client's mean of it over the sessions with
    one and :math:`M` the mean of :math:`m_i` over clients, each ORS after
    the first gains :math:`b_w (S_{i,s-1} - m_i) + b_b (m_i - M)` (the first term only
    when session :math:`s - 1` has an SRS): a passing effect of the
    previous session's alliance relative to the client's own level, and a lasting effect
    of the client's level. The ORS items move by a quarter of it each, before rounding.
    The default ``alliance_effect`` already ties the alliance to the change (between
    clients); set it to 0 for a caseload whose only alliance effects are these two.

    *Endings*. Unplanned endings are likelier for short episodes, a low alliance and little
    improvement; group members who leave early end unplanned. Episodes still running at the
    end of the period, or seen in its last 21 days, are open.

    References
    ----------
    Miller, S. D. et al. (2003). The Outcome Rating Scale. Journal of Brief Therapy, 2(2).
    Duncan, B. L. et al. (2003). The Session Rating Scale. Journal of Brief Therapy, 3(1).
    Janse, P., Boezen-Hilberdink, L., van Dijk, M. K., Verbraak, M. J. P. M. and
    Hutschemaekers, G. J. M. (2014). Measuring feedback from clients: the psychometric
    properties of the Dutch Outcome Rating Scale and Session Rating Scale. European Journal
    of Psychological Assessment.
    Flückiger, C., Del Re, A. C., Wampold, B. E. and Horvath, A. O. (2018). The alliance in
    adult psychotherapy: a meta-analytic synthesis. Psychotherapy, 55(4), 316-340.
    Meier, S. T. and Feeley, T. H. (2022). Ceiling effects indicate a possible threshold
    structure for working alliance. Journal of Counseling Psychology, 69(2), 235-245.
    Anker, M. G., Duncan, B. L. and Sparks, J. A. (2009). Using client feedback to improve
    couple therapy outcomes. Journal of Consulting and Clinical Psychology, 77(4), 693-704.
    Anker, M. G., Owen, J., Duncan, B. L. and Sparks, J. A. (2010). The alliance in couple
    therapy: partner influence, early change, and alliance patterns in a naturalistic
    sample. Journal of Consulting and Clinical Psychology, 78(5), 635-645.
    Bartle-Haring, S., Glebova, T., Gangamma, R., Grafsky, E. and Ostrom Delaney, R. (2012).
    Alliance and termination status in couple therapy: a comparison of methods for
    assessing discrepancies. Psychotherapy Research, 22(5), 502-514.
    Quirk, K. et al. (2013). Evaluating the Group Session Rating Scale.
    Baldwin, S. A. and Imel, Z. E. (2013). Therapist effects. In Bergin and Garfield's
    Handbook of Psychotherapy and Behavior Change (6th ed.).

    Examples
    --------
    >>> from srs_analytics.synthetic import simulate
    >>> df = simulate(20, seed=1)
    >>> df["client_id"].nunique(), df["source_file"].unique().tolist()
    (20, ['simulated'])
    >>> bool(df["total"].between(0, 40).all()), df.equals(simulate(20, seed=1))
    (True, True)
    """
    if n_administrations is not None:
        n_clients = max(1, round(n_administrations / _ROWS_PER_CLIENT))
    for name, value, low in [("n_clients", n_clients, 1), ("n_clinicians", n_clinicians, 1),
                             ("n_sites", n_sites, 1), ("weeks", weeks, 1),
                             ("max_sessions", max_sessions, 1)]:
        if not isinstance(value, (int, np.integer)) or value < low:
            raise ValueError(f"{name} must be an integer >= {low}, got {value!r}")
    if not 0 < p_end < 1:
        raise ValueError(f"p_end must be between 0 and 1, got {p_end!r}")
    for name, value in [("next_ors_within", next_ors_within),
                        ("next_ors_between", next_ors_between),
                        ("srs_ors_noise", srs_ors_noise)]:
        check_number(name, value)
    if not retest_sd < intake_sd:
        raise ValueError(f"retest_sd must be below intake_sd ({intake_sd}), got {retest_sd!r}")
    rng = np.random.default_rng(seed)

    sched, ep, cl = _caseload(rng, int(n_clients), n_clinicians, max_sessions, p_end)
    days, sched_off = _schedule_days(rng, sched, weeks, start)
    end_day = weeks * 7
    kept = np.add.reduceat(days < end_day, sched_off).astype(int)
    ep_n = np.minimum(ep["planned"], kept[ep["sched"]])
    ep_open = ep_n < ep["planned"]  # still running at the extract date
    ep_open |= days[sched_off[ep["sched"]] + ep_n - 1] >= end_day - 21

    # client x session rows
    cl_n = ep_n[cl["ep"]]
    rc = np.repeat(np.arange(len(cl_n)), cl_n)
    s = np.arange(len(rc)) - np.repeat(np.cumsum(cl_n) - cl_n, cl_n) + 1
    srow = sched_off[ep["sched"][cl["ep"][rc]]] + s - 1  # row in the schedule arrays
    clin = sched["clin"][ep["sched"]]  # by episode

    ors, e_z, growth = _outcome(rng, cl, rc, s, clin, n_clinicians, intake_mean, intake_sd,
                                norm_mean, retest_sd, gap_closed, alliance_effect)
    ep_status = _status(rng, ep, cl, growth, ep_n, ep_open)
    blocks = [_outcome_rows(rng, cl, rc, ors)]
    blocks += _collateral_rows(rng, cl, rc, s, ors)
    blocks.append(_alliance_rows(rng, cl, rc, s, srs_ors_noise * e_z))
    if next_ors_within or next_ors_between:  # no random draws: the defaults stay as they are
        _alliance_to_next_ors(blocks, rc, len(cl_n), next_ors_within, next_ors_between)

    width = max(5, len(str(max(len(cl_n), len(ep_n)))))
    n_groups = int(cl["group"].max()) + 1
    text = {  # text column: (codes by client / episode / schedule row, labels)
        "client_id": ("client", np.arange(len(cl_n)), _ids("C", len(cl_n), width)),
        "age_group": ("client", cl["age"], _AGES),
        "group_id": ("client", cl["group"], _ids("G", n_groups, 2)),
        "episode_id": ("episode", np.arange(len(ep_n)), _ids("E", len(ep_n), width)),
        "clinician_id": ("episode", clin, _ids("T", n_clinicians, 2)),
        "site": ("episode", clin % n_sites,
                 [_SITE_NAMES[k] if k < len(_SITE_NAMES) else f"Site{k + 1:02d}"
                  for k in range(n_sites)]),
        "episode_status": ("episode", ep_status, _STATUS),
        "format": ("sched", sched["fmt"], _FORMATS),
        "setting": ("sched", sched["tele"], _SETTINGS),
    }
    dates = np.datetime64(start, "D") + days
    return coerce_canonical(_frame(rng, blocks, text, rc, s, srow, cl["ep"], dates))


def _ids(prefix, n, width):
    return [f"{prefix}{i + 1:0{max(width, len(str(n)))}d}" for i in range(n)]


def _frame(rng, blocks, text, rc, s, srow, client_ep, dates):
    """Concatenate the administration blocks into one sorted table (frees ``blocks``)."""
    cols = {k: np.concatenate([b[k] for b in blocks]) for k in blocks[0]}
    blocks.clear()
    r = cols["r"]
    rows = {"client": rc[r]}
    rows["episode"], rows["sched"] = client_ep[rows["client"]], srow[r]
    order = np.lexsort((cols["order"], rows["client"], s[r], rows["episode"]))
    fmt = text["format"][1][rows["sched"]]
    items, total = _round_items(cols["items"], cols["ycors"], _DECIMALS[fmt])
    text["measure"] = ("row", cols["measure"], _MEASURES)
    text["rater"] = ("row", cols["rater"], _RATERS)
    text["comment"] = ("row", _comments(rng, cols["measure"] >= 3, total),
                       _COMMENTS_OK + _COMMENTS_LOW)
    rows["row"] = np.arange(len(r))
    items = items[order]
    out = {
        "session_date": dates[rows["sched"][order]].astype("datetime64[ns]"),
        "session_number": s[r][order],
        **{f"item_{k + 1}": items[:, k] for k in range(4)},
        "total": total[order],
        "items_imputed": np.zeros(len(r), dtype=bool),
        "source_file": "simulated",
        "source_row": np.arange(1, len(r) + 1),
    }
    for name, (level, codes, labels) in text.items():
        cats = pd.Categorical.from_codes(codes[rows[level][order]], np.asarray(labels, object))
        out[name] = pd.Series(cats).astype("str").array
    return pd.DataFrame(out)


def _trunc_geometric(rng, p, high, size):
    """Geometric on 1..high (chance ``p`` of stopping after each step), by inverse CDF."""
    u = rng.uniform(0, 1 - (1 - p) ** high, size)
    return np.clip(np.ceil(np.log1p(-u) / np.log1p(-p)), 1, high).astype(int)


def _caseload(rng, n, n_clinicians, max_sessions, p_end):
    """Schedules (sets of session dates), episodes and clients, as dicts of arrays."""
    n_couple = round(n * 0.04 / 2)
    n_family = round(n * 0.03 / 2.5)
    fam_size = rng.choice([2, 3], n_family)
    n_group = round(n * 0.025 / 7)
    group_size = rng.integers(6, 9, n_group)
    while 2 * n_couple + fam_size.sum() + group_size.sum() > n:  # tiny n only
        n_couple, n_family, n_group = n_couple // 2, n_family // 2, n_group // 2
        fam_size, group_size = fam_size[:n_family], group_size[:n_group]
    n_ind = n - 2 * n_couple - int(fam_size.sum()) - int(group_size.sum())

    # schedules: individual, couple, family, group
    kind = np.repeat([0, 1, 2, 3], [n_ind, n_couple, n_family, n_group])
    n_sched = len(kind)
    length = _trunc_geometric(rng, p_end, max_sessions, n_sched)
    length[kind == 3] = rng.integers(8, 13, n_group)
    # episodes: one per individual / couple / family schedule, one per group member
    ep_per_sched = np.ones(n_sched, int)
    ep_per_sched[kind == 3] = group_size
    ep_sched = np.repeat(np.arange(n_sched), ep_per_sched)
    planned = length[ep_sched]
    left = (kind[ep_sched] == 3) & (rng.random(len(ep_sched)) < 0.3)  # leave a group early
    planned[left] = rng.integers(1, planned[left])
    # clients: one per individual episode, 2 per couple, 2-3 per family, 1 per group member
    cl_per_ep = np.where(kind[ep_sched] == 1, 2, 1)
    cl_per_ep[kind[ep_sched] == 2] = fam_size
    cl_ep = np.repeat(np.arange(len(ep_sched)), cl_per_ep)
    rank = np.arange(len(cl_ep)) - np.repeat(np.cumsum(cl_per_ep) - cl_per_ep, cl_per_ep)
    cl_kind = kind[ep_sched[cl_ep]]
    age = np.full(len(cl_ep), _ADULT)
    age[cl_kind == 0] = rng.choice(4, n_ind, p=_AGE_MIX)
    age[(cl_kind == 2) & (rank == 1)] = _ADOL
    age[(cl_kind == 2) & (rank == 2)] = _CHILD
    group = np.full(len(cl_ep), -1)
    member = cl_kind == 3
    group[member] = ep_sched[cl_ep[member]] - (n_ind + n_couple + n_family)
    # split alliance: in 40% of couples and families the last member's alliance is lower
    split = np.zeros(len(cl_ep), bool)
    joint = np.isin(cl_kind, [1, 2]) & (rank == cl_per_ep[cl_ep] - 1)
    split[joint] = rng.random(joint.sum()) < 0.4
    sched = {"kind": kind, "length": length, "clin": rng.integers(0, n_clinicians, n_sched)}
    ep = {"sched": ep_sched, "planned": planned, "left": left}
    cl = {"ep": cl_ep, "age": age, "group": group, "kind": cl_kind, "split": split}
    return sched, ep, cl


def _schedule_days(rng, sched, weeks, start):
    """Day offsets (from ``start``) of every planned session of every schedule, flattened.

    Also draws the setting and format of every session into ``sched``.
    """
    length, kind = sched["length"], sched["kind"]
    off = np.cumsum(length) - length
    k = np.repeat(kind, length)
    first = np.zeros(length.sum(), bool)
    first[off] = True
    gap = rng.choice([7, 14, 21], len(k), p=[0.75, 0.18, 0.07])
    gap = np.where(gap == 21, rng.integers(21, 43, len(k)), gap)
    gap = gap + np.where(k == 3, 0, rng.integers(-2, 3, len(k)))
    gap = np.where(k == 3, np.where(rng.random(len(k)) < 0.9, 7, 14), gap)
    gap[first] = rng.integers(0, weeks * 7, len(length))
    days = np.cumsum(gap)
    days = days - np.repeat(days[off] - gap[off], length)
    weekday = (np.datetime64(start, "D").astype(int) + 3 + days) % 7  # 0 = Monday
    days = days - np.where(weekday == 5, 1, 0) - np.where(weekday == 6, 2, 0)
    tele_p = rng.choice([0.0, 0.25, 1.0], len(length), p=[0.6, 0.25, 0.15])
    sched["tele"] = (rng.random(len(k)) < np.repeat(tele_p, length)).astype(int)
    base = np.repeat(rng.choice(3, len(length), p=[0.55, 0.40, 0.05]), length)
    remote = rng.choice([1, 2], len(k), p=[0.75, 0.25])
    sched["fmt"] = np.where(sched["tele"] == 1, remote, base)
    return days, off


def _outcome(rng, cl, rc, s, clin, n_clin, intake_mean, intake_sd, norm_mean, retest_sd,
             gap_closed, alliance_effect):
    """Latent ORS-scale totals per client-session, the session noise (z) and growth G_i."""
    n = len(cl["ep"])
    shift = _CUTOFF[cl["age"]] - 25.0
    tau_sd = np.sqrt(intake_sd**2 - retest_sd**2)
    true = rng.normal(intake_mean + shift, tau_sd)
    a = rng.normal(0, 1, n)
    pattern = rng.choice(len(_PATTERN_P), n, p=_PATTERN_P)
    pattern[cl["age"] == _YOUNG] = 0
    t_eff = rng.normal(0, 2.0, n_clin)[clin[cl["ep"]]]
    systematic = gap_closed * (norm_mean + shift - true)
    systematic[pattern == 1] *= 0.7  # all 10s: compliant, little change
    growth = systematic + alliance_effect * a + t_eff + rng.normal(0, 4, n)
    growth += np.select([pattern == 3, pattern == 2], [2.0, -1.5], 0.0)
    e = rng.normal(0, retest_sd, len(rc))
    ors = true[rc] + growth[rc] * np.log(s) / np.log(_REF_SESSION) + e
    cl.update(a=a, pattern=pattern, z_true=(true - intake_mean - shift) / tau_sd)
    return ors, e / retest_sd, growth


def _status(rng, ep, cl, growth, ep_n, ep_open):
    """open / closed_planned / closed_unplanned per episode (codes into ``_STATUS``)."""
    n_ep = len(ep_n)
    cnt = np.bincount(cl["ep"], minlength=n_ep)
    a = np.bincount(cl["ep"], cl["a"], n_ep) / cnt
    g = np.bincount(cl["ep"], growth, n_ep) / cnt
    logit = -0.9 - 0.6 * a - 0.12 * (g - 7) + 1.0 * (ep_n <= 2) - 0.03 * ep_n
    unplanned = rng.random(n_ep) < 1 / (1 + np.exp(-logit))
    unplanned |= ep["left"]
    return np.where(ep_open, 0, np.where(unplanned, 2, 1))


def _items_from_total(rng, n_cl, rc, total):
    """Four items around total / 4 with a fixed client profile (the profile sums to 0)."""
    prof = rng.normal(0, 1.0, (n_cl, 4))
    prof -= prof.mean(axis=1, keepdims=True)
    return total[:, None] / 4 + prof[rc] + rng.normal(0, 0.6, (len(rc), 4))


def _round_items(items, ycors, decimals):
    """Clamp items to 0-10 and round them to the format's decimals (in place); the totals."""
    scale = 10.0 ** decimals[:, None]
    np.clip(items, 0, 10, out=items)
    items *= scale
    np.round(items, out=items)
    items /= scale
    total = np.round(items.sum(axis=1), 2)
    young = ~np.isnan(ycors)
    total[young] = ycors[young]
    return items, total


def _block(r, items, measure, rater, order, ycors=None):
    ycors = np.full(len(r), np.nan) if ycors is None else ycors
    return {"r": r, "items": items, "measure": measure.astype(np.int8),
            "rater": np.full(len(r), rater, np.int8),
            "order": np.full(len(r), order, np.int8), "ycors": ycors}


def _outcome_rows(rng, cl, rc, ors):
    """Self-rated ORS / CORS / YCORS rows, one per client-session."""
    age = cl["age"][rc]
    items = _items_from_total(rng, len(cl["ep"]), rc, ors)
    young = age == _YOUNG
    items[young] = np.nan
    ycors = np.where(young, np.digitize(ors, [18, 26, 33]) + 1.0, np.nan)
    return _block(np.arange(len(rc)), items, _OUT_MEASURE[age], 0, 0, ycors)


def _collateral_rows(rng, cl, rc, s, ors):
    """Parents (CORS for children, ORS for adolescents) and teachers (children)."""
    n = len(cl["ep"])
    age = cl["age"]
    solo = cl["kind"] == 0
    parent = solo & (age <= _CHILD) & (rng.random(n) < 0.6)
    parent |= solo & (age == _ADOL) & (rng.random(n) < 0.3)
    teacher = solo & (age == _CHILD) & (rng.random(n) < 0.15)
    blocks = []
    for code, who, every in [(1, parent, 1), (2, teacher, 3)]:
        r = np.flatnonzero(who[rc] & ((s - 1) % every == 0))
        offset = rng.normal(-1.5, 2.5, n)  # collaterals rate a little lower
        latent = ors[r] + offset[rc[r]] + rng.normal(0, 2.5, len(r))
        items = _items_from_total(rng, n, rc[r], latent)
        measure = np.where(age[rc[r]] == _ADOL, 0, 1)
        blocks.append(_block(r, items, measure, code, code))
    return blocks


def _alliance_rows(rng, cl, rc, s, ors_noise):
    """Self-rated SRS / CSRS / GSRS rows (left-skewed, ceiling, patterns); ``ors_noise``
    lowers the deficit where the session's ORS noise is high."""
    n = len(cl["ep"])
    age, pat = cl["age"], cl["pattern"]
    level = 0.45 - 0.6 * cl["a"] - 0.05 * cl["z_true"] + 1.6 * cl["split"]
    level[pat == 2] = np.minimum(level[pat == 2], 0.0)  # drops start from a good alliance
    item_eff = rng.normal(0, 0.25, (n, 4))
    focal = rng.integers(0, 4, n)
    low = pat == 4
    item_eff[low, focal[low]] += rng.uniform(1.6, 3.0, low.sum())
    lvl = level[rc] - 0.07 * np.log(s)  # the ceiling grows over sessions
    asc = pat[rc] == 3
    lvl[asc] = 2.1 * np.exp(-(s[asc] - 1) / 2.0) + 0.1
    shock = rng.normal(0, 0.45, len(rc)) - ors_noise
    deficit = lvl + shock
    deficit = deficit[:, None] + item_eff[rc] + rng.normal(0, 0.45, (len(rc), 4))
    items = 10 - np.maximum(deficit, 0)
    items[pat[rc] == 1] = 10.0
    # sharp drop: one session after the first falls 5.5-10 points below the one before
    n_s = np.bincount(rc, minlength=n)
    drop_at = (2 + np.floor(rng.random(n) * (n_s - 1)))[rc]
    hit = np.flatnonzero((pat[rc] == 2) & (s == drop_at) & (s >= 2))
    size = rng.uniform(5.5, 10, len(hit))
    w = np.full((len(hit), 4), 1 / 6)
    w[np.arange(len(hit)), focal[rc[hit]]] = 0.5
    # whole-number steps below the previous session survive any rounding of either session
    fall = np.floor(items[hit - 1]) - np.ceil(size[:, None] * w)
    items[hit] = np.clip(fall - rng.uniform(0, 0.9, fall.shape), 0, 10)
    keep = (age[rc] != _YOUNG) & (rng.random(len(rc)) >= 0.03)
    r = np.flatnonzero(keep)
    measure = np.where(cl["group"][rc[r]] >= 0, 5, np.where(age[rc[r]] == _CHILD, 4, 3))
    return _block(r, items[r], measure, 0, 9)


def _alliance_to_next_ors(blocks, rc, n_clients, within, between):
    """Add the known alliance effects to the self-rated outcome rows (``blocks[0]``).

    Every ORS after the first gains ``within * (S[s-1] - m) + between * (m - M)``, with
    ``S`` the unrounded SRS-family total of each client-session, ``m`` the client's mean
    and ``M`` the mean of ``m`` over clients (Notes of :func:`simulate`). Clients without
    an alliance rating (young children) are left alone.
    """
    ally = blocks[-1]
    r = ally["r"]  # client-session rows with an alliance rating
    total = np.clip(ally["items"], 0, 10).sum(axis=1)
    n = np.bincount(rc[r], minlength=n_clients)
    has = n > 0
    m = np.bincount(rc[r], total, n_clients) / np.maximum(n, 1)
    # the previous session of row r + 1 is row r, within the same client
    nxt = r + 1
    ok = nxt < len(rc)
    ok[ok] = rc[nxt[ok]] == rc[r[ok]]
    delta = np.zeros(len(rc))
    delta[nxt[ok]] = within * (total[ok] - m[rc[r[ok]]])
    later = np.zeros(len(rc), dtype=bool)
    later[1:] = rc[1:] == rc[:-1]  # every session after a client's first
    lasting = has[rc] & later
    delta[lasting] += between * (m[rc[lasting]] - m[has].mean())
    out = blocks[0]
    out["items"] += delta[out["r"], None] / 4


def _comments(rng, alliance, total):
    """Codes of a short fictional comment on about 6% of alliance rows (-1: none).

    Codes index ``_COMMENTS_OK + _COMMENTS_LOW``; critical comments when the total is < 36.
    """
    out = np.full(len(total), -1, dtype=np.int8)
    pick = np.flatnonzero(alliance & (rng.random(len(total)) < 0.06))
    ok = rng.integers(0, len(_COMMENTS_OK), len(pick))
    low = len(_COMMENTS_OK) + rng.integers(0, len(_COMMENTS_LOW), len(pick))
    out[pick] = np.where(total[pick] < 36, low, ok)
    return out
