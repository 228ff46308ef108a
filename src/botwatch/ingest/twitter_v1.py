"""Twitter API v1.1 statuses (twarc 1, the streaming API, Twitter's own archive exports).

One status per line or a JSON array of them. The full text lives in `extended_tweet.full_text`
(streaming, compat mode), `full_text` (extended mode) or `text`. A retweet's canonical text,
hashtags and links are those of the retweeted post, since the retweeter's own `text` is a
truncated "RT @user: ..." copy. The embedded user objects are account snapshots as of the post.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import orjson

from botwatch.ingest.fields import (
    client_name,
    notice_time,
    opt_bool,
    opt_id,
    opt_int,
    opt_int32,
    opt_str,
    parse_twitter_time,
    req_id,
    req_text,
    str_list,
    web_address,
)
from botwatch.ingest.html_entities import decode
from botwatch.ingest.sink import RecordError, RowSink, not_an_object
from botwatch.ingest.v1_fields import COUNT, EXTRA, FLAG, INT, STR, TIME, WEB, snapshot_function

FORMAT = "twitter-v1.1"


def is_status(obj: Any) -> bool:
    """Does this JSON object look like a v1.1 status?"""
    return isinstance(obj, dict) and ("id_str" in obj or "id" in obj) and isinstance(obj.get("user"), dict) and "created_at" in obj


def is_stream_notice(obj: Any) -> bool:
    """Is this JSON object a v1.1 stream's delete or limit notice or stall warning (no post, but the
    stream's own)? A capture's quiet hour holds only these, and is still a v1.1 stream file."""
    if not isinstance(obj, dict):
        return False
    delete, limit, warning = obj.get("delete"), obj.get("limit"), obj.get("warning")
    return ((isinstance(delete, dict) and isinstance(delete.get("status"), dict)) or (isinstance(limit, dict) and "track" in limit)
            or (isinstance(warning, dict) and "code" in warning))


def _full_text(status: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    ext = status.get("extended_tweet")
    if isinstance(ext, dict) and isinstance(ext.get("full_text"), str):
        ents = ext.get("entities")
        return ext["full_text"], ents if isinstance(ents, dict) else {}
    ents = status.get("entities")
    ents = ents if isinstance(ents, dict) else {}
    if "full_text" in status:
        return req_text(status["full_text"]), ents
    return req_text(status.get("text")), ents


def profile_extra(likes: int | None, listed: int | None, has_url: bool | None) -> str:
    """The v1.1 profile facts the canonical columns lack but the bot model reads (likes given,
    lists the account is on, whether it links a website), as the `extra` JSON. The native
    DuckDB reader writes the same text (`native_v1._profile`); keys as `v1_fields.EXTRA` has them, nulls kept."""
    return orjson.dumps(dict(zip(EXTRA, (likes, listed, has_url)))).decode()


# The dict reader takes each leaf kind leniently, coercing what it can. A web address absent from
# the user object is unknown (None), one null or empty is "no website" (`v1_fields.USER.absent_told`).
_user_snapshot = snapshot_function(
    "_user_snapshot",
    {STR: "opt_str(u.get('{leaf}'))", TIME: "parse_twitter_time(u.get('{leaf}'), 'user created_at', required=False)", COUNT: "opt_int(u.get('{leaf}'))",
     INT: "opt_int32(u.get('{leaf}'))", FLAG: "opt_bool(u.get('{leaf}'))", WEB: "(web_address(opt_str(u.get('{leaf}'))) if '{leaf}' in u else None)"},
    "req_id(u.get('id_str') or u.get('id'), 'user id')",
    {"opt_str": opt_str, "opt_int": opt_int, "opt_int32": opt_int32, "opt_bool": opt_bool, "parse_twitter_time": parse_twitter_time, "req_id": req_id, "profile_extra": profile_extra,
     "web_address": web_address},
)


def user_snapshot(user: dict[str, Any], observed_at: datetime | None, platform: str = "twitter") -> dict[str, Any]:
    """Canonical account fields from a v1.1 user object, by `v1_fields.PROFILE`."""
    return _user_snapshot(user, observed_at, platform)


def _embedded_author(inner: dict[str, Any], seen: datetime, line: int, sink: RowSink) -> tuple[str | None, str | None]:
    """The id and handle of a retweeted/quoted status's author, whose profile is a snapshot too."""
    user = inner.get("user") if isinstance(inner.get("user"), dict) else {}
    account = opt_id(user.get("id_str") or user.get("id"))
    if account:
        sink.account(user_snapshot(user, seen), line)
    return account, opt_str(user.get("screen_name"))


def _deletion(notice: dict[str, Any], line: int, sink: RowSink) -> None:
    """A stream delete notice `{"delete": {"status": {"id_str", "user_id_str"}, "timestamp_ms"}}`:
    no error, kept apart (`RowSink.deletion`). Without a status id it names no post: rejected.
    A `timestamp_ms` that is no plausible time (before 2006, after tomorrow) is no time (`notice_time`)."""
    status = notice.get("status") if isinstance(notice.get("status"), dict) else {}
    post_id = req_id(status.get("id_str") or status.get("id"), "delete notice status id")
    sink.deletion({"post_id": post_id, "platform": "twitter", "account_id": opt_id(status.get("user_id_str") or status.get("user_id")),
                   "deleted_at": notice_time(notice.get("timestamp_ms"))}, line)


# The most posts one connection can have withheld: more than all posts on X in years. A larger
# track is no count X wrote (`_limit`), and keeps the withheld total far from BIGINT's range.
MOST_WITHHELD = 10**12


def _limit(notice: dict[str, Any], line: int, sink: RowSink) -> None:
    """A filtered stream's limit notice `{"limit": {"track": N, "timestamp_ms"}}`: the stream had
    withheld N matching posts since its connection opened. No error, kept apart (`RowSink.limit`).
    Without a whole number N it says nothing: rejected. X writes N as a JSON integer, so only that
    is taken: `opt_int`'s leniency read 2.5 as 2, "30" as 30 and a value beyond 64 bits as none,
    and a notice X never wrote was summed into the withheld total; so was a count up to 2^63-1,
    and two such notices made Methods say "withheld at least 18,446,744,073,709,551,624" (hence
    `MOST_WITHHELD`). A `timestamp_ms` that is no plausible time (0, -1, "30": 1970) is no time
    (`notice_time`), as a notice without one: it orders the notices into connections, and a bogus
    one changed the withheld total."""
    track = notice.get("track")
    if track.__class__ is not int or not 0 <= track <= MOST_WITHHELD:
        raise RecordError(f"limit notice whose track {_shown_value(track)} is not a count "
                          f"(a whole number of posts withheld, from 0 to {MOST_WITHHELD:,})")
    sink.limit(track, notice_time(notice.get("timestamp_ms")), line)


# A stall warning's text fields, cut to these lengths: X's own are a word and a sentence, and a
# field longer than that is no warning X wrote, kept only so far as it says what it was.
_CODE_CHARS, _MESSAGE_CHARS = 100, 500


def _warning(notice: dict[str, Any], line: int, sink: RowSink) -> None:
    """A stream's stall warning `{"warning": {"code": "FALLING_BEHIND", "message", "percent_full": P}}`:
    the client read too slowly and the stream's queue for it was P% full (at 100% it disconnects,
    and what it sent meanwhile is lost). No error, kept apart (`RowSink.warning`). Without a code, or
    with a `percent_full` that is no whole number from 0 to 100, it says nothing sure: rejected.
    A `timestamp_ms` that is no plausible time (before 2006, after tomorrow) is no time (`notice_time`)."""
    code = opt_str(notice.get("code"))
    if code is None or not isinstance(notice.get("code"), str):
        raise RecordError(f"stream warning whose code {_shown_value(notice.get('code'))} is not a word (e.g. FALLING_BEHIND)")
    full = notice.get("percent_full")
    if full is not None and (full.__class__ is not int or not 0 <= full <= 100):
        raise RecordError(f"stream warning whose percent_full {_shown_value(full)} is not a whole number from 0 to 100")
    message = opt_str(notice.get("message")) if isinstance(notice.get("message"), str) else None
    sink.warning({"warned_at": notice_time(notice.get("timestamp_ms")), "code": code[:_CODE_CHARS],
                  "message": message[:_MESSAGE_CHARS] if message else None, "percent_full": full}, line)


def _shown_value(value: Any) -> str:
    """A notice's value as a rejected row's note shows it: its JSON, cut short, so the note says
    what was there (2.5, "30", true) without carrying a whole attacker-written field."""
    if value is None:
        return "(missing)"
    if isinstance(value, (dict, list)):  # its kind only: dumping a nested one can recurse too deep (and says no more)
        return "(an object)" if isinstance(value, dict) else "(a list)"
    shown = json.dumps(value[:40] if isinstance(value, str) else value)  # not orjson: it refuses ints beyond 64 bits
    return shown if len(shown) <= 40 else shown[:39] + "…"


def handle_status(obj: Any, line: int, sink: RowSink) -> None:
    """Turn one v1.1 status into a post and its author's (and referenced authors') snapshots."""
    if not isinstance(obj, dict):
        raise not_an_object(obj)
    if isinstance(obj.get("delete"), dict):
        _deletion(obj["delete"], line, sink)
        return
    if isinstance(obj.get("limit"), dict):
        _limit(obj["limit"], line, sink)
        return
    if isinstance(obj.get("warning"), dict):
        _warning(obj["warning"], line, sink)
        return
    if "delete" in obj or "limit" in obj or "warning" in obj:
        raise RecordError("stream control message (delete/limit/warning), not a post")
    if "user" not in obj:
        from botwatch.ingest import twitter_v2 as v2  # imports this module: here, not at the top

        if v2.is_flat_tweet(obj):  # a v2 tweet among v1.1 statuses (archives merged by hand): read as v2,
            v2.handle_flat(obj, line, sink)  # where each was rejected as "missing user object", saying nothing of why
            return
    post_id = req_id(obj.get("id_str") or obj.get("id"), "post id")
    created = parse_twitter_time(obj.get("created_at"))
    user = obj.get("user")
    if not isinstance(user, dict):
        raise RecordError("missing user object" if user is None else "user is not an object")
    author = user_snapshot(user, created)

    kind, ref_post, ref_account, ref_handle = "original", None, None, None
    content = obj
    rt = obj.get("retweeted_status")
    if isinstance(rt, dict):
        kind, content = "retweet", rt
        ref_post = opt_id(rt.get("id_str") or rt.get("id"))
        ref_account, ref_handle = _embedded_author(rt, created, line, sink)
    elif obj.get("is_quote_status") and (obj.get("quoted_status_id_str") or isinstance(obj.get("quoted_status"), dict)):
        kind = "quote"
        q = obj.get("quoted_status") if isinstance(obj.get("quoted_status"), dict) else {}
        ref_post = opt_id(obj.get("quoted_status_id_str") or q.get("id_str"))
        ref_account, ref_handle = _embedded_author(q, created, line, sink)
    elif obj.get("in_reply_to_status_id_str") or obj.get("in_reply_to_user_id_str"):
        kind = "reply"
        ref_post = opt_id(obj.get("in_reply_to_status_id_str"))
        ref_account = opt_id(obj.get("in_reply_to_user_id_str"))
        ref_handle = opt_str(obj.get("in_reply_to_screen_name"))

    text, ents = _full_text(content)
    urls = [u.get("expanded_url") or u.get("url") for u in ents.get("urls", []) if isinstance(u, dict)] if isinstance(ents.get("urls"), list) else []
    sink.post(
        {
            "post_id": post_id,
            "platform": "twitter",
            "account_id": author["account_id"],
            "created_at": created,
            "text": decode(text),  # the API's `&amp;` `&lt;` `&gt;` (ingest/html_entities.py)
            "lang": opt_str(obj.get("lang")),
            "kind": kind,
            "ref_post_id": ref_post,
            "ref_account_id": ref_account,
            "ref_handle": ref_handle,
            "hashtags": str_list(ents.get("hashtags"), "text"),
            "mentions": str_list(ents.get("user_mentions"), "screen_name"),
            "urls": [u for u in urls if isinstance(u, str)],
            "client": client_name(obj.get("source")),
        },
        line,
    )
    sink.account(author, line)


def handle_twibot_user(obj: Any, line: int, sink: RowSink) -> None:
    """TwiBot-20 records: a v1.1 profile (values as padded strings) plus untimed tweet texts.

    Only the profile becomes data: the tweets have neither ids nor times, so they cannot be posts.
    """
    if not isinstance(obj, dict) or not isinstance(obj.get("profile"), dict):
        raise RecordError("expected a TwiBot-20 record with a profile object")
    snap = user_snapshot(obj["profile"], None)
    extra = orjson.loads(snap["extra"])
    extra.update({k: obj[k] for k in ("label", "domain") if obj.get(k) not in (None, "")})
    if isinstance(obj.get("tweet"), list):
        extra["tweets_in_record"] = len(obj["tweet"])
    snap["extra"] = orjson.dumps(extra).decode() if extra else None
    sink.account(snap, line)
