"""Language id for many texts at once (botwatch.content.langid_batch) must answer exactly as
py3langid's own `classify` does, text by text: the same language, the same probability."""

from __future__ import annotations

import csv
import gzip
from pathlib import Path

from botwatch.content.language import _CLEAN, _batch, _identifier, detect, detect_many

FIXTURES = Path(__file__).parent / "fixtures" / "content"
ODD = ["", " ", "A", "ok", "ÉCOLE NORMALE", "Выборы в Британии", "日本語のテキストです", "ΑΒΓ δέλτα", "x" * 3000,
       "مرحبا بالعالم", "\U0001F600 \U0001F600", "Die Wahl ist morgen", "RT @someone: #GE2017 http://t.co/x"]


def _same(texts: list[str]) -> None:
    lib = _identifier()
    batch = _batch()
    assert batch.exact  # the installed py3langid is the checked one; another version falls back
    got = batch.classify(texts)
    want = [lib.classify(t) for t in texts]
    assert [(g[0], repr(g[1])) for g in got] == [(w[0], repr(w[1])) for w in want]


def test_batch_language_id_equals_the_library_on_real_posts() -> None:
    with open(FIXTURES / "ira_stance_posts.csv", encoding="utf-8", newline="") as f:
        texts = [_CLEAN.sub(" ", r["content"]) for r in csv.DictReader(f)]
    _same(texts + ODD + [t.upper() for t in texts[:100]])


def test_detect_many_equals_detect() -> None:
    texts = ODD * 10
    assert detect_many(texts) == [detect(t) for t in texts]


def test_batch_language_id_equals_the_library_on_untagged_brexit_tweets(shared_data) -> None:  # type: ignore[no-untyped-def]
    with gzip.open(shared_data / "ordinary" / "brexit-2016" / "tweets.csv.gz", "rt", encoding="utf-8", newline="") as f:
        texts = [_CLEAN.sub(" ", r["text"] or "") for i, r in zip(range(3000), csv.DictReader(f))]
    _same(texts)
