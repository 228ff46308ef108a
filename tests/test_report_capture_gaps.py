"""A capture's recorded gaps (`gaps` in its manifest: a search re-run beyond X's recent reach) were
said by `botwatch status` but not by the report, whose Data coverage read as if every day between
the first and last post had been fetched. Methods' data coverage now says them, one sentence per
capture, escaped."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

from typer.testing import CliRunner


def _captured_study(tmp_path: Path, folder_name: str, **counts: int) -> Path:
    from botwatch.cli import app
    from botwatch.collect import state as st

    folder = tmp_path / folder_name
    (folder / ".botwatch").mkdir(parents=True)
    gaps = [{"from": "2026-11-20T10:00:00Z", "to": "2026-11-28T11:00:00Z", "why": "X's recent search reaches back 7 days only"},
            {"from": "2026-12-01T00:00:00Z", "to": "2026-12-02T00:00:00Z<b>", "why": "x"}]
    run = {"platform": "x", "stream": "x-search-abc", "endpoint": "http://x", "sample_rate": 1.0, "filter": {}, "gaps": gaps, "kept": 1, **counts}
    (folder / ".botwatch" / st.MANIFEST).write_text(json.dumps({"sample_rate": 1.0, "runs": [run, {**run, "gaps": []}]}))
    page = {"data": [{"id": "2128641362881413120", "text": "hello", "author_id": "1", "created_at": "2026-12-01T10:00:00.000Z"}],
            "includes": {"users": [{"id": "1", "username": "a", "name": "A", "created_at": "2020-01-01T00:00:00.000Z"}]}}
    with gzip.open(folder / "x-search-abc-20261201T100000Z-1.jsonl.gz", "wt") as fh:
        fh.write(json.dumps(page) + "\n")
    study = tmp_path / "s.duckdb"
    res = CliRunner().invoke(app, ["ingest", str(study), str(folder)])
    assert res.exit_code == 0, res.output
    return study


def _methods_html(study: Path) -> str:
    from botwatch.report.context import report_context
    from botwatch.report.section_methods import methods
    from botwatch.study import open_study

    with open_study(study) as st:
        return str(methods(st, report_context(st)).html)


def test_methods_coverage_says_a_captures_gaps(tmp_path: Path) -> None:
    html = _methods_html(_captured_study(tmp_path, "cap<i>"))
    coverage = html[html.index('id="methods-coverage"'):html.index('id="methods-rejected"')]
    said = " ".join(re.sub("<[^>]+>", " ", coverage).split())
    assert ("could not fetch the posts from 2026-11-20T10:00:00Z to 2026-11-28T11:00:00Z (X&#39;s recent search reaches back 7 days only) "
            "and from 2026-12-01T00:00:00Z to 2026-12-02T00:00:00Z&lt;b&gt; (x): its counts over those spans are incomplete") in said, said
    assert said.count("could not fetch") == 1  # one sentence per capture
    assert "cap&lt;i&gt;" in coverage and "<i>" not in coverage and "<b>" not in coverage


def test_methods_says_the_frames_a_capture_kept_aside_before_ingest(tmp_path: Path) -> None:
    """`status` counted the frames the collector kept aside (malformed, unknown), but the report
    said ingest's rejections only and then "Nothing is dropped silently", as if all the server
    sent had reached the study. Each run's counts add up, per capture; the folder is escaped."""
    html = _methods_html(_captured_study(tmp_path, "cap<i>", malformed=2, unknown=1))
    rejected = html[html.index('id="methods-rejected"'):]
    said = " ".join(re.sub("<[^>]+>", " ", rejected).split())
    assert "the capture" in said and "kept aside 6 frames its server sent that could not be used" in said, said  # two runs of 3
    assert "they are in none of these counts" in said
    assert "cap&lt;i&gt;" in rejected and "<i>" not in rejected


def test_methods_says_no_frames_aside_where_the_capture_kept_none(tmp_path: Path) -> None:
    html = _methods_html(_captured_study(tmp_path, "cap"))
    assert "kept aside" not in html[html.index('id="methods-rejected"'):]


def test_a_manifest_count_no_integer_holds_leaves_the_capture_out_not_the_report(tmp_path: Path) -> None:
    """A manifest edited by hand to count `1e400` bad frames (JSON reads it as infinity) raised
    OverflowError, which neither `status` nor the report caught: the report stopped. That capture
    is left out of the sentence, as any count that is no number is; `status` shows it unreadable."""
    from botwatch.cli.study import _frames_aside

    html = _methods_html(_captured_study(tmp_path, "cap", malformed=float("inf")))  # type: ignore[arg-type]
    assert "kept aside" not in html[html.index('id="methods-rejected"'):]
    assert _frames_aside(json.dumps({"runs": [{"malformed": float("inf")}]})) is None
