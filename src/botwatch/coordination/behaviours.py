"""Behaviours as traces: each co-action kind projects posts onto (account, trace, time).

A *trace* is the thing two accounts can both do: retweet the same post, post the same text, share
the same link, use the same run of hashtags, reply to the same target. Two accounts that leave the
same trace within a short window, again and again, act in unison. Every behaviour here is an Ibis
expression over the canonical `posts` table, so the same projection runs on DuckDB and on Spark;
the output columns are always

    platform, behaviour, trace, account_id, post_id, t, target

where `target` is the account being amplified or addressed (NULL where the behaviour has none),
kept so clusters can say whom they amplify.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import ibis

from botwatch import mastodon_instance
from botwatch.coordination.behaviour_names import BEHAVIOURS, DEFAULT_BEHAVIOURS

# Texts shorter than this (after normalisation) are too generic to count as the same message.
MIN_TEXT_CHARS = 25


def normalise_text(text: Any) -> Any:
    """Lower-case, drop links, "RT @x:" prefixes, punctuation and repeated spaces (Ibis expression).

    Two posts that differ only by a shortened link or punctuation are the same message; letters of
    every script are kept (\\p{L}), so Cyrillic or Arabic copy-paste is caught as well as English.
    """
    # Few regex passes: this runs over every post's text and dominates the projection.
    # Tabs and newlines fall in the replaced class, so afterwards only spaces remain.
    # Combining marks go first: engines lower-case some letters differently (Java turns "İ" into
    # "i" + a combining dot, DuckDB into "i"), and accents typed as marks should not split words.
    # The marks pass only where a mark is: a search is cheaper than a replace that finds nothing
    # (most posts have none), and where none is found the replace would change nothing.
    # A capital sigma becomes σ first: Java lower-cases one that ends a word to the final form ς,
    # DuckDB always to σ (what DuckDB gives is unchanged; Spark then agrees;
    # tests/test_normalise_text_spark.py). About 0.05 CPU-s on 385k posts (docs/performance.md).
    low = text.replace("\u03a3", "\u03c3").lower()
    s = low.re_search(r"\p{M}").ifelse(low.re_replace(r"\p{M}+", ""), low)
    # One pass: each gap between kept characters (letters, digits, #, @, _) that holds a retweet
    # prefix, a link, another character or two or more spaces becomes one space; a single space
    # is left alone (rewriting every single space cost three times more on a million posts).
    # The same text as replacing the prefix, links and other characters with a space and then
    # collapsing runs of spaces (two passes): a gap is matched whole from its first character, as
    # each unit is tried at the same places in the same order (tests compare the two).
    # A link runs to the next blank as RE2 reads `\S` ([^\t\n\f\r ]), spelled out: Java's `\s` also
    # holds the vertical tab, so `\S` ended a link there on Spark only (tests/test_normalise_text_spark.py).
    unit = r"^rt @[\p{L}\p{N}_]+:?|https?://[^\t\n\f\r ]+|[^\p{L}\p{N}#@_ ]"
    s = s.re_replace(f" *(?:{unit})(?:{unit}| )*|  +", " ")
    # Only spaces are left, so the engines' one-argument trim (spaces) gives what `strip()` gives;
    # Ibis spells `strip()` as a trim of a set of characters, which DuckDB runs several times
    # slower (a quarter of the shared-text pairs query on 385k posts).
    return _trim_spaces(s)


@ibis.udf.scalar.builtin(name="trim")
def _trim_spaces(s: str) -> str:  # type: ignore[empty-body]
    """Leading and trailing spaces removed (DuckDB's and Spark's one-argument `trim`)."""


def normalise_url(url: Any) -> Any:
    """Scheme, "www.", fragments, tracking parameters and trailing slashes removed; host lower-cased.

    Links cannot be expanded offline (t.co and bit.ly need the network), so a shortened link is
    only the same as the identical shortened link; this is stated in docs/methods.md.
    """
    u = url.strip()
    u = u.re_replace(r"^[A-Za-z]+://", "")
    u = u.re_replace(r"#.*$", "")
    u = u.re_replace(r"[?&](utm_[a-z]+|fbclid|gclid|ref|s|ref_src)=[^&]*", "")
    u = u.re_replace(r"[/?]+$", "")
    host = u.re_extract(r"^([^/?]*)", 1).lower().re_replace(r"^www\.", "")
    rest = u.re_extract(r"^[^/?]*(.*)$", 1)
    return host + rest


def _out(t: Any, behaviour: str, trace: Any, target: Any = None) -> Any:
    return t.select(
        platform=t.platform,
        behaviour=ibis.literal(behaviour),
        trace=trace,
        account_id=t.account_id,
        post_id=t.post_id,
        t=t.created_at,
        target=target if target is not None else ibis.null().cast("string"),
    )


def _amplified(t: Any) -> Any:
    """The amplified account: its handle where known (readable), else its id."""
    return ibis.coalesce(t.ref_handle.lower(), t.ref_account_id)


def co_retweet(posts: Any, **_: Any) -> Any:
    """Retweets of the same post. Without post ids (IRA release) the same source handle and text."""
    rt = posts.filter(posts.kind == "retweet")
    # Split rather than coalesce, so the text is only normalised where there is no post id.
    with_id = rt.filter(rt.ref_post_id.notnull())
    no_id = rt.filter(rt.ref_post_id.isnull() & rt.text.notnull())
    keyed = with_id.mutate(_key=with_id.ref_post_id).union(
        no_id.mutate(_key=ibis.coalesce(no_id.ref_handle.lower(), ibis.literal("?")) + "|" + normalise_text(no_id.text))
    )
    rt = keyed
    return _out(rt, "co-retweet", rt._key, _amplified(rt))


def shared_text(posts: Any) -> Any:
    """The text two accounts can be said to post the same of: a post's text without its content
    warning (a Mastodon status's `text` is its warning, a blank line, then its body; `posts.warning`),
    empty for a status that has a warning and no words of its own. A warning is a label over a post
    ("nsfw", "Content warning: graphic images"): accounts that only put the same one over their media
    were a copy-paste campaign to co-post. Posts without a `warning` column (a study not opened for
    writing since it was added) are read whole, as before."""
    if "warning" not in posts.columns:
        return posts.text
    return posts.warning.isnull().ifelse(posts.text, posts.text.substr(posts.warning.length() + 2))


def shared_text_sql(columns: Any) -> str:
    """`shared_text` as a SQL expression over `posts` with these `columns`, for the queries written
    as SQL (`network.near_map_table`): the same text, and the same rule for a posts table without
    a `warning` column."""
    if "warning" not in columns:
        return "text"
    return "CASE WHEN warning IS NULL THEN text ELSE substr(text, length(warning) + 3) END"


def co_post(posts: Any, min_text_chars: int = MIN_TEXT_CHARS, **_: Any) -> Any:
    """Own posts (not retweets) with the same normalised text: copy-paste campaigns.

    Texts whose *normalised* form is shorter than `min_text_chars` (a bare link, "thanks!") are
    removed by `generic_trace` after the grouping into first actions: filtering here would make
    the engine normalise every text twice (once for the filter, once for the key).
    """
    own = posts.mutate(_text=shared_text(posts))
    own = own.filter((own.kind != "retweet") & (own._text.length() >= min_text_chars))
    own = own.mutate(_norm=normalise_text(own._text))
    return _out(own, "co-post", own._norm)


def generic_trace(traces: Any, min_text_chars: int = MIN_TEXT_CHARS) -> Any:
    """Ibis condition on `traces`' key columns: a trace too generic to count (a co-post text
    whose normalised form is shorter than `min_text_chars`, a retweet of no known post)."""
    return ((traces.behaviour == "co-post") & (traces.trace.length() < int(min_text_chars))) | (
        (traces.behaviour == "co-retweet") & traces.trace.endswith("|")
    )


def co_link(posts: Any, **_: Any) -> Any:
    """The same normalised link, in any kind of post."""
    p = posts.filter(posts.urls.notnull() & (posts.urls.length() > 0))
    p = p.select("platform", "account_id", "post_id", "created_at", url=p.urls.unnest())
    p = p.filter(p.url.notnull())
    # Normalise each distinct link once (a popular link appears in thousands of posts).
    distinct = p.select("url").distinct()
    distinct = distinct.mutate(_u=normalise_url(distinct.url)).rename(_raw="url")
    p = p.join(distinct, p.url == distinct._raw)
    p = p.filter(p._u.length() > 0)
    return _out(p, "co-link", p._u)


def co_hashtags(posts: Any, **_: Any) -> Any:
    """The same ordered run of two or more hashtags (hashtag games, scripted campaigns)."""
    p = posts.filter(posts.hashtags.notnull() & (posts.hashtags.length() >= 2))
    seq = p.hashtags.map(lambda h: h.lower()).join(" #")
    return _out(p, "co-hashtags", "#" + seq)


def co_reply(posts: Any, **_: Any) -> Any:
    """Replies to the same post (or, without its id, to the same account)."""
    r = posts.filter(posts.kind == "reply")
    r = r.mutate(_key=ibis.coalesce(r.ref_post_id, "@" + _amplified(r)))
    r = r.filter(r._key.notnull())
    return _out(r, "co-reply", r._key, _amplified(r))


def co_mention(posts: Any, accounts: Any = None, **_: Any) -> Any:
    """Mentions of the same account (in own posts; a retweet's mentions are the original's).

    A Mastodon server gives a mention relative to itself: a bare "alice" is an account of the
    instance collected, so in a study of two instances' captures a.social's and b.social's
    "alice" were one target. Ingest now stores such a mention with the instance its URL names
    ("alice@a.social"). For posts stored before it did, given `accounts`, a bare mention in a post
    by an account of the instance collected (its handle stored bare, its profile URL naming the
    instance) takes that instance, as the content stage's matcher does; one in a post by another
    instance's account names an account of the instance collected, which such a row does not
    give: it stays bare."""
    p = posts.filter((posts.kind != "retweet") & posts.mentions.notnull() & (posts.mentions.length() > 0))
    p = p.select("platform", "account_id", "post_id", "created_at", m=p.mentions.unnest())
    p = p.filter(p.m.notnull())
    m = p.m
    if accounts is not None:
        a = accounts.filter((accounts.platform == "mastodon") & accounts.handle.notnull())
        a = a.select(_a_platform=a.platform, _a_id=a.account_id, _a_handle=a.handle)
        p = p.left_join(a, [p.platform == a._a_platform, p.account_id == a._a_id])
        host = mastodon_instance.local_host(p.platform, p._a_handle, p.account_id)
        bare = ~p.m.contains("@") & (p.m != "")
        m = (host.notnull() & bare).ifelse(p.m + "@" + host, p.m)
    return _out(p, "co-mention", "@" + m.lower(), m.lower())


def fast_retweet(posts: Any, fast_seconds: int = 30, **_: Any) -> Any:
    """Retweets made within `fast_seconds` of the original (whose time must be in the study).

    Two accounts that both retweet the same post seconds after it appears are watching the same
    source with the same trigger: the signature of automation rings.
    """
    rt = posts.filter((posts.kind == "retweet") & posts.ref_post_id.notnull())
    orig = posts.select(o_platform=posts.platform, o_post_id=posts.post_id, o_t=posts.created_at)
    j = rt.join(orig, [rt.platform == orig.o_platform, rt.ref_post_id == orig.o_post_id])
    delay = j.created_at.epoch_seconds() - j.o_t.epoch_seconds()
    j = j.filter((delay >= 0) & (delay <= fast_seconds))
    return _out(j, "fast-retweet", j.ref_post_id, _amplified(j))


PROJECTIONS: dict[str, Callable[..., Any]] = {
    "co-retweet": co_retweet,
    "co-post": co_post,
    "co-link": co_link,
    "co-hashtags": co_hashtags,
    "co-reply": co_reply,
    "co-mention": co_mention,
    "fast-retweet": fast_retweet,
}


def check_behaviours(names: Iterable[str]) -> list[str]:
    """Validate behaviour names, keeping their order; raise ValueError naming the unknown one."""
    out: list[str] = []
    for n in names:
        if n not in BEHAVIOURS:
            raise ValueError(f"unknown behaviour {n!r}; known: {', '.join(BEHAVIOURS)}")
        if n not in out:
            out.append(n)
    return out


def traces(posts: Any, behaviours: Iterable[str] = DEFAULT_BEHAVIOURS, *, near_map: Any = None, **options: Any) -> Any:
    """The union of the chosen behaviours' traces (an Ibis expression).

    `co-post-near` needs `near_map` (an Ibis table post_id → near-duplicate group, built by
    `near.near_duplicate_map` in Python over Arrow); it is skipped when the map is absent.
    """
    parts = []
    for name in check_behaviours(behaviours):
        if name == "co-post-near":
            if near_map is not None:
                j = posts.join(near_map, posts.post_id == near_map.near_post_id)
                parts.append(_out(j, "co-post-near", j.near_group))
            continue
        parts.append(PROJECTIONS[name](posts, **options))
    if not parts:
        raise ValueError("no behaviour to project")
    out = parts[0]
    for p in parts[1:]:
        out = out.union(p)
    return out.filter(out.t.notnull() & out.account_id.notnull() & out.trace.notnull())
