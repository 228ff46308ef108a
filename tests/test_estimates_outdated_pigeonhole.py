"""A table made before `estimates_version` whose share rows name as many accounts as their cell
(the older rule) was said only to "may be" out of date, even where the share's denominator holds
fewer posts than that: the current rule counts the accounts with a post in the denominator, which
can be no more than its posts, so such a row is known to be the older rule's."""

from __future__ import annotations

from pathlib import Path

from botwatch import open_study
from botwatch.report.staleness import SHARE_ACCOUNTS, outdated_estimates

COLS = "election VARCHAR, period VARCHAR, account_group VARCHAR, party VARCHAR, metric VARCHAR, observed DOUBLE, ci_low DOUBLE, ci_high DOUBLE, n_accounts BIGINT, sample_rate DOUBLE, method VARCHAR"
RATIO = "ratio of sums (positive / scored); 95% percentile interval, bootstrap over accounts"


def _table(path: Path, scored: float) -> None:
    with open_study(path, read_only=False) as st:
        with st.run("estimates", {"election": "us-2016"}):  # no estimates_version: an earlier botwatch's run
            st.sql(f"CREATE TABLE estimates ({COLS})")
            cell = ["us-2016", "campaign", "all", "democrat"]
            for metric, observed, n, method in (("accounts", 10.0, 10, "distinct accounts seen"), ("posts", 30.0, 10, "count"),
                                                ("scored_posts", scored, 10, "count"), ("positive_share", 0.5, 10, RATIO)):
                st.sql("INSERT INTO estimates VALUES (?, ?, ?, ?, ?, ?, 0.2, 0.8, ?, NULL, ?)", [*cell, metric, observed, n, method])


def test_fewer_denominator_posts_than_named_accounts_is_known_outdated(tmp_path: Path) -> None:
    _table(tmp_path / "few.duckdb", 4.0)  # 4 English posts can be no 10 accounts' posts
    with open_study(tmp_path / "few.duckdb") as st:
        got = outdated_estimates(st)
    assert got is not None and got.found == (SHARE_ACCOUNTS,) and got.unsure == 0
    assert "not what the current rules write" in got.sentence()


def test_as_many_denominator_posts_as_accounts_stays_maybe(tmp_path: Path) -> None:
    _table(tmp_path / "maybe.duckdb", 12.0)  # 12 English posts may be the 10 accounts' or 4 accounts'
    with open_study(tmp_path / "maybe.duckdb") as st:
        got = outdated_estimates(st)
    assert got is not None and not got.found and got.unsure == 1
    assert "may be out of date" in got.sentence()
