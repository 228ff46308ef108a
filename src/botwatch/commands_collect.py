"""`botwatch collect {bluesky,mastodon,x}`: live capture into a folder `botwatch ingest` reads.

The commands only parse options and build a `Capture`; the platform modules in
`botwatch.collect` do the work. Exit codes: 0 a clean end (duration, max posts, Ctrl-C, SIGTERM,
a search that reached its end), 2 bad options or a folder that cannot take the capture, 3 refused
credentials, 1 anything else.
"""

from __future__ import annotations

import asyncio
import os
import re
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from botwatch.cli import _fail, _load_election, app, console

collect_app = typer.Typer(help="Collect live posts into a capture folder (gzip JSON lines) that `botwatch ingest` reads.", no_args_is_help=True)
app.add_typer(collect_app, name="collect")

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}

Folder = Annotated[Path, typer.Argument(help="Capture folder (created if missing); one folder holds one sampling rate")]
Election = Annotated[Optional[str], typer.Option("--election", "-e", help="Election preset (or TOML file) whose hashtags, keywords and handles filter the stream")]
Hashtag = Annotated[Optional[list[str]], typer.Option("--hashtag", help="Keep posts with this hashtag (repeatable)")]
Keyword = Annotated[Optional[list[str]], typer.Option("--keyword", help="Keep posts with this word or phrase (repeatable)")]
Sample = Annotated[float, typer.Option("--sample", help="Keep this share of posts, chosen by a hash of the post id (recorded and used to scale estimates)")]
MaxPosts = Annotated[Optional[int], typer.Option("--max-posts", help="End cleanly after writing this many posts")]
Duration = Annotated[Optional[str], typer.Option("--duration", help="End cleanly after this long: 30s, 5m, 2h, 1d")]
Study = Annotated[Optional[Path], typer.Option("--study", help="Follow mode: ingest closed files into this study in batches")]
IngestEvery = Annotated[str, typer.Option("--ingest-every", help="Follow mode: how often to close the file and ingest (e.g. 5m)")]
RotateMb = Annotated[float, typer.Option("--rotate-mb", help="Close a file once it holds this many MB (uncompressed)")]
RotateEvery = Annotated[str, typer.Option("--rotate-every", help="Close a file once it is this old (e.g. 1h)")]
Stall = Annotated[float, typer.Option("--stall", help="Reconnect when nothing (not even a keep-alive) arrives for this many seconds")]
Progress = Annotated[Optional[bool], typer.Option("--progress/--no-progress", help="Live status line (default: only on a terminal)")]
BackoffScale = Annotated[float, typer.Option("--backoff-scale", hidden=True, help="Multiply every self-chosen wait (tests); server-given waits are kept")]


def parse_duration(text: str | None, what: str = "--duration") -> float | None:
    """Seconds from '30s', '5m', '2h', '1d' or a bare number of seconds."""
    if text is None:
        return None
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*", text)
    if not m or float(m.group(1)) <= 0:
        _fail(f"{what} must look like 30s, 5m, 2h or 1d; got {text!r}")
    return float(m.group(1)) * _UNITS[m.group(2) or "s"]


def _common(folder: Path, platform: str, stream: str, *, sample: float, election: Any, hashtag: list[str] | None, keyword: list[str] | None,
            max_posts: int | None, rotate_mb: float, rotate_every: str, progress: bool | None, endpoint: str, ingest_every: float | None,
            keys_of: Callable[[Any], Any], extra: dict[str, Any] | None = None):  # type: ignore[no-untyped-def]
    from botwatch.collect.core import Capture
    from botwatch.collect.filters import PostFilter
    from botwatch.collect.progress import ProgressLine

    if not 0 < sample <= 1:
        _fail(f"--sample must be in (0, 1], got {sample}")
    if max_posts is not None and max_posts <= 0:
        _fail("--max-posts must be positive")
    rotate_s = parse_duration(rotate_every, "--rotate-every") or 3600.0
    if ingest_every:
        rotate_s = min(rotate_s, ingest_every)
    f = PostFilter.build(_load_election(election), hashtag or (), keyword or ())
    return Capture(
        folder, platform, stream, sample_rate=sample, post_filter=f, endpoint=endpoint, max_posts=max_posts,
        rotate_bytes=int(rotate_mb * 1024 * 1024), rotate_seconds=rotate_s, keys_of=keys_of,
        progress=ProgressLine(enabled=progress), extra=extra,
    )


def _run(cap: Any, stream: Callable[[Any], Awaitable[None]], duration: str | None, study: Path | None, ingest_every: float | None) -> None:
    from botwatch.collect.core import CollectError, run_capture

    secs = parse_duration(duration)
    try:
        code = asyncio.run(run_capture(cap, stream, duration=secs, study=study, ingest_every=ingest_every, log=lambda m: console.print(m, highlight=False, markup=False)))
    except CollectError as exc:
        _fail(str(exc), exc.code)
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
    rewind: Annotated[float, typer.Option("--rewind", help="Seconds to rewind the cursor on reconnect; the overlap is dropped by id")] = 5.0,
    max_posts: MaxPosts = None,
    duration: Duration = None,
    study: Study = None,
    ingest_every: IngestEvery = "5m",
    rotate_mb: RotateMb = 64.0,
    rotate_every: RotateEvery = "1h",
    stall: Stall = 30.0,
    progress: Progress = None,
    backoff_scale: BackoffScale = 1.0,
) -> None:
    """Bluesky posts from Jetstream, resumable by its microsecond cursor."""
    from botwatch.collect import jetstream as js

    every = parse_duration(ingest_every, "--ingest-every") if study else None
    cap = _common(folder, "bluesky", "bluesky", sample=sample, election=election, hashtag=hashtag, keyword=keyword, max_posts=max_posts,
                  rotate_mb=rotate_mb, rotate_every=rotate_every, progress=progress, endpoint=endpoint, ingest_every=every, keys_of=js.keys_of)
    _run(cap, js.JetstreamCollector(endpoint, rewind_s=rewind, stall_s=stall, backoff_scale=backoff_scale), duration, study, every)
