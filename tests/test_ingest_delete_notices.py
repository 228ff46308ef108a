"""The platforms' delete notices are counted as delete notices, not as rejected records nor posts.

An X/Twitter v1.1 stream holds `{"delete": {"status": ...}}` lines beside its statuses: read as
bad records, a 1% sample reported thousands of "rejected" records that were no error. A Jetstream
delete commit and a Mastodon stream `delete` event are the same kind of notice."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from botwatch import open_study
from botwatch.cli import app
from botwatch.ingest import runner
from botwatch.ingest.counts import not_posts, run_message
from testsupport.ingest_paths import READING_PATHS, read_by
from testsupport.terminal import flat, wide_consoles
from testsupport.v1_notices import status


def _delete(i: int) -> dict:
    return {"delete": {"status": {"id": 100 + i, "id_str": str(100 + i), "user_id": i % 3 + 1, "user_id_str": str(i % 3 + 1)},
                       "timestamp_ms": "1494447600000"}}


def _v1_stream(path: Path, posts: int = 40, deletes: int = 7) -> Path:
    lines = [status(i) for i in range(posts)]
    for j in range(deletes):
        lines.insert(1 + j * 5, _delete(j))
    lines.append({"warning": "FALLING_BEHIND"})  # a control message that is no notice (a stall warning is an object): rejected as before
    path.write_text("".join(json.dumps(x) + "\n" for x in lines))
    return path


@pytest.mark.parametrize("path", READING_PATHS)
def test_v1_delete_notices_are_counted_apart_not_rejected(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, path: str) -> None:
    """Every DuckDB path: the Python reader, in worker processes too, and the native reader that
    hands such lines to it."""
    workers = read_by(path, monkeypatch)
    f = _v1_stream(tmp_path / "stream.jsonl")
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        [res] = runner.ingest(st, [str(f)], workers=workers).files
        assert (res.read, res.stored, res.rejected, res.deleted) == (48, 40, 1, 7)
        assert not_posts(res) == 0  # the notices are not among "profiles, account events and the like"
        assert [e for (e,) in st.sql("SELECT error FROM rejected")] == ["stream control message (delete/limit/warning), not a post"]
        assert st.sql("SELECT count(*) FROM posts")[0][0] == 40
        assert st.sql("SELECT count(DISTINCT post_id), any_value(source) FILTER (WHERE post_id = '100') FROM deletions")[0] == (7, f"{f}:2")
    assert run_message([res]) == "read 48, stored 40, duplicates 0, rejected 1, delete notices 7"


def test_jetstream_and_mastodon_delete_notices_are_counted(tmp_path: Path) -> None:
    did = "did:plc:abc"
    post = {"did": did, "time_us": 1717243200000000, "kind": "commit",
            "commit": {"operation": "create", "collection": "app.bsky.feed.post", "rkey": "p1", "record": {"createdAt": "2024-06-01T12:00:00Z", "text": "hi"}}}
    gone = [{"did": did, "time_us": 1717243202000000, "kind": "commit", "commit": {"operation": "delete", "collection": c, "rkey": "p1"}}
            for c in ("app.bsky.feed.post", "app.bsky.feed.repost", "app.bsky.feed.like")]  # a like's delete is no post's
    (tmp_path / "jet.jsonl").write_text("".join(json.dumps(e) + "\n" for e in [post, *gone]))
    status = {"id": "11", "uri": "https://example.social/users/a/statuses/11", "created_at": "2024-06-01T12:00:00.000Z", "content": "<p>hi</p>",
              "account": {"id": "1", "username": "a", "acct": "a", "url": "https://example.social/@a"}}
    masto = [{"stream": ["public"], "event": "update", "payload": json.dumps(status)}, {"stream": ["public"], "event": "delete", "payload": "11"}]
    (tmp_path / "masto.jsonl").write_text("".join(json.dumps(e) + "\n" for e in masto))
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        files = runner.ingest(st, [str(tmp_path / "jet.jsonl"), str(tmp_path / "masto.jsonl")], workers=1).files
    assert [(r.stored, r.rejected, r.deleted, not_posts(r)) for r in files] == [(1, 0, 2, 1), (1, 0, 1, 0)]


def test_the_ingest_line_and_summary_say_delete_notices(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    wide_consoles(monkeypatch)
    res = CliRunner().invoke(app, ["ingest", str(tmp_path / "s.duckdb"), str(_v1_stream(tmp_path / "stream.jsonl"))])
    assert res.exit_code == 0, res.output
    out = flat(res.output)
    assert "stored 40, duplicates 0, rejected 1, delete notices 7, accounts 3" in out, out
    assert "delete notices" in res.output.split("Ingest summary")[1]  # the summary table's column


def test_delete_notices_are_kept_once_in_deletions(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The notices are kept in the study (`deletions`: post, platform, author, time, file and line),
    and reading the file again, or a copy of it, adds no row."""
    f = _v1_stream(tmp_path / "stream.jsonl", posts=10, deletes=2)
    copy = tmp_path / "copy.jsonl"
    copy.write_bytes(f.read_bytes())
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        runner.ingest(st, [str(f)], workers=1)
        runner.ingest(st, [str(f), str(copy)], workers=1, force=True)
        rows = st.sql("SELECT post_id, platform, account_id, deleted_at, source FROM deletions ORDER BY post_id")
    assert [(p, pl, a, str(t), s.rsplit("/", 1)[1]) for p, pl, a, t, s in rows] == [
        ("100", "twitter", "1", "2017-05-10 20:20:00", "stream.jsonl:2"), ("101", "twitter", "2", "2017-05-10 20:20:00", "stream.jsonl:7")]


def test_a_study_without_delete_notices_has_no_deletions_table(tmp_path: Path) -> None:
    """Made with the first notice: a study whose inputs held none keeps the tables it always had."""
    f = tmp_path / "plain.jsonl"
    f.write_text(json.dumps(status(0)) + "\n")
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        runner.ingest(st, [str(f)], workers=1)
        assert "deletions" not in st.tables()


def test_methods_says_how_many_stored_posts_were_deleted_later(tmp_path: Path) -> None:
    """One sentence in Methods; a study whose inputs held no notice says nothing of deletions."""
    import re

    from botwatch.report.section_methods import methods

    def said(st) -> str:  # type: ignore[no-untyped-def]
        return re.sub(r"\s+", " ", re.sub("<[^>]+>", "", methods(st, {}).html))

    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        runner.ingest(st, [str(_v1_stream(tmp_path / "stream.jsonl"))], workers=1)
        assert "7 of the 40 stored posts were deleted later by their authors, as the capture's delete notices show" in said(st)
    # And in the report itself: the section is registered (a helper put between the registration
    # and `methods` once took its place, and the report lost its whole Methods section).
    from typer.testing import CliRunner

    from botwatch.cli import app

    page = tmp_path / "report.html"
    assert CliRunner().invoke(app, ["report", str(tmp_path / "s.duckdb"), "-o", str(page)]).exit_code == 0
    text = re.sub(r"\s+", " ", re.sub("<[^>]+>", "", page.read_text(encoding="utf-8")))
    assert "What was rejected at ingest" in text
    assert "7 of the 40 stored posts were deleted later by their authors" in text
    plain = tmp_path / "plain.jsonl"
    plain.write_text(json.dumps(status(0)) + "\n")
    with open_study(tmp_path / "p.duckdb", read_only=False) as st:
        runner.ingest(st, [str(plain)], workers=1)
        assert "deleted later" not in said(st)


def test_botwatch_export_writes_the_deletions(tmp_path: Path) -> None:
    study = tmp_path / "s.duckdb"
    assert CliRunner().invoke(app, ["ingest", str(study), str(_v1_stream(tmp_path / "stream.jsonl", posts=5, deletes=1))]).exit_code == 0
    res = CliRunner().invoke(app, ["export", str(study), "deletions", "-o", str(tmp_path / "d.csv")])
    assert res.exit_code == 0, res.output
    head, row = (tmp_path / "d.csv").read_text().splitlines()
    assert head == "post_id,platform,account_id,deleted_at,source" and row.startswith("100,twitter,1,2017-05-10 20:20:00,") and row.endswith("stream.jsonl:2")


def test_a_jetstream_delete_whose_time_us_is_no_microsecond_count_is_kept_without_a_time(tmp_path: Path) -> None:
    """The delete's time is read as every Jetstream `time_us` is (`other_platforms._relay_time`): a
    hand-made 10**30 had the notice rejected ("outside the years 1-9999"), lost, and a 5 kept it as
    deleted at 1970-01-01 00:00:05; both are notices with no time."""
    lines = [{"did": "did:plc:a", "time_us": t, "kind": "commit", "commit": {"operation": "delete", "collection": "app.bsky.feed.post", "rkey": k}}
             for t, k in ((1e30, "x"), (5, "y"), (1717243200000000, "z"))]
    f = tmp_path / "jet.jsonl"
    f.write_text("".join(json.dumps(x) + "\n" for x in lines))
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        [res] = runner.ingest(st, [str(f)], workers=1).files
        rows = st.sql("SELECT post_id, CAST(deleted_at AS VARCHAR) FROM deletions ORDER BY post_id")
    assert (res.rejected, res.deleted) == (0, 3)
    assert rows == [("did:plc:a/x", None), ("did:plc:a/y", None), ("did:plc:a/z", "2024-06-01 12:00:00")]
