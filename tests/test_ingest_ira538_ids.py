"""Post ids of the IRA by-author re-cut, which has no tweet ids: one text posted twice in a minute.

`tests/fixtures/ingest/ira_same_minute.csv` holds real rows of ../shared/data/ira (see the fixtures'
README) that share handle, minute and text: 10_gop's pair is one row listed twice; erdollum's four
rows are three tweets (`updates` 160, 161, 159; the fourth repeats the second); PamelaKealer13's
three are one tweet harvested again (the third's `following` differs, its `updates` do not: the
account did nothing between the two harvests); acejinev's two are two (`updates`). The reader
gave each group one id, so every tweet after the first was counted a duplicate and lost.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from botwatch import open_study
from botwatch.ingest.runner import ingest

FIX = Path(__file__).parent / "fixtures" / "ingest" / "ira_same_minute.csv"
FIRSTS = [  # (handle, minute, text) of each group: the id every study ingested before stored
    ("10_gop", "2017-09-30 22:48:00", "Because of #FakeNews my people are not getting the credit they deserve for doing a great job. "
     "As seen here, they are ALL doing a GREAT JOB! https://t.co/1ltW2t3rwy"),
    ("erdollum", "2016-05-03 13:45:00", "'@erdollum Das ist allerdings sinnvoll. Meine Kinder hatten auch Probleme, als ein neuer Lehrer "
     "anstatt mit Zeitwörtern, Hauptwörtern, ...'"),
    ("pamelakealer13", "2016-05-22 21:21:00", "'@PamelaKealer13 No the face U make after Account Review Board 10 committees "
     "30 hearings 50 briefings 20 interviews 40,000 pages of docs'"),
    ("acejinev", "2017-04-13 11:59:00", "Tune in for our @tvonetv #NewsOneNow tribute to the #CharlieMurphy."),
]


def _old_id(handle: str, minute: str, text: str) -> str:
    return "ira538-" + hashlib.blake2b(f"{handle}\x1f{minute}\x1f{text}".encode(), digest_size=10).hexdigest()


def _ids(study_path: Path, files: list[Path], **kw: object) -> tuple[dict[str, str], list[tuple[int, int]]]:
    with open_study(study_path, read_only=False) as study:
        summary = ingest(study, [str(f) for f in files], workers=1, **kw)  # type: ignore[arg-type]
        rows = dict(study.sql("SELECT post_id, source FROM posts"))
    return rows, [(f.stored, f.duplicates) for f in summary.files]


def test_distinct_tweets_in_one_minute_each_get_an_id_and_the_first_keeps_its_old_one(tmp_path: Path) -> None:
    rows, counts = _ids(tmp_path / "s.duckdb", [FIX])
    assert counts == [(7, 4)]  # 11 rows: 10_gop 1, erdollum 3, PamelaKealer13 1, acejinev 2
    by_line = {src.rsplit(":", 1)[1]: pid for pid, src in rows.items()}
    assert sorted(by_line) == sorted(["2", "4", "5", "6", "8", "11", "12"])
    # The first row of each group keeps the id it always had, so an older study adds nothing for it.
    assert [by_line[line] for line in ("2", "4", "8", "11")] == [_old_id(*g) for g in FIRSTS]


def test_reading_the_file_again_adds_nothing(tmp_path: Path) -> None:
    first, _ = _ids(tmp_path / "s.duckdb", [FIX])
    again, counts = _ids(tmp_path / "s.duckdb", [FIX], force=True)
    assert counts == [(0, 11)] and again == first


def test_the_file_in_two_halves_gives_the_ids_it_gives_whole(tmp_path: Path) -> None:
    """Cut between groups, as a parallel ingest cuts a file into chunks: the same ids."""
    lines = FIX.read_text(encoding="utf-8").splitlines(keepends=True)
    head, one, two = lines[0], tmp_path / "a.csv", tmp_path / "b.csv"
    one.write_text(head + "".join(lines[1:7]), encoding="utf-8")  # 10_gop and erdollum
    two.write_text(head + "".join(lines[7:]), encoding="utf-8")
    whole, _ = _ids(tmp_path / "whole.duckdb", [FIX])
    halves, counts = _ids(tmp_path / "halves.duckdb", [one, two])
    assert set(halves) == set(whole) and counts == [(4, 2), (3, 2)]


def test_the_read_a_spark_executor_runs_gives_the_same_ids(tmp_path: Path) -> None:
    """A lake's ingest reads each file whole on an executor (`stage_into`): the same ids as DuckDB."""
    from botwatch.ingest.runner import stage_file

    staged = stage_file(str(FIX))["posts"].column("post_id").to_pylist()
    whole, _ = _ids(tmp_path / "s.duckdb", [FIX])
    assert len(staged) == 11 and len(set(staged)) == 7 and set(staged) == set(whole)
