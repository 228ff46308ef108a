"""py3langid's `classify` for many texts at once, with the same answers.

py3langid walks its byte automaton in a Python loop, one byte at a time: on an archive without
language tags (the ordinary Brexit tweets) that walk was most of the content stage. Here the
automaton takes one step for every text at once (numpy over the texts still that long), the
features each text meets are counted in the order it meets them (as `visit_counts` does), and
the rest is py3langid's own scoring (`_sparse_score` over the model's table widened to float32
once, as numpy widens the gathered rows for each text anyway; the length-tempered softmax; the
alias folding), so the language and its probability are the library's to the last bit
(tests/test_content_langid_batch.py compares both). Written against py3langid 0.4.0: any other
version, or a model without the attributes read here, is classified by the library text by text.
"""

from __future__ import annotations

import math
from array import array
from collections import Counter
from typing import Any

import numpy as np

CHECKED_VERSION = "0.4.0"
MIN_BATCH = 64  # fewer texts than this: the library's own loop is as fast


def _version() -> str | None:
    try:
        from importlib.metadata import version

        return version("py3langid")
    except Exception:  # noqa: BLE001 - no metadata: treat as unknown
        return None


def _transitions(nextmove: Any) -> np.ndarray:
    """The automaton's transition table as numpy. py3langid keeps it as an `array.array` of
    unsigned ints (9.8 million of them): viewed in place, not copied, where the widened int64
    copy cost about 0.1 CPU-s and 78 MB before the labelling even started. The states it
    holds index the same tables whatever their integer type."""
    if isinstance(nextmove, array) and nextmove.typecode in ("B", "H", "I", "L", "Q"):
        return np.frombuffer(nextmove, dtype=np.dtype(nextmove.typecode))
    return np.asarray(nextmove, dtype=np.int64)


class BatchClassifier:
    """`identifier.classify` over lists of texts."""

    def __init__(self, identifier: Any) -> None:
        self.ident = identifier
        self.exact = False
        try:
            from py3langid.langid import RAW_FLOOR

            self.raw_floor = RAW_FLOOR
            self.nm = _transitions(identifier.tk_nextmove)
            self.rowbase = np.asarray(identifier._rowbase, dtype=np.int64)
            self.out = np.asarray(identifier.tk_output, dtype=np.int64)
            identifier._encode, identifier._sparse_score, identifier._alias_pairs  # noqa: B018 - present?
            self.exact = _version() == CHECKED_VERSION
            # The model's float16 table widened once: numpy widens the rows it gathers to float32
            # before the product anyway, so the scores are the same and the gather is half the work.
            self.table = np.asarray(identifier.nb_ptc, dtype=np.float32) if self.exact else None
        except (ImportError, AttributeError):
            self.exact = False

    def classify(self, texts: list[str]) -> list[tuple[str, float]]:
        """(language, confidence) of each text, as `identifier.classify` gives them."""
        if not self.exact or len(texts) < MIN_BATCH:
            return [self.ident.classify(t) for t in texts]
        encoded = [self.ident._encode(t) for t in texts]
        return [self._decide_and_pick(e, v) for e, v in zip(encoded, self._visits(encoded))]

    def _visits(self, encoded: list[bytes]) -> list[Counter | None]:
        """`visit_counts` of each encoded text: the automaton stepped for all texts at once."""
        n = len(encoded)
        lens = np.fromiter(map(len, encoded), np.int64, n)
        order = np.argsort(-lens, kind="stable")  # longest first: the texts still walking are a prefix
        lens_sorted = lens[order]
        buf = np.frombuffer(b"".join(encoded[i] for i in order.tolist()), np.uint8).astype(np.int64)
        starts = np.concatenate(([0], np.cumsum(lens_sorted)[:-1])) if n else np.zeros(0, np.int64)
        longest = int(lens_sorted[0]) if n else 0
        # walking[t]: how many texts are longer than t bytes
        walking = np.searchsorted(-lens_sorted, -np.arange(longest), side="left")
        state = np.zeros(n, np.int64)
        who: list[np.ndarray] = []
        what: list[np.ndarray] = []
        nm, rowbase, out = self.nm, self.rowbase, self.out
        for t in range(longest):
            k = int(walking[t])
            st = nm[rowbase[state[:k]] + buf[starts[:k] + t]]
            state[:k] = st
            f = out[st]
            hit = np.flatnonzero(f >= 0)
            if len(hit):
                who.append(hit)
                what.append(f[hit])
        result: list[Counter | None] = [None] * n
        if who:
            ids = np.concatenate(who)
            feats = np.concatenate(what)
            by_text = np.argsort(ids, kind="stable")  # each text's features in the order met
            ids, feats = ids[by_text], feats[by_text]
            bounds = np.searchsorted(ids, np.arange(n + 1), side="left").tolist()
            flat = feats.tolist()
            for s, orig in enumerate(order.tolist()):
                a, b = bounds[s], bounds[s + 1]
                if b > a:
                    result[orig] = Counter(flat[a:b])
        return result

    def _decide_and_pick(self, text: bytes, visits: Counter | None) -> tuple[str, float]:
        """`LanguageIdentifier._decide` from the visits, then `classify`'s pick."""
        ident = self.ident
        if visits:
            scores = ident._sparse_score(visits, self.table)
        else:
            fill = 0.0 if ident._norm_probs else self.raw_floor
            scores = np.full(len(ident.nb_classes), fill, dtype=np.float32)
        if ident._norm_probs:
            scores *= 1.0 / math.sqrt(len(text) or 1)
            np.exp(scores - scores.max(), out=scores)
            scores /= scores.sum()
        for i, j in ident._alias_pairs:
            if ident._norm_probs:
                scores[i] += scores[j]
                scores[j] = 0.0
            else:
                scores[i] = max(scores[i], scores[j])
                scores[j] = self.raw_floor
        i = int(scores.argmax())
        conf = float(scores[i])
        if ident.min_confidence is not None and conf < ident.min_confidence:
            return "und", conf
        return ident.nb_classes[i], conf
