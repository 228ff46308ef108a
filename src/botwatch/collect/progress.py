"""Counters of a capture, the live progress line (only on a terminal) and the closing summary."""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from typing import TextIO

from botwatch.count_text import counted
from botwatch.shown_text import controls_shown


@dataclass
class Stats:
    """What a run saw: every frame lands in exactly one of kept, duplicates, filtered, unsampled,
    other (valid events that are not posts and were not kept), malformed, unknown, disconnect
    notices (X saying it closes its stream: no bad data, so not among the frames kept aside)."""

    received: int = 0
    kept: int = 0  # posts written
    kept_other: int = 0  # non-post events written (identity, account, deletes)
    duplicates: int = 0
    filtered: int = 0
    unsampled: int = 0
    other: int = 0
    malformed: int = 0
    unknown: int = 0
    disconnect_notices: int = 0
    reconnects: int = 0
    # Bluesky profiles looked up beside the stream (`bsky_profiles`): written, not returned by the
    # AppView, given up after failed lookups, not queued (the queue full), not queued (the post's
    # `did` not of DID syntax), left for the next run, and of those the ones the folder refused to
    # save (so the next run does not know of them)
    profiles: int = 0
    profiles_missing: int = 0
    profile_failures: int = 0
    profiles_not_asked: int = 0
    profiles_not_did: int = 0
    profiles_waiting: int = 0
    profiles_not_saved: int = 0
    cursor: str = ""
    started: float = field(default_factory=time.monotonic)

    def as_dict(self, profiles: bool = True) -> dict[str, int | str]:
        """The counts a manifest's run entry records; without the Bluesky profile counters unless
        `profiles` (an X or Mastodon run asks no AppView: zeros there read as lookups that found nothing)."""
        return {k: v for k, v in self.__dict__.items() if k != "started" and (profiles or k not in PROFILE_COUNTERS)}


PROFILE_COUNTERS = ("profiles", "profiles_missing", "profile_failures", "profiles_not_asked", "profiles_not_did", "profiles_waiting",
                    "profiles_not_saved")


def human_bytes(n: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:,.0f} {unit}" if unit == "B" else f"{n:,.1f} {unit}"
        n /= 1024
    return f"{n:,.1f} TiB"


class ProgressLine:
    """A one-line live status on stderr, redrawn at most twice a second; silent when not a terminal
    (a log file gets the summary, not thousands of carriage returns)."""

    def __init__(self, stream: TextIO | None = None, enabled: bool | None = None) -> None:
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self._last = 0.0
        self._last_kept = 0
        self._last_t = time.monotonic()
        self._rate = 0.0

    def update(self, s: Stats, disk_bytes: int, force: bool = False) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if not force and now - self._last < 0.5:
            return
        dt = now - self._last_t
        if dt > 0:
            self._rate = (s.kept - self._last_kept) / dt
        self._last, self._last_t, self._last_kept = now, now, s.kept
        line = (
            f"\r{self._rate:,.0f} posts/s | kept {s.kept:,} | dropped {s.filtered + s.unsampled:,} | dup {s.duplicates:,} | "
            f"bad {s.malformed + s.unknown:,} | reconnects {s.reconnects:,} | cursor {controls_shown(s.cursor[:24])} | {human_bytes(disk_bytes)} on disk"
        )
        self.stream.write(line[:200] + "\x1b[K")
        self.stream.flush()

    def clear(self) -> None:
        if self.enabled:
            self.stream.write("\r\x1b[K")
            self.stream.flush()


def profiles_line(s: Stats) -> str:
    """The summary's line on the Bluesky profiles looked up (empty where none was asked), so a
    capture whose lookups failed says so beside its posts instead of leaving the accounts bare."""
    if not any(getattr(s, k) for k in PROFILE_COUNTERS):
        return ""
    parts = [f"{s.profiles:,} written", f"{s.profiles_missing:,} not found (deleted or taken down)"]
    if s.profile_failures:
        parts.append(f"{s.profile_failures:,} failed (the AppView did not answer; the warnings above say why)")
    if s.profiles_not_asked:
        parts.append(f"{s.profiles_not_asked:,} not asked (too many waiting)")
    if s.profiles_not_did:
        parts.append(f"{s.profiles_not_did:,} not a DID, not looked up")
    if s.profiles_not_saved:
        some = "" if s.profiles_not_saved == s.profiles_waiting else f"{s.profiles_not_saved:,} of them "
        parts.append(f"{s.profiles_waiting:,} waiting, {some}NOT saved for the next run (the capture folder refused the write: "
                     "free space or fix its permissions, then run the same command again)")
    elif s.profiles_waiting:
        parts.append(f"{s.profiles_waiting:,} waiting, asked by the next run")
    return "Bluesky profiles: " + "; ".join(parts) + "\n"


def summary(s: Stats, disk_bytes: int, files: int, folder: str, folder_files: int | None = None) -> str:
    """The closing lines printed on every exit: `files` and `disk_bytes` are this run's, and
    `folder_files` the stream's closed files in the folder, earlier runs' included."""
    secs = max(time.monotonic() - s.started, 1e-9)
    return (
        f"kept {counted(s.kept, 'post')} (+{counted(s.kept_other, 'other event')}) in {secs:,.1f} s ({s.kept / secs:,.0f} posts/s); "
        f"received {s.received:,}; filtered out {s.filtered:,}; not in sample {s.unsampled:,}; duplicates dropped {s.duplicates:,}; "
        f"not posts {s.other:,}; malformed {s.malformed:,}; unknown {s.unknown:,}; reconnects {s.reconnects:,}"
        + (f" (X's disconnect notices {s.disconnect_notices:,})" if s.disconnect_notices else "") + "\n"
        + profiles_line(s)
        + f"this run: {files} closed file(s), {human_bytes(disk_bytes)}, in {folder}"
        + (f" (it holds {folder_files} closed file(s) of this stream in all)" if folder_files is not None else "")
        + f"; last cursor {s.cursor or '—'}"
    )
