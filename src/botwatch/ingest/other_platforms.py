"""Posts from other platforms into the same tables: Bluesky Jetstream events and Mastodon statuses.

Bluesky posts are keyed `did/rkey` (references given as at:// URIs are turned into the same
form, so replies and reposts join their targets). Mastodon ids are local to an instance, so a
status is keyed by its global `uri` and an account by its profile `url` when the export has one on
the account's instance (`account_key`: else `acct:user@instance`, so no sending instance picks it);
a reply's target, given by local ids only, by whom it answers and that id (`_serving_host`).
Events that are valid but are not posts (likes, follows) are read and skipped, not rejected:
they are not errors; the delete of a post or repost is counted as a delete notice
(`RowSink.deletion`); a profile record, an identity event and a profile view `collect bluesky`
looked up at the AppView (`PROFILE_VIEW`) add to the account.
"""

from __future__ import annotations

import html
import re
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import orjson

from botwatch.accounts.json_shape import shown_handle
from botwatch.ingest.csv_formats import text_entities
from botwatch.ingest.fields import (
    epoch_to_datetime,
    list_or_empty,
    obj_or_empty,
    opt_bool,
    opt_id,
    opt_int,
    opt_str,
    parse_iso_time,
    plausible_post_time,
    record_json,
    req_id,
    req_text,
    str_list,
)
from botwatch.ingest.record_error import RecordError, not_an_object

if TYPE_CHECKING:  # a type hint only: `sink` imports pyarrow, which the collectors sharing these helpers never use
    from botwatch.ingest.sink import RowSink

FORMAT_JETSTREAM = "bluesky-jetstream"
FORMAT_MASTODON = "mastodon-status"

# How far a Bluesky record's `createdAt` may run ahead of the event's relay time (`time_us`):
# the clock-skew window Bluesky's timestamp guide suggests.
_CLOCK_SKEW = timedelta(minutes=2)
# How far it may run behind: a post sent while the relay or Jetstream was down reaches a capture
# when they catch up, hours late, and dating those posts by the catch-up would pile them into one
# invented burst. Further back than a day is a claim, not a delay: a client can write any time
# (archives imported from other platforms say 2016), and an author could so place posts inside or
# outside the election window at will.
BACKDATE_TOLERANCE = timedelta(days=1)
# The start of the note that keeps a redated post's claimed time in `rejected` (`RowSink.redated`).
REDATED_NOTE = "record.createdAt"
PROFILE = "app.bsky.actor.profile"
# A profile view `collect bluesky` looked up at the AppView (`collect.bsky_profiles`), in the capture
# beside the Jetstream events: `{"did", "time_us", "kind": PROFILE_VIEW, "profile": {...}}`.
PROFILE_VIEW = "botwatch.profile_view"
# No Bluesky account was made before the network's first accounts (2022); an AppView gives some old
# accounts `createdAt` "0001-01-01T00:00:00.000Z", which is no date, not an account 2,000 years old.
_FIRST_ACCOUNT = datetime(2022, 1, 1)
_AT_URI = re.compile(r"^at://([^/]+)/([^/]+)/([^/?#]+)")
_TAG = re.compile(r"<[^>]+>")
_BREAK = re.compile(r"<br\s*/?>|</p>\s*<p[^>]*>", re.IGNORECASE)
# A script or style element's contents are code, not words the account wrote: a note holding
# "<script>alert('note')</script>" became the description "Voter & citizen alert('note')", and
# "alert" is an automation word to the bot model. (Mastodon servers strip such elements; a
# captured or hand-made status may still hold them.)
_CODE = re.compile(r"<(script|style)\b[^>]*>.*?(?:</\1\s*>|$)", re.IGNORECASE | re.DOTALL)
_ANCHOR = re.compile(r"<a\b([^>]*)>", re.IGNORECASE)
# The host of an http(s) URL: no user part ("@"), ended by a path, query, fragment or the end.
_HTTP_HOST = re.compile(r"https?://([^/?#@\\\s]+)(?:[/?#]|$)", re.IGNORECASE)
_ATTR = re.compile(r"""(?:^|\s)(href|class|rel)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""", re.IGNORECASE)


def is_jetstream(obj: Any) -> bool:
    return isinstance(obj, dict) and isinstance(obj.get("did"), str) and "time_us" in obj and "kind" in obj


def is_mastodon(obj: Any) -> bool:
    return isinstance(obj, dict) and "content" in obj and isinstance(obj.get("account"), dict) and "created_at" in obj


def at_uri_key(uri: Any) -> tuple[str, str] | None:
    """(post key `did/rkey`, author did) from an at:// URI."""
    if not isinstance(uri, str):
        return None
    m = _AT_URI.match(uri)
    return (f"{m.group(1)}/{m.group(3)}", m.group(1)) if m else None


def handle_jetstream(obj: Any, line: int, sink: RowSink) -> None:
    if not isinstance(obj, dict):
        raise not_an_object(obj)
    did = req_id(obj.get("did"), "did")
    kind = obj.get("kind")
    if kind == "identity":
        ident = obj.get("identity") if isinstance(obj.get("identity"), dict) else {}
        when = parse_iso_time(ident.get("time"), required=False)
        sink.account({"account_id": did, "platform": "bluesky", "handle": _valid_handle(ident.get("handle")), "observed_at": when}, line)
        return
    if kind == PROFILE_VIEW:
        _profile_view(did, obj, line, sink)
        return
    if kind != "commit":
        return
    commit = obj.get("commit")
    if not isinstance(commit, dict):
        raise RecordError("commit event without a commit object")
    if commit.get("collection") == PROFILE and commit.get("operation") in ("create", "update"):
        _profile(did, commit, obj.get("time_us"), line, sink)
        return
    if commit.get("collection") not in ("app.bsky.feed.post", "app.bsky.feed.repost"):
        return
    if commit.get("operation") == "delete":  # the author deleted a post (or a repost) read as a post
        sink.deletion({"post_id": f"{did}/{req_id(commit.get('rkey'), 'commit.rkey')}", "platform": "bluesky", "account_id": did,
                       "deleted_at": _relay_time(obj.get("time_us"))}, line)
        return
    if commit.get("operation") == "update" and commit.get("collection") == "app.bsky.feed.post":
        _post_edit(did, commit, obj, line, sink)
        return
    if commit.get("operation") != "create":
        return
    rkey = req_id(commit.get("rkey"), "commit.rkey")
    record = commit.get("record")
    if not isinstance(record, dict):
        raise RecordError("commit without a record")
    created = parse_iso_time(record.get("createdAt"), "record.createdAt", required=False)
    t_us = obj.get("time_us")
    if created is None:
        created = _relay_date(t_us)
    elif (relayed := _relay_time(t_us)) is not None:
        created = _relay_checked(created, relayed, obj, line, sink)
    row: dict[str, Any] = {"post_id": f"{did}/{rkey}", "platform": "bluesky", "account_id": did, "created_at": created}
    if commit["collection"] == "app.bsky.feed.repost":
        subject = record.get("subject") if isinstance(record.get("subject"), dict) else {}
        ref = at_uri_key(subject.get("uri"))
        row.update(kind="retweet", text="", ref_post_id=ref[0] if ref else None, ref_account_id=ref[1] if ref else None)
    else:
        row["text"] = req_text(record.get("text"))
        langs = record.get("langs")
        row["lang"] = langs[0] if isinstance(langs, list) and langs and isinstance(langs[0], str) else None
        tags, mentions, links = list(str_list(record.get("tags"))), [], []
        for facet in list_or_empty(record.get("facets")):
            for feat in list_or_empty(obj_or_empty(facet).get("features")):
                if not isinstance(feat, dict):
                    continue
                t = feat.get("$type") if isinstance(feat.get("$type"), str) else ""
                if t.endswith("#tag") and isinstance(feat.get("tag"), str):
                    tags.append(feat["tag"])
                elif t.endswith("#mention") and isinstance(feat.get("did"), str):
                    mentions.append(feat["did"])
                elif t.endswith("#link") and isinstance(feat.get("uri"), str):
                    links.append(feat["uri"])
        # A "#tag" typed in the text without a tag facet (clients that write none, older posts):
        # `collect bluesky` keeps such a post by its text, and the election match reads
        # `hashtags`, so a capture kept for #GE2017 was then "no post … belongs to the election".
        have = {t.casefold() for t in tags}
        for t in text_entities(row["text"])[0]:
            if t.casefold() not in have and not t.isdigit():  # "#1" is no tag to Bluesky's clients
                have.add(t.casefold())
                tags.append(t)
        row.update(hashtags=tags, mentions=mentions, urls=links, kind="original")
        reply = record.get("reply") if isinstance(record.get("reply"), dict) else None
        embed = record.get("embed") if isinstance(record.get("embed"), dict) else None
        if reply and isinstance(reply.get("parent"), dict):
            ref = at_uri_key(reply["parent"].get("uri"))
            row.update(kind="reply", ref_post_id=ref[0] if ref else None, ref_account_id=ref[1] if ref else None)
        elif embed and "record" in str(embed.get("$type", "")):
            inner = embed.get("record") if isinstance(embed.get("record"), dict) else {}
            inner = inner.get("record", inner) if isinstance(inner.get("record"), dict) else inner
            ref = at_uri_key(inner.get("uri"))
            # An embedded record may be a feed, list or starter pack rather than a post: sharing
            # one is no quote, and it made the post a "quote" of the list's owner (a party's own
            # account's list counted as quoting the party) pointing at a post that never exists.
            if ref and _AT_URI.match(inner["uri"]).group(2) == "app.bsky.feed.post":
                row.update(kind="quote", ref_post_id=ref[0], ref_account_id=ref[1])
    sink.post(row, line)
    sink.account({"account_id": did, "platform": "bluesky", "observed_at": created}, line)


def _valid_handle(value: Any) -> str | None:
    """A Bluesky handle, or None for none. "handle.invalid" is what the network sends when the
    account's handle failed validation: no handle, and not one to keep. Stored, it replaced the
    account's last known handle, and every such account read "@handle.invalid" (one handle for
    many accounts)."""
    handle = opt_str(value)
    return None if handle is not None and handle.lower() == "handle.invalid" else handle


def _relay_time(t_us: Any) -> datetime | None:
    """A `time_us` (microseconds since 1970) as a time, or None where it is no such count or no
    time a relay can have written (after tomorrow: `plausible_post_time`). A relay whose clock ran
    years ahead dated a post's `time_us` 2100, and `_relay_checked` then moved the post, whose own
    `createdAt` was right, to 2100: the study's period covered ran to 2100."""
    if not isinstance(t_us, (int, float)) or isinstance(t_us, bool) or not 1e14 < t_us < 1e17:
        return None
    t = epoch_to_datetime(float(t_us))
    return t if plausible_post_time(t) else None


def _relay_date(t_us: Any) -> datetime:
    """The time of a post with no `createdAt`: when relayed (`time_us`), where that is a time a
    relay can have written (`plausible_post_time`, as `_relay_time` checks). Dated from any number, a relay clock run ahead dated
    such a post 2100 and the study's period covered ran to 2100; with no time it is undatable,
    and rejected with the reason, as a post with no time is on the other readers."""
    if not isinstance(t_us, (int, float)) or isinstance(t_us, bool):
        raise RecordError("missing record.createdAt and time_us")
    relayed = epoch_to_datetime(float(t_us))
    if not plausible_post_time(relayed):
        raise RecordError(f"missing record.createdAt, and time_us {str(t_us)[:40]} ({relayed:%Y-%m-%d}) is before 2006 or after tomorrow, "
                          "no time a relay wrote: the post has no time to date it by")
    return relayed


def _profile_view(did: str, obj: dict[str, Any], line: int, sink: RowSink) -> None:
    """A profile view the collector looked up at the AppView, as it stood when looked up
    (`time_us`): what a Jetstream profile commit lacks, the account's creation date and its
    follower, follow and post counts, stored in the columns a Mastodon account's land in. An
    account with no avatar shows the default image (`default_image`, as on the other platforms)."""
    view = obj.get("profile")
    if not isinstance(view, dict):
        raise RecordError("profile view without a profile object")
    if view.get("did") != did:
        raise RecordError(f"profile view of {str(view.get('did'))[:80]!r} filed under {did[:80]!r}")
    seen = _relay_time(obj.get("time_us"))
    created = parse_iso_time(view.get("createdAt"), required=False)
    if created is not None and (created < _FIRST_ACCOUNT or (seen is not None and created > seen + _CLOCK_SKEW)):
        created = None
    sink.account({"account_id": did, "platform": "bluesky", "handle": _valid_handle(view.get("handle")),
                  "display_name": opt_str(view.get("displayName")), "description": opt_str(view.get("description")),
                  "created_at": created, "followers": opt_int(view.get("followersCount")), "following": opt_int(view.get("followsCount")),
                  "posts_count": opt_int(view.get("postsCount")), "default_image": not opt_str(view.get("avatar")),
                  "observed_at": seen}, line)


def _post_edit(did: str, commit: dict[str, Any], obj: dict[str, Any], line: int, sink: RowSink) -> None:
    """A post record rewritten (an `update` commit): kept whole beside the post (`RowSink.edited`),
    whose text stays the one first stored. Skipped as no post, the new text was lost, and a post
    edited into other words after it was seen left no trace."""
    rkey = req_id(commit.get("rkey"), "commit.rkey")
    if not isinstance(commit.get("record"), dict):
        raise RecordError("update commit without a record")
    seen = _relay_time(obj.get("time_us"))
    when = seen.isoformat() if seen is not None else "an unknown time"
    sink.edited(line, f"post {did}/{rkey} rewritten (relayed at {when}); `posts` keeps its first text, this record holds the new one",
                record_json(obj))


def edit_note(status: dict[str, Any]) -> str:
    """The note kept with a Mastodon status's edit (`RowSink.edited`): which status, edited when."""
    post_id = req_id(opt_str(status.get("uri")) or opt_id(status.get("id")), "status id")
    edited_at = parse_iso_time(status.get("edited_at"), "edited_at", required=False)
    when = edited_at.isoformat() if edited_at is not None else "an unknown time"
    return f"status {post_id} edited at {when}; `posts` keeps its first text, this record holds the edited one"


def _relay_checked(claimed: datetime, seen: datetime, obj: dict[str, Any], line: int, sink: RowSink) -> datetime:
    """A post's time: its `createdAt` (`claimed`), or the relay's (`seen`, from `time_us`) where the
    claim is past it beyond clock skew or before it beyond `BACKDATE_TOLERANCE`.

    `createdAt` is whatever the client wrote; `time_us` (microseconds, as Jetstream writes it) is
    when the network relayed the record, so nothing was made after it and little long before. One
    post dated 2099 stretched the study's period covered, its timelines and its day counts to 2099;
    one dated 2016 in a 2026 capture stood outside the election window, and bursts, timelines and
    estimates read `created_at` alone. The claim is not lost: the record is kept in `rejected`
    beside a note saying both times (`RowSink.redated`), and the file's line counts such posts.
    A time_us that is no microsecond count is not compared (the caller's check)."""
    if seen - BACKDATE_TOLERANCE <= claimed <= seen + _CLOCK_SKEW:
        return claimed
    way = "after" if claimed > seen else "before"
    sink.redated(line, f"{REDATED_NOTE} {claimed.isoformat()} is {way} the relay's time_us {seen.isoformat()} "
                       f"by more than Bluesky allows ({_CLOCK_SKEW} after, {BACKDATE_TOLERANCE.days} day before): "
                       "the post is dated when relayed", record_json(obj))
    return seen


def _profile(did: str, commit: dict[str, Any], t_us: Any, line: int, sink: RowSink) -> None:
    """An account's profile record (`app.bsky.actor.profile`, key `self`), written or rewritten:
    its display name and description, as seen when the network relayed it (`time_us`), so the
    latest profile's fields win. The record's `createdAt` is when the profile record was first
    written (an optional field since 2024; an older profile's is set by its next edit), not when
    the account was made: it is no creation date. The avatar and banner are image blobs and the
    record gives no counts, so nothing else is stored."""
    if commit.get("rkey") != "self":
        return  # no profile of the account's: clients read only `self`
    record = commit.get("record")
    if not isinstance(record, dict):
        raise RecordError("profile commit without a record")
    seen = _relay_time(t_us)
    sink.account({"account_id": did, "platform": "bluesky", "display_name": opt_str(record.get("displayName")),
                  "description": opt_str(record.get("description")), "observed_at": seen}, line)


def html_to_text(content: str) -> str:
    """Mastodon's HTML content as plain text (tags dropped, paragraphs and breaks as newlines)."""
    return html.unescape(_TAG.sub("", _BREAK.sub("\n", _CODE.sub("", content)))).strip()


def status_text(status: dict) -> str:
    """A status's text: its content warning (`spoiler_text`, plain text in the API), a blank line,
    then its body. On political Mastodon the warning often names the topic ("uspol", "UK
    politics") above a body that does not: the warning was dropped, so party matching and
    language detection never saw it, and a status with a warning and no body had no text."""
    body = html_to_text(req_text(status.get("content")))
    cw = warning_text(status) or ""
    return f"{cw}\n\n{body}" if cw and body else cw or body


def warning_text(status: dict) -> str | None:
    """A status's content warning as it begins its text (`status_text`); None where it has none.
    Stored apart too (`posts.warning`): a warning is no text the account wrote to say something,
    and accounts that only used the same one ("Content warning: graphic images") on media
    without words were "posting the same text" to the co-post trace."""
    cw = status.get("spoiler_text")
    return cw.strip() or None if isinstance(cw, str) else None


def _tags(status: dict) -> list[str]:
    """A status's hashtags: its `tags`, then each "#tag" typed in its content warning that they lack.
    The server tags the body alone, so a warning's "#GE2017", in the text since the warning is,
    was in no post's hashtags, and the election match and co-hashtags never saw it."""
    tags = list(str_list(status.get("tags"), "name"))
    cw = status.get("spoiler_text")
    have = {t.casefold() for t in tags}
    for t in text_entities(cw)[0] if isinstance(cw, str) else ():
        if t.casefold() not in have and not t.isdigit():  # a tag needs a letter on Mastodon ("#1" is none)
            have.add(t.casefold())
            tags.append(t)
    return tags


def _content_links(content: str, card: Any) -> list[str]:
    """A status's links: its content's anchors that are not a mention's or a hashtag's (Mastodon
    marks those with class "mention", a hashtag also rel "tag"), then its preview card's URL. The
    card alone was read; a server fetches it after the status is posted, so a streamed status has
    none, and a status holds one card whatever its links."""
    out: list[str] = []
    for m in _ANCHOR.finditer(_CODE.sub("", content)):
        attrs = {k.lower(): html.unescape(a or b or c) for k, a, b, c in _ATTR.findall(m.group(1))}
        if "mention" in attrs.get("class", "").split() or "tag" in attrs.get("rel", "").split():
            continue
        href = attrs.get("href", "").strip()
        if href.lower().startswith(("https://", "http://")) and href not in out:
            out.append(href)
    url = opt_str(card.get("url")) if isinstance(card, dict) else None
    if url and url not in out:
        out.append(url)
    return out


def _mentions(mentions: Any) -> list[str]:
    """A status's mentions, each its `acct`; a bare one (an account of the serving instance, which
    gives `acct` relative to itself) with the instance its profile `url` names ("alice@a.social",
    `shown_handle`'s form). Kept bare, a mention in a post by another instance's account could not
    be told from any other instance's local alice downstream (co-mention, a party's handle)."""
    out: list[str] = []
    for m in list_or_empty(mentions):
        if isinstance(m, dict):
            a = m.get("acct")
            if isinstance(a, str) and a:
                out.append(shown_handle("mastodon", a, m.get("url")) or a)
        elif isinstance(m, str) and m:
            out.append(m)
    return out


def _serving_host(obj: dict[str, Any]) -> str | None:
    """The instance that served a status (its local ids are that instance's), where the status
    tells it: an account it gives a bare `acct` (the author, a mentioned one) is of that instance,
    and its profile URL names the instance."""
    for a in [obj.get("account"), *list_or_empty(obj.get("mentions"))]:
        if isinstance(a, dict) and isinstance(a.get("acct"), str):
            shown = shown_handle("mastodon", a["acct"], a.get("url"))
            if shown and shown != a["acct"]:
                return shown.rsplit("@", 1)[1]
    return None


def _host_name(host: str) -> str:
    """One spelling of a host name (`_http_host`'s, an `acct` domain's): lower-case, without a
    trailing dot or a default port (":443", ":80"), a Unicode name in its ASCII (punycode) form.
    Why: Mastodon's API writes a remote `acct`'s domain in Unicode ("hans@bawü.social") beside a
    `url` and `uri` in punycode ("https://xn--baw-joa.social/@hans"); compared as written, every
    account of such an instance was keyed `acct:` from other instances but by its url on its own,
    one person as two accounts in a study of both."""
    h = host.lower()
    for port in (":443", ":80"):
        h = h.removesuffix(port)
    h = h.rstrip(".")
    # Each Unicode label as the punycode it decodes from, with no IDNA 2003 mapping: Mastodon's
    # acct is its stored punycode decoded, and the "idna" codec spelled "faß" as "fass", not
    # "xn--fa-hia" (and refused a long or empty label), so such an instance's accounts stayed two.
    return ".".join(label if label.isascii() else "xn--" + label.encode("punycode").decode("ascii") for label in h.split("."))


def _http_host(value: Any) -> str | None:
    """The host (`_host_name`'s spelling, a port other than the default kept) of an http(s) URL;
    None for anything else: another scheme (`javascript:alert(1)`), a bare local id, a URL with a
    user part (`https://a.social@b/`, whose host is b)."""
    m = _HTTP_HOST.match(value) if isinstance(value, str) else None
    return _host_name(m[1]) if m else None


def _serves(host: str, domain: str) -> bool:
    """Can `host` serve the accounts of `domain` (an `acct` domain)? Itself, or a name under it:
    Mastodon's split domain (LOCAL_DOMAIN example.com, WEB_DOMAIN social.example.com) gives
    "u@example.com" a url and uri on social.example.com. Why: keyed `acct:` wherever it was seen
    from another instance but by its url on its own, such an account was two accounts in a study
    of both; a sender cannot name itself under another's domain (its `acct` is the WebFinger
    name the receiving instance checked)."""
    return host == domain or host.endswith("." + domain)


def account_key(acct: dict[str, Any], home: str | None) -> tuple[str | None, str | None]:
    """(key, note) of a Mastodon account object: its profile `url` where every host the record
    gives agrees, else `acct:user@instance` with a note saying what disagreed; the local `id`
    where it has no `url`, as before.

    Why: the instance that sends an account writes its `url`, and the key was that URL unchecked:
    six accounts of six handles sent with one `url` ("javascript:alert(10)") were stored as one,
    five profiles lost and every post credited to it, so an instance could pour its accounts into
    another instance's account. The profile URL is kept as the key when it is http(s) and on the
    account's instance, as its ActivityPub `uri` (Mastodon 4.2 on) and `home` (the host of the
    status's own `uri`, written on the author's instance; None when not known) name it, and its
    `acct` domain is that host or one above it (`_serves`): an honest account keeps the key
    studies made before hold. Any other record is keyed
    `acct:user@instance` (RFC 7565's form, the instance its `acct` names, else `home`), a form no
    checked URL has, so it cannot land on a checked account of any instance; its posts are kept."""
    url, local_id = opt_str(acct.get("url")), opt_id(acct.get("id"))
    if url is None:
        return local_id, None
    user, _, domain = (opt_str(acct.get("acct")) or opt_str(acct.get("username")) or "").partition("@")
    uri = opt_str(acct.get("uri"))
    hosts = {_http_host(url), *([_http_host(uri)] if uri is not None else []), *([home] if home else [])}
    if len(hosts) == 1 and None not in hosts and (not domain or _serves(next(iter(hosts)), _host_name(domain))):
        return url, None
    instance = domain.lower() or home
    key = f"acct:{user}@{instance}" if user and instance else local_id
    said = ", ".join(f"{k} {v!r}" for k, v in (("url", url), ("uri", uri), ("acct", acct.get("acct")), ("status uri host", home)) if v)
    return key, f"Mastodon account {said}: not one instance (or a url that is not http/https), so keyed {key}, apart from any instance's account"


def status_home(status: dict[str, Any]) -> str | None:
    """The instance a status was written on, as its own `uri` names it (None where it has none)."""
    return _http_host(opt_str(status.get("uri")))


def _keyed(key: str | None) -> bool:
    """Is `key` an account key of the whole network (a checked profile URL, `acct:user@instance`),
    not an instance's local id, which two instances give to two people?"""
    return key is not None and key.startswith(("https://", "http://", "acct:"))


def handle_mastodon(obj: Any, line: int, sink: RowSink) -> None:
    if not isinstance(obj, dict):
        raise not_an_object(obj)
    acct = obj.get("account")
    if not isinstance(acct, dict):
        raise RecordError("missing account object")
    created = parse_iso_time(obj.get("created_at"))
    post_id = req_id(opt_str(obj.get("uri")) or opt_id(obj.get("id")), "status id")
    home = status_home(obj)
    account_id, note = account_key(acct, home)
    account_id = req_id(account_id, "account id")
    notes = [note] if note else []
    content = obj
    kind, ref_post, ref_account, ref_handle = "original", None, None, None
    reblog = obj.get("reblog")
    if isinstance(reblog, dict):
        kind, content = "retweet", reblog
        ref_post = opt_str(reblog.get("uri")) or opt_id(reblog.get("id"))
        racct = reblog.get("account") if isinstance(reblog.get("account"), dict) else {}
        ref_account, note = account_key(racct, status_home(reblog))
        notes += [note] if note else []
        ref_handle = opt_str(racct.get("acct"))
    elif opt_id(obj.get("in_reply_to_id")):
        kind, ref_account = "reply", opt_id(obj.get("in_reply_to_account_id"))
        # The API names the replied-to account by its id on the serving instance; accounts are keyed
        # by profile URL, so the reply's target is found by that id among the status's mentions
        # (a reply mentions whom it answers) or is the author (a thread): its URL and handle then
        # match the accounts table and a party's official handle, where the local id matched neither.
        if ref_account is not None:
            local_id = ref_account
            if ref_account == opt_id(acct.get("id")):
                ref_account, ref_handle = account_id, opt_str(acct.get("acct")) or opt_str(acct.get("username"))
            else:
                for m in list_or_empty(obj.get("mentions")):
                    if isinstance(m, dict) and opt_id(m.get("id")) == ref_account:
                        # a bare `acct` is of the serving instance: the author's, when the author's is bare too
                        bare = "@" not in (opt_str(m.get("acct")) or "@") and "@" not in (opt_str(acct.get("acct")) or "@")
                        key, note = account_key(m, home if bare else None)
                        ref_account, ref_handle = key or ref_account, opt_str(m.get("acct"))
                        notes += [note] if note else []  # said and counted, as a boost's target is
                        break
            if not _keyed(ref_account):
                # Still the local id: two instances' captures hold two people under it.
                host = _serving_host(obj)
                ref_account = f"https://{host}/api/v1/accounts/{local_id}" if host else None
        # The post answered is named by its id on the serving instance too, which two instances'
        # captures give to unrelated posts (co-reply linked replies to both), and the status gives
        # no global id (URI) for it: it is keyed by whom it answers and that id.
        ref_post = f"{ref_account}#{opt_id(obj['in_reply_to_id'])}" if ref_account else None
        # An account local to the serving instance (bare `acct`, profile URL of that instance) posts
        # there, and Mastodon's URI of a local status holds that id: the answered post's own key,
        # so a reply joins the post it answers when both were captured from that instance.
        shown = shown_handle("mastodon", ref_handle, ref_account)
        if ref_post and shown and shown != ref_handle:
            ref_post = f"https://{shown.rsplit('@', 1)[1]}/users/{ref_handle}/statuses/{opt_id(obj['in_reply_to_id'])}"
    elif isinstance(obj.get("quote"), dict):
        q = obj["quote"].get("quoted_status") if isinstance(obj["quote"].get("quoted_status"), dict) else obj["quote"]
        kind, ref_post = "quote", opt_str(q.get("uri")) or opt_id(q.get("id"))
        # whom it quotes, as a boost names whom it boosts: a cluster's quotes counted among its
        # shares that "name no account" and never among the accounts it amplified
        qacct = q.get("account") if isinstance(q.get("account"), dict) else {}
        ref_account, note = account_key(qacct, status_home(q))
        ref_handle = opt_str(qacct.get("acct"))
        notes += [note] if note else []
    text = status_text(content)
    app = obj.get("application") if isinstance(obj.get("application"), dict) else {}
    sink.post(
        {
            "post_id": post_id,
            "platform": "mastodon",
            "account_id": account_id,
            "created_at": created,
            "text": text,
            # A boost's own status carries no language (Mastodon sends null): the boosted status's
            # is the text's, as a retweet's is on Twitter; the boosts were "unknown" in the report's
            # languages "as the platform tagged them", though Mastodon had tagged every one.
            "lang": opt_str(obj.get("language")) or opt_str(content.get("language")),
            "kind": kind,
            "ref_post_id": ref_post,
            "ref_account_id": ref_account,
            "ref_handle": ref_handle,
            "hashtags": _tags(content),
            "mentions": _mentions(content.get("mentions")),
            "urls": _content_links(content["content"], content.get("card")),
            "client": opt_str(app.get("name")),
            "warning": warning_text(content),
        },
        line,
    )
    sink.account(_account_row(acct, account_id, created), line)
    if notes:
        sink.rekeyed(line, "; ".join(notes), record_json(obj))
    # Whom it boosts or quotes: the status holds that account's whole profile, kept as a
    # retweeted or quoted author's is on Twitter. It was dropped, so an amplified account was
    # unknown to `explain`, the accounts table and the count of accounts known.
    # Only one keyed by its profile URL: a bare local id is the serving instance's, and two
    # instances' captures would pool two people's profiles under it.
    if kind in ("retweet", "quote") and _keyed(ref_account):
        inner = content if kind == "retweet" else q
        if isinstance(inner.get("account"), dict):
            sink.account(_account_row(inner["account"], ref_account, created), line)


def _account_row(acct: dict[str, Any], account_id: str, observed: Any) -> dict[str, Any]:
    """An accounts-table row from a Mastodon account object, as seen at `observed`."""
    avatar = opt_str(acct.get("avatar"))
    return {
        "account_id": account_id,
        "platform": "mastodon",
        "handle": opt_str(acct.get("acct")) or opt_str(acct.get("username")),
        "display_name": opt_str(acct.get("display_name")),
        "description": html_to_text(acct["note"]) if isinstance(acct.get("note"), str) and acct["note"] else None,
        "created_at": parse_iso_time(acct.get("created_at"), required=False),
        "followers": opt_int(acct.get("followers_count")),
        "following": opt_int(acct.get("following_count")),
        "posts_count": opt_int(acct.get("statuses_count")),
        "default_image": ("missing.png" in avatar) if avatar else None,
        "observed_at": observed,
        "extra": orjson.dumps({"bot": opt_bool(acct.get("bot"))}).decode() if acct.get("bot") is not None else None,
    }
