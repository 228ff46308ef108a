"""X (Twitter) API v2: the filtered stream and recent / full-archive search, with a bearer token.

Stream: the preset's terms become rules (tagged `botwatch:N`, replacing earlier botwatch rules,
leaving others alone), the stream is read line by line (blank lines are keep-alives; none for
`--stall` seconds means a dead connection) and each envelope `{data, includes, matching_rules}` is
written verbatim. The stream cannot be resumed by id; `--backfill-minutes` asks X to replay up to
5 minutes on reconnect where the access level allows it (and, on a run's first connection, the
minutes since the last run where that is within 5: `XStream.replay_between`), and the overlap is dropped by tweet id.
What a disconnection lost beyond what the replay was seen to cover (`XStream.judge_replay`), and the
time between two runs, is recorded as a gap in the run's manifest entry (`XStream.note_gap`), as the
search records what it cannot fetch.

Search: pages are written as X sent them (tweets already on disk or outside the sample removed).
The state keeps `next_token`, so a restart continues the pagination, and the newest id of the last
finished sweep, so the next run asks only for newer tweets (`since_id`).
"""

from __future__ import annotations

import contextlib
import hashlib
import math
import time
from collections.abc import Iterable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import httpx
import orjson

from botwatch.collect.core import NOT_JSON, Capture, CollectError, StopCapture
from botwatch.collect.filters import PostFilter, listed, short_spellings_line, x_rules
from botwatch.collect.state import FolderError, meta_dir, read_manifest, utc_time
from botwatch.ingest.fields import record_json
from botwatch.shown_text import name_shown, shell_shown
from botwatch.collect.httpbase import (FAILED_REQUEST, MAX_RESPONSE, NETWORK_ERRORS, TooLarge, Waits, body_excerpt, capped_lines, client, fetch, honour_quota, read_capped,
                                       refusal, wait_after, wait_after_failed)

DEFAULT_BASE = "https://api.x.com"
TWEET_FIELDS = "attachments,author_id,context_annotations,conversation_id,created_at,entities,geo,id,in_reply_to_user_id,lang,public_metrics,possibly_sensitive,referenced_tweets,reply_settings,source,text,withheld"
USER_FIELDS = "created_at,description,entities,id,location,name,pinned_tweet_id,profile_image_url,protected,public_metrics,url,username,verified,withheld"
EXPANSIONS = "author_id,referenced_tweets.id,referenced_tweets.id.author_id,in_reply_to_user_id,attachments.media_keys,entities.mentions.username"
FIELDS = {"tweet.fields": TWEET_FIELDS, "user.fields": USER_FIELDS, "expansions": EXPANSIONS}
HINT = "Check the bearer token in X_BEARER_TOKEN and that your access level includes this endpoint."


def keys_of(obj: Any) -> Iterable[str]:
    """Tweet ids in a stream envelope or a search page."""
    data = obj.get("data") if isinstance(obj, dict) else None
    items = data if isinstance(data, list) else [data] if isinstance(data, dict) else []
    return [str(t["id"]) for t in items if isinstance(t, dict) and t.get("id") is not None]


def search_stream_name(query: str, since: str | None) -> str:
    """Each distinct search keeps its own files and state."""
    return "x-search-" + hashlib.sha1(f"{query}\x00{since or ''}".encode()).hexdigest()[:10]


def since_spelling(since: datetime | None) -> str | None:
    """`--since` one way per moment, to name the stream: the UTC date alone at midnight, else the
    UTC time to the second (what the search is sent as `start_time`). Named by the text as typed,
    `2017-06-01`, `2017-06-01T00:00:00Z` and `2017-06-01T02:00+02:00` kept three captures: a
    re-run with another spelling started over and wrote every tweet again. The spellings of the
    help (`2017-05-01`, `2017-05-01T12:00:00`) are unchanged, so their captures still resume."""
    if since is None:
        return None
    t = since.astimezone(timezone.utc)
    return t.strftime("%Y-%m-%d") if t.strftime("%H:%M:%S") == "00:00:00" else t.strftime("%Y-%m-%dT%H:%M:%S")


# Recent search reaches back 7 days; an hour is kept in hand for clocks that differ and a sweep's own time.
RECENT_REACH = timedelta(days=6, hours=23)
_ID_EPOCH_MS = 1288834974657  # X ids since November 2010 carry their time: milliseconds since this, shifted 22 bits left


def id_time(tweet_id: Any) -> datetime | None:
    """The time an X id carries, or None: not a number, or less than a day past the ids' epoch (an id
    from before November 2010, which carries no time, or a made-up one)."""
    try:
        ms = int(str(tweet_id)) >> 22
    except ValueError:
        return None
    if ms < 86_400_000:
        return None
    try:
        return datetime.fromtimestamp((ms + _ID_EPOCH_MS) / 1000, timezone.utc)
    except (OverflowError, OSError, ValueError):
        return None


class SearchComplete(Exception):
    """Nothing in the search's window is left to fetch: the run ends as a search at its end (exit 0),
    with the message said as a line."""


def _utc_text(t: datetime) -> str:
    return t.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _id_gt(a: str, b: str | None) -> bool:
    return b is None or (len(a), a) > (len(b), b)


def _spans_text(spans: list[tuple[str, str]]) -> str:
    return " and ".join(f"from {a} to {b}" for a, b in spans)


def rules_answer(resp: httpx.Response, body: bytes) -> dict[str, Any]:
    """The JSON object X answers a rules request with; a `CollectError` saying what came instead
    (a proxy's or captive portal's HTML page, a truncated body). It ended the run with "the
    collector stopped on an unexpected JSONDecodeError", which read as a fault of botwatch."""
    try:
        obj = orjson.loads(body)
    except orjson.JSONDecodeError:
        obj = None
    if isinstance(obj, dict):
        return obj
    detail = body_excerpt(body, 200)
    raise CollectError(f"X answered the request to {resp.request.url.path} with {resp.status_code} but not with a JSON object "
                       f"({detail or 'an empty body'}): is a proxy or login page between this machine and X?", 3)


def no_such_path(cap: Capture, resp: httpx.Response, body: bytes) -> None:
    """A 404 before anything was ever answered is the address, not an outage: `--base-url
    https://api.x.com/2` asked for /2/2/tweets/search/recent and was retried for ever, one
    "answered 404; retrying" line after another. Raised as a usage error (exit 2)."""
    if resp.status_code == 404 and not cap.connected:
        raise CollectError(f"X answered 404 (no such path) to {resp.request.url.path}: {body_excerpt(body, 200) or 'no detail'}. "
                           "Check --base-url: it is the API's address without a path (https://api.x.com)", 2)


# X replays at most this far back before a connection (`backfill_minutes`, 1 to 5).
REPLAY_REACH_S = 300.0

# X's stream sends a keep-alive at least this often, and a replay as fast as it can: keep-alives
# alone this long after a replay's newest post show that X had nothing more of it to send.
REPLAY_QUIET_S = 20.0

# A disconnection shorter than this is counted in one record per run (`XStream.note_gap`), not listed.
SHORT_GAP_S = 60.0


def search_folder(folder: Path) -> Path:
    """The folder beside capture `folder` that a search filling its gaps is told to write to. Named
    as given where that names the capture (`cap`, `../cap`); a capture collected into `.` or `..`
    was told `.-search` or `..-search`, a hidden folder inside the capture or one beside its parent."""
    base = folder if folder.name not in ("", ".", "..") else folder.resolve()
    return Path(f"{base}-search")


def gap_search_advice(cap: Capture, frm: str, to: str, max_len: int) -> str:
    """How to fetch a stream gap's posts, as a command that runs when pasted. The advice was
    `collect x --search QUERY ...`: no program name, no capture folder (required), and a QUERY the
    user could only fill by knowing the stream's rules. The search goes to a folder of its own
    beside the capture (one folder holds one stream's rate), at the capture's rate, with the
    stream's rules as its query where they fit in one (`max_len`, `--max-rule-length`: X's search
    takes a query as long as a rule); else one search per rule, the first named."""
    rules = [str(r["value"]) for r in cap.state.get("rules") or [] if isinstance(r, dict) and r.get("value")]
    if not rules:
        return "no search can fetch them, as the stream had no rules to search with"
    query = rules[0] if len(rules) == 1 else " OR ".join(f"({r})" for r in rules)
    # The rate as recorded, to the last digit (`repr`): `:g` kept six, so 0.123456789 became a
    # search at 0.123457, another sample of the gap's posts and a second rate in the study.
    rate = f" --sample {cap.sample_rate!r}" if cap.sample_rate != 1 else ""

    def command(q: str) -> str:
        return f"`botwatch collect x {shell_shown(search_folder(cap.folder))} --search {shell_shown(q, is_path=False)} --since {frm} --until {to}{rate}`"

    if len(query) <= max_len:
        return f"{command(query)} can fetch them"
    where = name_shown(meta_dir(cap.folder) / f"{cap.stream}.state.json")
    return (f"one search per rule of the stream's {len(rules)} (recorded under \"rules\" in {where}) can fetch them, "
            f"the first {command(rules[0])}")


def disconnections_why(n: int, seconds: float) -> str:
    """The reason a record of `n` short disconnections (`XStream.note_gap`) gives."""
    return (f"{n:,} disconnection{'' if n == 1 else 's'} of X's filtered stream, each under {SHORT_GAP_S:.0f} s, "
            f"{'under 1 s' if seconds < 1 else f'{seconds:,.0f} s'} in all")


def disconnect_notice(obj: dict[str, Any]) -> bool:
    """Whether a stream message is X's notice that it closes the connection
    (`{"errors": [{"title": "operational-disconnect", "disconnect_type": ...}]}`): it was kept aside
    as an unknown frame and counted among `status`'s bad frames, though it is no bad data; what the
    disconnection lost is recorded as a gap (`XStream.note_gap`)."""
    errors = obj.get("errors")
    return isinstance(errors, list) and any(
        isinstance(e, dict) and ("disconnect_type" in e or e.get("title") == "operational-disconnect"
                                 or str(e.get("type", "")).endswith("/operational-disconnect")) for e in errors)


def merged_gaps(gaps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A capture's recorded gaps as `status` and the report say them: its runs' records of short
    stream disconnections (`disconnections`) as one, from the first to the last, their counts and
    seconds added; the others as they are. Each run records its own: a capture run an hour at a time
    for a month listed one such line per run, hundreds of them. Records that cannot be added (a
    count or seconds not a number) are left as they are."""
    counted, others = [], []
    for g in gaps:
        n, secs = g.get("disconnections"), g.get("seconds", 0)
        ok = (isinstance(n, int) and not isinstance(n, bool) and n > 0 and isinstance(secs, (int, float)) and not isinstance(secs, bool)
              and isinstance(g.get("from"), str) and isinstance(g.get("to"), str))
        (counted if ok else others).append(g)
    if len(counted) < 2:
        return gaps
    n, secs = sum(g["disconnections"] for g in counted), float(sum(g.get("seconds", 0) for g in counted))
    return [*others, {"from": min(g["from"] for g in counted), "to": max(g["to"] for g in counted), "disconnections": n,
                      "seconds": round(secs, 1), "why": disconnections_why(n, secs)}]


class XStream:
    """The v2 filtered stream into a `Capture`."""

    def __init__(self, base_url: str, token: str, *, rules_filter: PostFilter, max_rules: int = 1000, max_rule_len: int = 1024,
                 stall_s: float = 30.0, backfill_minutes: int = 0, backoff_scale: float = 1.0, log: Any = print,
                 max_response: int = MAX_RESPONSE) -> None:
        self.base, self.token, self.filter = base_url.rstrip("/"), token, rules_filter
        self.max_rules, self.max_rule_len = max_rules, max_rule_len
        self.stall_s, self.backfill = stall_s, backfill_minutes
        self.waits = Waits(backoff_scale)
        self.log = log
        self.max_response = max_response  # bytes of one answer, or of one line of the stream
        self.last_seen: datetime | None = None  # when this run's stream last sent anything (answered, a post, a keep-alive)
        self.long_gaps: list[dict[str, Any]] = []  # this run's disconnections of SHORT_GAP_S or more, one record each
        self.short_gaps: dict[str, Any] | None = None  # this run's shorter ones, in one record
        # A reconnect that asked a replay: its gap is recorded once the replay shows how far back it
        # reached (`judge_replay`): {"from": last data before the drop, "answered": …, "minutes": …, "between": …}.
        self.pending: dict[str, Any] | None = None
        self.replay_newest: datetime | None = None  # the newest replayed post's time, until the replay is seen over
        self.replay_at: datetime | None = None  # when the last replayed post arrived (`replay_quiet`)
        self.answered: datetime | None = None  # when the connection now read was answered

    def note_gap(self, cap: Capture, reconnected: datetime | None, between_runs: bool = False, start: datetime | None = None,
                 replay: str = "") -> None:
        """Record in this run's manifest entry what the stream lost since it last sent anything
        (`last_seen`), up to `reconnected` (the moment the new connection was answered; None: the run
        ended disconnected, and lost up to now). The posts of a disconnection were lost in silence:
        `status` and the report's Methods, which say a capture's `gaps`, said nothing of them, and the
        user told to fill a gap with `--search` was never told when one happened.

        `start`: where the gap begins (default `last_seen`); `replay`: what `--backfill-minutes` showed
        of it, added to the reason (`judge_replay`: the gap then ends where the replay was seen to reach).

        Bounds are to the second, widened outwards (from its start's second to past its end's), so a
        gap is never narrower than the posts lost. So that a stream reconnected every few minutes for
        a month does not flood `status` and the report with hundreds of gaps of a few seconds, a
        disconnection under `SHORT_GAP_S` (a stall noticed, a reconnect at once) is counted in one
        record per run, from the first such to the last, with how many and how long in all
        (`disconnections`, `seconds`: "some of the posts" of that span were lost); a longer one, an
        outage worth filling with `--search`, has a record of its own and is said as it is recorded.

        `between_runs`: the span is from the last data an earlier run of the capture received (or the
        end it recorded a gap up to; `stream_seen` in the state) to this run's first answer: the
        stream is not read between two runs (`--stream` from cron, a restart) and X sends nothing again."""
        start = start or self.last_seen
        if start is None:  # no connection of this run was ever answered: nothing was being received
            return
        end = reconnected or datetime.now(timezone.utc)
        if end <= start:
            return  # the replay reached back past the last data before the drop
        frm = _utc_text(start)
        to = _utc_text(end.replace(microsecond=0) + timedelta(seconds=1) if end.microsecond else end)
        seconds = (end - start).total_seconds()
        if seconds < SHORT_GAP_S:
            short = self.short_gaps or {"from": frm, "disconnections": 0, "seconds": 0.0}
            n, total = short["disconnections"] + 1, short["seconds"] + seconds
            self.short_gaps = {"from": short["from"], "to": to, "disconnections": n, "seconds": total, "why": disconnections_why(n, total)}
        else:
            why = ("the collector was not running between two runs of this capture, and X's filtered stream cannot be resumed"
                   if between_runs else "X's filtered stream was disconnected") + (f"; {replay}" if replay else "")
            self.long_gaps.append({"from": frm, "to": to, "why": why})
            cap.log(f"gap: the stream was {'not read (between two runs)' if between_runs else 'disconnected'} from {frm} to {to} and "
                    "the posts sent meanwhile were not received (recorded "
                    f"as a gap in the capture's manifest): {gap_search_advice(cap, frm, to, self.max_rule_len)} "
                    "(ingest drops the posts both captures hold)")
        cap.note_run("gaps", [*self.long_gaps, *([{k: round(v, 1) if k == "seconds" else v for k, v in self.short_gaps.items()}]
                                                 if self.short_gaps else [])])

    def judge_replay(self, cap: Capture, post_time: datetime | None) -> None:
        """Record a replayed reconnect's gap once it is known how far back the replay reached.

        `--backfill-minutes` was taken as given where asked: a gap ended N minutes before the
        reconnect, though X may replay less (its cap, an access level) or the connection may break
        during the replay. The replay is now taken as far as it is seen: X sends it oldest first, so
        the first post of the connection (`post_time`), where older than the answer, shows where it
        reached, and the gap ends there (none where it reached back past the drop); a first post newer
        than the answer, or none before the connection ends (`post_time` None), shows no replay, and
        the whole span is a gap. Until a post newer than the answer comes, or keep-alives alone for
        `REPLAY_QUIET_S` after its posts (`replay_quiet`), the replay is not over: a connection that
        breaks before that leaves its span after the newest replayed post (`replay_newest`) to the
        next gap (`replay_cut`)."""
        p, self.pending = self.pending, None
        if p is None:
            return
        answered, minutes = p["answered"], p["minutes"]
        # A run's first connection asks only the minutes since the last run (`replay_between`), said as such.
        part = "" if str(self.backfill) == minutes else f" of the {minutes} minute{'' if minutes == '1' else 's'} since the last run"
        if post_time is not None and post_time < answered:
            self.replay_newest, self.replay_at = post_time, self.last_seen
            reach = (f"the replay{part} that --backfill-minutes {self.backfill} asked" if part else f"--backfill-minutes {minutes}") + (
                f" replayed it back to {_utc_text(post_time)} only, as its oldest replayed post shows")
            self.note_gap(cap, post_time, p["between"], p["from"], reach)
        else:
            self.note_gap(cap, answered, p["between"], p["from"],
                          f"--backfill-minutes {self.backfill} asked a replay{part}, but no replayed post showed that X replayed any of it"
                          if part else f"--backfill-minutes {minutes} was asked, but no replayed post showed that X replayed any of it")

    def replay_quiet(self, now: datetime) -> bool:
        """Whether a replay judged but not seen over (no post newer than the answer came) is over by
        `now`, a keep-alive `REPLAY_QUIET_S` or more after its last post: X sends keep-alives when it
        has nothing to send, and a replay at once. Why: a quiet filter sends no post newer than the
        answer for hours, and a connection that went on with keep-alives alone after the replay left
        `stream_seen` at its newest replayed post: the next run recorded this run's connected time as
        "not running between two runs" (and a reconnect, as disconnected)."""
        return (self.pending is None and self.replay_newest is not None and self.replay_at is not None
                and (now - self.replay_at).total_seconds() >= REPLAY_QUIET_S)

    def replay_cut(self, cap: Capture) -> None:
        """The connection ended: a replay not yet judged records its whole span; one judged but not
        over (no post newer than the answer came) leaves the span after its newest post to the next gap.
        One judged only now (no post came: keep-alives alone) has its gap recorded up to the answer,
        and the stream stands at its last data: `stream_seen`, not moved on while the replay was
        unjudged, kept the earlier run's end, and the next run recorded this run's connected time
        as "not running between two runs"."""
        unjudged = self.pending is not None
        self.judge_replay(cap, None)
        if self.replay_newest is not None and self.last_seen is not None and self.replay_newest < self.last_seen:
            self.last_seen = cap.state["stream_seen"] = self.replay_newest
        elif unjudged and self.last_seen is not None:
            cap.state["stream_seen"] = self.last_seen
        self.replay_newest = None

    async def sync_rules(self, http: httpx.AsyncClient, cap: Capture) -> None:
        """Make the account's `botwatch:` rules the filter's; report what did not fit."""
        if self.filter.empty:
            # A failed read is waited out and tried again, as with a filter: a network error ended the
            # run ("stopped on an unexpected ConnectError"), and a 503 was said as "0 existing rule(s)".
            while True:
                try:
                    r, body = await fetch(http, "GET", "/2/tweets/search/stream/rules", limit=self.max_response)
                except TooLarge as exc:
                    self.log(f"no filter given: the stream sends what the app's existing rules match (their list was not read: {exc})")
                    return
                except NETWORK_ERRORS as exc:
                    await wait_after(cap, self.waits, None, exc)
                    continue
                if r.status_code in (401, 403):
                    raise refusal("X", r, body, HINT)
                if r.status_code == 200:
                    break
                no_such_path(cap, r, body)
                await wait_after(cap, self.waits, r)
            existing = rules_answer(r, body).get("data") or []
            cap.state["rules"] = existing
            self.log(f"no filter given: the stream sends what the app's {len(existing)} existing rule(s) match"
                     + ("; with none it sends nothing (give --election, --hashtag or --keyword)" if not existing else ""))
            return
        packed = x_rules(self.filter, self.max_rules, self.max_rule_len)
        if packed.not_x:
            self.log(f"{len(packed.not_x)} handle(s) left out of the X rules as they name no X account (a Bluesky handle has a dot, "
                     f"a Mastodon one is user@server): {listed(packed.not_x)}")
        if packed.short:
            self.log(short_spellings_line(packed.short))
        if packed.left_out:
            self.log(f"{len(packed.left_out)} term(s) did not fit in {self.max_rules} rules of {self.max_rule_len} characters: {listed(packed.left_out)}")
        if not packed.rules:
            # With no rule of ours the stream sends nothing (or only the app's other rules' matches):
            # an election naming accounts of other platforms only ran on, collecting nothing.
            # Terms that only did not fit (`--max-rule-length 5`) were told "give X handles, --hashtag or
            # --keyword", which the user had given: the limits are what to change then.
            fix = (f"raise --max-rule-length ({self.max_rule_len}) or --max-rules ({self.max_rules}) to what your access level allows"
                   if packed.left_out else "give X handles, --hashtag or --keyword")
            raise CollectError(f"no term of the filter can be an X rule (see above): {fix}", 2)
        cap.state["rules"] = [{"value": v, "tag": t} for v, t in packed.rules]
        cap.state["rules_left_out"] = packed.left_out
        cap.state["rules_not_x_handles"] = packed.not_x
        while True:
            try:
                r, body = await fetch(http, "GET", "/2/tweets/search/stream/rules", limit=self.max_response)
                if r.status_code in (401, 403):
                    raise refusal("X", r, body, HINT)
                if r.status_code != 200:
                    no_such_path(cap, r, body)
                    await wait_after(cap, self.waits, r)
                    continue
                existing = rules_answer(r, body).get("data") or []
                want = {v: t for v, t in packed.rules}
                ours = [x for x in existing if str(x.get("tag", "")).startswith("botwatch:")]
                stale = [x["id"] for x in ours if want.get(x.get("value")) != x.get("tag")]
                have = {x.get("value") for x in ours if x["id"] not in stale}
                others = [x for x in existing if not str(x.get("tag", "")).startswith("botwatch:")]
                if others:
                    self.log(f"note: the app also has {len(others)} rule(s) not made by botwatch; their matches are written too")
                if stale:
                    r, body = await fetch(http, "POST", "/2/tweets/search/stream/rules", json={"delete": {"ids": stale}}, limit=self.max_response)
                    if r.status_code >= 400:
                        raise refusal("X", r, body, "Deleting old botwatch rules failed.")
                # X takes a rule value once per app: one of the app's own rules with the same value
                # made the add fail (DuplicateRule) and ended the run, though its matches arrive anyway.
                taken = {x.get("value") for x in others}
                shared = [v for v, _ in packed.rules if v in taken]
                if shared:
                    self.log(f"{len(shared)} rule(s) of the filter are already rules of the app not made by botwatch, so not added again "
                             f"(X takes a rule once); their matches arrive under those rules: {listed(shared)}")
                add = [{"value": v, "tag": t} for v, t in packed.rules if v not in have and v not in taken]
                for i in range(0, len(add), 100):
                    r, body = await fetch(http, "POST", "/2/tweets/search/stream/rules", json={"add": add[i:i + 100]}, limit=self.max_response)
                    if r.status_code >= 400 or rules_answer(r, body).get("errors"):
                        # A term X cannot take as a rule is the filter's doing (exit 2), not the credentials' (3).
                        raise refusal("X", r, body, "X rejected a rule; see its message.", 3 if r.status_code in (401, 403) else 2)
                return
            except FAILED_REQUEST as exc:
                await wait_after_failed(cap, self.waits, exc)

    @staticmethod
    def earlier_end(cap: Capture) -> datetime | None:
        """Where an earlier run of this capture left the stream: the last data it received, or the end
        it recorded a gap up to (`stream_seen` in the state); for a state written before that record,
        its last save (`updated`) where a post was received. None: no earlier run received anything."""
        seen = utc_time(cap.state.get("stream_seen")) if cap.state.get("stream_seen") else None
        if seen is None and cap.cursor.get("last_id") and cap.state.get("updated"):
            seen = utc_time(cap.state["updated"])
        return seen

    def replay_between(self, earlier: datetime | None) -> int:
        """The minutes of replay a run's first connection asks (0: none). X replays at most 5 minutes
        before a connection (`backfill_minutes`, where the access level allows): a run started within
        that of where the last one left the stream (`earlier`) asks the minutes since, rounded up and
        at most `--backfill-minutes`, and what the replay is seen to cover is no gap (`judge_replay`).
        It was asked on reconnects only, so a restart a minute after the last run recorded that minute
        as lost though X could send it again. Started later, it asks none: the whole span is a gap."""
        if not self.backfill or earlier is None:
            return 0
        since = (datetime.now(timezone.utc) - earlier).total_seconds()
        return min(self.backfill, max(1, math.ceil(since / 60))) if since <= REPLAY_REACH_S else 0

    def handle(self, cap: Capture, line: str) -> None:
        self.last_seen = datetime.now(timezone.utc)
        if not line.strip() and self.replay_quiet(self.last_seen):
            self.replay_newest = None  # the replay is over: the stream stands at this keep-alive
        if self.pending is None and self.replay_newest is None:  # else the replay's judgement says where the stream stands
            cap.state["stream_seen"] = self.last_seen
        if not line.strip():
            cap.tick()  # keep-alive
            return
        cap.stats.received += 1
        raw = line.encode()
        obj = cap.parse_or_aside(raw)
        if obj is NOT_JSON:
            return
        data = obj.get("data") if isinstance(obj, dict) else None
        if not isinstance(data, dict) or data.get("id") is None:
            if isinstance(obj, dict) and disconnect_notice(obj):
                cap.stats.disconnect_notices += 1
            elif isinstance(obj, dict) and "errors" in obj:
                cap.aside(raw, "X sent an error message on the stream", kind="unknown")
            else:
                cap.aside(raw, "not a stream envelope with data.id", kind="unknown")
            return
        tid = str(data["id"])
        if self.pending is not None or self.replay_newest is not None:
            t = id_time(tid)
            if self.pending is not None:
                self.judge_replay(cap, t)
            elif t is not None and self.replay_newest is not None:
                if self.answered is not None and t >= self.answered:
                    self.replay_newest = None  # a post newer than the answer: the replay is over
                else:
                    self.replay_newest, self.replay_at = max(t, self.replay_newest), self.last_seen
        if _id_gt(tid, cap.cursor.get("last_id")):
            cap.cursor["last_id"] = tid
        if cap.sampled(tid):
            cap.post(tid, raw)
        cap.tick()

    async def __call__(self, cap: Capture) -> None:
        async with client(self.base, {"Authorization": f"Bearer {self.token}"}, self.stall_s) as http:
            await self.sync_rules(http, cap)
            params = dict(FIELDS)
            first = True
            live = False  # a connection is open and being read (a run ending so has no disconnection to record)
            earlier = self.earlier_end(cap)  # the time between the last run and this one's first answer is a gap too
            try:
                while True:
                    if not first:
                        cap.stats.reconnects += 1
                        if self.backfill:
                            params["backfill_minutes"] = str(self.backfill)
                    elif replay := self.replay_between(earlier):
                        params["backfill_minutes"] = str(replay)
                    first = False
                    try:
                        async with http.stream("GET", "/2/tweets/search/stream", params=params) as r:
                            if r.status_code != 200:
                                body = await read_capped(r, self.max_response, head=True)
                                if r.status_code in (401, 403):
                                    raise refusal("X", r, body, HINT)
                                if r.status_code == 400:  # the request itself (a parameter): asked again, refused again, for ever
                                    raise CollectError(f"X rejected the stream request: {body_excerpt(body) or 'no detail'}", 2)
                                no_such_path(cap, r, body)
                                await wait_after(cap, self.waits, r)
                                continue
                            cap.connected = True
                            # The replay asked is known here: it was sent with this request.
                            now = datetime.now(timezone.utc)
                            between = self.last_seen is None and earlier is not None
                            if between:
                                self.last_seen = earlier
                            if params.get("backfill_minutes") and self.last_seen is not None:
                                # Recorded once the replay shows how far back it reached (`judge_replay`).
                                self.pending = {"from": self.last_seen, "answered": now, "minutes": params["backfill_minutes"], "between": between}
                                self.answered = now
                            else:
                                self.note_gap(cap, now, between_runs=between)
                                cap.state["stream_seen"] = now
                            self.last_seen = now
                            live = True
                            opened = time.monotonic()
                            async for line in capped_lines(r, self.max_response):
                                self.waits.healthy(opened, time.monotonic())
                                self.handle(cap, line)
                        live = False
                        self.replay_cut(cap)
                    except FAILED_REQUEST as exc:
                        live = False
                        self.replay_cut(cap)
                        await wait_after_failed(cap, self.waits, exc)
                        continue
                    await wait_after(cap, self.waits, None)
            finally:
                self.replay_cut(cap)
                if not live and self.last_seen is not None:  # the run ends (--duration, a signal, a refusal) while waiting to reconnect: lost up to now
                    end = datetime.now(timezone.utc)
                    self.note_gap(cap, end)
                    cap.state["stream_seen"] = end  # the next run's gap starts here


def paging_loop(token: str) -> str:
    """The run's last line when X's search sends a `next_token` it sent before in the sweep: the
    server pages in a loop, and following it asked the same pages for ever, silently, spending the
    rate limit on tweets already on disk. What was fetched is kept and the sweep left unfinished."""
    shown = token if len(token) <= 60 else token[:60] + "…"
    return (f"X's search sent a next_token it had sent before in this sweep ({shown!r}): "
            "it pages in a loop, so the sweep stopped there, unfinished, its cursor kept and the posts fetched on disk; "
            "run the same command again later to resume")


class XSearch:
    """Recent or full-archive search, paged to the end (or to `--max-posts`)."""

    def __init__(self, base_url: str, token: str, query: str, *, since: datetime | None = None, until: datetime | None = None,
                 archive: bool | None = None, backoff_scale: float = 1.0, stall_s: float = 60.0, max_response: int = MAX_RESPONSE) -> None:
        self.base, self.token, self.query = base_url.rstrip("/"), token, query
        self.since, self.until = since, until
        self.archive = self.archive_for(datetime.now(timezone.utc)) if archive is None else archive
        self.waits = Waits(backoff_scale)
        self.stall_s = stall_s
        self.max_response = max_response  # bytes of one search page
        self.dropped_sweep = False  # this run dropped an interrupted sweep's next_token (`keep_endpoint`, `same_window`)

    def archive_for(self, now: datetime) -> bool:
        """Whether `--since` asks for the full-archive search at `now`: older than recent search reaches."""
        return self.since is not None and self.since < now - RECENT_REACH

    def keep_endpoint(self, cap: Capture) -> None:
        """A capture keeps the endpoint it started with, recorded in its state (`search_endpoint`).

        Chosen from `--since` at every run, a capture begun on recent search (`--since` 3 days
        back) and re-run a week later went to `/search/all`, which X refuses without full-archive
        access (exit 3), at every later run too. Recent search goes on from its saved position
        (`within_reach` records the gap where that is beyond reach).

        A state written before the endpoint was recorded (no `search_endpoint`) keeps the one it was
        written with: the endpoint `--since` chose when the capture's latest answered run began (its
        manifest entry: tweets received), else when the state was last saved (`updated`). Chosen
        from `--since` now, a state written on recent search went to `/search/all` once a week had
        passed. A state with no cursor was never answered: the endpoint is `--since`'s now. Where
        the time it was written cannot be read, an interrupted sweep's `next_token` is dropped (a
        token from one endpoint is no position in the other) and the sweep starts afresh."""
        kept = cap.state.get("search_endpoint")
        if kept in ("recent", "all"):
            if (kept == "all") != self.archive:
                other = "recent" if kept == "all" else "full-archive"
                cap.log(f"this capture started on X's {'full-archive' if kept == 'all' else 'recent'} search and keeps it (a position "
                        f"saved by one search endpoint is none in the other); the {other} search is for a capture of its own "
                        "(another --since or folder)")
            self.archive = kept == "all"
            return
        if not cap.cursor:
            return
        written = self.written_at(cap)
        if written is None:
            if cap.cursor.get("next_token"):
                for key in ("next_token", "sweep_since_id", "sweep_newest_id", "sweep_oldest_id"):
                    cap.cursor.pop(key, None)
                self.dropped_sweep = True
                cap.log("the interrupted sweep's next_token was issued by an X search endpoint this capture's state does not record: "
                        "the sweep starts afresh from the last finished one (posts already on disk are not written again)")
            return
        self.archive = self.archive_for(written)

    def written_at(self, cap: Capture) -> datetime | None:
        """When an older state (no `search_endpoint`) was written by an answered run: the start of the
        stream's latest run in the manifest that received tweets, else the state's `updated`; None
        when neither can be read. A run that X refused also rewrote `updated`, hence the manifest first."""
        try:
            manifest = read_manifest(cap.folder) or {}
        except FolderError:
            manifest = {}
        runs = manifest.get("runs") if isinstance(manifest.get("runs"), list) else []
        for run in reversed(runs):
            if not isinstance(run, dict) or run.get("stream") != cap.stream:
                continue
            try:
                answered = int(run.get("received") or 0) > 0
            except (TypeError, ValueError):
                answered = False
            started = utc_time(run.get("started")) if answered else None
            if started is not None:
                return started
        return utc_time(cap.state.get("updated"))

    def same_window(self, cap: Capture) -> None:
        """An interrupted sweep re-run with another `--until` starts afresh: its `next_token` pages
        the window it began with, and was sent with the new `end_time`. The until a sweep began with
        is kept in the state (`sweep_until`; a state from before that record is taken as unchanged)."""
        if not cap.cursor.get("next_token") or "sweep_until" not in cap.state:
            return
        was, now = cap.state["sweep_until"], _utc_text(self.until) if self.until else None
        if was == now:
            return
        for key in ("next_token", "sweep_since_id", "sweep_newest_id", "sweep_oldest_id"):
            cap.cursor.pop(key, None)
        self.dropped_sweep = True
        cap.log(f"the interrupted sweep searched up to --until {was or '(none: up to then)'}, this run up to {now or '(none: up to now)'}: "
                "its next_token pages the old window, so the sweep starts afresh from the last finished one "
                "(posts already on disk are not written again)")

    def window_within_reach(self, cap: Capture, token: Any, bound_id: Any) -> None:
        """Recent search with an `--until` now more than 7 days back (a capture kept on recent search,
        re-run a week on): X refuses such an end_time, and the gap handling below recorded a gap
        reaching past `--until` and sent a start_time after the end_time. Said in a plain line
        before any request. The last sweep paged to its end (a last page without `next_token`) and
        searched up to `--until`: no gap, and the run ends as a search at its end (exit 0; it ended
        with exit 2, the code of a bad option, though the capture was complete). Otherwise (a sweep
        interrupted, its `next_token` dropped this run or never saved, or none finished) the span no
        sweep fetched is recorded as a gap (exit 2): "complete" was said wherever no `next_token`
        was left, though a dropped one had not been paged to its end. A state from before the
        sweeps' times were recorded (`records_sweeps`) is taken as complete where no token is left."""
        if self.until is None or self.until >= datetime.now(timezone.utc) - timedelta(days=7) + timedelta(minutes=10):
            return
        until = _utc_text(self.until)
        head = (f"--until {until} is more than 7 days back now, beyond X's recent search, which this capture uses (kept from its "
                "first run): nothing in its window can be asked of it any more")
        swept = self.swept_to(cap)  # to the second, as `--until` is compared
        if not token and not self.dropped_sweep and (swept >= self.until.replace(microsecond=0) if swept else not self.records_sweeps(cap)):
            raise SearchComplete(f"{head}; its last sweep searched the window to its end, so there is nothing more to fetch "
                                 "(the capture is complete: ingest it; there is no need to run it again)")
        start = cap.cursor.get("start_time") or (self.since and _utc_text(self.since))
        lower = id_time(bound_id) if bound_id else None
        covered = swept if bound_id or not cap.cursor.get("start_time") else None  # the last finished sweep searched up to then
        if lower is not None and covered is not None and covered > lower:
            lower = covered
        if lower is None and start:
            lower = utc_time(start)
        if lower is None:
            spans = [("the start of the window", until)]
        else:
            spans = [(_utc_text(a), _utc_text(b)) for a, b in self.unfetched(cap, lower, self.until)]
        if not spans:
            raise SearchComplete(f"{head}; its interrupted sweep had fetched the window down to where the sweep before it ended, so "
                                 "there is nothing more to fetch (the capture is complete: ingest it; there is no need to run it again)")
        why = "X's recent search reaches back 7 days only"
        # The cursor stays as it was: each re-run (a scheduled job) comes here again, and recorded the
        # same gap in its own run entry, said once per run by `status` and the report's Methods.
        earlier = self.recorded_gaps(cap)
        new = [{"from": a, "to": b, "why": why} for a, b in spans if (a, b) not in earlier]
        if new:
            cap.note_run("gaps", [*cap.run_notes.get("gaps", []), *new])
        where = "in the capture's manifest" if new else "in the capture's manifest by an earlier run"
        last = ("its interrupted sweep" if token else "its interrupted sweep, dropped (see above)," if self.dropped_sweep
                else f"its last finished sweep searched up to {_utc_text(swept)}, when it ran; that" if swept else "no sweep of it finished; that")
        raise CollectError(f"{head}; {last} left posts {_spans_text(spans)} unfetched (recorded as "
                           f"{'a gap' if len(spans) == 1 else 'gaps'} {where}): full-archive access can fetch them, "
                           "into a capture of their own (another --since)", 2)

    @staticmethod
    def recorded_gaps(cap: Capture) -> set[tuple[str, str]]:
        """The (from, to) of the gaps this stream's runs have recorded in the manifest."""
        try:
            runs = (read_manifest(cap.folder) or {}).get("runs")
        except FolderError:
            return set()
        return {(str(g.get("from")), str(g.get("to"))) for r in (runs if isinstance(runs, list) else [])
                if isinstance(r, dict) and r.get("stream") == cap.stream and isinstance(r.get("gaps"), list)
                for g in r["gaps"] if isinstance(g, dict)}

    @staticmethod
    def records_sweeps(cap: Capture) -> bool:
        """Whether the state records its sweeps' times (`sweep_started`, and `last_sweep_to` once one
        finished): written since both were recorded. An older one cannot tell a finished sweep."""
        return "sweep_started" in cap.state or "last_sweep_to" in cap.state

    @staticmethod
    def unfetched(cap: Capture, lower: datetime, upper: datetime) -> list[tuple[datetime, datetime]]:
        """The spans of `lower`..`upper` that no sweep fetched. X's search pages newest first, so a
        sweep interrupted part-way (a `next_token` in the cursor, or a first page cut at `--max-posts`)
        fetched the posts from when it began (`sweep_started`) down to its oldest fetched post
        (`sweep_oldest_id`, kept while the sweep is unfinished): the whole span stated
        as a gap claimed those posts missing, though they are on disk. With neither recorded (a
        state from before that record, or a sweep whose pages held no post): the whole span."""
        oldest = id_time(cap.cursor.get("sweep_oldest_id"))  # kept only while a sweep is unfinished
        top = utc_time(cap.state.get("sweep_started"))
        if oldest is None or top is None or oldest >= upper or top <= lower or oldest > top:
            return [(lower, upper)] if lower < upper else []
        if oldest.microsecond:  # to the second after it: the posts of its second not fetched are in the gap
            oldest = oldest.replace(microsecond=0) + timedelta(seconds=1)
        return [s for s in ((lower, oldest), (top, upper)) if s[0] < s[1]]

    def within_reach(self, cap: Capture) -> None:
        """Recent search: a saved position more than 7 days back is moved to the oldest time the
        search reaches, and the posts in between are a gap, said and recorded in the run's manifest
        entry. X refuses such a since_id (400, "Invalid Request"): a re-run a week after the last
        one ended in X's JSON error, and so did every later run of that capture.

        The gap starts at the later of that position and the time the last finished sweep searched
        up to (`last_sweep_to` in the state): a quiet query's newest tweet may be days older than
        the sweep that found nothing newer. A state from before that record: the position."""
        token = cap.cursor.get("next_token")
        bound_id = cap.cursor.get("sweep_since_id") if token else cap.cursor.get("newest_id")
        self.window_within_reach(cap, token, bound_id)
        if bound_id:
            was = id_time(bound_id)
        else:
            was = utc_time(cap.cursor["start_time"]) if cap.cursor.get("start_time") else None
            if was is None and not bound_id:  # no sweep finished yet: it starts at --since (a capture kept on recent search)
                was = self.since
        now = datetime.now(timezone.utc)
        if was is None or was >= now - timedelta(days=7) + timedelta(minutes=10):  # X takes it (10 minutes kept in hand)
            return
        floor = (now - RECENT_REACH).replace(microsecond=0)  # stays within reach for the next 50 minutes of the sweep
        if self.until is not None and floor >= self.until:
            # --until within reach (window_within_reach) but less than 6 days 23 hours back: a start_time
            # after the end_time X refuses (400), and a gap reaching past --until, out of the window.
            floor = (self.until - timedelta(seconds=1)).replace(microsecond=0)
        # With no position but --since, a finished sweep found no tweet: it searched the window up to
        # when it ran (counted from --since, a second run of a quiet capture recorded a false gap over
        # what the first had covered).
        covered = self.swept_to(cap) if bound_id or not cap.cursor.get("start_time") else None
        if covered is not None and covered > was:
            was = covered
        # Nothing between the last sweep and the floor is missed where it searched to within reach; an
        # interrupted sweep fetched part of that span (`unfetched`).
        spans = [(_utc_text(a), _utc_text(b)) for a, b in self.unfetched(cap, was, floor)]
        for key in ("next_token", "newest_id", "sweep_since_id", "sweep_newest_id", "sweep_oldest_id"):
            cap.cursor.pop(key, None)
        cap.cursor["start_time"] = _utc_text(floor)  # the sweep's every page asks from here
        if not spans:
            return
        why = "X's recent search reaches back 7 days only"
        cap.note_run("gaps", [*cap.run_notes.get("gaps", []), *({"from": a, "to": b, "why": why} for a, b in spans)])
        fetched = "" if len(spans) == 1 else f"; the interrupted sweep fetched the posts between, from {spans[0][1]} to {spans[1][0]}"
        cap.log(f"gap: this capture's last position ({_utc_text(was)}) is more than 7 days back, beyond X's recent search: the posts "
                f"{_spans_text(spans)} cannot be fetched by this search (recorded as {'a gap' if len(spans) == 1 else 'gaps'} "
                f"in the capture's manifest{fetched}); searching from {_utc_text(floor)} on. Run the search more often than weekly to leave no "
                "gap; full-archive access (--since) can fetch the posts missed, into a capture of their own")

    @staticmethod
    def swept_to(cap: Capture) -> datetime | None:
        """The time the last finished sweep searched up to (`last_sweep_to`), or None (not recorded)."""
        return utc_time(cap.state.get("last_sweep_to"))

    def params(self, cap: Capture) -> dict[str, str]:
        """The request for the next page: a sweep's later pages repeat its first page's since_id."""
        if not self.archive:
            self.within_reach(cap)
        p = {"query": self.query, "max_results": "500" if self.archive else "100", **FIELDS}
        token = cap.cursor.get("next_token")
        since_id = cap.cursor.get("sweep_since_id") if token else cap.cursor.get("newest_id")
        if token:
            p["next_token"] = token
        if since_id:
            p["since_id"] = since_id  # only what is newer than the last finished sweep
        elif cap.cursor.get("start_time"):  # a sweep that begins where recent search reaches (within_reach)
            p["start_time"] = str(cap.cursor["start_time"])
        elif self.since:
            p["start_time"] = self.since.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        if self.until:
            p["end_time"] = self.until.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        return p

    def read_page(self, cap: Capture, raw: bytes) -> dict[str, Any] | None:
        """The page as an object, or None (kept aside) when it is not one."""
        page = cap.parse_or_aside(raw, "search page")
        if page is NOT_JSON:
            return None
        if not isinstance(page, dict):
            cap.aside(raw, "search page is not an object")
            return None
        # A `data` that is no list was read as no tweets, and a `meta` that is no object as a last page
        # (the sweep taken as finished): the page's tweets, or the pages after it, lost unsaid. A
        # `next_token` that is no string was sent as it came, and X's 400 ended the run (exit 2) as if
        # the query were wrong. Each is a page that cannot be read: kept aside, counted, asked again.
        meta = page.get("meta")
        if page.get("data") is not None and not isinstance(page["data"], list):
            why = "search page's data is not a list"
        elif meta is not None and not isinstance(meta, dict):
            why = "search page's meta is not an object"
        elif isinstance(meta, dict) and meta.get("next_token") is not None and not isinstance(meta["next_token"], str):
            why = "search page's next_token is not a string"
        else:
            return page
        cap.aside(raw, why)
        return None

    def new_tweets(self, cap: Capture, page: dict[str, Any], raw: bytes) -> tuple[bytes | None, int, bool]:
        """The page to write (verbatim when every tweet is new and sampled), how many tweets it
        holds, and whether it was cut at `--max-posts`.

        Cut: a page of 100 written whole made `--max-posts 150` write 200. The tweets past the
        limit are not looked at (not marked seen), and the caller leaves the cursor on this page,
        so a later run asks for it again and takes them (those written are dropped by id)."""
        data = page.get("data") if isinstance(page.get("data"), list) else []
        room = None if cap.max_posts is None else max(cap.max_posts - cap.stats.kept, 0)
        keep: list[Any] = []
        looked = 0
        for t in data:
            if room is not None and len(keep) >= room:
                break
            looked += 1
            if not isinstance(t, dict) or t.get("id") is None:
                cap.aside(record_json(t), "tweet without an id")
                continue
            tid = str(t["id"])
            if not _id_gt(tid, cap.cursor.get("sweep_oldest_id") or tid):  # the sweep has fetched down to here (`unfetched`)
                cap.cursor["sweep_oldest_id"] = tid
            if cap.sampled(tid) and cap.first_time(tid):
                keep.append(t)
        cap.stats.received += looked
        cut = looked < len(data)
        if not keep:
            return None, 0, cut
        return (raw if len(keep) == len(data) else record_json({**page, "data": keep})), len(keep), cut

    @staticmethod
    def advance(cap: Capture, meta: dict[str, Any]) -> bool:
        """Move the cursor past a page; False when the sweep is finished."""
        if not cap.cursor.get("next_token"):  # first page of a sweep: its newest id ends the next sweep
            cap.cursor["sweep_newest_id"] = meta.get("newest_id") or cap.cursor.get("newest_id")
            cap.cursor["sweep_since_id"] = cap.cursor.get("newest_id")
        token = meta.get("next_token")
        if token:
            cap.cursor["next_token"] = token
            return True
        cap.cursor.pop("next_token", None)
        if cap.cursor.get("sweep_newest_id"):
            cap.cursor["newest_id"] = cap.cursor["sweep_newest_id"]
        cap.cursor.pop("sweep_newest_id", None)
        cap.cursor.pop("sweep_since_id", None)
        cap.cursor.pop("sweep_oldest_id", None)
        cap.cursor.pop("start_time", None)
        return False

    async def __call__(self, cap: Capture) -> None:
        try:
            await self.sweep(cap)
        except SearchComplete as done:
            cap.nothing_to_fetch = True
            cap.log(str(done))

    async def sweep(self, cap: Capture) -> None:
        self.keep_endpoint(cap)
        self.same_window(cap)
        path = "/2/tweets/search/all" if self.archive else "/2/tweets/search/recent"
        unreadable = 0
        # The next_tokens whose pages this sweep has read this run: X never sends one twice in a sweep,
        # so one sent again is a server paging in a loop (followed, it was asked for ever, every page
        # all duplicates). Those asked, not those saved: a saved token may be dropped before it is asked.
        followed: set[str] = set()
        # Whether the request about to go is one asked again after a failure (or a page that could not
        # be read): counted as a reconnect, as the streams count theirs. Uncounted, the summary said
        # "reconnects 0" under five retry lines.
        again = False
        async with client(self.base, {"Authorization": f"Bearer {self.token}"}, self.stall_s) as http:
            while True:
                if again:
                    cap.stats.reconnects += 1
                again = True  # until a page is read
                # X searches up to 10 seconds before a request: what a sweep begun now can cover.
                asked_at = datetime.now(timezone.utc) - timedelta(seconds=10)
                try:
                    r, body = await fetch(http, "GET", path, params=self.params(cap), limit=self.max_response)
                except FAILED_REQUEST as exc:
                    await wait_after_failed(cap, self.waits, exc)
                    continue
                if r.status_code in (401, 403):
                    raise refusal("X", r, body, HINT)
                if r.status_code == 400:
                    raise CollectError(f"X rejected the search: {body.decode('utf-8', 'replace')[:300]}", 2)
                if r.status_code != 200:
                    no_such_path(cap, r, body)
                    await wait_after(cap, self.waits, r)
                    continue
                cap.connected = True
                cap.state["search_endpoint"] = "all" if self.archive else "recent"  # kept by the capture from its first answer on
                self.waits.reset()
                page = self.read_page(cap, body)
                # Said, as a failed request is: a page cut short or garbled was asked again in silence,
                # up to 5 times, and the run then ended with no line before it saying why.
                why = None if page is not None else f"{path} sent a page that could not be read (kept aside in .botwatch/malformed-{cap.stream}.jsonl)"
                if page is not None and "data" not in page and not isinstance(page.get("meta"), dict):
                    # X's v2 answers 200 with `errors` beside a page (partial errors: `data`, `meta` and its
                    # next_token are read as usual); errors alone are no page. Read as a last page, they
                    # ended the sweep as finished and the pages after it were never asked for.
                    cap.aside(body, "X answered the search with errors and no page (no data, no meta)", kind="unknown")
                    page, why = None, f"X answered the search with errors and no page ({body_excerpt(body, 200)})"
                if page is None:  # asked again: skipping it would end the sweep with its tweets missing
                    unreadable += 1
                    if unreadable >= 5:
                        raise CollectError("X sent 5 search answers in a row that were no page (unreadable, or errors without data or meta; "
                                           "kept in .botwatch/malformed-*.jsonl); run again later to resume", 1)
                    await cap.sleep(self.waits.http.next_delay(), why)
                    continue
                unreadable, again = 0, False
                if not cap.cursor.get("next_token"):  # a sweep's first page: the window its next_token pages
                    cap.cursor.pop("sweep_oldest_id", None)  # a first page cut at --max-posts and asked again
                    cap.state["sweep_until"] = _utc_text(self.until) if self.until else None
                    cap.state["sweep_started"] = _utc_text(min(asked_at, self.until) if self.until else asked_at)
                asked = cap.cursor.get("next_token")
                if asked:
                    followed.add(str(asked))
                else:  # a sweep's first page: a sweep begun afresh pages its own tokens
                    followed.clear()
                out, n, cut = self.new_tweets(cap, page, body)
                meta = page.get("meta") if isinstance(page.get("meta"), dict) else {}
                looped = not cut and meta.get("next_token") and str(meta["next_token"]) in followed
                if looped:  # the cursor stays on the page just read: a re-run asks it again, its tweets dropped by id
                    if out is not None:
                        # Its posts reaching --max-posts exactly ended the run 0 here, the loop unsaid
                        # until a later run met it: the loop is what ends this sweep, so it is said.
                        with contextlib.suppress(StopCapture):
                            cap.write_posts(out, n)
                    raise CollectError(paging_loop(str(meta["next_token"])), 1)
                # A page cut at --max-posts keeps the cursor on it: the rest of it is for the next run.
                more = True if cut else self.advance(cap, meta)
                if not more and cap.state.get("sweep_started"):  # a finished sweep searched its query up to when it began
                    cap.state["last_sweep_to"] = cap.state["sweep_started"]
                if out is not None:
                    cap.write_posts(out, n)  # may end the run (--max-posts): the cursor already points past a page written whole
                cap.tick(force=True)
                if not more:
                    return
                await honour_quota(cap, r)
