"""One row per client and episode: outcome, alliance and expected response side by side.

The clinician's and the director's overview of a caseload. It joins
:func:`srs_analytics.outcomes.client_outcomes`,
:func:`srs_analytics.alliance.client_alliance` and the latest
:func:`srs_analytics.expected.expected_status` of each client's episode; it computes
nothing of its own beyond the join.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import pandas as pd

from . import _docstrings
from ._frames import column_map
from .alliance import AllianceSettings, client_alliance
from .couples import CoupleSettings, joint_client_columns
from .expected import ExpectedResponse, ExpectedSettings, expected_status
from .outcomes import OutcomeSettings, client_outcomes
from .schema import ITEM_COLUMNS

__all__ = ["CLIENT_COLUMNS", "ClientSettings", "client_table"]

#: The first columns of :func:`client_table`, in order; they are an interface (the CLI's
#: ``clients`` command writes them).
CLIENT_COLUMNS = (
    "client_id", "episode_id", "clinician_id", "age_group", "episode_status", "measure",
    "n_sessions", "first_date", "last_date", "n_days", "cutoff", "rci", "ors_intake",
    "ors_last", "ors_change", "reliable_change", "outcome", "intake_clinical",
    "alliance_measure", "n_srs", "srs_first", "srs_last", "srs_mean", "srs_min", "srs_slope",
    "early_change", "share_below_cutoff", "share_at_ceiling", "lowest_item",
    "lowest_item_mean", "alliance_pattern", "etr_status", "etr_session", "etr_basis",
)
_GROUP_MEASURES = ("GSRS", "CGSRS")
# the columns of CLIENT_COLUMNS that take the name of a column parameter
_RENAMED = {"client_id": "client", "episode_id": "episode", "clinician_id": "clinician",
            "age_group": "age_group", "episode_status": "status", "measure": "measure"}


@dataclass(frozen=True)
class ClientSettings:
    """The settings of the three analyses :func:`client_table` joins.

    Attributes
    ----------
    outcome : OutcomeSettings
        Reliable change (points, 5) and the outcome cutoffs (adult ORS 25, adolescent 28,
        child CORS 32).
    alliance : AllianceSettings
        SRS cutoff 36, ceiling 39 and the other alliance thresholds.
    expected : ExpectedSettings
        Fit and fallback of the expected treatment response, when it is fitted on the data
        (a ``model`` passed to :func:`client_table` keeps its own).
    couples : CoupleSettings
        The gap trend and the consistently lowest client of clients seen together (slope
        0.5 points per session, 3 joint sessions, three quarters); the cutoff is
        ``alliance``'s.

    Examples
    --------
    >>> ClientSettings(outcome=OutcomeSettings(method="jt", cutoff="c")).outcome.method
    'jt'
    """

    outcome: OutcomeSettings = OutcomeSettings()
    alliance: AllianceSettings = AllianceSettings()
    expected: ExpectedSettings = ExpectedSettings()
    couples: CoupleSettings = CoupleSettings()

    def __post_init__(self):
        for name, kind in (("outcome", OutcomeSettings), ("alliance", AllianceSettings),
                           ("expected", ExpectedSettings), ("couples", CoupleSettings)):
            if not isinstance(getattr(self, name), kind):
                raise TypeError(f"{name} must be {kind.__name__}; got "
                                f"{type(getattr(self, name)).__name__}")


@_docstrings.fill
def client_table(
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
    status: str = "episode_status",
    settings: ClientSettings | None = None,
    model: ExpectedResponse | None = None,
) -> pd.DataFrame:
    """Outcome, alliance and expected response per client and episode.

    Parameters
    ----------
    {data}
    {columns}
        ``clinician``, ``date``, ``age_group``, ``status`` and the items may be absent.
    settings : ClientSettings, optional
        The settings of the outcome, alliance and expected-response analyses (defaults:
        points method, RCI 5, age-group cutoffs; SRS cutoff 36, ceiling 39).
    {model}

    Returns
    -------
    pandas.DataFrame
        One row per client and episode with self-rated outcome or alliance data, or with
        collateral outcome ratings only (a child rated by a parent: the self columns
        empty), sorted by client and episode, columns :data:`CLIENT_COLUMNS` (the identity
        columns take the names passed in) then ``rci_basis`` and the collateral outcome
        columns of :func:`~srs_analytics.outcomes.client_outcomes`:

        - ``measure``, ``n_sessions`` ... ``intake_clinical``: the self-rated outcome
          measure of the client's age (ORS/CORS), number of its administrations, first and
          last date, days between them, the cutoff and reliable-change threshold applied,
          intake, last score, change, ``reliable_change`` (improvement / none /
          deterioration) and ``outcome`` (recovered / improved / unchanged / deteriorated /
          harmed / insufficient / not_scored);
        - ``alliance_measure`` ... ``alliance_pattern``: the self-rated SRS family
          (``n_srs`` ratings, first, last, mean, minimum, slope per session, early change,
          shares below the cutoff and at the ceiling, lowest item and its mean, pattern)
          of one measure: each alliance measure is its own series, and where a client has
          several in the episode (an individual SRS and a group GSRS), the one rated most
          often, an individual measure before a group's on a tie;
        - ``etr_status``, ``etr_session``, ``etr_basis``: the expected-response status of
          the latest outcome rating of the episode, its session number, and whether it
          came from the fitted percentiles or the fallback rule;
        - after the collateral columns, for clients seen with others (a couple, a family:
          :func:`~srs_analytics.couples.couple_episodes`, SRS family), the episode's
          ``n_joint_sessions`` (Int64), ``split_share`` (the share of joint sessions with
          the alliance split across 36), ``gap_slope`` (points per session) and
          ``gap_trend`` (widening, narrowing, stable or insufficient), and
          ``consistently_lowest`` (boolean: this client was alone lowest in at least three
          quarters of 3 or more joint sessions); NA for clients seen alone.

        Missing where the client has no rating of that kind.

    Examples
    --------
    >>> from srs_analytics import load_sample
    >>> table = client_table(load_sample())
    >>> len(table), list(table.columns[:3])
    (300, ['client_id', 'episode_id', 'clinician_id'])
    >>> table["outcome"].value_counts().to_dict()  # doctest: +NORMALIZE_WHITESPACE
    {'unchanged': 94, 'recovered': 75, 'improved': 63, 'insufficient': 39, 'deteriorated': 13,
     'not_scored': 10, 'harmed': 6}
    """
    s = settings or ClientSettings()
    cols = column_map(client=client, episode=episode, clinician=clinician, session=session,
                      date=date, measure=measure, rater=rater, total=total)
    key = [client, episode]
    out = client_outcomes(data, **cols, age_group=age_group, status=status,
                          settings=s.outcome)
    ally = client_alliance(data, **cols, items=items, imputed=imputed, settings=s.alliance)
    ally = ally[ally[rater].eq("self")].drop(columns=[rater]).rename(columns={
        measure: "alliance_measure", "n_sessions": "n_srs", clinician: "_clin_a"})
    # one alliance measure per episode: the most rated, an individual one before a group's
    group = ally["alliance_measure"].isin(_GROUP_MEASURES).to_numpy()
    ally = ally.assign(_group=group).sort_values(
        [*key, "n_srs", "_group", "alliance_measure"], ascending=[True, True, False, True, True],
        kind="stable").drop_duplicates(key).drop(columns="_group")
    etr = expected_status(data, **cols, age_group=age_group, model=model, settings=s.expected)
    etr = etr[etr[rater].eq("self")]
    latest = etr.sort_values([*key, session]).drop_duplicates(key, keep="last")
    latest = latest[[*key, "etr_status", session, "basis"]].rename(
        columns={session: "etr_session", "basis": "etr_basis"})
    table = out.rename(columns={clinician: "_clin_o"}).merge(ally, on=key, how="outer")
    table = table.merge(latest, on=key, how="left")
    table.insert(2, clinician, table.pop("_clin_o").fillna(table.pop("_clin_a")))
    names = {"client": client, "episode": episode, "clinician": clinician,
             "age_group": age_group, "status": status, "measure": measure}
    first = [names[_RENAMED[c]] if c in _RENAMED else c for c in CLIENT_COLUMNS]
    table = table.reindex(columns=[*first, *(c for c in table.columns if c not in first)])
    for c in ("n_sessions", "n_days", "n_srs", "etr_session", "collateral_n"):
        table[c] = table[c].astype("Int64")
    for c in ("all_at_ceiling", "no_variation"):  # missing for an episode without an SRS
        table[c] = table[c].astype("boolean")
    table["alliance_measure"] = table["alliance_measure"].astype("str")
    joint = joint_client_columns(data, column_map(
        **cols, items=items, imputed=imputed, age_group=age_group),
        replace(s.couples, alliance=s.alliance, outcome=s.outcome))
    table = table.merge(joint, on=key, how="left")
    return table.sort_values(key, ignore_index=True)
