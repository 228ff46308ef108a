"""The top of the report: headline findings gathered from every section, and the key numbers.

Sections write their own findings (`Section.headline`: plain sentences with numbers and
intervals, from their tables); here they are collected in reading order, each linked to the
section that holds its evidence. The key numbers ("at a glance") are computed here from the
tables, with the definition of each group written beside it, so a figure quoted from the top of
the report always carries its meaning.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from botwatch.report.fmt import counted, num, pct_ci, wilson
from botwatch.report.training_share import training_clause
from botwatch.report.sections import Section
from botwatch.reshare_words import study_reshare
from botwatch.study import Study


@dataclass
class Headline:
    """One finding and where its evidence is."""

    text: Markup
    section_id: str
    section_title: str


@dataclass
class KeyNumber:
    """A number at the top of the report with its label and the definition behind it."""

    value: str
    label: str
    detail: str = ""
    href: str = ""
    # The line a reader quotes, shown on the card; `detail` (how the number is counted, the never-
    # posted split, training accounts) then folds under it. The automated and foreign cards'
    # details ran to 20-30 lines in a narrow column above the findings that say the same in full.
    summary: str = ""
    caveat: str = ""  # where the model behind the number is known to be blind, shown beside it
    # The caveat's lead: the foreign count's caveat opens with what the origin model was checked
    # on ("Held out, placed in Russia: …"), which under "What the model cannot see:" read as a
    # list of its blind spots.
    caveat_label: str = "What the model cannot see:"


def gather_headlines(sections: list[Section], per_section: int = 2) -> tuple[list[Headline], list[Headline]]:
    """Every section's findings, in section order, linked to the section: the first
    `per_section` of each section lead (a reader meets every area's main finding in one short
    list), the others follow under "more findings"."""
    lead: list[Headline] = []
    more: list[Headline] = []
    for s in sections:
        for i, h in enumerate(s.headline):
            (lead if i < per_section else more).append(Headline(Markup(h), s.id, s.title))
    return lead, more


def key_numbers(study: Study, ctx: dict[str, Any], section_ids: set[str]) -> list[KeyNumber]:
    """Posts, accounts and period always; automated, foreign-origin and clustered accounts when
    their tables exist (shares with 95% Wilson intervals over the scored accounts)."""
    tables: set[str] = ctx.get("tables") or set(study.tables())
    posts, accounts, first, last = study.sql("SELECT count(*), count(DISTINCT (platform, account_id)), min(created_at), max(created_at) FROM posts")[0]
    out = [
        KeyNumber(num(posts), "post" if posts == 1 else "posts", "after removing duplicates", "#overview" if "overview" in section_ids else ""),
        KeyNumber(num(accounts), "account posting" if accounts == 1 else "accounts posting", _not_posting(study, tables, accounts)),
    ]
    if first is not None:
        span = f"{first:%d %b %Y}" if first.date() == last.date() else f"{first:%d %b %Y} – {last:%d %b %Y}"
        out.append(KeyNumber(span, "period covered (UTC)", ""))
    explorer = "#explorer" if "explorer" in section_ids else ""
    if "account_scores" in tables:
        cols = set(study.columns("account_scores"))
        # Denominators are the scored accounts (with origin evidence, for origin), as the accounts
        # section counts them, so the top of the report and that section never disagree.
        if "bot_probability" in cols:
            n, k, expected = study.sql(
                "SELECT count(*), count(*) FILTER (WHERE bot_probability >= 0.5), sum(bot_probability) "
                "FROM account_scores WHERE bot_probability IS NOT NULL"
            )[0]
            if n:
                p, lo, hi = wilson(k, n)
                out.append(KeyNumber(
                    num(k), "likely automated account" if k == 1 else "likely automated accounts",
                    f"{pct_ci(p, lo, hi)} of {counted(n, 'scored account')} {'has' if n == 1 else 'have'} automation probability ≥ 0.5"
                    f"{posting_split(study, 'bot_probability IS NOT NULL', 'bot_probability >= 0.5', 'likely automated')}; "
                    f"the probabilities sum to {num(expected, 0)} expected automated account{'' if num(expected, 0) == '1' else 's'}"
                    + (f"; {t}" if (t := training_clause(study, "bot", n)) else ""),
                    explorer,
                    caveat=_bot_caveat(study),
                    summary=f"{pct_ci(p, lo, hi)} of {counted(n, 'scored account')} {'has' if n == 1 else 'have'} automation probability ≥ 0.5; the probabilities sum to "
                            f"{num(expected, 0)}",
                ))
        election = ctx.get("election")
        if election is not None and {"origin_country", "origin_probabilities"} <= cols:
            from botwatch.origin_rule import foreign_counts, home_known, rule_text, unknown_home_note
            from botwatch.report.caveats import origin_check

            from botwatch.origin_rule import measured_home, no_election_note, scored_without_election

            home = measured_home(study, election) or election.country
            f = foreign_counts(study, home, checked=False)
            if scored_without_election(study):  # no home prior: P(outside home) was measured for no country
                out.append(KeyNumber("not measured", "foreign-origin accounts", no_election_note(), explorer))
            elif not home_known(home):
                out.append(KeyNumber("not measured", "foreign-origin accounts", unknown_home_note(home), explorer))
            elif f["n"]:
                from botwatch.origin_counted import counted as origin_counted

                p, lo, hi = wilson(f["k"], f["n"])
                c = origin_counted(study, f["home"])
                # The expected number leads: origin probabilities often sit just past 0.5 (an
                # account with little evidence but its language), where counting each as one
                # foreign account overstates (a twarc2 sample: 197 counted, 148 expected).
                # When most counted accounts are placed at home or rest on language alone, the
                # count is no finding and no share of it is printed (a Bluesky capture read
                # "997 of them, 100% [100–100%], are counted as foreign", all placed in GB).
                share = "" if c.weak() else f", {pct_ci(p, lo, hi)},"
                # Most accounts with evidence rest on their language alone: the expected count mostly restates the prior.
                # Posting hours read only as a Moscow office or not tell home from no other country
                # either (`origin_counted.RUSSIA_ONLY_KINDS`): such accounts are the prior's too.
                prior_n = (c.n_language or 0) + c.n_hours
                language_mostly = bool(prior_n and 2 * prior_n >= f["n"])
                why = c.clause(f["home"])
                from botwatch.origin_rule import FOREIGN_THRESHOLD, p_outside_sql

                po = p_outside_sql(f["home"])
                detail = (f"[{num(f['lo'], 0)}–{num(f['hi'], 0)}, the spread of the model's probabilities taken as exact, not its error]: each of the {counted(f['n'], 'account')} with origin evidence counted by its "
                          f"probability of being run from outside {f['home']}; {num(f['k'])} of them{share} are {rule_text(f['home'])}"
                          + posting_split(study, f"({po}) IS NOT NULL", f"({po}) >= {FOREIGN_THRESHOLD}", "counted foreign"))
                if why:
                    detail += f" ({why})"
                if c.weak():
                    detail += ": that count is not a finding of foreign accounts"
                if t := training_clause(study, "origin", f["n"]):
                    detail += f"; {t}"
                if language_mostly and not c.n_hours:
                    detail += (f"; for {num(c.n_language)} of the {counted(f['n'], 'account')} with origin evidence posting in a language spoken in "
                               f"{f['home']} is all the model saw, so the expected count too mostly restates its prior, not evidence about them")
                elif language_mostly:
                    detail += (f"; for {num(prior_n)} of the {counted(f['n'], 'account')} with origin evidence nothing the model saw tells {f['home']} "
                               f"from another country (at most a language spoken in {f['home']}; posting hours, English articles and the like it reads only as "
                               "run from Russia or not), so the expected count too mostly restates its prior, not evidence about them")
                # What must not fold away: that the count is no finding, or mostly the prior.
                summary = (f"the {counted(f['n'], 'account')} with origin evidence, each counted by its probability of being run from outside "
                           f"{f['home']} [{num(f['lo'], 0)}–{num(f['hi'], 0)}, the model's own error not in it]")
                if unseen := _never_seen_origins(study, f["n"], f["k"]):
                    summary += f"; {unseen}"
                    detail += f"; {unseen}"
                if c.weak():
                    rest = (f"rest on the prior (for most of the accounts the model saw nothing that tells {f['home']} from another country)"
                            if c.n_hours else "rest on their language alone")
                    summary += f"; most accounts it counts are placed in {f['home']} or {rest}: not a finding of foreign accounts"
                elif language_mostly and not c.n_hours:
                    summary += f"; for most of them a language spoken in {f['home']} is all the model saw"
                elif language_mostly:
                    summary += f"; for most of them the model saw nothing that tells {f['home']} from another country: the figure restates its prior"
                from botwatch.report.caveats import home_operation_note

                if home_operation_note(study, f["home"]):  # every account run from the election's own country
                    summary += "; every account here was attributed to an operation run from this election's own country: none is foreign, and the count measures the model's errors"
                out.append(KeyNumber(
                    num(f["expected"], 0), "expected foreign-origin account" if num(f["expected"], 0) == "1" else "expected foreign-origin accounts",
                    detail,
                    explorer,
                    summary=summary,
                    # The held-out check always; the blind-spot note (with its own posing figure) where it applies.
                    caveat=origin_check(study, f["home"], ctx),
                    caveat_label="What the origin model was checked on:",
                ))
    if "cluster_members" in tables:
        clusters, members = study.sql("SELECT count(DISTINCT cluster_id), count(DISTINCT (platform, account_id)) FROM cluster_members")[0]
        if clusters:
            # "in it" for one cluster: the card read "1 coordinated cluster / 3 accounts in them".
            out.append(KeyNumber(num(clusters), "coordinated cluster" if clusters == 1 else "coordinated clusters",
                                 f"{counted(members, 'account')} in {'it' if clusters == 1 else 'them'}", "#coordination" if "coordination" in section_ids else explorer))
    return out


def _never_seen_origins(study: Study, n: int, k: int) -> str:
    """The foreign card's clause when most of its `n` accounts with origin evidence come from a
    platform the origin model never saw, or "". A Bluesky capture's card read "1,081 expected
    foreign-origin accounts" with none counted foreign and every account placed at home at 0.69:
    the sum of what the model, trained on Twitter alone, gives any account it has nothing to go
    on, and only the caveat below the card said the platform was never seen."""
    from botwatch.platform_names import TWITTER_PLATFORMS, platform_name

    marks = ", ".join("?" for _ in TWITTER_PLATFORMS)
    rows = study.sql(f"SELECT platform, count(*) FROM account_scores WHERE origin_probability IS NOT NULL AND platform NOT IN ({marks}) "
                     "GROUP BY 1 ORDER BY 2 DESC, 1", list(TWITTER_PLATFORMS))
    unseen = sum(int(c) for _, c in rows)
    if not n or 2 * unseen < n:
        return ""
    names = " and ".join(platform_name(str(p)) for p, _ in rows)
    every = unseen >= n
    who = f"all {counted(n, 'account')} come" if every else f"{num(unseen)} of the {counted(n, 'account')} come"
    said = (f"{who} from {names}, {'a platform' if len(rows) == 1 else 'platforms'} the origin model never saw (it learned from Twitter accounts "
            f"only), so the figure {'' if every else 'mostly '}restates its prior and what it learned of Twitter, not a measurement of them")
    return said + ("; none of them is counted foreign" if not k else "")


def _not_posting(study: Study, tables: set[str], posting: int) -> str:
    """The accounts the study knows that never posted, when there are any: the automation and
    origin counts below are over scored accounts, these included."""
    if "accounts" not in tables:
        return ""
    (known,) = study.sql("SELECT count(*) FROM (SELECT DISTINCT platform, account_id FROM accounts)")[0]
    if known <= posting:
        return ""
    return f"the study also knows {counted(known - posting, 'account')} only as {study_reshare(study).known_only_as}; the counts below include those scored"


def posting_split(study: Study, scored: str, counted: str, what: str) -> str:
    """", of which N never posted …" for a count over scored accounts: the accounts table holds
    accounts seen only as retweeted, quoted, mentioned or looked up (users files), and "418 likely
    automated accounts" beside "409 accounts posting" read as more bots than posters. The count
    stays over every scored account (as the accounts section and the explorer list them); this
    says how many of them posted and how many of those are counted. Empty when all posted."""
    n, k, n_post, k_post = study.sql(
        f"SELECT count(*), count(*) FILTER (WHERE {counted}), count(p.pa), count(p.pa) FILTER (WHERE {counted}) FROM account_scores s "
        "LEFT JOIN (SELECT DISTINCT platform AS pp, account_id AS pa FROM posts) p ON p.pp = s.platform AND p.pa = s.account_id "
        f"WHERE {scored}"
    )[0]
    if not n or n_post >= n:
        return ""
    return (f" ({num(n - n_post)} of the {num(n)} never posted in the study, seen only as {study_reshare(study).known_only_as}, and "
            f"{num(k - k_post)} of those are {what}; of the {num(n_post)} that posted, {num(k_post)} are {what})")


def _bot_caveat(study: Study) -> str:
    from botwatch.report.caveats import bot_blind_spot, data_provenance

    from botwatch.model_used import bot_model_scored_by, bot_model_used

    used = bot_model_used(study)  # the model the study recorded, not the one this shell names
    blind = bot_blind_spot(study, data_provenance(study), used.meta, scored_by=bot_model_scored_by(study))
    return " ".join(t for t in (used.note, blind) if t)
