"""One row per client and episode: outcome, alliance and expected response side by side.

The clinician's and the director's overview of a caseload. It joins
:func:`srs_analytics.outcomes.client_outcomes`,
:func:`srs_analytics.alliance.client_alliance` and the latest
:func:`srs_analytics.expected.expected_status` of each client's episode; it computes
nothing of its own beyond the join.
"""

from __future__ import annotations

import pandas as pd

from .alliance import AllianceSettings, client_alliance
from .expected import ExpectedResponse, ExpectedSettings, expected_status
from .outcomes import OutcomeSettings, client_outcomes

__all__ = ["CLIENT_COLUMNS", "client_table"]

#: The first columns of :func:`client_table`, in order; they are an interface (the CLI's
#: ``clients`` command writes them).
CLIENT_COLUMNS = [
    "client_id", "episode_id", "clinician_id", "age_group", "episode_status", "measure",
    "n_sessions", "first_date", "last_date", "n_days", "cutoff", "rci", "ors_intake",
    "ors_last", "ors_change", "reliable_change", "outcome", "intake_clinical",
    "alliance_measure", "n_srs", "srs_first", "srs_last", "srs_mean", "srs_min", "srs_slope",
    "early_change", "share_below_cutoff", "share_at_ceiling", "lowest_item",
    "lowest_item_mean", "alliance_pattern", "etr_status", "etr_session", "etr_basis",
]

_KEY = ["client_id", "episode_id"]


def client_table(data: pd.DataFrame, *, outcome: OutcomeSettings | None = None,
                 alliance: AllianceSettings | None = None,
                 expected: ExpectedResponse | None = None,
                 expected_settings: ExpectedSettings | None = None) -> pd.DataFrame:
    """Outcome, alliance and expected response per client and episode.

    Parameters
    ----------
    data : DataFrame
        The canonical table (:func:`srs_analytics.load`).
    outcome, alliance, expected_settings : settings objects, optional
        Passed to the three analyses (defaults: points method, RCI 5, age-group cutoffs;
        SRS cutoff 36, ceiling 39).
    expected : ExpectedResponse, optional
        A model fitted elsewhere (an agency's history) with
        :func:`srs_analytics.expected.fit_expected`; by default it is fitted on ``data``.

    Returns
    -------
    DataFrame
        One row per client and episode with self-rated outcome or alliance data, columns
        :data:`CLIENT_COLUMNS` then the collateral outcome columns of
        :func:`~srs_analytics.outcomes.client_outcomes`:

        - ``measure``, ``n_sessions`` ... ``intake_clinical``: the self-rated outcome
          measure of the client's age (ORS/CORS), number of its administrations, first and
          last date, days between them, the cutoff and reliable-change threshold applied,
          intake, last score, change, ``reliable_change`` (improvement / none /
          deterioration) and ``outcome`` (recovered / improved / unchanged / deteriorated /
          harmed / insufficient / not_scored);
        - ``alliance_measure`` ... ``alliance_pattern``: the self-rated SRS family
          (``n_srs`` ratings, first, last, mean, minimum, slope per session, early change,
          shares below the cutoff and at the ceiling, lowest item and its mean, pattern);
        - ``etr_status``, ``etr_session``, ``etr_basis``: the expected-response status of
          the latest outcome rating of the episode, its session number, and whether it
          came from the fitted percentiles or the fallback rule.

        Missing where the client has no rating of that kind.

    Examples
    --------
    >>> from srs_analytics import simulate
    >>> table = client_table(simulate(40, seed=2))
    >>> list(table.columns[:3])
    ['client_id', 'episode_id', 'clinician_id']
    >>> bool(table[["client_id", "episode_id"]].duplicated().any())
    False
    """
    out = client_outcomes(data, settings=outcome).rename(columns={"clinician_id": "_clin_o"})
    ally = client_alliance(data, settings=alliance)
    ally = ally[ally["rater"].eq("self")].drop(columns=["rater"]).rename(columns={
        "measure": "alliance_measure", "n_sessions": "n_srs", "clinician_id": "_clin_a"})
    status = expected_status(data, expected, settings=expected_settings)
    status = status[status["rater"].eq("self")]
    latest = status.sort_values([*_KEY, "session_number"]).drop_duplicates(_KEY, keep="last")
    latest = latest[[*_KEY, "etr_status", "session_number", "basis"]].rename(
        columns={"session_number": "etr_session", "basis": "etr_basis"})
    table = out.merge(ally, on=_KEY, how="outer").merge(latest, on=_KEY, how="left")
    table.insert(2, "clinician_id", table.pop("_clin_o").fillna(table.pop("_clin_a")))
    rest = [c for c in table.columns if c not in CLIENT_COLUMNS]
    table = table.reindex(columns=[*CLIENT_COLUMNS, *rest])
    for c in ("n_sessions", "n_days", "n_srs", "etr_session", "collateral_n"):
        table[c] = table[c].astype("Int64")
    return table.sort_values(_KEY, ignore_index=True)
