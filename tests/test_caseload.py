"""The caseload tables, checked by hand on a small table and against outside references
(published Wilson intervals, scipy's t intervals and linear regression, numpy's least
squares, statsmodels' mixed model). All data here is synthetic."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import srs_analytics as srs
from srs_analytics import _effects
from srs_analytics.caseload import (
    DERIVED_FROM,
    CaseloadSettings,
    caseload_summary,
    suppress_small_cells,
)
from srs_analytics.comparison import _shrunk, clinician_comparison
from srs_analytics.completion import completion_trend, srs_completion
from srs_analytics.schema import coerce_canonical

QUIET = CaseloadSettings(alert_severity=None)


def _session(client, clinician, session, day, ors, srs_total=None, *, measure="ORS",
             age="adult", status="closed_planned", fmt="paper", setting="in_person",
             episode=None):
    date = pd.Timestamp("2026-01-05") + pd.Timedelta(days=day)
    rows = [dict(client_id=client, episode_id=episode or "E" + client, clinician_id=clinician,
                 site="North", session_date=date, session_number=session, measure=measure,
                 rater="self", total=float(ors), age_group=age, episode_status=status,
                 format=fmt, setting=setting)]
    if srs_total is not None:
        rows.append({**rows[0], "measure": "CSRS" if measure == "CORS" else "SRS",
                     "total": float(srs_total)})
    return rows


@pytest.fixture(scope="module")
def small():
    """Five clients, two clinicians, January and February 2026 (hand-checked below)."""
    rows = []
    # A: adult, 15 -> 22 (reliable improvement, not recovered), SRS 35, 38, 40; planned end
    for s, (day, o, r) in enumerate([(0, 15, 35), (7, 18, 38), (35, 22, 40)], 1):
        rows += _session("A", "T1", s, day, o, r)
    # B: adult, 20 -> 14 (reliable deterioration), unplanned end: a dropout
    for s, (day, o, r) in enumerate([(1, 20, 39), (8, 17, 39.5), (36, 14, 30)], 1):
        rows += _session("B", "T1", s, day, o, r, status="closed_unplanned")
    # C: adolescent, 30 -> 31 (not in the clinical range, cutoff 28), no SRS at session 2
    for s, (day, o, r) in enumerate([(2, 30, 40), (9, 31, None)], 1):
        rows += _session("C", "T1", s, day, o, r, age="adolescent",
                         status="closed_unplanned", setting="telehealth")
    # D: child on the CORS, 20 -> 30 (cutoff 32: improved), verbal
    for s, (day, o, r) in enumerate([(3, 20, 33), (10, 24, 36), (38, 30, 39)], 1):
        rows += _session("D", "T2", s, day, o, r, measure="CORS", age="child", fmt="verbal")
    # E: adult, one session, still open
    rows += _session("E", "T2", 1, 40, 12, 37, status="open")
    return coerce_canonical(pd.DataFrame(rows))


@pytest.fixture(scope="module")
def sample():
    return srs.load_sample()


# --------------------------------------------------------------------------- by hand
def test_counts_and_alliance_shares_by_hand(small):
    t = caseload_summary(small, settings=QUIET).set_index("clinician_id")
    assert t.loc["T1", "n_clients"] == 3 and t.loc["T2", "n_clients"] == 2
    assert (t.loc["T1", "n_clients_adult"], t.loc["T1", "n_clients_adolescent"]) == (2, 1)
    assert (t.loc["T2", "n_clients_child"], t.loc["T2", "n_clients_adult"]) == (1, 1)
    assert t.loc["T1", "n_sessions"] == 8 and t.loc["T2", "n_sessions"] == 4
    # T1 SRS: 35, 38, 40, 39, 39.5, 30, 40: below 36 twice, at or above 39 four times
    assert (t.loc["T1", "n_srs"], t.loc["T1", "n_srs_below_cutoff"],
            t.loc["T1", "n_srs_at_ceiling"]) == (7, 2, 4)
    assert t.loc["T1", "share_srs_below_cutoff"] == pytest.approx(2 / 7)
    # completion: 8 T1 sessions with an ORS, 7 with an SRS
    assert t.loc["T1", "share_srs_completion"] == pytest.approx(7 / 8)
    assert t.loc["T2", "share_srs_completion"] == 1.0


def test_outcomes_of_closed_episodes_by_hand(small):
    t = caseload_summary(small, settings=QUIET).set_index("clinician_id")
    # T1: A +7 (improvement), B -6 (deterioration), C +1 (none); E is open, so T2 has D only
    assert (t.loc["T1", "n_change"], t.loc["T1", "n_reliable_improvement"],
            t.loc["T1", "n_reliable_deterioration"]) == (3, 1, 1)
    assert t.loc["T2", "n_outcome_episodes"] == 1
    # clinical intakes: A (15 < 25), B (20 < 25); C (30, adolescent cutoff 28) is not
    assert t.loc["T1", "n_clinical_change"] == 2 and t.loc["T1", "n_recovered"] == 0
    # dropouts: B and C ended unplanned without reliable improvement
    assert (t.loc["T1", "n_closed"], t.loc["T1", "n_dropout"]) == (3, 2)
    assert t.loc["T1", "mean_sessions"] == pytest.approx((3 + 3 + 2) / 3)
    assert t.loc["T1", "mean_days"] == pytest.approx((35 + 35 + 7) / 3)
    assert t.loc["T1", "intake_ors_adult"] == pytest.approx((15 + 20) / 2)
    assert t.loc["T1", "intake_srs"] == pytest.approx((35 + 39 + 40) / 3)
    every = caseload_summary(small, by=(), episodes="all", settings=QUIET)
    assert every["n_outcome_clients"].item() == 5  # E counts with "all"


def test_effect_sizes_against_numpy_and_scipy(small):
    """ES = mean change / SD of the intake severity of every case with a change; SAES from
    the least-squares line of change on severity over the clinical-range cases."""
    sev = {"A": 15 - 25, "B": 20 - 25, "C": 30 - 28, "D": 20 - 32}
    change = {"A": 7.0, "B": -6.0, "C": 1.0, "D": 10.0}
    sd = np.std(list(sev.values()), ddof=1)
    cases = ["A", "B", "D"]  # clinical range
    x, y = np.array([sev[c] for c in cases]), np.array([change[c] for c in cases])
    slope, intercept = np.polyfit(x, y, 1)
    adjusted = dict(zip(cases, y - (intercept + slope * x) + y.mean()))
    t = caseload_summary(small, settings=QUIET).set_index("clinician_id")
    t1 = [change["A"], change["B"]]
    assert t.loc["T1", "n_es"] == 2
    assert t.loc["T1", "effect_size"] == pytest.approx(np.mean(t1) / sd)
    ci = stats.ttest_1samp(t1, 0).confidence_interval(0.95)
    assert t.loc["T1", "effect_size_low"] == pytest.approx(ci.low / sd)
    assert t.loc["T1", "effect_size_high"] == pytest.approx(ci.high / sd)
    a1 = [adjusted["A"], adjusted["B"]]
    assert t.loc["T1", "severity_adjusted_es"] == pytest.approx(np.mean(a1) / sd)
    ci = stats.ttest_1samp(a1, 0).confidence_interval(0.95)
    assert t.loc["T1", "severity_adjusted_es_high"] == pytest.approx(ci.high / sd)
    # one case: an effect size, no interval
    assert t.loc["T2", "effect_size"] == pytest.approx(10 / sd)
    assert np.isnan(t.loc["T2", "effect_size_low"])
    # over every case, the adjusted mean is the mean change: SAES = ES for the service
    whole = caseload_summary(small, by=(), settings=QUIET).iloc[0]
    assert whole["severity_adjusted_es"] == pytest.approx(whole["effect_size"])


def test_wilson_intervals_reproduce_newcombe_1998_and_statsmodels():
    """Newcombe (1998), Statistics in Medicine 17, 857-872, Table I, method 3 (Wilson);
    and statsmodels' proportion_confint(method="wilson") on other counts."""
    from statsmodels.stats.proportion import proportion_confint

    low, high = _effects.wilson([81, 15, 0, 1], [263, 148, 20, 29])
    assert np.round(low, 4).tolist() == [0.2553, 0.0624, 0.0, 0.0061]
    assert np.round(high, 4).tolist() == [0.3662, 0.1605, 0.1611, 0.1718]
    k, n = np.array([0, 3, 17, 50, 99]), np.array([5, 7, 40, 50, 1000])
    for level in (0.9, 0.95, 0.99):
        want = proportion_confint(k, n, alpha=1 - level, method="wilson")
        got = _effects.wilson(k, n, level)
        assert np.allclose(got, want)
    assert np.isnan(_effects.wilson([0], [0])).all()


def test_a_period_counts_its_sessions_and_the_episodes_closed_in_it(small):
    jan = caseload_summary(small, by=(), start="2026-01-01", end="2026-01-31",
                           settings=QUIET).iloc[0]
    # January: days 0-26 from 5 Jan; A, B, D end in February, C in January
    assert jan["n_client_sessions"] == 8
    assert jan["n_outcome_clients"] == 1 and jan["n_dropout"] == 1
    feb = caseload_summary(small, by=(), start="2026-02-01", settings=QUIET).iloc[0]
    assert feb["n_client_sessions"] == 4 and feb["n_outcome_clients"] == 3
    assert feb["n_new_episodes"] == 1  # E
    with pytest.raises(ValueError, match="start .* is after end"):
        caseload_summary(small, start="2026-03-01", end="2026-01-01")
    with pytest.raises(ValueError, match="need session dates"):
        srs_completion(small.drop(columns="session_date"), start="2026-01-01")


def test_edge_cases_give_tables_not_errors(small):
    from srs_analytics.schema import empty_canonical

    empty = caseload_summary(empty_canonical(), by=(), settings=QUIET)
    assert len(empty) == 1 and empty["n_clients"].item() == 0
    assert len(caseload_summary(empty_canonical(), settings=QUIET)) == 0
    alliance_only = small[small["measure"] == "SRS"]
    t = caseload_summary(alliance_only, by=(), episodes="all", settings=QUIET)
    assert t["n_srs"].item() == 8 and t["n_change"].item() == 0  # D rates the CSRS
    undated = caseload_summary(small.drop(columns="session_date"), by=(), settings=QUIET)
    assert undated["n_client_sessions"].item() == 12
    no_clinician = clinician_comparison(small.drop(columns="clinician_id"))
    assert len(no_clinician) == 0


def test_groupings_and_the_names_the_caller_passed(small):
    t = caseload_summary(small, by="setting,format", settings=QUIET)
    assert list(t.columns[:2]) == ["setting", "format"]
    assert set(zip(t["setting"], t["format"])) == {("in_person", "paper"),
                                                    ("telehealth", "paper"),
                                                    ("in_person", "verbal")}
    renamed = small.rename(columns={"clinician_id": "therapist", "total": "score"})
    r = caseload_summary(renamed, clinician="therapist", total="score", settings=QUIET)
    assert "therapist" in r.columns and r["n_clients"].tolist() == [3, 2]
    with pytest.raises(ValueError, match="by must be one of"):
        caseload_summary(small, by="clinic")
    with pytest.raises(ValueError, match="data lacks the column"):
        caseload_summary(small.drop(columns="rater"))


def test_service_types(sample):
    t = caseload_summary(sample, by="service_type", episodes="all", settings=QUIET)
    counts = dict(zip(t["service_type"], t["n_episodes"]))
    assert set(counts) == {"individual", "couple", "family", "group"}
    episodes = sample.groupby("episode_id")["client_id"].nunique()
    assert counts["couple"] + counts["family"] == (episodes > 1).sum()
    assert counts["group"] == sample.loc[sample["measure"] == "GSRS", "episode_id"].nunique()


# --------------------------------------------------------------------------- the sample
@pytest.fixture(scope="module")
def by_clinician(sample):
    return caseload_summary(sample)


def test_parts_add_up_to_the_whole(sample, by_clinician):
    whole = caseload_summary(sample, by=()).iloc[0]
    for col in ("n_client_sessions", "n_srs", "n_srs_below_cutoff", "n_ors_sessions",
                "n_sessions_with_alert", "n_outcome_clients", "n_dropout", "n_es"):
        assert by_clinician[col].sum() == whole[col], col
    ages = [c for c in by_clinician.columns if c.startswith("n_clients_")]
    assert (by_clinician[ages].sum(axis=1) >= by_clinician["n_clients"]).all()
    assert whole[ages].sum() == whole["n_clients"] == sample["client_id"].nunique()


def test_the_alert_share_counts_sessions_with_a_warning_or_worse(sample, by_clinician):
    fired = srs.alerts(sample, min_severity="warning")
    hit = fired.drop_duplicates(["client_id", "episode_id", "session_number"])
    assert by_clinician["n_sessions_with_alert"].sum() == len(hit)
    assert by_clinician["share_sessions_with_alert"].between(0, 1).all()


def test_shares_lie_in_their_intervals(by_clinician):
    for col in [c for c in by_clinician.columns if c.startswith("share_")
                and not c.endswith(("_low", "_high"))]:
        ok = by_clinician[col].isna() | (
            (by_clinician[f"{col}_low"] <= by_clinician[col] + 1e-12)
            & (by_clinician[col] <= by_clinician[f"{col}_high"] + 1e-12))
        assert ok.all(), col


def test_settings_are_checked():
    with pytest.raises(ValueError, match="episodes must be one of"):
        CaseloadSettings(episodes="open")
    with pytest.raises(ValueError, match="min_cases must be an integer"):
        CaseloadSettings(min_cases=0)
    with pytest.raises(ValueError, match="alert_severity must be one of"):
        CaseloadSettings(alert_severity="high")


# --------------------------------------------------------------------------- completion
def test_srs_completion_by_hand_and_young_children_left_out(small):
    t = srs_completion(small, by="clinician").set_index("clinician_id")
    assert (t.loc["T1", "n_ors_sessions"], t.loc["T1", "n_ors_sessions_with_srs"]) == (8, 7)
    young = small[small["client_id"] == "E"].assign(
        client_id="Y", episode_id="EY", measure="YCORS", total=2.0, clinician_id="T2")
    young = coerce_canonical(pd.concat([small, young[young["measure"] == "YCORS"]]))
    assert srs_completion(young, by="clinician")["n_ors_sessions"].tolist() == [8, 4]


def test_the_completion_trend_is_scipys_regression_of_the_monthly_shares(sample):
    monthly = srs_completion(sample, by="clinician,month")
    trend = completion_trend(sample).set_index("clinician_id")
    for clinician, rows in monthly.groupby("clinician_id"):
        x = (rows["month"].dt.year * 12 + rows["month"].dt.month).to_numpy(float)
        fit = stats.linregress(x, rows["share_srs_completion"])
        half = stats.t.ppf(0.975, len(x) - 2) * fit.stderr
        got = trend.loc[clinician]
        assert got["completion_slope"] == pytest.approx(fit.slope)
        assert got["completion_slope_low"] == pytest.approx(fit.slope - half)
        assert got["n_months"] == len(x)
    with pytest.raises(ValueError, match="month"):
        completion_trend(sample, by="month")


# --------------------------------------------------------------------------- comparison
@pytest.fixture(scope="module")
def bigger():
    return srs.simulate(900, seed=21)


def test_the_comparison_shows_only_clinicians_with_enough_cases(bigger):
    t = clinician_comparison(bigger, settings=CaseloadSettings(min_cases=30))
    assert t["clinician_id"].tolist() == sorted(t["clinician_id"])  # never by result
    assert (t["shown"] == (t["n_es"] >= 30)).all()
    hidden = t[~t["shown"]]
    assert hidden[["effect_size", "shrunk_es", "severity_adjusted_es_low"]].isna().all().all()
    assert (hidden["compared_with_service"] == "too few cases").all()
    shown = t[t["shown"]]
    assert len(shown) >= 4
    # shrinkage: every estimate moves towards the service's mean, never past it
    gap_raw = (shown["severity_adjusted_es"] - shown["service_es"]).abs()
    gap_shrunk = (shown["shrunk_es"] - shown["service_es"]).abs()
    assert (gap_shrunk <= gap_raw + 0.05).all()
    assert ((shown["shrunk_es_low"] < shown["shrunk_es"])
            & (shown["shrunk_es"] < shown["shrunk_es_high"])).all()


def test_shrunk_estimates_are_the_textbook_blup_of_statsmodels_variance_components(rng):
    """u_j = n_j tau^2 / (n_j tau^2 + sigma^2) (mean_j - mu), with tau^2, sigma^2 and mu
    from statsmodels' own REML fit of the same random-intercept model."""
    import statsmodels.formula.api as smf

    sizes, effects = [4, 10, 25, 40], [-3.0, 1.0, 2.0, 0.0]
    frame = pd.DataFrame({
        "clinician_id": np.repeat(["T1", "T2", "T3", "T4"], sizes),
        "adjusted_change": np.concatenate([rng.normal(6 + e, 5, n)
                                           for e, n in zip(effects, sizes)])})
    got = _shrunk(frame, 0.95).set_index("clinician_id")
    fit = smf.mixedlm("adjusted_change ~ 1", frame, groups=frame["clinician_id"]).fit(
        reml=True)
    mu, tau2, sigma2 = fit.fe_params.iloc[0], fit.cov_re.iloc[0, 0], fit.scale
    for clinician, rows in frame.groupby("clinician_id"):
        n = len(rows)
        blup = mu + n * tau2 / (n * tau2 + sigma2) * (rows["adjusted_change"].mean() - mu)
        assert got.loc[clinician, "shrunk_es"] == pytest.approx(blup, abs=1e-3)


# --------------------------------------------------------------------------- small cells
def test_small_counts_are_shown_as_less_than_k_and_their_rates_withheld():
    t = pd.DataFrame({"clinician_id": ["T1", "T2", "T3"], "n_change": [40, 12, 3],
                      "n_reliable_improvement": [22, 3, 2],
                      "share_reliable_improvement": [0.55, 0.25, 2 / 3],
                      "share_reliable_improvement_low": [0.4, 0.1, 0.2],
                      "n_es": [30, 10, 2], "effect_size": [0.8, 0.5, 1.1],
                      "other_figure": [1.0, 2.0, 3.0]})
    out = suppress_small_cells(t)
    assert out["n_reliable_improvement"].tolist() == ["22", "<5", "<5"]
    assert out["n_change"].tolist() == ["40", "12", "<5"]
    assert out["share_reliable_improvement"].tolist()[0] == 0.55
    assert out["share_reliable_improvement"].isna().tolist() == [False, True, True]
    assert out["share_reliable_improvement_low"].isna().tolist() == [False, True, True]
    assert out["effect_size"].isna().tolist() == [False, False, True]
    # a figure the table does not declare is withheld wherever a count of its row is small
    assert out["other_figure"].isna().tolist() == [False, True, True]
    assert out["clinician_id"].tolist() == ["T1", "T2", "T3"]
    assert suppress_small_cells(t, 2)["n_reliable_improvement"].tolist() == ["22", "3", "2"]
    with pytest.raises(ValueError, match="k must be an integer"):
        suppress_small_cells(t, 0)


def test_a_lone_small_part_is_protected_from_subtraction():
    t = pd.DataFrame({"n_clients": [30, 30], "n_clients_adult": [20, 22],
                      "n_clients_adolescent": [6, 2], "n_clients_child": [3, 6],
                      "n_clients_young_child": [1, 0], "n_clients_unknown_age": [0, 0]})
    out = suppress_small_cells(t)
    # row 0: three parts are small already; row 1: 2 and 0 are small, nothing to add
    assert out.iloc[0].tolist() == ["30", "20", "6", "<5", "<5", "<5"]
    lone = pd.DataFrame({"n_clients": [30], "n_clients_adult": [20],
                         "n_clients_adolescent": [6], "n_clients_child": [7],
                         "n_clients_young_child": [3], "n_clients_unknown_age": [5]})
    # the young child count (3) alone is small: the next smallest part (5) goes too
    got = suppress_small_cells(lone).iloc[0].tolist()
    assert got == ["30", "20", "6", "7", "<5", "<5"]


def test_the_summary_suppressed_keeps_its_groups_and_hides_what_follows_from_small_counts(
        by_clinician):
    out = suppress_small_cells(by_clinician)
    assert out["clinician_id"].tolist() == by_clinician["clinician_id"].tolist()
    small = by_clinician["n_reliable_deterioration"] < 5
    assert (out.loc[small, "n_reliable_deterioration"] == "<5").all()
    assert out.loc[small, "share_reliable_deterioration"].isna().all()
    big = by_clinician["n_srs"] >= 5
    assert out.loc[big, "share_srs_at_ceiling"].notna().all()
    assert set(DERIVED_FROM) >= {c for c in by_clinician.columns
                                 if c.startswith(("share_", "mean_", "intake_"))
                                 and not c.endswith(("_low", "_high"))}


# --------------------------------------------------------------------------- attention
def test_the_attention_counts_are_those_of_the_attention_list(sample):
    from srs_analytics.caseload import attention_summary

    t = attention_summary(sample).set_index("clinician_id")
    listed = srs.attention(sample)
    eps = srs.open_episodes(sample)
    assert t["n_attention"].sum() == len(listed)
    assert t["n_open"].sum() == eps["open"].sum()
    for clinician, rows in listed.groupby("clinician_id"):
        assert t.loc[clinician, "n_attention"] == len(rows)
        assert t.loc[clinician, "n_critical"] == (rows["severity"] == "critical").sum()
        assert t.loc[clinician, "median_days_since"] == rows["days_since"].median()
        mine = srs.attention(sample, clinicians=clinician)
        assert len(mine) == len(rows)
    whole = attention_summary(sample, by=()).iloc[0]
    assert whole["n_attention"] == len(listed)
    assert whole["share_attention"] == pytest.approx(len(listed) / eps["open"].sum())
    with pytest.raises(ValueError, match="by must be one of 'clinician'"):
        attention_summary(sample, by="site")


def test_the_outcome_categories_split_the_changes(small, by_clinician):
    cats = [f"n_outcome_{c}" for c in srs.outcomes.OUTCOME_CATEGORIES]
    assert (by_clinician[cats].sum(axis=1) == by_clinician["n_change"]).all()
    assert (by_clinician["n_outcome_recovered"] == by_clinician["n_recovered"]).all()
    t = caseload_summary(small, settings=QUIET).set_index("clinician_id")
    # T1: A improved (15 -> 22, below 25 at the end), B deteriorated, C unchanged
    assert t.loc["T1", cats].tolist() == [0, 1, 1, 1, 0]


def test_the_alert_share_of_a_period_sees_the_history_before_it(sample):
    june = caseload_summary(sample, by=(), start="2025-06-01", end="2025-06-30").iloc[0]
    upto = sample[sample["session_date"] <= "2025-06-30"]
    fired = srs.alerts(upto, min_severity="warning")
    fired = fired[fired["session_date"] >= "2025-06-01"]
    assert june["n_sessions_with_alert"] == len(
        fired.drop_duplicates(["client_id", "episode_id", "session_number"]))
    assert june["n_sessions_with_alert"] > 0


def test_no_variance_between_clinicians_shrinks_every_clinician_to_the_service():
    """A boundary fit (between-clinician variance 0): statsmodels refuses to predict the
    random effects, and the best estimate of each clinician is the service mean."""
    rng = np.random.default_rng(3)
    cases = pd.DataFrame({"clinician_id": np.repeat(["A", "B", "C"], 20),
                          "adjusted_change": np.tile(rng.normal(5, 4, 20), 3)})
    got = _shrunk(cases, 0.95)
    assert got["clinician_id"].tolist() == ["A", "B", "C"]
    assert np.allclose(got["shrunk_es"], cases["adjusted_change"].mean())
    assert (got["shrunk_es_high"] > got["shrunk_es"]).all()


# --------------------------------------------------------------------------- in parts
def _units(data):
    """The unit of each row: the connected components of the graph linking each client to
    its episodes and groups (a couple, a family, a group is one unit)."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    c = pd.factorize(data["client_id"])[0]
    e = pd.factorize(data["episode_id"])[0]
    g = pd.factorize(data["group_id"])[0]  # -1: no group
    n_c, n_e, n_g = c.max() + 1, e.max() + 1, g.max() + 1
    grouped = g >= 0
    rows = np.r_[c, c[grouped]]
    cols = np.r_[n_c + e, n_c + n_e + g[grouped]]
    n = n_c + n_e + n_g
    graph = coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n))
    return connected_components(graph, directed=False)[1][c]


def _split(data, k=3, seed=0):
    """``data`` in ``k`` partitions of whole units, and an empty one."""
    units = _units(data)
    label = np.random.default_rng(seed).integers(0, k, units.max() + 1)[units]
    return [data[label == i] for i in range(k)] + [data.iloc[:0]]


@pytest.fixture(scope="module")
def shared():
    """A simulated caseload with couples, families and groups, some clients without a
    clinician (a missing group key)."""
    data = srs.simulate(300, seed=7)
    lost = data["client_id"].isin(data["client_id"].drop_duplicates().iloc[::25])
    data.loc[lost, "clinician_id"] = np.nan
    return data


def test_the_split_keeps_couples_families_and_groups_whole(sample, shared):
    for data in (sample, shared):
        parts = _split(data)
        assert sum(len(p) for p in parts) == len(data) and len(parts[-1]) == 0
        where = pd.concat([p.assign(_part=i) for i, p in enumerate(parts)])
        for col in ("client_id", "episode_id", "group_id"):
            assert (where.groupby(col)["_part"].nunique() == 1).all(), col
        together = data.groupby("episode_id")["client_id"].nunique()
        assert (together > 1).any() and data["group_id"].notna().any()
        assert all(p["client_id"].nunique() > 10 for p in parts[:3])


CASES = {
    "clinician": dict(by="clinician"),
    "clinician-month": dict(by=("clinician", "month"), settings=QUIET),
    "none": dict(by=(), settings=QUIET),
    "period": dict(by="clinician", start="2025-04-01", end="2025-09-30", settings=QUIET),
    "period-none": dict(by=(), start="2025-04-01", end="2025-09-30"),
    "all": dict(by=("clinician", "month"), settings=CaseloadSettings(
        episodes="all", alert_severity=None)),
    "all-period": dict(by="site,service_type", start="2025-06-01", end="2025-08-31",
                       settings=CaseloadSettings(episodes="all", alert_severity=None)),
}


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("which", ["sample", "shared"])
def test_the_table_of_the_parts_of_a_split_is_the_summary(which, case, request):
    data = request.getfixturevalue(which)
    kw = CASES[case]
    model = srs.fit_expected(data)  # on all the data, as an engine must pass it
    whole = caseload_summary(data, model=model, **kw)
    parts = [srs.caseload_parts(p, model=model, **kw) for p in _split(data)]
    # one schema whatever the partition holds, the empty one included
    assert len(parts[-1]) == 0
    for p in parts[1:]:
        pd.testing.assert_series_equal(p.dtypes, parts[0].dtypes)
    got = srs.caseload_table(pd.concat(parts[::-1], ignore_index=True), by=kw["by"],
                             settings=kw.get("settings"))
    pd.testing.assert_frame_equal(got, whole, check_exact=False, rtol=1e-12)
    counts = [c for c in whole.columns if c.startswith("n_")]
    pd.testing.assert_frame_equal(got[counts], whole[counts], check_exact=True)
    assert len(whole) > 0 and whole["n_es"].sum() > 0


def test_the_summary_is_the_table_of_its_one_part(sample):
    parts = srs.caseload_parts(sample, by="site", settings=QUIET)
    assert list(parts.columns[:2]) == ["part", "site"]
    assert set(parts["part"]) == {"sessions", "episodes"}
    assert parts.dtypes["n_clients"] == "Int64" and parts.dtypes["scored"] == "boolean"
    got = srs.caseload_table(parts, by="site", settings=QUIET)
    pd.testing.assert_frame_equal(got, caseload_summary(sample, by="site", settings=QUIET),
                                  check_exact=True)


def test_an_empty_partition_gives_the_columns_and_no_rows(sample):
    kw = dict(by=("clinician", "month"), start="2025-01-01", end="2025-06-30")
    empty = srs.caseload_parts(sample.iloc[:0], **kw)
    full = srs.caseload_parts(sample, **kw)
    assert len(empty) == 0
    pd.testing.assert_series_equal(empty.dtypes, full.dtypes)
    assert "n_sessions_with_alert" in full.columns
    assert "n_sessions_with_alert" not in srs.caseload_parts(sample.iloc[:0],
                                                             settings=QUIET).columns


def test_parts_refuse_a_norm_taken_from_one_partition(sample):
    jt = CaseloadSettings(alert_severity=None, outcome=srs.OutcomeSettings(method="jt"))
    with pytest.raises(ValueError, match="sd_intake"):
        srs.caseload_parts(sample, settings=jt)
    given = CaseloadSettings(alert_severity=None,
                             outcome=srs.OutcomeSettings(method="jt", sd_intake=7.0))
    assert len(srs.caseload_parts(sample, settings=given)) > 0
    with pytest.raises(ValueError, match="it lacks"):
        srs.caseload_table(srs.caseload_parts(sample, settings=QUIET), settings=None)
