"""The study prior: P(Russia) re-weighted by the study's own estimated share of
Russia-run accounts. Generated probabilities test the code paths only; the validation on real
accounts across mixes is scripts/validate_origin.py (docs/methods.md)."""

from __future__ import annotations

import numpy as np

from botwatch.accounts.origin import OriginInput, origin_posterior
from botwatch.accounts.origin_prior import adjust, apply_study_prior, estimate
from botwatch.accounts.origin_signals import parameters

BASE = float(parameters()["calibration"]["russia_share"])


def _mixture(share: float, n: int = 4000, seed: int = 1) -> tuple[np.ndarray, float]:
    """Calibrated P(Russia) at the base mix for a study where `share` of accounts are Russia-run:
    a score x ~ N(+1, 1) for Russia-run accounts and N(-1, 1) for others, whose exact likelihood
    ratio is exp(2x) (so the probabilities are calibrated by construction)."""
    rng = np.random.default_rng(seed)
    y = rng.random(n) < share
    x = np.where(y, 1.0, -1.0) + rng.normal(0, 1.0, n)
    odds = np.exp(2 * x) * BASE / (1 - BASE)
    return odds / (1 + odds), float(y.mean())


def test_estimate_recovers_the_study_share_with_an_interval() -> None:
    for share in (0.01, 0.3, 0.9):
        p, realised = _mixture(share)
        est = estimate(p, BASE)
        assert est.lo <= realised <= est.hi, (realised, est.share, est.lo, est.hi)
        assert est.hi - est.lo < 0.1


def test_few_accounts_stay_near_the_calibration_mix() -> None:
    # Three accounts say little about what a study is made of: the interval stays wide.
    est = estimate([0.99, 0.99, 0.99], BASE)
    assert est.hi - est.lo > 0.5 and est.hi > est.share > est.lo


def test_adjust_moves_neutral_accounts_to_the_study_share() -> None:
    neutral = [BASE]  # an account whose own evidence says nothing beyond the calibration mix
    russian_study = estimate(_mixture(0.9)[0], BASE)
    ordinary_study = estimate(_mixture(0.001)[0], BASE)
    assert adjust(neutral, russian_study)[0] > 0.8
    assert adjust(neutral, ordinary_study)[0] < BASE / 5


def _posing() -> OriginInput:
    return OriginInput(location="Nashville, TN", post_langs={"en": 40}, n_posts=40)


def _russian() -> OriginInput:
    return OriginInput(location="Москва", post_langs={"ru": 40}, n_posts=40)


def test_posing_account_in_a_mostly_russian_study_gets_russia_and_says_why() -> None:
    results = [origin_posterior(_russian(), home="US") for _ in range(60)] + [origin_posterior(_posing(), home="US")]
    assert results[-1].country == "US"  # on its own evidence, at the calibration mix
    adjusted, prior = apply_study_prior(results, "US")
    assert prior is not None and prior.share > 0.5
    last = adjusted[-1]
    assert last.country == "RU" and last.p_russia is not None and last.p_russia > results[-1].p_russia
    assert last.items[-1] == "study_prior" and "study prior" in last.evidence[-1] and "not something new about this account" in last.evidence[-1]
    assert last.evidence[0].startswith("most likely RU")
    assert len(last.items) + 1 == len(last.evidence)  # one sentence per item plus the lead


def test_ordinary_study_lowers_p_russia_and_unknown_stays_unknown() -> None:
    results = [origin_posterior(_posing(), home="US") for _ in range(200)] + [origin_posterior(OriginInput(), home="US")]
    adjusted, prior = apply_study_prior(results, "US")
    assert prior is not None and prior.share < BASE
    assert adjusted[0].p_russia < results[0].p_russia and adjusted[0].country == "US"
    assert adjusted[-1].country is None and adjusted[-1].items == []


def test_not_applied_when_russia_is_home() -> None:
    results = [origin_posterior(_russian(), home="RU") for _ in range(5)]
    adjusted, prior = apply_study_prior(results, "RU")
    assert prior is None and adjusted == results


def test_accounts_stage_applies_the_study_prior_and_can_be_told_not_to(sample_study_path, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import shutil

    from botwatch import open_study
    from botwatch.accounts.stage import run_accounts
    from botwatch.elections import load_election

    dst = tmp_path / "s.duckdb"
    shutil.copy(sample_study_path, dst)
    logged: list[str] = []
    q = ("SELECT count(*) FILTER (WHERE origin_country IS NOT NULL), count(*) FILTER (WHERE origin_evidence LIKE '%study prior:%'), "
         "sum(coalesce(CAST(json_extract(origin_probabilities, '$.RU') AS DOUBLE), 0)) FROM account_scores")
    with open_study(dst, read_only=False) as st:
        run_accounts(st, load_election("us-2016"), log=logged.append)
        known, with_prior, ru_prior = st.sql(q)[0]
        run_accounts(st, load_election("us-2016"), study_prior=False)
        known_off, without, ru_off = st.sql(q)[0]
    assert known > 0 and with_prior == known and without == 0 and known_off == known
    assert any("study prior: an estimated" in m for m in logged)
    assert abs(ru_prior - ru_off) > 0.01  # the bundled sample is not a 6.8 % Russia-run mix


def test_analyze_flag_turns_the_study_prior_off(sample_study_path, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import shutil

    from typer.testing import CliRunner

    from botwatch import open_study
    from botwatch.cli import app

    dst = tmp_path / "s.duckdb"
    shutil.copy(sample_study_path, dst)
    res = CliRunner().invoke(app, ["analyze", str(dst), "--election", "us-2016", "--stage", "accounts", "--no-origin-study-prior"])
    assert res.exit_code == 0, res.output
    with open_study(dst, read_only=True) as st:
        assert st.sql("SELECT count(*) FROM account_scores WHERE origin_evidence LIKE '%study prior:%'")[0][0] == 0
        assert st.sql("SELECT count(*) FROM account_scores WHERE origin_country IS NOT NULL")[0][0] > 0


def test_log_likelihood_by_blocks_equals_the_whole_grid_bit_for_bit() -> None:
    # Small and large chunks (one account, fewer accounts than a block, several blocks), P at
    # the clip limits, likelihood ratios far from 1, and the study sum over chunks.
    from botwatch.accounts import origin_prior as op
    from testsupport.accounts_reference import chunk_log_likelihood_whole

    rng = np.random.default_rng(5)
    for n in (0, 1, 3, 57, 1_000, 20_001, 33_333):
        p = np.concatenate([rng.random(n), rng.beta(0.2, 5, n // 3), [0.0, 1.0, op.EPS, 1 - op.EPS, 0.5][: n and 5]])
        p = np.clip(p, op.EPS, 1 - op.EPS)
        lam = op._odds(p) / op._odds(np.float64(0.12))
        assert np.array_equal(op._chunk_log_likelihood(lam), chunk_log_likelihood_whole(lam)), n
        whole = np.zeros(len(op.GRID))
        for chunk in np.array_split(lam, max(1, len(lam) // 20_000 + 1)):
            whole = whole + chunk_log_likelihood_whole(chunk)
        assert np.array_equal(op.log_likelihood(p, 0.12), whole), n


def test_a_move_never_goes_against_its_direction_near_zero_or_one() -> None:
    """Every move of P(Russia) (the study prior, shared-text and cluster pooling) clipped P to
    [EPS, 1 − EPS] before moving it, a floor meant to keep the other countries possible. For an
    account above 1 − EPS that floor lowered P(Russia) when the study's share or the neighbours'
    evidence raised its odds, and below EPS it raised P when they lowered them. Fails with the clip
    put back (`origin_pool.moved_p`)."""
    from botwatch.accounts import origin_pool, origin_prior, origin_table, origin_textpool

    sure, never = 1 - 1e-9, 1e-9
    p = np.array([sure, never, 0.5, 1.0, 0.0])
    russian_study = estimate(_mixture(0.9)[0], BASE)
    ordinary_study = estimate(_mixture(0.001)[0], BASE)
    assert russian_study.share > BASE > ordinary_study.share
    up, down = adjust(p, russian_study), adjust(p, ordinary_study)
    assert (up >= p).all() and (down <= p).all()
    assert up[0] > sure and down[1] < never and up[3] == 1.0 and down[4] == 0.0
    # Pooling: neighbours' evidence for Russia (mean log-ratio +2) never lowers it, against never raises it.
    pooled_up = origin_textpool.pooled_p(p, np.full(5, 2.0), np.ones(5, np.int64), BASE)
    pooled_down = origin_textpool.pooled_p(p, np.full(5, -2.0), np.ones(5, np.int64), BASE)
    assert (pooled_up >= p).all() and (pooled_down <= p).all() and pooled_up[0] > sure
    clustered, move, _n = origin_pool.pool(np.array([sure, 0.5, 0.9]), [0, 0, 0], BASE)
    assert move[0] > 0 and clustered[0] > sure  # the other two members' evidence is for Russia
    # The other countries are rescaled from what they held: the distribution still sums to one.
    assert origin_pool.others_scale(1.0, 1.0) == 1.0 and origin_pool.others_scale(0.5, 0.75) == 0.5
    # The table path and the per-account path agree on such accounts.
    res = [origin_posterior(_russian(), home="US"), origin_posterior(_posing(), home="US")]
    res[0] = origin_pool.with_p_russia(res[0], res[0].p_russia, sure, "", "x")
    t = origin_table.from_results(res)
    a, _ = origin_table.apply_study_prior(t, "US", russian_study)
    b, _ = origin_table.apply_study_prior_per_account(t, "US", russian_study)
    assert a.to_results() == b.to_results() and a.p_russia[0] > sure
    assert origin_prior.apply_study_prior(res, "US", prior=russian_study)[0][0].p_russia > sure


def test_accounts_near_russia_get_a_study_prior_of_their_own() -> None:
    """A desk's posing accounts (English, American places) post the same texts as its accounts whose
    own evidence places them in Russia. In an election sample one study share lent them the sample's
    small share; estimated apart, the accounts near Russia get theirs, and the rest keep the sample's.
    The stage's table path gives the same results as the per-account one."""
    from botwatch.accounts import origin_table
    from botwatch.accounts.origin_prior import NEAR_MIN, NEAR_SCOPE, apply_stratified
    from botwatch.accounts.origin_textpool import Neighbours, near_russia

    inputs = [_posing()] * 300 + [_russian()] * 10 + [_posing()] * 5
    own = [origin_posterior(i, home="US") for i in inputs]
    keys = [("twitter", f"a{i:03d}") for i in range(len(own))]
    desk = [k[1] for k in keys[300:]]
    pairs = [(a, b) for a in desk for b in desk if a != b]
    nb = Neighbours(["twitter"] * len(pairs), [a for a, _ in pairs], [b for _, b in pairs], [2] * len(pairs))
    near = near_russia(own, keys, nb, NEAR_MIN)
    assert not near[:300].any() and near[300:].all()
    single, _ = apply_study_prior(own, "US")
    split, prior = apply_stratified(own, "US", near)
    assert prior is not None and prior.near is not None and prior.accounts == 300 and prior.near.accounts == 15
    assert prior.near.share > 0.3 > prior.share
    assert all(b.p_russia > a.p_russia for a, b in zip(single[310:], split[310:]))  # the desk's posing accounts
    assert split[0].p_russia <= single[0].p_russia  # the sample's own accounts
    assert NEAR_SCOPE in split[-1].evidence[-1]
    t = origin_table.from_results(own)
    a, _ = origin_table.apply_study_prior(t, "US", prior, near)
    b, _ = origin_table.apply_study_prior_per_account(t, "US", prior, near)
    assert a.to_results() == b.to_results() == split
    # Without accounts near Russia it is the single study prior.
    assert apply_stratified(own, "US", np.zeros(len(own), bool))[0] == single


def test_a_study_nearly_all_of_one_kind_holds_its_estimate_inside_its_interval() -> None:
    """The grid ended at 0.9975: a study whose accounts nearly all lean one way piled its posterior
    on that last point and printed "99.7% [99.8, 99.8]". Now the grid reaches 0.9999 (and 0.0001)
    and the interval always holds the estimate, printed as the stage prints it."""
    from botwatch.accounts.origin_prior import GRID

    assert GRID.max() > 0.9995 and GRID.min() < 0.0005
    for strong in (0.999, 0.9999, 0.999999):
        for n in (50, 5_000, 50_000):
            for p in (np.full(n, strong), np.full(n, 1 - strong)):
                est = estimate(p, BASE)
                assert est.lo <= est.share <= est.hi, (strong, n, est.share, est.lo, est.hi)
                lo, mid, hi = (f"{100 * v:.1f}" for v in (est.lo, est.share, est.hi))
                assert float(lo) <= float(mid) <= float(hi), (lo, mid, hi)
    # A study of 50,000 accounts each saying "Russia" at 0.9999 is nearly all Russia-run, and the
    # estimate now says so, where the old grid's last point capped it at 0.9975.
    assert estimate(np.full(50_000, 0.9999), BASE).share > 0.998


def test_the_interval_is_widened_only_to_hold_the_estimate() -> None:
    """In the middle of the range the cells' 2.5-97.5% range already holds the mean: unchanged."""
    p, _ = _mixture(0.3)
    est = estimate(p, BASE)
    cdf = np.cumsum(est.weights)
    from botwatch.accounts.origin_prior import GRID

    assert est.lo == GRID[int(np.searchsorted(cdf, 0.025))] and est.hi == GRID[int(np.searchsorted(cdf, 0.975))]


def test_one_account_is_named_in_the_singular() -> None:
    """A study's near stratum can hold one account: the log and the evidence read "the 1 accounts
    ... that post" before."""
    import dataclasses

    from botwatch.accounts.origin_prior import NEAR_SCOPE, estimate

    one = dataclasses.replace(estimate([0.9], 0.068), scope=NEAR_SCOPE)
    assert one.whose() == "1 account with origin evidence that posts the same texts as an account whose own evidence places it in Russia"
    assert "the 1 account with origin evidence that posts" in one.sentence(0.9, 0.8)
    many = dataclasses.replace(estimate([0.9, 0.1], 0.068), scope=NEAR_SCOPE)
    assert many.whose().startswith("2 accounts with origin evidence that post the same")
    assert "the one account with origin evidence" in estimate([0.2], 0.068).sentence(0.2, 0.1)


def test_every_estimate_but_the_near_strata_says_what_it_read_held_out() -> None:
    """"an estimated 1.0% [0.7%, 1.3%] of them are run from Russia" read as a measurement; on the
    held-out test part that stratum held 2.5% Russia-run accounts. The clause carries the check,
    whose figures are the committed validation file's."""
    import dataclasses
    import json
    from pathlib import Path

    from botwatch.accounts.origin_prior import FAR_SCOPE, HELD_OUT_MIXED, HELD_OUT_NONE, HELD_OUT_NONE_ACCOUNTS, NEAR_SCOPE, estimate

    fig = json.loads((Path(__file__).resolve().parents[1] / "docs" / "figures" / "origin-validation.json").read_text())
    far = fig["part_studies"]["test"]["strata"]["far"]
    none = fig["study_designs"]["test"]["ordinary accounts alone"]["strata"]["far"]
    assert HELD_OUT_MIXED == (far["estimated_share"][0], far["true_russia_share"])
    assert HELD_OUT_NONE == (none["estimated_share"][0], none["true_russia_share"])
    assert HELD_OUT_NONE_ACCOUNTS == none["accounts"]
    far_prior = dataclasses.replace(estimate([0.01] * 40 + [0.9], 0.068), scope=FAR_SCOPE)
    said = far_prior.sentence(0.5, 0.2)
    assert "held out, such an estimate read 1.0% where 2.5% were" in said and "0.06% where none were" in said, said
    assert "held out" in estimate([0.2], 0.068).sentence(0.2, 0.1)
    assert "held out" not in dataclasses.replace(estimate([0.9] * 5, 0.068), scope=NEAR_SCOPE).sentence(0.9, 0.95)


def test_a_short_samples_estimate_says_what_short_samples_with_none_read() -> None:
    """3,000 ordinary British tweets (1,127 accounts with evidence) read "an estimated 4.7% [1.5%,
    9.0%] ... are run from Russia; held out, ... 0.06% where none were": a figure read over 9,525
    accounts, not what a sample that size reads where none are (1.9%, 0.4% to 6.2%, on the
    development part). A study of about a short sample's size is told its size's figures; one
    of held-out size keeps the sentence as it was."""
    import dataclasses

    from botwatch.accounts.origin_prior import FAR_SCOPE, HELD_OUT_NONE_ACCOUNTS, HELD_OUT_SHORT, estimate
    from botwatch.prob_text import percent

    small = estimate([0.02] * 1_100 + [0.9] * 3, 0.068, country="GB")  # the samples' own country: said unqualified
    said = small.sentence(0.5, 0.2)
    tweets, accounts, lo, mid, hi = min(HELD_OUT_SHORT["GB"], key=lambda row: abs(row[1] - 1_103))
    assert tweets == 3_000, HELD_OUT_SHORT
    assert (f"0.06% where none were over {HELD_OUT_NONE_ACCOUNTS:,} accounts; on samples of 3,000 ordinary British tweets "
            f"(about {accounts:,} accounts with origin evidence, none run from Russia) it read {percent(lo, 1)} to {percent(hi, 1)} "
            f"(median {percent(mid, 1)}), so an estimate in that range does not show") in said, said
    large = dataclasses.replace(estimate([0.02] * 9_000, 0.068), scope=FAR_SCOPE)
    assert large.sentence(0.5, 0.2).endswith("0.06% where none were); this moves P(Russia) from 0.500 to 0.200. It says what the study is made "
                                             "of, not something new about this account")
    assert all(lo < mid < hi and 0 < accounts < HELD_OUT_NONE_ACCOUNTS for rows in HELD_OUT_SHORT.values() for _t, accounts, lo, mid, hi in rows)


def test_a_move_that_reads_as_none_is_not_called_a_move() -> None:
    """A New Zealand study of accounts with nothing but posting hours read "study home share: …;
    this moves P(NZ) from 0.294 to 0.294": the sentence now says it leaves it there."""
    from botwatch.accounts.origin_prior import moves

    assert moves("NZ", 0.29391, 0.29389) == "this leaves P(NZ) at 0.294"
    assert moves("Russia", 0.052, 0.038) == "this moves P(Russia) from 0.052 to 0.038"


def test_each_study_prior_sentence_is_the_priors_own_for_its_two_numbers() -> None:
    """The batched code writes the sentence from a template cut at "0.000 to 0.000"; once a move
    that reads as none said "this leaves P(Russia) at 0.000", the cut found nothing and every account
    read "... not something new about this account0.052 to 0.111". Checked on both paths."""
    from botwatch.accounts import origin_table

    results = [origin_posterior(_russian(), home="US") for _ in range(60)] + [origin_posterior(_posing(), home="US")]
    adjusted, prior = apply_study_prior(results, "US")
    assert prior is not None
    for before, after in zip(results, adjusted):
        assert after.evidence[-1] == prior.sentence(before.p_russia, after.p_russia)
    table, _ = origin_table.apply_study_prior(origin_table.from_results(results), "US", prior)
    assert [r.evidence[-1] for r in table.to_results()] == [r.evidence[-1] for r in adjusted]
