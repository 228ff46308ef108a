"""The parties section: present with numbers and intervals once estimates exist, absent before,
and it escapes what it prints."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from botwatch.elections import load_election

US = load_election("us-2016")


@pytest.fixture(scope="module")
def estimated(labelled_sample_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample labelled for us-2016 (the session's, copied) and estimated."""
    from botwatch import open_study
    from botwatch.estimates.compute import EstimateOptions, compute_estimates, write_estimates

    dst = tmp_path_factory.mktemp("rep") / "s.duckdb"
    shutil.copy(labelled_sample_path, dst)
    with open_study(dst, read_only=False) as st:
        write_estimates(st, compute_estimates(st, US, EstimateOptions(sample_rate=0.01, reps=200), log=lambda m: None))
    return dst


def test_section_absent_without_estimates(sample_study) -> None:  # type: ignore[no-untyped-def]
    from botwatch.report.section_parties import parties_section

    assert parties_section(sample_study, {}) is None


def test_section_shows_support_sentiment_and_intervals(estimated: Path, tmp_path: Path) -> None:
    from botwatch import open_study
    from botwatch.report.section_parties import parties_section

    dst = tmp_path / "s.duckdb"
    shutil.copy(estimated, dst)
    with open_study(dst, read_only=False) as st:
        sec = parties_section(st, {"election": US})
    assert sec is not None
    html = str(sec.html)
    # The sample is mostly the IRA release: multiplied by 1 / 0.01, but not platform figures
    # (`caveats.scaling_unsupported`), so no scaled support sentence among the headlines.
    assert "Republicans (Trump)" in html and "<svg" in html and "not platform figures" in html and "scaled to the platform" not in html
    assert "needs account_scores" in html  # the missing groups are said
    assert len(sec.headline) >= 2 and not any("Scaled to the whole platform" in str(h) for h in sec.headline)  # two parties' stance
    # the US headline quotes the US frozen test part, not another election's or the old accuracy figure
    from botwatch.content.stance import MEASURED_BY_ELECTION

    us = MEASURED_BY_ELECTION["us-2016"]  # (a written-out figure went stale at each retraining)
    quoted = f"macro-F1 {us['stance_f1']:.2f} [{us['stance_ci'][0]:.2f}–{us['stance_ci'][1]:.2f}] on 159 held-out"
    assert quoted == "macro-F1 0.72 [0.65–0.79] on 159 held-out"
    assert "%]" in str(sec.headline[0]) and quoted in str(sec.headline[0])


def test_section_escapes_preset_text(estimated: Path, tmp_path: Path) -> None:
    import dataclasses

    from botwatch import open_study
    from botwatch.report.section_parties import parties_section

    bad = dataclasses.replace(US, name="<script>alert(1)</script>", parties=tuple(dataclasses.replace(p, name=p.name + "<img src=x onerror=alert(1)>") for p in US.parties))
    dst = tmp_path / "s.duckdb"
    shutil.copy(estimated, dst)
    with open_study(dst, read_only=False) as st:
        sec = parties_section(st, {"election": bad})
    html = str(sec.html) + "".join(str(h) for h in sec.headline)
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;" in html
