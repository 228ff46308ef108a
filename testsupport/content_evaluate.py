"""A small study of real IRA posts analysed for us-2016, and `content evaluate` run on a labels text:
what the `content evaluate` test files share (the labels they write come from the study's own
predictions; no hand labels are read)."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from botwatch.cli import app

FIX = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "content"
runner = CliRunner()


def ira_content_study(tmp: Path, posts: int, first_id: int | None = None) -> tuple[Path, list[tuple[str, str, str]]]:
    """The first `posts` rows of the IRA stance fixture ingested and analysed (content stage) into
    `tmp`/s.duckdb, with its (post_id, party, stance) pairs in order. `first_id`: number the posts'
    `tweet_id` from it (short numeric ids), else keep theirs."""
    with open(FIX / "ira_stance_posts.csv", encoding="utf-8", newline="") as fh:
        rd = csv.DictReader(fh)
        rows = [r if first_id is None else {**r, "tweet_id": str(first_id + i)} for i, r in zip(range(posts), rd)]
        cols = rd.fieldnames
    pf = tmp / "posts.csv"
    with pf.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, cols or [])
        w.writeheader()
        w.writerows(rows)
    db = tmp / "s.duckdb"
    assert runner.invoke(app, ["ingest", str(db), str(pf)]).exit_code == 0
    assert runner.invoke(app, ["analyze", str(db), "--election", "us-2016", "--only", "content"]).exit_code == 0
    from botwatch import open_study

    with open_study(db) as st:
        pairs = st.sql("select post_id, party, stance from post_party order by post_id, party")
    return db, pairs


def run_evaluate(db: Path, tmp_path: Path, text: str, *extra: str) -> tuple[Any, str]:
    """`content evaluate DB l.csv --boot 20 EXTRA` on `text` written to `tmp_path`/l.csv: the result
    and its output with whitespace runs made one space (Rich wraps lines)."""
    f = tmp_path / "l.csv"
    f.write_text(text, encoding="utf-8")
    res = runner.invoke(app, ["content", "evaluate", str(db), str(f), "--boot", "20", *extra])
    return res, " ".join(res.output.split())
