"""Counts of one in the report's templates read in the singular (2026-12-05): "1 election posts
have no sentiment because they are not in English", "1 scored accounts are out of distribution"
(tests/test_bot_age_unknown.py), "1 of them have a bot probability". A small constructed archive
(two posts written for this test) holds exactly one non-English election post."""

from __future__ import annotations

import csv
import re
from pathlib import Path

from typer.testing import CliRunner

from botwatch.cli import app

POSTS = [
    ("1", "voter_a", "2017-05-20T10:00:00Z", "Labour gewinnt heute die Wahl in Großbritannien, sagen die Umfragen der Zeitungen"),
    ("2", "voter_b", "2017-05-21T11:00:00Z", "I will vote Labour on polling day because the NHS matters to my family"),
]


def test_one_post_without_sentiment_is_one_post(tmp_path: Path) -> None:
    src = tmp_path / "posts.csv"
    with src.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "author", "created_at", "text"])
        w.writerows(POSTS)
    study, out = tmp_path / "s.duckdb", tmp_path / "r.html"
    runner = CliRunner()
    for args in (["ingest", str(study), str(src), "--columns", "post_id=id,account_id=author,handle=author,created_at=created_at,text=text"],
                 ["analyze", str(study), "--election", "uk-ge2017"], ["report", str(study), "-o", str(out)]):
        r = runner.invoke(app, args)
        assert r.exit_code == 0, r.output
    text = " ".join(re.sub(r"<[^>]+>", " ", out.read_text(encoding="utf-8")).split())
    assert "1 election post has no sentiment because it is not in English (or has no text)" in text, re.findall(r".{80}no sentiment.{80}", text)
    assert "2 had no language tag from the platform and were identified offline" in text
    assert "1 election posts" not in text
