"""Commands for account intelligence: list scored accounts, explain one, retrain the bot model."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from rich.table import Table

from botwatch.accounts.account_key import answering
from botwatch.accounts.json_shape import (account_json, account_match, close_handles, find_account, mastodon_namesakes, no_account_json, on_prior, on_study_prior, other_matches,
                                         select_list, shown_handle, unscored_posts, with_unscored_posts)
from botwatch.accounts.prior_lead import study_prior_lead
from botwatch.cli.common import (EngineOpt, SparkMasterOpt, StudyArg, app, console, fail, finite, local_output, open_or_fail, out, plain, print_json_result, record_plain, warn,
                                 wide_when_piped)
from botwatch.count_text import counted
from botwatch.origin_few_posts import few_posts_sentence
from botwatch.prob_text import p_is, percent, plausible_range, prob2, prob2_rest
from botwatch.shown_text import controls_shown, name_shown, record_shown, shell_shown
from botwatch.userfile import os_error_said

SORTABLE = ("bot_probability", "origin_probability", "n_posts", "n_signals", "followers", "handle")


# The sort keys as the table's title says them ("Accounts by posts", not "by n_posts").
SORT_WORDS = {"bot_probability": "bot probability", "origin_probability": "origin probability", "n_posts": "posts",
              "n_signals": "seed signals shown", "followers": "followers", "handle": "handle"}


@app.command()
def accounts(
    study: StudyArg,
    top: Annotated[int, typer.Option(min=1, help="How many accounts to show")] = 50,
    sort: Annotated[str, typer.Option(help=f"Sort by one of: {', '.join(SORTABLE)} (descending, unknowns last, ties by posts; handle ascending)")] = "bot_probability",
    country: Annotated[Optional[str], typer.Option(help="Only accounts whose most likely origin is this ISO code (e.g. RU, ru or RUS)")] = None,
    min_bot: Annotated[float, typer.Option(callback=finite(at_least=0.0, at_most=1.0), help="Only accounts with bot_probability at least this (0 to 1)")] = 0.0,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON array, one object per account (shape in docs/model-card-bot.md)")] = False,
    engine: EngineOpt = None,
    spark_master: SparkMasterOpt = None,
) -> None:
    """Scored accounts: bot probability, most likely origin, and the strongest evidence."""
    from botwatch.accounts.training_accounts import study_bot_training_meta  # (pyarrow: not at the module's top)
    from botwatch.model_used import bot_model_changed, bot_model_scored_by  # (duckdb: not at the module's top)
    from botwatch.report.caveats import model_platform_account, model_platform_clause, other_platform_origin_account, other_platform_origin_clause

    if sort not in SORTABLE:
        fail(f"cannot sort by {sort!r}: use one of {', '.join(SORTABLE)}")
    if country is not None:
        country = _country_option(country)
    with open_or_fail(study, read_only=True, engine=engine, master=spark_master) as st:
        if "accounts_scored" not in st.tables():
            fail(f"no account scores in {name_shown(study)}: run `botwatch analyze {shell_shown(study)}` (stage accounts) first")
        _warn_if_stale(st, study)
        # The probabilities listed are the model's that scored the study: after a retrain (or with
        # another BOTWATCH_BOT_MODEL) they are not the selected model's, as `status`, `explain` and
        # the report say; on stderr, so that `--json` stays one array.
        if (changed := bot_model_changed(st)) is not None:
            warn(changed.said(str(study)))
        # Handles in the order a reader looks one up: "@Bob", "@Twin", "@alice" was byte order.
        # Ties (and accounts with the key unknown: every one on an IRA archive) by posts, the busiest
        # first: they were in account-id order, which tells a reader nothing.
        order = "lower(handle) ASC NULLS LAST, handle ASC" if sort == "handle" else f"{sort} DESC NULLS LAST, n_posts DESC NULLS LAST"
        top = min(top, (1 << 63) - 1)  # `--top 100000000000000000000` (all of them) overflowed LIMIT's BIGINT: "a bug in botwatch"
        where, params = ["coalesce(bot_probability, 0) >= ?"], [min_bot]
        if country:
            where.append("origin_country = ?")
            params.append(country.upper())
        if as_json:
            cols = select_list(set(st.columns("accounts_scored")))
            rows = st.sql(f"SELECT {cols} FROM accounts_scored WHERE {' AND '.join(where)} ORDER BY {order}, account_id LIMIT ?", [*params, top])
            rows = _with_unscored_posts(st, rows, study)
            home, own = recorded_home(st), study_bot_training_meta(st)
            prior_only, study_prior_only = on_prior(st, rows, home), on_study_prior(st, rows, home)
            scored_by = bot_model_scored_by(st)  # the rule the export and the report read (`model_platform_seen`)
            print_json_result([account_json(r, home, own, prior_only, scored_by, study_prior_only) for r in rows])
            _say_if_cut(st, study, where, params, len(rows), top)
            _say_unknown_bot(st, country, min_bot, study)  # on stderr: `--json --min-bot 0.5` printed `[]` alone, quotable as "no bots"
            return
        have = set(st.columns("accounts_scored"))  # a table an older release wrote may lack the newer columns
        rows = st.sql(
            f"SELECT handle, account_id, bot_probability, origin_country, origin_probability, n_posts, bot_evidence, "
            f"{'platform' if 'platform' in have else 'NULL AS platform'}, {'origin_evidence' if 'origin_evidence' in have else 'NULL AS origin_evidence'} "
            f"FROM accounts_scored WHERE {' AND '.join(where)} ORDER BY {order}, account_id LIMIT ?",
            [*params, top],
        )
        # An account ingested after the accounts stage ran: its posts, not "0" (`json_shape.unscored_posts`).
        unscored = (unscored_posts(st, [(r[7], r[1]) for r in rows if r[5] is None]) if any(r[5] is None for r in rows) else None) or {}
        shown_unscored = sum((r[7], r[1]) in unscored for r in rows)
        rows = [(*r[:5], unscored.get((r[7], r[1]), r[5]), *r[6:]) for r in rows]
        if not rows:  # an empty table and exit 0 left it unclear whether the filter or the command had failed
            # The line alone: a titled table with no rows under it, after it, read as a second answer.
            console.print(nothing_matched(country, min_bot) + _unknown_bot_said(st, country, min_bot, study), highlight=False, markup=False)
            return
        said = SORT_WORDS.get(sort, sort)
        title = f"Accounts by {said}"
        known = {"bot_probability": 2, "origin_probability": 4}.get(sort)
        if rows and known is not None and all(r[known] is None for r in rows):
            # An IRA release has no profile facts: the table was "by bot_probability" with no probability in it.
            title += f" ({said} unknown for every account shown, so by posts)"
        firsts = [_strongest_evidence(r[6]) for r in rows]
        shared = firsts[0] if len(rows) > 1 and firsts[0] and len(set(firsts)) == 1 else None
        t = Table(title=title)
        for c in ("handle", "bot p", "origin", "origin p", "posts", *(() if shared else ("strongest bot evidence",))):
            t.add_column(c, justify="right" if c in ("bot p", "origin p", "posts") else "left")
        scored_by = bot_model_scored_by(st)
        marked = origin_marked = 0
        # Where the study prior alone made Russia the lead, the origin is marked "+" (the bot column's
        # "*" is another footnote) and the report's line said under the table.
        leads = [study_prior_lead(json.loads(r[8] or "[]")) for r in rows]
        for (handle, aid, bp, oc, op, n, _ev, platform, _oev), first, lead in zip(rows, firsts, leads):
            handle = shown_handle(platform, handle, aid)
            # A Mastodon or Bluesky account's probability is no measured figure (the model learned
            # from Twitter alone): a Mastodon account topped the table at 0.99 with nothing in its
            # row to tell it from the Twitter ones, the caveat one line under a long table.
            unmeasured = bp is not None and model_platform_account(platform, scored_by) is not None
            marked += unmeasured
            # The origin model too learned from Twitter alone: a Mastodon account read "GB 0.93" here.
            origin_unmeasured = op is not None and other_platform_origin_account(platform) is not None
            origin_marked += origin_unmeasured
            # Unknown is "—", as in the report: a blank probability cell read as a value left out.
            # Posts are known for every account listed: none (NULL) is 0, as `explain` says it.
            t.add_row(record_plain(f"@{handle}" if handle else aid), "—" if bp is None else prob2(bp) + ("*" if unmeasured else ""),
                      plain(oc or "?") + ("+" if lead else ""), "—" if op is None else prob2(op) + ("†" if origin_unmeasured else ""), f"{n or 0:,}",
                      *(() if shared else (plain(first),)))  # an evidence sentence quotes the record with repr: already unambiguous
        if shared:
            # The same sentence in every row (an IRA archive: no profile facts) was four wrapped
            # lines an account at 100 columns; said once, the table is one line an account.
            console.print(f"Strongest bot evidence, the same for every account shown: {controls_shown(shared)}", highlight=False, markup=False)
        wide_when_piped().print(t)
        if prior_marked := [(record_plain(f"@{h}" if (h := shown_handle(r[7], r[0], r[1])) else r[1]), lead) for r, lead in zip(rows, leads) if lead]:
            console.print(f"+ {_prior_lead_said(prior_marked, study)}", highlight=False, markup=False)
        _say_if_cut(st, study, where, params, len(rows), top)
        _say_unknown_bot(st, country, min_bot, study)
        if shown_unscored:
            warn(_not_scored_said(shown_unscored, study))
        if rows and (elsewhere := model_platform_clause(st, scored_by)):
            # The report says it beside the count; the table said nothing. The starred rows are these.
            console.print(f"* {counted(marked, 'account')} shown: {elsewhere}" if marked else elsewhere, highlight=False, markup=False)
        if origin_marked and (elsewhere := other_platform_origin_clause(st, recorded_home(st))):
            console.print(f"† {counted(origin_marked, 'account')} shown: {elsewhere}", highlight=False, markup=False)


def _prior_lead_said(marked: list[tuple[str, str]], study: Any) -> str:
    """The line under the accounts table for origins marked "+": the report's own words for the
    first, and how many more there are, each one's step in `explain`."""
    handle, lead = marked[0]
    more = f" ({len(marked) - 1:,} more so marked; each one's step: botwatch explain {shell_shown(study)} HANDLE)" if len(marked) > 1 else ""
    return controls_shown(f"{handle}: {lead}{more}")


def _strongest_evidence(ev: Any) -> str:
    """The first of an account's bot evidence sentences (stored as a JSON list), or ""."""
    return (json.loads(ev) or [""])[0] if ev else ""


def _say_if_cut(st: Any, study: Any, where: list[str], params: list[Any], shown: int, top: int) -> None:
    """A line on stderr when `--top` left out accounts that match: `accounts --json` printed the
    first 50 (the default) of a study's thousands as the whole array, and the table as the whole
    list, with no word that more matched."""
    if shown < top:
        return
    matching = int(st.sql(f"SELECT count(*) FROM accounts_scored WHERE {' AND '.join(where)}", params)[0][0])
    if matching > shown:
        console.print(f"the first {shown:,} of {matching:,} accounts (--top {top:,}): `--top {matching}` lists them all; every account's scores: "
                      f"botwatch export {shell_shown(study)} accounts_scored -o accounts.csv", highlight=False, markup=False)


def recorded_home(st: object) -> str | None:
    """The country of the election the accounts stage last ran for (None: no election recorded),
    which the JSON's foreign probability and flag are measured against, as the report's are."""
    from botwatch.origin_rule import scoring_home

    return scoring_home(st)


def _with_unscored_posts(st: Any, rows: list[Any], study: Any) -> list[Any]:
    """`json_shape.with_unscored_posts`, with a warning on stderr naming how many of `rows` are
    not scored yet (stdout is the JSON)."""
    rows, hit = with_unscored_posts(st, rows)
    if hit:
        warn(_not_scored_said(hit, study))
    return rows


def _warn_if_stale(st: Any, study: Any) -> None:
    """A warning on stderr when posts were ingested after the accounts stage last ran, as `status`
    and `report` give (`report.staleness`): the scores, post counts and evidence shown are of the
    study as it was, and explain's "In the study" line, counted from the posts now, may disagree."""
    from botwatch.report.staleness import cluster_evidence_sentence, cluster_evidence_stale, stale_analysis

    if cluster_evidence_stale(st):
        warn(cluster_evidence_sentence(shell_shown(study)))
    stale = stale_analysis(st)
    if stale is not None and "accounts" in stale.stages:
        n = stale.posts_added
        warn(f"{counted(n, 'post')} {'was' if n == 1 else 'were'} ingested (last at {stale.ingested_at:%Y-%m-%d %H:%M} UTC) after the accounts stage last ran: "
             f"the scores and counts shown do not include them. Run `botwatch analyze {shell_shown(study)}` to refresh them")


def _not_scored_said(n: int, study: Any) -> str:
    """The line for accounts listed or explained without scores (`json_shape.unscored_posts`)."""
    return (f"{counted(n, 'account')} shown {'has' if n == 1 else 'have'} no scores: the accounts stage last ran before "
            f"{'it was' if n == 1 else 'they were'} ingested. Run `botwatch analyze {shell_shown(study)}` to score {'it' if n == 1 else 'them'}")


def _country_option(given: str) -> str:
    """`--country` as the two-letter code origins are stored under: "UK" is GB, as an election's
    country is (`country_code`), and "ru" or "RUS" is RU (`gazetteer.country_asked`). Anything else
    is a usage error before the study is opened: "XX" answered "no accounts with origin XX", as if
    XX were a country no account was placed in, and "RUS" or "Russia" printed an empty table."""
    from botwatch.accounts.gazetteer import country_asked, country_named, countries
    from botwatch.elections.model import country_code

    if (code := country_asked(country_code(given))) is not None:
        return code
    # Not "is not a known country code": EE is Estonia's ISO code, only one the origin model never
    # places an account in; this says what is true of it and of a typo such as XX alike.
    if named := country_named(given):
        fail(f"--country {given!r} is not a known country code: write {named} for {given.strip()}")
    fail(f"--country {given!r} names no country the origin model places accounts in: give one of the {len(countries())} it names, "
         "e.g. RU, US, GB (or RUS)")
    raise AssertionError("unreachable: fail() exits")


def nothing_matched(country: Optional[str], min_bot: float) -> str:
    """The stderr line for an empty `accounts` listing: which filter left nothing (exit stays 0:
    an empty answer is an answer, as `grep -c` style filters give)."""
    said = [f"with origin {country.upper()}"] if country else []
    if min_bot > 0:
        said.append(f"with bot_probability at least {min_bot:g}")
    return f"no accounts {' and '.join(said)}" if said else "no scored accounts in the study"


def _unknown_bot_said(st: Any, country: Optional[str], min_bot: float, study: Any) -> str:
    """"; N accounts ... have no bot probability ..." where `--min-bot` left out accounts whose bot
    probability is unknown (no profile facts the model reads), else "". Why: on an archive with no
    profile fields (a scraped CSV) `--min-bot 0.5` said "no accounts with bot_probability at least
    0.5", which a desk could quote as "no likely bots", while the report says automation there is
    unknown, not absent. Accounts ingested after the accounts stage ran (no scores at all, as
    `json_shape.unscored_posts` tells them) are counted apart, with the command that scores them:
    "lacks the profile facts" was said of them too, which running `analyze` would have answered."""
    if min_bot <= 0:
        return ""
    where, params = "bot_probability IS NULL", []
    if country:
        where, params = where + " AND origin_country = ?", [country.upper()]
    scored = "n_signals IS NOT NULL" if "n_signals" in st.columns("accounts_scored") else "true"
    n, late = (int(v or 0) for v in st.sql(f"SELECT count(*) FILTER (WHERE {scored}), count(*) FILTER (WHERE NOT ({scored})) "
                                            f"FROM accounts_scored WHERE {where}", params)[0])
    origin = f" with origin {country.upper()}" if country else ""
    said = []
    if n:
        said.append(f"{counted(n, 'account')}{origin} {'has' if n == 1 else 'have'} no bot probability "
                    "(the data lacks the profile facts the bot model reads), so --min-bot cannot select "
                    f"{'it' if n == 1 else 'them'}: whether {'it is' if n == 1 else 'they are'} automated is unknown, not absent")
    if late:
        said.append(f"{counted(late, 'account')}{origin} {'has' if late == 1 else 'have'} no scores yet (the accounts stage last ran before "
                    f"{'it was' if late == 1 else 'they were'} ingested), so --min-bot cannot select {'it' if late == 1 else 'them'}: "
                    f"run `botwatch analyze {shell_shown(study)}` to score {'it' if late == 1 else 'them'}")
    return "".join(f"; {x}" for x in said)


def _say_unknown_bot(st: Any, country: Optional[str], min_bot: float, study: Any) -> None:
    """`_unknown_bot_said` as a line of its own on stderr, under a table or beside `--json`'s array
    (stdout stays the JSON alone)."""
    if unknown_said := _unknown_bot_said(st, country, min_bot, study):
        console.print(unknown_said.removeprefix("; "), highlight=False, markup=False)


def _from_profile_link(st: Any, key: str, platform: str | None) -> tuple[str, str | None] | None:
    """`account_key.from_profile_link` (the reading `botwatch.api.account` shares), said in a
    warning when it reads the link as a handle."""
    from botwatch.accounts.account_key import from_profile_link

    linked = from_profile_link(st, key, platform)
    if linked is not None:
        warn(f"read the profile link as @{linked[0]}")
    return linked


def _as_typed(st: Any, key: str, platform: str | None = None) -> str | None:
    """`key` with each doubled backslash as one, where no account answers to `key` and one answers
    to that (said in a warning); else None. `accounts`, `explain` and the clusters table show a
    handle's backslashes doubled (`record_shown`: a typed `\\x07` is not a BEL), so a handle copied
    from them found no account; no platform's handles hold a backslash, so the doubled form is
    botwatch's own writing, not another account's name."""
    if "\\\\" not in key:
        return None
    typed = key.replace("\\\\", "\\")
    def answers(k: str) -> bool:
        where, params = account_match(k, platform)
        return bool(st.sql(f"SELECT count(*) FROM accounts_scored WHERE {where}", params)[0][0])

    if answers(key) or not answers(typed):
        return None
    warn("no account answers to that handle or id as written; read with each doubled backslash as one, as `accounts` and "
         "`explain` write a record's backslashes, it is one: explained below")
    return typed


def _no_such_account(st: Any, given: str, key: str, study: Any, platform: str | None = None, as_json: bool = False) -> tuple[str, list[str]]:
    """The error for a handle or id no scored account answers to, and the close handles it offers
    (what `explain --json`'s error object lists, so the two never disagree). An account seen only as the
    author of posts others retweeted, quoted or replied to has no account record (no posts or
    profile of its own): "no account @CarolRT" read as if the study knew nothing of an account
    its posts retweet six times. An id was said back as "@300", a handle of another account.
    The close-handle query over every handle runs once per call (`--json` prints what it found).
    Asked on one `platform`, the accounts the name answers to on others are given with the command
    that explains each."""
    name = f"@{record_shown(given[1:])}" if given.startswith("@") else f"'{record_shown(given)}' (as handle or account id)"
    said = f"no account {name}{f' on {record_shown(platform)}' if platform else ''} in {name_shown(study)}"
    if platform is not None and (elsewhere := answering(st, key)):
        return f"{said}; on other platforms it answers to {_commands_for(study, elsewhere, as_json)}", []
    namesakes = mastodon_namesakes(st, key, platform)
    if namesakes:
        return (f"{said}; Mastodon accounts it may mean: {_namesakes_listed(namesakes)}: ask for one by its account id"
                + ("" if "@" in key else " or as @user@instance")), []
    if "posts" not in st.tables() or not {"ref_account_id", "ref_handle", "kind"} <= set(st.columns("posts")):
        return _what_to_try(st, said, key, study)
    rows = st.sql("SELECT platform, kind, count(*) FROM posts WHERE ref_account_id = ? OR lower(ref_handle) = lower(?) "
                  "GROUP BY platform, kind", [key, key])
    if not rows:
        return _what_to_try(st, said, key, study)
    from botwatch.reshare_words import reshare_words

    by_kind: dict[str, int] = {}
    for _platform, kind, n in rows:
        word = {"retweet": reshare_words({p for p, k, _ in rows if k == "retweet"}).nouns, "quote": "quotes", "reply": "replies"}.get(kind, "other posts")
        by_kind[word] = by_kind.get(word, 0) + int(n)
    parts = ", ".join(f"{n:,} {w}" for w, n in by_kind.items())
    return (f"{said}: it appears only in other accounts' posts, as the author of what they share, quote or answer ({parts}); "
            "with no posts or profile of its own under that name, it has no scores"), []


def _what_to_try(st: Any, said: str, key: str, study: Any) -> tuple[str, list[str]]:
    """The "no account" error `said` ended with close handles to ask for, where the study has any,
    else the command that lists its accounts; and those handles. The error alone left the user to
    guess what was there."""
    close = close_handles(st, key)
    if close:
        return f"{said}; did you mean {', '.join(f'@{record_shown(h)}' for h in close)}?", close
    return f"{said}. List the study's accounts with `botwatch accounts {shell_shown(study)} --sort handle`", close


def _namesakes_listed(namesakes: list[tuple[str, str]], at_most: int = 5) -> str:
    """The namesakes, each with its id; one whose id names no instance (a local id) said so. An
    `acct:alice@b.social` key names its instance: it was said "its instance not recorded" too."""
    named = ", ".join(f"@{record_shown(h)} ({record_shown(a)})" if a.startswith(("http", "acct:")) else f"@{record_shown(h)} (account id {record_shown(a)}, its instance not recorded)"
                      for h, a in namesakes[:at_most])
    return named + (f" and {len(namesakes) - at_most:,} more" if len(namesakes) > at_most else "")


def _explain_command(study: Any, platform: str, aid: str, as_json: bool) -> str:
    """The `botwatch explain` command that reaches the account (`platform`, `aid`) alone, quoted
    for a shell and escaped for a terminal (both are the data's text), to paste as printed. An id
    starting with "-" goes after `--`, so it is not read as an option."""
    rest = f"{' --json' if as_json else ''} --platform {shell_shown(platform, is_path=False)}"
    aid_word = shell_shown(aid, is_path=False)
    return (f"botwatch explain {shell_shown(study)}{rest} -- {aid_word}" if aid.startswith("-")
            else f"botwatch explain {shell_shown(study)} {aid_word}{rest}")


def _commands_for(study: Any, accounts: list[tuple[str, str]], as_json: bool, at_most: int = 5) -> str:
    """Each account of `accounts` ((platform, account_id)) named with the command that explains it."""
    named = "; ".join(f"{record_shown(p)} {record_shown(a)}: `{_explain_command(study, p, a, as_json)}`" for p, a in accounts[:at_most])
    return named + (f"; and {len(accounts) - at_most:,} more" if len(accounts) > at_most else "")


def _say_others(st: Any, key: str, platform: str, aid: str, study: Any, asked_platform: str | None = None, as_json: bool = False) -> None:
    """A warning (stderr, so `--json` stays one object) when other accounts answer to `key` too:
    a handle renamed and taken by another account, or on two platforms. The one with most posts is
    shown; the user was not told the others existed, nor how to ask for one of them. A Mastodon
    name asked without its instance ("@alice") may also mean alice@b.social (`mastodon_namesakes`):
    shown is the account whose handle is exactly the name, the others are listed. Each other is
    given with the command that explains it (its id and `--platform`): "ask by account id" alone
    showed the same account again where two platforms hold that id."""
    others = other_matches(st, key, platform, aid, asked_platform)
    namesakes = mastodon_namesakes(st, key, asked_platform)
    if others:
        warn(f"{len(others) + 1:,} accounts answer to '{key}' (as handle or account id): shown is {platform} {record_shown(aid)}, one with the most posts; "
             f"for another, run the command given: {_commands_for(study, others, as_json)}")
    if namesakes:
        local = "@" not in key
        warn(f"'{key}' is ambiguous on Mastodon: shown is {platform} {record_shown(aid)}"
             + (", whose handle is exactly that; also so named on other instances: " if local else "; it may also be ")
             + f"{_namesakes_listed(namesakes)}. Ask for one by its account id" + (" or as @user@instance" if local else ""))


@app.command()
def explain(
    study: StudyArg,
    handle: Annotated[str, typer.Argument(help="@handle (any case; a Mastodon account also as @user@instance) or account id, or a twitter.com / x.com profile link")],
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object (shape in docs/model-card-bot.md)")] = False,
    platform: Annotated[Optional[str], typer.Option("--platform", help="Only the account on this platform, as the study stores it (e.g. twitter, bluesky, mastodon, x): "
                                                     "where two platforms hold the same handle or account id")] = None,
    engine: EngineOpt = None,
    spark_master: SparkMasterOpt = None,
) -> None:
    """Why an account got its bot and origin probabilities, in plain sentences."""
    from botwatch.accounts.account_key import UnknownPlatform, platform_asked
    from botwatch.accounts.training_accounts import study_bot_training_meta
    from botwatch.model_used import bot_model_changed, bot_model_read_once, bot_model_scored_by
    from botwatch.report.caveats import model_platform_account, other_platform_origin_account

    handle = handle.strip()  # pasted with a space or a newline: no handle has one
    key = handle.removeprefix("@")  # once: `find_account` takes the handle as given, as from Python
    if not key:  # `explain s.duckdb ""` or `@` alone said "no account @ in s.duckdb", after opening the study
        fail("name the account: its @handle or account id, e.g. botwatch explain STUDY @handle")
    # One reading of which model scored the study for the whole command (`bot_model_read_once`).
    with open_or_fail(study, read_only=True, engine=engine, master=spark_master) as st, bot_model_read_once():
        if "accounts_scored" not in st.tables():
            fail(f"no account scores in {name_shown(study)}: run `botwatch analyze {shell_shown(study)}` (stage accounts) first")
        if platform is not None:
            try:
                platform = platform_asked(st, platform)
            except UnknownPlatform as exc:
                fail(f"--platform {record_shown(exc.asked)}: {name_shown(study)} holds no account on that platform; "
                     f"its accounts' platforms: {', '.join(record_shown(p) for p in exc.platforms) or 'none'}")
        _warn_if_stale(st, study)
        if (typed := _as_typed(st, key, platform)) is not None:
            key, handle = typed, ("@" if handle.startswith("@") else "") + typed
        if (linked := _from_profile_link(st, key, platform)) is not None:
            (key, platform), handle = linked, "@" + linked[0]
        if as_json:
            row = find_account(st, handle, platform)
            if row is None:  # stdout stays one JSON object, the error's (docs/model-card-bot.md)
                said, close = _no_such_account(st, handle, key, study, platform, as_json)
                print_json_result(no_account_json(handle, close), closed_error=said)  # `| head -0`: still exit 2
                fail(said)
            _say_others(st, key, row[0], row[1], study, platform, as_json)
            row = _with_unscored_posts(st, [row], study)[0]
            changed = bot_model_changed(st)
            if changed is not None:  # stdout is the JSON object: the line goes to stderr
                warn(changed.said(str(study)))
            home = recorded_home(st)
            print_json_result(account_json(row, home, study_bot_training_meta(st), on_prior(st, [row], home), bot_model_scored_by(st),
                                           on_study_prior(st, [row], home)))
            return
        where, params = account_match(key, platform)
        rows = st.sql(
            "SELECT platform, account_id, handle, bot_probability, bot_evidence, origin_country, origin_probability, "
            f"origin_probabilities, origin_evidence, n_posts FROM accounts_scored WHERE {where} "
            "ORDER BY n_posts DESC NULLS LAST, account_id LIMIT 1",  # the account `--json` (find_account) picks
            params,
        )
        if not rows:
            fail(_no_such_account(st, handle, key, study, platform)[0])
        asked = platform  # the --platform given (None: any); `platform` is now the account's
        platform, aid, h, bp, bev, oc, op, ops, oev, n = rows[0]
        # Named as `accounts` and the report name it: two instances' local "alice"s were both "@alice" here.
        named = shown_handle(platform, h, aid)
        _say_others(st, key, platform, aid, study, asked)
        unscored = unscored_posts(st, [(platform, aid)]) if n is None else None
        if unscored and (platform, aid) in unscored:
            n = unscored[(platform, aid)]
            out.print(f"[bold]{record_plain(f'@{named}' if named else aid)}[/bold] " + plain(f"({platform} {record_shown(aid)}); {n:,} post{'' if n == 1 else 's'} in the study"), highlight=False)
            out.print(f"Not scored: the accounts stage last ran before this account was ingested. "
                      f"Run `botwatch analyze {shell_shown(study)}` to score it.", highlight=False, markup=False)
            return
        out.print(f"[bold]{record_plain(f'@{named}' if named else aid)}[/bold] " + plain(f"({platform} {record_shown(aid)}); {n or 0:,} post{'' if n == 1 else 's'} in the study"), highlight=False)
        if n and "account_features" in st.tables():
            ppd, rt, dup, off, top_lang, top_share = st.sql(
                "SELECT posts_per_day_study, retweet_share, dup_text_share, best_utc_offset, top_lang, top_lang_share FROM account_features "
                "WHERE platform = ? AND account_id = ?",
                [platform, aid],
            )[0]
            parts = [_rate_words(st, platform, aid, ppd), f"{percent(rt or 0)} {_reshares_word(platform)}"]
            if dup is not None:  # no post with words of its own (all reposts without text): nothing to repeat
                parts.append(f"{percent(dup)} repeated text")
            if top_lang:
                parts.append(_language_words(record_shown(top_lang), top_share))  # a post's lang tag is the record's text
            clock = _clock_words(st, platform, aid, off, _evidence_reads_hours(oev))
            if clock:
                parts.append(clock)
            out.print(controls_shown("In the study: " + ", ".join(parts)), highlight=False, markup=False)
        if bp is None:
            out.print("Bot probability: unknown")
        else:
            caveat, note, kind, quality = _cross_source_caveat(st)
            out.print(f"Bot probability: [bold]{prob2(bp)}[/bold] ({_calibrated_words(kind)})", highlight=False)
            if note:
                out.print(f"  {controls_shown(note)}", highlight=False, markup=False)  # it names the model file, as given
            if caveat:
                out.print(f"  {controls_shown(caveat)}: read it as a rough ranking on data unlike the labelled sets.", highlight=False, markup=False)
            if elsewhere := model_platform_account(platform, bot_model_scored_by(st)):  # a user's own model may have learned from it
                out.print(f"  {plain(elsewhere)}", highlight=False)
            if quality:
                out.print(f"  Warning: {plain(quality)}", highlight=False)  # a model file's text: escaped
            changed = bot_model_changed(st)
            if changed is not None:
                out.print(f"  Warning: {plain(changed.said(str(study)))}", highlight=False)
            if "bot_ood" in st.columns("accounts_scored"):
                lo, hi, ood = st.sql("SELECT bot_probability_low, bot_probability_high, bot_ood FROM accounts_scored WHERE platform = ? AND account_id = ?", [platform, aid])[0]
                if (shown := plausible_range(lo, hi)) is not None:
                    # Not "so wider": the range only also takes in the model's answer with the unusual
                    # facts unknown (accounts/ood.py); TeaPainUSA's (TwiBot-20) was as wide as an in-range account's.
                    note = " (out of distribution: unlike the labelled accounts; it also takes in what the model says with those facts unknown)" if ood else ""
                    out.print(f"Plausible range: {shown}{note}", highlight=False)
            if "bot_behaviour_lr" in st.columns("accounts_scored"):
                prof, lr = st.sql("SELECT bot_profile_probability, bot_behaviour_lr FROM accounts_scored WHERE platform = ? AND account_id = ?", [platform, aid])[0]
                if lr is not None and prof is not None:
                    out.print(f"Profile alone: {prob2(prof)}; behaviour in the study multiplied the odds by {lr:.1f} (bounded ratio, see docs/model-card-bot.md)", highlight=False)
        for s in json.loads(bev or "[]"):
            out.print(f"  • {plain(s)}", highlight=False)
        if oc is None:
            out.print("Origin: unknown")
        else:
            dist = ", ".join(f"{k} {prob2(v)}" for k, v in json.loads(ops or "{}").items())
            out.print(f"Origin: most likely [bold]{plain(oc)}[/bold] " + plain(f"({p_is(op)}); {dist}"), highlight=False)
            if lead := study_prior_lead(json.loads(oev or "[]")):  # as the report's top table and explorer say it
                out.print(f"  {controls_shown(lead)}", highlight=False, markup=False)
            if few := few_posts_sentence(n):  # "US 0.99" on 2 posts said nothing of how little that is
                out.print(f"  {few}", highlight=False, markup=False)
            if elsewhere := other_platform_origin_account(platform):  # a Mastodon account read "GB 0.93", unqualified
                out.print(f"  {plain(elsewhere)}", highlight=False)
            # The country the scores were made for, as --json: a later run of another stage for
            # another election measured P(outside US) on distributions made with GB's prior.
            home = recorded_home(st)
            if home:
                from botwatch.origin_rule import FOREIGN_THRESHOLD, p_outside

                po = p_outside(ops, home)
                if po is not None:
                    verdict = "counted foreign-origin" if po >= FOREIGN_THRESHOLD else "not counted foreign-origin"
                    if po >= FOREIGN_THRESHOLD and oc == home:
                        # Not a contradiction, but it reads like one: say why (a reviewer's finding).
                        verdict += (f": no single other country is as likely as {home}, but together they are more likely than "
                                    f"{home}; the report counts this account as {prob2(po)} of a foreign account in its expected number")
                    if po >= FOREIGN_THRESHOLD:
                        from botwatch.origin_counted import rests_on_prior

                        if rests_on_prior(st, platform, aid, home):
                            # A New Zealand account whose only evidence was its posting hours (read
                            # only as a Moscow office or not) read "counted foreign-origin" at 0.71.
                            verdict += (f"; but its origin evidence tells {home} from no other country (at most a language spoken in {home}; "
                                        "posting hours and the like are read only as run from Russia or not), so this probability is the "
                                        "prior's, not a finding about the account")
                    out.print(f"Probability of being run from outside {home}: [bold]{prob2_rest(po)}[/bold] ({verdict}; the rule is P(outside {home}) ≥ {FOREIGN_THRESHOLD:g})", highlight=False)
        for s in json.loads(oev or "[]"):
            out.print(f"  • {plain(s)}", highlight=False)
        from botwatch.accounts.training_accounts import account_sentences, account_training, study_bot_training

        used = study_bot_training(st)
        trained = account_training(platform, aid, h, used.meta)
        if bp is None:  # no bot probability to call out-of-sample or not ("Bot probability: unknown" above)
            trained = {**trained, "bot": None}
        if oc is None:  # nor origin probabilities ("Origin: unknown" above), as the JSON and the report's count read it
            trained = {**trained, "origin": None}
        for line in account_sentences(trained, used.file, used.unknown_why if bp is not None else None):  # it names a user's model file, as recorded
            out.print(controls_shown(line), highlight=False, markup=False)


@app.command("train-bot-model")
def train_bot_model(
    labels: Annotated[Path, typer.Argument(help="CSV of labelled accounts: profile columns (v1.1 or canonical names), `bot` (1/0, or true/false, yes/no, bot/human) and when each "
                                                "profile was taken: `observed_at` (or `captured_at`, else `status_created_at`, as the shared "
                                                "labelled sets; or a v1.1 `status` field's `created_at`); an account on several rows is trained on once, "
                                                "and one its rows label both bot and human not at all")],
    output: Annotated[Path, typer.Option("-o", "--output", callback=local_output, help="Model file to write (.json.gz)")] = Path("bot_model.json.gz"),
    observed_at: Annotated[Optional[str], typer.Option("--observed-at", help="When the profiles were taken (a date or time, UTC), for rows "
                                                                              "whose own columns give no time")] = None,
    with_shipped: Annotated[Optional[Path], typer.Option(
        "--with-shipped", metavar="DIR",
        help="Also train on the shipped model's labelled sources in DIR (stclab/, gilani2017/, botwiki2019/, verified2019/, as "
             "../shared/data/labelled), your labels one more source: prints the shipped model's held-out figures on your labels "
             "and the leave-one-source-out table with your set as a row (docs/model-card-bot.md)")] = None,
) -> None:
    """Retrain the bot model on your own labels; use it with BOTWATCH_BOT_MODEL=FILE botwatch analyze ...

    Account age and every per-day rate are measured when each profile was taken: the first of
    `observed_at`, `ref_time`, `captured_at`, `status_created_at` or a v1.1 `status` field's
    `created_at` a row has, else --observed-at. A file that gives none is refused: measured at
    today's date, old labelled profiles read much older than a study's accounts measured at their posts' time.
    The model file records digests of the training accounts' ids and handles (`id_str`, `id`,
    `account_id` or `user_id`; `screen_name`), never the ids, so a study scored with it can say how
    many of its accounts the model was trained on (a Mastodon or Bluesky account by its profile URL
    or DID in one of those id columns)."""
    try:
        import sklearn  # noqa: F401  (folds and isotonic calibration)
    except ImportError:
        fail("training needs scikit-learn: pip install 'botwatch[train]'")
    import pandas as pd

    from botwatch.accounts.labelled import parse_twitter_time, read_labels_csv
    from botwatch.accounts.retrain import train_and_report
    from botwatch.auc_text import auc_interval
    from botwatch.report.fmt import auc

    if output.is_dir():  # `-o models` or `-o ""` ended, after training, in "IsADirectoryError ... a bug in botwatch"
        fail(f"{name_shown(output)} is a folder: name the model file, e.g. -o {shell_shown(output / 'bot_model.json.gz')}")
    from botwatch.out_path import in_the_way_said

    if blocked := in_the_way_said(output):
        fail(blocked)
    from botwatch.study import is_duckdb_file

    if is_duckdb_file(output):  # `-o study.duckdb` replaced the study with the model file, without a word
        fail(f"{name_shown(output)} is a study (a DuckDB database), not a model file: name the model file, e.g. -o bot_model.json.gz")
    stem = output.name.removesuffix(".gz").removesuffix(".json")
    figures = output.with_name(stem + ".figures.json")
    svg = output.with_name(stem + ".reliability.svg")
    for written in (output, figures, svg):  # `-o labels.csv` replaced the user's labels with the model, without a word
        if _same_file(written, labels):
            fail(f"{name_shown(written)} is the labels file being read, and training would write over it: name the model file, "
                 f"e.g. -o bot_model.json.gz")
    for beside in (figures, svg):  # a folder there ended, after training and the model written, in "could not write …: Is a directory"
        if beside.is_dir():
            fail(f"{name_shown(beside)} is a folder, where the model's {'figures' if beside == figures else 'reliability chart'} go beside "
                 f"{name_shown(output)}: nothing was written; move the folder or name another model file with -o")
    when = None
    if observed_at is not None:
        when = parse_twitter_time(pd.Series([observed_at])).iloc[0]
        if pd.isna(when):
            fail(f"--observed-at {observed_at!r} is not a date or time (e.g. 2019-06-05 or 2019-06-05T20:41:48Z)")
    try:
        read = read_labels_csv(labels, when)
    except OSError as exc:  # said "[Errno 2] No such file or directory: 'labels.csv'"
        fail(f"cannot read {name_shown(labels)}: {os_error_said(exc)}")
    except ValueError as exc:
        fail(str(exc))
    frame = read.frame
    if read.left_out:
        hint = "; give those rows `observed_at`, or --observed-at DATE" if "no observation time" in read.left_out else ""
        console.print(f"left out of {name_shown(labels)}: " + ", ".join(read.where.get(why) or f"{n:,} row{'s' if n != 1 else ''} ({why})" for why, n in read.left_out.items()) + hint,
                      highlight=False, markup=False)
    if read.unfilled:
        many = len(read.unfilled) > 1
        warn(f"no row of {name_shown(labels)} gives {'any of ' if many else ''}{', '.join(read.unfilled)} (or botwatch's own name for "
             f"{'them' if many else 'it'}): the model learns nothing from {'them' if many else 'it'}, and a column of another name is not read "
             "(docs/model-card-bot.md)")
    counts = frame["label"].value_counts().to_dict()
    frames, extra = [frame], None
    # The shipped model's figures on the set first: a one-class set ends there. A set with no row kept
    # has nothing to score or name (it ended in IndexError, "a bug in botwatch"): the count below says so.
    if with_shipped is not None and not frame.empty:
        from botwatch.cli.with_shipped import load_beside

        frames, extra = load_beside(frame, labels, with_shipped)
    if min(counts.get(0, 0), counts.get(1, 0)) < 10:
        fail(too_few_labels_said(counts.get(1, 0), counts.get(0, 0)))
    try:  # before training (minutes on a large set): a folder that cannot be made ended, after it, in "a bug in botwatch"
        output.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        fail(f"cannot write the model to {name_shown(output)}: the folder {name_shown(output.parent)} cannot be created ({os_error_said(exc)})")
    try:
        figs = train_and_report(frames, output, figures, svg, record_accounts=True, boot=1000, full=with_shipped is None, extra_meta=extra)
    except ValueError as exc:  # e.g. a fold too small for its classes: say so, never a traceback
        fail(f"could not train on {name_shown(labels)}: {exc}")
    except OSError as exc:  # no permission in the folder, a folder in the file's place, a disk full
        fail(_unwritten_said(exc, output, figures, svg))
    m = figs["pooled_oof"]
    if extra is not None:
        from botwatch.cli.with_shipped import loso_lines, weight_line

        for line in loso_lines(figs["loso"], extra["with_shipped"]["yours"]):
            out.print(line, highlight=False, markup=False)
        console.print("trained on " + ", ".join(f"{s['n']:,} {controls_shown(k)} ({s['bots']:,} bots)" for k, s in figs["sources"].items()),
                      highlight=False, markup=False)
        if weighed := weight_line(figs["sources"], extra["with_shipped"]["yours"]):
            console.print(weighed, highlight=False, markup=False)
    else:
        console.print(f"trained on {m['n']:,} accounts ({counts.get(1, 0):,} bots)", highlight=False)
    # The interval in the AUC's digits: "0.996 (95% interval 0.99-1.00)" read as an interval reaching a perfect
    # ranking; both ends at one precision: "0.994-0.9995" read as a low end known less finely.
    out.print(f"{'out-of-fold, all sources pooled' if extra is not None else 'out-of-fold'}: AUC {auc(m['auc'])} (95% interval {auc_interval(m['auc_low'], m['auc_high'], '-')}), "
              f"F1 {m['f1']:.3f}{_ci_said(m, 'f1')} at {m['threshold']}, Brier {m['brier']:.3f}{_ci_said(m, 'brier')}", highlight=False)
    if figs.get("quality_warning"):  # also recorded in the model file, for explain and the report
        warn(figs["quality_warning"])
    out.print(f"wrote {plain(name_shown(output))}, {plain(name_shown(figures))}, {plain(name_shown(svg))}. Use it: BOTWATCH_BOT_MODEL={plain(shell_shown(output))} botwatch analyze STUDY "
              "(the whole analysis: timeline, estimates and impact read the bot scores too), and keep it set for report and explain "
              f"(export BOTWATCH_BOT_MODEL={plain(shell_shown(output))}): without it they warn that another model is selected",
              highlight=False)


def _unwritten_said(exc: OSError, output: Path, figures: Path, svg: Path) -> str:
    """The error line for a file `train_and_report` could not write, saying which it had written
    before (it writes the model, then its figures, then the chart). Why: a disk that filled after
    the model was saved said "could not write m.figures.json" alone, and the user could not tell
    whether the model beside it was new, old or half made. The model is kept, and said usable,
    and the exit is still a failure, as `export` ends one that wrote some of its files."""
    order = [output, figures, svg]
    failed = Path(exc.filename) if exc.filename else output
    done = order[:order.index(failed)] if failed in order else []
    said = f"could not write {name_shown(failed)}: {os_error_said(exc)}"
    if not done:
        return said
    written = " and ".join(name_shown(p) for p in done)
    missing = " and ".join(name_shown(p) for p in order[len(done):])
    return (f"{said}. Written before it: {written}; the model is usable (BOTWATCH_BOT_MODEL={shell_shown(output)}), but {missing} "
            f"{'is' if len(order) - len(done) == 1 else 'are'} missing; free the space or fix the path and run again to write them all")


def _ci_said(figures: dict[str, Any], name: str) -> str:
    """" [low-high]" for figure `name` of a trained model's `pooled_oof` where it holds a bootstrap
    interval (`retrain.threshold_intervals`); where the bootstrap ran and every resample gave one
    value, that it has none, and why; "" where no bootstrap ran."""
    lo, hi = figures.get(f"{name}_low"), figures.get(f"{name}_high")
    if isinstance(lo, float) and isinstance(hi, float):
        return f" [{lo:.3f}-{hi:.3f}]"
    return f" ({NO_SPREAD_SAID})" if f"{name}_low" in figures else ""


NO_SPREAD_SAID = "no interval: every bootstrap resample of these accounts gave this value, which does not show it holds beyond them"


def too_few_labels_said(bots: int, humans: int) -> str:
    """Why `train-bot-model` cannot train on `bots` and `humans`, and what to add. Why: a set of one
    class (botwiki-2019 alone: "got 678 bots and 0 humans") was told the count and not that the
    public bot-only and human-only sets are trained as a pair, in one file, as the shipped model
    pairs botwiki-2019 with verified-2019 (docs/model-card-bot.md)."""
    got = f"need at least 10 bots and 10 humans to train and calibrate; got {bots:,} bots and {humans:,} humans"
    if not bots and not humans:  # every row left out: the line above this one said why
        return got
    if humans == 0 or bots == 0:
        missing, label, pair = ("humans", "bot 0", "verified-2019 humans beside botwiki-2019 bots") if humans == 0 else \
            ("bots", "bot 1", "botwiki-2019 bots beside verified-2019 humans")
        return (f"{got}: the model learns what tells bots from humans, so a file of one class teaches it nothing. Add labelled {missing} "
                f"({label}) to the same file, each with its profile columns and observation time: a one-class public set is only used "
                f"in a pair, as the shipped model trains {pair} (docs/model-card-bot.md)")
    # Each class short of 10, with how many more it needs. Why: 6 and 6 read "add labelled humans",
    # and a team that added humans alone was refused again for its bots.
    short = [f"{10 - n:,} more labelled {word}{'s' if 10 - n != 1 else ''}" for n, word in ((bots, "bot"), (humans, "human")) if n < 10]
    return f"{got}: add at least {' and '.join(short)} to the file"


def _same_file(a: Path, b: Path) -> bool:
    """Whether `a` and `b` name one existing file (a link or another spelling of the path included)."""
    try:
        return a.exists() and b.exists() and a.samefile(b)
    except OSError:
        return False


def _cross_source_caveat(st: Any) -> tuple[str | None, str | None, str | None, str | None]:
    """The bot probability's caveats for the model the study recorded (not the one this shell's
    `BOTWATCH_BOT_MODEL` names): its held-out AUC range across labelled sources, or None when it
    has none; a line on a user's own or missing model (`botwatch.model_used`); that
    model's kind ("earlier" for an earlier release's shipped model; None when it cannot be told); and the near-chance warning its training recorded
    (`model_quality`), or None."""
    from botwatch.accounts.model_quality import recorded_warning
    from botwatch.report.caveats import cross_source_auc
    from botwatch.report.model_used import bot_model_used

    try:
        used = bot_model_used(st)
    except Exception:  # noqa: BLE001 - without the model's figures the line is left out, not the account
        return None, None, None, None
    return cross_source_auc(used.meta), used.note, "earlier" if used.earlier_release else used.kind, recorded_warning(used.meta)


def _calibrated_words(kind: str | None) -> str:
    """What the bot probability was calibrated on, for the model kind the study recorded: the model
    card describes the shipped model only, so a user's model is not sent there. An earlier
    release's shipped model ("earlier") is named as one: "a bot model other than the shipped one"
    stood right above the line saying it was the shipped model of an earlier release."""
    if kind == "earlier":
        return "made with an earlier botwatch release's shipped bot model; docs/model-card-bot.md describes this release's model, not that one"
    if kind == "own":
        return "your own bot model's, calibrated on its own labelled accounts; docs/model-card-bot.md describes the shipped model, not this one"
    if kind == "missing":
        return "made with a bot model other than the shipped one; docs/model-card-bot.md does not describe it"
    return "calibrated on labelled accounts; see docs/model-card-bot.md"


def _reshares_word(platform: str | None) -> str:
    """The explain header's word for the account's shared-on posts on its platform (the posts'
    kind "retweet"): a Mastodon account's share read "24% retweets", a word its users and readers
    do not use. The report's words come from the same table (`reshare_words`)."""
    from botwatch.reshare_words import reshare_words

    return reshare_words([platform]).nouns


def _rate_words(st: Any, platform: str, aid: str, per_day: Any) -> str:
    """The account's posting rate for the explain header, or, where its posts span less than a day,
    how many fell within how long. The study's rate divides by a span of at least one day, so an
    account seen for 23 minutes read "26.0 posts/day" (@b140tweet) and one with a single post "1.0
    posts/day": a floor, written as if it were measured."""
    first, last, n = st.sql("SELECT min(created_at), max(created_at), count(*) FROM posts WHERE platform = ? AND account_id = ?", [platform, aid])[0]
    if first is None or last is None or (last - first).total_seconds() >= 86400:
        return f"{per_day:,.1f} posts/day" if per_day is not None else "posting rate unknown"
    if n == 1:
        return "1 post"
    minutes = (last - first).total_seconds() / 60
    span = f"{counted(round(minutes), 'minute')}" if minutes < 120 else f"{counted(round(minutes / 60), 'hour')}"
    return f"{n:,} posts within {span}"


def _language_words(top_lang: str, share: Any) -> str:
    """The account's most frequent post language: "mostly ru" only where it holds more than half
    of the tagged posts. @AndriyCCCP (IRA, one post tagged ru and one uz) read "mostly uz", the
    tie broken by the larger code; under half, the share is said instead."""
    if share is None or not math.isfinite(float(share)) or float(share) > 0.5:
        return f"mostly {top_lang}"
    return f"most often {top_lang} ({percent(float(share))} of tagged posts)"


def _evidence_reads_hours(origin_evidence: Any) -> bool:
    """Whether the account's origin evidence has the "posting hours fit a human day" line (an
    account whose hours the office-shifts item read, or whose hours were withheld, has none)."""
    try:
        lines = json.loads(origin_evidence or "[]")
    except (TypeError, ValueError):
        return False
    return isinstance(lines, list) and any(isinstance(e, str) and e.startswith("posting hours fit") for e in lines)


def _clock_words(st: Any, platform: str, aid: str, off: Any, evidence_reads_hours: bool = True) -> str | None:
    """The account's posting clock as a probability, not a fact: the circadian stage's fit (its most
    likely UTC offset, that offset's probability and the runner-up's) when it ran; otherwise the
    accounts stage's best-fitting offset, said to be only the best fit. A bare "hours fit UTC+3"
    read as certain for an account whose hours were split between two offsets.

    The two fits share one fitter but not their counts (docs/methods.md, "Two offset fits"): the
    circadian stage counts the days active in each hour, the accounts stage (`off`, and the origin
    evidence's "posting hours" line) every post. When they name different offsets both are said,
    each with what it counted, so explain never shows two offsets without saying which is which."""
    from botwatch.accounts.circadian import MIN_ACTIVE_CELLS, offset_words  # (numpy: not at the module's top)

    if "circadian" in st.tables():
        row = st.sql("SELECT best_offset, best_probability, offset_probabilities FROM circadian WHERE platform = ? AND account_id = ?", [platform, aid])
        if row and row[0][0] is not None:
            best, p, probs = row[0]
            try:
                table = json.loads(probs or "{}")
                ranked = sorted(((float(v), int(k)) for k, v in table.items() if int(k) != int(best)), reverse=True) if isinstance(table, dict) else []
            except (TypeError, ValueError):
                ranked = []
            extra = [f"p {prob2(p)}"] if p is not None else []
            if ranked and ranked[0][0] >= 0.05:
                extra.append(f"next {offset_words(ranked[0][1])}, p {prob2(ranked[0][0])}")
            words = f"hours most likely {offset_words(best)}" + (f" ({'; '.join(extra)})" if extra else "")
            if off is not None and int(off) != int(best):
                # "as the origin evidence does" pointed at no line for @Jenn_Abrams, whose hours the
                # office-shifts item read instead: the accounts stage's fit is named as such there.
                whose = "as the origin evidence's posting-hours line does" if evidence_reads_hours else "the accounts stage's fit, not among this account's origin evidence"
                words += (f" counting the days active in each hour (circadian stage); counting every post "
                          f"({whose}), {offset_words(off)}")
            return words
    if off is not None:
        if "circadian" in st.tables():
            # The stage ran and fits only accounts seen in MIN_ACTIVE_CELLS (date, hour) cells:
            # "run the circadian stage" sent the reader to rerun a stage that had run (@CornellBurchet,
            # 60 posts in 2 clock hours, whose origin evidence says its hours were not read).
            cells = st.sql("SELECT count(*) FROM (SELECT DISTINCT CAST(created_at AS DATE) AS d, hour(created_at) AS h FROM posts "
                           "WHERE platform = ? AND account_id = ? AND created_at IS NOT NULL) t", [platform, aid])[0][0]
            if cells is not None and int(cells) < MIN_ACTIVE_CELLS:
                return (f"hours best fit {offset_words(off)} (no probability: its posts fall in {counted(int(cells), 'distinct clock hour')}, "
                        f"fewer than the {MIN_ACTIVE_CELLS} the circadian stage reads a day from, so they may be one event's hours)")
        return f"hours best fit {offset_words(off)} (no probability: run the circadian stage)"
    return None

