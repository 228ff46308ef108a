"""The relational steps of the estimates, in Ibis so DuckDB and Spark run the same logic.

1. `units`: the things counted. One row per in-election post for the pseudo-party '*' (all
   election talk), one per post that names any party ('any_party'), and one per (post, party).
2. `account_groups`: per account, whether it is likely automated and whether it is of foreign
   origin (from the accounts stage's `account_scores`; absent → only the group 'all').
   `party_accounts`: the parties' own official and allied accounts the content stage saw posting
   (its own-account cue), whose posts say what a party says of itself, not what the public says:
   the group 'not_party_accounts' leaves them out.
3. `account_cells`: per period (window) × account group × party × account, the counts the bootstrap resamples.
   Accounts are the resampling unit, so the aggregation stops at the account.
4. `cell_vectors`: per cell, each distinct count vector and how many accounts have it: all the
   bootstrap needs (`bootstrap.weighted_bootstrap`), and far fewer rows than accounts (most
   accounts wrote one or two posts), so the per-account cells never leave the engine.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import ibis
import ibis.expr.types as ir

from botwatch.content.stance import PRIOR_RULES
from botwatch.origin_rule import FOREIGN_THRESHOLD, home_known, p_outside_ibis

ALL, ANY_PARTY = "*", "any_party"
# Every account but the parties' own official and allied accounts: the group the report's party
# figures are read from when such accounts posted (a party's own feed counted as "support" made a
# UK sample read "Labour: 100% supported", all of it @UKLabour's own posts).
NOT_PARTY_ACCOUNTS = "not_party_accounts"
POSITIVE, NEGATIVE = 0.05, -0.05
BOT_THRESHOLD = 0.5
# `measured`: the (post, party) rows whose stance was measured, the denominator of the stance
# shares. Last, so that where every row is measured (it then equals `posts` in a party's cells and
# is 0 in the others) the distinct vectors, their order and so the bootstrap draws are unchanged.
COUNT_COLUMNS = ("posts", "support", "oppose", "neutral", "scored", "positive", "negative", "measured")
# Stance is modelled for English posts only: a post in another language that names a party with no
# explicit cue gets "neutral" by the rule `no_cue` (or the account prior's answer), which is no reading of it. Such rows are left
# out of the stance shares (as sentiment leaves non-English posts out), never counted as neutral.
STANCE_LANG = "en"
UNREAD_RULE = "no_cue"
# The account prior (`content.propagate`) answers for a row from the account's other posts and its
# retweet neighbours, not from the post: on a non-English post with no cue of its own it turned the
# `no_cue` "neutral" into support or oppose, and the row then counted as measured. It is a
# measurement of such a post only where the post itself carries a cue for the party.
PRIOR_RULE_NAMES = tuple(dict.fromkeys(r for r, _, _ in PRIOR_RULES))
# The match signals (`post_party.signals`) that are a stance cue of the post itself: the party's
# pro or anti hashtag or slogan, its own account, a retweet or quote of it. A topic hashtag or
# keyword, a reply to or a mention of its account only name the party.
CUE_SIGNALS = ("pro_tag", "anti_tag", "pro_kw", "anti_kw", "own_account", "retweet_account", "quote_account")


def stance_measured(lang: ir.StringValue, rule: ir.StringValue, signals: ir.ArrayValue | None = None) -> ir.BooleanValue:
    """Whether a `post_party` row's stance is a measurement: English, or decided by a cue of the
    post (any rule but `no_cue`; the account prior's rules only where `signals` hold a cue,
    `CUE_SIGNALS`). Without `signals` (a table made before them) the prior's rules count as read."""
    english = (lang == STANCE_LANG).fill_null(False)
    read = (rule != UNREAD_RULE).fill_null(True)
    if signals is not None:
        cue = ibis.or_(*[signals.contains(s) for s in CUE_SIGNALS]).fill_null(False)
        read = read & ~(rule.isin(PRIOR_RULE_NAMES).fill_null(False) & ~cue)
    return english | read


def post_party_measured(pp: ir.Table) -> ir.BooleanValue:
    """`stance_measured` of each row of a `post_party` table, with whatever columns it has: one made
    by hand without language or rule is taken as all measured."""
    if not {"lang", "stance_rule"} <= set(pp.columns):
        return ibis.literal(True)
    return stance_measured(pp.lang, pp.stance_rule, pp.signals if "signals" in pp.columns else None)


def units(post_labels: ir.Table, post_party: ir.Table) -> ir.Table:
    """Everything countable, with one schema: platform, account_id, created_at, party, stance,
    sentiment, measured (whether the row's stance is a measurement: `stance_measured`)."""
    pl = post_labels.filter(post_labels.in_election)
    null_stance = ibis.null().cast("string")
    no = ibis.literal(False)
    every = pl.select("platform", "account_id", "created_at", party=ibis.literal(ALL), stance=null_stance, sentiment=pl.sentiment, measured=no)
    tagged = pl.filter(pl.parties.length() > 0)
    anyp = tagged.select("platform", "account_id", "created_at", party=ibis.literal(ANY_PARTY), stance=null_stance, sentiment=tagged.sentiment, measured=no)
    pp = post_party.filter(post_party.in_election)
    read = post_party_measured(pp)
    per = pp.select("platform", "account_id", "created_at", "party", "stance", "sentiment", measured=read)
    return every.union(anyp, distinct=False).union(per, distinct=False)


def account_groups(account_scores: ir.Table, country: str | None) -> ir.Table:
    """Per account: automated (bot probability ≥ 0.5) and foreign (probability of being run from
    outside `country` ≥ 0.5: the shared rule of `botwatch.origin_rule`); no foreign column when
    `country` is None or one the origin model cannot name."""
    s = account_scores
    automated = (s.bot_probability >= BOT_THRESHOLD).fill_null(False)
    if not home_known(country):  # no foreign-origin group at all, never one of zero accounts
        return s.select("platform", "account_id", automated=automated)
    foreign = p_outside_ibis(s, country) >= FOREIGN_THRESHOLD
    return s.select("platform", "account_id", automated=automated, foreign=foreign.fill_null(False))


def party_accounts(post_party: ir.Table) -> ir.Table:
    """(platform, account_id) of every account that posted as a party's official or allied account:
    the content stage's `own_account` signal (the author's handle is one the election names for a
    party), read from `post_party.signals` so the labels themselves are not touched."""
    own = post_party.filter(post_party.signals.contains("own_account"))
    return own.select("platform", "account_id").distinct()


def in_window(t: ir.Table, start: datetime | None, end: datetime | None) -> ir.Table:
    """The rows of `t` whose `created_at` lies in the half-open window [start, end) (None: open on
    that side): one rule for the estimates' periods and for what the report counts beside them
    (`report.section_parties.file_cue_counts`), so both count the same rows."""
    if start is not None:
        t = t.filter(t.created_at >= ibis.literal(start, type="timestamp"))
    if end is not None:
        t = t.filter(t.created_at < ibis.literal(end, type="timestamp"))
    return t


def without_party_accounts(t: ir.Table, party_accts: ir.Table) -> ir.Table:
    """The rows of `t` by any account but those of `party_accts` (`party_accounts`): the rows the
    group 'not_party_accounts' counts."""
    return t.anti_join(party_accts, ["platform", "account_id"])


def account_cells(u: ir.Table, groups: ir.Table | None, windows: Sequence[tuple[str, datetime | None, datetime | None]],
                  party_accts: ir.Table | None = None) -> ir.Table:
    """Counts per (period, account_group, party, platform, account_id). With `party_accts` (see
    `party_accounts`; None or no rows: no such group) the group 'not_party_accounts' counts every
    account but those: the rows `without_party_accounts` keeps, as the report's counts beside the
    estimates do."""
    if groups is not None:
        has_foreign = "foreign" in groups.columns  # absent when the origin model cannot name the home country
        g = groups.select(_gp=groups.platform, _ga=groups.account_id, automated=groups.automated,
                          **({"foreign": groups.foreign} if has_foreign else {}))
        j = u.left_join(g, [u.platform == g._gp, u.account_id == g._ga])
        u = j.select(*[j[c] for c in ("platform", "account_id", "created_at", "party", "stance", "sentiment", "measured")], automated=j.automated.fill_null(False),
                     **({"foreign": j.foreign.fill_null(False)} if has_foreign else {}))
        group_defs = [("all", None), ("likely_automated", "automated")] + ([("foreign_origin", "foreign")] if has_foreign else [])
    else:
        group_defs = [("all", None)]
    # Each group's rows before the windows cut them; the parties' own accounts leave by the anti-join
    # the report counts their posts by (`without_party_accounts`), one rule written once.
    grouped = [(gname, u if flag is None else u.filter(u[flag])) for gname, flag in group_defs]
    if party_accts is not None:
        grouped.append((NOT_PARTY_ACCOUNTS, without_party_accounts(u, party_accts)))
    parts = []
    for wname, start, end in windows:
        for gname, rows in grouped:
            w = in_window(rows, start, end)
            parts.append(w.select("platform", "account_id", "party", "stance", "sentiment", "measured", period=ibis.literal(wname), account_group=ibis.literal(gname)))
    allu = parts[0]
    for p in parts[1:]:
        allu = allu.union(p, distinct=False)
    one, zero = ibis.literal(1), ibis.literal(0)
    s = allu.sentiment
    read = allu.measured
    return allu.group_by(["period", "account_group", "party", "platform", "account_id"]).aggregate(
        posts=allu.count(),
        # Every stance count is of measured rows only: an unmeasured row (say the account prior's
        # answer on a non-English post without a cue) is neither support, oppose nor neutral.
        support=((allu.stance == "support") & read).ifelse(one, zero).sum(),
        oppose=((allu.stance == "oppose") & read).ifelse(one, zero).sum(),
        neutral=((allu.stance == "neutral") & read).ifelse(one, zero).sum(),
        scored=s.notnull().ifelse(one, zero).sum(),
        positive=(s >= POSITIVE).ifelse(one, zero).sum(),
        negative=(s <= NEGATIVE).ifelse(one, zero).sum(),
        measured=(allu.stance.notnull() & read).ifelse(one, zero).sum(),
    )


CELL_KEY = ("period", "account_group", "party")


def cell_vectors(cells: ir.Table) -> ir.Table:
    """Per (period, account_group, party) and distinct vector of `COUNT_COLUMNS`: `accounts`, how
    many accounts of the cell have exactly those counts (the input of `weighted_bootstrap`)."""
    return cells.group_by([*CELL_KEY, *COUNT_COLUMNS]).aggregate(accounts=cells.count())
