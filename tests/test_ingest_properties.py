"""Property tests: whatever text, ids and times a record holds, ingest keeps them exactly, and
whatever bytes a file holds, ingest never crashes and accounts for every record."""

from __future__ import annotations

import csv
import io
import json
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from botwatch import open_study
from botwatch.ingest.runner import ingest

TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300)
TIMES = st.datetimes(min_value=datetime(1000, 1, 1), max_value=datetime(9999, 12, 31, 23, 59, 59)).map(lambda d: d.replace(microsecond=0))
IDS = st.integers(min_value=1, max_value=2**63 - 1).map(str)
SETTINGS = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _ingest(content: bytes, name: str):  # type: ignore[no-untyped-def]
    tmp = Path(tempfile.mkdtemp())
    f = tmp / name
    f.write_bytes(content)
    st_ = open_study(tmp / "s.duckdb", read_only=False)
    return st_, ingest(st_, [str(f)], workers=1).files[0]


@SETTINGS
@given(st.lists(st.tuples(IDS, TEXT, TIMES, st.lists(st.text(alphabet="abcXYZ_019", min_size=1, max_size=12), max_size=3)), min_size=1, max_size=20, unique_by=lambda r: r[0]))
def test_v1_text_ids_and_times_survive_exactly(records) -> None:  # type: ignore[no-untyped-def]
    lines = []
    for pid, text, when, tags in records:
        lines.append(json.dumps({
            "id_str": pid, "created_at": when.strftime("%a %b %d %H:%M:%S +0000 %Y"), "full_text": text,
            "user": {"id_str": "u" + pid[:3], "screen_name": "x"}, "entities": {"hashtags": [{"text": t} for t in tags]},
        }))
    study, res = _ingest(("\n".join(lines) + "\n").encode(), "v1.jsonl")
    with study:
        assert res.rejected == 0 and res.stored == len(records)
        got = {r[0]: r[1:] for r in study.sql("SELECT post_id, text, created_at, hashtags FROM posts")}
        for pid, text, when, tags in records:
            assert got[pid] == (text, when, tags)


@SETTINGS
@given(st.lists(st.tuples(st.text(alphabet="abcdefgh_", min_size=1, max_size=8), TEXT, TIMES), min_size=1, max_size=20))
@example([("_", "", datetime(2000, 1, 1)), ("_", "\r,0", datetime(2000, 1, 1))])  # closing line as wide as a row
def test_ira_csv_content_survives_quoting_and_newlines(records) -> None:  # type: ignore[no-untyped-def]
    buf = io.StringIO(newline="")
    w = csv.writer(buf)
    w.writerow(["author_id", "content", "region", "language", "publish_date", "harvested_date", "following", "followers", "updates", "post_type", "retweet"])
    for author, text, when in records:
        w.writerow([author, text, "United States", "English", when.strftime("%Y-%m-%d %H:%M:%S"), "", "1", "2", "3", "", "0"])
    study, res = _ingest(buf.getvalue().encode("utf-8"), "ira.csv")
    with study:
        assert res.rejected == 0
        distinct = {(a.lower(), w, t) for a, t, w in records}
        assert res.stored == len(distinct) and res.stored + res.duplicates == len(records)
        rows = study.sql("SELECT account_id, created_at, text, kind, ref_handle FROM posts")
        for account, when, text, kind, ref in rows:
            original = next(t for a, t, w in records if a.lower() == account and w == when and (t == text or (kind == "retweet" and t.endswith(text))))
            if kind == "original":
                assert text == original


@SETTINGS
@given(st.lists(st.binary(max_size=200), min_size=1, max_size=30))
def test_arbitrary_bytes_never_crash_and_every_record_is_accounted_for(chunks) -> None:  # type: ignore[no-untyped-def]
    good = json.dumps({"id_str": "1", "created_at": "Wed Oct 10 20:19:24 +0000 2018", "text": "ok", "user": {"id_str": "9"}}).encode()
    content = b"\n".join([good] + [c.replace(b"\n", b" ") for c in chunks]) + b"\n"
    study, res = _ingest(content, "noise.jsonl")
    with study:
        assert res.error is None
        if res.format is None:  # judged binary as a whole: one rejected row for the file, line 0
            assert study.sql("SELECT line FROM rejected") == [(0,)]
            return
        assert res.stored >= 1
        assert res.read == res.stored + res.duplicates + res.rejected
        assert study.count("rejected") == res.rejected
