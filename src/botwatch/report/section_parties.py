"""Report section: support, opposition and sentiment per party, with 95% intervals.

Reads the `estimates` table (the estimates stage) and `post_party` / `post_labels` (the content
stage). Intervals come from the bootstrap over accounts; counts are scaled only when the study was
analysed with a sample rate, their bounds stored at whole multiples of 1 / rate and printed as stored. The stance rules' measured accuracy is printed beside the numbers,
because a support count is only as good as the rules that decided it.
"""

from __future__ import annotations

import math
from typing import Any

import ibis
from markupsafe import Markup

from botwatch import stats
from botwatch.accounts.json_shape import shown_handle
from botwatch.content.stance import FILE_CUE_RULES, MEASURED, MEASURED_BY_ELECTION, MODEL_RULES, PRIOR_RULES, SENTIMENT_EXTERNAL, STANCE_RULES
from botwatch.count_text import count_range, counted
from botwatch.elections.contest import in_contest_words
from botwatch.estimates.compute import MIN_ACCOUNTS_FOR_INTERVAL, TOO_FEW
from botwatch.estimates.relational import ALL, NOT_PARTY_ACCOUNTS, in_window, party_accounts, post_party_measured, without_party_accounts
from botwatch.estimates.reference import collapsed, interval_text, reference_rows, zero_rate
from botwatch.estimates.whole_counts import zero_bound_text, zero_text, zero_upper_bound
from botwatch.report.cell_marks import mark_key, marks_used
from botwatch.report.fmt import interval, num, pct, pct_ci, user_text
from botwatch.report.share_check import share_phrases
from botwatch.report.sections import Section, current_contest_words, render, section
from botwatch.report.svg import hbars
from botwatch.reshare_words import in_reshare_words, report_reshare
from botwatch.study import Study
from botwatch.timeline.series import NOT_MEASURED

GROUP_LABELS = {"all": "all accounts", NOT_PARTY_ACCOUNTS: "all accounts but the parties' own", "likely_automated": "likely automated accounts (bot probability ≥ 0.5)", "foreign_origin": "foreign-origin accounts (probability of being run from outside the election's country ≥ 0.5)"}



def group_label(group: str) -> str:
    """How a table's caption names an account group, in the contest's words ("all accounts but the
    sides' own" for a referendum)."""
    if group == NOT_PARTY_ACCOUNTS:
        return f"all accounts but the {current_contest_words().many}' own"
    return GROUP_LABELS.get(group, group)


def section_title() -> str:
    """The section's heading: "Parties: …" for an election of parties, "Sides: …" for a referendum."""
    return f"{current_contest_words().Many}: support, opposition and sentiment"


def _est(study: Study, period: str, group: str) -> dict[tuple[str, str], dict[str, Any]]:
    rows = study.sql(
        "SELECT party, metric, observed, estimate, ci_low, ci_high, n_accounts FROM estimates WHERE period = ? AND account_group = ?",
        [period, group],
    )
    rate = zero_rate(study, period)  # what bounds a zero count (`_count`), and where
    from botwatch.report.scope import zero_where

    where = zero_where(study, rate)
    return {(p, m): {"observed": o, "estimate": e, "lo": lo, "hi": hi, "accounts": n, "rate": rate, "where": where} for p, m, o, e, lo, hi, n in rows}


def _too_few(v: dict[str, Any]) -> bool:
    """An estimate from too few accounts to have an interval (the estimates stage gives none)."""
    return v["lo"] is None and v.get("accounts") is not None and 0 < v["accounts"] < MIN_ACCOUNTS_FOR_INTERVAL


def _count(v: dict[str, Any] | None) -> str:
    if not v or v["estimate"] is None:
        return "—"
    n = num(round(v["estimate"]))
    if v["estimate"] == 0 and zero_text(v.get("rate")):  # none in the sample is not none on the platform
        # The bound alone, no "0 (…)" before it: the scaled headline read "about 0 (none in the
        # sample; at most about 298 …) posts supported", a 0 the next words take back.
        return str(zero_text(v.get("rate"), v.get("where", "on the platform")))
    if stats.degenerate_interval(v["estimate"], v["lo"], v["hi"]):
        # "0 [0–0]" support posts read as a measured certainty: a bootstrap of accounts none of
        # which posted it can only give 0 again (as `pct_ci` says of a collapsed share).
        return collapsed(n)
    ci = f" [{count_range(v['lo'], v['hi'])}]" if v["lo"] is not None else (f" ({TOO_FEW})" if _too_few(v) else "")
    return f"{n}{ci}"


def _scaled_count(v: dict[str, Any]) -> tuple[str, str | None]:
    """The scaled headline's count and, where it has no interval, why, said after the claim: the
    table cell's words put inside the sentence read "about 11,000 (too few accounts) posts
    supported Labour" and "about 1,000 (every resample of the accounts gave 1,000: no interval)
    posts supported Labour"."""
    n = num(round(v["estimate"]))
    if v["estimate"] and stats.degenerate_interval(v["estimate"], v["lo"], v["hi"]):
        return n, f"every resample of the accounts gave {n}: no interval"
    if v["estimate"] and _too_few(v):
        return n, f"from {counted(int(v['accounts']), 'account')}: too few for a 95% interval"
    return _count(v), None


# The figure cells of a per-party table (`_party_rows`), whose reasons for no interval are marks (`cell_marks`).
FIGURE_CELLS = ("posts", "support", "oppose", "read_shown", "support_share", "oppose_share", "english_shown", "positive", "negative")


def _mark_key(rows: list[dict[str, Any]], shown: dict[str, bool], group: bool = False) -> str:
    """The key under a per-party table to the marks its shown cells draw (`cell_marks.mark_key`),
    or "": `shown` is `read_columns` (a group table has no "Read for stance" and no shares)."""
    hidden = {"read_shown"} if group or not shown["stance"] else set()
    hidden |= set() if shown["english"] else {"english_shown"}
    hidden |= {"support_share", "oppose_share"} if group else set()
    return mark_key(marks_used(r[k] for r in rows for k in FIGURE_CELLS if k not in hidden))


def election_counts(study: Any) -> tuple[int, int, int]:
    """(posts labelled, election posts, accounts that posted them), the accounts per (platform,
    account_id) as the accounts table keys them: by id alone a `twitter` "42" and an `x` "42" were
    one account "in the conversation"."""
    row = study.sql("SELECT count(*), count(*) FILTER (WHERE in_election), "
                    "count(DISTINCT (platform, account_id)) FILTER (WHERE in_election) FROM post_labels")[0]
    return int(row[0]), int(row[1] or 0), int(row[2] or 0)


EXACT_MARK = "exact"  # a table cell's share of 0% or 100% whose brackets are its exact bound (`_share`)


def _share(v: dict[str, Any] | None) -> str:
    if not v or v["estimate"] is None:
        return "—"
    if _too_few(v):
        return f"{pct(v['estimate'])} ({TOO_FEW})"
    # No `accounts=` for a collapsed interval: in estimates made before a share's row counted the
    # accounts behind its own denominator (its measured or English posts) it holds the cell's, and
    # an exact bound over those would be too narrow. An exact bound the estimates stage stored
    # (over the share's own accounts, `cell_rows`) is said to be one.
    # In a table cell it is marked "exact" (the section's note says what that is): written out,
    # "0% [0–23%: an exact bound over 14 accounts]" made the demo's per-party table wider than an
    # A4 page, which cut its right-hand columns when printed.
    if stats.exact_edge_interval(v["estimate"], v["lo"], v["hi"]):
        return f"{pct(v['estimate'])} {interval(v['lo'], v['hi'])[:-1]}, {EXACT_MARK}]"
    return pct_ci(v["estimate"], v["lo"], v["hi"])


def _said(v: dict[str, Any] | None) -> str:
    """`_share` as a headline quotes it: a share from too few accounts is its figure alone (the
    sentence says why after the claim). A share's exact bound says it is one, as the foreign-origin
    headline's does (`_row_pct_ci`): the table cell's "[0–17%, exact]" (its note says what that
    is) read in a headline, away from that note and inside "(95% intervals from a bootstrap over
    accounts; ...)", as an exact 0%."""
    if v and v["estimate"] is not None and _too_few(v):
        return pct(v["estimate"])
    if v and v["estimate"] is not None and stats.exact_edge_interval(v["estimate"], v["lo"], v["hi"]):
        return _row_pct_ci(v["estimate"], v["lo"], v["hi"], v.get("accounts"))
    return _share(v)


def _row_pct_ci(p: Any, lo: Any = None, hi: Any = None, accounts: Any = None) -> str:
    """`pct_ci` of a share read from the estimates table (the stance, tone and foreign-origin
    headlines): a share of 0 or 1 with an interval carries the stage's exact bound
    (`compute.cell_rows`), said to be one, not "0% [0–17%]" beside bootstrap intervals.

    The bound names its accounts, the `n_accounts` the stage stored beside it (the ones it was
    computed over): "an exact bound over its accounts" left a pasted headline with an "its" naming
    nothing, and without the count that the report's own "How to read" note promises beside such
    a bound and the reference table gives. Where the row has no count, "its accounts" stays."""
    if stats.exact_edge_interval(p, lo, hi):
        n = _whole(accounts)
        over = f"{n:,} account{'s' if n != 1 else ''}" if n else "its accounts"
        return f"{pct(p)} {interval(lo, hi)[:-1]}: an exact bound over {over}]"
    return pct_ci(p, lo, hi)


def _whole(n: Any) -> int | None:
    """A stored account count as a whole number, None where it is missing (NULL, NaN) or none."""
    if n is None or (isinstance(n, float) and math.isnan(n)):
        return None
    return int(n) or None


def _observed_count(cell: dict[str, Any] | None) -> int | None:
    """A cell's observed count (None: not estimated, as in studies made before the metric)."""
    if not cell or cell["observed"] is None:
        return None
    return int(round(cell["observed"]))


def read_columns(rows: list[dict[str, Any]]) -> dict[str, bool]:
    """Which of the table's "read" columns say something: the posts read for stance where some
    party's posts were not all read, the English posts where some party's posts are not all
    English. Otherwise the shares are of every post and the columns would repeat "Posts"."""
    return {
        "stance": any(r["read"] is not None and r["read"] < r["observed_posts"] for r in rows),
        "english": any(r["english"] is not None and r["english"] < r["observed_posts"] for r in rows),
    }


def _party_rows(est: dict, parties: list[tuple[str, str, str]]) -> list[dict[str, Any]]:
    out = []
    for key, name, colour in parties:
        posts = est.get((key, "posts"))
        if not posts or not posts["observed"]:
            continue
        # What each party's shares are of: the posts read for stance, and those with a sentiment
        # (English). A user's German-election file read "SPD: 452 posts … support share 0%,
        # oppose share 0%" where 4 posts were read, all neutral (`read_columns`).
        read = _observed_count(est.get((key, "stance_measured_posts")))
        out.append({
            "key": key, "name": name, "colour": colour,
            "posts": _count(posts), "observed_posts": posts["observed"],
            # Non-English posts that only name the party: their stance is not measured and the shares
            # leave them out (estimates made before that metric: 0).
            "unread": 0 if read is None else int(round(posts["observed"])) - read,
            "read": read,
            "english": _observed_count(est.get((key, "scored_posts"))),
            # Shown in the table's units: scaled as its Posts, Support and Oppose are. At 1/0.01 the
            # sample's IRA study read "Posts 317,000 … Read for stance 3,153 … In English 3,150",
            # as if 1% of the posts had been read. With their intervals, as the columns beside them:
            # "Read for stance 315,300" stood bare, a platform count stated as if it were known.
            "read_shown": _count(est.get((key, "stance_measured_posts"))),
            "english_shown": _count(est.get((key, "scored_posts"))),
            "accounts": num(est.get((key, "accounts"), {}).get("observed")),
            "support": _count(est.get((key, "support_posts"))), "oppose": _count(est.get((key, "oppose_posts"))),
            "support_share": _share(est.get((key, "support_share"))), "oppose_share": _share(est.get((key, "oppose_share"))),
            "positive": _share(est.get((key, "positive_share"))), "negative": _share(est.get((key, "negative_share"))),
            "raw": {m: est.get((key, m)) for m in ("support_posts", "oppose_posts", "support_share", "oppose_share", "positive_share", "negative_share")},
            # Shares from too few accounts for an interval: the headline says from how many, not
            # "95% intervals from a bootstrap" over none ("Of the 1 election posts … 100% (too few
            # accounts) supported the party … (95% intervals from a bootstrap over accounts; …)").
            # The stance shares' alone, where the headline says it: a share's accounts are those
            # behind its own denominator, and the sentiment shares say theirs beside them.
            # The headline's words for the same shares: the figure alone where it has too few
            # accounts for an interval, as the sentence says why after its claim ("from 2 accounts:
            # too few for 95% intervals"); the cell's "100% (too few accounts) supported the party"
            # put the reason inside the figure, and said it twice.
            **{f"{m}_said": _said(est.get((key, f"{m}_share"))) for m in ("support", "oppose", "positive", "negative")},
            "tone_few": next((int(c["accounts"]) for c in (est.get((key, m)) for m in ("positive_share", "negative_share")) if c and _too_few(c)), None),
            "few_accounts": next((int(c["accounts"]) for c in (est.get((key, m)) for m in ("support_share", "oppose_share")) if c and _too_few(c)), None),
            # A share marked too few beside an "Accounts" figure of 5 or more: the table says why.
            "share_few": any(c and _too_few(c) and c["accounts"] < ((est.get((key, "accounts")) or {}).get("observed") or 0)
                             for c in (est.get((key, m)) for m in ("support_share", "oppose_share", "positive_share", "negative_share"))),
        })
    return out


# At least half of a party's support and oppose pairs decided by the election file's own cue lists:
# most of its stance figures then restate which hashtags and slogans the file lists for it, whatever
# the model's quality. On brexit-2016 under a user's Leave / Remain file, Leave's "99.6% supported
# the party" came from the file's cues in 33,224 of its 33,373 decided pairs (docs/methods.md; a walk
# with another such file counted 57,108 of about 57,400 pairs), and the headline blamed the stance
# model instead; the bundled IRA sample's Republicans (951 of 2,506 decided pairs, 38%; 977 of 2,534 before
# rival_cues_cancel) stay below it.
CUE_SHARE_SAID = 0.5


def file_cue_counts(study: Study, public_only: bool) -> dict[str, dict[str, Any]]:
    """Per party, of its election pairs whose stance was decided (support or oppose), how many the
    election file's own cue lists decided (`FILE_CUE_RULES`): {"n", "decided", "share"}. With
    `public_only` the parties' own accounts are left out, as the party figures leave them out.

    The pairs are those the campaign's support and oppose counts are of: in the campaign period's
    window as the estimates stored it, measured (`relational.post_party_measured`: a non-English
    post decided by the account prior alone is no reading of it) and, with `public_only`, not by
    the parties' own accounts (`relational.party_accounts`), in Ibis as the estimates are, so a
    lake counts them on Spark. Counted in SQL of its own, `decided` read 2,542 where the bundled
    sample's Republicans had 2,534 support and oppose posts, and the own-account filter's
    correlated subquery took 0.5–0.8 s of a 1.3-million-pair study's report."""
    # The report reads a lake through `engines.lake_report.LakeReader`, which answers SQL alone
    # (no `table`): the expression is built on its lake, and runs on Spark.
    src = study if hasattr(study, "table") else study.lake
    pp = src.table("post_party")
    rows = pp.filter(pp.in_election & pp.stance.isin(("support", "oppose")) & post_party_measured(pp))
    rows = rows.select(*[c for c in ("platform", "account_id", "created_at", "party", "stance_rule") if c in pp.columns])
    rows = in_window(rows, *_campaign_window(study))
    if public_only and "signals" in pp.columns:
        rows = without_party_accounts(rows, party_accounts(pp))
    # A table made before `stance_rule` (or by hand without it) names no rule: no pair decided by a cue list.
    n = rows.stance_rule.isin(FILE_CUE_RULES).fill_null(False).ifelse(1, 0).sum() if "stance_rule" in rows.columns else rows.count() * 0
    counts = rows.group_by("party").aggregate(n=n, decided=rows.count())
    got = src.expr_arrow(counts).to_pylist()
    return {r["party"]: {"n": int(r["n"] or 0), "decided": int(r["decided"]), "share": int(r["n"] or 0) / r["decided"]} for r in got if r["decided"]}


UNREAD_MEANING = ("named in a post in another language than English with no cue of its own for the party: "
                  "its stance was not read, and the support and oppose shares leave it out")


def _rule_counts(study: Study) -> list[tuple[str, str, int]]:
    """(rule, stance, election pairs) for the "How stance was decided" table, a pair whose stance
    was not measured (`relational.post_party_measured`) under the stance "not measured". The 364
    pairs of Russian posts of a Duma 2016 file were counted under `no_cue` "neutral" beside the
    sentence saying they are not counted as neutral."""
    src = study if hasattr(study, "table") else study.lake  # a lake's report reads SQL alone (`_cue_decided`)
    pp = src.table("post_party")
    pp = pp.filter(pp.in_election)
    shown = post_party_measured(pp).ifelse(pp.stance, ibis.literal(NOT_MEASURED))
    got = src.expr_arrow(pp.group_by(rule=pp.stance_rule, stance=shown).aggregate(n=pp.count())).to_pylist()
    return sorted(((r["rule"], r["stance"], int(r["n"])) for r in got), key=lambda t: (-t[2], str(t[0]), str(t[1])))


def _campaign_window(study: Study) -> tuple[Any, Any]:
    """[start, end) of the campaign period as the estimates stage stored it (None, None: no such
    rows, every in-election pair counts): the window the report's party figures are of."""
    if "estimates" not in study.tables():
        return None, None
    rows = study.sql("SELECT period_start, period_end FROM estimates WHERE period = 'campaign' LIMIT 1")
    return (rows[0][0], rows[0][1]) if rows else (None, None)


def cue_led(counts: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The parties whose decided pairs the file's cue lists mostly decided (`CUE_SHARE_SAID`)."""
    return {k: c for k, c in counts.items() if c["share"] >= CUE_SHARE_SAID}


def _party_handles(study: Study, limit: int = 5) -> list[str]:
    """Handles of the parties' own official and allied accounts that posted (the own-account cue),
    at most `limit`, to name them where their posts are left out of the party figures."""
    try:
        own = party_accounts(study.table("post_party"))
        acc = study.table("accounts").select("platform", "account_id", "handle")
        got = study.expr_arrow(own.join(acc, ["platform", "account_id"]).select("platform", "account_id", "handle").distinct()
                               .order_by(["handle", "platform", "account_id"]))  # few: the accounts an election names
    except Exception:  # noqa: BLE001 - no accounts table or no handles: the clause names no one
        return []
    # A Mastodon handle local to the instance collected, with that instance (`shown_handle`): two
    # instances' accounts "spd" read as one "@spd".
    shown = (shown_handle(p, h, a) for p, a, h in zip(*(got.column(c).to_pylist() for c in ("platform", "account_id", "handle"))))
    names = list(dict.fromkeys(f"@{h}" for h in shown if h))
    return names[:limit] + (["…"] if len(names) > limit else [])


def _own_posts(all_est: dict, public_est: dict | None, parties: list[tuple[str, str, str]]) -> dict[str, int]:
    """Per party, how many of its campaign posts came from the parties' own accounts: the group
    'all' less the group 'not_party_accounts' (0 everywhere when that group was not estimated)."""
    if public_est is None:
        return {}
    out = {}
    for key, _, _ in parties:
        every = (all_est.get((key, "posts")) or {}).get("observed") or 0
        rest = (public_est.get((key, "posts")) or {}).get("observed") or 0
        if every - rest > 0:
            out[key] = int(every - rest)
    return out


def stance_no_better(lab: dict[str, Any] | None) -> bool:
    """Whether stance's measured accuracy on this election's held-out pairs (or the observer's own
    recorded hand labels) is no better than always answering the commonest label: its support and
    oppose shares are then no finding."""
    return bool(lab) and float(lab["stance_accuracy"]) <= float(lab["stance_majority"])  # type: ignore[index]


def same_country_no_better(election: Any) -> dict[str, Any] | None:
    """For an election whose stance was never measured (a user's own file), the measurement of a
    measured election of the same country when stance there was no better than always answering
    the commonest label, with its `key`; else None. A GB referendum file built from uk-ge2017's
    parties headlined "treat the shares as rough" beside the 0.52 of uk-ge2017, where stance was
    right 60% of the time against 64% for the commonest label: the same model on the same
    country's parties is no finding either, and the reader must see that where the share is."""
    country = getattr(election, "country", None)
    if not country or getattr(election, "key", None) in MEASURED_BY_ELECTION:
        return None
    from botwatch.elections.model import load_preset

    for key, lab in MEASURED_BY_ELECTION.items():
        try:
            measured_country = load_preset(key).country
        except Exception:  # noqa: BLE001 - a preset that cannot be read gives no comparison
            continue
        if measured_country == country and stance_no_better(lab):
            return {**lab, "key": key}
    return None


def _unmatched(election: Any, shown: set[str]) -> list[dict[str, str]]:
    """The parties with no election post in the campaign window, each with why: the tables
    dropped them in silence, so an observer could not tell "no post" from "not looked for"."""
    out = []
    for p in election.parties:
        if p.key in shown:
            continue
        why = ("0 posts matched: the election file gives it no hashtags, keywords or accounts"
               + (" (its leader's name is display-only, not matched)" if p.leader else "")) if not p.matchable else \
              "0 posts matched in the campaign window"
        out.append({"key": p.key, "name": p.name, "why": why})
    return out


def _charts(rows: list[dict[str, Any]], scaled: bool, rate: float | None = None, not_sample: bool = False, population: str = "the whole platform") -> tuple[Markup, Markup]:
    labels, vals, lo, hi, colours = [], [], [], [], []
    flat = False
    none: str | None = None
    for r in rows:
        for m, word in (("support_posts", "support"), ("oppose_posts", "oppose")):
            v = r["raw"][m]
            labels.append(f"{r['name']}: {word}")
            vals.append(v["estimate"] if v else 0)
            # A count whose bootstrap collapsed ("0 [0–0]") has no interval to draw, as for shares below.
            collapsed = bool(v) and stats.degenerate_interval(v["estimate"], v["lo"], v["hi"])
            # A scaled zero says what the sample bounds instead (`_count`), not "no interval", and
            # is drawn with that bound as its whisker, 0 to N, as every other interval is: the bar
            # read a bare "0" beside "a count of 0: ... at most about 298" in the caption.
            bound = zero_upper_bound(v.get("rate")) if v and v["estimate"] == 0 and zero_text(v.get("rate")) else None
            if bound is not None:
                none = zero_text(v.get("rate"), v.get("where", "on the platform"))
                lo.append(0.0)
                hi.append(float(bound))
            else:
                flat = flat or collapsed
                lo.append(v["lo"] if v and not collapsed else None)
                hi.append(v["hi"] if v and not collapsed else None)
            colours.append(r["colour"] if word == "support" else "#9a9a9a")
    what = f"posts in the study × 1/{rate:g}, not platform figures" if scaled and not_sample and rate else ("estimated posts on the platform" if population == "the whole platform" else f"estimated {population}") if scaled else "posts in the study"
    stance = hbars(labels, vals, lo=lo, hi=hi, colours=colours, share=False, title=f"Posts supporting and opposing each {current_contest_words().one} ({what}), 95% intervals"
                   + ("; a count whose bootstrap collapsed has no interval (every resample of the accounts gave the same count)" if flat else "")
                   + (f"; a count of 0: {none}" if none else ""))
    labels, vals, lo, hi, colours = [], [], [], [], []
    exact = few = bounded = False
    for r in rows:
        for m, word, colour in (("positive_share", "positive", "#2e7d32"), ("negative_share", "negative", "#b5301f")):
            v = r["raw"][m]
            if not v or v["estimate"] is None:
                continue
            labels.append(f"{r['name']}: {word}")
            vals.append(v["estimate"])
            # A collapsed bootstrap ("0% [0–0%]") has no interval to draw; the cell's account count is
            # not the share's (its English posts'), so no exact bound over it is drawn either.
            collapsed = stats.degenerate_interval(v["estimate"], v["lo"], v["hi"])
            exact = exact or collapsed
            bounded = bounded or stats.exact_edge_interval(v["estimate"], v["lo"], v["hi"])
            few = few or _too_few(v)
            # (The caption says such a share has no interval: the bar printed "0% [0–0%]" beside it.)
            lo.append(None if collapsed else v["lo"])
            hi.append(None if collapsed else v["hi"])
            colours.append(colour)
    tone = hbars(labels, vals, lo=lo, hi=hi, colours=colours, share=True, title=f"Share of English posts naming each {current_contest_words().one} that were positive or negative (sentiment model), 95% intervals"
                 + ("; a share of 0% or 100% whose bootstrap collapsed has no interval (every resample of the accounts gave the same share)" if exact else "")
                 + ("; a share of 0% or 100% has an exact (Clopper–Pearson) bound over its accounts, not a bootstrap interval" if bounded else "")
                 + (f"; a share from fewer than {MIN_ACCOUNTS_FOR_INTERVAL} accounts with English posts has none (too few accounts)" if few else ""))
    return stance, tone


def _labelled_for_another(study: Study, key: str) -> Section | None:
    """A section that says the estimates are stale when the posts were labelled since for another
    election (`analyze --only content --election OTHER`): the table would show one election's
    parties beside counts of posts matched to another's, under the other's title."""
    if "election" not in study.columns("post_labels"):
        return None
    labelled = sorted(str(r[0]) for r in study.sql("SELECT DISTINCT election FROM post_labels LIMIT 3"))
    if not labelled or labelled == [key]:
        return None
    note = Markup("<p class='note'>The " + current_contest_words().one + " estimates were made for <strong>{}</strong>, but the posts have since been labelled for "
                  "<strong>{}</strong>, so they are not shown: run every stage of <code>botwatch analyze</code> again with one "
                  "election (its preset name or your TOML file) to make the estimates and the labels agree.</p>").format(
                      user_text(key, 80), user_text(", ".join(labelled), 200))  # a TOML file's own key: text from outside
    return Section("parties", section_title(), note, order=20, headline=[])


def _bot_coverage(study: Study, election: Any) -> dict[str, int] | None:
    """How many of the accounts posting election posts in the campaign window (the estimates'
    `campaign` period) the bot model could score, and their posts. The "likely automated" table
    holds only scored accounts: with none of them scored (IRA rows carry no profile) the report
    said "No election post in the campaign window came from likely automated accounts", a zero
    finding over accounts whose automation is unknown."""
    if "account_scores" not in set(study.tables()):
        return None
    start, end = election.window_utc()
    # `likely`: such accounts whose election posts name no party are in no row of the table, and an
    # empty table then read "None of the … the bot model could score … is likely automated".
    n, scored, posts, scored_posts, likely = study.sql(
        "SELECT count(DISTINCT (l.platform, l.account_id)), count(DISTINCT (l.platform, l.account_id)) FILTER (WHERE s.bot_probability IS NOT NULL), "
        "count(*), count(*) FILTER (WHERE s.bot_probability IS NOT NULL), "
        "count(DISTINCT (l.platform, l.account_id)) FILTER (WHERE s.bot_probability >= 0.5) FROM post_labels l "
        "LEFT JOIN account_scores s ON s.platform = l.platform AND s.account_id = l.account_id "
        "WHERE l.in_election AND l.created_at >= ? AND l.created_at < ?",
        [start, end],
    )[0]
    return {"accounts": int(n), "scored": int(scored), "posts": int(posts), "scored_posts": int(scored_posts), "likely": int(likely)}


def bot_group_unknown(unscored: bool, cover: dict[str, int] | None) -> bool:
    """Whether the likely-automated group's election posts are unknown because the bot model could
    score none of their accounts: none scored in the study, or accounts posting in the campaign
    window and none of them scored. With no account posting there (a study whose posts all fall
    outside the window), "none scored" is true of an empty set: the report said the bot model "could
    not score any account (this data has none of the profile facts it needs)" beside its own count
    of every account scored."""
    return bool(unscored or (cover and cover["accounts"] and not cover["scored"]))


def _bluesky_unknown(study: Study, election: Any, tables: set[str]) -> list[str]:
    """The election's listed Bluesky handles when the study holds Bluesky posts but knows the DID of
    none (`party_coverage.listed_bluesky_accounts`, the check behind `analyze`'s note), shown as
    "@handle": the table read "Labour 0 posts matched in the campaign window" with no reason."""
    if not {"accounts", "posts"} <= tables:
        return []
    from botwatch.content.match import compile_matcher
    from botwatch.content.party_coverage import listed_bluesky_accounts

    _, unknown = listed_bluesky_accounts(study, compile_matcher(election).listed_bluesky_handles())
    return [f"@{user_text(h, 80)}" for h in unknown]


def _campaign_posts(study: Study, election: Any) -> int:
    """Election posts in the campaign window (the estimates' `campaign` period). With none, an
    empty group table is no finding: gop-debate-2015 and brexit-2016, analysed under an election
    whose window they miss, read "No election post in the campaign window came from foreign-origin
    accounts", true of an empty set and read as foreign accounts staying out of the campaign."""
    start, end = election.window_utc()
    return int(study.sql("SELECT count(*) FROM post_labels WHERE in_election AND created_at >= ? AND created_at < ?", [start, end])[0][0])


@section("parties", order=20)
def parties_section(study: Study, ctx: dict[str, Any]) -> Section | None:
    tables: set[str] = ctx.get("tables") or set(study.tables())
    if not {"estimates", "post_party", "post_labels"} <= tables:
        return None
    if ctx.get("no_election"):
        # Last analysed with --no-election, which skips content and estimates: their tables are an
        # older election's, and the report of a study analysed with none names no election.
        return None
    election = ctx.get("election")
    key_rows = study.sql("SELECT DISTINCT election FROM estimates LIMIT 1")
    if not key_rows:
        return None
    if election is None or getattr(election, "key", None) != key_rows[0][0]:
        from botwatch.elections.recorded import stage_election

        election = stage_election(study, "estimates")  # the election the estimates were made with, a user's own file included
        if election is None or election.key != key_rows[0][0]:
            return None
    stale = _labelled_for_another(study, election.key)
    if stale is not None:
        return stale
    parties = [(p.key, p.name, p.colour) for p in election.parties]
    rate_rows = study.sql("SELECT DISTINCT sample_rate FROM estimates")
    sample_rate = rate_rows[0][0] if rate_rows else None
    scaled = sample_rate is not None
    # Scaled counts' bounds are stored at whole multiples of 1 / rate (the estimates stage,
    # `estimates.whole_counts`): read as they are, so the report prints what `estimate` and the export do.
    campaign = _est(study, "campaign", "all")
    # A party's own official and allied accounts posting about it are counted "support" by the
    # own-account cue, which is right for the label but no public support: the figures leave them
    # out (the estimates' group 'not_party_accounts') and say how many posts that was.
    has_public = bool(study.sql("SELECT count(*) FROM estimates WHERE account_group = ?", [NOT_PARTY_ACCOUNTS])[0][0])
    public = _est(study, "campaign", NOT_PARTY_ACCOUNTS) if has_public else None
    own = _own_posts(campaign, public, parties)
    every_row = {r["key"]: r for r in _party_rows(campaign, parties)}
    rows = _party_rows(public if public is not None else campaign, parties)
    # Whose stance figures restate the election file's cue lists: said beside them, in place of the
    # model's quality as their reason.
    cues = cue_led(file_cue_counts(study, public is not None))
    from botwatch.report.several_sides import posts_supporting_several

    # Posts counted as support for two parties or more: the support counts add each to every one.
    several = posts_supporting_several(study, _campaign_window(study), public is not None)
    for r in rows:
        r["cue"] = cues.get(r["key"])
    # Estimates made before the group existed count the parties' own posts as support: said, with
    # the command that leaves them out, wherever a party account posted.
    stale_own = _party_handles(study) if public is None else []
    handles = _party_handles(study) if own else stale_own
    own_only = [every_row[k] for k in own if k in every_row and k not in {r["key"] for r in rows}]
    # A party whose every post came from the parties' own accounts is shown (`own_only`), not unmatched.
    unmatched = _unmatched(election, {r["key"] for r in rows} | {r["key"] for r in own_only})
    from botwatch.content.party_coverage import party_coverage

    # With the reposts `unread_reposts_line` counts: one query, as `analyze` asks it (Spark jobs on a lake).
    cov = party_coverage(study, election, unread=True)
    dominant = _dominant(study, election, cov)
    from botwatch.report.concentration import SHARE_SAID, TOP, concentrated

    names = {k: n for k, n, _ in parties}
    # Over the posts the figures are of: the parties' own accounts left out where the figures leave them out.
    heavy = [{"key": c.key, "name": names.get(c.key, c.key), "share": c.share, "accounts": c.accounts}
             for c in concentrated(study, [k for k, _, _ in parties], without_own=public is not None)]
    from botwatch.report.caveats import report_scaling_unsupported, study_collection_unknown
    from botwatch.report.scope import scope

    not_sample = report_scaling_unsupported(study, sample_rate)  # an attributed archive, a rate not the captures': scaled counts are no platform figures
    # A capture through a filter estimates the filter's posts, not the platform's; a rate of 1 scales nothing.
    sc = scope(study, sample_rate)
    unknown_collection = study_collection_unknown(study)
    stance_chart, tone_chart = _charts(rows, scaled and not sc.unscaled, sample_rate, bool(not_sample), sc.population)
    groups = [g for (g,) in study.sql("SELECT DISTINCT account_group FROM estimates WHERE account_group NOT IN ('all', ?) ORDER BY 1", [NOT_PARTY_ACCOUNTS])]
    from botwatch.report.section_accounts import bot_needs_text, bot_unscored

    # With no account scored by the bot model the "likely automated" group is empty because
    # automation is unknown, not because no automated account posted.
    unscored = bot_unscored(study)
    cover = _bot_coverage(study, election) if "likely_automated" in groups else None
    from botwatch.origin_rule import measured_home

    measured = measured_home(study, election)  # None: the accounts were scored without an election, no group was formed
    home = measured or election.country  # what the estimates' foreign-origin group was measured against
    foreign_weak = _foreign_weak(study, home) if measured else ""
    group_tables = [{"label": group_label(g), "rows": _party_rows(_est(study, "campaign", g), parties), "weak": foreign_weak if g == "foreign_origin" else "",
                     "unknown": bot_needs_text() if g == "likely_automated" and bot_group_unknown(unscored, cover) else None,
                     "cover": cover if g == "likely_automated" else None} for g in groups]
    for g in group_tables:
        g["key"] = _mark_key(g["rows"], read_columns(rows), group=True)
    q = study.sql
    total, in_el, accounts = election_counts(study)
    not_english = q("SELECT count(*) FILTER (WHERE sentiment IS NULL), count(*) FILTER (WHERE lang_source = 'py3langid') FROM post_labels WHERE in_election")[0]
    rule_counts = _rule_counts(study)
    rs = report_reshare(study, ctx)  # a Mastodon study's rules read "a retweet of the party's … account"
    # A referendum's table read "posted by the party's official account" under a Sides heading.
    rule_text = {(r, s): in_contest_words(in_reshare_words(d, rs)) for r, s, d in STANCE_RULES + MODEL_RULES + PRIOR_RULES}
    rule_text.update({(r, NOT_MEASURED): in_contest_words(UNREAD_MEANING) for r, _, _ in STANCE_RULES + PRIOR_RULES})
    rules = [{"rule": r, "stance": s, "n": n, "meaning": rule_text.get((r, s), "")} for r, s, n in rule_counts]
    # Rules, not (rule, stance) rows: the model deciding support, oppose and neutral is one rule, and
    # "no_cue" is the pairs no rule decided ("11 rules fired" was read where 8 had, no_cue among them).
    rules_fired = len({r["rule"] for r in rules if r["rule"] != "no_cue"})
    ref = reference_rows(study, {p[0]: p[1] for p in parties})
    # The stance rules' accuracy was measured on one election's posts; quoting it under another
    # election's headline would claim a check that was never made.
    measured_on = str(MEASURED.get("election", "us-2016"))
    measured_here = election.key == measured_on
    from botwatch.content.score import stance_measurement

    lab = stance_measurement(study, election.key)
    # Not measured here, but measured no better than the majority label on an election of the same country.
    kin = same_country_no_better(election) if lab is None else None
    no_better = stance_no_better(lab) or kin is not None
    share_note = share_phrases(lab)
    # Election posts, not post-party pairs: a party account's post naming two parties is one post.
    own_note = dict(n=_own_posts(campaign, public, [(ALL, "", "")]).get(ALL, 0), handles=handles, only=own_only, stale=bool(stale_own))
    from botwatch.content.party_coverage import unread_reposts_line
    from botwatch.report.scope import filtered_reposts_note

    from botwatch.report.mixed_elections import election_groups

    # The page's kicker may name several elections (stages analysed with different ones): there
    # "pairs of this election" named none, so the election is named, in the body and the headlines.
    this_election = election.name if election_groups(study) is not None else None
    html = render(
        "parties.html.j2", this_election=this_election,
        rs=rs, unread_reposts=unread_reposts_line(study, cov), filtered_reposts=filtered_reposts_note(study), bluesky_unknown=_bluesky_unknown(study, election, tables),
        election=election, rows=rows, rows_key=_mark_key(rows, read_columns(rows)), own=own_note, no_better=no_better, kin=kin, stance_chart=stance_chart, tone_chart=tone_chart, group_tables=group_tables,
        total=total, in_el=in_el, min_accounts=MIN_ACCOUNTS_FOR_INTERVAL, exact_shares=any(str(r[k]).endswith(f", {EXACT_MARK}]")
            for r in rows + [x for g in group_tables for x in g["rows"]] for k in ("support_share", "oppose_share", "positive", "negative")),
        # The note on such shares, where the group tables below hold one too (their positive and negative shares).
        share_few=any(r["share_few"] for r in rows + [x for g in group_tables for x in g["rows"]]), accounts=accounts, no_sentiment=not_english[0], detected=not_english[1],
        several=several, campaign_posts=_campaign_posts(study, election), read_cols=read_columns(rows), unknown_collection=unknown_collection, rules=rules, rules_fired=rules_fired, foreign_weak=foreign_weak, home=home, unmatched=unmatched, dominant=dominant, heavy=heavy, heavy_top=TOP, heavy_cut=SHARE_SAID, unread=sum(r["unread"] for r in rows), interval_text=interval_text, measured=MEASURED, measured_here=measured_here, measured_on=measured_on, lab=lab, share_note=share_note, external=SENTIMENT_EXTERNAL, labs=MEASURED_BY_ELECTION, sample_rate=sample_rate, scaled=scaled, scope=sc, not_sample=not_sample, ref=ref, has_groups=bool(groups),
    )
    headline: list[Markup] = []
    if in_el:
        by_key = {r["key"]: r for r in rows}
        # The two parties most named in all (their own accounts included), so a party whose every
        # post is its own still leads, saying that no one else's stance was measured.
        for e in sorted(every_row.values(), key=lambda r: -r["observed_posts"])[:2]:
            r = by_key.get(e["key"])
            said = render("parties_headline.html.j2", kind="stance" if r else "own_only", r=r or e, own_n=own.get(e["key"], 0), handles=handles, stale_own=bool(stale_own),
                          no_better=no_better, kin=kin, election=election, measured=MEASURED, measured_here=measured_here, measured_on=measured_on,
                          lab=lab, share_note=share_phrases(lab, e["key"], (r or e)["name"]), external=SENTIMENT_EXTERNAL, labs=MEASURED_BY_ELECTION, pct=pct,
                          this_election=this_election)
            dom = next((d for d in dominant if d.key == e["key"]), None)
            # A party the archive's own query may name in every post: said where its figures are quoted.
            # Markup escapes the added text; user_text shows its hidden characters (a party's name, a
            # hashtag), which the template's finalize does not reach here.
            if dom:
                said = said + Markup(" ") + user_text(f"{dom.note()}.")
            hv = next((h for h in heavy if h["key"] == e["key"]), None)
            headline.append(said + Markup(" ") + user_text(_narrow_note(hv, TOP)) if hv and _quotes_brackets(r) else said)
        if scaled and not sc.unscaled and rows and not not_sample:
            top = max(rows, key=lambda r: (r["raw"]["support_posts"] or {}).get("estimate") or 0)
            # None in the sample said as a reader would quote it: "about 0 (none in the sample; at
            # most about 298 …) posts supported Labour" put a 0 before the words that take it back.
            v = top["raw"]["support_posts"]
            zero_bound = zero_bound_text(v.get("rate"), v.get("where", "on the platform")) if v and v["estimate"] == 0 else None
            said, why = _scaled_count(v) if v and not zero_bound else (top["support"], None)
            headline.append(render("parties_headline.html.j2", kind="scaled", r={**top, "support": said}, rate=sample_rate, scope=sc, unknown_collection=unknown_collection,
                                   own_n=own.get(top["key"], 0), no_better=no_better, lab=lab, kin=kin, this_election=this_election, zero_bound=zero_bound, count_why=why))
        foreign = [x for x in ref if x.block.startswith("Posts by foreign") and not x.note]
        tone = [x for x in ref if x.block.startswith("Foreign-origin") and not x.note]
        # All accounts in the same 30 days: foreign-origin accounts' tone alone read as theirs even
        # where every post then was theirs, and "no post came from foreign-origin accounts" stood
        # over a study holding no election post in those days at all.
        every = [x for x in ref if x.block.startswith("For comparison")]
        every = every if len(every) == 3 else None
        if foreign and not foreign[0].observed:
            headline.append(render("parties_headline.html.j2", kind="foreign_none", country=home, every=every))
        elif foreign:
            # No tone rows where none of their election posts names a party: the count is still
            # said (a study of foreign-origin accounts' posts had no headline on them at all).
            pos, neg = tone if len(tone) == 2 else (None, None)
            # The tones are the sentiment model's: the party headlines say how far off it read
            # ordinary tweets, this one said "63% negative" bare (external=...).
            # The part of the figure that only the study prior counts, as the count of accounts says it.
            prior_posts = _prior_posts(study, home) if measured else None
            headline.append(render("parties_headline.html.j2", kind="foreign", country=home, weak=foreign_weak, prior_posts=prior_posts, f=foreign[0], pos=pos, neg=neg, scaled=scaled and not sc.unscaled, not_sample=not_sample, rate=sample_rate, scope=sc, num=num, pct_ci=_row_pct_ci, every=every,
                                   external=SENTIMENT_EXTERNAL, pct=pct))
    return Section("parties", section_title(), html, order=20, headline=headline)


def _quotes_brackets(r: dict[str, Any] | None) -> bool:
    """Whether the stance headline of party row `r` quotes shares with 95% brackets: not where its
    accounts are too few for them, nor where none of its posts could be read for stance (the
    headline then says so, with no share), where "These brackets are likely too narrow" named
    brackets that the sentence before it did not give."""
    if not r or r.get("few_accounts"):
        return False
    return not (r.get("unread") and int(r["observed_posts"]) - int(r["unread"]) <= 0)


def _narrow_note(heavy: dict[str, Any], top: int) -> str:
    """The headline's word that a party's intervals run narrow, where the Parties section says so.

    Why: on the first 100,000 IRA tweets (us-2016) the headline quoted "58% [29-69%] supported
    the party" for Republicans, while the section under it said the 5 most active of 13 accounts
    wrote 86% of those posts, so that such intervals held the figure about three times in four
    (`concentration`): a reader quoting the headline took the brackets at their 95%."""
    return (f"These brackets are likely too narrow: the {top} most active of the {heavy['accounts']:,} accounts "
            f"naming {heavy['name']} wrote {pct(heavy['share'], 0)} of those posts (the {current_contest_words().Many} section says how narrow).")


def _dominant(study: Study, election: Any, cov: Any) -> list[Any]:
    """The parties most of the study's posts name (`party_coverage.dominant_parties`, from `cov`,
    the section's `party_coverage`): likely the archive's own collection query, whose counts the
    section and the headline say are the query's."""
    from botwatch.content.party_coverage import dominant_parties

    return dominant_parties(study, cov, election) if cov is not None else []


def _prior_posts(study: Study, home: str) -> int | None:
    """Election posts of the last 30 days by accounts counted foreign only through the study prior
    (`origin_counted.prior_led_posts`), for the headline on posts by foreign-origin accounts.

    Why: on the walk's IRA/Brexit study (uk-ge2017) that headline said foreign-origin accounts
    posted 46 election posts, 10 of them by accounts the study prior alone counted, while the count
    of those accounts said so of them and the figure of their posts said nothing."""
    from botwatch.origin_counted import prior_led_posts
    from botwatch.origin_rule import home_known

    if not home_known(home) or "account_scores" not in study.tables() or not {"origin_country", "origin_probabilities"} <= set(study.columns("account_scores")):
        return None
    return prior_led_posts(study, home.upper())


def _foreign_weak(study: Study, home: str) -> str:
    """Why the accounts counted foreign-origin are no finding of foreign accounts ("" when they are
    one): the same test as the origin key number (`origin_counted`). On a study without profile
    fields every account's origin was the prior alone (P(outside US) = 0.63, US its single most
    likely country): the origin number said so, yet "Foreign-origin accounts ... posted 700 election
    posts" and the foreign-origin table stood without it."""
    from botwatch.origin_rule import home_known
    from botwatch.origin_counted import counted

    if "account_scores" not in study.tables() or not home_known(home) or not {"origin_country", "origin_probabilities"} <= set(study.columns("account_scores")):
        return ""
    c = counted(study, home.upper())
    return f"{c.clause(home.upper())}: that count is not a finding of foreign accounts" if c.weak() else ""
