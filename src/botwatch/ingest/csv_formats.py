"""Row handlers for the CSV archives: Twitter's information-operations (IO) release, the
FiveThirtyEight/Clemson IRA troll tweets, and twarc-csv output.

Columns are found by header name, never by position, because each release re-orders and renames
them (IO users files appear with and without a `user_` prefix). Hashed ids in the IO archive are
kept verbatim as strings.
"""

from __future__ import annotations

import hashlib
import re
from collections import OrderedDict
from typing import TYPE_CHECKING, Any

import orjson

from botwatch.ingest.csv_records import parse_list_field
from botwatch.ingest.fields import (
    cell_id,
    client_name,
    opt_bool,
    opt_int,
    opt_str,
    parse_iso_time,
    req_id,
    req_text,
)
from botwatch.ingest.html_entities import decode_if_escaped
from botwatch.ingest.record_error import RecordError
from botwatch.language_names import LANGUAGE_NAMES, UNKNOWN_TAGS

if TYPE_CHECKING:  # a type hint only: `sink` imports pyarrow, which the collectors sharing these helpers never use
    from botwatch.ingest.sink import RowSink

FORMAT_IO_TWEETS = "io-archive-tweets"
FORMAT_IO_USERS = "io-archive-users"
FORMAT_IRA_TWEETS = "ira-538-tweets"
FORMAT_IRA_AUTHORS = "ira-538-authors"
FORMAT_TWARC_CSV = "twarc-csv"

_RT_PREFIX = re.compile(r"^RT @(\w{1,50}):\s?", re.ASCII)
# The IRA's posting tools also copied others' posts as "RT RealJamesWoods: text", without the @
# (47,154 of the 1.67 million rows in ../shared/data/ira, 41,677 of them flagged as original posts):
# the words are the named account's, not the poster's. A handle is at most 15 characters.
_RT_PREFIX_BARE = re.compile(r"^RT ([A-Za-z0-9_]{1,15}):\s", re.ASCII)
# `post_type` as FiveThirtyEight's own files / the by-author re-cut write it.
_IRA_QUOTE_TYPES = frozenset({"QUOTE_TWEET", "Q"})
_IRA_RETWEET_TYPES = frozenset({"RETWEET", "R"})
_TCO = re.compile(r"https?://t\.co/\w+", re.ASCII)
_TCO_EXPANDED = ("tco1_step1", "tco2_step1", "tco3_step1")


def _marks() -> str:
    """A character class body of the Basic Multilingual Plane's combining marks (Unicode
    categories Mn, Mc, Me), with the zero-width (non-)joiner Persian and Indic words carry."""
    import unicodedata

    out, first, last = ["\u200c\u200d"], -1, -2
    for cp in range(0x300, 0x10000):
        if unicodedata.category(chr(cp))[0] == "M":
            if cp != last + 1:
                if first >= 0:
                    out.append(f"{re.escape(chr(first))}-{re.escape(chr(last))}")
                first = cp
            last = cp
    out.append(f"{re.escape(chr(first))}-{re.escape(chr(last))}")
    return "".join(out)


# A hashtag is letters, digits and '_' with the marks that belong to its letters: Python's `\w`
# has no combining marks, so "#भाजपा" (BJP) was read as the tag "भ", "#नरेंद्र_मोदी" as "नर" and a
# decomposed "#Grüne" as "Gru", and no election file's hashtag could match them.
_HASHTAG = re.compile(rf"(?<![\w&])#(\w[\w{_marks()}]{{0,138}})")
_MENTION = re.compile(r"(?<![\w])@(\w{1,50})", re.ASCII)
_URL = re.compile(r"https?://\S+")


def _get(row: dict[str, str], *names: str) -> str | None:
    """The first present, non-empty value among alternative header names."""
    for n in names:
        v = row.get(n)
        if v is not None and v.strip() != "":
            return v
    return None


def _extra(fields: dict[str, Any]) -> str | None:
    kept = {k: v for k, v in fields.items() if v not in (None, "")}
    return orjson.dumps(kept).decode() if kept else None


def id_text(text: str) -> str:
    """A post's text as an id made from it reads it: line breaks as LF. Why: a copy of a CSV saved
    on Windows (or checked out with git's autocrlf) holds CRLF inside multi-line cells, so each
    multi-line post of such a copy got an id of its own and a study holding both copies stored it
    twice. Ids of texts without CRLF (every single-line post) are unchanged."""
    return text.replace("\r\n", "\n")


# Punctuation a sentence puts after a link; a closing bracket only where the link opened none.
_LINK_TAIL = ".,;:!?'\"\u201d\u2019\u2026\u00bb"
_LINK_CLOSE = {")": "(", "]": "[", "}": "{"}


def _link(u: str) -> str:
    """A link found in text without the sentence's punctuation after it. Why: a link is read up to
    the next space, so "see https://t.co/abc." stored "https://t.co/abc." (../shared/data/ira: about
    7,500 of 1.63 million links, ending in `.` `…` `)` `"` `?` `!` `,` and others), a link no one can
    open and that never equals the same link elsewhere (co-link coordination). A link that would
    be left with nothing after its scheme ("http://…", a cut text) is kept as written."""
    end = len(u)
    while end and (u[end - 1] in _LINK_TAIL or (u[end - 1] in _LINK_CLOSE
                                                   and u.count(_LINK_CLOSE[u[end - 1]], 0, end) < u.count(u[end - 1], 0, end))):
        end -= 1
    return u[:end] if u.find("://") + 3 < end else u


def text_entities(text: str) -> tuple[list[str], list[str], list[str]]:
    """Hashtags, mentions and links found in text, for sources that do not list them."""
    return _HASHTAG.findall(text), _MENTION.findall(text), [_link(u) for u in _URL.findall(text)]


# -- Twitter information-operations archive ----------------------------------------------------


def _io_profile(row: dict[str, str], observed_at: Any) -> dict[str, Any]:
    return {
        "account_id": req_id(cell_id(_get(row, "userid", "user_id"), "userid"), "userid"),
        "platform": "twitter",
        "handle": opt_str(_get(row, "user_screen_name", "screen_name")),
        "display_name": opt_str(_get(row, "user_display_name", "display_name")),
        "description": opt_str(_get(row, "user_profile_description", "profile_description")),
        "location": opt_str(_get(row, "user_reported_location", "reported_location")),
        "account_lang": opt_str(_get(row, "account_language", "user_account_language")),
        "created_at": parse_iso_time(_get(row, "account_creation_date", "user_account_creation_date"), required=False),
        "followers": opt_int(_get(row, "follower_count", "user_follower_count", "followers_count")),
        "following": opt_int(_get(row, "following_count", "user_following_count", "friends_count")),
        "observed_at": observed_at,
        "extra": _extra({"profile_url": _get(row, "user_profile_url", "profile_url")}),
    }


def handle_io_tweet(row: dict[str, str], line: int, sink: RowSink) -> None:
    post_id = req_id(cell_id(row.get("tweetid"), "tweetid"), "tweetid")
    created = parse_iso_time(row.get("tweet_time"), "tweet_time")
    profile = _io_profile(row, created)
    # Twitter's own export of its store: escaped as the API sends text, unless a re-publisher decoded it.
    text = decode_if_escaped(req_text(row.get("tweet_text")))
    kind, ref_post, ref_account, ref_handle = "original", None, None, None
    if opt_bool(row.get("is_retweet")):
        kind, ref_post, ref_account = "retweet", cell_id(row.get("retweet_tweetid")), cell_id(row.get("retweet_userid"))
        m = _RT_PREFIX.match(text)
        if m:
            ref_handle, text = m.group(1), text[m.end():]
    elif cell_id(row.get("quoted_tweet_tweetid")):
        kind, ref_post = "quote", cell_id(row.get("quoted_tweet_tweetid"))
    elif cell_id(row.get("in_reply_to_tweetid")) or cell_id(row.get("in_reply_to_userid")):
        kind, ref_post, ref_account = "reply", cell_id(row.get("in_reply_to_tweetid")), cell_id(row.get("in_reply_to_userid"))
    sink.post(
        {
            "post_id": post_id,
            "platform": "twitter",
            "account_id": profile["account_id"],
            "created_at": created,
            "text": text,
            "lang": opt_str(row.get("tweet_language")),
            "kind": kind,
            "ref_post_id": ref_post,
            "ref_account_id": ref_account,
            "ref_handle": ref_handle,
            "hashtags": parse_list_field(row.get("hashtags")),
            "mentions": parse_list_field(row.get("user_mentions")),
            "urls": parse_list_field(row.get("urls")),
            "client": client_name(row.get("tweet_client_name")),
        },
        line,
    )
    sink.account(profile, line)


def handle_io_user(row: dict[str, str], line: int, sink: RowSink) -> None:
    sink.account(_io_profile(row, None), line)


# -- FiveThirtyEight / Clemson IRA troll tweets ---------------------------------------------------


def ira_lang(name: str | None) -> str | None:
    if name is None:
        return None
    key = name.strip().lower()
    if key in UNKNOWN_TAGS:
        return None
    return LANGUAGE_NAMES.get(key, key)


def unguard_538(text: str) -> str:
    """`text` without the quotes FiveThirtyEight's files wrap around a text that starts with `@`,
    `=`, `+` or `-` (a guard against spreadsheets reading it as a formula): `'@user thanks'` is
    the post `@user thanks`. Measured on ../shared/data/ira: no text there starts with one of the
    four bare, and 68,743 start with `'` and one of them and end with `'` (67,740 with `'@`).
    Kept as written, the quotes were shown in the report, read by the content models, and glued to
    a closing link (14,975 posts stored a link ending in `'`). Only that form is unwrapped: the
    22 texts that start so but do not end with `'` open a quotation of their own
    (`'@realDonaldTrump's plans ...`), as do texts such as `'Hello' she said`, and stay as they are."""
    if len(text) >= 3 and text[0] == "'" and text[1] in "@=+-" and text[-1] == "'":
        return text[1:-1]
    return text


def _ira_account_id(row: dict[str, str]) -> str:
    # The by-author re-cut's author_id is the handle; FiveThirtyEight's original has `author`.
    # external_author_id went through a float and lost digits, so the handle is the stable key.
    handle = _get(row, "author_id", "author")
    if handle is None:
        raise RecordError("missing author")
    return handle.strip().lower()


# A Twitter handle: at most 15 letters, digits or underscores.
_HANDLE = re.compile(r"[A-Za-z0-9_]{1,15}", re.ASCII)


def _ira_handle(row: dict[str, str]) -> str | None:
    """The handle a row names. FiveThirtyEight's files have it in `author`; the by-author re-cut has
    only its `author_id`, which is the handle except for 13 handles that had several (or missing)
    `external_author_id`s, keyed there as handle + id ("Politkach2329889815", "FindDietNone"). Such
    a key is no handle: it was stored as one, and since tweet rows are dated and an authors row is
    not, the authors file's `author` never replaced it. A re-cut key longer than a handle can be is
    left for the authors file to name (12 of the 13; "FindDietNone" cannot be told from a handle)."""
    handle = _get(row, "author")
    if handle is not None:
        return handle
    key = _get(row, "author_id")
    return key if key is not None and _HANDLE.fullmatch(key.strip()) else None


# The cells that tell apart two tweets an account posted with the same text in the same minute.
# Measured on ../shared/data/ira (1,667,971 rows): 14,462 rows share handle, minute and text with an
# earlier row; 14,215 of them repeat it cell for cell (one tweet listed twice). Of the 247 that differ,
# 224 differ in `updates` (the account's count of actions at harvest: two tweets are two actions), a
# few more in `post_type`/`retweet` (a retweet and a quote of one text are two actions). The other 23
# differ only in when the row was harvested (a minute apart), in `following`/`followers` or `region`,
# with the same `updates`: one tweet harvested twice, the account having done nothing in between,
# so they stay one post.
_IRA_TWEET_CELLS = ("updates", "post_type", "retweet")
# How many made ids a read remembers the first row of. Rows sharing one are at most 40 rows apart
# in ../shared/data/ira (the file runs by handle, then time), so a few thousand is ample.
_IRA_RECENT_IDS = 4096


def _ira538_id(key: str) -> str:
    return "ira538-" + hashlib.blake2b(key.encode(), digest_size=10).hexdigest()


def _ira_made_id(row: dict[str, str], account_id: str, content: str, sink: RowSink) -> str:
    """A stable post id for a row of a release without ids (the by-author re-cut), so re-ingest dedupes.

    The id hashes who, when (to the minute) and what. Why more than that: an account that posted
    the same text twice in a minute (the bursts the behaviour evidence reads) gave both tweets one
    id, and the second was counted a duplicate and lost. So the first row read under an id keeps
    it (the id every study ingested before stored), and a later row under the same id whose
    `_IRA_TWEET_CELLS` differ gets an id that hashes those cells too; a row equal to the first in
    them is the same tweet again and keeps the id, so ingesting the file again adds nothing.

    Order dependence that remains: "first" is the first row of one read (a parallel ingest's chunk of
    5,000 rows; a whole file otherwise, on Spark too), among the last `_IRA_RECENT_IDS` ids read. A
    file cut between two such rows, read as two files, gives the later half's row the plain id,
    which the earlier half's row already has: that tweet is counted a duplicate, as before (and a
    study that read the later half before the whole file holds that tweet under both ids). In
    ../shared/data/ira no such pair straddles a 5,000-row chunk, so a parallel and a one-process
    ingest store the same ids."""
    key = f"{account_id}\x1f{row.get('publish_date')}\x1f{id_text(content)}"
    made = _ira538_id(key)
    cells = tuple((row.get(c) or "").strip() for c in _IRA_TWEET_CELLS)
    first = sink.reader_state.setdefault("ira538_first_cells", OrderedDict())
    seen = first.get(made)
    if seen is None:
        first[made] = cells
        if len(first) > _IRA_RECENT_IDS:
            first.popitem(last=False)
        return made
    return made if seen == cells else _ira538_id("\x1f".join((key, *cells)))


def handle_ira_tweet(row: dict[str, str], line: int, sink: RowSink) -> None:
    account_id = _ira_account_id(row)
    created = parse_iso_time(row.get("publish_date"), "publish_date")
    content = req_text(row.get("content"))
    tweet_id = cell_id(row.get("tweet_id"))  # rounded by a spreadsheet: the id made below, from the content
    if tweet_id is None:
        tweet_id = _ira_made_id(row, account_id, content, sink)
    # The id above is made from the text as the file has it, so a study ingested before texts were
    # decoded keeps its ids. The collector decoded some texts and not others (html_entities.py).
    content = unguard_538(decode_if_escaped(content))
    text, kind, ref_handle = content, "original", None
    post_type = (row.get("post_type") or "").strip().upper()
    m = (_RT_PREFIX.match(content) or _RT_PREFIX_BARE.match(content)) if content[:3] == "RT " else None
    if m:  # another account's words, whatever the row's flags say
        kind, ref_handle, text = "retweet", m.group(1), content[m.end():]
    elif post_type in _IRA_QUOTE_TYPES:
        # A quote's text is the poster's own comment. The files flag quotes as retweets too
        # (`retweet` is 1 on every quote row), so the post type decides before the flag does.
        kind = "quote"
    elif post_type in _IRA_RETWEET_TYPES or row.get("retweet", "").strip() == "1":
        kind = "retweet"
    hashtags, mentions, urls = text_entities(content)
    if urls and _TCO_EXPANDED[0] in row:  # FiveThirtyEight's own files, not the by-author re-cut
        urls = ira_expanded_urls(urls, row)
    sink.post(
        {
            "post_id": tweet_id,
            "platform": "twitter",
            "account_id": account_id,
            "created_at": created,
            "text": text,
            "lang": ira_lang(row.get("language")),
            "kind": kind,
            "ref_handle": ref_handle,
            "hashtags": hashtags,
            "mentions": mentions,
            "urls": urls,
        },
        line,
    )
    sink.account(
        {
            "account_id": account_id,
            "platform": "twitter",
            "handle": _ira_handle(row),
            "followers": opt_int(row.get("followers")),
            "following": opt_int(row.get("following")),
            "posts_count": opt_int(row.get("updates")),
            "observed_at": created,
            "extra": _extra(
                {
                    "region": opt_str(row.get("region")),
                    "account_category": opt_str(row.get("account_category")),
                    "account_type": opt_str(row.get("account_type")),
                }
            ),
        },
        line,
    )


def ira_expanded_urls(urls: list[str], row: dict[str, str]) -> list[str]:
    """The post's links with its t.co links replaced by where they lead, where the file says.

    FiveThirtyEight's files (not the by-author re-cut) carry `tco1_step1` … `tco3_step1`: the first
    redirect of the post's first, second and third t.co link. A t.co link is unique to the post that
    made it, so without them no two accounts ever share a link (the co-link coordination test) and
    a reader sees only t.co. The n-th t.co link of the text takes the n-th column; a link with no
    value stays as written, and nothing is added, so a post has as many links as before."""
    if not urls or not any(row.get(c) for c in _TCO_EXPANDED):
        return urls
    out, n = [], 0
    for u in urls:
        if _TCO.match(u):
            target = opt_str(row.get(_TCO_EXPANDED[n])) if n < len(_TCO_EXPANDED) else None
            n += 1
            if target is not None and _URL.fullmatch(target):
                out.append(target)
                continue
        out.append(u)
    return out


def handle_ira_author(row: dict[str, str], line: int, sink: RowSink) -> None:
    account_id = _ira_account_id(row)
    sink.account(
        {
            "account_id": account_id,
            "platform": "twitter",
            "handle": _get(row, "author", "author_id"),
            "observed_at": None,
            "extra": _extra(
                {
                    "external_author_id": opt_str(row.get("external_author_id")),
                    "account_type": opt_str(row.get("account_type")),
                    "account_category": opt_str(row.get("account_category")),
                    "new_june_2018": opt_str(row.get("new_june_2018")),
                    "source_dataset": "fivethirtyeight-ira",
                }
            ),
        },
        line,
    )


# -- twarc-csv ------------------------------------------------------------------------------------


def _json_list(value: str | None, key: str) -> list[str]:
    if not value or not value.strip():
        return []
    try:
        items = orjson.loads(value)
    except orjson.JSONDecodeError:
        return parse_list_field(value)
    if not isinstance(items, list):
        return []
    return [str(i.get(key)) for i in items if isinstance(i, dict) and i.get(key)]


def handle_twarc_csv(row: dict[str, str], line: int, sink: RowSink) -> None:
    post_id = req_id(cell_id(row.get("id"), "id"), "id")
    created = parse_iso_time(row.get("created_at"))
    author_id = req_id(cell_id(_get(row, "author_id", "author.id"), "author_id"), "author_id")
    text = decode_if_escaped(req_text(row.get("text")))  # v2 text as the API escaped it, unless decoded since
    kind, ref_post, ref_account, ref_handle = "original", None, None, None
    if cell_id(row.get("referenced_tweets.retweeted.id")):
        kind, ref_post = "retweet", cell_id(row.get("referenced_tweets.retweeted.id"))
        ref_account = cell_id(row.get("retweeted_user_id"))
        m = _RT_PREFIX.match(text)
        if m:
            ref_handle, text = m.group(1), text[m.end():]
    elif cell_id(row.get("referenced_tweets.quoted.id")):
        kind, ref_post, ref_account = "quote", cell_id(row.get("referenced_tweets.quoted.id")), cell_id(row.get("quoted_user_id"))
    elif cell_id(row.get("referenced_tweets.replied_to.id")) or cell_id(row.get("in_reply_to_user_id")):
        kind, ref_post, ref_account = "reply", cell_id(row.get("referenced_tweets.replied_to.id")), cell_id(row.get("in_reply_to_user_id"))
    sink.post(
        {
            "post_id": post_id,
            "platform": "twitter",
            "account_id": author_id,
            "created_at": created,
            "text": text,
            "lang": opt_str(row.get("lang")),
            "kind": kind,
            "ref_post_id": ref_post,
            "ref_account_id": ref_account,
            "ref_handle": ref_handle,
            "hashtags": _json_list(row.get("entities.hashtags"), "tag"),
            "mentions": _json_list(row.get("entities.mentions"), "username"),
            "urls": _json_list(row.get("entities.urls"), "expanded_url"),
            "client": client_name(row.get("source")),
        },
        line,
    )
    if not _get(row, "author.username", "author.id"):
        sink.account({"account_id": author_id, "platform": "twitter", "observed_at": created}, line)
    else:
        image = opt_str(row.get("author.profile_image_url"))
        sink.account(
            {
                "account_id": author_id,
                "platform": "twitter",
                "handle": opt_str(row.get("author.username")),
                "display_name": opt_str(row.get("author.name")),
                "description": opt_str(row.get("author.description")),
                "location": opt_str(row.get("author.location")),
                "created_at": parse_iso_time(row.get("author.created_at"), required=False),
                "followers": opt_int(row.get("author.public_metrics.followers_count")),
                "following": opt_int(row.get("author.public_metrics.following_count")),
                "posts_count": opt_int(row.get("author.public_metrics.tweet_count")),
                "verified": opt_bool(row.get("author.verified")),
                "default_image": ("default_profile_images" in image) if image else None,
                "observed_at": created,
            },
            line,
        )
