"""Captures at different rates in one study: no single --sample-rate scales them all. `estimate`
asked for one ("pass --sample-rate"), and, given 0.01 for a 1% and a 50% capture, multiplied the
50% capture's posts by 100 where 2 was due, with no warning in `estimate` or `analyze` and a report
that read "Counts are scaled to the whole platform by 1 / 0.01"."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

FIX = Path(__file__).resolve().parent / "fixtures" / "ingest"


def _capture(folder: Path, rate: float, pid: int, src: str, day: str) -> Path:
    run = {"platform": "x", "stream": "x-stream", "filter": {}, "pid": pid, "started": f"{day}T00:00:00Z", "ended": f"{day}T01:00:00Z"}
    (folder / ".botwatch").mkdir(parents=True)
    (folder / ".botwatch" / "capture.json").write_text(json.dumps({"format": 1, "sample_rate": rate, "runs": [run]}))
    shutil.copy(FIX / src, folder / f"x-stream-{day.replace('-', '')}T000500123456Z-{pid}.jsonl.gz")
    return folder


def _study(tmp_path: Path, rates: tuple[float, float]) -> Path:
    from botwatch.cli import app

    a = _capture(tmp_path / "a", rates[0], 111, "twarc2_two_tweets.jsonl.gz", "2026-01-01")
    b = _capture(tmp_path / "b", rates[1], 222, "twarc2_stream_with_error.jsonl.gz", "2026-01-02")
    study = tmp_path / "s.duckdb"
    res = CliRunner().invoke(app, ["ingest", str(study), str(a), str(b)])
    assert res.exit_code == 0, res.output
    return study


def test_one_rate_over_captures_at_several_is_said_to_misscale(tmp_path: Path) -> None:
    from botwatch.collect.study_link import recorded_sample_rate
    from botwatch.report.caveats import scaling_unsupported
    from botwatch.study import Study

    study = _study(tmp_path, (0.01, 0.5))
    with Study(study) as st:
        rate, why = recorded_sample_rate(st)
        assert rate is None and "no one rate scales them all" in why and "a study of its own" in why
        said = scaling_unsupported(st, 0.01)  # the CLI's warning and the report's Parties and Methods caveat
        assert said is not None and "0.01, 0.5" in said and "not platform figures" in said
        assert scaling_unsupported(st, 1.0) is None  # a rate of 1 scales nothing


def test_captures_at_one_rate_are_no_mix(tmp_path: Path) -> None:
    from botwatch.report.caveats import scaling_unsupported
    from botwatch.study import Study

    study = _study(tmp_path, (0.01, 0.01))
    with Study(study) as st:
        assert scaling_unsupported(st, 0.01) is None


def test_the_report_says_a_rate_other_than_the_captures(tmp_path: Path) -> None:
    """`estimate --sample-rate 0.01` on captures all taken at 0.5 warned on the command line only;
    the report said "Counts are scaled to the whole platform by 1 / 0.01" with no word of 0.5."""
    import html
    import re

    from botwatch.cli import app
    from botwatch.report.caveats import report_scaling_unsupported
    from botwatch.study import Study

    study = _study(tmp_path, (0.5, 0.5))
    res = CliRunner().invoke(app, ["estimate", str(study), "-e", "uk-ge2017", "--sample-rate", "0.01", "--reps", "20"])
    assert res.exit_code == 0, res.output
    with Study(study) as st:
        said = report_scaling_unsupported(st, 0.01)
        assert said is not None and "recorded rate 0.5" in said
        assert report_scaling_unsupported(st, 0.5) is None and report_scaling_unsupported(st, 1.0) is None
    out = tmp_path / "r" / "report.html"
    res = CliRunner().invoke(app, ["report", str(study), "-o", str(out), "--no-exports"])
    assert res.exit_code == 0, res.output
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", out.read_text())).split())
    assert "not platform figures" in text and "recorded rate 0.5" in text


def test_a_rate_kept_from_an_override_still_names_the_captures_rate(tmp_path: Path) -> None:
    """After `estimate --sample-rate 0.01` on captures taken at 0.5 (warned once), every later plain
    `estimate`, `analyze` and `status` said only "using the sample rate this study's estimates were
    last made with: 0.01", scaling by 100 where the captures' rate gives 2."""
    from botwatch.cli import app

    study = _study(tmp_path, (0.5, 0.5))
    run = CliRunner().invoke
    assert run(app, ["estimate", str(study), "-e", "uk-ge2017", "--sample-rate", "0.01", "--reps", "20"]).exit_code == 0
    for args in (["estimate", str(study), "--reps", "20"], ["status", str(study)]):
        res = run(app, args, env={"COLUMNS": "300"})
        said = " ".join(res.output.split())
        assert res.exit_code == 0 and "last made with: 0.01" in said, said
        assert "every capture in this study recorded rate 0.5" in said and "not 1/0.01" in said, said
        if args[0] == "estimate":  # its tables say what the report says of such counts, not "scaled by 1/0.01"
            assert "warning: the counts below are not platform figures: they are multiplied by 1/0.01, the rate kept" in said, said
            assert "scaled by 1/0.01" not in said and "counts multiplied by 1/0.01: not platform figures" in said, said
    assert run(app, ["estimate", str(study), "--sample-rate", "0.5", "--reps", "20"]).exit_code == 0
    res = run(app, ["estimate", str(study), "--reps", "20"])
    assert "last made with: 0.5" in res.output and "recorded rate" not in res.output, res.output


def test_one_capture_beside_an_archive_scaled_by_another_rate_is_said_to_misscale(tmp_path: Path) -> None:
    """A Bluesky-style capture taken at 0.5 ingested beside a twarc2 archive (rate unknown) and
    given --sample-rate 0.01: no single rate was recorded, so neither the several-rates caveat nor
    the override warning applied, and `estimate` multiplied the capture's posts by 100 where 2 was
    due with no word of its own rate."""
    from botwatch.cli import app
    from botwatch.report.caveats import scaling_unsupported
    from botwatch.study import Study

    a = _capture(tmp_path / "a", 0.5, 111, "twarc2_two_tweets.jsonl.gz", "2026-01-01")
    archive = tmp_path / "archive.jsonl.gz"
    shutil.copy(FIX / "twarc2_stream_with_error.jsonl.gz", archive)
    study = tmp_path / "s.duckdb"
    res = CliRunner().invoke(app, ["ingest", str(study), str(a), str(archive)])
    assert res.exit_code == 0, res.output
    with Study(study) as st:
        said = scaling_unsupported(st, 0.01)
        assert said is not None and "recorded rate 0.5" in said and "not platform figures" in said
        assert scaling_unsupported(st, 0.5) is None  # the capture's own rate: the archive's is the user's call
    res = CliRunner().invoke(app, ["estimate", str(study), "-e", "uk-ge2017", "--sample-rate", "0.01", "--reps", "20"])
    assert res.exit_code == 0, res.output
    assert "recorded rate 0.5" in " ".join(res.output.split())
