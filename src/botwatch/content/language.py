"""Language of each post: the platform's own tag where it gave one, else py3langid offline.

The platform's tag is preferred because it saw more context (the account's language, longer
history) than a detector looking at one short post. py3langid ships its model inside the wheel,
so nothing is downloaded at run time. Tags that mean "unknown" ('und', 'zxx', ...) count as
missing; the full language names of the IRA data are mapped to ISO 639-1 codes
(`botwatch.language_names`, the table the IRA reader stores them with).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from botwatch.language_names import LANGUAGE_NAMES, UNKNOWN_TAGS, language_code

_CLEAN = re.compile(r"https?://\S+|[@#][\w_]+|&amp;|RT\s")


@lru_cache(maxsize=1)
def _identifier() -> Any:
    """py3langid's identifier (loaded once; ~1 s the first time)."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def normalise_tag(tag: str | None) -> str | None:
    """'en-GB' → 'en'; 'English' → 'en'; Twitter's 'in' → 'id' (`language_names.LEGACY_CODES`); 'und' → None."""
    if tag is None:
        return None
    t = tag.strip().casefold()
    if t in UNKNOWN_TAGS:
        return None
    if t in LANGUAGE_NAMES:
        return LANGUAGE_NAMES[t]
    return language_code(t) or None


@lru_cache(maxsize=1)
def _batch() -> Any:
    from botwatch.content.langid_batch import BatchClassifier

    return BatchClassifier(_identifier())


def detect_many(texts: list[str]) -> list[tuple[str | None, float | None]]:
    """`detect` of each text, the detector stepping through all of them at once."""
    clean = [_CLEAN.sub(" ", t) for t in texts]
    out: list[tuple[str | None, float | None]] = [(None, None)] * len(texts)
    todo = [i for i, c in enumerate(clean) if any(ch.isalpha() for ch in c)]
    for i, (lang, prob) in zip(todo, _batch().classify([clean[i] for i in todo])):
        out[i] = (lang, float(prob))
    return out


def detect(text: str) -> tuple[str | None, float | None]:
    """Detected language and its probability; (None, None) for text without letters."""
    clean = _CLEAN.sub(" ", text)
    if not any(ch.isalpha() for ch in clean):
        return None, None
    lang, prob = _identifier().classify(clean)
    return lang, float(prob)


def languages(lang: pa.Array, text: pa.Array) -> tuple[pa.Array, pa.Array, pa.Array]:
    """Per row: language, where it came from ('post' | 'py3langid' | NULL) and, for detected
    languages, the detector's probability. Tags are normalised once per distinct value; the
    detector runs only on rows without a usable tag."""
    enc = pc.dictionary_encode(lang.cast(pa.string()))
    mapped = pa.array([normalise_tag(v) for v in enc.dictionary.to_pylist()], pa.string())
    given = pc.take(mapped, enc.indices)  # NULL index → NULL
    out_lang = given.to_pylist()
    source: list[str | None] = ["post" if g is not None else None for g in out_lang]
    prob: list[float | None] = [None] * len(out_lang)
    missing = np.flatnonzero(np.asarray(pc.is_null(given).to_numpy(zero_copy_only=False), dtype=bool))
    if len(missing):
        texts = [t or "" for t in text.take(pa.array(missing)).to_pylist()]
        distinct = list(dict.fromkeys(texts))  # retweets repeat texts: detect each once
        found = dict(zip(distinct, detect_many(distinct)))
        for i, t in zip(missing.tolist(), texts):
            d, p_ = found[t]
            out_lang[i], source[i], prob[i] = d, ("py3langid" if d else None), p_
    return pa.array(out_lang, pa.string()), pa.array(source, pa.string()), pa.array(prob, pa.float64())


def is_english(lang: pa.Array) -> np.ndarray:
    return np.asarray(pc.fill_null(pc.equal(lang, "en"), False).to_numpy(zero_copy_only=False), dtype=bool)
