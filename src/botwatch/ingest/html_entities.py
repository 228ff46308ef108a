"""Twitter's HTML escaping of post text, undone once at ingest, the same way on every path.

Why: Twitter's v1.1 and v2 APIs send a tweet's text with three characters escaped as HTML
entities: `&` as `&amp;`, `<` as `&lt;`, `>` as `&gt;`, and nothing else (a `"` stays a `"`). Kept
as sent, "Q&A" is stored as "Q&amp;A": exports and the report show the entity, and sentiment,
stance, word counts and near-copy matching read "amp" as a word. Measured on the shared real data
(docs/ingest-csv.md, "Escaped text"): every `&` in the text of the twarc2 and ge2017 files starts
one of the three entities, and none of their profile fields (names, descriptions) is escaped.

Only the three are decoded, in one pass, so a text a user typed as "&amp;" (which Twitter sent as
"&amp;amp;") comes back as "&amp;", and "&quot;" or "&#39;" stay as they are: Twitter never made
them. Other sources are left alone: Bluesky and Jetstream text is plain; Mastodon's HTML content
is already turned into text by its reader (`other_platforms.html_to_text`).

CSV exports of Twitter data are mixed: the FiveThirtyEight IRA file holds texts its collector
decoded (harvested before 7 Dec 2016: bare `&`, `<`, `>`) and texts it kept escaped (after). For
such files `decode_if_escaped` decodes a text only when it could be Twitter's escaped form (no `&`
outside the three entities, no bare `<` or `>`); a text that has one was already decoded and is kept.

The DuckDB native v1.1 reader does the same in SQL (`decode_sql`); `tests/test_ingest_entities.py`
checks the two agree on every string.
"""

from __future__ import annotations

import re

_ENTITY = re.compile(r"&(amp|lt|gt);")
_CHAR = {"amp": "&", "lt": "<", "gt": ">"}
# A character Twitter's escaping never leaves in a text: a `<`, a `>`, or a `&` that does not start
# one of the three entities.
_BARE = re.compile(r"[<>]|&(?!(?:amp|lt|gt);)")


def decode(text: str) -> str:
    """`text` as Twitter's API sent it, with `&amp;`, `&lt;` and `&gt;` decoded (one pass)."""
    if "&" not in text:
        return text
    return _ENTITY.sub(lambda m: _CHAR[m.group(1)], text)


def decode_if_escaped(text: str) -> str:
    """`decode(text)` when `text` can be Twitter's escaped form, else `text` as it is.

    For CSV exports whose collector may or may not have decoded the text already: an escaped
    text has no bare `&`, `<` or `>`, so a text with one was decoded before and is kept."""
    if "&" not in text or _BARE.search(text):
        return text
    return decode(text)


def decode_sql(x: str) -> str:
    """DuckDB SQL for `decode` of the text expression `x` (NULL stays NULL).

    Three replacements in this order equal the one-pass decode: replacing `&lt;` and `&gt;`
    first cannot make a new `&amp;` (they put in no `&`), and `&amp;` last turns "&amp;lt;"
    into "&lt;", not "<". Texts without `&` (almost all) skip them."""
    return (f"(CASE WHEN contains({x}, '&') THEN replace(replace(replace({x}, '&lt;', '<'), '&gt;', '>'), '&amp;', '&') "
            f"ELSE {x} END)")
