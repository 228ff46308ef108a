"""Notices and edits counted as what they are on every read: a file whose merge failed (rolled
back) counts none of them, a grown file's re-read counts its new ones as notices and edits, and
notices kept as one row (a post deleted twice) are still each a notice read, not "not posts"."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from botwatch import open_study
from botwatch.ingest import runner
from botwatch.ingest.counts import run_message

DID = "did:plc:abc"


def _post(rkey: str, second: int, created: str = "2024-06-01T12:00:00Z") -> dict[str, Any]:
    return {"did": DID, "time_us": 1717243200000000 + second * 1_000_000, "kind": "commit",
            "commit": {"operation": "create", "collection": "app.bsky.feed.post", "rkey": rkey, "record": {"createdAt": created, "text": f"post {rkey}"}}}


def _edit(rkey: str, second: int) -> dict[str, Any]:
    event = _post(rkey, second)
    event["commit"] = dict(event["commit"], operation="update", record={"createdAt": "2024-06-01T12:00:00Z", "text": f"edited {rkey}"})
    return event


def _delete(rkey: str, second: int) -> dict[str, Any]:
    return {"did": DID, "time_us": 1717243200000000 + second * 1_000_000, "kind": "commit",
            "commit": {"operation": "delete", "collection": "app.bsky.feed.post", "rkey": rkey}}


def _identity(second: int) -> dict[str, Any]:
    return {"did": DID, "time_us": 1717243200000000 + second * 1_000_000, "kind": "identity", "identity": {"did": DID, "handle": "a.bsky.social"}}


def _write(path: Path, events: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(e) + "\n" for e in events))
    return path


def test_a_file_whose_merge_failed_counts_no_edit_redated_post_or_notice(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The merge fails midway and the file is rolled back: nothing of it is in the study, so its
    result counts nothing of it either; the summary, and the runs message, said "edits kept 1"
    for a file that stored nothing. The next file, and the same file read again, count their own."""
    bad = _write(tmp_path / "bad.jsonl", [_post("p1", 0, created="2099-01-01T00:00:00Z"), _edit("p1", 1), _delete("p2", 2)])
    good = _write(tmp_path / "good.jsonl", [_post("q1", 0), _edit("q1", 1)])
    real, calls = runner.merge_deletions, []

    def fails_once(study: Any) -> int:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("disk full")
        return real(study)

    monkeypatch.setattr(runner, "merge_deletions", fails_once)
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        summary = runner.ingest(st, [str(bad), str(good)], workers=1)
        failed, ok = summary.files
        assert failed.error == "RuntimeError: disk full"
        assert (failed.stored, failed.redated, failed.edited, failed.deleted, failed.repaired, failed.non_ascii) == (0, 0, 0, 0, 0, 0)
        assert (ok.stored, ok.edited, ok.redated) == (1, 1, 0)
        assert (summary.total("edited"), summary.total("redated"), summary.total("deleted")) == (1, 0, 0)
        assert "edits kept 1," in run_message(summary.files) + ","
        [again] = runner.ingest(st, [str(bad)], workers=1).files  # the retry reads it whole
        assert (again.error, again.stored, again.redated, again.edited, again.deleted) == (None, 1, 1, 1, 1)


def _figures(study: Any) -> dict[str, int]:
    """What Methods says of the records read (`section_methods.read_figures`) and each overview
    row's "not posts" (by file and read). The rows alone (`file_rows`, what `study_summary` lists
    as "files"): the whole summary was some twenty more queries, most of a lake test's Spark jobs."""
    from botwatch.report.section_methods import read_figures
    from botwatch.report.section_overview import file_rows

    return {**read_figures(study, set(study.tables())), "rows_not_posts": [row[3] for row in file_rows(study)]}


def test_a_grown_files_new_notices_and_edits_count_as_a_first_reads_would(tmp_path: Path) -> None:
    """A Jetstream file read once, then grown by new posts, delete notices and an edit, read
    again: Methods says what one read of the grown file says. The re-read's new notices and edit
    were "not posts (profile rows, account events and the like)"."""
    before = [_post("p1", 0), _identity(1), _delete("x1", 2), _post("p2", 3)]
    after = [*before, _post("p3", 4), _delete("x2", 5), _delete("x3", 6), _edit("p3", 7), _identity(8)]
    grown = tmp_path / "jet.jsonl"
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        runner.ingest(st, [str(_write(grown, before))], workers=1)
        [res] = runner.ingest(st, [str(_write(grown, after))], workers=1).files
        assert (res.read, res.stored, res.duplicates, res.deleted, res.edited) == (9, 1, 2, 3, 1)
        twice = _figures(st)
        st.sql("DROP TABLE source_notices")  # a study made before it, or a lake: counted from the kept notices
        twice_kept = _figures(st)
    with open_study(tmp_path / "once.duckdb", read_only=False) as st:
        runner.ingest(st, [str(grown)], workers=1)
        once = _figures(st)
        st.sql("DROP TABLE source_notices")
        once_kept = _figures(st)
    totals = lambda f: {k: v for k, v in f.items() if k != "rows_not_posts"}  # noqa: E731
    assert totals(twice) == totals(once) == totals(twice_kept) == totals(once_kept)
    assert (once["not_posts"], once["notices"], once["edits"]) == (2, 3, 1)
    assert twice["rows_not_posts"] == [1, 2]  # each read's own row: the first read's identity event, then the grown file's two


def test_notices_kept_as_one_row_are_each_a_notice_read(tmp_path: Path) -> None:
    """A post deleted twice, and one limit notice sent twice (the same time and count): each
    table keeps one row, but every one was a notice read, as the ingest line says, not a record
    that was "not a post"."""
    jet = _write(tmp_path / "jet.jsonl", [_post("p1", 0), _delete("p1", 1), _delete("p1", 2)])
    def status(i: int) -> dict[str, Any]:
        return {"id_str": str(100 + i), "created_at": "Wed May 10 20:19:24 +0000 2017", "text": f"post {i} padding the line out a little",
                "user": {"id_str": "1", "screen_name": "u1"}}

    twice = {"limit": {"track": 5, "timestamp_ms": "1494447564000"}}  # kept once by its time and count
    v1 = _write(tmp_path / "v1.jsonl", [status(0), twice, twice, status(1)])
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        files = runner.ingest(st, [str(jet), str(v1)], workers=1).files
        assert [(r.deleted, r.limited) for r in files] == [(2, 0), (0, 2)]
        assert (st.sql("SELECT count(*) FROM deletions")[0][0], st.sql("SELECT count(*) FROM stream_limits")[0][0]) == (1, 1)
        figures = _figures(st)
    assert (figures["not_posts"], figures["notices"], figures["rows_not_posts"]) == (0, 4, [0, 0])


def test_a_study_made_before_the_per_read_counts_keeps_its_figures_when_they_start(tmp_path: Path) -> None:
    """A study whose reads were counted from the kept notices (made before `source_notices`) gets
    the table with its next read of a notice: its earlier reads are filled in as they were
    counted, so their figures do not change, and the new read adds its own."""
    old = _write(tmp_path / "old.jsonl", [_post("p1", 0), _delete("x1", 1), _identity(2)])
    new = _write(tmp_path / "new.jsonl", [_post("q1", 0), _delete("y1", 1), _delete("y1", 2)])
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        runner.ingest(st, [str(old)], workers=1)
        st.sql("DROP TABLE source_notices")
        before = _figures(st)
        runner.ingest(st, [str(new)], workers=1)
        after = _figures(st)
    assert (before["not_posts"], before["notices"]) == (1, 1)
    assert (after["not_posts"], after["notices"], after["rows_not_posts"]) == (1, 3, [1, 0])


def test_stall_warnings_are_notices_read_in_the_per_read_counts(tmp_path: Path) -> None:
    """A v1.1 stream's stall warnings make the per-read table as delete and limit notices do, and
    count in it as notices: left out of it, each warning was a record "not a post" again."""
    def status(i: int) -> dict[str, Any]:
        return {"id_str": str(200 + i), "created_at": "Wed May 10 20:19:24 +0000 2017", "text": f"post {i} padding the line out a little",
                "user": {"id_str": "1", "screen_name": "u1"}}

    warning = {"warning": {"code": "FALLING_BEHIND", "message": "falling behind", "percent_full": 60}}
    v1 = _write(tmp_path / "v1.jsonl", [status(0), warning, status(1), warning])
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        files = runner.ingest(st, [str(v1)], workers=1).files
        assert [r.warned for r in files] == [2]
        assert st.sql("SELECT notices FROM source_notices") == [(2,)]
        figures = _figures(st)
    assert (figures["not_posts"], figures["notices"], figures["rows_not_posts"]) == (0, 2, [0])


def test_the_overviews_input_row_adds_up_with_its_notices_and_edits(tmp_path: Path) -> None:
    """The inputs table read "Records 6, Not posts 1, Stored 2, Rejected 0" for a file whose other
    three records were a delete notice and edits: taken out of "not posts", they had no column."""
    import re

    from botwatch.report.context import report_context
    from botwatch.report.section_overview import overview

    jet = _write(tmp_path / "jet.jsonl", [_post("p1", 0), _post("p2", 1), _edit("p1", 2), _edit("p2", 3), _delete("x9", 4), _identity(5)])
    plain = _write(tmp_path / "plain.jsonl", [_post("q1", 0)])
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        runner.ingest(st, [str(jet), str(plain)], workers=1)
        html = overview(st, report_context(st)).html
    assert '<th scope="col" class="num">Notices and edits</th>' in html
    cells = lambda name: re.findall(r'<td class="num">(\d+)</td>', html[html.index(f"{name}</td>"):].split("</tr>")[0])  # noqa: E731
    assert cells("jet.jsonl") == ["6", "1", "3", "2", "0", "0"]  # records, not posts, notices and edits, stored, duplicates, rejected
    assert cells("plain.jsonl") == ["1", "0", "0", "1", "0", "0"]


def test_edits_are_listed_as_notes_beside_posts_not_as_rejected_records(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`status` printed "rejected records 0" above a "Rejected, by error" table of the edit notes,
    and Methods "0 could not be read" above "Rejected records by reason" listing them: each now
    lists them apart, as notes kept beside stored posts, and a real rejected record stays where it was."""
    import re

    from typer.testing import CliRunner

    from botwatch.cli import app
    from botwatch.report.section_methods import methods
    from testsupport.terminal import flat, wide_consoles

    wide_consoles(monkeypatch)
    jet = tmp_path / "jet.jsonl"
    jet.write_text("".join(json.dumps(e) + "\n" for e in [_post("p1", 0), _edit("p1", 1)]) + "{not json\n")
    study = tmp_path / "s.duckdb"
    with open_study(study, read_only=False) as st:
        runner.ingest(st, [str(jet)], workers=1)
        text = re.sub(r"\s+", " ", re.sub("<[^>]+>", " ", methods(st, {}).html))
    said = flat(CliRunner().invoke(app, ["status", str(study)]).output)
    rejected, notes = said.split("Rejected, by error")[1].split("Notes beside stored posts (repaired or edited records), by note")
    assert "edited, first text kept" not in rejected and "edited, first text kept" in notes, said
    reasons, kept = text.split("Rejected records by reason")[1].split("Notes kept beside stored posts")
    assert "edited, first text kept" not in reasons and "edited, first text kept" in kept.split("Data behind this report")[0], text


def test_a_file_refused_again_keeps_one_per_read_row(tmp_path: Path) -> None:
    """A refused file's `sources` row is replaced on each re-run; its per-read row was not, and each
    run left one more that no `sources` row named (the lake keeps one)."""
    notices = _write(tmp_path / "jet.jsonl", [_post("p1", 0), _delete("x1", 1)])
    refused = tmp_path / "junk.bin"
    refused.write_bytes(b"\x00\x01 not a format botwatch reads \x02" * 10)
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        runner.ingest(st, [str(notices)], workers=1)
        for _ in range(3):
            runner.ingest(st, [str(refused)], workers=1)
        assert st.sql("SELECT count(*) FROM sources WHERE format IS NULL")[0][0] == 1
        orphans = st.sql("SELECT count(*) FROM source_notices n WHERE NOT EXISTS "
                         "(SELECT 1 FROM sources s WHERE s.source = n.source AND s.ingested_at = n.ingested_at)")[0][0]
        assert (orphans, st.sql("SELECT count(*) FROM source_notices")[0][0]) == (0, 2)


def test_edits_of_many_authors_are_one_note_kind(tmp_path: Path) -> None:
    """An edit's note names its post (a Bluesky DID and rkey; a Mastodon status URI with its
    author's name): grouped by the note with only its numbers taken out, each author's edits were a
    reason of their own, ten rows of one kind."""
    from botwatch.report.section_overview import study_summary

    events = []
    for i, did in enumerate(["did:plc:aaa", "did:plc:bbb", "did:plc:ccc"]):
        post, edit = _post(f"p{i}", 2 * i), _edit(f"p{i}", 2 * i + 1)
        post["did"] = edit["did"] = did
        events += [post, edit]
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        runner.ingest(st, [str(_write(tmp_path / "jet.jsonl", events))], workers=1)
        notes = study_summary(st)["notes_by_kind"]
    assert len(notes) == 1 and notes[0][1] == 3, notes


def test_a_read_before_the_calls_first_notice_counts_its_own_not_its_paths_earlier_reads(tmp_path: Path) -> None:
    """A study made before `source_notices`: its path read again, now with no notice, then in the
    same call a file with one (which makes the table). The re-read's row took the notice the path's
    first read left kept, and its two account events read as one "not a post"; a lake counts its
    own read (none), and so does this."""
    old = tmp_path / "old.jsonl"
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        runner.ingest(st, [str(_write(old, [_post("p1", 0), _delete("x1", 1), _identity(2)]))], workers=1)
        st.sql("DROP TABLE source_notices")
        again = _write(old, [_post("p1", 0), _identity(1), _identity(2)])
        new = _write(tmp_path / "new.jsonl", [_post("q1", 0), _delete("y1", 1)])
        runner.ingest(st, [str(again), str(new)], workers=1)
        rows = st.sql("SELECT n.source, n.notices, n.edits FROM source_notices n JOIN sources s USING (source, ingested_at) ORDER BY s.ingested_at")
        figures = _figures(st)
    assert [(Path(s).name, n, e) for s, n, e in rows] == [("old.jsonl", 1, 0), ("old.jsonl", 0, 0), ("new.jsonl", 1, 0)]
    assert figures["rows_not_posts"] == [1, 2, 0], figures


def test_an_earlier_read_dated_after_the_call_began_keeps_its_notices(tmp_path: Path) -> None:
    """A study copied from a machine whose clock ran ahead holds a read dated after this call
    began: "this call's reads" were those from its start time on, so that earlier read was filled
    in as this call's (0 notices) and its kept notice became a "not a post". This call's reads are
    now named by their keys, whatever the clocks."""
    old = _write(tmp_path / "old.jsonl", [_post("p1", 0), _delete("x1", 1), _identity(2)])
    new = _write(tmp_path / "new.jsonl", [_post("q1", 0), _delete("y1", 1)])
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        runner.ingest(st, [str(old)], workers=1)
        st.sql("DROP TABLE source_notices")
        st.sql("UPDATE sources SET ingested_at = ingested_at + INTERVAL 1 DAY")  # read where the clock was a day ahead
        before = _figures(st)
        runner.ingest(st, [str(new)], workers=1)
        rows = st.sql("SELECT n.source, n.notices FROM source_notices n JOIN sources s USING (source, ingested_at) ORDER BY s.ingested_at")
        after = _figures(st)
    assert sorted((Path(s).name, n) for s, n in rows) == [("new.jsonl", 1), ("old.jsonl", 1)]
    assert (before["not_posts"], after["not_posts"], after["notices"]) == (1, 1, 2), after
