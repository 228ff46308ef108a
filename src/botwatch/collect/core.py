"""The part every collector shares: dedupe, sampling, writing and checkpoints.

A platform module turns frames into calls on `Capture`: `post()` for a post (deduplicated by id,
sampled by the hash of its post id, filtered by the caller, written verbatim), `event()` for a
valid non-post event, `aside()` for what cannot be used, and `cursor` for where the stream stands.
`Capture` syncs the open file about once a second and only then saves the cursor, so the state
file never claims more than the disk holds; on start it salvages a file a crash left open and
primes the dedupe memory from the newest files, so the overlap a resume replays is dropped.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from collections.abc import Callable, Iterable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import orjson

from botwatch.collect import state as st
from botwatch.collect.filters import PostFilter, filter_change
from botwatch.collect.progress import ProgressLine, Stats
from botwatch.collect.sampling import id_hash, threshold
from botwatch.collect.writer import RotatingWriter, Salvaged, read_lines, salvage_files, stream_files
from botwatch.shown_text import controls_shown, name_shown
from botwatch.userfile import os_error_said

NOT_JSON: Any = object()  # what Capture.parse_or_aside returns for a frame it kept aside


class CollectError(RuntimeError):
    """A run that cannot go on (bad credentials, a refused request); the message is for the user."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


class StopCapture(Exception):
    """Raised from `Capture.post()` once `--max-posts` posts are written."""


class CaptureWriteError(Exception):
    """The capture folder refused a write (a full disk, a read-only or forbidden folder): the run
    must end. Not an OSError, so a collector that retries on OSError (websockets raises one for a
    lost connection) cannot take the disk for the network and reconnect for ever."""

    def __init__(self, error: OSError) -> None:
        super().__init__(str(error))
        self.error = error


class CaptureCloseError(OSError):
    """`Capture.close()` could not do every step (a full disk, a folder gone); the message says
    which were not done and what the next start does. An OSError, as `run._close` expects."""

    def __init__(self, message: str, error: OSError) -> None:
        super().__init__(error.errno, message)
        self.message, self.error = message, error

    def __str__(self) -> str:
        return self.message


# Closed files this close (seconds) to the newest one prime the dedupe memory on start: far more
# than a replay goes back (Jetstream's rewind, 5 s; X's backfill, at most 5 minutes).
PRIME_WINDOW_S = 600.0


class _Seen:
    """Ids seen recently, in two generations so memory stays bounded and eviction is O(1).

    Only a 64-bit hash of each id is kept (about 60 bytes an entry instead of ~200 for the string);
    the chance that two of a million ids collide, and a post is wrongly taken for a duplicate, is
    about 3 in 10^8.
    """

    def __init__(self, capacity: int) -> None:
        self.half = max(1, capacity // 2)
        self.new: set[int] = set()
        self.old: set[int] = set()

    def add(self, key: str) -> bool:
        """Remember `key`; False when it was already there."""
        key = hash(key)
        if key in self.new or key in self.old:
            return False
        self.new.add(key)
        if len(self.new) >= self.half:
            self.old, self.new = self.new, set()
        return True


def _now_iso() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


# A saved cursor further ahead of this machine's clock than this is no cursor the platform has reached.
FUTURE_CURSOR_S = 600.0


def reached(t: float, now: float) -> bool:
    """Whether a time `t` (seconds since 1970) is one the platform can have reached by this machine's
    clock (`now`): at most `FUTURE_CURSOR_S` ahead of it. One rule for a saved cursor at start-up and
    for each live event or status id the cursor would move to, on every collector."""
    return t <= now + FUTURE_CURSOR_S


def future_words(t: float, now: float) -> tuple[str, str]:
    """A saved cursor's time (seconds since 1970) as words for a warning: (when, how far ahead of `now`)."""
    try:
        when = datetime.fromtimestamp(t, timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
    except (OverflowError, OSError, ValueError):
        when = "beyond any date"
    secs = t - now
    if secs != secs or secs == float("inf"):  # an id past every time (`mastodon.id_time`): no count of days says it
        return when, "immeasurably far"
    ahead = f"{secs / 86400:,.1f} days" if secs >= 172800 else f"{secs / 3600:.1f} hours" if secs >= 7200 else f"{secs / 60:.0f} minutes"
    return when, ahead


def say_on_stderr(message: str) -> None:
    """`Capture.log`'s default, for a capture used from Python outside `run_capture` (a notebook, a
    script): the message on stderr, as a line. It discarded them, so a manifest that could not be
    updated, or a cursor dropped as from the future, went unseen there. Stderr, not `logging`: these
    are warnings for the person running the capture, which an unconfigured `logging` shows only in
    part (nothing below WARNING), and stderr is where the CLI says them too; a notebook shows it.
    Control characters are shown escaped, as the CLI's console does: the lines quote file names
    and servers' reasons. Set `capture.log` to your own callable to take them elsewhere."""
    print(controls_shown(message), file=sys.stderr, flush=True)


# Streams that cannot be resumed by a cursor: what a stopped run did not finish writing is not sent again.
UNRESUMABLE_STREAMS = frozenset({"x-stream"})


def salvage_said(r: Salvaged, *, resumable: bool = True) -> str:
    """The line that says what a start recovered from a capture file a stopped run (kill -9, a
    crash, a power cut) left open, and where it went. Why: the salvage published a file and dropped
    a torn line in silence, so a folder gained a file nobody saw coming, and the one line lost (a
    post the collector fetches again, from the cursor saved before it) was never mentioned.
    `resumable` False (X's filtered stream, which no cursor resumes): the torn line was said to be
    fetched again, and X never sends it again unless a `--backfill-minutes` replay reaches it."""
    where = f"kept in {name_shown(r.final)}" if r.final is not None else "none complete, so nothing was kept and the file was removed"
    again = ("the collector fetches it again from the saved cursor" if resumable else
             "the X filtered stream does not send it again, unless a --backfill-minutes replay reaches back to it")
    torn = f"; its torn last line ({r.torn_bytes:,} bytes) was dropped: {again}" if r.torn_bytes else ""
    return (f"Recovered the capture file {name_shown(r.orphan)} a stopped run left open: {r.lines:,} complete "
            f"line{'s' if r.lines != 1 else ''} {where}{torn}.")


class Capture:
    """One stream written into one capture folder.

    `log` takes the run's notes and warnings, one line a call: stderr by default
    (`say_on_stderr`); `run_capture` points it at its own `log`."""

    def __init__(
        self,
        folder: str | Path,
        platform: str,
        stream: str,
        *,
        sample_rate: float = 1.0,
        post_filter: PostFilter | None = None,
        endpoint: str = "",
        max_posts: int | None = None,
        rotate_bytes: int = 64 << 20,
        rotate_seconds: float = 3600.0,
        sync_seconds: float = 1.0,
        dedupe_capacity: int = 1_000_000,
        keys_of: Callable[[Any], Iterable[str]] | None = None,
        progress: ProgressLine | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        self.folder = Path(folder)
        self.platform, self.stream, self.endpoint = platform, stream, endpoint
        self.sample_rate = sample_rate
        self._threshold = threshold(sample_rate)
        self.filter = post_filter or PostFilter()
        self.max_posts = max_posts
        self.sync_seconds = sync_seconds
        self.keys_of = keys_of
        self.progress = progress or ProgressLine(enabled=False)
        self.extra = extra or {}
        self.stats = Stats()
        # Set by a collector once a connection is open (a WebSocket accepted, a stream or page
        # answered 200): a run that never got one says so and exits 1, instead of 0 with nothing
        # (but for a --duration that ran out before any try failed: `run._ran_out`).
        self.connected = False
        # Set by a collector that found nothing left to ask (a search whose window a finished sweep
        # covered): the run asked nothing and ends 0, not as one that never connected.
        self.nothing_to_fetch = False
        self.last_failure = ""  # why the latest wait before a retry began (said when the run never connected)
        # Whether that wait was a rate limit (429): the server was reached, and the next step is to
        # wait for the limit to lift, not to check the address or the network.
        self.last_failure_limited = False
        self.state: dict[str, Any] = {}
        self.cursor: dict[str, Any] = {}
        self._seen = _Seen(dedupe_capacity)
        self.writer = RotatingWriter(self.folder, stream, max_bytes=rotate_bytes, max_seconds=rotate_seconds)
        self._lock = st.StreamLock(self.folder, stream)
        self._last_sync = time.monotonic()
        self._aside_fh: Any = None
        self._run_index = -1
        self.run_notes: dict[str, Any] = {}  # what this run's manifest entry records beyond its counts (`note_run`)
        self.on_file_closed: Callable[[Path], None] | None = None
        # Called before each state save, so what must be on disk before the cursor passes the posts
        # that led to it (the Bluesky profile lookups' queue) is written first.
        self.before_state_save: Callable[[], None] | None = None
        self.log: Callable[[str], None] = say_on_stderr  # run_capture() points it at its `log` (the CLI's console)
        self._closed = False
        self._manifest_problem_said = False  # `_say_manifest_not_updated` says it once a run

    # -- lifecycle -------------------------------------------------------------------------------
    def open(self) -> "Capture":
        """Lock the stream, salvage what a crash left open, read the state and prime dedupe.

        Whatever stops the opening once the lock is taken (a full disk at the salvage or at the
        manifest, an unreadable state file) releases it: held, it refused every later try in the
        same process (a notebook, follow mode) as "another collector is writing" the stream."""
        self.folder.mkdir(parents=True, exist_ok=True)
        st.meta_dir(self.folder).mkdir(exist_ok=True)
        try:
            self._lock.acquire()
        except st.FolderError as exc:
            raise CollectError(str(exc), 2) from None
        try:
            self._start()
        except st.FolderError as exc:
            self._lock.release()
            raise CollectError(str(exc), 2) from None
        except BaseException:
            self._lock.release()
            raise
        return self

    def _start(self) -> None:
        """Under the lock: salvage, read the state, prime dedupe and record this run in the manifest."""
        self._closed = False  # a Capture opened again after a close closes again (its second close did nothing and kept the lock)
        self._manifest_problem_said = False  # and says a manifest problem of its new run once again
        recovered = salvage_files(self.folder, self.stream)
        for r in recovered:  # said at once: a start that fails below (a state file unreadable, a manifest
            # the disk refuses) has published the files all the same, and no later start finds them to say
            self.log(salvage_said(r, resumable=self.stream not in UNRESUMABLE_STREAMS))
        salvaged = [r.final for r in recovered if r.final is not None]
        st.remove_dead_temps(self.folder)
        loaded = st.read_json(self._state_path())
        self.stats.started = time.monotonic()
        self.state = loaded if isinstance(loaded, dict) else {}
        self.cursor = dict(self.state.get("cursor") or {})
        self.stats.cursor = str(self._cursor_label())
        self._prime(salvaged)
        run = {"platform": self.platform, "stream": self.stream, "endpoint": self.endpoint, "sample_rate": self.sample_rate,
               "filter": self.filter.describe(), "started": _now_iso(), "pid": os.getpid(), **self.extra}
        self.run_notes.pop("salvaged", None)
        if recovered:  # counted in this run's manifest entry, and said
            self.run_notes["salvaged"] = run["salvaged"] = [
                {"file": r.orphan.name, "lines": r.lines, "torn_bytes": r.torn_bytes} for r in recovered]
        # A first run that never connected kept none; one whose files were moved away after their
        # ingest did (its manifest entry counts them), and "no run before it kept a post" was said of it.
        # Both are asked of the runs `begin_run` read to record this one: the manifest is read once.
        files_before = bool(stream_files(self.folder, self.stream))
        self._run_index, earlier = st.begin_run(self.folder, self.sample_rate, run, self.stream)
        manifest = {"runs": earlier}
        kept_before = files_before or st.stream_kept(manifest, self.stream)
        # Compared with the last run that kept posts: a run that never connected, with other terms,
        # between two runs of one filter made the third say posts were kept by different terms.
        before = st.last_filter(manifest, self.stream, kept_only=kept_before)
        if changed := filter_change(before, run["filter"], kept_before):  # said once the run is taken (a refused rate is the one line)
            self.log(changed)

    def _state_path(self) -> Path:
        return st.meta_dir(self.folder) / f"{self.stream}.state.json"

    def _prime_files(self) -> list[Path]:
        """The closed files whose ids may come back in a resumed stream's replay, oldest first.

        The newest two, and every file closed within `PRIME_WINDOW_S` of the newest: runs
        restarted within the rewind (a restart loop, `--ingest-every` closing a file every few
        seconds) each leave a file, and a replay reaching past the newest two wrote their posts
        again. Bounded by the dedupe memory: older files stop being read once it would be full."""
        files = stream_files(self.folder, self.stream)
        if not files:
            return []

        def stat(f: Path) -> tuple[float, int]:  # (closed at, bytes)
            try:
                info = f.stat()
            except OSError:
                return float("-inf"), 0
            return info.st_mtime, info.st_size

        newest = stat(files[-1])[0]
        chosen: list[Path] = []
        budget = self._seen.half  # ids; past it the oldest primed ones would be evicted anyway
        for i, f in enumerate(reversed(files)):
            closed, size = stat(f)
            if i >= 2 and (closed < newest - PRIME_WINDOW_S or budget <= 0):
                break
            chosen.append(f)
            budget -= size // 40  # its posts, roughly (a real post takes a few hundred gzip bytes)
        return chosen[::-1]

    def _prime(self, salvaged: list[Path]) -> None:
        """Remember the ids in the newest files of this stream, so a resumed stream's overlap is dropped."""
        if self.keys_of is None:
            return
        files = self._prime_files()
        for f in sorted(set(files) | set(salvaged)):
            try:
                for line in read_lines(f, tolerate_truncation=True):
                    try:
                        obj = orjson.loads(line)
                    except orjson.JSONDecodeError:
                        continue
                    for k in self.keys_of(obj):
                        self._seen.add(k)
            except OSError:
                continue

    def close(self) -> None:
        """Close the open file (publishing it), save the state, record the run's counts, unlock.

        Every step is tried whatever an earlier one met, and the lock is released in all cases: a
        full disk at the close kept the stream locked for the rest of an in-process run (a notebook,
        a test, follow mode) and left the manifest without the run's counts. The cursor is saved
        only once the file is closed, so it never leads what the disk holds. A second call does
        nothing. Raises `CaptureCloseError` (an OSError) saying what was not done. A manifest that
        cannot be read (corrupted or edited since the run began), is gone (moved away during the
        run), or whose write the disk refuses while the file and cursor were saved, is said once
        through `log` as a warning and does not fail the close: the posts and the cursor are safe on disk, and a run
        that exited 1 for its record alone would send a scheduled job to retry a capture that lost nothing."""
        if self._closed:
            return
        self._closed = True
        failed: dict[str, OSError] = {}
        unreadable = False  # the manifest could not be read: said apart, as a warning
        try:
            try:
                self._close_file()
            except OSError as exc:
                failed["file"] = exc
                self.writer.abandon()  # left `.open-` for the next start's salvage
            if "file" not in failed:
                try:
                    self._save_state()
                    # The summary and the manifest's run record quote the cursor; the last tick's
                    # may be up to a second behind what the closed file and the saved state hold.
                    self.stats.cursor = self._cursor_label()
                except OSError as exc:
                    failed["state"] = exc
            self._close_aside()
            try:
                st.update_run(self.folder, self._run_index, {"ended": _now_iso(), **self.stats.as_dict(profiles=self.platform == "bluesky"), **self.run_notes})
            except (st.UnreadableFile, st.ManifestGone) as exc:
                unreadable = True
                self._say_manifest_not_updated(exc)
            except OSError as exc:
                self._manifest_refused_at_close(exc, failed)
        finally:
            self._lock.release()
            self.progress.clear()
        if failed:
            raise CaptureCloseError(self._close_failure(failed, unreadable), next(iter(failed.values())))

    def _manifest_refused_at_close(self, exc: OSError, failed: dict[str, OSError]) -> None:
        """A manifest write the disk refused at the close: part of the close's error line where the
        file or the cursor failed too (the run exits 1 for those), else one warning and no failure.
        The manifest is the run's record, not its data: with the posts and the cursor on disk, a
        run that exited 1 for it sent a scheduled job to retry a capture that lost nothing, where
        an unreadable manifest (the same record lost) exited 0."""
        if failed:
            failed["manifest"] = exc
        else:
            self._say_manifest_not_updated(exc, closing=True)

    def _close_aside(self) -> None:
        """Close the kept-aside frames' file; each frame was flushed when written, so a refusal loses none."""
        fh, self._aside_fh = self._aside_fh, None
        if fh is not None:
            try:
                fh.close()
            except OSError:
                pass

    def _close_failure(self, failed: dict[str, OSError], unreadable: bool = False) -> str:
        """What a close that met a refusal did not do, what the next start does about it, and what to
        do. `unreadable`: the manifest could not be read, which a warning before this line said."""
        def why(exc: OSError) -> str:
            return os_error_said(exc)

        manifest = name_shown(st.meta_dir(self.folder) / st.MANIFEST)
        parts = []
        if "file" in failed:
            parts.append(f"the open capture file could not be finished ({why(failed['file'])}): the posts written since the last sync "
                         "(about a second) may not be on disk, and the cursor was not saved past them; the next start salvages "
                         "the file and resumes from the last cursor saved, dropping the posts it already holds")
        elif "state" in failed:
            parts.append(f"the cursor was not saved to {name_shown(self._state_path())} ({why(failed['state'])}): the next start "
                         "resumes from the last cursor saved (about a second earlier), dropping the posts it already holds")
        if "manifest" in failed:
            parts.append(f"this run's counts could not be recorded in {manifest} ({why(failed['manifest'])}): its entry there "
                         "has no counts or end time (the summary has them)")
        elif not unreadable:
            parts.append(f"this run's counts are recorded in {manifest}")
        return "; ".join(parts) + ". Free space (or fix the folder's permissions) and run the same command again"

    def note_run(self, key: str, value: Any) -> None:
        """Record `value` under `key` in this run's manifest entry, at once (a run killed later keeps it).

        A manifest that cannot be updated (unreadable, gone, or a write the disk refuses) is said once
        and the capture goes on: its posts are fine, and `run_notes` still reaches the summary's
        record at the close. Any OSError is caught, not only a full disk's: a refused permission or
        a read-only folder stopped an X run (which notes its gaps mid-run) as "an unexpected OSError"."""
        self.run_notes[key] = value
        try:
            st.update_run(self.folder, self._run_index, {key: value})
        except (st.UnreadableFile, st.ManifestGone, OSError) as exc:
            self._say_manifest_not_updated(exc)

    def _say_manifest_not_updated(self, exc: st.UnreadableFile | st.ManifestGone | OSError, closing: bool = False) -> None:
        """Say, once a run, that its manifest entry cannot be updated, why, and what to do. Not a
        failure of the run: its posts are on disk, and the summary has its counts. Dropped in silence,
        the counts (and an X run's gaps) were missing from the manifest, and so from `status` and the
        report, with nothing said. `closing`: said by the close, whose file and cursor are saved."""
        if self._manifest_problem_said:
            return
        self._manifest_problem_said = True
        self.progress.clear()
        self.log(self._manifest_warning(exc, closing))

    def _manifest_warning(self, exc: st.UnreadableFile | st.ManifestGone | OSError, closing: bool = False) -> str:
        """The warning line for a manifest entry this run cannot update, by what stopped it. A
        refused write mid-run lets the capture go on; at the close, the posts and cursor are saved."""
        if isinstance(exc, st.ManifestGone):
            return (f"warning: {name_shown(exc.path)} was removed during this run (moved or deleted), so this run's entry "
                    "there (its counts, any gaps) cannot be updated. The posts and the cursor are saved, and the summary has the "
                    "counts; put the file back before the next run if you moved it (it records the folder's sample rate and "
                    "runs): else the next run starts a new one")
        if isinstance(exc, st.UnreadableFile):
            return (f"warning: this run's entry in {name_shown(exc.path)} cannot be updated (its counts, any gaps): the file is "
                    f"unreadable ({exc.reason}). The posts and the cursor are saved, and the summary has the counts; fix that file "
                    "(it is JSON) or restore it from a backup before the next run")
        manifest = st.meta_dir(self.folder) / st.MANIFEST
        going_on = "The posts and the cursor are saved," if closing else "The capture goes on"
        return (f"warning: this run's entry in {name_shown(manifest)} cannot be updated (its counts, any gaps): writing it failed "
                f"({os_error_said(exc)}). {going_on} and the summary has the counts; free space or fix the permissions "
                f"of {name_shown(st.meta_dir(self.folder))} before the next run")

    def _close_file(self) -> None:
        path = self.writer.close()
        if path is not None and self.on_file_closed is not None:
            self.on_file_closed(path)

    def _save_state(self) -> None:
        if self.before_state_save is not None:
            try:
                self.before_state_save()
            except CaptureWriteError as exc:  # an OSError here, as the state's own write raises: tick and close's callers say it
                raise exc.error from exc
        self.state.update(cursor=self.cursor, updated=_now_iso(), platform=self.platform, endpoint=self.endpoint)
        st.write_json_atomic(self._state_path(), self.state)

    # -- per frame -------------------------------------------------------------------------------
    def sampled(self, post_id: str) -> bool:
        """Whether this post id is in the sample (counts it as unsampled when not)."""
        if self._threshold >= (1 << 64) or id_hash(post_id) < self._threshold:
            return True
        self.stats.unsampled += 1
        return False

    @property
    def full(self) -> bool:
        """Whether `--max-posts` posts are written: a collector fed by several streams asks before it
        moves a stream's cursor past a post, which `post` would then refuse to write."""
        return self.max_posts is not None and self.stats.kept >= self.max_posts

    def post(self, key: str, raw: bytes) -> bool:
        """Write a post unless its key was seen; raises StopCapture once max_posts are written, and
        again, writing nothing, for a post offered after that: several streams feed one capture
        (Mastodon's hashtag streams) and another's post could be written before the stop reached it."""
        if self.full:
            raise StopCapture
        if not self._seen.add(key):
            self.stats.duplicates += 1
            return False
        try:
            self.writer.write(raw)
        except OSError as exc:
            raise CaptureWriteError(exc) from exc
        self.stats.kept += 1
        if self.max_posts is not None and self.stats.kept >= self.max_posts:
            raise StopCapture
        return True

    def first_time(self, key: str) -> bool:
        """Remember a post id; False (and counted as a duplicate) when it was seen before."""
        if self._seen.add(key):
            return True
        self.stats.duplicates += 1
        return False

    def write_posts(self, raw: bytes, n: int) -> None:
        """Write one record holding `n` new posts (a search page, already deduplicated by the caller)."""
        try:
            self.writer.write(raw)
        except OSError as exc:
            raise CaptureWriteError(exc) from exc
        self.stats.kept += n
        if self.max_posts is not None and self.stats.kept >= self.max_posts:
            raise StopCapture

    def event(self, key: str | None, raw: bytes) -> bool:
        """Write a valid non-post event (an identity change, a delete) unless seen."""
        if key is not None and not self._seen.add(key):
            self.stats.duplicates += 1
            return False
        try:
            self.writer.write(raw)
        except OSError as exc:
            raise CaptureWriteError(exc) from exc
        self.stats.kept_other += 1
        return True

    def parse_or_aside(self, raw: bytes | str, what: str = "") -> Any:
        """`raw` parsed as JSON, or `NOT_JSON` once it is kept aside with the parser's message.

        Every collector reads untrusted frames and pages the same way; one helper keeps the reason
        wording ("<what> is not JSON: …") and the count the same across platforms. A sentinel,
        not None, because `null` is valid JSON a caller may want to tell apart.
        """
        try:
            return orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            self.aside(raw, f"{what + ' is ' if what else ''}not JSON: {exc}")
            return NOT_JSON

    def aside(self, raw: bytes | str, reason: str, kind: str = "malformed") -> None:
        """Keep a frame that cannot be used, with why, in `.botwatch/malformed-<stream>.jsonl`."""
        if kind == "unknown":
            self.stats.unknown += 1
        else:
            self.stats.malformed += 1
        text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
        try:
            if self._aside_fh is None:
                self._aside_fh = open(st.meta_dir(self.folder) / f"malformed-{self.stream}.jsonl", "ab")  # noqa: SIM115
            self._aside_fh.write(orjson.dumps({"at": _now_iso(), "kind": kind, "reason": reason, "frame": text[:1_000_000]}) + b"\n")
            self._aside_fh.flush()
        except OSError as exc:
            raise CaptureWriteError(exc) from exc

    def _cursor_label(self) -> str:
        """The cursor as the summary and the manifest say it: `next_token` (where an interrupted X
        search sweep goes on) first, and each value whole. Cut at 60 characters, an X search's
        cursor showed its ids and never the `next_token` a resume pages from. A label over 500
        characters (a server's odd token) is cut there, said by "…". A cursor of one value per
        stream (Mastodon's `{"min_id": {stream: id}}`) is said as how many streams it holds: its
        keys were counted, and three hashtag streams read "1 streams"."""
        items = sorted((kv for kv in self.cursor.items() if not isinstance(kv[1], dict)), key=lambda kv: kv[0] != "next_token")
        text = ",".join(f"{k}={v}" for k, v in items)
        if len(text) > 500:
            return text[:500] + "…"
        if text or not self.cursor:
            return text
        streams = sum(len(v) for v in self.cursor.values() if isinstance(v, dict))
        return f"{streams} stream{'' if streams == 1 else 's'}"

    def tick(self, force: bool = False) -> None:
        """Called often: about once a second, sync the file, then save the cursor; rotate when due."""
        now = time.monotonic()
        if not force and now - self._last_sync < self.sync_seconds:
            return
        self._last_sync = now
        try:
            if self.writer.due():
                self._close_file()
            else:
                self.writer.sync()
            self._save_state()
        except OSError as exc:
            raise CaptureWriteError(exc) from exc
        self.stats.cursor = self._cursor_label()
        self.progress.update(self.stats, self.disk_bytes)

    def rotate(self) -> None:
        """Close the open file now (follow mode does this before each ingest batch)."""
        self._close_file()
        self._save_state()

    @property
    def disk_bytes(self) -> int:
        return self.writer.bytes_closed + self.writer.open_bytes

    async def sleep(self, seconds: float, why: str | None = None, *, limited: bool = False) -> None:
        """Wait, ticking, so the state keeps up while a reconnect waits. A wait with a `why` is a
        retry after a failure, and is said however short: only the waits of a second or more were,
        so the first quick retries after a connection reset mid-answer (0.1 s, 0.3 s on the network
        ladder) went unsaid while the later ones of the same failure were. A wait without one (a
        routine reconnect, a spent quota) is not a failure, and is not said. `limited`: the failure
        was a rate limit (429), kept for the closing line's next step."""
        if why:
            self.last_failure, self.last_failure_limited = why, limited
            self.progress.clear()
            self.log(f"{why}; retrying in {seconds:,.1f} s")
        end = time.monotonic() + seconds
        while True:
            self.tick()
            left = end - time.monotonic()
            if left <= 0:
                return
            await asyncio.sleep(min(left, 0.5))
