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

import ibis

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


def concentrated(study: Study, parties: list[str], without_own: bool = False) -> list[Concentration]:
    """The parties whose TOP accounts wrote at least SHARE_SAID of their election posts in the
    campaign window (the estimates' own period), most concentrated first; [] without the tables.

    With `without_own` the parties' own official and allied accounts are left out
    (`relational.party_accounts`), as the party figures leave them out where the estimates hold
    the group 'not_party_accounts': the note qualifies those figures' brackets, so it must count
    the posts they were drawn from. Counted with them, a UK study's headline said "the 5 most
    active of the 32 accounts naming Labour wrote 76% of those posts" beside figures over 60 posts
    that @UKLabour's 110 own posts were not among (the 5 most active of those 31 accounts wrote 38%).

    In Ibis, as `section_parties.file_cue_counts` counts the same rows, so a lake counts on Spark."""
    from botwatch.estimates.relational import in_window, party_accounts, without_party_accounts

    tables = set(study.tables())
    if not parties or not {"post_party", "estimates"} <= tables:
        return []
    span = study.sql("SELECT min(period_start), max(period_end) FROM estimates WHERE period = 'campaign'")
    if not span or span[0][0] is None:
        return []
    # The report reads a lake through `engines.lake_report.LakeReader`, which answers SQL alone.
    src = study if hasattr(study, "table") else study.lake  # type: ignore[attr-defined]
    pp = src.table("post_party")
    rows = in_window(pp.filter(pp.in_election & pp.party.isin(parties)), *span[0])
    if without_own and "signals" in pp.columns:  # a table made before the signals names no own account
        rows = without_party_accounts(rows, party_accounts(pp))
    per = rows.group_by(["party", "platform", "account_id"]).aggregate(n=rows.count())
    # row_number is 0-based in Ibis; ties broken by account, so the same study gives the same share.
    rank = ibis.row_number().over(group_by=per.party, order_by=[ibis.desc(per.n), per.platform, per.account_id])
    per = per.mutate(rk=rank)
    agg = per.group_by("party").aggregate(posts=per.n.sum(), accounts=per.count(), top=(per.rk < TOP).ifelse(per.n, 0).sum())
    got = src.expr_arrow(agg).to_pylist()
    out = [Concentration(str(r["party"]), int(r["posts"]), int(r["accounts"]), int(r["top"])) for r in got]
    keep = [c for c in out if c.accounts >= MIN_ACCOUNTS and c.share >= SHARE_SAID]
    return sorted(keep, key=lambda c: (-c.share, c.key))
