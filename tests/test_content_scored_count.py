"""The content stage's log counts VADER passes, which are not posts: it said "78,668 distinct
English texts scored" of a study of 78,217 posts. A post naming two parties is scored whole and
once per party clause; the words now say so."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from botwatch import open_study
from botwatch.cli import app
from botwatch.content.stage import run_content
from botwatch.elections import load_election

ROWS = [
    ("1", "a", "2017-05-20T10:00:00Z", "Labour will win this election, the Tories are finished"),
    ("2", "b", "2017-05-20T11:00:00Z", "Vote Labour on 8 June, a great manifesto"),
]


def _content_log(tmp_path: Path, rows: list[tuple[str, str, str, str]]) -> str:
    """The content stage's last log line on a study of `rows` (id, author, time, text), under uk-ge2017."""
    f, study = tmp_path / "p.csv", tmp_path / "s.duckdb"
    f.write_text("id,author,created_at,text,lang\n" + "".join(f'{i},{a},{t},"{x}",en\n' for i, a, t, x in rows), encoding="utf-8")
    assert CliRunner().invoke(app, ["ingest", str(study), str(f), "--columns",
                                    "post_id=id,account_id=author,created_at=created_at,text=text,lang=lang"]).exit_code == 0
    with open_study(study, read_only=False) as st:
        said: list[str] = []
        run_content(st, load_election("uk-ge2017"), log=said.append, workers=1)
    return said[-1]


def test_the_log_says_vader_passes_not_distinct_posts(tmp_path: Path) -> None:
    line = _content_log(tmp_path, ROWS)
    assert "distinct English texts" not in line
    n = int(line.split("VADER scored ")[1].split(" texts")[0].replace(",", ""))
    assert n > len(ROWS)  # more passes than posts: the two-party post's clauses too
    assert "in posts naming several parties, the clause on each" in line


def test_the_log_of_one_post_is_singular(tmp_path: Path) -> None:
    """A one-post study's log read "1 posts labelled …; 1 post-party rows; VADER scored 1 texts"."""
    line = _content_log(tmp_path, [("1", "a", "2017-05-20T10:00:00Z", "Vote Labour on 8 June")])
    assert line.startswith("content: 1 post labelled in ") and "; 1 post-party row;" in line and "VADER scored 1 text (" in line, line
