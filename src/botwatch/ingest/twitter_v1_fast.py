"""A typed fast path for v1.1 statuses: msgspec decodes only the fields botwatch keeps.

A v1.1 status is ~2-5 KB of JSON of which botwatch keeps a few hundred bytes. Decoding into
msgspec Structs skips everything else in C and checks types on the way, which makes it several
times faster than building full dicts. Anything the typed decoder refuses (an unexpected type,
a control message) returns False, and the lenient dict-based reader in `twitter_v1` decides
whether to coerce or reject the record, so the fast path never changes what is accepted.
"""

from __future__ import annotations

from typing import Optional

import msgspec

from botwatch.ingest.fields import client_name, opt_str, parse_twitter_time
from botwatch.ingest.sink import RowSink
from botwatch.ingest.twitter_v1 import profile_extra


class _Hashtag(msgspec.Struct, gc=False):
    text: Optional[str] = None


class _Mention(msgspec.Struct, gc=False):
    screen_name: Optional[str] = None


class _Url(msgspec.Struct, gc=False):
    url: Optional[str] = None
    expanded_url: Optional[str] = None


class _Entities(msgspec.Struct, gc=False):
    hashtags: list[_Hashtag] = []
    user_mentions: list[_Mention] = []
    urls: list[_Url] = []


class _Extended(msgspec.Struct, gc=False):
    full_text: Optional[str] = None
    entities: Optional[_Entities] = None


class _User(msgspec.Struct, gc=False):
    id_str: Optional[str] = None
    screen_name: Optional[str] = None
    name: Optional[str] = None
    description: Optional[str] = None
    location: Optional[str] = None
    lang: Optional[str] = None
    created_at: Optional[str] = None
    followers_count: Optional[int] = None
    friends_count: Optional[int] = None
    statuses_count: Optional[int] = None
    verified: Optional[bool] = None
    default_profile: Optional[bool] = None
    default_profile_image: Optional[bool] = None
    time_zone: Optional[str] = None
    utc_offset: Optional[int] = None
    favourites_count: Optional[int] = None
    listed_count: Optional[int] = None
    url: Optional[str] = None


class _Inner(msgspec.Struct, gc=False):
    """A retweeted or quoted status: only what the outer post takes from it."""

    id_str: Optional[str] = None
    text: Optional[str] = None
    full_text: Optional[str] = None
    extended_tweet: Optional[_Extended] = None
    entities: Optional[_Entities] = None
    user: Optional[_User] = None


class _Status(msgspec.Struct, gc=False):
    id_str: Optional[str] = None
    created_at: Optional[str] = None
    text: Optional[str] = None
    full_text: Optional[str] = None
    extended_tweet: Optional[_Extended] = None
    entities: Optional[_Entities] = None
    user: Optional[_User] = None
    retweeted_status: Optional[_Inner] = None
    quoted_status: Optional[_Inner] = None
    is_quote_status: Optional[bool] = None
    quoted_status_id_str: Optional[str] = None
    in_reply_to_status_id_str: Optional[str] = None
    in_reply_to_user_id_str: Optional[str] = None
    in_reply_to_screen_name: Optional[str] = None
    lang: Optional[str] = None
    source: Optional[str] = None


_decode = msgspec.json.Decoder(_Status).decode


def _s(v: Optional[str]) -> Optional[str]:
    """Same rule as the lenient reader (`fields.opt_str`), so both paths store the same values."""
    if v and len(v) > 4 and not v[0].isspace() and not v[-1].isspace():
        return v
    return opt_str(v) if v else None


def _snapshot(u: _User, observed_at: object) -> dict[str, object]:
    return {
        "account_id": u.id_str,
        "platform": "twitter",
        "handle": _s(u.screen_name),
        "display_name": _s(u.name),
        "description": _s(u.description),
        "location": _s(u.location),
        "account_lang": _s(u.lang),
        "created_at": parse_twitter_time(u.created_at, required=False) if u.created_at else None,
        "followers": u.followers_count,
        "following": u.friends_count,
        "posts_count": u.statuses_count,
        "verified": u.verified,
        "default_profile": u.default_profile,
        "default_image": u.default_profile_image,
        "time_zone": _s(u.time_zone),
        "utc_offset": u.utc_offset,
        "extra": profile_extra(u.favourites_count, u.listed_count, _s(u.url) is not None),
        "observed_at": observed_at,
    }


def fast_status(data: bytes, line: int, sink: RowSink) -> bool:
    """Store one status if it decodes cleanly with everything a post needs; else return False."""
    try:
        st = _decode(data)
    except (msgspec.DecodeError, msgspec.ValidationError, UnicodeDecodeError, RecursionError):
        return False  # RecursionError: JSON nested thousands deep, which the lenient path rejects
    user = st.user
    if not st.id_str or not st.created_at or user is None or not user.id_str:
        return False
    if st.id_str != st.id_str.strip() or user.id_str != user.id_str.strip():
        return False  # padded ids: let the lenient reader normalise them
    created = parse_twitter_time(st.created_at, required=False)
    if created is None:
        return False
    content: _Status | _Inner = st
    kind, ref_post, ref_account, ref_handle = "original", None, None, None
    rt = st.retweeted_status
    if rt is not None:
        kind, content = "retweet", rt
        ref_post = rt.id_str
        if rt.user is not None and rt.user.id_str:
            ref_account, ref_handle = rt.user.id_str, _s(rt.user.screen_name)
            sink.account(_snapshot(rt.user, created), line)
    elif st.is_quote_status and (st.quoted_status_id_str or st.quoted_status is not None):
        kind = "quote"
        q = st.quoted_status
        ref_post = st.quoted_status_id_str or (q.id_str if q else None)
        if q is not None and q.user is not None and q.user.id_str:
            ref_account, ref_handle = q.user.id_str, _s(q.user.screen_name)
            sink.account(_snapshot(q.user, created), line)
    elif st.in_reply_to_status_id_str or st.in_reply_to_user_id_str:
        kind = "reply"
        ref_post, ref_account, ref_handle = _s(st.in_reply_to_status_id_str), _s(st.in_reply_to_user_id_str), _s(st.in_reply_to_screen_name)
    ext = content.extended_tweet
    if ext is not None and ext.full_text is not None:
        text, ents = ext.full_text, ext.entities
    else:
        text = content.full_text if content.full_text is not None else content.text
        ents = content.entities
    if text is None:
        return False
    sink.post(
        {
            "post_id": st.id_str,
            "platform": "twitter",
            "account_id": user.id_str,
            "created_at": created,
            "text": text,
            "lang": _s(st.lang),
            "kind": kind,
            "ref_post_id": ref_post,
            "ref_account_id": ref_account,
            "ref_handle": ref_handle,
            "hashtags": [h.text for h in ents.hashtags if h.text] if ents else [],
            "mentions": [m.screen_name for m in ents.user_mentions if m.screen_name] if ents else [],
            "urls": [u.expanded_url or u.url for u in ents.urls if (u.expanded_url or u.url)] if ents else [],
            "client": client_name(st.source) if st.source else None,
        },
        line,
    )
    sink.account(_snapshot(user, created), line)
    return True
