"""An X/Twitter v1.1 filtered stream's limit notices are counted and kept, not rejected.

`{"limit": {"track": N, "timestamp_ms": ...}}`: the filter matched more posts than the stream's cap
(near 1% of all posts) lets through, and N is how many it has withheld since the connection opened.
Read as bad records, a capture that hit the cap reported "rejected" rows and its estimates said
nothing of the posts it never saw."""

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
from testsupport.v1_notices import assert_kept_once_and_only_where_read, assert_said_only_when_any, status


def _limit(track: int, second: int) -> dict:
    return {"limit": {"track": track, "timestamp_ms": str(1494447564000 + 1000 * second)}}


# Two connections: the first withheld 30 posts in all, the second (its count starting again) 25.
TRACKS = (10, 30, 5, 25)


def _v1_stream(path: Path, posts: int = 40) -> Path:
    lines = [status(i) for i in range(posts)]
    for j, n in enumerate(TRACKS):
        lines.insert(2 + j * 6, _limit(n, j))
    path.write_text("".join(json.dumps(x) + "\n" for x in lines))
    return path


@pytest.mark.parametrize("path", READING_PATHS)
def test_v1_limit_notices_are_counted_and_kept_not_rejected(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, path: str) -> None:
    """Every DuckDB path: the Python reader, in worker processes too, and the native reader that
    hands such lines to it."""
    workers = read_by(path, monkeypatch)
    f = _v1_stream(tmp_path / "stream.jsonl")
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        [res] = runner.ingest(st, [str(f)], workers=workers).files
        assert (res.read, res.stored, res.rejected, res.limited, not_posts(res)) == (44, 40, 0, 4, 0)
        assert st.sql("SELECT count(*) FROM rejected")[0][0] == 0
        rows = st.sql("SELECT source, line, strftime(limited_at, '%H:%M:%S'), track FROM stream_limits ORDER BY line")
    assert rows == [(str(f), 3, "20:19:24", 10), (str(f), 9, "20:19:25", 30), (str(f), 15, "20:19:26", 5), (str(f), 21, "20:19:27", 25)]
    assert run_message([res]) == "read 44, stored 40, duplicates 0, rejected 0, limit notices 4"


def test_a_limit_notice_without_a_count_is_rejected(tmp_path: Path) -> None:
    """It says nothing of what was withheld: a bad record, located, as before."""
    f = tmp_path / "stream.jsonl"
    f.write_text(json.dumps(status(0)) + "\n" + json.dumps({"limit": {"track": "many"}}) + "\n")
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        [res] = runner.ingest(st, [str(f)], workers=1).files
        assert (res.stored, res.rejected, res.limited) == (1, 1, 0)
        assert st.sql("SELECT line, error FROM rejected") == [
            (2, 'limit notice whose track "many" is not a count (a whole number of posts withheld, from 0 to 1,000,000,000,000)')]
        assert "stream_limits" not in st.tables()


@pytest.mark.parametrize("track", [2.5, 3.0, -4, True, "30", 2**70, None, 10**12 + 1, 2**63 - 1])
def test_a_limit_notice_whose_track_is_no_whole_count_is_rejected(tmp_path: Path, track: object) -> None:
    """X writes the count as a JSON integer: a fraction, a negative, a boolean, a numeric string or
    a number beyond 64 bits is no notice X wrote, and was summed into the withheld total (2.5 as 2,
    "30" as 30); so is a count above 10^12 (more than all posts on X in years: two of 2^63-1 made
    Methods say "withheld at least 18,446,744,073,709,551,624 ... under 1%"). Rejected with its line and what the track was, the good status stored."""
    f = tmp_path / "stream.jsonl"
    notice = json.dumps({"limit": {"track": track}})  # 3.0 stays "3.0": a float, as X never writes it
    f.write_text(json.dumps(status(0)) + "\n" + notice + "\n")
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        [res] = runner.ingest(st, [str(f)], workers=1).files
        assert (res.stored, res.rejected, res.limited) == (1, 1, 0)
        [(line, error)] = st.sql("SELECT line, error FROM rejected")
        assert "stream_limits" not in st.tables()
    assert line == 2 and error.startswith("limit notice whose track ") and error.endswith(" is not a count (a whole number of posts withheld, from 0 to 1,000,000,000,000)")


def test_the_ingest_line_says_limit_notices_only_when_there_are_any(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert_said_only_when_any(tmp_path, monkeypatch, _v1_stream(tmp_path / "stream.jsonl"), "stored 40, duplicates 0, rejected 0, limit notices 4, accounts 3", "limit notices")


def test_limit_notices_are_kept_once_and_only_where_read(tmp_path: Path) -> None:
    """Reading the file again, or a copy of it, adds no row; a study whose inputs held no notice
    has no `stream_limits` table (older studies stay as they were)."""
    assert_kept_once_and_only_where_read(tmp_path, _v1_stream(tmp_path / "stream.jsonl"), "stream_limits", 4)


@pytest.mark.parametrize("path", READING_PATHS)
def test_a_file_of_only_stream_notices_is_a_v1_stream_file_with_no_posts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, path: str) -> None:
    """A quiet hour of a capture: delete and limit notices, no status. It was called unreadable
    ("no record in the first lines matches a known format") and ingest exited 1."""
    workers = read_by(path, monkeypatch)
    wide_consoles(monkeypatch)
    f = tmp_path / "quiet.jsonl"
    gone = {"delete": {"status": {"id_str": "5", "user_id_str": "1"}, "timestamp_ms": "1494447600000"}}
    f.write_text("".join(json.dumps(x) + "\n" for x in [gone, _limit(3, 0), gone | {"delete": gone["delete"] | {"status": {"id_str": "6"}}}]))
    res = CliRunner().invoke(app, ["ingest", str(tmp_path / "s.duckdb"), str(f), "--workers", str(workers)])
    assert res.exit_code == 0, res.output
    out = flat(res.output)
    assert "[twitter-v1.1]" in out or "[twitter-v1.1-native]" in out, out
    assert "stored 0, duplicates 0, rejected 0, delete notices 2, limit notices 1," in out, out


def test_the_withheld_total_sums_each_connection_s_largest_count(tmp_path: Path) -> None:
    """Counts 10, 30 then (a new connection) 5, 25: 30 + 25 withheld, never 70; Methods says so
    in one sentence and a study without notices says nothing of it."""
    import html
    import re

    from botwatch.ingest.stream_limits import withheld, withheld_sentence
    from botwatch.report.section_methods import methods

    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        runner.ingest(st, [str(_v1_stream(tmp_path / "stream.jsonl"))], workers=1)
        assert withheld(st) == 55
        said = html.unescape(re.sub(r"\s+", " ", re.sub("<[^>]+>", "", methods(st, {}).html)))
    assert ("The stream withheld at least 55 matching posts (its limit notices): the capture holds about 42% of what matched, "
            "so counts here are lower bounds for the stream's filter.") in said
    plain = tmp_path / "plain.jsonl"
    plain.write_text(json.dumps(status(0)) + "\n")
    with open_study(tmp_path / "p.duckdb", read_only=False) as st:
        runner.ingest(st, [str(plain)], workers=1)
        assert withheld_sentence(st) is None and "stream withheld" not in methods(st, {}).html


def test_botwatch_estimate_says_what_the_stream_withheld(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`botwatch estimate` scales counts by 1/rate as if the sample were complete at that rate; a
    stream that hit its cap was not, and the command says so in the same sentence as Methods (no
    estimate's number changes). A study without notices hears nothing of it."""
    wide_consoles(monkeypatch)
    study = tmp_path / "s.duckdb"
    with open_study(study, read_only=False) as st:
        runner.ingest(st, [str(_v1_stream(tmp_path / "stream.jsonl"))], workers=1)
    res = CliRunner().invoke(app, ["estimate", str(study), "--election", "us-2016"])
    assert res.exit_code == 0, res.output
    assert "The stream withheld at least 55 matching posts (its limit notices)" in flat(res.output)
    plain = tmp_path / "plain.jsonl"
    plain.write_text(json.dumps(status(0)) + "\n")
    with open_study(tmp_path / "p.duckdb", read_only=False) as st:
        runner.ingest(st, [str(plain)], workers=1)
    res = CliRunner().invoke(app, ["estimate", str(tmp_path / "p.duckdb"), "--election", "us-2016"])
    assert res.exit_code == 0, res.output
    assert "stream withheld" not in flat(res.output)


def test_methods_and_the_overview_count_notices_as_notices_not_as_other_records(tmp_path: Path) -> None:
    """`sources` has no column for notices, so Methods said "4 were not posts (profile rows, account
    events and the like)" and the overview's inputs table 4 not posts, where the ingest line said
    "delete notices 2, limit notices 2" and no record that was not a post."""
    import html
    import re

    from botwatch.report.section_methods import methods
    from botwatch.report.section_overview import study_summary

    f = tmp_path / "stream.jsonl"
    gone = [{"delete": {"status": {"id_str": str(900 + i), "user_id_str": "1"}, "timestamp_ms": "1494447600000"}} for i in range(2)]
    f.write_text("".join(json.dumps(x) + "\n" for x in [status(0), *gone, status(1), _limit(3, 0), _limit(8, 1), status(2)]))
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        [res] = runner.ingest(st, [str(f)], workers=1).files
        assert (res.read, res.stored, res.deleted, res.limited, not_posts(res)) == (7, 3, 2, 2, 0)
        said = html.unescape(re.sub(r"\s+", " ", re.sub("<[^>]+>", "", methods(st, {}).html)))
        [row] = study_summary(st)["files"]
    assert "0 were duplicates of posts already stored, 4 were delete or limit notices or stall warnings (the platform's own, no post) and 0 could not be read" in said, said
    assert "not posts" not in said
    assert row[3] == 0, row  # the overview's "not posts" column


@pytest.mark.parametrize("nested", [[[[]]], {"a": {"b": 1}}, "[" * 1000 + "]" * 1000])
def test_a_limit_notice_whose_track_is_nested_is_rejected_by_its_kind(tmp_path: Path, nested: object) -> None:
    """A list or object as the track is named by its kind in the note: dumping it to show it
    recursed past Python's limit on a deep one (an attacker's line of 1,000 brackets), and the
    RecursionError failed the whole file, its good posts with it."""
    f = tmp_path / "stream.jsonl"
    notice = '{"limit": {"track": ' + (nested if isinstance(nested, str) else json.dumps(nested)) + "}}"
    f.write_text(json.dumps(status(0)) + "\n" + notice + "\n")
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        [res] = runner.ingest(st, [str(f)], workers=1).files
        assert (res.error, res.stored, res.rejected) == (None, 1, 1)
        [(error,)] = st.sql("SELECT error FROM rejected")
    kind = "(an object)" if isinstance(nested, dict) else "(a list)"
    assert error == f"limit notice whose track {kind} is not a count (a whole number of posts withheld, from 0 to 1,000,000,000,000)"


def test_the_largest_count_is_kept_and_summed_without_overflow(tmp_path: Path) -> None:
    """10^12 is still a count (kept); and a study read before counts were bounded, holding two of
    2^63-1, sums them past BIGINT without failing or wrapping (the lake's Spark sums BIGINT as BIGINT)."""
    from botwatch.ingest.stream_limits import withheld

    f = tmp_path / "stream.jsonl"
    f.write_text("".join(json.dumps(x) + "\n" for x in [status(0), {"limit": {"track": 10**12}}]))
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        [res] = runner.ingest(st, [str(f)], workers=1).files
        assert (res.rejected, res.limited) == (0, 1)
        assert withheld(st) == 10**12
        # after the file's notice (its path sorts first), two connections of 2^63-1 each
        st.sql("INSERT INTO stream_limits VALUES ('old', 1, NULL, 9223372036854775807), ('old', 2, NULL, 1), "
               "('old', 3, NULL, 9223372036854775807)")
        assert withheld(st) == 2 * (2**63 - 1)


def test_timeless_limit_notices_of_two_captures_are_each_kept(tmp_path: Path) -> None:
    """Older captures' limit notices carry no `timestamp_ms` (and `notice_time` takes a bogus one
    for none): keyed by time and count alone, a second file's `{"limit": {"track": 5}}` met the
    first file's as already kept, and that connection's 5 withheld posts left the total (9, not
    14) though its ingest line said "limit notices 1". A re-read or a copy still adds none."""
    from botwatch.ingest.stream_limits import withheld

    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    a.write_text("".join(json.dumps(x) + "\n" for x in [status(0), {"limit": {"track": 5}}, status(1), {"limit": {"track": 9}}]))
    b.write_text("".join(json.dumps(x) + "\n" for x in [status(2), {"limit": {"track": 5}}]))
    copy = tmp_path / "copy.jsonl"
    copy.write_bytes(b.read_bytes())
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        assert [r.limited for r in runner.ingest(st, [str(a), str(b)], workers=1).files] == [2, 1]
        runner.ingest(st, [str(a), str(b), str(copy)], workers=1, force=True)
        assert st.sql("SELECT source, line, track FROM stream_limits ORDER BY source, line") == [(str(a), 2, 5), (str(a), 4, 9), (str(b), 2, 5)]
        assert withheld(st) == 14
