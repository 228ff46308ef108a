"""A small posts table in the columns `content.match.match_batch` reads, for matcher tests.

Why: the matcher tests of one language's spellings (ё/е, Latin look-alikes) each need a few posts
by one account at one time; one builder keeps their column set in step with the matcher's.
"""

from __future__ import annotations

from datetime import datetime

import pyarrow as pa

_SCHEMA = pa.schema([("platform", pa.string()), ("post_id", pa.string()), ("account_id", pa.string()), ("created_at", pa.timestamp("us")),
                     ("text", pa.string()), ("lang", pa.string()), ("kind", pa.string()), ("ref_handle", pa.string()),
                     ("hashtags", pa.list_(pa.string())), ("mentions", pa.list_(pa.string())), ("handle", pa.string())])


def match_posts(rows: list[tuple[str, list[str]]], *, lang: str = "ru", when: datetime = datetime(2016, 9, 10, 12)) -> pa.Table:
    """One original post per (text, hashtags) row, ids 0, 1, ... in order, all by account `a1`."""
    data = [{"platform": "twitter", "post_id": str(i), "account_id": "a1", "created_at": when, "text": text, "lang": lang,
             "kind": "original", "ref_handle": None, "hashtags": tags, "mentions": [], "handle": "someone"}
            for i, (text, tags) in enumerate(rows)]
    return pa.Table.from_pylist(data, schema=_SCHEMA)
