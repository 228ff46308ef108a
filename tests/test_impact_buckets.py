"""How `botwatch impact` cuts the timeline's hourly rows into its buckets (`party_series`)."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from botwatch import open_study
from botwatch.impact.stage import party_series
from botwatch.timeline.groups import AUTOMATED, NOT_AUTOMATED

FIRST = datetime(2017, 5, 2, 7)  # a morning hour: not on a 5h or 7h boundary from midnight


def hourly_study(path: Path, hours: int = 72, first: datetime = FIRST):  # type: ignore[no-untyped-def]
    """A study whose timeline holds `hours` hourly party_group rows for 'labour', one post each
    by each group, from `first`."""
    st = open_study(path, read_only=False)
    st.sql("CREATE TABLE timeline (freq VARCHAR, clock VARCHAR, dimension VARCHAR, value VARCHAR, bucket TIMESTAMP, posts BIGINT, sentiment_mean DOUBLE, sentiment_n BIGINT)")
    for label in (AUTOMATED, NOT_AUTOMATED):
        st.sql("INSERT INTO timeline SELECT 'hour', 'utc', 'party_group', ?, ? + INTERVAL (i) HOUR, 1, 0.1, 1 FROM range(?) t(i)",
               [f"labour | {label}", first, hours])
    return st


@pytest.mark.parametrize("freq", ["3h", "5h", "7h", "1d"])
def test_every_post_lands_in_a_bucket(tmp_path: Path, freq: str) -> None:
    """At 5h or 7h every bucket was empty: resample placed its buckets from the first day's midnight,
    the index they were read back into from the epoch, and the two never met."""
    with hourly_study(tmp_path / "s.duckdb", hours=24 * 5, first=datetime(2017, 5, 2)) as st:
        if freq == "1d":  # the day rows the timeline stores beside the hour rows
            st.sql("INSERT INTO timeline SELECT 'day', clock, dimension, value, date_trunc('day', bucket), sum(posts), 0.1, sum(sentiment_n) "
                   "FROM timeline GROUP BY ALL")
        df = party_series(st, "labour", freq)
    assert float(np.expm1(df["automated_volume"]).sum()) == pytest.approx(24 * 5)
