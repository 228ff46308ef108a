"""The study's own home share (`origin_prior.estimate_home`) and a profile place outside home
(`origin.PLACE_ELSEWHERE`). Generated accounts test the code paths only; the figures on real
election talk and on the IRA accounts are in docs/model-card-origin.md."""

from __future__ import annotations

import numpy as np
import pytest

from botwatch.accounts.origin import OriginInput, OriginResult, origin_posterior
from botwatch.accounts.origin_batch import origin_posteriors
from botwatch.accounts.origin_prior import (
    HOME_KIND, apply_home_share, apply_study_prior, compress, estimate_home, estimate_mix, home_base, home_rows, mix_codes,
)

ENGLISH = OriginInput(post_langs={"en": 5})


def _study(local: int, russian: int, english: int, russian_langs: dict[str, int] | None = None) -> list:
    """Accounts under a GB election: `local` name London, `russian` post in Russian (`russian_langs`
    their tagged posts, 5 in Russian unless given), `english` have English posts and nothing else."""
    ru = OriginInput(post_langs=russian_langs or {"ru": 5})
    inputs = [OriginInput(location="London", post_langs={"en": 5})] * local + [ru] * russian + [ENGLISH] * english
    return [origin_posterior(i, home="GB") for i in inputs]


def test_english_only_accounts_count_foreign_under_the_fixed_prior() -> None:
    """The problem measured: English posts alone leave P(GB) below 0.5 (P(outside GB) >= 0.5, foreign)."""
    assert origin_posterior(ENGLISH, home="GB").probabilities["GB"] < 0.5


def test_an_election_study_raises_the_home_share_and_its_english_accounts_count_local() -> None:
    # The Russian-writing accounts have some English posts too: an account whose shown
    # probabilities lack home is left as it is (`apply_home_share`), and with five Russian posts
    # alone P(GB) falls below the shown 0.005 since the calibration refit of 2026-12-04. Three and
    # three, so that countries other than Russia and home stay among the shown ones (with three
    # and two, P(Russia) 0.97 since the refit of 2026-12-05 left only RU and GB shown).
    results = _study(local=300, russian=5, english=100, russian_langs={"ru": 3, "en": 3})
    share = estimate_home(results, "GB")
    assert share is not None and share.home == "GB"
    assert share.base == pytest.approx(home_base("GB")) and 0.29 < share.base < 0.32  # centred on the stated 30%
    assert share.lo > 0.5 and share.accounts == len(results)
    results, prior = apply_study_prior(results, "GB")
    after = apply_home_share(results, share)
    english = after[-1]
    assert english.country == "GB" and english.probabilities["GB"] >= 0.5  # no longer counted foreign
    assert english.items[-1] == HOME_KIND
    assert english.evidence[-1].startswith(f"study home share: from the {len(results):,} accounts with origin evidence, each counted by how "
                                           "likely it is not run from Russia, an estimated ")
    assert f"this moves P(GB) from {results[-1].probabilities['GB']:.3f} to " in english.evidence[-1]
    assert english.p_russia == results[-1].p_russia  # P(Russia) is the Russia prior's to set
    russian = after[300]  # posts in Russian: its P(Russia) and the stored RU probability stay, home gains from the third countries
    assert russian.p_russia == results[300].p_russia and russian.probabilities["RU"] == results[300].probabilities["RU"]
    def third(r: OriginResult) -> float:  # the shown probabilities of the countries other than Russia and home
        return sum(v for c, v in r.probabilities.items() if c not in ("RU", "GB"))

    assert russian.probabilities["GB"] > results[300].probabilities["GB"] and third(russian) < third(results[300])


def test_a_study_of_troll_accounts_leaves_the_home_share_to_its_other_accounts() -> None:
    """Russian-writing accounts count by 1 − P(Russia): the share is of the accounts not run from
    Russia, and here those are 30 English-only accounts and the troll accounts' small remainders,
    which cannot tell GB from the US: the interval is wide (until 2026-12-03 the troll accounts'
    Ukraine and Belarus read as "not home" and the share was estimated low)."""
    results = _study(local=0, russian=300, english=30)
    share = estimate_home(results, "GB")
    assert share is not None and share.hi - share.lo > 0.5 and share.apart


def test_a_handful_of_accounts_cannot_move_the_home_share_far() -> None:
    share = estimate_home(_study(local=3, russian=0, english=0), "GB")
    assert share is not None and share.hi - share.lo > 0.3 and share.share < 0.9


def test_batches_add_up_to_the_whole_study_estimate() -> None:
    """The stage merges each batch's distinct rows (`compress`): any split, in any order, gives the
    whole study's estimate to the last bit (the weights are whole multiples of a quantum)."""
    results = _study(local=120, russian=40, english=60)
    lik, w = home_rows(results, "GB")
    whole = estimate_mix(*compress(lik, w)[:2], len(lik), "GB")
    parts = [compress(lik[77:], w[77:]), compress(lik[:77], w[:77])]
    rows, summed, _ = compress(np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts]))
    split = estimate_mix(rows, summed, len(lik), "GB")
    assert split.share == whole.share and split.lo == whole.lo and split.hi == whole.hi
    assert whole.share == pytest.approx(estimate_home(results, "GB").share, rel=1e-12)  # type: ignore[union-attr]


def _printed(text: str) -> float:
    """A share as `percent` prints it, back to a number: a bound (">99.9%") reads just past its end."""
    value = float(text.strip("<>%"))
    return value + 0.05 if text.startswith(">") else value - 0.05 if text.startswith("<") else value


@pytest.mark.parametrize("accounts", [50, 5_000, 500_000])
def test_a_home_share_at_the_top_prints_an_interval_that_holds_it(accounts: int) -> None:
    """The eleventh pass printed "99.7 % [99.8, 99.8]" for both ordinary archives: the estimate's
    grid ended at 0.9975. The home share is now a continuous estimate with its interval on the logit
    around it; a study whose accounts all point home, however many, holds its figure in its interval
    as written (the stage's line, `HomeShare.estimate`)."""
    row = np.full(len(mix_codes()), 1e-6)
    row[mix_codes().index("GB")] = 1.0
    share = estimate_mix(row[None, :], np.array([float(accounts)]), accounts, "GB")
    assert share.lo <= share.share <= share.hi and share.share > 0.98
    mid, ends = share.estimate().split(" [")
    lo, hi = ends.rstrip("]").split(", ")
    assert _printed(lo) <= _printed(mid) <= _printed(hi), share.estimate()


def _hours(first: int, last: int) -> list[int]:
    """Posts at each UTC hour: two an hour from `first` to `last` (a waking day)."""
    out = [0] * 24
    for h in range(first, last):
        out[h % 24] = 2
    return out


def test_english_posts_alone_do_not_claim_a_home_share() -> None:
    """The problem found: a study whose only origin evidence is English posts (and, below, posting
    hours) was estimated "99.6% [99.0, 99.8]" run from GB, because home was weighed against the other
    countries in the stated prior's proportions, mostly countries that do not write English. English
    posts cannot tell GB from the US, Canada or Ireland: the estimate must not say which, its
    interval must be wide, and the sentence must say that it rests on the prior."""
    english = [origin_posterior(OriginInput(post_langs={"en": 5}, n_posts=5), home="GB")] * 300
    share = estimate_home(english, "GB")
    assert share is not None and share.share < 0.9 and share.lo < 0.2 and share.hi > 0.9
    assert "US" in share.apart
    said = share.sentence(0.4, 0.5)
    assert "an estimated" not in said and f"somewhere between {share.lo:.1%} and {share.hi:.1%} of this study's accounts" in said
    assert "hardly tells GB from US" in said and "is the prior's" in said
    # The per-account move does not claim it either: P(GB) stays far from certainty.
    assert apply_home_share(english, share)[0].probabilities["GB"] < 0.6
    # With hours of a British day (a day at UTC+1, as the hours item reads them) the same accounts
    # are not claimed "99%" GB either: those hours fit Ireland, Portugal and Nigeria as well.
    day = [origin_posterior(OriginInput(post_langs={"en": 20}, n_posts=20, hour_counts=_hours(8, 23)), home="GB")] * 300
    share = estimate_home(day, "GB")
    assert share is not None and share.lo < 0.5 and "NG" in share.apart
    assert "somewhere between" in share.sentence(0.8, 0.9) and "an estimated" not in share.sentence(0.8, 0.9)
    # Between GB and Nigeria the split is the stated prior's (×43 for GB), not the rounding of the
    # stored probabilities (Nigeria's 0.0188 is 0.2% above GB's 0.8148 against the prior): P(GB) is
    # not moved towards Nigeria.
    assert apply_home_share(day, share)[0].probabilities["GB"] > day[0].probabilities["GB"]


def test_hours_that_tell_home_apart_are_read() -> None:
    """Where the evidence does separate home from the other English-writing countries (hours of a
    British day against hours of an American one), the estimate follows it and names no country."""
    gb = [origin_posterior(OriginInput(post_langs={"en": 30}, n_posts=30, hour_counts=_hours(8, 23)), home="GB")] * 150
    us = [origin_posterior(OriginInput(post_langs={"en": 30}, n_posts=30, hour_counts=_hours(13, 28)), home="GB")] * 50
    share = estimate_home(gb + us, "GB")
    assert share is not None and 0.6 < share.share < 0.95 and share.hi - share.lo < 0.3 and "US" not in share.apart
    mix = dict(zip(mix_codes(), share.mix))  # type: ignore[arg-type]
    assert 0.05 < mix["US"] < 0.4


def test_russia_run_accounts_do_not_count_against_home() -> None:
    """Each account counts by 1 − P(Russia): the share is of the accounts not run from Russia. Counted
    in full, 300 Russian-writing accounts (P(Russia) 0.96, the rest Ukraine and GB) read as 300
    accounts run from neither, and lowered the home share of the 300 others."""
    others = _study(local=200, russian=0, english=100)
    with_ru = others + _study(local=0, russian=300, english=0)
    alone, share = estimate_home(others, "GB"), estimate_home(with_ru, "GB")
    assert alone is not None and share is not None and share.accounts == 600
    assert share.share == pytest.approx(alone.share, abs=0.05)  # their remainders (Ukraine) count as 11 accounts
    lik, w = home_rows(with_ru, "GB")
    assert w[-1] == pytest.approx(1 - with_ru[-1].p_russia, abs=1e-6)
    unweighted = estimate_mix(lik, np.ones(len(lik)), len(lik), "GB")
    assert unweighted.share < alone.share - 0.2  # what counting them in full did


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
    assert any(m.startswith("accounts: study home share: from ") and "each counted by how likely it is not run from Russia" in m
               and "run from US" in m for m in said), said
    rows = sample_study.sql("SELECT count(*) FROM account_scores WHERE origin_evidence LIKE '%study home share:%'")[0][0]
    assert rows > 0
    np.testing.assert_equal(rows <= sample_study.sql("SELECT count(*) FROM account_scores WHERE origin_country IS NOT NULL")[0][0], True)


def test_accounts_placed_outside_home_count_with_their_own_prior() -> None:
    """An account whose own profile places it abroad has P(home) under the population prior, not
    the home prior: it counts against home as its evidence says, measured against the prior it was
    computed under. Left out (as until 2026-12-03), only accounts whose places name home spoke, and
    the development part under the US election was "91% American" where 21% of its ordinary
    accounts are; counted against the home prior, the prior's head start read as evidence. The
    table and stored-column paths give the same rows."""
    from botwatch.accounts import origin_table

    without = _study(local=300, russian=5, english=100)
    dublin = [origin_posterior(OriginInput(location="Dublin, Ireland", post_langs={"en": 5}), home="GB")] * 200
    share = estimate_home(without + dublin, "GB")
    alone = estimate_home(without, "GB")
    assert share is not None and alone is not None and share.accounts == len(without) + 200
    mix = dict(zip(mix_codes(), share.mix))  # type: ignore[arg-type]
    assert 0.25 < mix["IE"] < 0.4 and share.share < alone.share - 0.2
    table = origin_table.estimate_home(origin_table.from_results(without + dublin), "GB")
    assert table is not None and table.accounts == share.accounts and table.share == pytest.approx(share.share, rel=1e-12)
    # The stored columns the stage's prior pass reads give the same rows and weights.
    from botwatch.accounts.batches import origin_columns
    import pyarrow as pa

    distinct, which, w = origin_table.distinct_home_rows_columns(pa.table(origin_columns(without + dublin)), "GB")
    lik = distinct[which]
    want, want_w = home_rows(without + dublin, "GB")
    np.testing.assert_allclose(lik, want, rtol=1e-12)
    np.testing.assert_array_equal(w, want_w)


def test_a_country_the_study_mix_chose_says_so_in_its_lead() -> None:
    """English posts alone cannot tell GB from the US: the study's mix (mostly British accounts)
    makes GB most likely, and the lead says so instead of reading as a finding about the account.
    An account whose own place says London keeps a plain lead."""
    results, _ = apply_study_prior(_study(local=300, russian=5, english=100), "GB")
    share = estimate_home(results, "GB")
    after = apply_home_share(results, share)
    english, london = after[-1], after[0]
    assert english.country == "GB" and english.evidence[0].startswith(f"most likely GB (p={english.probability:.2f}), mostly the study's prior: "
                                                                      "little evidence of its own for GB among the countries other than Russia (the study's mix gives GB ")
    assert london.country == "GB" and "study's prior" not in london.evidence[0]
    assert london.evidence[0].startswith(f"most likely GB (p={london.probability:.2f}); prior gave GB 30%")


def test_a_lead_the_stated_prior_chose_says_so_when_no_home_share_applies() -> None:
    """Without a study home share (`--no-origin-study-prior`) one English account under a British
    election ends most likely GB from the stated 30 % alone; its lead says so, with the same rule
    and words as the study mix's (`prior_clause`), and no probability moves. A London account,
    whose own place is evidence, keeps a plain lead; no election, no stated home prior: unchanged."""
    from botwatch.accounts.origin_prior import mark_stated_prior
    from botwatch.accounts import origin_table

    results = _study(local=3, russian=1, english=1)
    english, london = results[-1], results[0]
    assert english.country == "GB" and english.probability < 0.5
    after = mark_stated_prior(results, "GB")
    e = after[-1]
    assert e.evidence[0].startswith(f"most likely GB (p={english.probability:.2f}), mostly the stated prior: little evidence of its own "
                                    "for GB among the countries other than Russia (the stated prior gives GB ")
    assert e.evidence[0].endswith(english.evidence[0][english.evidence[0].find(";"):])  # "; prior gave GB 30% ..." kept
    assert e.evidence[1:] == english.evidence[1:] and e.items == english.items
    for a, b in zip(after, results):
        assert (a.country, a.probability, a.probabilities, a.p_russia) == (b.country, b.probability, b.probabilities, b.p_russia)
    assert after[0].evidence == london.evidence and after[3].evidence == results[3].evidence  # London; Russian posts (RU lead)
    assert mark_stated_prior(results, None) == results
    table = origin_table.mark_stated_prior(origin_table.from_results(results), "GB").to_results()
    assert [r.evidence for r in table] == [r.evidence for r in after]


def test_the_accounts_stage_marks_stated_prior_leads_only_without_the_study_prior(sample_study_path, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Through the stage (`scoring.score`): with `--no-origin-study-prior` the leads the stated
    home prior chose say so; with the study prior on, the study's mix judges them instead."""
    import shutil

    from botwatch import open_study
    from botwatch.accounts.stage import run_accounts
    from botwatch.elections import load_election

    dst = tmp_path / "s.duckdb"
    shutil.copy(sample_study_path, dst)
    q = "SELECT count(*) FILTER (WHERE origin_evidence LIKE '%mostly the stated prior: %') FROM account_scores"
    with open_study(dst, read_only=False) as st:
        run_accounts(st, load_election("us-2016"), study_prior=False)
        stated_off = st.sql(q)[0][0]
        run_accounts(st, load_election("us-2016"))
        stated_on = st.sql(q)[0][0]
    assert stated_off > 0 and stated_on == 0


def test_home_rows_once_per_distinct_input_equal_one_row_per_account() -> None:
    """`home_rows` and `distinct_home_rows_columns` compute one `likelihood_row` per distinct input
    (countries, probabilities bit for bit, P(Russia), placed elsewhere) and copy it: every row must
    equal the per-account row to the last bit, including inputs that differ only in the last bit
    of one probability, in -0.0 against 0.0, or in the place-elsewhere flag alone."""
    import random

    import pyarrow as pa

    from botwatch.accounts import origin_table
    from botwatch.accounts.batches import origin_columns
    from botwatch.accounts.origin import PLACE_ELSEWHERE
    from botwatch.accounts.origin_prior import likelihood_row, places_elsewhere

    rng = random.Random(7)
    base = _study(local=40, russian=5, english=20)
    results: list = []
    for _ in range(600):
        r = rng.choice(base)
        if r.country is None or r.p_russia is None:
            continue
        probs = dict(r.probabilities)
        kind = rng.randrange(4)
        if kind == 1:  # one probability a last bit away
            c = rng.choice(list(probs))
            probs[c] = float(np.nextafter(probs[c], 1.0))
        elif kind == 2 and probs:
            probs[rng.choice(list(probs))] = -0.0
        evidence = list(r.evidence) + ([f"x {PLACE_ELSEWHERE} y"] if kind == 3 else [])
        results.append(OriginResult(r.country, r.probability, probs, evidence, list(r.items), p_russia=r.p_russia))
    assert len(results) > 300
    want = np.array([likelihood_row(r.probabilities, r.p_russia, places_elsewhere(r.evidence), "GB") for r in results], float)
    lik, _w = home_rows(results, "GB")
    assert lik.tobytes() == want.reshape(lik.shape).tobytes()
    distinct, which, _w = origin_table.distinct_home_rows_columns(pa.table(origin_columns(results)), "GB")
    cols = distinct[which]
    assert cols.shape == lik.shape
    np.testing.assert_allclose(cols, lik, rtol=1e-12)  # the stored columns round probabilities as the stage stores them


def test_compress_distinct_equals_compress_on_every_account_row() -> None:
    """`compress_distinct(distinct, which, w)` must give `compress(distinct[which], w)` to the last
    bit: the sorted distinct rows, each row's weights summed in ascending order (random weights,
    whose sum depends on the order), and the counts, where two distinct inputs gave equal rows
    and where rows tie in their first columns; a NaN or a negative zero takes `compress` itself."""
    from botwatch.accounts.origin_prior import compress_distinct

    rng = np.random.default_rng(5)
    k = len(mix_codes())
    for trial in range(30):
        m = int(rng.integers(1, 40))
        distinct = np.round(rng.random((m, k)), int(rng.integers(1, 4)))  # coarse values: ties in leading columns
        distinct[rng.integers(0, m, size=m // 3)] = distinct[0]  # equal rows under different keys
        which = rng.integers(0, m, size=int(rng.integers(1, 3000)))
        weights = rng.random(len(which)) * 10.0 ** rng.integers(-8, 8, size=len(which))
        if trial % 10 == 9:
            distinct[0, 0] = -0.0 if trial == 9 else np.nan
        want = compress(distinct[which], weights)
        got = compress_distinct(distinct, which, weights)
        for a, b in zip(got, want):
            assert a.shape == b.shape and a.dtype == b.dtype and a.tobytes() == b.tobytes()
    empty = compress_distinct(np.zeros((0, k)), np.zeros(0, np.int64), np.zeros(0))
    assert [a.shape for a in empty] == [(0, k), (0,), (0,)]




@pytest.mark.parametrize("langs, country", [({"de": 30}, "DE"), ({"ar": 18}, "SA"), ({"hi": 18}, "IN"), ({"ja": 10}, "JP")])
def test_the_home_share_does_not_overrule_an_accounts_own_language(langs: dict[str, int], country: str) -> None:
    """Five accounts writing only German (Arabic, Hindi, Japanese) among 2,000 English-writing ones
    in a British study: the study's mix gives their country almost nothing (a country gets weight
    only where its accounts' evidence, summed, outweighs the study's size), and applied to every
    country it made them "most likely GB (p=0.99)", counted local instead of foreign (until
    2026-12-04, late evening). The mix now moves an account only among the countries its post
    languages fit (`language_near`): they keep their language's country and stay foreign; English
    fits every country, so the English-writing accounts still take the study's make-up."""
    from botwatch.accounts.origin import _post_langs_item
    from botwatch.accounts.origin_prior import SHARE_APART, language_near
    from botwatch.count_text import two_figures

    inputs = ([OriginInput(location="London", post_langs={"en": 5})] * 1000 + [ENGLISH] * 1000
              + [OriginInput(post_langs=langs)] * 5)
    results, _ = apply_study_prior([origin_posterior(i, home="GB") for i in inputs], "GB")
    share = estimate_home(results, "GB")
    assert share is not None and share.mix is not None and share.mix[mix_codes().index(country)] < 0.001
    near = [language_near(_post_langs_item(tuple(i.post_langs.items()))[0]) for i in inputs]
    assert near[0] is None and near[1500] is None and near[-1] is not None and near[-1][mix_codes().index(country)]
    after = apply_home_share(results, share, near)
    foreign, english = after[-1], after[1500]
    assert english.country == "GB" and english.probabilities["GB"] > 0.9  # the study's make-up decides for English posts
    assert foreign.country == country and foreign.probabilities.get("GB", 0.0) < 0.2
    assert foreign.probabilities[country] == pytest.approx(results[-1].probabilities[country], abs=0.01)
    assert f"its posts' languages fit within ×{two_figures(SHARE_APART)} of the best (the others keep their shares)" in foreign.evidence[-1]
    assert "and the other countries but Russia as the mix weighs them." in english.evidence[-1]
    # Which of the language's countries leads is the prior's pick where the language fits several
    # (German: Germany, Austria, Switzerland), and the lead says so; Hindi and Japanese fit one.
    among = "mostly the study's prior: little evidence of its own for " + country + " among the countries its posts' languages fit"
    assert (among in foreign.evidence[0]) == (int(near[-1].sum()) > 1), (near[-1].sum(), foreign.evidence[0])
    # Without the groups (every country), the old behaviour: the mix overrules the language.
    assert apply_home_share(results, share)[-1].country == "GB"


def test_share_prior_is_the_mix_inside_the_group_and_the_stated_prior_outside() -> None:
    """`share_prior`: a distribution; the mix itself without a group; inside a group the mix's
    proportions, outside it the stated prior's, the group's weight as the stated prior gave it."""
    from botwatch.accounts.origin_prior import composition, share_prior

    k = len(mix_codes())
    rng = np.random.default_rng(3)
    mix = rng.dirichlet(np.ones(k))
    lik = rng.random(k)
    np.testing.assert_array_equal(share_prior(lik, None, mix, "GB"), mix)
    near = rng.random(k) < 0.2
    p = share_prior(lik, near, mix, "GB")
    base = composition("GB")
    assert p.sum() == pytest.approx(1.0)
    np.testing.assert_allclose(p[near] / p[near].sum(), mix[near] / mix[near].sum())
    np.testing.assert_allclose(p[~near] / p[~near].sum(), base[~near] / base[~near].sum())
    # The group's posterior mass under the new prior equals its mass under the stated prior.
    np.testing.assert_allclose((p * lik)[near].sum() / (p * lik)[~near].sum(), (base * lik)[near].sum() / (base * lik)[~near].sum())
