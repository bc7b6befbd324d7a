"""Picking one client's rows out of the canonical table, with one wording for each mistake.

The charts, the widgets and the reports all show one client's episode; they choose it
here, the same way.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._checks import require_columns


def client_rows(data: pd.DataFrame, client_id, episode_id=None, *, cols: dict
                ) -> tuple[pd.DataFrame, object]:
    """The rows of one client's episode, and that episode.

    ``cols`` maps ``client``, ``episode``, ``session`` and ``date`` to column names. Without
    ``episode_id`` the episode is the one of the client's latest row (by date, then session
    number). Raises ``ValueError`` naming what exists when the client or the episode does not.

    Examples
    --------
    >>> df = pd.DataFrame({"client_id": ["A", "A", "B"], "episode_id": ["1", "2", "3"],
    ...                    "session_number": [1, 1, 1],
    ...                    "session_date": pd.to_datetime(["2026-01-01", "2026-02-01",
    ...                                                    "2026-01-01"])})
    >>> cols = {"client": "client_id", "episode": "episode_id", "session": "session_number",
    ...         "date": "session_date"}
    >>> client_rows(df, "A", cols=cols)[1]
    '2'
    >>> client_rows(df, "Z", cols=cols)
    Traceback (most recent call last):
    ...
    ValueError: client_id 'Z' is not in client='client_id' (2 clients, e.g. A, B)
    """
    require_columns(data, cols, ("client", "episode"))
    rows = data[(data[cols["client"]] == client_id).to_numpy(dtype=bool)]
    if rows.empty:
        known = np.sort(pd.unique(data[cols["client"]].dropna()).astype(str))
        raise ValueError(f"client_id {client_id!r} is not in client={cols['client']!r} "
                         f"({len(known):,} clients, e.g. {', '.join(known[:3])})")
    if episode_id is None:
        order = [c for c in (cols["date"], cols["session"]) if c in rows.columns]
        latest = rows.sort_values(order, na_position="first") if order else rows
        episode_id = latest[cols["episode"]].iloc[-1]
    picked = rows[(rows[cols["episode"]] == episode_id).to_numpy(dtype=bool)]
    if picked.empty:
        episodes = ", ".join(sorted(map(str, pd.unique(rows[cols["episode"]]))))
        raise ValueError(f"client {client_id!r} has no episode {episode_id!r}; episodes: "
                         f"{episodes}")
    return picked, episode_id
