"""`ingest --engine spark` carries a capture folder's sampling rate into the lake, as the DuckDB
ingest does: `recorded_sample_rate` (what `analyze` and `estimate` scale by) reads it back."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.spark

FIX = Path(__file__).resolve().parent / "fixtures" / "ingest"


def test_capture_sample_rate_reaches_the_lake(spark: Any, tmp_path: Path) -> None:
    from botwatch.collect.study_link import recorded_sample_rate
    from botwatch.engines.lake import LakeStudy
    from botwatch.engines.spark_ingest import ingest_lake

    cap = tmp_path / "capture"
    (cap / ".botwatch").mkdir(parents=True)
    (cap / ".botwatch" / "capture.json").write_text(json.dumps(
        {"format": 1, "sample_rate": 0.25, "runs": [{"platform": "x", "stream": "x-stream", "filter": {"track": ["brexit"]}}]}))
    # A file named as `botwatch collect` names closed captures (a committed twarc2 slice's content).
    shutil.copy(FIX / "twarc2_two_tweets.jsonl.gz", cap / "x-stream-20260101T000000Z-1.jsonl.gz")
    lake_path = tmp_path / "lake"
    summary = ingest_lake(spark, str(lake_path), [str(cap)])
    assert summary.total("stored") > 0
    with LakeStudy(lake_path, read_only=True, spark=spark) as lake:
        rate, note = recorded_sample_rate(lake)
        assert rate == 0.25, note
        assert lake.sql("SELECT runs, filters FROM captures") == [(1, json.dumps([{"track": ["brexit"]}]))]
    # Ingesting the same folder again records it once (the row is replaced, not added).
    ingest_lake(spark, str(lake_path), [str(cap)])
    with LakeStudy(lake_path, read_only=True, spark=spark) as lake:
        assert lake.count("captures") == 1


def test_a_bluesky_captures_profile_views_reach_the_lakes_accounts(spark: Any, tmp_path: Path) -> None:
    """The profile views `collect bluesky` looks up at the AppView are read on the executors by
    the same reader as on DuckDB: the lake's account has its creation date and counts."""
    import orjson

    from botwatch.collect.bsky_profiles import PROFILE_VIEW
    from botwatch.collect.fake_jetstream import jetstream_event
    from botwatch.engines.lake import LakeStudy
    from botwatch.engines.spark_ingest import ingest_lake
    from testsupport.collect_fakes import closed_capture_file

    cap = tmp_path / "capture"
    cap.mkdir()
    did = "did:plc:fake0001"
    view = {"did": did, "handle": "one.bsky.social", "description": "bio", "createdAt": "2024-03-01T10:00:00.000Z",
            "followersCount": 11, "followsCount": 21, "postsCount": 31}
    closed_capture_file(cap, "bluesky", [jetstream_event(1), orjson.dumps({"did": did, "time_us": 1_780_000_000_000_000, "kind": PROFILE_VIEW,
                                                                          "profile": view})])
    lake_path = tmp_path / "lake"
    summary = ingest_lake(spark, str(lake_path), [str(cap)])
    assert summary.total("stored") > 0 and summary.total("rejected") == 0
    with LakeStudy(lake_path, read_only=True, spark=spark) as lake:
        rows = lake.sql("SELECT handle, description, CAST(created_at AS STRING), followers, following, posts_count FROM accounts")
    assert [tuple(r) for r in rows] == [("one.bsky.social", "bio", "2024-03-01 10:00:00", 11, 21, 31)]


def test_stream_notices_are_counted_and_kept_as_on_duckdb_not_rejected(spark: Any, tmp_path: Path) -> None:
    """A v1.1 stream's delete and limit notices and stall warnings: the Spark ingest counts them and
    keeps them in `deletions`, `stream_limits` and `stream_warnings` as the DuckDB one does, once
    however often the file is read. (One file holds all kinds: each lake ingest is some seconds of
    Spark jobs.)"""
    from botwatch import open_study
    from botwatch.engines.lake import LakeStudy
    from botwatch.engines.spark_ingest import ingest_lake
    from botwatch.ingest.runner import ingest
    from botwatch.report.section_methods import deleted_posts

    status = {"id_str": "9", "created_at": "Wed May 10 20:19:24 +0000 2017", "text": "x", "user": {"id_str": "1"}}
    gone = [{"delete": {"status": {"id_str": str(i), "user_id_str": "1"}, "timestamp_ms": "1494447600000"}} for i in (7, 8, 9)]
    limits = [{"limit": {"track": n, "timestamp_ms": str(1494447600000 + i)}} for i, n in enumerate((4, 9, 2))]
    f = tmp_path / "stream.jsonl"
    warning = {"warning": {"code": "FALLING_BEHIND", "message": "falling behind", "percent_full": 60}}
    f.write_text("".join(json.dumps(x) + "\n" for x in [gone[0], status, limits[0], gone[1], limits[1], gone[2], limits[2], warning]))
    [lake] = ingest_lake(spark, str(tmp_path / "lake"), [str(f)]).files
    ingest_lake(spark, str(tmp_path / "lake"), [str(f)], force=True)  # read again: no row twice
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        [duck] = ingest(st, [str(f)], workers=1).files
        deleted = st.sql("SELECT * FROM deletions ORDER BY post_id")
        limited = st.sql("SELECT * FROM stream_limits ORDER BY line")
        warned = st.sql("SELECT * FROM stream_warnings")
    counts = lambda r: (r.read, r.stored, r.rejected, r.deleted, r.limited, r.warned)  # noqa: E731
    assert counts(lake) == counts(duck) == (8, 1, 0, 3, 3, 1)
    with LakeStudy(tmp_path / "lake", read_only=True, spark=spark) as held:
        assert held.sql("SELECT * FROM deletions ORDER BY post_id") == deleted  # the same rows, stored the same way
        assert held.sql("SELECT * FROM stream_limits ORDER BY line") == limited
        assert held.sql("SELECT * FROM stream_warnings") == warned and [r[1] for r in warned] == [8]
        assert deleted_posts(held, set(held.tables())) == 1  # of the stored posts, 9 was deleted (Methods' count, as on DuckDB)
    assert [r[4].rsplit(":", 1)[1] for r in deleted] == ["1", "4", "6"]
    assert [(r[1], r[3]) for r in limited] == [(3, 4), (5, 9), (7, 2)]



@pytest.fixture(scope="module")
def notice_lake(spark: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One lake for the two tests below (read only): each lake ingest is some seconds of Spark
    jobs, and the two scenarios' files touch different tables (warnings only in `hour*`, limits
    only in `a` and `b`), so they share the calls their tests need instead of five ingests.

    Call 1: two captures holding the same warning on the same line (`hour1`, `hour2`) and `a`,
    limit notices without a time. Call 2: `b`, whose "track 5" is a second file's, read in a
    later call. Call 3, with --force: a copy of `hour1` and one of `b`, which must add nothing."""
    from botwatch.engines.spark_ingest import ingest_lake

    work = tmp_path_factory.mktemp("notice_lake")
    warning = {"warning": {"code": "FALLING_BEHIND", "message": "falling behind", "percent_full": 60}}
    hours = []
    for n in (1, 2):
        status = {"id_str": str(n), "created_at": "Wed May 10 20:19:24 +0000 2017", "text": "x", "user": {"id_str": "1"}}
        hours.append(work / f"hour{n}.jsonl")
        hours[-1].write_text(json.dumps(status) + "\n" + json.dumps(warning) + "\n")
    status = {"id_str": "9", "created_at": "Wed May 10 20:19:24 +0000 2017", "text": "x", "user": {"id_str": "1"}}
    a, b = work / "a.jsonl", work / "b.jsonl"
    a.write_text("".join(json.dumps(x) + "\n" for x in [status, {"limit": {"track": 5}}, {"limit": {"track": 9}}]))
    b.write_text("".join(json.dumps(x) + "\n" for x in [{"limit": {"track": 5}}, status]))
    copies = [work / "copy_hour1.jsonl", work / "copy_b.jsonl"]
    for copy, of in zip(copies, (hours[0], b)):
        copy.write_bytes(of.read_bytes())
    lake = work / "lake"
    ingest_lake(spark, str(lake), [*map(str, hours), str(a)])
    ingest_lake(spark, str(lake), [str(b)])
    ingest_lake(spark, str(lake), [str(c) for c in copies], force=True)
    return {"lake": lake, "hours": hours, "a": a, "b": b}


def test_two_captures_same_warning_line_are_two_warnings_on_the_lake(spark: Any, notice_lake: dict[str, Any]) -> None:
    """X's stall warnings carry no time: two captures holding the same warning on the same line are
    two (each file's line said 1), as on DuckDB; a copy read again with --force adds none."""
    from botwatch.engines.lake import LakeStudy

    with LakeStudy(notice_lake["lake"], read_only=True, spark=spark) as held:
        assert sorted(r[0] for r in held.sql("SELECT source FROM stream_warnings")) == [str(f) for f in notice_lake["hours"]]


def test_timeless_limit_notices_of_two_captures_are_each_kept_on_the_lake(spark: Any, notice_lake: dict[str, Any]) -> None:
    """Limit notices without a time (older captures): a second file's "track 5" is its own
    connection's, not the first file's met again, as on DuckDB; the total is 9 + 5. A copy read
    again with --force adds none."""
    from botwatch.engines.lake import LakeStudy
    from botwatch.ingest.stream_limits import withheld

    a, b = notice_lake["a"], notice_lake["b"]
    with LakeStudy(notice_lake["lake"], read_only=True, spark=spark) as held:
        assert sorted(tuple(r) for r in held.sql("SELECT source, line, track FROM stream_limits")) == [(str(a), 2, 5), (str(a), 3, 9), (str(b), 1, 5)]
        assert withheld(held) == 14


def test_the_lakes_withheld_total_sums_past_bigint(spark: Any, tmp_path: Path) -> None:
    """Spark sums a BIGINT column as BIGINT: a lake read before limit counts were bounded, holding
    two connections of 2^63-1, wrapped (or failed) where DuckDB gave the sum. Summed as DECIMAL,
    the lake gives DuckDB's figure."""
    import pyarrow as pa

    from botwatch.engines.lake import LakeStudy
    from botwatch.ingest.stream_limits import withheld
    from botwatch.schema import STREAM_LIMITS

    big = 2**63 - 1
    rows = pa.table({"source": ["old"] * 3, "line": [1, 2, 3], "limited_at": [None] * 3, "track": [big, 1, big]}, schema=STREAM_LIMITS)
    with LakeStudy(tmp_path / "lake", spark=spark) as lake:
        lake.write_table("stream_limits", rows)
        assert withheld(lake) == 2 * big
