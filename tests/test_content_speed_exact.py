"""The content stage's shortcuts must give the very values of the plain code they replace:
masking party names through placeholders (`features._marked`) against one pattern pass per
party, and the batched evidence order of `LinearModel.predict_many` against `predict` where
features tie."""

from __future__ import annotations

import random

import numpy as np
import pytest

from botwatch.content.features import PartyNames, _inert, mask
from botwatch.content.modelrun import LinearModel
from botwatch.elections import load_election


def _loop(text: str, names: PartyNames, party: str | None, only: list[str]) -> str:
    """`mask` as one `re.sub` per named party, in order (the code the placeholders replace)."""
    for p in only:
        pat = names.patterns.get(p)
        if pat is not None:
            text = pat.sub(" tgt " if p == party else " oth ", text)
    return text


@pytest.mark.parametrize("preset", ["uk-ge2017", "us-2016"])
def test_mask_through_placeholders_equals_the_pattern_loop(preset: str) -> None:
    election = load_election(preset)
    names = PartyNames.of(election)
    assert names.inert
    # Names of every kind, glued to each other and to punctuation, hashtags holding fragments,
    # the replacement words themselves and placeholder characters in the text.
    pieces = ["the", "vote", "oth", "tgt", "other", "both", "-", "'", "#", "@", ".", "!", "\ue000", "\ue101", "x"]
    for p in election.parties:
        pieces += [w.casefold() for w in p.keywords + p.keywords_context + p.keywords_pro + p.keywords_anti]
        pieces += ["#" + h.casefold() for h in p.hashtags + p.hashtags_pro + p.hashtags_anti]
        pieces += ["@" + h.casefold() for h in p.accounts]
        pieces += ["#vote" + f.casefold() + "now" for f in p.tag_fragments]
    rng = random.Random(14)
    keys = [p.key for p in election.parties]
    checked = 0
    for _ in range(3000):
        glue = rng.choice([" ", "", "  ", "#", "-"])
        text = glue.join(rng.choices(pieces, k=rng.randint(1, 12)))
        only = rng.sample(keys, k=rng.randint(1, min(3, len(keys))))
        for party in [None, *only]:
            assert mask(text, names, party, only) == _loop(text, names, party, only), (text, party, only)
            checked += 1
    assert checked > 6000


def test_names_that_could_match_inside_a_replacement_turn_the_shortcut_off() -> None:
    assert _inert(["labour", "theresa may", "#votelabour"], ["labour"])
    assert not _inert(["the oth party"], [])
    assert not _inert(["tgt"], [])
    assert not _inert(["a\ue105b"], [])
    assert not _inert(["labour"], ["lib dem"])  # a fragment with a space could run into one


def test_predict_many_orders_tied_evidence_as_predict_does() -> None:
    # Weights drawn from a few values, so many features tie; sets longer than 16 (where
    # np.argsort stops being an insertion sort) and shorter.
    rng = np.random.default_rng(3)
    names = [f"f{i}" for i in range(60)]
    weights = rng.choice([-1.0, 0.0, 0.5, 1.0, 2.0], size=(60, 3))
    model = LinearModel(["a", "b", "c"], np.array([0.1, 0.0, -0.1]), {k: i for i, k in enumerate(names)}, weights)
    sets = []
    for _ in range(400):
        picked = rng.choice(60, size=int(rng.integers(0, 40)), replace=False)
        sets.append({names[i]: float(rng.choice([1.0, 0.5])) for i in picked})
    for k in (1, 3, 5):
        for one, (c, p, top) in zip(sets, model.predict_many(sets, k)):
            c0, p0, top0 = model.predict(one, k)
            assert (c, top) == (c0, top0)
            assert np.array_equal(p, p0)
