"""`botwatch timeline`: the stored posts-per-bucket series as a table; `botwatch impact`: the lead-lag test of automated accounts against the rest, for one party at
a chosen frequency, printed and stored in the `impact` / `impact_irf` tables."""

from __future__ import annotations

import math
import re
from datetime import datetime, timedelta
from typing import Annotated, Optional

import typer
from rich.markup import escape
from rich.table import Table

from botwatch.cli.common import (
    ElectionOpt, EngineOpt, SparkMasterOpt, StudyArg, app, console, election_or_fail, fail, no_posts_line, open_or_fail, out, plain, wide_when_piped,
)
from botwatch.count_text import counted
from botwatch.prob_text import percent
from botwatch.shown_text import name_shown, shell_shown


def _stored_election(params: dict) -> object:
    """The election the study was analysed with, or None (with a note) when it cannot be loaded:
    the window is a convenience here, so a missing preset file should not stop the test."""
    ref = params.get("election")
    if not isinstance(ref, str):
        return None
    from botwatch.elections import ElectionError
    from botwatch.elections.recorded import recorded_election

    try:
        return recorded_election(params)
    except (ElectionError, OSError):
        console.print(f"[yellow]note[/yellow] the study was analysed with election {escape(repr(ref))}, which cannot be loaded here; using all buckets", highlight=False)
        return None


def _last_analysed_without_election(study: object) -> bool:
    """True when the study's stages were last run with `--no-election`: `impact`, a stage that needs
    an election, then stops in one line as `analyze --only impact` does, instead of taking the merged
    record's election (an older stage's) and recording it. Different elections in different stages
    are left to the merged record, as before (the window is a convenience here)."""
    from botwatch.elections import ElectionError
    from botwatch.elections.recorded import NO_ELECTION, study_election_record

    try:
        if study_election_record(study) != NO_ELECTION:
            return False
    except ElectionError:
        return False
    return True


class _UnloadedElection:
    """The election a study was analysed with, by name only, when its preset cannot be loaded:
    `impact` is given its party and window explicitly, so the name is all the run records."""

    def __init__(self, key: object) -> None:
        self.key = key if isinstance(key, str) else None
        self.parties: tuple = ()
        self.country = None


def _known_parties(study: object, election: object) -> list[str]:
    """The party keys `--party` accepts: the election's, else those the timeline holds."""
    if election is not None:
        return [p.key for p in getattr(election, "parties", ())]
    rows = study.sql("SELECT DISTINCT value FROM timeline WHERE dimension = 'party' ORDER BY 1")  # type: ignore[attr-defined]
    return [r[0] for r in rows]


@app.command()
def impact(
    study: Annotated[str, typer.Argument(metavar="STUDY", help="The study, analysed with an election: a DuckDB file (study.duckdb), or a lake folder or URL of Parquet tables (opened with Spark)")],
    party: Annotated[str, typer.Option("--party", "-p", help="Party key of the election (a referendum's side, a candidate), e.g. labour")],
    freq: Annotated[str, typer.Option("--freq", help="Bucket size: 1h, 3h, 6h, 1d …")] = "1h",
    election: ElectionOpt = None,
    start: Annotated[Optional[datetime], typer.Option(help="First UTC time to use (default: the election window's start)")] = None,
    end: Annotated[Optional[datetime], typer.Option(help="Last UTC time to use (default: the election window's end)")] = None,
    maxlags: Annotated[int, typer.Option(min=1, help="Largest VAR lag order tried (chosen by AIC)")] = 12,
    horizon: Annotated[int, typer.Option(min=1, help="Impulse-response horizon in buckets")] = 12,
    engine: EngineOpt = None,
    spark_master: SparkMasterOpt = None,
) -> None:
    """Do likely automated accounts' volume and sentiment about a party lead those of the other
    scored accounts (bot probability below 0.5)? Accounts without a bot probability are in neither
    series; the output says how many posts and accounts that leaves out, and why.
    (Granger causality both ways and VAR impulse responses; a lead in time, not persuasion.)
    The election's window bounds the series (default: the one the study was analysed with; after
    `analyze --no-election`, pass --election)."""
    from botwatch.impact.stage import SERIES_WORDS, campaign_window, coverage_sentence, pandas_freq, statsmodels_available, window_span
    from botwatch.pipeline import Context, PipelineError, analyze as run_stages
    from botwatch.report.context import latest_params

    if not statsmodels_available():
        fail("the impact tests need statsmodels: pip install botwatch[time]")
    try:
        bucket = pandas_freq(freq)
    except ValueError as exc:
        fail(str(exc))
    if re.match(r"0*(\.0*)?[a-zA-Z]", bucket):  # '0h' passed, then pandas divided by zero: "a bug in botwatch"
        fail(f"frequency {freq!r} is a bucket of no time: use e.g. 1h, 6h, 1d")
    if start is not None and end is not None and start > end:  # said "no posts about the party in the window"
        fail(f"--start {start:%Y-%m-%d %H:%M} is after --end {end:%Y-%m-%d %H:%M}")
    with open_or_fail(study, engine=engine, master=spark_master) as st:
        if "timeline" not in st.tables():
            from botwatch.report.staleness import ELECTION_PLACEHOLDER, election_placeholder_said

            fail(f"no timeline in {name_shown(study)}: run `botwatch analyze {shell_shown(study)} --election {ELECTION_PLACEHOLDER}` first, "
                 f"and {election_placeholder_said()}")
        if not election and _last_analysed_without_election(st):
            # As `analyze --only impact` with none and `estimate`: it used the merged record's
            # election (an older stage's) and recorded it, bringing back what --no-election put aside.
            fail("impact needs --election (this study was last analysed with --no-election): a preset (`botwatch elections list`, e.g. uk-ge2017) or a TOML file")
        el = election_or_fail(election) if election else _stored_election(latest_params(st))
        if el is None and not isinstance(latest_params(st).get("election"), str):
            # Never analysed with one: any --party passed, the stage ran, and the line said "the
            # posts are not labelled for parties yet (run the content stage)", exit 1, though the
            # content stage had run (it labels parties only for an election).
            fail("impact needs --election (this study was not analysed with one): a preset (`botwatch elections list`, e.g. uk-ge2017) or a TOML file")
        known = _known_parties(st, el)
        if known and party not in known:
            # In the election's words: a referendum's refusal said "no party 'x'; parties: leave, remain".
            from botwatch.elections.contest import contest_words

            words = contest_words(el)
            fail(f"no {words.one} {party!r}" + (f" in {el.key}" if el is not None else "") + f"; {words.many}: {', '.join(known)}")
        w0, w1 = campaign_window(el)
        first, last = start or w0, end or w1
        if first is not None and last is not None and first > last:
            # One bound given, the other the election window's: said "No posts about Labour in the
            # window", as if the party had gone unmentioned, when the window held no time at all.
            a = f"--start {first:%Y-%m-%d %H:%M}" if start is not None else f"the election window's start ({first:%Y-%m-%d %H:%M} UTC)"
            b = f"--end {last:%Y-%m-%d %H:%M}" if end is not None else f"the election window's end ({last:%Y-%m-%d %H:%M} UTC)"
            fail(f"the window is empty: {a} is after {b}; pass " + ("--end" if end is None else "--start") + " as well, or a bound inside the window")
        # The one runner, as `analyze --only impact` for one party and these settings (one `runs` row).
        ctx = Context(
            election=el if el is not None else _UnloadedElection(latest_params(st).get("election")),
            options={"impact_parties": [party], "impact_freq": freq, "impact_start": first, "impact_end": last,
                     "impact_maxlags": maxlags, "impact_horizon": horizon},
            log=lambda m: console.print(m, highlight=False, markup=False),
        )
        try:
            run_stages(st, ctx, only=["impact"])
        except PipelineError as exc:
            fail(str(exc))
        found = ctx.results.get("impact", {"rows": [], "notes": []})
        rows = found["rows"]
        for n in found["notes"]:
            console.print(f"[yellow]note[/yellow] {plain(n)}", highlight=False)
        from botwatch.elections import party_name

        name = party_name(el, party)  # the party as the notes and the report call it: "Labour", not "labour"
        if not rows:
            # The notes above already say why (too few posts, no scored accounts); the error only
            # closes with that, it does not repeat or contradict it.
            why = ": the note above says why" if found["notes"] else ""
            fail(f"no impact test for {name} at {freq}{why}", code=1)
    t = Table(title=plain(name) + f": likely automated vs other scored accounts (bot probability below 0.5), {freq} buckets")
    for c in ("measure", "direction", "buckets", "diff", "lags", "F", "p", "q", "peak response [95%]"):
        # "volume" and "sentiment" whole at 80 columns (they were cut to "vo…" once q took its place)
        t.add_column(c, justify="right" if c not in ("measure", "direction") else "left", min_width=len("sentiment") if c == "measure" else None)
    # q: Benjamini-Hochberg over the tests in this table. The table printed each test's p alone, four
    # (or more) tests a party, with nothing to say they were uncorrected; the report's q is over every
    # impact test of the study, so the two may differ when other parties were tested too.
    from botwatch.stats import bh_adjusted

    tested = [i for i, r in enumerate(rows) if r["p_value"] is not None and math.isfinite(r["p_value"])]
    q = dict(zip(tested, bh_adjusted([rows[i]["p_value"] for i in tested]).tolist())) if tested else {}
    for i, r in enumerate(rows):
        t.add_row(
            r["measure"], f"{SERIES_WORDS.get(r['cause'], r['cause'])} → {SERIES_WORDS.get(r['effect'], r['effect'])}", f"{r['n_obs']:,}", str(r["differences"]), str(r["lag"]), f"{r['f_stat']:.2f}",
            f"{r['p_value']:.3g}", f"{q[i]:.3g}" if i in q else "—", f"{r['irf_peak']:.3f} [{r['irf_peak_low']:.3f}, {r['irf_peak_high']:.3f}] at +{r['irf_peak_h']}",
        )
    out.print(t)
    out.print(f"q: p adjusted for the {counted(len(tested), 'test')} above (Benjamini-Hochberg); read a test as a lead only where q is small, "
              "not p alone.", highlight=False)
    # The window the test covered: partial buckets at its edges are left out (docs/methods.md, Impact),
    # and an unaligned --start or --end was trimmed without a word.
    if rows[0].get("window_custom"):
        of = (f"--start {start:%Y-%m-%d %H:%M}" if start is not None else "the election window's start" if w0 is not None else "the first post") + " … " + (
            f"--end {end:%Y-%m-%d %H:%M}" if end is not None else "the election window's end" if w1 is not None else "the last post")
    else:
        of = "the election's window" if w0 is not None or w1 is not None else "the study (the election's window is not known here)"
    out.print(f"Window tested: {window_span(rows[0].get('window_start'), rows[0].get('window_end'))}, the whole {freq} buckets of {of}.",
              highlight=False, markup=False)
    if rows[0].get("posts_automated") is not None:  # what the two series hold, and what neither does
        out.print(plain(coverage_sentence(name, rows[0])), highlight=False)
    for r in rows:  # the fit's own caveats (series still not stationary): stored, and printed nowhere
        if r.get("notes") and r["cause"] == "automated":
            out.print(f"note {r['measure']}: {r['notes']}; read its F test with care.", highlight=False, markup=False)
    out.print("Granger causality is a lead in time, not persuasion: a shared news driver reaching automated accounts first gives the same result.")


def _value_headers(st: object, dimension: str, values: list[str]) -> list[str]:
    """The columns' headers as the report names the series: a party by its name in the election
    the study was analysed with ("Democrats (Clinton)", "support for Democrats (Clinton)",
    "Democrats (Clinton), by foreign origin accounts"), not its stored key ("democrat:support");
    other dimensions as stored. The election is the timeline stage's own (`stage_election`: None,
    and so the keys, where it recorded none or it cannot be loaded here)."""
    if dimension == "kind":  # every reader stores a boost or repost as "retweet": the column says the platform's word, as the report does
        from botwatch.reshare_words import study_reshare

        noun = study_reshare(st).noun
        return [noun if v == "retweet" else v for v in values]
    if dimension not in ("party", "party_stance", "party_group"):
        return values
    from botwatch.elections.recorded import stage_election
    from botwatch.timeline.series import series_label

    el = stage_election(st, "timeline")
    return [series_label(el, dimension, v).split(": ", 1)[-1] for v in values]


def _column_order(value: str) -> tuple[str, int]:
    """Columns in text order but for a trailing number, compared as a number: "cluster 2" before
    "cluster 10", as the coordination table lists them (text order put cluster 10 and 11 between
    1 and 2)."""
    head, _, tail = value.rpartition(" ")
    return (head, int(tail)) if head and tail.isdigit() else (value, -1)


TIMELINE_FREQS = ("day", "hour")
TIMELINE_CLOCKS = ("utc", "local")
MAX_TIMELINE_ROWS = 400


# Dimensions whose columns hold only some posts: sentiment is read in English only, and only
# accounts with a bot probability are likely automated or not.
PARTIAL_DIMENSIONS = ("sentiment", "automated")


def _partial_words(dimension: str, held: int, every: int) -> str:
    """What the columns of a partial dimension leave out, as the report's captions say it
    (`timeline.report._sentiment_coverage`, `_automated_coverage`): `botwatch timeline -d automated`
    printed the 524 posts of scored accounts on the IRA tweets of November 2016 and nothing of the
    35,465 in neither column, where the report's chart says how many its two lines hold."""
    share = f"{held:,} of the {every:,} posts of these buckets ({percent(held / every)})"
    if dimension == "automated":
        return (f"the automated columns hold {share}: the other posts' accounts have no bot probability (no profile facts the bot model "
                "reads), so they are in neither column and whether they are automated is unknown")
    return (f"the sentiment columns hold {share}: sentiment is read in English only, so posts in other languages (and posts without text) "
            "are in none, not counted as neutral")


def _real_start(key: tuple[datetime, int | None]) -> datetime:
    """The UTC start of a (bucket, utc_offset_minutes) key: the order the buckets happened in."""
    bucket, offset = key
    return bucket - timedelta(minutes=offset or 0)


def bucket_words(bucket: datetime, offset: int | None, *, freq: str, clock: str) -> str:
    """A timeline bucket as the table prints it: a day, or an hour with, on the local clock, its
    offset from UTC ("2017-10-29 02:00 +02:00", then "2017-10-29 02:00 +01:00"), so the two hours
    the wall clock repeats when clocks go back read as the two hours they were."""
    if freq == "day":
        return bucket.strftime("%Y-%m-%d")
    shown = bucket.strftime("%Y-%m-%d %H:00")
    if clock != "local" or offset is None:
        return shown
    sign, minutes = ("-" if offset < 0 else "+"), abs(offset)
    return f"{shown} {sign}{minutes // 60:02d}:{minutes % 60:02d}"


@app.command()
def timeline(
    study: StudyArg,
    dimension: Annotated[str, typer.Option("--dimension", "-d", help="How posts are grouped: all, platform, kind, sentiment, automated, origin, cluster, party, party_stance, party_group")] = "all",
    freq: Annotated[str, typer.Option("--freq", help="Bucket length: day or hour")] = "day",
    clock: Annotated[str, typer.Option("--clock", help="utc, or local (the election's time zone)")] = "utc",
    since: Annotated[Optional[datetime], typer.Option(help="First bucket to show (YYYY-MM-DD, on that clock)")] = None,
    until: Annotated[Optional[datetime], typer.Option(help="Last bucket to show (YYYY-MM-DD, on that clock)")] = None,
    engine: EngineOpt = None,
    spark_master: SparkMasterOpt = None,
) -> None:
    """Posts per day (or hour) from the study's timeline, one column per group of the dimension:
    the numbers the report's timelines draw. The whole table: `botwatch export STUDY timeline -o t.csv`
    (layout in docs/exports.md)."""
    if freq not in TIMELINE_FREQS:
        fail(f"--freq {freq!r}: use one of {', '.join(TIMELINE_FREQS)}")
    if clock not in TIMELINE_CLOCKS:
        fail(f"--clock {clock!r}: use one of {', '.join(TIMELINE_CLOCKS)}")
    if since is not None and until is not None and since > until:  # said "no day buckets with posts ... in that range", exit 0
        fail(f"--since {since:%Y-%m-%d %H:%M} is after --until {until:%Y-%m-%d %H:%M}")
    with open_or_fail(study, read_only=True, engine=engine, master=spark_master) as st:
        if "timeline" not in st.tables():
            fail(f"no timeline in {name_shown(study)}: run `botwatch analyze {shell_shown(study)}` (stage timeline) first")
        dims = [r[0] for r in st.sql("SELECT DISTINCT dimension FROM timeline ORDER BY 1")]
        if not dims and st.count("posts") == 0:
            # A study of profiles alone said "no dimension 'all' in the timeline; dimensions: ",
            # an empty list, exit 2, where `estimate` and `coordination` say it has no posts.
            fail(no_posts_line(study, "to draw a timeline of"), code=1)  # README: exit 1, a study with no posts to analyze
        if dimension not in dims:
            fail(f"no dimension {dimension!r} in the timeline of {name_shown(study)}; dimensions: {', '.join(dims)}")
        where, params = ["freq = ?", "clock = ?", "dimension = ?"], [freq, clock, dimension]
        if since is not None:
            where.append("bucket >= ?")
            params.append(since)
        if until is not None:
            where.append("bucket <= ?")
            # A date alone means the whole day: hourly buckets up to 23:00 of it (a daily bucket is midnight).
            params.append(until.replace(hour=23, minute=59) if until.time() == datetime.min.time() else until)
        # A timeline written before hours were keyed by their offset has no such column: read as
        # it is (its repeated hour is one bucket), and say so below, rather than stop.
        keyed = "utc_offset_minutes" in st.columns("timeline")
        offset_col = "utc_offset_minutes" if keyed else "CAST(NULL AS INTEGER)"
        rows = st.sql(f"SELECT bucket, {offset_col} AS utc_offset_minutes, value, posts, accounts FROM timeline WHERE {' AND '.join(where)} "
                      "ORDER BY bucket, utc_offset_minutes DESC, value", params)
        # every group of the dimension is a column, in the range or not, so the columns are the same whatever the dates
        values = sorted((r[0] for r in st.sql("SELECT DISTINCT value FROM timeline WHERE freq = ? AND clock = ? AND dimension = ? ORDER BY 1", [freq, clock, dimension])),
                        key=_column_order)
        headers = _value_headers(st, dimension, values)
        n_clusters = st.sql("SELECT count(DISTINCT cluster_id) FROM cluster_members")[0][0] if dimension == "cluster" and "cluster_members" in st.tables() else 0
        # Every post of the same buckets, for what the sentiment columns leave out.
        every = (st.sql(f"SELECT sum(posts) FROM timeline WHERE {' AND '.join(where)}", [freq, clock, "all", *params[3:]])[0][0]
                 if dimension in PARTIAL_DIMENSIONS else None)
    if not rows:
        console.print(f"no {freq} buckets with posts for {dimension} in that range", highlight=False, markup=False)
        if every:  # posts there are, in no column: the IRA tweets' 35,465 posts of November 2016 under -d automated
            console.print(_partial_words(dimension, 0, every), highlight=False, markup=False)
        return
    # An hour is its wall time and its offset: the two 02:00 hours of a night the clocks go back
    # are two rows (`series.aggregate`), in the order they happened.
    table: dict[tuple[datetime, int | None], dict[str, tuple[int, int]]] = {}
    for bucket, offset, value, posts, accounts in rows:
        table.setdefault((bucket, offset), {})[value] = (posts, accounts)
    buckets = sorted(table, key=_real_start)
    shown = buckets[-MAX_TIMELINE_ROWS:]
    t = Table(title=f"Posts per {freq} ({'UTC' if clock == 'utc' else 'election local time'}), by {dimension}; buckets without posts left out")
    t.add_column(freq)
    for h in headers:
        t.add_column(plain(h), justify="right")
    if len(values) == 1:
        t.add_column("accounts", justify="right")
    for b in shown:
        cells = [f"{table[b][v][0]:,}" if v in table[b] else "0" for v in values]
        if len(values) == 1:
            cells.append(f"{table[b][values[0]][1]:,}" if values[0] in table[b] else "0")
        t.add_row(bucket_words(*b, freq=freq, clock=clock), *cells)
    wide_when_piped().print(t)
    if every:
        held = sum(r[3] for r in rows)
        if held < every:  # sentiment is English only: a Duma 2016 study's columns held 61% of its posts, unsaid
            console.print(_partial_words(dimension, held, every), highlight=False, markup=False)
    if n_clusters > len(values):  # the stage keeps the largest alone (timeline.groups.MAX_CLUSTERS): say so, as the report does
        console.print(f"the timeline keeps the {len(values):,} largest of the study's {n_clusters:,} clusters; the others' members: "
                      f"botwatch export {shell_shown(study)} cluster_members -o cluster_members.csv", highlight=False, markup=False)
    if not keyed and clock == "local" and freq == "hour":
        console.print(f"this timeline was written before each local hour was kept apart by its offset from UTC: the hour the clocks repeat "
                      f"when they go back is one bucket holding both hours' posts; run `botwatch analyze {shell_shown(study)} --only timeline` "
                      "again to split it", highlight=False, markup=False)
    if len(buckets) > len(shown):
        console.print(f"showing the last {len(shown):,} of {len(buckets):,} buckets: narrow it with --since/--until, or export the table "
                      f"(botwatch export {shell_shown(study)} timeline -o timeline.csv)", highlight=False, markup=False)
