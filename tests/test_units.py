"""Units: clients linked by a shared episode or group stay together. Synthetic data."""

from __future__ import annotations

import numpy as np
import pandas as pd

import srs_analytics as srs
from srs_analytics.units import unit_of_client, units


def test_links_through_episodes_and_groups_chain():
    df = pd.DataFrame({"client_id": ["A", "B", "B", "C", "D", "E", None],
                       "episode_id": ["E1", "E1", "E2", "E3", "E4", "E5", "E6"],
                       "group_id": [None, None, "G1", "G1", None, None, None]})
    u = units(df).set_index("client_id")
    assert u.loc["A", "unit"] == u.loc["B", "unit"] == u.loc["C", "unit"]  # A-B-(G1)-C
    assert len({u.loc["A", "unit"], u.loc["D", "unit"], u.loc["E", "unit"]}) == 3
    assert u.loc["A", "n_clients"] == 3 and u.loc["D", "n_clients"] == 1
    assert len(u) == 5  # the row without a client belongs to no unit
    assert unit_of_client(df, units(df), buckets=2).tolist()[-1] == 0


def test_every_couple_and_group_is_within_one_unit():
    data = srs.simulate(800, seed=5)
    table = units(data[["client_id", "episode_id", "group_id"]].drop_duplicates())
    unit = unit_of_client(data, table)
    for col in ("episode_id", "group_id"):
        per = pd.Series(unit).groupby(data[col].to_numpy()).nunique()
        assert (per == 1).all(), col
    assert pd.Series(unit).groupby(data["client_id"].to_numpy()).nunique().max() == 1
    # couples and groups exist in the simulation, so some units hold several clients
    assert table["n_clients"].max() > 1 and (table["n_clients"] == 1).any()


def test_numbering_does_not_depend_on_row_order(rng):
    data = srs.load_sample()
    links = data[["client_id", "episode_id", "group_id"]]
    shuffled = links.iloc[rng.permutation(len(links))]
    pd.testing.assert_frame_equal(units(links), units(shuffled))
    assert np.array_equal(np.sort(units(links)["unit"].unique()),
                          np.arange(units(links)["unit"].nunique()))
