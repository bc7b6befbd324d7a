"""Units of analysis: the clients whose rows must be analysed together.

Most of what the package computes reads one client's rows at a time (an episode's
outcome, its alliance pattern, its alerts). Some reads several clients at once: the
partners of a couple or the members of a family share an ``episode_id`` and their ratings
are compared session by session; the members of a group share a ``group_id`` and each is
compared with the others. A *unit* is the smallest set of clients that no such analysis
crosses: clients linked by a shared episode or group, directly or through others, are one
unit (the connected components of the graph whose edges are those links).

An engine that splits the data (Dask, Spark: :mod:`srs_analytics.engines`) keeps every
unit whole in one partition, and every analysis then runs on each partition as it runs on
the whole table.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

__all__ = ["unit_of_client", "units"]

#: The columns that link clients into units.
LINKS = ("episode_id", "group_id")


def units(data: pd.DataFrame, *, client: str = "client_id",
          links: tuple[str, ...] = LINKS) -> pd.DataFrame:
    """The unit of every client: clients linked through a shared episode or group.

    Parameters
    ----------
    data : DataFrame
        The canonical table, or only its ``client`` and ``links`` columns (what a
        distributed engine collects: their distinct combinations). Rows without a client
        belong to no unit.
    client : str
        The client column.
    links : tuple of str
        Columns whose shared values link clients (absent columns are ignored; a missing
        value links nothing).

    Returns
    -------
    DataFrame
        One row per client: ``client_id`` (as in ``data``, named by ``client``), ``unit``
        (int64, 0 .. number of units - 1, numbered in the order of the clients' first
        appearance after sorting) and ``n_clients`` (clients in the unit).

    Notes
    -----
    A bipartite graph of clients and link values (each episode, each group) is built as a
    sparse matrix and split into connected components
    (:func:`scipy.sparse.csgraph.connected_components`): linear in the number of distinct
    client-link pairs.

    Examples
    --------
    >>> df = pd.DataFrame({"client_id": ["A", "B", "C", "D"],
    ...                    "episode_id": ["E1", "E1", "E2", "E3"],
    ...                    "group_id": [None, None, "G1", "G1"]})
    >>> units(df)
      client_id  unit  n_clients
    0         A     0          2
    1         B     0          2
    2         C     1          2
    3         D     1          2
    """
    ids = data[client]
    clients = pd.Index(pd.unique(ids.dropna().astype("str").to_numpy(dtype=object)))
    clients = clients.sort_values()
    n = len(clients)
    rows, cols, offset = [np.arange(n)], [np.arange(n)], n
    for col in links:
        if col not in data.columns:
            continue
        pairs = data.loc[data[col].notna() & ids.notna(), [client, col]]
        if not len(pairs):
            continue
        c = clients.get_indexer(pairs[client].astype("str").to_numpy(dtype=object))
        v, uniques = pd.factorize(pairs[col].astype("str"))
        rows.append(c)
        cols.append(v + offset)
        offset += len(uniques)
    r, k = np.concatenate(rows), np.concatenate(cols)
    graph = coo_matrix((np.ones(len(r), dtype=np.int8), (r, k)), shape=(offset, offset))
    _, label = connected_components(graph, directed=False)
    label = label[:n]
    # number the units by their first client, so that the numbering does not depend on
    # how scipy happens to visit the graph
    first = pd.Series(np.arange(n)).groupby(label).transform("min").to_numpy()
    unit = pd.factorize(first, sort=True)[0].astype(np.int64)
    size = np.bincount(unit)[unit] if n else unit
    return pd.DataFrame({client: clients.to_numpy(dtype=object), "unit": unit,
                         "n_clients": size.astype(np.int64)}).astype({client: "str"})


def unit_of_client(data: pd.DataFrame, table: pd.DataFrame, *, client: str = "client_id",
                   buckets: int | None = None) -> np.ndarray:
    """The unit (or, with ``buckets``, the unit modulo ``buckets``) of each row of ``data``.

    ``table`` is what :func:`units` returned. Rows whose client is missing or not in
    ``table`` take -1 (unit) or 0 (bucket): they belong to no unit, and the loader rejects
    a row without a client.

    Examples
    --------
    >>> df = pd.DataFrame({"client_id": ["A", "B", None], "episode_id": ["E1", "E2", "E3"]})
    >>> unit_of_client(df, units(df)).tolist()
    [0, 1, -1]
    """
    where = pd.Index(table[client].to_numpy(dtype=object)).get_indexer(
        data[client].astype("str").to_numpy(dtype=object))
    unit = np.where(where >= 0, table["unit"].to_numpy()[where], -1).astype(np.int64)
    if buckets is None:
        return unit
    return np.where(unit >= 0, unit % buckets, 0).astype(np.int64)
