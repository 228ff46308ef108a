"""The ordinary election archives of the shared data (ordinary/brexit-2016, ordinary/gop-debate-2015)
as Twitter v1.1 statuses, one JSON object a line: the form the validation and fitting scripts
(scripts/validate_origin.py, scripts/fit_bot_behaviour.py) ingest them in.

Why one module: both scripts wrote the same conversion by hand and could drift apart. A
gop-debate-2015 row the archive marks as a retweet ("RT @handle: text", 5,083 of 9,116 rows) is
written as one (a `retweeted_status` by that handle holding the text after the colon), as any
archive that kept the API's statuses holds it, and as the IRA reader stores the IRA's own
"RT @handle:" copies. Written as posts (the origin validation did so until 2026-12-04), other
people's words became the ordinary account's own English for the language-transfer signals,
while the IRA accounts' copies were not theirs: the two sides of the measurement were read
differently. The retweeted handles then become accounts of the study that posted nothing in the
archive; `ordinary_posters` names the accounts that did, the ones a validation counts.

gop-debate-2015's text is as the API sent it (escaped: `&amp;`, `&lt;`, `&gt;`), brexit-2016's was
scraped and is plain; each is written so that the v1.1 reader, which decodes the three, stores the
tweet as posted (docs/ingest-csv.md, "Escaped text").
"""

from __future__ import annotations

import gzip
import html
from datetime import datetime, timezone
from pathlib import Path

import orjson
import pandas as pd


def v1_time(iso: str) -> str:
    """An ISO-8601 time as v1.1's `created_at` ("Wed Nov 09 07:31:00 +0000 2016"), in UTC."""
    t = datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone(timezone.utc)
    return t.strftime("%a %b %d %H:%M:%S +0000 %Y")


def gop_key(author: str) -> str:
    """The account key (`user.id_str`) a gop-debate-2015 handle is written under: the archive has
    no user ids, and the prefix keeps its keys apart from brexit-2016's numeric ones."""
    return "gop-" + author.lower()


def ordinary_posters(data: Path) -> frozenset[str]:
    """The account keys of `ordinary_as_v1` that wrote at least one row of the archives (a post or a
    retweet): the ordinary accounts. A handle that was only retweeted is an account of the study
    too, with no post and nothing known of it but its name; it is no one's sample of ordinary
    behaviour, so the validation leaves it out of its denominators."""
    b = pd.read_csv(data / "ordinary" / "brexit-2016" / "tweets.csv.gz", dtype=str, keep_default_na=False, usecols=["user_id"])
    g = pd.read_csv(data / "ordinary" / "gop-debate-2015" / "tweets.csv.gz", dtype=str, keep_default_na=False, usecols=["author"])
    return frozenset(b["user_id"]) | frozenset(gop_key(a) for a in g["author"])


def ordinary_as_v1(data: Path, dst: Path) -> int:
    """Write the ordinary archives under `data` to `dst` (gzip) as v1.1 statuses; the count.

    A gop-debate row marked `is_retweet` whose text starts "RT @handle:" carries a
    `retweeted_status` by that handle with the text after the colon (see the module's docstring)."""
    n = 0
    with gzip.open(dst, "wb") as out:
        b = pd.read_csv(data / "ordinary" / "brexit-2016" / "tweets.csv.gz", dtype=str, keep_default_na=False)
        for r in b.itertuples(index=False):
            user = {"id_str": r.user_id, "location": r.user_location or None}
            # Scraped from web pages, its text is already decoded (6,368 rows hold a bare "&"); a v1.1
            # status escapes & < > as the API did, which the v1.1 reader decodes back to this text.
            text = html.escape(r.text, quote=False)
            out.write(orjson.dumps({"id_str": r.tweet_id, "created_at": v1_time(r.created_at), "text": text, "user": user}) + b"\n")
            n += 1
        g = pd.read_csv(data / "ordinary" / "gop-debate-2015" / "tweets.csv.gz", dtype=str, keep_default_na=False)
        for r in g.itertuples(index=False):
            user = {"id_str": gop_key(r.author), "screen_name": r.author, "location": r.user_location or None,
                    "time_zone": r.user_time_zone or None}
            status = {"id_str": "gop-row-" + r.row_id, "created_at": v1_time(r.created_at), "text": r.text, "user": user}
            if r.is_retweet == "1" and r.text.startswith("RT @"):
                who = r.text[4:].split(":", 1)[0].split()[0] if len(r.text) > 4 else ""
                body = r.text.split(":", 1)[1].strip() if ":" in r.text else r.text
                status["retweeted_status"] = {"id_str": "gop-rt-" + r.row_id, "created_at": status["created_at"], "text": body,
                                              "user": {"id_str": gop_key(who), "screen_name": who}}
            out.write(orjson.dumps(status) + b"\n")
            n += 1
    return n
