"""How much of each party's posts its few most active accounts wrote, said beside the intervals.

Why: every interval in the Parties section comes from a bootstrap that resamples accounts, and such
intervals run narrow where a handful of accounts write much of a cell. Measured on the ordinary
brexit-2016 tweets (a 2016 window of the uk-ge2017 parties, sample rate 0.01; docs/methods.md,
"estimates: intervals where a few accounts write most posts"): five accounts wrote 800 of Labour's
2,106 posts, and over 200 random halves of the accounts a half's 95% interval held the whole
study's figure for 71-78% of the most concentrated cells where about 99% is due (92% over all
cells; 99% once accounts with more than 5 posts about a party were left out;
scripts/check_interval_coverage.py). The section cannot
widen the intervals (that is the method), but it can say where they are likely too narrow.
"""

from __future__ import annotations

from dataclasses import dataclass

from botwatch.study import Study

TOP = 5  # the most active accounts counted
# A party is named where its TOP accounts wrote at least this share of its posts (a reporting cut,
# not fitted: Labour's 38% above under-covered, the light-tailed control did not) ...
SHARE_SAID = 0.2
# ... and where it has more accounts than TOP (with fewer, they wrote everything, and the cells
# with under 5 accounts carry no interval at all).
MIN_ACCOUNTS = 2 * TOP


@dataclass(frozen=True)
class Concentration:
    """One party: its TOP most active accounts' share of its posts in the campaign window."""

    key: str
    posts: int
    accounts: int
    top_posts: int

    @property
    def share(self) -> float:
        return self.top_posts / self.posts if self.posts else 0.0


def concentrated(study: Study, parties: list[str]) -> list[Concentration]:
    """The parties whose TOP accounts wrote at least SHARE_SAID of their election posts in the
    campaign window (the estimates' own period), most concentrated first; [] without the tables."""
    tables = set(study.tables())
    if not parties or not {"post_party", "estimates"} <= tables:
        return []
    span = study.sql("SELECT min(period_start), max(period_end) FROM estimates WHERE period = 'campaign'")
    if not span or span[0][0] is None:
        return []
    start, end = span[0]
    marks = ", ".join("?" for _ in parties)
    rows = study.sql(
        f"""
        WITH per AS (
            SELECT party, platform, account_id, count(*) AS n FROM post_party
            WHERE in_election AND created_at >= ? AND created_at < ? AND party IN ({marks})
            GROUP BY ALL
        ), ranked AS (
            SELECT party, n, row_number() OVER (PARTITION BY party ORDER BY n DESC, platform, account_id) AS rk FROM per
        )
        SELECT party, sum(n), count(*), sum(CASE WHEN rk <= {TOP} THEN n ELSE 0 END) FROM ranked GROUP BY party
        """,
        [start, end, *parties],
    )
    out = [Concentration(str(k), int(n), int(a), int(t)) for k, n, a, t in rows]
    keep = [c for c in out if c.accounts >= MIN_ACCOUNTS and c.share >= SHARE_SAID]
    return sorted(keep, key=lambda c: (-c.share, c.key))
