"""The study prior's short-sample reference is said to be British, and another country's where the
study is of another country, or of none known.

An American study (the IRA tweets read with --election us-2016) was told what "samples of ordinary
British tweets" read, worded as if they were its own country's: the only short-sample reference
(`origin_prior.HELD_OUT_SHORT`) is brexit-2016's, and it was chosen by size alone.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from botwatch.accounts.origin_prior import estimate

SMALL = [0.02] * 1_100 + [0.9] * 3  # about a 3,000-tweet sample's accounts with evidence


def test_study_of_another_country_is_told_the_reference_is_british() -> None:
    said = estimate(SMALL, 0.068, country="US").sentence(0.5, 0.2)
    assert ("ordinary British tweets (about 878 accounts with origin evidence, none run from Russia; British samples, another "
            "country's: none from US, this study's country, were measured) it read") in said, said
    assert "so an estimate in that range need not show (if samples from US read alike) that any account here is run from Russia" in said, said


def test_british_study_keeps_its_own_reference_unqualified() -> None:
    said = estimate(SMALL, 0.068, country="GB").sentence(0.5, 0.2)  # the reference's own country (`HELD_OUT_SHORT_COUNTRY`)
    assert "ordinary British tweets" in said and "British samples" not in said, said
    assert "so an estimate in that range does not show that any account" in said, said


def test_study_of_no_known_country_is_told_the_reference_is_british() -> None:
    # A study read with --no-election, or of a country the origin model does not know, has no country
    # (None). It was once told "does not show" flat, as a British study is, though nothing says its
    # accounts are British: it is qualified as another country's study is.
    said = estimate(SMALL, 0.068, country=None).sentence(0.5, 0.2)
    assert ("none run from Russia; British samples: this study's country is not known, so none from it were measured) it read"
            in said), said
    assert "so an estimate in that range need not show (if samples from its country read alike) that any account here" in said, said
    assert "does not show" not in said, said


def test_stage_on_a_us_election_says_the_reference_is_another_countrys(sample_study_path: Path, tmp_path: Path) -> None:
    from botwatch import open_study
    from botwatch.accounts.stage import run_accounts
    from botwatch.elections import load_election

    dst = tmp_path / "s.duckdb"
    shutil.copy(sample_study_path, dst)
    said: list[str] = []
    with open_study(dst, read_only=False) as st:
        run_accounts(st, load_election("us-2016"), log=said.append)
        rows = st.sql("SELECT DISTINCT sentence FROM account_evidence WHERE kind = 'origin' AND sentence LIKE 'study prior:%'")
    line = next(m for m in said if m.startswith("accounts: study prior:"))
    assert "ordinary British tweets" in line and "none from US, this study's country, were measured" in line, line
    assert rows and all("another country's" in r[0] for r in rows if "ordinary British tweets" in r[0]), rows
