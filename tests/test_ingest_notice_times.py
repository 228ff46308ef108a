"""An X v1.1 stream notice's `timestamp_ms` is taken only when it is a plausible time.

0, -1 or "30" read as milliseconds since 1970 became a deleted_at / limited_at / warned_at in
1969-1970. `limited_at` orders a capture's limit notices into connections for the withheld total
(`ingest/stream_limits.py`), so one bogus time reordered them and changed the total. A time before
Twitter (2006) or after tomorrow is now no time, as a notice without `timestamp_ms` has."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from botwatch import open_study
from botwatch.ingest import runner
from botwatch.ingest.fields import notice_time
from botwatch.ingest.stream_limits import withheld
from testsupport.ingest_paths import READING_PATHS, read_by
from testsupport.v1_notices import status

_GOOD_MS = 1494447564000  # 2017-05-10 20:19:24 UTC
_FUTURE_MS = int((datetime.now() + timedelta(days=30) - datetime(1970, 1, 1)).total_seconds() * 1000)
BOGUS = [0, -1, "30", "0", 30, _FUTURE_MS, str(_FUTURE_MS), 2**62]


# ids that do not hold the time: pytest-xdist's workers each collect the tests, and ids holding
# "now + 30 days" differed between them by the milliseconds between their collections, which
# stops the whole run ("Different tests were collected between gw0 and gw1").
@pytest.mark.parametrize("ms", BOGUS, ids=["0", "-1", "'30'", "'0'", "30", "in-30-days", "'in-30-days'", "2^62"])
def test_an_implausible_notice_time_is_no_time(ms: object) -> None:
    assert notice_time(ms) is None


def test_a_plausible_notice_time_is_kept() -> None:
    assert notice_time(str(_GOOD_MS)) == datetime(2017, 5, 10, 20, 19, 24)
    assert notice_time(_GOOD_MS) == datetime(2017, 5, 10, 20, 19, 24)
    assert notice_time(None) is None and notice_time("soon") is None


def _notices(ms: object) -> list[dict]:
    return [{"delete": {"status": {"id_str": "900", "user_id_str": "1"}, "timestamp_ms": ms}},
            {"limit": {"track": 7, "timestamp_ms": ms}},
            {"warning": {"code": "FALLING_BEHIND", "message": "behind", "percent_full": 60, "timestamp_ms": ms}}]


@pytest.mark.parametrize("path", READING_PATHS)
@pytest.mark.parametrize("ms", [0, -1, "30"])
def test_notices_with_an_implausible_time_are_kept_without_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, path: str, ms: object) -> None:
    """Each kind of notice is still kept and counted (the notice is good; only its time is not),
    its time NULL on every DuckDB reading path, none of them in 1969-1970."""
    workers = read_by(path, monkeypatch)
    f = tmp_path / "stream.jsonl"
    f.write_text("".join(json.dumps(x) + "\n" for x in [status(i) for i in range(3)] + _notices(ms)))
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        [res] = runner.ingest(st, [str(f)], workers=workers).files
        assert (res.stored, res.rejected, res.deleted, res.limited, res.warned) == (3, 0, 1, 1, 1)
        times = [st.sql(f"SELECT {col} FROM {table}")[0][0]
                 for table, col in (("deletions", "deleted_at"), ("stream_limits", "limited_at"), ("stream_warnings", "warned_at"))]
    assert times == [None, None, None]


def _limits(path: Path, hostile: dict) -> Path:
    """Two connections (10, 30 then 5, 25, a second apart) and one more notice, `hostile`."""
    lines = [{"limit": {"track": n, "timestamp_ms": str(_GOOD_MS + 1000 * j)}} for j, n in enumerate((10, 30, 5, 25))]
    path.write_text("".join(json.dumps(x) + "\n" for x in [status(0), *lines, {"limit": hostile}]))
    return path


def test_a_notice_s_bogus_time_changes_the_withheld_total_no_more_than_no_time_would(tmp_path: Path) -> None:
    """Timed 1970, the notice was put first and made a connection of its own (40, then 30 and 25:
    95 withheld); with no time it is ordered as a notice without one is, whatever its bogus time."""
    totals = []
    for name, hostile in (("none", {"track": 40}), ("zero", {"track": 40, "timestamp_ms": "0"}), ("minus", {"track": 40, "timestamp_ms": -1})):
        with open_study(tmp_path / f"{name}.duckdb", read_only=False) as st:
            runner.ingest(st, [str(_limits(tmp_path / f"{name}.jsonl", hostile))], workers=1)
            totals.append(withheld(st))
    assert totals[1] == totals[0] and totals[2] == totals[0], totals
