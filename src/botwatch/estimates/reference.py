"""The reference study's table, read from the `estimates` table of any study.

The 2018 Swansea University / Sunday Times study reported: posts supporting each party; posts by
foreign-origin (Russia-linked) accounts in the 30 days before polling day; and the share of those
accounts' party-tagged posts that were positive or negative. `reference_rows` returns the same
three blocks (plus the whole study as context) so the CLI and the report print one table.
"""

from __future__ import annotations

from dataclasses import dataclass

from botwatch.count_text import count_range
from botwatch.elections.contest import current_contest_words
from botwatch.prob_text import interval_digits, percent
from botwatch.study import Study


@dataclass
class RefRow:
    block: str
    label: str
    observed: float | None
    estimate: float | None
    ci_low: float | None
    ci_high: float | None
    n_accounts: int | None
    is_share: bool
    note: str = ""
    rate: float | None = None  # the sample rate the estimates were made with (`interval_text`'s bound on a zero)
    where: str = "on the platform"  # and where that bound lies (`report.scope.zero_where`)


def _get(study: Study, period: str, group: str, party: str, metric: str) -> tuple | None:
    rows = study.sql(
        "SELECT observed, estimate, ci_low, ci_high, n_accounts FROM estimates WHERE period = ? AND account_group = ? AND party = ? AND metric = ?",
        [period, group, party, metric],
    )
    return rows[0] if rows else None


def reference_rows(study: Study, party_names: dict[str, str]) -> list[RefRow]:
    """Rows of the reference table; missing groups come back as rows with a note, not silently."""
    out: list[RefRow] = []
    has_groups = bool(study.sql("SELECT count(*) FROM estimates WHERE account_group = 'foreign_origin'")[0][0])
    # The cell's accounts are every account naming the party (`n_accounts` of the party's cell), not
    # those that wrote the supporting posts: on ordinary Brexit tweets "Labour | 60 | 6,000 | … | 894"
    # came from 41 supporting accounts, and read bare it quotes as "6,000 posts by 894 accounts".
    cw = current_contest_words()  # a referendum's "side"
    block1 = f"Posts supporting each {cw.one} (campaign, all accounts; accounts: every account naming the {cw.one}, not only those supporting it)"
    # All accounts, as the reference study counted; but the own-account cue labels a party's own
    # feed "support", which the report's party figures leave out as no public support. Said per
    # party: @UKLabour's May 2017 week read "Labour | 110" supporting posts here beside "no other
    # account's stance toward Labour was measured" in the headline.
    from botwatch.estimates.relational import NOT_PARTY_ACCOUNTS

    has_public = bool(study.sql("SELECT count(*) FROM estimates WHERE account_group = ?", [NOT_PARTY_ACCOUNTS])[0][0])
    own_any = False
    rows1: list[RefRow] = []
    for key, name in party_names.items():
        r = _get(study, "campaign", "all", key, "support_posts")
        own = 0.0
        if has_public and r is not None:
            rest = _get(study, "campaign", NOT_PARTY_ACCOUNTS, key, "support_posts")
            own = (r[0] or 0.0) - ((rest[0] or 0.0) if rest else 0.0)
        label = f"{name} ({own:,.0f} of them posted by the {cw.many}' own accounts)" if own > 0 else name
        own_any = own_any or own > 0
        unread = _unread_note(study, key)
        if unread:  # a party named only in posts stance is not read in: no count, not "0 supporting"
            rows1.append(RefRow(block1, label, None, None, None, None, None, is_share=False, note=unread))
            continue
        rows1.append(RefRow(block1, label, *(r or (0.0, 0.0, None, None, 0)), is_share=False))
    if own_any:
        block1 = block1.replace("all accounts;", f"all accounts, the {cw.many}' own official and allied accounts included: a {cw.one}'s own feed is no public support;")
        for row in rows1:
            row.block = block1
    out.extend(rows1)
    block2 = "Posts by foreign-origin accounts, 30 days before polling day"
    block3 = f"Foreign-origin accounts' {cw.one}-tagged posts, 30 days before polling day"
    if not has_groups:
        why = _no_foreign_group(study)
        out.append(RefRow(block2, "posts", None, None, None, None, None, False, note=why))
        out.append(RefRow(block3, "positive / negative share", None, None, None, None, None, True, note=why))
    else:
        r = _get(study, "last_30_days", "foreign_origin", "*", "posts")
        out.append(RefRow(block2, "posts", *(r or (0.0, 0.0, None, None, 0)), is_share=False))
        for m, lab in (("positive_share", "positive"), ("negative_share", "negative")):
            r = _get(study, "last_30_days", "foreign_origin", "any_party", m)
            if r is None:
                out.append(RefRow(block3, lab, None, None, None, None, 0, True, note=f"no {cw.one}-tagged English posts by foreign-origin accounts"))
            else:
                out.append(RefRow(block3, lab, *r, is_share=True))
    ctx = "For comparison: all accounts, 30 days before polling day"
    r = _get(study, "last_30_days", "all", "*", "posts")
    out.append(RefRow(ctx, "posts", *(r or (0.0, 0.0, None, None, 0)), is_share=False))
    for m, lab in (("positive_share", f"{cw.one}-tagged positive"), ("negative_share", f"{cw.one}-tagged negative")):
        r = _get(study, "last_30_days", "all", "any_party", m)
        out.append(RefRow(ctx, lab, *(r or (None, None, None, None, 0)), is_share=True))
    from botwatch.report.scope import zero_where

    rates = {p: zero_rate(study, p) for p in ("campaign", "last_30_days")}
    where = zero_where(study, rates["campaign"] or rates["last_30_days"])
    for row in out:
        row.rate = rates["campaign" if any(row is r for r in rows1) else "last_30_days"]  # block 1 is the campaign's
        row.where = where
    return out


def zero_rate(study: Study, period: str) -> float | None:
    """The sample rate a zero count of `period` is bounded with (`interval_text`), or None: no rate,
    or no election post in the period at all. An archive that ends before the period began is no
    sample of it, so its zeros are the archive's and bound nothing on the platform; nor do those of
    a study whose scaled counts are no platform figures (`report_scaling_unsupported`: accounts a
    platform attributed to an operation, a rate not the captures'), where "at most about 298 on
    the platform" stood beneath "counts multiplied by 1 / 0.01: not platform figures"."""
    if "sample_rate" not in study.columns("estimates"):  # a table written by other tools: no rate to bound with
        return None
    got = study.sql("SELECT sample_rate, observed FROM estimates WHERE period = ? AND account_group = 'all' AND party = '*' AND metric = 'posts'", [period])
    if not got or not got[0][1] or got[0][0] is None:
        return None
    from botwatch.report.caveats import report_scaling_unsupported

    return None if report_scaling_unsupported(study, got[0][0]) else got[0][0]


def _unread_note(study: Study, party: str) -> str:
    """Why a party's supporting posts are not counted, or "": its campaign posts exist but the
    stance of none was measured (none in English, none with a cue of its own: `relational.
    stance_measured`). A German election's CDU/CSU, named in 40 German posts with no pro or anti
    hashtag, read "0 | 0 | no interval (every resample gave the same count)": no one supporting
    it, where no one's stance toward it was read."""
    posts = _get(study, "campaign", "all", party, "posts")
    measured = _get(study, "campaign", "all", party, "stance_measured_posts")
    if not posts or not posts[0] or measured is None or (measured[0] or 0) > 0:
        return ""
    n = posts[0]
    return (f"stance not measured: none of its {n:,.0f} posts is in English or carries a cue for it "
            "(a pro or anti hashtag or slogan, its own account)")


def fmt_value(v: float | None, share: bool) -> str:
    if v is None:
        return "—"
    return percent(v, 1) if share else f"{v:,.0f}"


def fmt_interval(lo: float | None, hi: float | None, share: bool) -> str:
    if lo is None or hi is None:
        return "—"
    if share:  # the two ends apart, as the report's intervals (`prob_text.interval_digits`)
        d = interval_digits(lo, hi, 1)
        return f"{percent(lo, d)} – {percent(hi, d)}"
    return count_range(lo, hi, " – ")  # whole posts, rounded outwards


def collapsed(value: str) -> str:
    """An estimate whose bootstrap collapsed (every resample of the accounts gave it again), in the
    one wording `botwatch estimate` and the report both print: the CLI wrote "0 [no interval
    (every resample gave the same count)]" where the report wrote "0 (every resample of the
    accounts gave 0: no interval)" for the same cell."""
    return f"{value} (every resample of the accounts gave {value}: no interval)"


def interval_text(lo: float | None, hi: float | None, share: bool, n_accounts: int | float | None, estimate: float | None = None,
                  rate: float | None = None, where: str = "on the platform") -> str:
    """The interval, or "too few accounts" when the estimate rests on too few accounts to have one
    (an interval from one account, "50% [50–50%]", would look informative and is not), or "no
    accounts" when none posted (a zero, which "0 [—]" read as an interval gone missing).

    A share of 0 or 1 whose bootstrap collapsed ("0.0% – 0.0%": every resample of a few accounts
    gives the same share) is said to have no interval, as the report's `pct_ci` says it; so is a
    count that did ("0 – 0" support posts from accounts none of which posted one). No exact
    bound is made from `n_accounts`: in estimates made before a share's row counted the accounts
    behind its own denominator (its measured or English posts), it counts every account of the
    cell, and the bound would be too narrow.

    A count of zero scaled by a sample `rate` below 1 says none was in the sample and how many the
    platform may still hold (`whole_counts.zero_text`), whatever the accounts: "0 (every resample
    gave 0: no interval)" at rate 0.01 read as none on the platform."""
    from botwatch import stats
    from botwatch.estimates.compute import MIN_ACCOUNTS_FOR_INTERVAL, NO_ACCOUNTS, TOO_FEW
    from botwatch.estimates.whole_counts import zero_text

    if not share and estimate == 0 and zero_text(rate):
        return str(zero_text(rate, where))

    if (lo is None or hi is None) and n_accounts is not None and 0 < n_accounts < MIN_ACCOUNTS_FOR_INTERVAL:
        return TOO_FEW
    if (lo is None or hi is None) and n_accounts == 0:
        # A share's accounts are those behind its denominator (`compute.cell_rows`): none means no
        # share (no English post, none read for stance), not that no account posted.
        return "—" if share else NO_ACCOUNTS
    if stats.degenerate_interval(estimate, lo, hi):
        return f"no interval (every resample of the accounts gave {fmt_value(estimate, share)})"
    if share and n_accounts and stats.exact_edge_interval(estimate, lo, hi):  # the stage's exact bound (`compute.cell_rows`)
        return f"{fmt_interval(lo, hi, share)} (an exact bound over {int(n_accounts):,} account{'s' if n_accounts != 1 else ''})"
    return fmt_interval(lo, hi, share)


def _no_foreign_group(study: Study) -> str:
    """Why the estimates have no foreign-origin group: no accounts stage yet, or a home country
    the origin model cannot name (then that group is not formed, never counted as zero)."""
    if "account_scores" in study.tables():
        from botwatch.elections.recorded import stage_election
        from botwatch.origin_rule import home_known, measured_home, no_election_note, scored_without_election, unknown_home_note

        if scored_without_election(study):
            return no_election_note()
        home = measured_home(study, stage_election(study, "estimates"))  # as the stage measured it (compute._groups)
        if home and not home_known(home):
            return unknown_home_note(home)
    return "needs account_scores (the accounts stage) for origin"
