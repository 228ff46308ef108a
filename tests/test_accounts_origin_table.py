"""The score pass's origin results as columns (`origin_table`) against the per-account code they
replace, to the last bit: the shared-text pooling (`origin_textpool.apply_means`), the study prior
(`origin_prior.apply_study_prior`), the evidence rows (`origin_rows_per_account`) and
`foreign_origin` (`foreign_per_account`; both in testsupport/accounts_reference.py), on random
and hostile results: no countries, no evidence, Russia absent or first or last, equal
probabilities (the sort's ties), probabilities below the kept minimum, more than eight countries,
sentences with and without ';', non-ASCII and JSON-hostile text, NULL and NaN P(Russia), and an
empty batch."""

from __future__ import annotations

import math
import random

import numpy as np
import pyarrow as pa
import pytest

from botwatch.accounts import origin_table as ot
from botwatch.accounts import scoring
from botwatch.accounts.origin import OriginResult
from botwatch.accounts.origin_prior import StudyPrior, estimate
from testsupport.accounts_reference import foreign_per_account, origin_rows_per_account

COUNTRIES = ["US", "RU", "GB", "DE", "UA", "BY", "FR", "JP", "CN", "BR", "IN", "Ж", 'q"t']
SENTENCES = ["most likely US (p=0.81); 3 of 4 kinds", "most likely RU (p=0.50)", "", ";", "a; b; c", "time zone: Moscow",
             'said "no"\n\\', "日本語; 😀", "x" * 300]
KINDS = ["time_zone", "location", "post_language", "calibration", "shared_texts", "", "ключ"]


def same(a: ot.OriginTable, b: ot.OriginTable) -> bool:
    """Whether two tables hold the same results to the last bit (this module's comparison; it
    lived in `origin_table` though only tests called it)."""
    ra, rb = a.to_results(), b.to_results()
    if len(ra) != len(rb):
        return False
    for x, y in zip(ra, rb):
        if (x.country, x.evidence, x.items, list(x.probabilities)) != (y.country, y.evidence, y.items, list(y.probabilities)):
            return False
        for u, v in ((x.probability, y.probability), (x.p_russia, y.p_russia), *zip(x.probabilities.values(), y.probabilities.values())):
            if (u is None) != (v is None) or (u is not None and np.float64(u).tobytes() != np.float64(v).tobytes()):
                return False
    return True


def _result(rng: random.Random) -> OriginResult:
    if rng.random() < 0.15:  # no origin evidence at all
        return OriginResult(None, None, {}, [rng.choice(SENTENCES)] if rng.random() < 0.8 else [], [], None)
    n = rng.choice([1, 2, 3, 8, 9, 12])
    names = rng.sample(COUNTRIES, min(n, len(COUNTRIES)))
    if rng.random() < 0.3 and "RU" in names and len(names) > 1:
        names.remove("RU")
    tie = round(rng.random(), 4)
    values = [tie if rng.random() < 0.3 else rng.choice([round(rng.random(), 4), 0.004, 0.005, 0.0049, 0.0, 1.0]) for _ in names]
    evidence = [rng.choice(SENTENCES) for _ in range(rng.choice([1, 1, 2, 4]))]
    items = [rng.choice(KINDS) for _ in range(rng.choice([0, len(evidence) - 1, len(evidence), len(evidence) + 2]))]
    p_ru = rng.choice([None, 1e-9, 1 - 1e-9, 0.5, rng.random(), 0.0, 1.0])
    return OriginResult(names[0], rng.choice([values[0], None]), dict(zip(names, values)), evidence, items, p_ru)


def _results(seed: int, n: int = 1500) -> list[OriginResult]:
    rng = random.Random(seed)
    return [_result(rng) for _ in range(n)]


def _prior() -> StudyPrior:
    return estimate([0.01, 0.2, 0.9, 0.5, 0.3, 0.7], 0.05)


def test_table_round_trip() -> None:
    for seed in range(3):
        results = _results(seed)
        assert ot.from_results(results).to_results() == results
    assert ot.from_results([]).to_results() == []


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
@pytest.mark.parametrize("home", ["US", None, "GB"])
def test_study_prior_equals_the_per_account_code(seed: int, home: str | None) -> None:
    t = ot.from_results(_results(seed))
    got, prior = ot.apply_study_prior(t, home, _prior())
    want, prior_ref = ot.apply_study_prior_per_account(t, home, _prior())
    assert same(got, want) and (prior is None) == (prior_ref is None)
    assert got.to_results() != t.to_results()  # the prior moved something
    assert any("study_prior" in r.items for r in got.to_results())


def test_study_prior_without_evidence_home_russia_and_an_empty_batch() -> None:
    empty = ot.from_results([])
    assert same(ot.apply_study_prior(empty, "US", _prior())[0], empty)
    t = ot.from_results(_results(7))
    got, prior = ot.apply_study_prior(t, "RU", _prior())  # Russia is home: no prior
    assert prior is None and got is t
    none = ot.from_results([OriginResult(None, None, {}, ["no origin evidence"], [], None)] * 5)
    assert ot.apply_study_prior(none, "US", _prior())[0] is none


def test_study_prior_falls_back_to_the_per_account_code_on_nan() -> None:
    results = _results(4, 300)
    results[10] = OriginResult("RU", 0.5, {"RU": math.nan, "US": 0.5}, ["most likely RU (p=0.50); x"], ["time_zone"], 0.5)
    results[11] = OriginResult("US", 0.5, {"US": 0.5}, ["most likely US (p=0.50)"], [], math.nan)
    t = ot.from_results(results)
    got, _ = ot.apply_study_prior(t, "US", _prior())
    want, _ = ot.apply_study_prior_per_account(t, "US", _prior())
    assert same(got, want)


def _nan_elsewhere() -> list[OriginResult]:
    """Accounts with a finite P(Russia) but a NaN among their other countries. Where a NaN landed in
    the per-account sorts (key −p, or `itemgetter(1)` reversed) was up to the sort's comparisons:
    on Python 3.11 and 3.12 the NaN country or a smaller one led these accounts, on 3.13 Russia,
    while numpy's sort in the columns always puts a NaN last (found in review, then again on
    3.13). Both paths now sort it last (`origin_pool.largest_first`)."""
    results = _results(5, 60)
    results[3] = OriginResult("DE", 0.3, {"US": 0.1, "GB": math.nan, "UA": 0.1, "RU": math.nan, "DE": 0.3},
                              ["most likely DE (p=0.30); x"], ["time_zone"], 0.2)
    results[7] = OriginResult("US", 0.4, {"GB": math.nan, "US": 0.4, "RU": 0.2}, ["most likely US (p=0.40)"], ["location"], 0.2)
    return results


def _nan_never_leads(t: ot.OriginTable) -> None:
    for r in (t.to_results()[i] for i in (3, 7)):
        assert r.country == "RU" and r.evidence[0].startswith("most likely RU ("), r
        assert "GB" not in r.probabilities  # a NaN is not kept (it is not ≥ MIN_KEPT)


def test_study_prior_with_nan_in_another_country_on_every_path(monkeypatch: pytest.MonkeyPatch) -> None:
    t = ot.from_results(_nan_elsewhere())
    want, _ = ot.apply_study_prior_per_account(t, "US", _prior())
    _nan_never_leads(want)
    assert same(ot.apply_study_prior(t, "US", _prior())[0], want)
    # The columns without their fallback to the per-account code give the same answer too.
    monkeypatch.setattr(ot, "_finite", lambda *a: True)
    assert same(ot.apply_study_prior(t, "US", _prior())[0], want)


def test_pooling_with_nan_in_another_country_on_every_path(monkeypatch: pytest.MonkeyPatch) -> None:
    from botwatch.accounts import origin_textpool

    monkeypatch.setattr(origin_textpool, "slope", lambda: 0.6)
    t = ot.from_results(_nan_elsewhere())
    mean, others = np.full(len(t), 1.5), np.full(len(t), 2)
    want = ot.apply_means_per_account(t, mean, others, 0.3)
    _nan_never_leads(want)
    assert same(ot.apply_means(t, mean, others, 0.3), want)
    monkeypatch.setattr(ot, "_finite", lambda *a: True)
    assert same(ot.apply_means(t, mean, others, 0.3), want)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_pooling_equals_the_per_account_code(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    from botwatch.accounts import origin_textpool

    monkeypatch.setattr(origin_textpool, "slope", lambda: 0.6)
    rng = np.random.default_rng(seed)
    results = _results(seed + 10)
    t = ot.from_results(results)
    mean = rng.normal(0, 3, len(results))
    others = rng.choice([0, 0, 1, 2, 7], len(results))
    got = ot.apply_means(t, mean, others, 0.05)
    want = ot.apply_means_per_account(t, mean, others, 0.05)
    assert same(got, want)
    assert any("shared_texts" in r.items for r in got.to_results())
    # pooled, then the study prior: the stage's order
    assert same(ot.apply_study_prior(got, "US", _prior())[0], ot.apply_study_prior_per_account(want, "US", _prior())[0])
    assert ot.apply_means(t, mean, np.zeros(len(results), np.int64), 0.05) is t


def test_moved_sorts_ties_in_dict_order_with_russia_last() -> None:
    r = OriginResult("US", 0.3, {"GB": 0.3, "US": 0.3, "RU": 0.1, "DE": 0.3}, ["most likely US (p=0.30); rest"], ["a"], 0.1)
    t = ot.from_results([r])
    # scale 1: new P(Russia) 0.3 ties with the three others and goes last
    got = ot.moved(t, np.array([0]), np.array([0.3]), np.array([0.3]), pa.array(["said"]), "k").to_results()[0]
    assert list(got.probabilities) == ["GB", "US", "DE", "RU"] and got.country == "GB"
    assert got.evidence == ["most likely GB (p=0.30); rest", "said"] and got.items == ["a", "k"]
    # the kept minimum (0.005 kept, below it not) and at most eight countries, with a reference
    small = {"FR": 0.005, "JP": 0.0049, **{c: 0.09 for c in ("US", "GB", "DE", "UA", "BY", "CN", "BR", "IN", "Ж")}}
    for probs in (small, {"FR": 0.005, "JP": 0.0049, "US": 0.5}):
        t = ot.from_results([OriginResult("US", 0.5, probs, ["x"], [], 0.2)])
        one = ot.moved(t, np.array([0]), np.array([0.2]), np.array([0.2]), pa.array(["said"]), "k")
        kept = one.to_results()[0].probabilities
        assert len(kept) <= 8 and ("FR" in kept) == (len(probs) == 3) and "JP" not in kept


@pytest.mark.parametrize("seed", [0, 1])
def test_origin_rows_equal_the_per_account_loop(seed: int) -> None:
    results = _results(seed + 20)
    for batch in (results, [], results[:1], [OriginResult(None, None, {}, [], [], None)] * 3):
        n, feat, sent = scoring._origin_rows(ot.from_results(batch))
        n_ref, feat_ref, sent_ref = origin_rows_per_account(batch)
        assert n.tolist() == n_ref.tolist() and feat.to_pylist() == feat_ref and sent.to_pylist() == sent_ref


@pytest.mark.parametrize("home", ["US", "RU", "Ж", "XX", None])
def test_foreign_equals_the_per_account_expression(home: str | None) -> None:
    results = _results(30)
    assert scoring._foreign(ot.from_results(results), home) == foreign_per_account(results, home)
    assert scoring._foreign(ot.from_results([]), home) == []


def test_table_indexing_gives_country_and_probability() -> None:
    results = _results(40, 200)
    t = ot.from_results(results)
    assert [(o.country, o.probability) for o in (t[i] for i in range(len(t)))] == [(r.country, r.probability) for r in results]


def _home_share_study(home: str) -> tuple[list[OriginResult], object]:
    """Accounts under an election at `home` (a local place, Russian posts, English posts only, a
    place abroad) after the study prior, and their home share."""
    from botwatch.accounts.origin import OriginInput, origin_posterior
    from botwatch.accounts.origin_prior import apply_study_prior, estimate_home

    local = {"GB": "London", "US": "Chicago"}[home]
    inputs = ([OriginInput(location=local, post_langs={"en": 5})] * 40 + [OriginInput(post_langs={"ru": 3, "en": 2})] * 5
              + [OriginInput(post_langs={"en": n}) for n in (1, 5, 30)] * 10 + [OriginInput(location="Dublin, Ireland", post_langs={"en": 5})] * 3
              + [OriginInput(location="Vienna", post_langs={"en": 2, "de": 3})] * 2 + [OriginInput(time_zone="Moscow", post_langs={"en": 9})] * 2)
    results, _ = apply_study_prior([origin_posterior(i, home=home) for i in inputs], home)
    share = estimate_home(results, home)
    assert share is not None and share.mix is not None
    return results, share


@pytest.mark.parametrize("home", ["GB", "US"])
def test_home_share_equals_the_per_account_code(home: str) -> None:
    """`apply_home_share` on columns against `origin_prior.apply_home_share` per account, to the last
    bit: real posteriors (a place abroad, which the share leaves alone; Russian posts; repeated
    inputs, which share one answer) mixed with the random and hostile results above (countries the
    model does not know, no evidence, NULL P(Russia), Russia absent), in both orders."""
    from botwatch.accounts.origin_prior import mix_codes

    base, share = _home_share_study(home)
    rng = np.random.default_rng(home == "GB")
    groups = [None, rng.random(len(mix_codes())) < 0.3, rng.random(len(mix_codes())) < 0.05]
    for seed in range(3):
        for results in (_results(seed, 600) + base, base + _results(seed, 600)):
            t = ot.from_results(results)
            got, want = ot.apply_home_share(t, share), ot.apply_home_share_per_account(t, share)
            assert same(got, want)
            # Per-account language groups (`origin_prior.language_near`): one of three each.
            near = [groups[i % 3] for i in range(len(results))]
            got_g, want_g = ot.apply_home_share(t, share, near), ot.apply_home_share_per_account(t, share, near)
            assert same(got_g, want_g) and not same(got_g, got)
            moved = [r for r, o in zip(got.to_results(), results) if r != o]
            assert len(moved) > len(base) // 2 and all(r.items[-1] == "home_share" for r in moved)
            # The place abroad is left as it is, and P(Russia) never moves.
            assert [r for r, o in zip(got.to_results(), results) if "Dublin" in " ".join(o.evidence) and r != o] == []
            assert [r.p_russia for r in got.to_results()] == [r.p_russia for r in results]


def test_home_share_on_a_small_batch_and_what_it_cannot_move() -> None:
    """A batch of one repeated input moves as the per-account code moves it; no share, an empty
    batch, a batch without home: unchanged; a NaN among the probabilities takes the per-account
    code."""
    from botwatch.accounts.origin import OriginInput, origin_posterior

    _, share = _home_share_study("GB")
    narrow = [OriginResult("GB", 0.3, {"GB": 0.3, "US": 0.3, "RU": 0.4}, ["most likely GB (p=0.30); x"], ["location"], 0.4)] * 3
    t = ot.from_results(narrow)
    got = ot.apply_home_share(t, share)
    assert same(got, ot.apply_home_share_per_account(t, share))
    first = got.to_results()[0]
    assert first.probabilities["GB"] > 0.5 and first.evidence[0].endswith("; x") and first.items == ["location", "home_share"]
    assert ot.apply_home_share(t, None) is t and ot.apply_home_share(ot.from_results([]), share).to_results() == []
    abroad = ot.from_results([OriginResult("DE", 0.9, {"DE": 0.9, "RU": 0.1}, ["most likely DE (p=0.90)"], [], 0.1)])
    assert ot.apply_home_share(abroad, share) is abroad
    nan = narrow + [OriginResult("GB", 0.5, {"GB": 0.5, "US": math.nan}, ["most likely GB (p=0.50)"], [], 0.2),
                    origin_posterior(OriginInput(post_langs={"en": 5}), home="GB")]
    t = ot.from_results(nan)
    assert same(ot.apply_home_share(t, share), ot.apply_home_share_per_account(t, share))
