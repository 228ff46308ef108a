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


def _style_by_patterns(raw: str) -> dict[str, float]:
    """`style_features` as written before its shortcuts (every pattern searched)."""
    import re

    from botwatch.content.features import _HEADLINE_START, _URL, SARCASM

    body = _URL.sub(" ", raw or "")
    words = re.findall(r"[A-Za-z]{3,}", body)
    caps = sum(1 for w in words if w.isupper())
    titled = sum(1 for w in words if w[0].isupper())
    f: dict[str, float] = {}
    if words:
        if caps >= 2 or caps / len(words) > 0.3:
            f["style=shout"] = 1.0
        if titled / len(words) > 0.6 and len(words) >= 4:
            f["style=titlecase"] = 1.0
    if _URL.search(raw or "") and not body.rstrip().endswith(("!", "?")):
        f["style=link"] = 1.0
    if _HEADLINE_START.search(body.strip()):
        f["style=alert"] = 1.0
    if SARCASM.search(body):
        f["style=sarcasm"] = 1.0
    if "?" in body:
        f["style=question"] = 1.0
    if "!" in body:
        f["style=exclaim"] = 1.0
    if re.search(r"[\"\u201c\u201d']\s*\w[^\"\u201c\u201d]{0,40}[\"\u201c\u201d]", body):
        f["style=quoted"] = 1.0
    return f


def test_style_cues_and_cleaning_skip_only_searches_that_cannot_match() -> None:
    from botwatch.content.features import clean_text, style_features
    from botwatch.content.sentiment import _URL as VADER_URL
    from botwatch.content.sentiment import clean

    pieces = ["LOL", "lol", "LoL", "Haha", "hahaha", "Yeah Right", "yeah  right", "SURE", "sure!", "so-called", "So Called", "#Sarcasm",
              "oh wait", "Thanks A Lot", "ſure", "\u212aek", "😂", "🙄", "BREAKING", "Watch", "https://t.co/x1", "http://a.b/c", "t.co/zz",
              "at.co/y", "HTTP://X.Y", "&amp;", "\u2019", '"quoted words"', "\u201chi there\u201d", "The", "May", "VOTE", "tories", "!", "?", ""]
    rng = random.Random(7)
    for _ in range(4000):
        raw = rng.choice([" ", "", "\n"]).join(rng.choices(pieces, k=rng.randint(0, 9)))
        assert style_features(raw) == _style_by_patterns(raw), raw
        assert clean_text(raw) == _URL_FREE(raw)
        assert clean(raw) == VADER_URL.sub(" ", raw).replace("&amp;", "&").strip()
    assert style_features(None) == _style_by_patterns(None)  # type: ignore[arg-type]


def _URL_FREE(text: str) -> str:
    from botwatch.content.features import _URL

    return _URL.sub(" ", text or "").replace("&amp;", "&").replace("\u2019", "'").replace("\u2018", "'").casefold()
