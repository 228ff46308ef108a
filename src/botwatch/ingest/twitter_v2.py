"""Twitter API v2 as twarc2 writes it: raw response pages, `twarc2 flatten` output, user lookups.

A raw page holds `data` (a list of tweets, or one tweet from the filtered stream) and `includes`
(users, referenced tweets). A flattened line is one tweet with `author` and expanded
`referenced_tweets` inlined. v2 user objects are as of the request, so their snapshots are dated
by `__twarc.retrieved_at` when present; authors are also seen at their tweets' times.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from botwatch.ingest.fields import (
    client_name,
    list_or_empty,
    obj_or_empty,
    opt_bool,
    opt_id,
    opt_int,
    opt_str,
    parse_iso_time,
    req_id,
    req_text,
    str_list,
    web_address,
)
from botwatch.ingest.html_entities import decode
from botwatch.ingest.sink import RecordError, RowSink, not_an_object
from botwatch.ingest.twitter_v1 import handle_status, is_status, is_stream_notice, profile_extra

FORMAT_PAGE = "twitter-v2-page"
FORMAT_FLAT = "twitter-v2-flat"
_RT_PREFIX = re.compile(r"^RT @(\w{1,50}): ", re.ASCII)


def is_page(obj: Any) -> bool:
    return isinstance(obj, dict) and "data" in obj and ("includes" in obj or "meta" in obj or "__twarc" in obj or "matching_rules" in obj)


def is_flat_tweet(obj: Any) -> bool:
    return isinstance(obj, dict) and "id" in obj and "text" in obj and ("author_id" in obj or "author" in obj)


def user_snapshot(user: dict[str, Any], observed_at: datetime | None) -> dict[str, Any]:
    """Canonical account fields from a v2 user object (no language or time zone in v2)."""
    metrics = user.get("public_metrics") if isinstance(user.get("public_metrics"), dict) else {}
    image = opt_str(user.get("profile_image_url"))
    return {
        "account_id": req_id(user.get("id"), "user id"),
        "platform": "twitter",
        "handle": opt_str(user.get("username")),
        "display_name": opt_str(user.get("name")),
        "description": opt_str(user.get("description")),
        "location": opt_str(user.get("location")),
        "created_at": parse_iso_time(user.get("created_at"), "user created_at", required=False),
        "followers": opt_int(metrics.get("followers_count")),
        "following": opt_int(metrics.get("following_count")),
        "posts_count": opt_int(metrics.get("tweet_count")),
        "verified": opt_bool(user.get("verified")),
        "default_image": ("default_profile_images" in image) if image else None,
        # The bot model's likes/lists/website facts, as the v1.1 readers store them; a field the
        # request did not ask for (no `url` key, no `like_count`) stays unknown.
        "extra": profile_extra(
            opt_int(metrics.get("like_count")), opt_int(metrics.get("listed_count")), web_address(opt_str(user.get("url"))) if "url" in user else None
        ),
        "observed_at": observed_at,
    }


def _tweet_row(tweet: dict[str, Any], refs: dict[str, dict[str, Any]], users: dict[str, dict[str, Any]]) -> dict[str, Any]:
    post_id = req_id(tweet.get("id"), "post id")
    created = parse_iso_time(tweet.get("created_at"))
    author_id = req_id(tweet.get("author_id") or obj_or_empty(tweet.get("author")).get("id"), "author_id")
    text = req_text(tweet.get("text"))
    ents = tweet.get("entities") if isinstance(tweet.get("entities"), dict) else {}

    kind, ref_post, ref_account, ref_handle = "original", None, None, None
    ref_list = tweet.get("referenced_tweets") if isinstance(tweet.get("referenced_tweets"), list) else []
    by_type = {r["type"]: r for r in ref_list if isinstance(r, dict) and isinstance(r.get("type"), str)}
    for ref_type, k in (("retweeted", "retweet"), ("quoted", "quote"), ("replied_to", "reply")):
        if ref_type in by_type:
            kind = k
            ref = by_type[ref_type]
            ref_post = opt_id(ref.get("id"))
            full = refs.get(ref_post or "", ref)
            ref_account = opt_id(full.get("author_id") or obj_or_empty(full.get("author")).get("id"))
            if ref_type == "retweeted":
                m = _RT_PREFIX.match(text)
                ref_handle = m.group(1) if m else None
                if isinstance(full.get("text"), str):
                    text = full["text"]
                    ents = full.get("entities") if isinstance(full.get("entities"), dict) else ents
                elif m:
                    text = text[m.end():]
            break
    if kind == "reply" and ref_account is None:
        ref_account = opt_id(tweet.get("in_reply_to_user_id"))
    if ref_account and ref_handle is None:
        u = users.get(ref_account)
        ref_handle = opt_str(u.get("username")) if u else None
    urls = [u.get("expanded_url") or u.get("url") for u in ents.get("urls", []) if isinstance(u, dict)] if isinstance(ents.get("urls"), list) else []
    return {
        "post_id": post_id,
        "platform": "twitter",
        "account_id": author_id,
        "created_at": created,
        "text": decode(text),  # the API's `&amp;` `&lt;` `&gt;` (ingest/html_entities.py)
        "lang": opt_str(tweet.get("lang")),
        "kind": kind,
        "ref_post_id": ref_post,
        "ref_account_id": ref_account,
        "ref_handle": ref_handle,
        "hashtags": str_list(ents.get("hashtags"), "tag"),
        "mentions": str_list(ents.get("mentions"), "username"),
        "urls": [u for u in urls if isinstance(u, str)],
        "client": client_name(tweet.get("source")),
    }


def _retrieved_at(obj: dict[str, Any]) -> datetime | None:
    meta = obj.get("__twarc")
    if isinstance(meta, dict):
        return parse_iso_time(meta.get("retrieved_at"), required=False)
    return None


def handle_page(obj: Any, line: int, sink: RowSink) -> None:
    """One twarc2 response page: tweets (or users, for a user lookup) plus their includes."""
    if not isinstance(obj, dict):
        raise not_an_object(obj)
    if "data" not in obj and "errors" in obj:
        raise RecordError(f"API error record: {str(obj.get('errors'))[:200]}")
    data = obj.get("data")
    items = data if isinstance(data, list) else [data] if isinstance(data, dict) else None
    if items is None:
        raise RecordError("page has no data")
    includes = obj.get("includes") if isinstance(obj.get("includes"), dict) else {}
    retrieved = _retrieved_at(obj)
    users = {str(u.get("id")): u for u in list_or_empty(includes.get("users")) if isinstance(u, dict)}
    refs = {str(t.get("id")): t for t in list_or_empty(includes.get("tweets")) if isinstance(t, dict)}
    if items and all(isinstance(i, dict) and "username" in i and "text" not in i for i in items):
        for u in items:  # a user lookup page
            sink.account(user_snapshot(u, retrieved), line)
        return
    bad: list[str] = []
    for tweet in items:
        try:
            if not isinstance(tweet, dict):
                raise RecordError("tweet is not an object")
            row = _tweet_row(tweet, refs, users)
        except RecordError as exc:
            bad.append(f"tweet {tweet.get('id') if isinstance(tweet, dict) else '?'}: {exc}")
            continue
        sink.post(row, line)
        author = users.get(row["account_id"])
        if author:
            sink.account(user_snapshot(author, row["created_at"]), line)
        else:  # the author is known to exist even when the page did not expand them
            sink.account({"account_id": row["account_id"], "platform": "twitter", "observed_at": row["created_at"]}, line)
    for uid, u in users.items():
        try:
            sink.account(user_snapshot(u, retrieved), line)
        except RecordError as exc:
            bad.append(f"user {uid}: {exc}")
    if bad:
        raise RecordError("; ".join(bad[:5]) + (f" (+{len(bad) - 5} more)" if len(bad) > 5 else ""))


def handle_flat(obj: Any, line: int, sink: RowSink) -> None:
    """One `twarc2 flatten` tweet with its author and referenced tweets inlined. A v1.1 status in
    the same file (archives merged by hand) is read as v1.1, as `twitter_v1.handle_status` reads a
    v2 tweet among v1.1 statuses: the format is sniffed from a file's first record only. So is
    the v1.1 stream's delete or limit notice or stall warning, kept as it is in a v1.1 file
    (it was rejected as "missing post id" when the file began with a v2 tweet)."""
    if not isinstance(obj, dict):
        raise not_an_object(obj)
    if (is_status(obj) and not is_flat_tweet(obj)) or is_stream_notice(obj):
        handle_status(obj, line, sink)
        return
    refs: dict[str, dict[str, Any]] = {}
    users: dict[str, dict[str, Any]] = {}
    for ref in list_or_empty(obj.get("referenced_tweets")):
        if isinstance(ref, dict) and ref.get("id") is not None:
            refs[str(ref["id"])] = ref
            if isinstance(ref.get("author"), dict):
                users[str(ref["author"].get("id"))] = ref["author"]
    row = _tweet_row(obj, refs, users)
    sink.post(row, line)
    if isinstance(obj.get("author"), dict):
        sink.account(user_snapshot(obj["author"], row["created_at"]), line)
    else:
        sink.account({"account_id": row["account_id"], "platform": "twitter", "observed_at": row["created_at"]}, line)
    for u in users.values():
        try:
            sink.account(user_snapshot(u, row["created_at"]), line)
        except RecordError:
            pass
