"""A timeline bucket's accounts are counted per (platform, account_id), as the accounts table keys
them: by `account_id` alone a `twitter` "42" and an `x` "42" posting in one hour were one account."""

from __future__ import annotations

from datetime import datetime

import ibis
import pandas as pd

from botwatch.timeline.series import aggregate


def test_a_twitter_and_an_x_account_of_one_id_are_two_accounts_of_a_bucket() -> None:
    at = datetime(2024, 6, 1, 10, 5)
    rows = pd.DataFrame({"platform": ["twitter", "x", "x"], "post_id": ["1", "2", "3"], "account_id": ["42", "42", "42"],
                         "created_at": [at] * 3, "local_at": [at] * 3, "dimension": ["party"] * 3, "value": ["lab"] * 3,
                         "sentiment": [None, None, None]})
    tagged = ibis.memtable(rows.astype({"sentiment": "float64"}))
    out = ibis.duckdb.connect().execute(aggregate(tagged, "hour", "utc"))
    assert out[["posts", "accounts"]].values.tolist() == [[3, 2]]
