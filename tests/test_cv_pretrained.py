"""The fourteenth stance round's script (scripts/cv_pretrained.py): code paths only, with a stub
subword table and tokenizer (the wheel is not a dependency; no figure here is a measurement).

Checked: the masks reach the pretrained table as words ("this party" / "another party"), the
clause block reads only the clauses holding the pair's party, a variant keeps exactly the blocks
it names at the scale it names, and `noown` drops the shipped word-vector blocks alone."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from testsupport.scripts import load_script


@pytest.fixture()
def cvp():  # type: ignore[no-untyped-def]
    return load_script("cv_pretrained")


class _Tok:
    """Whitespace 'tokenizer' over a fixed vocabulary; records the texts it was asked for."""

    def __init__(self, vocab: list[str]) -> None:
        self.vocab = {w: i for i, w in enumerate(vocab)}
        self.seen: list[str] = []

    def encode(self, text: str, add_special_tokens: bool = False) -> SimpleNamespace:
        self.seen.append(text)
        return SimpleNamespace(ids=[self.vocab[w] for w in text.split() if w in self.vocab])


def _stub(cvp, vocab: list[str]):  # type: ignore[no-untyped-def]
    pre = object.__new__(cvp.Pretrained)
    pre.vectors = np.eye(len(vocab), dtype=np.float32)
    pre.tok = _Tok(vocab)
    pre.cache = {}
    return pre


def test_masks_read_as_words(cvp) -> None:  # type: ignore[no-untyped-def]
    assert cvp.readable("tgt lies again, oth too (tgtx)") == "this party lies again, another party too (tgtx)"


def test_pair_blocks_post_and_target_clause(cvp, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    vocab = ["this", "party", "another", "lies", "great", "news"]
    cvp.PRE = _stub(cvp, vocab)
    monkeypatch.setattr(cvp, "_ship_pair", lambda *a: {"vp0": 0.5})
    monkeypatch.setattr(cvp.F, "mask", lambda text, names, party, named: text)
    out = cvp.pair_blocks("great news . tgt lies", None, "x", None)
    assert out["vp0"] == 0.5  # the shipped blocks kept
    scale = cvp.embed.SCALE
    # post: great news this party lies -> 5 tokens; clause: this party lies -> 3 tokens
    assert out["lp4"] == pytest.approx(scale / 5)  # "great" is row 4
    assert out["lc4"] == 0.0  # the clause without the party does not count
    assert out["lc3"] == pytest.approx(scale / 3)
    assert cvp.PRE.tok.seen == ["great news . this party lies", "this party lies"]


def test_parse_and_transform(cvp) -> None:  # type: ignore[no-untyped-def]
    f = {"w=x": 1.0, "vp0": 0.3, "vt0": 0.3, "lp0": 0.3, "lc0": 0.3}
    keep, scale = cvp.parse("ship+lp*6")
    assert keep == {"lp"} and scale == 6.0
    assert cvp.transform(f, keep, scale) == {"w=x": 1.0, "vp0": 0.3, "vt0": 0.3, "lp0": pytest.approx(0.6)}
    keep, scale = cvp.parse("noown+lp+lc")
    assert cvp.transform(f, keep, scale) == {"w=x": 1.0, "lp0": 0.3, "lc0": 0.3}
    assert cvp.transform(f, *cvp.parse("ship")) == {"w=x": 1.0, "vp0": 0.3, "vt0": 0.3}
