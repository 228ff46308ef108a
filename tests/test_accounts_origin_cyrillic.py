"""`post_cyrillic`: a mostly-Cyrillic account counts up to the ratio measured on the development part
(Russia-run against ordinary accounts, `origin.CYRILLIC_COUNTS`), for every Cyrillic-writing country
alike, and never more than measured together with the post-language item."""

from __future__ import annotations

import math

import numpy as np

from botwatch.accounts import origin
from botwatch.accounts.gazetteer import countries
from botwatch.accounts.origin import OriginInput, evidence_vectors, origin_posterior


def _kinds(inp: OriginInput) -> list[str]:
    return [k for k, _, _ in evidence_vectors(inp, home="US")]


def test_half_the_posts_in_cyrillic_is_the_threshold() -> None:
    assert "post_cyrillic" in _kinds(OriginInput(n_posts=10, post_scripts={"cyrillic": 5}, post_langs={"ru": 5, "en": 5}))
    assert "post_cyrillic" not in _kinds(OriginInput(n_posts=11, post_scripts={"cyrillic": 5}, post_langs={"ru": 5, "en": 6}))
    assert "post_cyrillic" not in _kinds(OriginInput(n_posts=0, post_scripts={"cyrillic": 0}))
    assert origin.mostly_cyrillic(1, 1) and not origin.mostly_cyrillic(0, 0)


def test_every_cyrillic_country_alike_and_no_more_than_measured() -> None:
    inp = OriginInput(n_posts=300, post_scripts={"cyrillic": 160}, post_langs={"ru": 150, "en": 120, "uk": 9})
    items = {k: v for k, v, _ in evidence_vectors(inp, home="US")}
    v = items["post_cyrillic"]
    cyr = [origin.codes().index(c.iso2) for c in countries().values() if "cyrillic" in c.scripts]
    assert {float(v[i]) for i in cyr} == {1.0}
    measured, factor = origin.cyrillic_factor()
    assert math.isclose(v.max() / v.min(), factor)
    # The language item and this one together count at most the measured ratio between Russia and the US.
    ru, us = origin.codes().index("RU"), origin.codes().index("US")
    both = items["post_langs"][ru] / items["post_langs"][us] * v[ru] / v[us]
    assert both <= measured * 1.0001


def test_the_measured_ratio_is_the_lower_end_over_the_upper_end() -> None:
    from botwatch.stats import wilson

    (kr, nr), (ko, no) = origin.CYRILLIC_COUNTS["russia_run"], origin.CYRILLIC_COUNTS["ordinary"]
    measured, factor = origin.cyrillic_factor()
    assert math.isclose(measured, wilson(kr, nr)[1] / wilson(ko, no)[2])
    assert math.isclose(factor, max(1.0, measured * origin.FLOOR_LANG))
    assert factor > 1  # the development counts support more than the language item counts


def test_a_russian_writer_with_english_and_ukrainian_tags_moves_towards_russia() -> None:
    """Half of 300 posts tagged Russian, the rest English and a few Ukrainian (the detector's slips):
    P(Russia) is higher with the item than without, and the United States lower."""
    inp = OriginInput(n_posts=300, post_scripts={"cyrillic": 170}, post_langs={"ru": 150, "en": 119, "uk": 9})
    with_item = origin_posterior(inp, home="US", calibrate=False).probabilities
    without = origin_posterior(inp, home="US", exclude=frozenset({"post_cyrillic"}), calibrate=False).probabilities
    assert with_item["RU"] > without["RU"]
    assert with_item.get("US", 0.0) < without["US"]
    assert np.isfinite(with_item["RU"])
