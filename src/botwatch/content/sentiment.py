"""VADER sentiment for English posts; NULL for every other language.

VADER is a lexicon built for English social media: on other languages it returns 0.0 (which looks
like "neutral" but means "no idea") or misreads words, so non-English posts get NULL, never a fake
0. Retweets repeat texts, so each distinct text is scored once per run.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import numpy as np
import pyarrow as pa

from botwatch.forkpool import default_workers

_URL = re.compile(r"https?://\S+")
POSITIVE = 0.05  # VADER's authors' conventional thresholds for the compound score
NEGATIVE = -0.05


# VADER's lexicon was built from general social media; in election talk some words mean something
# else. "party" (+1.7) is the political party, "united" (+1.8) the country's name, "win"/"won"
# (+2.7) the plain report of a result, "free" (+2.3) a "free school" or "free movement"; and the
# attack words of political abuse are missing altogether ("traitor", "crooked", "corrupt",
# "busted"). Checked against the hand-labelled posts (docs/methods.md); words left out when they
# did not change any labelled post's class are not listed.
POLITICAL_LEXICON: dict[str, float] = {
    "party": 0.0, "parties": 0.0, "united": 0.0, "win": 0.8, "wins": 0.8, "won": 0.6, "winning": 0.8,
    "free": 0.6, "support": 0.6, "supporters": 0.0, "supporter": 0.0, "like": 0.0, "vote": 0.0,
    "traitor": -3.0, "traitors": -3.0, "crooked": -2.5, "corrupt": -2.6, "corruption": -2.6,
    "busted": -1.8, "liar": -3.0, "liars": -3.0, "lying": -2.5, "lie": -2.0, "slams": -1.5,
    "blasts": -1.5, "rips": -1.2, "nazi": -3.0, "nazis": -3.0, "deplorable": -2.0, "censorship": -2.0,
    "bombshell": -1.0, "exposed": -1.5, "treason": -3.0, "scandal": -2.2, "hypocrisy": -2.2,
    "boom": 1.5, "priceless": 2.0, "patriot": 1.2, "patriots": 1.2, "maga": 1.5, "thugs": -2.5,
    "rigged": -2.5, "disgraceful": -3.0, "toxic": -2.2, "moron": -2.5, "morons": -2.5, "idiot": -2.5,
}


@lru_cache(maxsize=1)
def analyzer() -> Any:
    from botwatch.content.vader_fast import FastAnalyzer

    a = FastAnalyzer()
    a.lexicon.update(POLITICAL_LEXICON)
    return a


def clean(text: str) -> str:
    """Text as VADER should see it: links removed, HTML ampersands decoded, case kept (VADER
    reads capitals as emphasis)."""
    # (Without "http" there is no link: the search is skipped, the text is the same.)
    return (_URL.sub(" ", text) if "http" in text else text).replace("&amp;", "&").strip()


Parts = tuple[float, float, float, float]  # VADER (compound, pos, neg, neu)


def _parts(text: str) -> Parts:
    return analyzer().scores(text)  # (polarity_scores' four numbers, without building its dict)


class SentimentScorer:
    """Scores texts with a cache of distinct texts (bounded so a huge study cannot exhaust memory).

    The cache keeps all four of VADER's numbers: the compound score is the stored sentiment, and
    the trained sentiment model also reads the positive, negative and neutral shares (one VADER
    pass gives all four, so the parts cost nothing extra)."""

    def __init__(self, max_cache: int = 500_000, workers: int | None = None, parallel_min: int = 10_000) -> None:
        self.cache: dict[str, Parts] = {}
        # The same answers keyed on the text before `clean`: a post's text is asked for several
        # times (the batch, then the model's features), and the link search of `clean` cost more
        # than the look-up. Bounded like `cache`.
        self.by_raw: dict[str, Parts] = {}
        self.max_raw = min(max_cache, 200_000)
        self.max_cache = max_cache
        self.scored = 0
        self.workers = workers if workers is not None else default_workers()
        self.parallel_min = parallel_min

    def parts(self, text: str) -> Parts:
        """VADER's (compound, pos, neg, neu) of `text` (links removed), cached."""
        hit = self.by_raw.get(text)
        if hit is not None:
            return hit
        c = clean(text)
        hit = self.cache.get(c)
        if hit is None:
            hit = _parts(c)
            self.scored += 1
            if len(self.cache) < self.max_cache:
                self.cache[c] = hit
        if len(self.by_raw) < self.max_raw:
            self.by_raw[text] = hit
        return hit

    def score(self, text: str) -> float:
        """VADER compound of `text` (links removed), cached."""
        return self.parts(text)[0]

    def batch(self, text: pa.Array, english: np.ndarray) -> pa.Array:
        """Compound scores for rows flagged English, NULL elsewhere.

        Distinct new texts are scored first (in worker processes when there are many: VADER is
        pure Python and dominates the stage's time), then every row is filled from the cache.
        """
        texts = text.to_pylist()
        by_raw = self.by_raw
        # Rows whose text was met before take its answer without `clean`.
        rows = [i for i in np.flatnonzero(english).tolist() if texts[i] and texts[i] not in by_raw]
        cleaned = {i: clean(texts[i]) for i in rows}
        todo = list(dict.fromkeys(c for c in cleaned.values() if c not in self.cache))
        local: dict[str, Parts] = {}
        if len(todo) >= self.parallel_min and self.workers > 1:
            local = dict(zip(todo, _score_parallel(todo, self.workers)))
        else:
            local = {c: _parts(c) for c in todo}
        self.scored += len(todo)
        for c, v in local.items():
            if len(self.cache) >= self.max_cache:
                break
            self.cache[c] = v
        out: list[float | None] = [None] * len(texts)
        room = self.max_raw - len(by_raw)
        for i, c in cleaned.items():
            v = self.cache.get(c)
            v = v if v is not None else local[c]
            if room > 0 and texts[i] not in by_raw:
                by_raw[texts[i]] = v
                room -= 1
        for i in np.flatnonzero(english).tolist():
            t = texts[i]
            if t:
                v = by_raw.get(t)
                out[i] = (v if v is not None else self._parts_of(t, local))[0]
        return pa.array(out, pa.float64())

    def _parts_of(self, text: str, local: dict[str, Parts]) -> Parts:
        """A text's answer when `by_raw` is full: from the cleaned-text cache or this batch's."""
        c = clean(text)
        v = self.cache.get(c)
        return v if v is not None else local[c]


def _score_chunk(texts: list[str]) -> list[Parts]:
    return [_parts(t) for t in texts]


def _score_parallel(texts: list[str], workers: int) -> list[Parts]:
    """Score in `workers` forked processes (order kept). Fork shares the loaded lexicon
    (`forkpool.fork_map`: a worker that dies raises `WorkerFailed` instead of leaving the stage
    waiting)."""
    from botwatch.forkpool import fork_map

    analyzer()  # load before forking so children inherit it
    size = max(1, -(-len(texts) // (workers * 4)))
    chunks = [texts[i : i + size] for i in range(0, len(texts), size)]
    parts = fork_map(_score_chunk, chunks, workers, "VADER")
    return [v for part in parts for v in part]
