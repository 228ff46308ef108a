"""The study prior's short-sample reference is the study's own country's where one was measured
(British runs read as a British study, or as a US one for a US study), and is said to be another country's
where the study is of another country, or of none known.

An American study (the IRA tweets read with --election us-2016) was told what "samples of ordinary
British tweets" read, worded as if they were its own country's, and then, once qualified, still
quoted the British range read as a British study: read as a US study, the same runs read about a
tenth as much (`origin_prior.HELD_OUT_SHORT`, docs/methods.md "Study prior on short samples").
"""

from __future__ import annotations

import shutil
from pathlib import Path

from botwatch.accounts.origin_prior import HELD_OUT_SHORT, estimate
from botwatch.prob_text import interval_digits, percent

SMALL = [0.02] * 1_100 + [0.9] * 3  # about a 3,000-tweet sample's accounts with evidence


def nearest(country: str, accounts: int = 1_103) -> tuple[int, int, float, float, float]:
    """The row of `country`'s short samples a study of `accounts` accounts is quoted (nearest on a log scale)."""
    import math

    return min(HELD_OUT_SHORT[country], key=lambda row: abs(math.log(accounts / row[1])))


def test_american_study_is_quoted_samples_read_as_a_us_study() -> None:
    """A US study is quoted the British runs read as a US study (the country a sample is read under
    moves the estimate most) and told the one American evening measured read lower; not the British
    runs read as a British study (about ten times higher), nor one evening's narrow range alone."""
    said = estimate(SMALL, 0.068, country="US").sentence(0.5, 0.2)
    tweets, accounts, lo, mid, hi = nearest("US")
    assert HELD_OUT_SHORT["US"] != HELD_OUT_SHORT["GB"] and lo > 0.001, HELD_OUT_SHORT
    d = interval_digits(lo, hi, 1)
    assert percent(lo, d) != percent(hi, d), (lo, hi)  # a range that reads as one figure ("0.1% to 0.1%") reads as a certainty
    assert (f"on samples of {tweets:,} ordinary British tweets read as a US study (about {accounts:,} accounts with origin evidence, "
            f"none run from Russia; one evening of American tweets read lower) it read {percent(lo, d)} to {percent(hi, d)} "
            f"(median {percent(mid, d)}), so an estimate in that range does not show that any account") in said, said
    assert "another country's" not in said and "not known" not in said, said


def test_study_of_another_country_is_told_the_reference_is_british() -> None:
    said = estimate(SMALL, 0.068, country="NZ").sentence(0.5, 0.2)
    assert ("ordinary British tweets (about 878 accounts with origin evidence, none run from Russia; British samples, another "
            "country's: none from NZ, this study's country, were measured) it read") in said, said
    assert "so an estimate in that range need not show (if samples from NZ read alike) that any account here is run from Russia" in said, said


def test_british_study_keeps_its_own_reference_unqualified() -> None:
    said = estimate(SMALL, 0.068, country="GB").sentence(0.5, 0.2)  # the British samples' own country
    assert "ordinary British tweets" in said and "British samples" not in said and "American" not in said, said
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


def test_stage_on_a_us_election_quotes_samples_read_as_a_us_study(sample_study_path: Path, tmp_path: Path) -> None:
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
    assert "ordinary British tweets read as a US study" in line and "another country's" not in line, line
    # (the near stratum's sentence quotes no short samples: `StudyPrior.held_out`)
    assert any("read as a US study" in r[0] for r in rows) and not any("another country's" in r[0] for r in rows), rows
