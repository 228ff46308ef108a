"""The office-hours origin item: Moscow office shifts against a person's day (accounts/origin_shifts.py)."""

from __future__ import annotations

import numpy as np

from botwatch.accounts import origin_shifts as osh
from botwatch.accounts.circadian import LOCAL_PROFILE
from botwatch.accounts.origin import OriginInput, codes, origin_posterior


def _counts(local_shape: np.ndarray, utc_offset: int, n: int, seed: int = 0) -> list[int]:
    """n posts drawn from a local-time shape, as UTC hour counts for a clock at utc_offset."""
    hours = np.random.default_rng(seed).choice(24, size=n, p=local_shape / local_shape.sum())
    return np.bincount((hours - utc_offset) % 24, minlength=24).tolist()


def _night_shift() -> np.ndarray:
    """A desk in Moscow working 21:00-06:00 Moscow time with nothing outside it (local shape)."""
    shape = np.full(24, 0.002)
    shape[[21, 22, 23, 0, 1, 2, 3, 4, 5]] = 1.0
    return shape


def _ratio(counts: list[int], other: str = "US") -> float:
    v = osh.raw_item(counts, codes())
    assert v is not None
    return float(v[codes().index("RU")] - v[codes().index(other)])


def test_a_moscow_night_shift_favours_russia_and_a_new_york_day_favours_the_us() -> None:
    shift = _counts(_night_shift(), 3, 300)
    person = _counts(np.array(LOCAL_PROFILE), -5, 300)
    # e^2: the shift's hard edges fit no person's day in the US well. Not e^5 since the refit of
    # 2026-12-04: the person's day now has an office-day shape (London 10:00-18:00, 4 % of British
    # accounts), and a Moscow night shift is 13:00-22:00 in New York (e^3.6 with this seed).
    assert _ratio(shift) > 2
    assert _ratio(person) < -1


def test_evidence_saturates_with_posts() -> None:
    """Dirichlet-multinomial: ten times the posts of the same shape is worth far less than ten times the evidence."""
    small, big = _ratio(_counts(_night_shift(), 3, 40, 1)), _ratio(_counts(_night_shift(), 3, 400, 1))
    assert 0 < small < big < 5 * small  # a multinomial (no overdispersion) gives about 10 times


def test_too_few_posts_give_no_item() -> None:
    few = _counts(_night_shift(), 3, osh.MIN_POSTS - 1)
    assert osh.raw_item(few, codes()) is None
    res = origin_posterior(OriginInput(post_langs={"en": 100}, hour_counts=few, shift_counts=few))
    assert "office_hours" not in res.items


def test_the_study_pass_equals_one_account_at_a_time() -> None:
    rows = [_counts(_night_shift(), 3, 50 + 10 * i, i) for i in range(5)] + [_counts(np.array(LOCAL_PROFILE), -6, 80, 9), None, [0] * 24]
    direct = [osh.raw_item(r, codes()) for r in rows]
    osh.precompute(rows, codes())
    try:
        for r, d in zip(rows, direct):
            m = osh.raw_item(r, codes())
            assert (m is None and d is None) or np.allclose(m, d)
        assert len(osh._MEMO) == 6
    finally:
        osh.precompute([], codes())


def test_the_item_names_moscow_hours_and_supersedes_the_circadian_fit() -> None:
    shift = _counts(_night_shift(), 3, 300)
    res = origin_posterior(OriginInput(post_langs={"en": 100}, hour_counts=shift, shift_counts=shift), home="US")
    assert "office_hours" in res.items and "hours" not in res.items
    text = next(e for e in res.evidence if e.startswith("office shifts"))
    assert "Moscow time" in text and "counted as measured on development accounts with such hours" in text
    assert "over ×1,000,000" not in text  # 300 posts of a hard-edged shift: the profiles' own ratio, no longer counted
    assert "nearly silent" in text and "06:00" in text  # the silent stretch starts when the night shift ends


def test_one_burst_is_not_a_day() -> None:
    """Thirty posts live-tweeting one evening fill two clock hours: no item. Posts spread over
    enough clock hours are counted by UTC hour; a 1970 epoch stray is left out."""
    from datetime import datetime, timedelta

    import duckdb

    con = duckdb.connect()
    con.execute("CREATE TABLE posts (platform VARCHAR, account_id VARCHAR, created_at TIMESTAMP)")
    burst = [("twitter", "a", datetime(2016, 8, 6, 21, 0) + timedelta(minutes=3 * i)) for i in range(30)]
    spread = [("twitter", "b", datetime(2016, 8, 1 + i % osh.MIN_HOURS, 14, i)) for i in range(osh.MIN_POSTS)]
    junk = [("twitter", "b", datetime(1970, 1, 1, 0, 0)), ("twitter", "c", None)]
    con.executemany("INSERT INTO posts VALUES (?, ?, ?)", burst + spread + junk)
    class Study:  # the one method shift_counts uses, over this bare connection
        def query_arrow(self, query: str) -> object:
            return con.sql(query).to_arrow_table()

    counts = osh.shift_counts(Study())
    assert set(counts) == {("twitter", "b")}
    b = counts[("twitter", "b")]
    assert b[14] == osh.MIN_POSTS and sum(b) == osh.MIN_POSTS


def test_odds_in_words_stay_readable() -> None:
    import math

    # Two significant figures: the IRA tweets' evidence read "odds ×372.46", a precision no
    # measured ratio holds.
    assert osh.move_words(math.log(372.46)) == "×370"
    assert osh.move_words(math.log(55463.6)) == "×55,000"
    assert osh.move_words(-math.log(4.1)) == "÷4.1"
    assert osh.move_words(900.0) == "over ×1,000,000"


def test_evidence_against_russia_is_bounded_but_evidence_for_it_is_not() -> None:
    """A person's day far from Moscow counts at most ÷(1/FLOOR_AGAINST_RUSSIA) against Russia (the
    person's day was learned from British accounts, so a Russian person's later hours are not known to
    it), while a Moscow night shift still counts in full for Russia."""
    ru, us = codes().index("RU"), codes().index("US")
    person = _counts(np.array(LOCAL_PROFILE), -5, 300)
    raw = osh.raw_item(person, codes())
    assert raw is not None and raw[ru] - raw.max() < np.log(osh.FLOOR_AGAINST_RUSSIA)  # unbounded, it would count more
    it = osh.item(person, codes(), "US")
    assert it is not None
    assert it.log_l[ru] - it.log_l.max() >= np.log(osh.FLOOR_AGAINST_RUSSIA) - 1e-9
    # The measured ratio's lowest band (about ÷7) is within the floor: it counts as measured.
    assert "Russia-run against ordinary ÷" in it.sentence and "at most ÷20" not in it.sentence
    shift = osh.item(_counts(_night_shift(), 3, 300), codes(), "US")
    assert shift is not None and shift.log_l[ru] - shift.log_l[us] > 1  # for Russia, as far as measured
    assert "at most ÷" not in shift.sentence


def _cap() -> float:
    from botwatch.accounts.origin_signals import parameters

    return max(parameters()["office_hours_lr"]["log_ratio"])


def test_the_item_counts_only_what_was_measured_against_ordinary_accounts() -> None:
    """The profiles' raw ratio of a hard-edged Moscow night shift grows with the posts, past a
    thousand at 3,000 posts (past a million before the refit of 2026-12-04): a ratio never
    checked against real accounts. The item counts the ratio
    measured on the development part for such hours (Russia-run against ordinary accounts), at
    most the largest band's, against every other country, however many posts there are."""
    from botwatch.accounts.origin_signals import parameters

    ru = codes().index("RU")
    cap = _cap()
    assert 1.0 < cap < np.log(1000)  # a band of real accounts, not the profiles' millions
    for n in (30, 300, 3000):
        counts = _counts(_night_shift(), 3, n)
        raw = osh.raw_item(counts, codes())
        assert raw is not None
        it = osh.item(counts, codes(), "US")
        assert it is not None
        k = parameters()["slopes"]["office_hours"]
        others = np.delete(it.log_l, ru)
        assert it.log_l[ru] - others.max() <= k * cap + 1e-9  # against each other country: at most the cap
        want = osh.measured_log_ratio(osh.russia_log_ratio(raw, codes()))
        assert abs(it.log_l[ru] - others.max() - k * want) < 1e-9
        if n == 3000:
            assert raw[ru] - np.delete(raw, ru).max() > np.log(1000) > cap + 3  # what it counted before: far past any band
    # Measured both ways: a British day counts against Russia only as far as the lowest band showed.
    person = osh.item(_counts(np.array(LOCAL_PROFILE), 0, 300), codes(), "GB")
    assert person is not None and person.log_l[ru] - np.delete(person.log_l, ru).max() >= min(
        parameters()["office_hours_lr"]["log_ratio"]) * parameters()["slopes"]["office_hours"] - 1e-9


def test_the_sentence_reads_with_and_without_silent_hours() -> None:
    """An account posting in every Moscow hour read "… and the account is no silent hours Moscow
    time" in its evidence (seen on an IRA handle's explorer row)."""
    flat = [10] * 24
    said = osh.sentence(flat, "×1.61", "US")
    assert "the account is no silent" not in said
    assert said.startswith("office shifts: of 240 posts, the busiest hours are ")
    assert " Moscow time and the account has no silent hour; the hours fit " in said
    night = [0] * 24
    for h in (20, 21, 22, 23):  # UTC 20-24 = 23:00-03:00 Moscow time
        night[h] = 25
    said = osh.sentence(night, "×2.00", "US")
    assert "and the account is nearly silent 03:00-23:00 Moscow time; the hours fit" in said


def test_a_half_hour_zone_is_shared_between_the_whole_offsets_around_it() -> None:
    """A person's day in India (UTC+5:30) sat at +6 alone (rounded, halves to even) and one in Iran
    (+3:30 in January, +4:30 in July 2016) at +4 in both months: each now shares its weight
    between the whole offsets around it."""
    w = osh.offset_weights(("IN", "IR", "GB"))
    assert w[0, 5] == w[0, 6] == 0.5
    assert np.allclose(w[1, [3, 4, 5]], [0.25, 0.5, 0.25])
    assert w[2, 0] == w[2, 1] == 0.5  # whole-hour zones as before


def test_a_factor_is_worded_to_two_significant_figures() -> None:
    """The one rule every origin and bot evidence sentence words a factor by: "×370", "×1.5",
    "×0.42", never "×372.46"; the number stored beside the sentence is not rounded."""
    from botwatch.count_text import two_figures

    assert [two_figures(x) for x in (372.46, 1.46, 0.4234, 55463.6, 9.96, 100.0)] == ["370", "1.5", "0.42", "55,000", "10", "100"]
