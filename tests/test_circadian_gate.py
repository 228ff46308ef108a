"""The circadian stage's "clear daily rhythm" gate is a test against uniform random hours at the
account's own count: rhythmless accounts pass it about NULL_RATE of the time or less (a fixed
0.05-bit floor let about 1 in 5 through at 20-40 posts), and a human day still passes."""

from __future__ import annotations

import random

import numpy as np
import pytest

from botwatch.accounts.circadian import LOCAL_PROFILE, fit_utc_offset
from botwatch.timeline import circadian_fit


@pytest.mark.parametrize("n", [20, 33, 40, 70, 150, 500])
def test_uniform_hours_pass_at_about_the_stated_rate_or_less(n: int) -> None:
    rng = np.random.default_rng(1000 + n)  # not the derivation's seed
    draws = rng.multinomial(n, [1 / 24] * 24, size=3000)
    passed = sum(circadian_fit.fit(row.tolist()).informative for row in draws)
    # 3000 draws at 1%: 30 expected; 55 is far above chance for a 1% gate, far below the old ~20%
    assert passed <= 55, passed


def test_uniform_posting_times_counted_as_the_stage_counts_them() -> None:
    """Posts at uniformly random minutes of May 2017, counted as distinct days per UTC hour."""
    rng = random.Random(7)
    passed = 0
    for _ in range(1000):
        cells = {(m // 1440, (m // 60) % 24) for m in (rng.randrange(31 * 1440) for _ in range(40))}
        counts = [0] * 24
        for _, h in cells:
            counts[h] += 1
        if sum(counts) >= 20:
            passed += circadian_fit.fit(counts).informative
    assert passed <= 20, passed


def test_the_old_floor_let_rhythmless_accounts_through() -> None:
    """Guards the test above against a gate that is trivially strict: the old floor fails it."""
    rng = np.random.default_rng(5)
    draws = rng.multinomial(40, [1 / 24] * 24, size=1000)
    old = sum(fit_utc_offset(row.tolist()).human_fit_bits >= 0.05 for row in draws)
    assert old > 100


@pytest.mark.parametrize("n", [40, 100, 400])
def test_a_human_day_still_passes(n: int) -> None:
    passed = 0
    for seed in range(50):
        rng = random.Random(seed)
        local = rng.choices(range(24), weights=LOCAL_PROFILE, k=n)
        counts = [0] * 24
        for h in local:
            counts[(h - 3) % 24] += 1
        passed += circadian_fit.fit(counts).informative
    assert passed >= {40: 15, 100: 40, 400: 50}[n], passed


def test_bar_falls_with_count_and_errs_strict_between_grid_points() -> None:
    bars = [circadian_fit.null_bits(n) for n in range(20, 3000)]
    assert all(a >= b for a, b in zip(bars, bars[1:]))
    assert circadian_fit.null_bits(35) == dict(circadian_fit.NULL_BITS)[30]
    assert not circadian_fit.clear_rhythm(19, 5.0)


def test_real_accounts_of_the_bundled_sample_still_pass(sample_study) -> None:  # type: ignore[no-untyped-def]
    """On the bundled real sample the gate only removes fits: accounts kept by people with a clear
    day still pass, and every pass also cleared the old floor."""
    from botwatch.pipeline import Context, analyze

    analyze(sample_study, Context(election=None, log=lambda m: None), only=["circadian"])
    rows = sample_study.sql("SELECT active_cells, rhythm_bits, informative FROM circadian")
    new = [inf for _, _, inf in rows]
    assert sum(new) >= 5, rows
    assert all(bits >= 0.05 for _, bits, inf in rows if inf)
    assert all(inf == (bits > circadian_fit.null_bits(n) and bits >= 0.05) for n, bits, inf in rows)


@pytest.mark.parametrize("n", [20, 40, 70])
def test_the_accounts_stage_reads_the_same_gate(n: int) -> None:
    """The accounts stage (`best_utc_offset`, the origin `hours` item) reads `OffsetFit.informative`
    through `fit_hours`: the same gate as the circadian stage, so uniform hours rarely pass there
    either (it used the 0.05-bit floor, about 1 in 5 at 20-40 posts)."""
    from botwatch.accounts.circadian import fit_hours

    rng = np.random.default_rng(2000 + n)
    draws = rng.multinomial(n, [1 / 24] * 24, size=2000)
    passed = 0
    for row in draws:
        shared = fit_hours(tuple(int(c) for c in row))
        assert shared.informative == circadian_fit.fit(row.tolist()).informative
        passed += shared.informative
    assert passed <= 40, passed


def test_origin_hours_item_needs_a_clear_rhythm() -> None:
    """A uniform-looking histogram that cleared the old floor gives no `hours` origin evidence."""
    from datetime import datetime

    from botwatch.accounts.origin import OriginInput, evidence_vectors

    rng = np.random.default_rng(11)
    for row in rng.multinomial(30, [1 / 24] * 24, size=400):
        r = fit_utc_offset(row.tolist())
        if 0.05 <= r.human_fit_bits <= circadian_fit.null_bits(30):
            counts = [int(c) for c in row]
            break
    else:
        pytest.fail("no draw between the old floor and the bar")
    kinds = [k for k, _, _ in evidence_vectors(OriginInput(n_posts=30, hour_counts=counts, when=datetime(2016, 6, 15)))]
    assert "hours" not in kinds
