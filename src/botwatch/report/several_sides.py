"""Posts counted as support for more than one party, which the report's support counts add to each.

Each (post, party) pair gets its own stance, so a post carrying two parties' pro cues was support for
both: "#VoteLeave #VoteRemain", written to hedge or to reach both camps, counted once for Leave and
once for Remain. In a referendum, whose sides exclude each other, that says nothing about either
side; in any election it makes the parties' support counts add up to more than the posts. On the
brexit-2016 tweets and the IRA tweets of 2016 under a user's Leave / Remain file, 9,791 of the
46,571 posts counted as support for a side (21%) counted as support for both, and nothing said so: the
report's "Posts supporting each party" read 33,382 for Leave and 22,175 for Remain as if apart.
Since `rival_cues_cancel` (2026-12-07) two parties' pro cues in one post make both pairs neutral;
a post still counts for two parties where other cues, the trained model or the account prior read
support for a party it names beside another's pro cue (93 of 36,149 brexit-2016 posts).
"""

from __future__ import annotations

from typing import Any

from botwatch.estimates.relational import in_window, party_accounts, post_party_measured, without_party_accounts
from botwatch.study import Study


def posts_supporting_several(study: Study, window: tuple[Any, Any], public_only: bool) -> dict[str, int]:
    """Of the election posts whose support the report's party figures count (in the campaign
    `window` as the estimates stored it, stance measured, and, with `public_only`, not by the
    parties' own accounts, as `section_parties.file_cue_counts` selects them), how many count as
    support for two parties or more: {"posts", "supporting"} (`supporting`: the posts counted as
    support for at least one party, which the first is a part of)."""
    if "post_party" not in study.tables():  # a study the content stage never ran on: nothing counted
        return {"posts": 0, "supporting": 0}
    src = study if hasattr(study, "table") else study.lake  # a lake's report reads SQL alone
    pp = src.table("post_party")
    if "post_id" not in pp.columns:
        return {"posts": 0, "supporting": 0}
    rows = pp.filter(pp.in_election & (pp.stance == "support") & post_party_measured(pp))
    rows = rows.select(*[c for c in ("platform", "post_id", "account_id", "created_at", "party", "signals") if c in pp.columns])
    rows = in_window(rows, *window)
    if public_only and "signals" in pp.columns:
        rows = without_party_accounts(rows, party_accounts(pp))
    keys = [c for c in ("platform", "post_id") if c in rows.columns]
    per_post = rows.group_by(keys).aggregate(n=rows.party.nunique())
    counts = per_post.aggregate(posts=(per_post.n >= 2).ifelse(1, 0).sum(), supporting=per_post.count())
    got = src.expr_arrow(counts).to_pylist()
    return {"posts": int(got[0]["posts"] or 0), "supporting": int(got[0]["supporting"] or 0)} if got else {"posts": 0, "supporting": 0}
