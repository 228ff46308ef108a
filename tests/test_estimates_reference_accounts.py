"""The reference table's accounts column beside "posts supporting each party" is every account
that named the party, not the accounts that wrote the supporting posts; the table must say so.

Found on ordinary Brexit tweets (shared/data/ordinary/brexit-2016, the uk-ge2017 parties over a
2016 window, `botwatch estimate --sample-rate 0.01`): the row read "Labour | 60 | 6,000 | 3,600 –
8,900 | 894", and the 60 supporting posts came from 41 accounts (UKIP: 181 posts by 123 accounts
beside 1,025; Greens: 2 posts by 1 account beside 15). Quoted as "6,000 posts by 894 accounts
supported Labour", that overstates how many accounts supported the party twentyfold."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa

from botwatch.elections import load_election
from botwatch.estimates.compute import EstimateOptions, bootstrap_cells, default_windows
from botwatch.estimates.reference import reference_rows
from botwatch.estimates.relational import ALL
from botwatch.study import Study

UK = load_election("uk-ge2017")


def per_account(n_all: int, n_labour: int, n_support: int) -> pa.Table:
    """`account_cells` rows: `n_all` accounts with one election post each; the first `n_labour`
    name Labour in it, and the first `n_support` of those support it."""
    rows = []
    for i in range(n_all):
        base = dict(period="campaign", account_group="all", platform="twitter", account_id=f"a{i}")
        rows.append({**base, "party": ALL, "posts": 1, "support": 0, "oppose": 0, "neutral": 0, "scored": 1, "positive": 0, "negative": 0, "measured": 0})
        if i < n_labour:
            sup = int(i < n_support)
            rows.append({**base, "party": "labour", "posts": 1, "support": sup, "oppose": 0, "neutral": 1 - sup, "scored": 1, "positive": 0, "negative": 0,
                         "measured": 1})
    return pa.Table.from_pylist(rows)


def test_support_block_says_its_accounts_are_those_naming_the_party(tmp_path: Path) -> None:
    table = bootstrap_cells(per_account(200, 90, 4), UK, default_windows(UK), EstimateOptions(sample_rate=0.01, reps=200, seed=1))
    st = Study(tmp_path / "s.duckdb")
    try:
        st.write_table("estimates", table)
        labour = next(r for r in reference_rows(st, {"labour": "Labour"}) if r.label == "Labour")
    finally:
        st.close()
    # The figure is the 4 supporting posts, scaled; the accounts beside it are the 90 naming Labour.
    assert labour.observed == 4 and labour.n_accounts == 90
    assert "naming the party" in labour.block, labour.block
    assert "not only those" in labour.block, labour.block
