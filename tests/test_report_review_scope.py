"""A new user's review of reports of a filtered Bluesky capture: the parties section said "Counts
are scaled to the whole platform by 1 / 1" and Methods "the archive is taken to hold that share of
everything posted", while the capture's rate is the share of what the election's filter let
through (docs/collect.md) and a rate of 1 is no scaling at all."""

from __future__ import annotations

import json
from pathlib import Path

from test_report_overstate import _cli, _text

FILTER = {"hashtags": ["GE2017"], "keywords": ["general election"], "origin": "election preset uk-ge2017"}


def _captured_study(tmp_path: Path, rate: float, *, archive: bool = False, rate_given: bool = True) -> Path:
    """The fixture's posts stored as a filtered capture's file (named as `collect` names them);
    with `archive`, another input beside it; `rate_given=False`: estimated with no --sample-rate."""
    import gzip

    from botwatch.collect.study_link import _DDL
    from botwatch.study import open_study

    runner, app = _cli()
    fix = Path(__file__).resolve().parent / "fixtures" / "ingest"
    cap = tmp_path / "cap"
    cap.mkdir()
    captured = cap / "bluesky-20170601T000000Z-1.jsonl.gz"
    captured.write_bytes(gzip.compress((fix / "v1_uklabour.jsonl").read_bytes()))
    study = tmp_path / f"cap{rate:g}.duckdb"
    inputs = [str(captured)] + ([str(fix / "twarc2_flat.jsonl")] if archive else [])
    assert runner.invoke(app, ["ingest", str(study), *inputs]).exit_code == 0
    with open_study(study, read_only=False) as st:  # as `ingest capture/` records a filtered capture
        st.sql(_DDL)
        st.sql("INSERT INTO captures VALUES (?, ?, 'bluesky', ?, 1, '{}', now())", [str(cap), rate, json.dumps([FILTER])])
    res = runner.invoke(app, ["estimate", str(study), "-e", "uk-ge2017", *(["--sample-rate", f"{rate:g}"] if rate_given else [])])
    assert res.exit_code == 0, res.output
    out = study.with_suffix(".html")
    assert runner.invoke(app, ["report", str(study), "-o", str(out), "--no-exports"]).exit_code == 0
    return out


def test_a_filtered_capture_at_rate_one_is_not_scaled_to_the_platform(tmp_path: Path) -> None:
    text = _text(_captured_study(tmp_path, 1.0))
    assert "whole platform by 1 / 1" not in text
    assert "taken to hold that share of everything posted" not in text
    assert "Scaled to the whole platform" not in text
    assert "The sample rate is 1, so counts are not scaled" in text
    assert "the posts the Bluesky capture's filter (election preset uk-ge2017) let through, which is not the whole platform" in text
    assert "a rate of 1 scales nothing, and counts are those of that filtered stream, not of the whole platform" in text


def test_a_sample_of_a_filter_is_scaled_to_the_filter_not_the_platform(tmp_path: Path) -> None:
    text = _text(_captured_study(tmp_path, 0.01))
    assert "scaled to the whole platform" not in text.lower()
    assert ("Counts are scaled by 1 / 0.01 (the share of its posts the capture kept) to estimate all posts the Bluesky "
            "capture's filter (election preset uk-ge2017) let through, not the whole platform") in text
    assert "estimates of that filtered stream's posts (not of the whole platform)" in text


def test_a_filtered_capture_mixed_with_an_archive_is_not_all_the_filters_posts(tmp_path: Path) -> None:
    # The archive's posts were not let through by any filter: the filter's wording for every
    # count was wrong; the report says which part is filtered instead.
    text = _text(_captured_study(tmp_path, 1.0, archive=True))
    assert "the posts the Bluesky capture's filter (election preset uk-ge2017) let through, which is not the whole platform" not in text
    assert "counts are those of that filtered stream" not in text
    assert ("Only part of the study is filtered: the posts from the capture are those the Bluesky capture's filter "
            "(election preset uk-ge2017) let through, while the study also holds 1 other input (an archive or another export)") in text


def test_the_filtered_part_is_a_sentence_of_its_own_without_a_sample_rate(tmp_path: Path) -> None:
    """Given no sample rate, the Parties paragraph ran "... to scale them to the platform.Only part of
    the study is filtered": the no-rate sentence ends on a block tag, whose newline the template
    drops, so the next sentence lost its space."""
    path = _captured_study(tmp_path, 1.0, archive=True, rate_given=False)
    text = _text(path)
    assert "No sample rate was given" in text and "platform.Only part" not in text
    assert "to scale them to the platform. Only part of the study is filtered" in text
