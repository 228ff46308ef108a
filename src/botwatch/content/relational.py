"""The relational step of the content stage, in Ibis so DuckDB and Spark run the same logic:
posts joined with their author's handle (party accounts are known by handle, posts by id)."""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from botwatch.content.tables import INPUT_COLUMNS

# What a retweet without words of its own takes from the post it shares (`with_shared_words`).
SHARED_COLUMNS = ("text", "lang", "hashtags", "mentions")


def with_shared_words(posts: ir.Table) -> ir.Table:
    """`posts` (same columns) with each retweet that has no text of its own given the text,
    language, hashtags and mentions of the post it shares, where that post is in the study.

    A Bluesky repost is stored without words (the event names only the post it shares), where a
    Twitter retweet carries the original's text ("RT @handle: ..."): such a repost named no party
    and was in no election, so a study of both platforms counted Twitter's retweets in the party
    figures and none of Bluesky's. Read this way a repost names what its original names, as the
    retweet of a tweet does; one whose original is not in the study still has nothing to read."""
    wordless = ((posts.kind == "retweet") & (posts.text.isnull() | (posts.text == ""))).fill_null(False)
    # Only the shared posts are joined: a study without wordless retweets (Twitter's) builds an empty side.
    wanted = posts.filter(wordless).select(_wp=posts.platform, _wid=posts.ref_post_id).distinct()
    shared_posts = posts.semi_join(wanted, [posts.platform == wanted._wp, posts.post_id == wanted._wid])
    orig = shared_posts.select(_op=shared_posts.platform, _oid=shared_posts.post_id, **{f"_o_{c}": shared_posts[c] for c in SHARED_COLUMNS})
    j = posts.left_join(orig, [posts.platform == orig._op, posts.ref_post_id == orig._oid, wordless])
    shared = j._oid.notnull()
    return j.select(**{c: shared.ifelse(j[f"_o_{c}"], j[c]) if c in SHARED_COLUMNS else j[c] for c in posts.columns})


def label_input(posts: ir.Table, accounts: ir.Table) -> ir.Table:
    """Posts with the author's handle; a wordless retweet with its original's words
    (`with_shared_words`); a Bluesky post without `ref_handle` with the handle the study knows
    for the account it reposts, quotes or answers.

    A Bluesky event names that account by DID alone, where a Twitter retweet names it by handle
    (party accounts are listed by handle): a repost of a party's own post was never the
    "retweet of the party's account" a Twitter retweet of it was (no cue, no support)."""
    posts = with_shared_words(posts)
    bsky = accounts.filter((accounts.platform == "bluesky") & accounts.handle.notnull())
    refs = bsky.select(_ref_platform=bsky.platform, _ref_id=bsky.account_id, _ref_known=bsky.handle)
    r = posts.left_join(refs, [posts.platform == refs._ref_platform, posts.ref_account_id == refs._ref_id])
    posts = r.select(*[ibis.coalesce(r.ref_handle, r._ref_known).name(c) if c == "ref_handle" else r[c] for c in posts.columns])
    handles = accounts.select(_platform=accounts.platform, _account_id=accounts.account_id, handle=accounts.handle)
    joined = posts.left_join(handles, [posts.platform == handles._platform, posts.account_id == handles._account_id])
    return joined.select(*[posts[c] for c in INPUT_COLUMNS], joined.handle)
