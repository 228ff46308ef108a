"""The study's own home share (`origin_prior.estimate_home`) and a profile place outside home
(`origin.PLACE_ELSEWHERE`). Generated accounts test the code paths only; the figures on real
election talk and on the IRA accounts are in docs/model-card-origin.md."""

from __future__ import annotations

import numpy as np
import pytest

from botwatch.accounts.origin import OriginInput, origin_posterior
from botwatch.accounts.origin_batch import origin_posteriors
from botwatch.accounts.origin_prior import (
    HOME_KIND, apply_home_share, apply_study_prior, estimate_home, home_base, home_from_log_likelihood, home_inputs,
    home_log_likelihood,
)

ENGLISH = OriginInput(post_langs={"en": 5})


def _study(local: int, russian: int, english: int) -> list:
    """Accounts under a GB election: `local` name London, `russian` post in Russian, `english`
    have English posts and nothing else."""
    inputs = [OriginInput(location="London", post_langs={"en": 5})] * local + [OriginInput(post_langs={"ru": 5})] * russian + [ENGLISH] * english
    return [origin_posterior(i, home="GB") for i in inputs]


def test_english_only_accounts_count_foreign_under_the_fixed_prior() -> None:
    """The problem measured: English posts alone leave P(GB) below 0.5 (P(outside GB) >= 0.5, foreign)."""
    assert origin_posterior(ENGLISH, home="GB").probabilities["GB"] < 0.5


def test_an_election_study_raises_the_home_share_and_its_english_accounts_count_local() -> None:
    results = _study(local=300, russian=5, english=100)
    share = estimate_home(results, "GB")
    assert share is not None and share.home == "GB"
    assert share.base == pytest.approx(home_base("GB")) and 0.29 < share.base < 0.32  # centred on the stated 30%
    assert share.lo > 0.5 and share.accounts == len(results)
    results, prior = apply_study_prior(results, "GB")
    after = apply_home_share(results, share)
    english = after[-1]
    assert english.country == "GB" and english.probabilities["GB"] >= 0.5  # no longer counted foreign
    assert english.items[-1] == HOME_KIND
    assert english.evidence[-1].startswith(f"study home share: from the {len(results):,} accounts with origin evidence that no profile place "
                                           "puts outside GB, an estimated ")
    assert f"this moves P(GB) from {results[-1].probabilities['GB']:.3f} to " in english.evidence[-1]
    assert english.p_russia == results[-1].p_russia  # P(Russia) is the Russia prior's to set
    russian = after[300]  # posts in Russian: its P(Russia) and the stored RU probability stay, home gains from the third countries
    assert russian.p_russia == results[300].p_russia and russian.probabilities["RU"] == results[300].probabilities["RU"]
    assert russian.probabilities["GB"] > results[300].probabilities["GB"] and russian.probabilities.get("UA", 0) < results[300].probabilities["UA"]


def test_a_study_of_troll_accounts_lowers_the_home_share() -> None:
    results = _study(local=0, russian=300, english=30)
    share = estimate_home(results, "GB")
    assert share is not None and share.hi < home_base("GB")
    english = apply_home_share(results, share)[-1]
    assert english.probabilities["GB"] < results[-1].probabilities["GB"]


def test_a_handful_of_accounts_cannot_move_the_home_share_far() -> None:
    share = estimate_home(_study(local=3, russian=0, english=0), "GB")
    assert share is not None and share.hi - share.lo > 0.3 and share.share < 0.9


def test_batches_add_up_to_the_whole_study_estimate() -> None:
    results = _study(local=120, russian=40, english=60)
    base = home_base("GB")
    q = home_inputs(results, "GB")
    whole = home_from_log_likelihood(home_log_likelihood(q, base), len(q), base, "GB")  # type: ignore[arg-type]
    parts = home_log_likelihood(q[:77], base) + home_log_likelihood(q[77:], base)  # type: ignore[arg-type]
    split = home_from_log_likelihood(parts, len(q), base, "GB")  # type: ignore[arg-type]
    assert split.share == pytest.approx(whole.share, rel=1e-9) and split.lo == whole.lo and split.hi == whole.hi


def test_not_estimated_without_a_home_or_with_russia_home() -> None:
    results = _study(local=10, russian=10, english=10)
    assert estimate_home(results, None) is None and estimate_home(results, "RU") is None
    assert apply_home_share(results, None) is results


def test_dublin_under_a_gb_election_is_placed_in_ireland() -> None:
    """Ireland's prior weight is a sixteenth of GB's, and the GB election's home prior made it
    1/130: "Dublin, Ireland" (then ×100 for IE) ended most likely GB. The place the profile gives as its
    own undoes the home boost, so IE wins; the batch path says the same."""
    inp = OriginInput(location="Dublin, Ireland", post_langs={"en": 5})
    res = origin_posterior(inp, home="GB")
    assert res.country == "IE" and res.probabilities["IE"] > 3 * res.probabilities.get("GB", 0.0)
    assert "does not apply to an account whose profile places it elsewhere" in res.evidence[1]
    assert origin_posteriors([inp], home="GB")[0] == res
    # Without a profile place the home prior stands; a place naming home keeps it too.
    assert origin_posterior(OriginInput(location="Manchester", post_langs={"en": 5}), home="GB").country == "GB"
    # A British time zone (a setting any client fills in) no longer overrides the stated place:
    # the place's floor scales with Ireland's prior (`origin.location_floor`).
    with_zone = origin_posterior(OriginInput(location="Dublin, Ireland", time_zone="Europe/London"), home="GB")
    assert with_zone.country == "IE" and 0.8 < with_zone.probabilities["IE"] < 0.9 and with_zone.probabilities["GB"] > 0.05


def test_a_stated_place_is_not_outweighed_by_its_countrys_small_prior() -> None:
    """"Vienna" with English posts under a GB election ended most likely US (0.28; AT 0.14): ×100
    for Austria was less than the United States' prior lead (60 to 1) times English posts (×3.3).
    The place's floor now scales with the named country's prior, so a small country's place counts
    as much as a large one's; the largest country's places count as before (×100)."""
    from botwatch.accounts.origin import FLOOR_LOCATION, location_floor

    res = origin_posterior(OriginInput(location="Vienna", post_langs={"en": 5}), home="GB")
    assert res.country == "AT" and 0.85 < res.probabilities["AT"] < 0.95
    assert location_floor(("US",), FLOOR_LOCATION) == FLOOR_LOCATION
    assert location_floor(("AT",), FLOOR_LOCATION) < location_floor(("GB",), FLOOR_LOCATION) < FLOOR_LOCATION
    assert origin_posteriors([OriginInput(location="Vienna", post_langs={"en": 5})], home="GB")[0] == res
    # An archive's region guess is not the account's own statement: its measured floor stands.
    assert "×1.1 for it" in origin_posterior(OriginInput(region="Austria"), home="GB").evidence[1]


def test_the_home_share_leaves_a_place_outside_home_as_it_is() -> None:
    results = _study(local=300, russian=0, english=50) + [origin_posterior(OriginInput(location="Dublin, Ireland", post_langs={"en": 5}), home="GB")]
    share = estimate_home(results, "GB")
    assert share is not None and share.share > 0.5
    dublin = apply_home_share(results, share)[-1]
    assert dublin == results[-1] and dublin.country == "IE"


def test_the_stage_writes_the_home_share(sample_study) -> None:  # type: ignore[no-untyped-def]
    """The accounts stage estimates the home share over all its batches and says it per account."""
    from botwatch.accounts.stage import run_accounts
    from botwatch.elections import load_election

    said: list[str] = []
    run_accounts(sample_study, load_election("us-2016"), log=said.append, with_clusters=False, batch_rows=50)
    assert any(m.startswith("accounts: study home share: an estimated ") and "run from US" in m for m in said), said
    rows = sample_study.sql("SELECT count(*) FROM account_scores WHERE origin_evidence LIKE '%study home share:%'")[0][0]
    assert rows > 0
    np.testing.assert_equal(rows <= sample_study.sql("SELECT count(*) FROM account_scores WHERE origin_country IS NOT NULL")[0][0], True)


def test_accounts_placed_outside_home_are_left_out_of_the_home_share() -> None:
    """An account whose own profile places it abroad has P(home) under the population prior, not
    the home prior the share is measured against, and the share is not applied to it: counted in
    the estimate, 200 Dublin profiles pulled the home share of 300 London ones and 100 English-only
    accounts down. Left out, the estimate is the one of the study without them, and the batch
    (table) path says the same."""
    from botwatch.accounts import origin_table

    without = _study(local=300, russian=5, english=100)
    dublin = [origin_posterior(OriginInput(location="Dublin, Ireland", post_langs={"en": 5}), home="GB")] * 200
    share = estimate_home(without + dublin, "GB")
    alone = estimate_home(without, "GB")
    assert share is not None and alone is not None
    assert share.accounts == len(without) and share.share == pytest.approx(alone.share, rel=1e-12)
    table = origin_table.estimate_home(origin_table.from_results(without + dublin), "GB")
    assert table is not None and table.accounts == share.accounts and table.share == pytest.approx(share.share, rel=1e-12)
    # The stored columns the stage's prior pass reads find the same accounts.
    from botwatch.accounts.batches import origin_columns
    import pyarrow as pa

    batch = pa.table(origin_columns(without + dublin))
    assert len(origin_table.home_q_columns(batch, "GB")) == len(without)
