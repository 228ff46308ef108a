"""`botwatch estimate`: party support, sentiment and scale-up with intervals for one study."""

from __future__ import annotations

from contextlib import ExitStack
from typing import Annotated, Optional

import typer
from rich.markup import escape
from rich.table import Table

from botwatch.cli.common import (
    ElectionOrPreset, EngineOpt, SparkMasterOpt, StudyArg, app, console, election_choice_or_fail, election_or_fail, fail, finite, no_election_or_fail, no_posts_line, open_or_fail, out, share, plain, say_if_rare_rate, warn,
)
from botwatch.elections.contest import contest_words, contest_words_for
from botwatch.estimates.defaults import DEFAULT_REPS, DEFAULT_SEED
from botwatch.prob_text import fixed
from botwatch.shown_text import controls_shown, shell_shown


def _labelled_for(study, key: str) -> bool:  # type: ignore[no-untyped-def]
    if "post_labels" not in study.tables() or "post_party" not in study.tables():
        return False
    got = {r[0] for r in study.sql("SELECT DISTINCT election FROM post_labels LIMIT 3")}
    return got == {key} or (not got and study.count("posts") == 0)


@app.command()
def estimate(
    study: StudyArg,
    preset: ElectionOrPreset = None,
    # Hidden: taken only to refuse it with the way out; `analyze`'s help ("run with no election, stages
    # skipped") listed under estimate promised a run estimate never does.
    no_election: Annotated[bool, typer.Option("--no-election", hidden=True)] = False,
    sample_rate: Annotated[Optional[float], typer.Option(parser=share, callback=finite(expect="a share above 0 and at most 1 (0.01 for a 1% sample)"), help="Share of the platform's posts the archive holds (0.01 for the 1% sample)")] = None,
    table: Annotated[str, typer.Option(help="'reference' (the reference study's table) or 'parties' (every party)")] = "reference",
    reps: Annotated[int, typer.Option(help="Bootstrap replicates (resampling accounts)")] = DEFAULT_REPS,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same intervals)")] = DEFAULT_SEED,
    window: Annotated[Optional[list[str]], typer.Option(help="Extra window NAME=YYYY-MM-DD..YYYY-MM-DD (UTC days; repeatable)")] = None,
    relabel: Annotated[bool, typer.Option(help="Re-run the content stage even if posts are labelled for this preset")] = False,
    all_accounts: Annotated[bool, typer.Option("--all-accounts", help="--table parties: count the parties' own official and allied accounts too (by default they are left out, as in the report: a party's own feed is not public support)")] = False,
    engine: EngineOpt = None,
    spark_master: SparkMasterOpt = None,
) -> None:
    """Estimate posts, support/opposition and sentiment per party with 95% intervals (a bootstrap over accounts);
    counts are scaled to the platform only with a sample rate (--sample-rate, or the one the study recorded)."""
    from botwatch.elections.model import Election
    from botwatch.estimates.compute import EstimateOptions, parse_window
    from botwatch.pipeline import Context, PipelineError, analyze as run_stages
    from botwatch.estimates.reference import fmt_value, interval_text, reference_rows

    no_election_or_fail(preset, no_election)
    if no_election:  # estimates are per party of an election: with none there is nothing to estimate
        fail("estimate needs an election (it estimates each of its parties), and --no-election gives it none; "
             "to re-score the accounts without one: botwatch analyze STUDY --no-election")
    if table not in ("reference", "parties"):
        fail("--table must be 'reference' or 'parties'")
    given: Election | None = election_or_fail(preset)  # a bad preset or file fails before the study is opened
    try:
        EstimateOptions(sample_rate=sample_rate, reps=reps, seed=seed, extra_windows=[parse_window(w) for w in window or []])  # checks them before the study opens
    except ValueError as exc:
        fail(str(exc))
    say_if_rare_rate(sample_rate, "--sample-rate")
    log = lambda m: console.print(m, highlight=False, markup=False)  # noqa: E731
    # Recorded in `runs`: the report's reproduction gives this command back, the table it printed included.
    params = {"sample_rate": sample_rate, "bootstrap_reps": reps, "seed": seed, "windows": window or [], "table": table}
    if all_accounts:
        if table != "parties":
            fail("--all-accounts is for --table parties (the reference table counts all accounts, as the study it reproduces did)")
        params["all_accounts"] = True
    from botwatch.report.caveats import carriers_held

    with open_or_fail(study, engine=engine, master=spark_master) as st, carriers_held(st), ExitStack() as words:  # the stage writes no posts
        # Without --election, the one the study was analysed with (it was required even then).
        election, none_on_purpose = election_choice_or_fail(st, given)
        if election is None:
            why = "this study was last analysed with --no-election" if none_on_purpose else "this study was not analysed with one"
            fail(f"estimate needs --election: a preset (`botwatch elections list`, e.g. uk-ge2017) or a TOML file; {why}")
        assert election is not None
        words.enter_context(contest_words_for(contest_words(election)))  # the tables' text says "side" for a referendum
        if st.count("posts") == 0:
            fail(no_posts_line(study, "to estimate from"), code=1)  # README: exit 1, a study with no posts to analyze
        conflict = None
        if sample_rate is None:  # the rate the study's estimates were made with, else a capture's (`botwatch collect --sample`)
            from botwatch.estimates.recorded_rate import study_sample_rate

            sample_rate, note = study_sample_rate(st)
            params["sample_rate"] = sample_rate
            if note:
                log(controls_shown(note))  # it may name an input file or capture folder (`status` shows it so too)
            from botwatch.estimates.recorded_rate import given_rate_conflict

            # A rate kept from an earlier override of the captures' rate: the report calls its
            # counts no platform figures as it does the override's, where the tables said "scaled by 1/0.01".
            if sample_rate and sample_rate < 1 and (conflict := given_rate_conflict(st, sample_rate)):
                warn(f"the counts below are not platform figures: they are multiplied by 1/{sample_rate:g}, the rate kept from this "
                     "study's estimates, not the rate every capture in it recorded (said above)")
        else:
            from botwatch.estimates.recorded_rate import given_rate_conflict

            # Where it scales (a rate under 1), the report calls such counts no platform figures
            # (`caveats.report_scaling_unsupported`): said here too, and the tables' titles say so
            # below; "scaled by 1/0.01" under this warning read as a platform figure.
            if conflict := given_rate_conflict(st, sample_rate):
                warn(f"the counts below are not platform figures: {conflict}" if sample_rate < 1 else conflict)
        from botwatch.cli.analyze import say_if_outside_window, say_unmatched_parties
        from botwatch.report.caveats import scaling_unsupported

        # As `analyze` says them: a table of zeros for posts outside the window read as "no party talk".
        say_if_outside_window(st, election, "estimate")
        not_sample = scaling_unsupported(st, sample_rate)
        if not_sample:
            warn(not_sample)
        elif conflict and sample_rate < 1:
            not_sample = conflict  # warned above
        from botwatch.ingest.stream_limits import withheld_sentence

        # A v1.1 stream that hit its cap sent limit notices: the tables' numbers stay as they are,
        # but scaling by 1/rate reads as if the sample were complete at that rate; said here.
        if withheld_said := withheld_sentence(st):
            log(withheld_said)
        only = ["estimates"]
        if relabel or not _labelled_for(st, election.key):
            log(f"labelling posts for {election.key} (content stage)")
            only.insert(0, "content")
        # The one runner, as `analyze --only [content] estimates` with these options.
        try:
            run_stages(st, Context(election=election, options=params, log=log), only=only)
        except PipelineError as exc:
            fail(str(exc))
        say_unmatched_parties(st, election, sample_rate)  # whether labelled now or by an earlier run: the table below rests on those labels
        from botwatch.cli.analyze import _models_changed

        # The estimates just written read the study's bot and origin scores and its post labels as
        # they are: after an upgrade that retrained the bot model they are the earlier model's, as
        # `status` and the report say; this command wrote a current-version table from them and
        # said nothing, so its tables read as wholly current.
        for said in _models_changed(st, str(study)):
            warn(said)
        # A rate of 1 scales nothing (docs/methods.md: "--sample-rate 1 counts posts as observed");
        # "scaled by 1/1" read as a platform figure where the report says the counts are not scaled.
        # Where the warning above says the counts are no platform figures, the title says so too (as
        # the report's caption): "scaled by 1/0.01" stood right under it, a platform figure's words.
        scale = ("sample rate 1: counts are as observed, not scaled" if sample_rate == 1
                 else f"counts multiplied by 1/{sample_rate:g}: not platform figures, see the warning above" if sample_rate and not_sample
                 else f"scaled by 1/{sample_rate:g}" if sample_rate else "no sample rate given: counts are as observed")
        if table == "reference":
            out.print(f"[bold]Reference table: {plain(election.name)}[/bold] ({scale}; 95% intervals from a bootstrap over accounts)", highlight=False)
            blocks: dict[str, list] = {}
            for r in reference_rows(st, {p.key: p.name for p in election.parties}):
                blocks.setdefault(r.block, []).append(r)
            for block, rows in blocks.items():
                t = Table(title=block, title_justify="left")
                for c in ("", "observed", "estimate", "95% interval", "accounts"):
                    t.add_column(c, justify="left" if c in ("", "95% interval") else "right")
                for r in rows:
                    if r.note:
                        t.add_row(plain(r.label), "—", "—", plain(r.note), "—")
                    else:
                        t.add_row(plain(r.label), fmt_value(r.observed, r.is_share), fmt_value(r.estimate, r.is_share), interval_text(r.ci_low, r.ci_high, r.is_share, r.n_accounts, r.estimate, r.rate, r.where), f"{r.n_accounts or 0:,}")
                out.print(t)
            # As the report's headline says it: @UKLabour's 1-7 May 2017 read "posts by foreign-origin
            # accounts, 30 days before polling day: observed 0, estimate 0" (and 0 scaled to the
            # platform) from an archive that ends a month before those days began.
            then = st.sql("SELECT observed FROM estimates WHERE period = 'last_30_days' AND account_group = 'all' AND party = '*' AND metric = 'posts'")
            if not then or not then[0][0]:
                out.print("The study holds no election post from the 30 days before polling day, so whether foreign-origin accounts (or any) "
                          "posted then is not measured here: the zeros above are the archive's, not an estimate", highlight=False, markup=False)
        else:
            # Each cell is "estimate [95% interval]", or "estimate *" with a footnote when the cell
            # rests on too few accounts for an interval (as the reference table's "too few
            # accounts"). Cells are escaped: Rich once read "[too few accounts]" as a markup tag
            # and dropped it, so a scaled figure from two accounts printed bare.
            from botwatch import stats
            from botwatch.estimates.compute import MIN_ACCOUNTS_FOR_INTERVAL, NO_ACCOUNTS, TOO_FEW
            from botwatch.estimates.reference import collapsed, zero_rate
            from botwatch.estimates.whole_counts import zero_text

            from botwatch.report.scope import zero_where

            rate = zero_rate(st, "campaign")
            where = zero_where(st, rate)
            from botwatch.estimates.relational import NOT_PARTY_ACCOUNTS

            # The report's figures leave the parties' own accounts out (the estimates' group
            # 'not_party_accounts', written when any of them posted); this table printed the
            # group 'all', so the command said "Labour: 110 supporting" where the report said none.
            has_public = bool(st.sql("SELECT count(*) FROM estimates WHERE account_group = ?", [NOT_PARTY_ACCOUNTS])[0][0])
            group = "all" if all_accounts or not has_public else NOT_PARTY_ACCOUNTS
            cw = contest_words(election)  # a referendum's "sides", not "parties"
            who = (f"all accounts, the {cw.many}' own included" if all_accounts and has_public else "all accounts" if group == "all"
                   else f"all accounts but the {cw.many}' own, as in the report")
            few: list[str] = []
            not_read = False
            partly_read: list[str] = []
            t = Table(title=f"{cw.Many}, campaign window, {who} ({scale}; each cell: estimate [95% interval, bootstrap over accounts])")
            for c in (cw.one, "posts", "support", "oppose", "positive", "negative", "accounts"):
                t.add_column(c, justify="right" if c != cw.one else "left")
            for p in election.parties:
                vals = {m: st.sql("SELECT estimate, ci_low, ci_high, n_accounts FROM estimates WHERE period='campaign' AND account_group=? AND party=? AND metric=?", [group, p.key, m]) for m in ("posts", "support_posts", "oppose_posts", "positive_share", "negative_share", "accounts", "stance_measured_posts")}
                # Posts naming the party, the stance of none of them read (not English, no cue of
                # their own): "0 [no interval]" supporting said no one supported it.
                unread = bool(vals["posts"] and vals["posts"][0][0] and vals["stance_measured_posts"] and not vals["stance_measured_posts"][0][0])
                not_read = not_read or unread
                # Some posts read, most not (a German file: SPD "284 posts, support 0, oppose 5",
                # 6 of them read): the counts stood beside every post naming the party, unqualified.
                seen = st.sql("SELECT m.observed, p.observed FROM estimates m JOIN estimates p USING (period, account_group, party) "
                              "WHERE m.period = 'campaign' AND m.account_group = ? AND m.party = ? AND m.metric = 'stance_measured_posts' "
                              "AND p.metric = 'posts'", [group, p.key])
                if seen and seen[0][0] is not None and seen[0][1] and 0 < seen[0][0] < seen[0][1]:
                    partly_read.append(f"{controls_shown(p.name)} {seen[0][0]:,.0f} of {seen[0][1]:,.0f}")

                def cell(m: str, share: bool = False) -> str:
                    v = vals[m]
                    if not v:
                        return "—"
                    if unread and m in ("support_posts", "oppose_posts"):
                        return "— (not measured)"
                    e, lo, hi, n_acc = v[0]
                    if e is None:  # a share of no post: none in English ("— [—]" read as an interval gone missing)
                        return "— (none in English)"
                    if not share and e == 0 and zero_text(rate):  # none in the sample is not none on the platform
                        return escape(str(zero_text(rate, where)))  # as the report's cell: no "0 (…)" the bound takes back
                    if stats.degenerate_interval(e, lo, hi):  # the report's wording: "0 [no interval (…)]" read as a bracket of its own
                        return escape(collapsed(fmt_value(e, share)))
                    ci = interval_text(lo, hi, share, n_acc, e)
                    if ci == TOO_FEW:
                        few.append(p.name)
                        return f"{fmt_value(e, share)} *"
                    if ci == NO_ACCOUNTS:  # nothing posted: "0 [—]" read as an interval that was lost
                        return escape(f"{fmt_value(e, share)} ({NO_ACCOUNTS})")
                    return escape(f"{fmt_value(e, share)} [{ci}]")

                acc = vals["accounts"][0][3] if vals["accounts"] else 0  # n_accounts of the cell
                t.add_row(plain(p.name), cell("posts"), cell("support_posts"), cell("oppose_posts"), cell("positive_share", True), cell("negative_share", True), f"{acc:,.0f}")
            out.print(t)
            # The shares' denominator, as the report's table and its "In English" column say it:
            # "positive 13.6%" read bare is a share of every post naming the party, where it is a
            # share of those in English with a sentiment score (1,965 of Labour's 2,106 posts on
            # ordinary Brexit tweets; far fewer of a mostly non-English group's).
            out.print(f"positive / negative: shares of the {cw.one}'s posts in English with a sentiment score, not of all its posts "
                      "(posts in other languages have none)", highlight=False, markup=False)
            from botwatch.report.section_parties import _campaign_window
            from botwatch.report.several_sides import posts_supporting_several

            # As the report's Parties section says it. Two parties' pro cues in one post cancel
            # (`rival_cues_cancel`); what is left comes from other cues, the model or the account prior.
            several = posts_supporting_several(st, _campaign_window(st), group == NOT_PARTY_ACCOUNTS)
            if several["posts"]:
                out.print(f"support: {several['posts']:,} of the {several['supporting']:,} posts counted as support (observed) count as support "
                          f"for two {cw.many} or more (two {cw.many}' pro hashtags or slogans in one post cancel to neutral, but other cues, "
                          "the trained model or the account's other posts can still read one post as support for two), so the support column "
                          "adds up to more than the posts; for a referendum's sides, which exclude each other, see docs/elections.md "
                          "(\"A referendum\")", highlight=False, markup=False)
            if partly_read:
                out.print(f"support / oppose: counted among the posts whose stance was read (in English, or carrying a cue for the {cw.one}: "
                          f"a pro or anti hashtag or slogan, its own account), not among all its posts; read, of the posts in the study naming it: "
                          f"{', '.join(partly_read)}. The others are in other languages than English with no cue of their own: not measured, "
                          "counted as neither support nor opposition (the report's \"Read for stance\" column; docs/elections.md)",
                          highlight=False, markup=False)
            if not_read:
                out.print(f"not measured: none of the {cw.one}'s posts is in English or carries a cue for it (a pro or anti hashtag or "
                          "slogan, its own account), so its support and opposition were not read (docs/elections.md)", highlight=False, markup=False)
            from botwatch.report.concentration import TOP, concentrated

            # Where the intervals run narrow, as the report's Parties section says it.
            heavy = concentrated(st, [p.key for p in election.parties], without_own=group == NOT_PARTY_ACCOUNTS)
            if heavy:
                names = {p.key: p.name for p in election.parties}
                # Counted over the posts the table's figures are of (the parties' own left out where they are).
                whose = "all accounts" if group == "all" else f"all accounts but the {cw.many}' own"
                listed = ", ".join(f"{names.get(c.key, c.key)} {fixed(c.share, 0, 100)}%" for c in heavy)
                out.print(f"intervals run too narrow where a few accounts write much of a {cw.one}'s posts: the {TOP} most active accounts wrote "
                          f"{listed} of the posts naming the {cw.one} in the campaign window by {whose} (on ordinary Brexit tweets such intervals "
                          "held a figure drawn again about three times in four where 99 in 100 was due; docs/methods.md)", highlight=False, markup=False)
            if has_public:
                own = st.sql("SELECT a.observed - p.observed FROM estimates a JOIN estimates p USING (period, party, metric) "
                             "WHERE a.period = 'campaign' AND a.party = '*' AND a.metric = 'posts' AND a.account_group = 'all' AND p.account_group = ?", [NOT_PARTY_ACCOUNTS])
                n_own = int(own[0][0]) if own and own[0][0] is not None else 0
                if all_accounts:
                    out.print(f"{n_own:,} of these election posts came from the {cw.many}' own official or allied accounts (the own-account cue counts them as support); "
                              "without --all-accounts they are left out, as in the report", highlight=False, markup=False)
                else:
                    out.print(f"{n_own:,} election posts by the {cw.many}' own official or allied accounts are left out (a {cw.one}'s own feed is not public support); "
                              "--all-accounts counts them too", highlight=False, markup=False)
            if few:
                # A share's accounts are those with a post in its denominator, not the "accounts"
                # column: 100.0% * beside 10 accounts, two of them posting in English, read as a slip.
                out.print(f"* {TOO_FEW} (fewer than {MIN_ACCOUNTS_FOR_INTERVAL}; for a positive or negative share, accounts with an English post "
                          "with a sentiment score) for an interval: not a reliable estimate "
                          f"({controls_shown(', '.join(dict.fromkeys(few)))})", highlight=False, markup=False)
            _labelling_error(st, election)
        if window:
            # The tables above are the campaign's and the 30 days before polling day; a --window's
            # figures were written and never mentioned, as if the option had been ignored.
            names = ", ".join(controls_shown(parse_window(w)[0]) for w in window)
            whose = "its" if len(window) == 1 else "their"
            out.print(f"--window {names}: not in the tables above (the campaign and the 30 days before polling day); {whose} rows are in the "
                      f"`estimates` table, period {names}", highlight=False, markup=False)
        out.print(f"All estimates are in the study's `estimates` table: botwatch export {shell_shown(study)} estimates -o estimates.csv", highlight=False, markup=False)


def _labelling_error(st, election) -> None:  # type: ignore[no-untyped-def]
    """Under the parties table, what its brackets leave out: how far counted shares sat from a
    careful reader's on labelled posts (the observer's own `content evaluate`, else the frozen test
    part; per party where it has 20 pairs: `report.share_check`), and the sentiment check on
    ordinary tweets, as the report's Parties section says them."""
    from botwatch.content.score import stance_measurement
    from botwatch.content.stance import SENTIMENT_EXTERNAL as X
    from botwatch.report.share_check import share_phrases

    lab = stance_measurement(st, election.key)
    said = [note["stance"] for p in election.parties if (note := share_phrases(lab, p.key, p.name)) and "stance" in note
            and "all parties together" not in note["stance"]]
    if not said and (note := share_phrases(lab)) and "stance" in note:
        said = [note["stance"]]
    whose = "your labels" if lab and lab.get("own") else "the frozen test part's hand labels"
    if said:
        out.print(f"Labelling error is not in the brackets ({whose}): " + "; ".join(said) + ".", highlight=False, markup=False)
    out.print(f"Sentiment on {X['scored']:,} ordinary debate tweets labelled by crowd workers: read {fixed(X['positive'][1], 0, 100)}% positive and "
              f"{fixed(X['negative'][1], 0, 100)}% negative where the crowd read {fixed(X['positive'][0], 0, 100)}% and {fixed(X['negative'][0], 0, 100)}% (docs/methods.md).",
              highlight=False, markup=False)
