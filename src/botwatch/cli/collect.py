"""`botwatch collect {bluesky,mastodon,x}`: live capture into a folder `botwatch ingest` reads.

The commands only parse options and build a `Capture`; the platform modules in
`botwatch.collect` do the work. Exit codes: 0 a clean end (duration, max posts, SIGTERM, a search
that reached its end), 130 Ctrl-C (a clean, resumable stop, as every command's interrupt), 2 bad
options or a folder that cannot take the capture, 3 refused credentials, 1 anything else (a run
that never connected at all included: it captured nothing; and a follow-mode run that ends with
closed files not ingested).
"""

from __future__ import annotations

import os
import re
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from botwatch.cli.common import ElectionOpt, app, console, controls_shown, election_or_fail, fail, finite, local_output, say_if_rare_rate, share
from botwatch.cli.usage_line import CommandTyper
from botwatch.shown_text import name_shown

collect_app = CommandTyper(help="Collect live posts into a capture folder (gzip JSON lines) that `botwatch ingest` reads.", no_args_is_help=True)
app.add_typer(collect_app, name="collect")

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}

Folder = Annotated[Path, typer.Argument(callback=local_output, help="Capture folder (created if missing); one folder holds one sampling rate")]
Election = ElectionOpt  # its hashtags, keywords and party handles filter the stream
Hashtag = Annotated[Optional[list[str]], typer.Option("--hashtag", help="Keep posts with this hashtag (repeatable)")]
Keyword = Annotated[Optional[list[str]], typer.Option("--keyword", help="Keep posts with this word or phrase (repeatable)")]
Sample = Annotated[float, typer.Option("--sample", parser=share, callback=finite(expect="a share above 0 and at most 1 (0.01 for a 1% sample)"), help="Keep this share of posts, chosen by a hash of the post id (recorded and used to scale estimates)")]
MaxPosts = Annotated[Optional[int], typer.Option("--max-posts", help="End cleanly after writing this many posts")]
Duration = Annotated[Optional[str], typer.Option("--duration", help="End cleanly after this long: 30s, 5m, 2h, 1d")]
Study = Annotated[Optional[str], typer.Option("--study", metavar="STUDY", help="Follow mode: ingest closed files into this study in batches")]
IngestEvery = Annotated[Optional[str], typer.Option("--ingest-every", help="Follow mode (with --study): how often to close the file and ingest (default 5m)")]
RotateMb = Annotated[float, typer.Option("--rotate-mb", callback=finite(expect="a number of megabytes above 0"), help="Close a file once it holds this many MB (uncompressed)")]
RotateEvery = Annotated[str, typer.Option("--rotate-every", help="Close a file once it is this old (e.g. 1h)")]
Stall = Annotated[float, typer.Option("--stall", callback=finite(above=0.0), help="Reconnect when nothing (not even a keep-alive) arrives for this many seconds")]
Progress = Annotated[Optional[bool], typer.Option("--progress/--no-progress", help="Live status line (default: only on a terminal)")]
BackoffScale = Annotated[float, typer.Option("--backoff-scale", hidden=True, callback=finite(at_least=0.0), help="Multiply every self-chosen wait (tests); server-given waits are kept")]


def parse_duration(text: str | None, what: str = "--duration") -> float | None:
    """Seconds from '30s', '5m', '2h', '1d' or a bare number of seconds."""
    if text is None:
        return None
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*", text)
    if not m or float(m.group(1)) <= 0:
        fail(f"{what} must look like 30s, 5m, 2h or 1d; got {text!r}")
    return float(m.group(1)) * _UNITS[m.group(2) or "s"]


def address_or_fail(url: str, option: str, schemes: tuple[str, ...]) -> None:
    """A malformed address is the user's typo, said in one line (exit 2) before anything is
    created: `--endpoint notaurl` opened the capture and recorded a run before it was refused,
    and `--base-url notaurl` was retried as a network failure until `--duration` ran out."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        parts, host = None, None
    if parts is not None and "@" in parts.netloc:
        # `--server https://user:pass@host` put user:pass into the stream's name, so into every
        # file name, the state file, the manifest and the console lines: refused, and not echoed.
        fail(f"{option} must not hold a user name or password (the part before '@'): botwatch would write it into file names and the "
             "capture's manifest. Give the address without it; credentials are read from the environment (MASTODON_TOKEN, X_BEARER_TOKEN)")
    if parts is None or parts.scheme not in schemes or not host:
        fail(f"{option} must be a {' or '.join(f'{s}://' for s in schemes)} URL with a host, got {url!r}")
    try:
        _ = parts.port if parts is not None else None  # urlsplit lets a port out of range or not a number through; reading it raises
    except ValueError as exc:
        fail(f"{option} has a bad port ({exc}), got {url!r}")


def follow_every(study: str | None, ingest_every: str | None) -> float | None:
    """Seconds between follow-mode batches (5 minutes unless given), None without `--study`.
    `--ingest-every 10s` without `--study` was ignored in silence: the user waited for batches
    that no run would make."""
    if study is None:
        if ingest_every is not None:
            fail("--ingest-every is for follow mode: give --study STUDY too (the study the closed files are ingested into)")
        return None
    return parse_duration(ingest_every or "5m", "--ingest-every")


def study_or_fail(study: str | None) -> None:
    """A `--study` no batch can ever write is said in one line (exit 2) before anything is created:
    `--study adir/` or `--study missing/s.duckdb` collected for the whole run, each batch failing
    ("is a folder", "No such file or directory"), and ended 0 with nothing ingested."""
    if study is None:
        return
    if study == "":  # as every study argument: it read as the current folder, "--study  is a folder"
        fail("--study is empty (an unset shell variable?)")
    from botwatch.engines.lake import is_lake_path

    if "://" in study or is_lake_path(study):
        return  # a lake: ingest opens it on Spark
    path = Path(study)
    if path.is_dir():
        fail(f"--study {name_shown(study)} is a folder, not a study: follow mode ingests into a DuckDB study file (e.g. study.duckdb) or an existing lake")
    if not path.parent.is_dir():
        fail(f"--study {name_shown(study)}: the folder {name_shown(path.parent)} does not exist (ingest creates the study file, not its folder)")
    import os

    if not os.access(path.parent, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        # Every batch failed ("cannot write to …", "Permission denied") for the whole run, which
        # ended 0 with nothing ingested; `status` and `report` read such a study, ingest cannot.
        fail(f"--study {name_shown(study)}: this user may not write {'the study or ' if path.exists() else ''}its folder {name_shown(path.absolute().parent)} "
             "(read-only?), where each batch's ingest writes the study and its journal (.wal): name a study you can write to")


def terms_or_fail(hashtag: list[str] | None, keyword: list[str] | None) -> None:
    """An empty `--hashtag` or `--keyword` (`--hashtag "$TAG"` with TAG unset, `--hashtag '#'`) is
    said in one line (exit 2): it was dropped, and with no other term the capture kept everything
    the stream sent (the whole Bluesky firehose), recorded as a filter from the command line."""
    for option, values in (("--hashtag", hashtag), ("--keyword", keyword)):
        if any(not v.strip().lstrip("#" if option == "--hashtag" else "").strip() for v in values or ()):
            fail(f"{option} is empty (an unset shell variable?): give the {option[2:]} to keep, or leave {option} out to keep everything")
    for tag in hashtag or ():
        if any(c.isspace() for c in tag.strip()):
            # `--hashtag "Vote Labour"` became the X rule `#Vote Labour` (#Vote AND the word Labour)
            # and, on Mastodon, a hashtag stream no post carries: a filter other than the one asked.
            fail(f"--hashtag {tag.strip()!r} holds a space, which no hashtag does: give each hashtag alone "
                 "(--hashtag VoteLabour), or a phrase with --keyword")


def _common(folder: Path, platform: str, stream: str, *, sample: float, election: Any, hashtag: list[str] | None, keyword: list[str] | None,
            max_posts: int | None, rotate_mb: float, rotate_every: str, progress: bool | None, endpoint: str, ingest_every: float | None,
            keys_of: Callable[[Any], Any], extra: dict[str, Any] | None = None):  # type: ignore[no-untyped-def]
    from botwatch.collect.core import Capture
    from botwatch.collect.filters import PostFilter
    from botwatch.collect.progress import ProgressLine

    terms_or_fail(hashtag, keyword)
    if not 0 < sample <= 1:
        fail(f"--sample must be in (0, 1], got {sample:g}: give a share above 0 and at most 1 (0.01 for a 1% sample)")
    say_if_rare_rate(sample, "--sample", collecting=True)
    if max_posts is not None and max_posts <= 0:
        fail("--max-posts must be positive")
    if rotate_mb <= 0:
        fail("--rotate-mb must be positive")
    rotate_s = parse_duration(rotate_every, "--rotate-every") or 3600.0
    if ingest_every:
        rotate_s = min(rotate_s, ingest_every)
    f = PostFilter.build(election_or_fail(election), hashtag or (), keyword or ())
    return Capture(
        folder, platform, stream, sample_rate=sample, post_filter=f, endpoint=endpoint, max_posts=max_posts,
        rotate_bytes=int(rotate_mb * 1024 * 1024), rotate_seconds=rotate_s, keys_of=keys_of,
        progress=ProgressLine(enabled=progress), extra=extra,
    )


def _run(cap: Any, stream: Callable[[Any], Awaitable[None]], duration: str | None, study: str | None, ingest_every: float | None) -> None:
    import asyncio  # (with ssl, about 0.1 CPU-s that every other command and --help would pay)

    from botwatch.cli import command_started
    from botwatch.collect.core import CollectError
    from botwatch.collect.run import run_capture

    secs = parse_duration(duration)
    study_or_fail(study)
    try:
        code = asyncio.run(run_capture(cap, stream, duration=secs, study=study, ingest_every=ingest_every, log=say, started=command_started()))
    except CollectError as exc:
        fail(str(exc), exc.code)
        return
    if code:
        raise typer.Exit(code)


@collect_app.command("bluesky")
def collect_bluesky(
    folder: Folder,
    election: Election = None,
    hashtag: Hashtag = None,
    keyword: Keyword = None,
    sample: Sample = 1.0,
    endpoint: Annotated[str, typer.Option("--endpoint", help="Jetstream subscribe URL (a private relay, a test server)")] = "wss://jetstream2.us-east.bsky.network/subscribe",
    rewind: Annotated[float, typer.Option("--rewind", callback=finite(at_least=0.0), help="Seconds to rewind the cursor on reconnect; the overlap is dropped by id")] = 5.0,
    max_posts: MaxPosts = None,
    duration: Duration = None,
    study: Study = None,
    ingest_every: IngestEvery = None,
    rotate_mb: RotateMb = 64.0,
    rotate_every: RotateEvery = "1h",
    stall: Stall = 30.0,
    progress: Progress = None,
    profiles: Annotated[bool, typer.Option("--profiles/--no-profiles", envvar="BOTWATCH_BLUESKY_PROFILES",
                                           help="Look up the profile (creation date, follower, follow and post counts, description) of each account whose posts are kept, once per capture")] = True,
    appview: Annotated[str, typer.Option("--appview", help="Bluesky AppView the profiles are looked up at (app.bsky.actor.getProfiles)")] = "https://public.api.bsky.app",
    backoff_scale: BackoffScale = 1.0,
) -> None:
    """Bluesky posts from Jetstream, resumable by its microsecond cursor; the profiles of their accounts from the AppView."""
    from botwatch.collect import jetstream as js
    from botwatch.collect.bsky_profiles import ProfileLookups
    from botwatch.collect.filters import listed

    address_or_fail(endpoint, "--endpoint", ("ws", "wss"))
    if profiles:
        address_or_fail(appview, "--appview", ("https", "http"))
    every = follow_every(study, ingest_every)
    cap = _common(folder, "bluesky", "bluesky", sample=sample, election=election, hashtag=hashtag, keyword=keyword, max_posts=max_posts,
                  rotate_mb=rotate_mb, rotate_every=rotate_every, progress=progress, endpoint=endpoint, ingest_every=every, keys_of=js.keys_of)
    cap.filter, elsewhere = cap.filter.handles_of("bluesky")
    if elsewhere:
        if cap.filter.empty:  # with no term left the capture would keep the whole firehose
            fail(f"the filter's handles name no Bluesky account ({listed(elsewhere)}), and it has no other term: "
                 "give Bluesky handles (they have a dot), --hashtag or --keyword")
        say(f"{len(elsewhere)} handle(s) not applied, as they name no Bluesky account (a Bluesky handle has a dot): {listed(elsewhere)}")
    lookups = ProfileLookups(appview, backoff_scale=backoff_scale) if profiles else None
    _run(cap, js.JetstreamCollector(endpoint, rewind_s=rewind, stall_s=stall, backoff_scale=backoff_scale, profiles=lookups), duration, study, every)


@collect_app.command("mastodon")
def collect_mastodon(
    folder: Folder,
    server: Annotated[str, typer.Option("--server", help="The Mastodon server whose streams are read")] = "https://mastodon.social",
    election: Election = None,
    hashtag: Hashtag = None,
    keyword: Keyword = None,
    sample: Sample = 1.0,
    max_posts: MaxPosts = None,
    duration: Duration = None,
    study: Study = None,
    ingest_every: IngestEvery = None,
    rotate_mb: RotateMb = 64.0,
    rotate_every: RotateEvery = "1h",
    stall: Stall = 90.0,
    progress: Progress = None,
    backoff_scale: BackoffScale = 1.0,
) -> None:
    """Mastodon statuses from hashtag streams (SSE), gaps filled by REST paging; token from MASTODON_TOKEN."""
    from botwatch.collect import mastodon as md
    from botwatch.collect.filters import PostFilter

    address_or_fail(server, "--server", ("https", "http"))
    server = md.server_address(server)  # one spelling per server, before it names the stream: both spellings resume one capture
    terms_or_fail(hashtag, keyword)
    full = PostFilter.build(election_or_fail(election), hashtag or (), keyword or ())
    streams = md.hashtag_streams(full.hashtags)
    tags = streams.tags
    if streams.short:
        from botwatch.collect.filters import short_spellings_line

        say(short_spellings_line(streams.short))
    if tags:  # hashtag streams are filtered by the server; keywords can only filter the public stream
        applied = PostFilter(hashtags=full.hashtags, origin=f"{full.origin}: hashtag streams (Mastodon streams by hashtag; keywords and handles not applied)")
        unused = [f"{len(full.keywords)} keyword(s)"] * bool(full.keywords) + [f"{len(full.handles)} handle(s)"] * bool(full.handles)
        if unused:
            say(f"{' and '.join(unused)} not applied: with hashtags, Mastodon's hashtag streams are read, which the server filters "
                "by hashtag only (without hashtags, keywords filter the public stream)")
    else:
        applied, elsewhere = full.handles_of("mastodon")
        if elsewhere:
            from botwatch.collect.filters import listed  # not at the top: `botwatch --help` imports no asyncio

            if applied.empty:  # with no term left the public stream would be kept whole
                fail(f"the filter's handles name no Mastodon account ({listed(elsewhere)}), and it has no other term: "
                     "give Mastodon handles (name@server), --hashtag or --keyword")
            say(f"{len(elsewhere)} handle(s) not applied, as they name no Mastodon account (a Mastodon handle is name@server): "
                f"{listed(elsewhere)}")
    every = follow_every(study, ingest_every)
    cap = _common(folder, "mastodon", md.stream_name(server), sample=sample, election=None, hashtag=None, keyword=None,
                  max_posts=max_posts, rotate_mb=rotate_mb, rotate_every=rotate_every, progress=progress, endpoint=server,
                  ingest_every=every, keys_of=md.keys_of, extra={"streams": [f"hashtag:{t}" for t in tags] or ["public"]})
    cap.filter = applied
    _run(cap, md.MastodonCollector(server, os.environ.get("MASTODON_TOKEN") or None, tags, stall_s=stall, backoff_scale=backoff_scale), duration, study, every)


@collect_app.command("x")
def collect_x(
    folder: Folder,
    stream: Annotated[bool, typer.Option("--stream", help="Read the v2 filtered stream (rules from the filter)")] = False,
    search: Annotated[Optional[str], typer.Option("--search", help="Run this v2 search query to its end, paging")] = None,
    since: Annotated[Optional[str], typer.Option("--since", help="Search from this UTC date or time (2017-05-01); older than 7 days uses full-archive search")] = None,
    until: Annotated[Optional[str], typer.Option("--until", help="Search up to this UTC date or time, not including it (2017-06-09: to the end of June 8)")] = None,
    election: Election = None,
    hashtag: Hashtag = None,
    keyword: Keyword = None,
    sample: Sample = 1.0,
    base_url: Annotated[str, typer.Option("--base-url", help="API base URL")] = "https://api.x.com",
    max_rules: Annotated[int, typer.Option("--max-rules", help="Rules your access level allows (Pro: 1000)")] = 1000,
    max_rule_length: Annotated[int, typer.Option("--max-rule-length", help="Characters per rule your access level allows (Pro: 1024)")] = 1024,
    backfill_minutes: Annotated[int, typer.Option("--backfill-minutes", help="Ask the stream to replay up to 5 minutes after a reconnect, and at a start within 5 minutes of the last run (where allowed)")] = 0,
    max_posts: MaxPosts = None,
    duration: Duration = None,
    study: Study = None,
    ingest_every: IngestEvery = None,
    rotate_mb: RotateMb = 64.0,
    rotate_every: RotateEvery = "1h",
    stall: Stall = 30.0,
    progress: Progress = None,
    backoff_scale: BackoffScale = 1.0,
) -> None:
    """X API v2: the filtered stream (--stream) or search (--search); bearer token from X_BEARER_TOKEN."""
    from datetime import datetime, timedelta, timezone

    from botwatch.collect import x as xm

    if stream == (search is not None):
        fail("give exactly one of --stream or --search QUERY")
    if stream and (since is not None or until is not None):
        # Ignored in silence, the live stream was read from now on: the capture was taken for one
        # that went back to --since (or stopped at --until).
        fail(f"{'--since' if since is not None else '--until'} bounds a search (--search QUERY): the filtered stream (--stream) "
             "sends posts from now on only; leave it out, or use --search with the window")
    if search is not None and not search.strip():
        # Sent as it was, X refused it only after the capture folder and a run record were written.
        fail("--search is empty (an unset shell variable?): give the X search query to run, e.g. --search '#GE2017 lang:en'")
    if search is not None:
        # The query names the stream (its state, files and dedupe): " #GE2017 " kept a capture
        # apart from "#GE2017"'s and did not resume it, and so did "a  b" or a tab from "a b" (one
        # search to X, which splits terms on any run of blanks). Each run of blanks is one space,
        # sent and named alike; a query typed with single spaces is unchanged.
        search = " ".join(search.split())
    if not 0 <= backfill_minutes <= 5:  # X answers 400 to any other, at each reconnect, which was retried for ever
        fail(f"--backfill-minutes must be 0 to 5 (X replays at most 5 minutes after a reconnect), got {backfill_minutes}")
    for option, value in (("--max-rules", max_rules), ("--max-rule-length", max_rule_length)):
        if value < 1:
            # Taken as given, no term fitted: the capture folder and a run record were written, then the run
            # ended with "give X handles, --hashtag or --keyword" to a user who had given them.
            fail(f"{option} must be at least 1 (what your access level allows; Pro: {1000 if option == '--max-rules' else 1024}), got {value}")
    address_or_fail(base_url, "--base-url", ("https", "http"))

    def when(text: str | None, opt: str) -> datetime | None:
        if text is None:
            return None
        try:
            d = datetime.fromisoformat(text)
            d = d.replace(tzinfo=timezone.utc) if d.tzinfo is None else d
            d.astimezone(timezone.utc)  # a moment before year 1 or after 9999 in UTC: said here, not as a bug of botwatch later
        except ValueError:
            fail(f"{opt} must be a date or date-time like 2017-05-01 or 2017-05-01T12:00:00, got {text!r}")
            raise
        except OverflowError:
            fail(f"{opt} {text} is out of the range of dates: give a date or date-time like 2017-05-01")
            raise
        return d

    # A window that holds nothing is a usage error before any request, not an empty capture.
    s, u = when(since, "--since"), when(until, "--until")
    if s is not None and s > datetime.now(timezone.utc):
        fail(f"--since {since} is in the future: nothing has been posted after it yet")
    if u is not None and u > datetime.now(timezone.utc) - timedelta(seconds=10):
        # X refuses an end_time less than 10 seconds before the request (400): it was sent, and the
        # run ended on X's JSON error after the capture folder and a run record were written.
        fail(f"--until {until} is in the future (or less than 10 seconds ago): X searches only up to 10 seconds before the request; "
             "leave --until out to search up to now")
    if s is None and u is not None and u < datetime.now(timezone.utc) - xm.RECENT_REACH:
        # Without --since the search is the recent one, which X runs on the last 7 days only: an
        # older end_time was sent and refused (400) after the capture folder and a run record were written.
        fail(f"--until {until} is more than 7 days back, beyond X's recent search (the last 7 days), which is used without --since: "
             "give --since too, for the full-archive search (where your access level includes it)")
    if s is not None and u is not None and u <= s:
        fail(f"--until {until} is not later than --since {since}: the search window would be empty")
    token = os.environ.get("X_BEARER_TOKEN", "").strip()
    if not token:
        fail("set X_BEARER_TOKEN to your app's bearer token (it is read from the environment, never from the command line)")

    every = follow_every(study, ingest_every)
    if stream:
        cap = _common(folder, "x", "x-stream", sample=sample, election=election, hashtag=hashtag, keyword=keyword, max_posts=max_posts,
                      rotate_mb=rotate_mb, rotate_every=rotate_every, progress=progress, endpoint=base_url, ingest_every=every, keys_of=xm.keys_of)
        runner: Any = xm.XStream(base_url, token, rules_filter=cap.filter, max_rules=max_rules, max_rule_len=max_rule_length, stall_s=stall,
                                 backfill_minutes=backfill_minutes, backoff_scale=backoff_scale, log=say)
    else:
        if election or hashtag or keyword:
            fail("--search takes its filter from the query itself; --election/--hashtag/--keyword apply to --stream")
        cap = _common(folder, "x", xm.search_stream_name(search or "", xm.since_spelling(s)), sample=sample, election=None, hashtag=None, keyword=None,
                      max_posts=max_posts, rotate_mb=rotate_mb, rotate_every=rotate_every, progress=progress, endpoint=base_url,
                      ingest_every=every, keys_of=xm.keys_of, extra={"query": search, "since": since, "until": until})
        from botwatch.collect.filters import PostFilter

        cap.filter = PostFilter(origin=f"search query: {search}")
        runner = xm.XSearch(base_url, token, search or "", since=s, until=u, backoff_scale=backoff_scale, stall_s=max(stall, 60.0))
    _run(cap, runner, duration, study, every)


def say(line: str) -> None:
    """One collector log line on the console: it names folders, files, endpoints and errors that
    quote them (a server's reason, a file name with an ESC in it), so control characters are shown
    escaped (`controls_shown`), never sent to the terminal raw."""
    console.print(controls_shown(line), highlight=False, markup=False)
