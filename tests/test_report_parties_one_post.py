"""A study holding one election post: the Parties section and its headline write a count of one in
the singular ("1 of 1 post ... belong to ... they carry" was printed)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from botwatch.elections import load_election
from botwatch.ingest.runner import ingest
from botwatch.pipeline import Context, analyze
from botwatch.report.section_parties import parties_section
from botwatch.study import open_study


def _one_post_section(tmp_path: Path):  # type: ignore[no-untyped-def]
    tweet = {"id_str": "1", "full_text": "Vote Tory #GE2017 #conservatives", "created_at": "Sat May 20 10:00:00 +0000 2017",
             "user": {"id_str": "9", "screen_name": "fan", "location": "London"}, "lang": "en"}
    (tmp_path / "t.jsonl").write_text(json.dumps(tweet) + "\n")
    uk = load_election("uk-ge2017")
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        ingest(st, [str(tmp_path / "t.jsonl")])
        analyze(st, Context(election=uk, log=lambda m: None))
        return parties_section(st, {"election": uk})


def test_one_election_post_is_said_in_the_singular(tmp_path: Path) -> None:
    sec = _one_post_section(tmp_path)
    assert sec is not None
    text = re.sub(r"\s+", " ", re.sub("<[^>]+>", " ", str(sec.html)))
    assert "1 of 1 post (100.0%) by 1 account belongs to the" in text, text[:400]


def test_one_foreign_origin_election_post_is_said_in_the_singular(tmp_path: Path) -> None:
    """The headline read "Foreign-origin accounts (...) posted 1 election posts (from 1 account ...)"."""
    post = {"did": "did:plc:fan", "time_us": 1495274460 * 1_000_000, "kind": "commit",
            "commit": {"operation": "create", "collection": "app.bsky.feed.post", "rkey": "p1",
                       "record": {"text": "Vote Tory #GE2017 #conservatives", "langs": ["en"], "createdAt": "2017-05-20T10:01:00Z"}}}
    (tmp_path / "b.jsonl").write_text(json.dumps(post) + "\n")
    uk = load_election("uk-ge2017")
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        ingest(st, [str(tmp_path / "b.jsonl")])
        analyze(st, Context(election=uk, log=lambda m: None))
        sec = parties_section(st, {"election": uk})
    assert sec is not None
    heads = re.sub(r"\s+", " ", " ".join(re.sub("<[^>]+>", " ", str(h)) for h in sec.headline))
    assert "posted 1 election post in the 30 days before polling day (from 1 account" in heads, heads
