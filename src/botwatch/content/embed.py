"""Dense word-vector features for the stance and sentiment models, read with numpy alone.

Why: the models' word features treat "traitor" and "treasonous" as unrelated, and a few thousand
hand-labelled posts cannot teach them otherwise. Word vectors learned without labels from about
a million real posts (scripts/build_word_vectors.py: word2vec skip-gram over the IRA, brexit-2016,
gop-debate, GE2017 and twarc2 texts, every labelled post and near copy left out) place such words
near each other, so a post's average vector, and the average of the words beside the party's
name, carry what one labelled word teaches to its neighbours.

The lookup (`word_vectors.npz`, next to this module) holds the 30,000 most frequent tokens of
that corpus, each vector of unit length, as float16 (3.7 MB). Tokens are `features.tokens` of the
cleaned, masked text: `tgt` (the target party's names) is not a corpus word and never counts;
`oth` (another party's names) happens to be one (a rare abbreviation), so a rival's name adds that
fixed vector, the same at training and at run time (a rebuilt lookup should drop it and the model
be retrained with it).

Features (names the model file knows; values scaled by `SCALE` so they weigh about as much as a
word feature under the same L2 penalty):
- `vp<i>`: the mean vector of the post's known tokens;
- `vt<i>`: the mean vector of the known tokens within `WINDOW` tokens of the target's name (pairs
  only; the post's mean where the name is not among the tokens).
"""

from __future__ import annotations

from functools import lru_cache
from math import fsum
from operator import itemgetter
from pathlib import Path

import numpy as np

from botwatch.content.evidence_words import feature_in_words

PATH = Path(__file__).with_name("word_vectors.npz")
# Whether the shipped models were trained with these features (a test keeps this in step with
# content_model.json; turning one on needs the model retrained: train_content_model.py --word-vectors).
STANCE = True
SENTIMENT = True
WINDOW = 3
SCALE = 3.0


class WordVectors:
    """Token -> unit vector, with the mean of many tokens computed in one numpy call."""

    def __init__(self, vocab: list[str], vectors: np.ndarray) -> None:
        self.index = {t: i for i, t in enumerate(vocab)}
        self.vectors = np.asarray(vectors, dtype=np.float32)
        self.dim = self.vectors.shape[1]
        self.post_names = [f"vp{i}" for i in range(self.dim)]
        self.target_names = [f"vt{i}" for i in range(self.dim)]

    @classmethod
    def load(cls, path: Path = PATH) -> "WordVectors":
        with np.load(path) as z:
            vocab = bytes(z["vocab"]).decode("utf-8").split("\n")
            return cls(vocab, z["vectors"])

    def mean(self, ids: list[int]) -> np.ndarray | None:
        """The mean vector of the rows `ids` (None for none)."""
        if not ids:
            return None
        return self.vectors[ids].mean(axis=0)

    def post_features(self, toks: list[str], scale: float = SCALE) -> dict[str, float]:
        """`vp<i>` of a post's tokens (empty when none has a vector)."""
        get = self.index.get
        m = self.mean([i for i in map(get, toks) if i is not None])
        return {} if m is None else dict(zip(self.post_names, (m * scale).tolist()))

    def pair_features(self, toks: list[str], window: int = WINDOW, scale: float = SCALE) -> dict[str, float]:
        """`vp<i>` and `vt<i>` of a masked post's tokens (the target's name is `tgt`)."""
        get = self.index.get
        ids = [get(t) for t in toks]
        known = [i for i in ids if i is not None]
        post = self.mean(known)
        if post is None:
            return {}
        spots = [k for k, t in enumerate(toks) if t == "tgt"]
        win = self.mean(_window(ids, spots, window))
        target = post if win is None else win
        out = dict(zip(self.post_names, (post * scale).tolist()))
        out.update(zip(self.target_names, (target * scale).tolist()))
        return out


@lru_cache(maxsize=1)
def shipped() -> WordVectors:
    """The lookup shipped with the package (loaded once)."""
    return WordVectors.load(PATH)


# Run time: the models are linear, so a vector block's contribution to class c, sum_i w_ic SCALE
# mean(v)_i, is the mean over the tokens of (SCALE V W)[token, c]: `fold` multiplies the lookup by
# a model's vector weights once, and the features become one number per class ("vp:oppose") whose
# weight row is that class's indicator. The same sums (up to float rounding) at a fraction of the
# cost: 64 dictionary entries per block and per feature set were half the stage's model time.
# The folded tables travel with the model (`LinearModel.folded`, from the dict's "folded") and
# reach the features only through `PartyNames.use_folded`, which the stage calls with the models
# it loaded: features built without it (training, scripts/train_content_model.py) are the plain
# `vp<i>` / `vt<i>` ones, whatever else the process has loaded.
Folded = dict[str, "list[list[float]]"]  # "vp" / "vt" -> one column of (SCALE V W) per class


def is_vector_key(k: str) -> bool:
    """Whether `k` is one of the plain vector features (`vp<i>`, `vt<i>`), the ones `fold` projects."""
    return k[:2] in ("vp", "vt") and k[2:].isdigit()


def fold(model: dict, wv: "WordVectors | None" = None) -> dict:
    """`model` (a content_model.json part) with `vp:<j>` / `vt:<j>` indicator rows added (class
    j of the model's own `classes` order, so a model file listing its classes in another order
    folds as correctly), and the projected lookup under "folded" (absent when the model has no
    vector weights). The plain `vp<i>` / `vt<i>` weights stay: features built without
    `PartyNames.use_folded` still get the trained model's answers (slower), not silently none."""
    w, classes = model["weights"], model["classes"]
    if not any(map(is_vector_key, w)):
        return model
    wv = wv or shipped()
    out = dict(w)
    tables: Folded = {}
    n = len(classes)
    vectors = wv.vectors.astype(np.float64)  # once for both blocks (30,000 x 64)
    for pre in ("vp", "vt"):
        mat = np.array([w.get(f"{pre}{i}", [0.0] * n) for i in range(wv.dim)], dtype=np.float64)
        if not mat.any():
            continue
        # Stored by column: a feature set's means are then one `fsum` of a column's entries per
        # class (`_means`).
        tables[pre] = ((vectors @ mat) * SCALE).T.tolist()
        for c in range(n):
            out[f"{pre}:{c}"] = [1.0 if j == c else 0.0 for j in range(n)]
    return {**model, "weights": out, "folded": tables}


def _means(columns: "list[list[float]]", ids: list[int], names: list[str]) -> dict[str, float]:
    """Column means of the rows `ids`: the correctly rounded sum of each column's entries
    (`math.fsum`) over their count. Not the builtin `sum`: from Python 3.12 it adds floats with
    Neumaier's compensation, 3.11 left to right, so the features (and, near a decision boundary,
    a label) would depend on the interpreter; `fsum`'s one exact answer is the same on every
    version and in any order. Plain Python: for a post's dozen tokens and three columns it takes
    half the time of numpy's indexing and mean; one `itemgetter` picks the entries of each column."""
    n = len(ids)
    pick = itemgetter(*ids) if n > 1 else lambda col: (col[ids[0]],)
    if len(columns) == 3:
        a, b, c = columns
        return {names[0]: fsum(pick(a)) / n, names[1]: fsum(pick(b)) / n, names[2]: fsum(pick(c)) / n}
    return dict(zip(names, [fsum(pick(col)) / n for col in columns]))


def _window(ids: "list[int | None]", spots: "list[int]", window: int = WINDOW) -> list[int]:
    """The known ids within `window` tokens of any of `spots`, in token order (one spot, the
    common case: a slice, the same positions)."""
    if len(spots) == 1:
        k = spots[0]
        return [i for i in ids[max(k - window, 0) : k + window + 1] if i is not None]
    near = {j for k in spots for j in range(max(k - window, 0), k + window + 1)}
    return [ids[j] for j in sorted(near) if j < len(ids) and ids[j] is not None]


def pair_vector_ids(ids: "list[int | None]", spots: "list[int]", tables: Folded, keep: "list | None" = None) -> dict[str, float]:
    """The stance model's folded vector features from the lookup ids of a masked post's tokens
    (None: no vector) and the positions of its `tgt` tokens. `keep`: a list that gets this
    feature set's (known ids, ids of the target's window or the known ones), or None where no
    token has a vector, for the tree blend's unfolded means (`modelrun.TreeBlend`), so the ids
    are not looked up or filtered a second time."""
    known = [i for i in ids if i is not None]
    if not known:
        if keep is not None:
            keep.append(None)
        return {}
    out = _means(tables["vp"], known, _names("vp", tables["vp"])) if "vp" in tables else {}
    if "vt" in tables or keep is not None:
        win = _window(ids, spots) or known
        if keep is not None:
            keep.append((known, win))
        if "vt" in tables:
            out.update(_means(tables["vt"], win, _names("vt", tables["vt"])))
    return out


def post_vector_ids(ids: "list[int | None]", tables: Folded, keep: "list | None" = None) -> dict[str, float]:
    """The sentiment model's folded vector features from the lookup ids of a post's tokens
    (`keep`: as `pair_vector_ids`, the known ids alone)."""
    known = [i for i in ids if i is not None]
    if keep is not None:
        keep.append((known, None) if known else None)
    if not known or "vp" not in tables:
        return {}
    return _means(tables["vp"], known, _names("vp", tables["vp"]))


def pair_vector_features(toks: list[str], tables: "Folded | None" = None, keep: "list | None" = None) -> dict[str, float]:
    """The stance model's vector features of a masked post: folded with `tables` (a folded
    model's, `fold`), `WordVectors.pair_features` without (training)."""
    wv = shipped()
    if tables is None:
        return wv.pair_features(toks)
    return pair_vector_ids(list(map(wv.index.get, toks)), [k for k, t in enumerate(toks) if t == "tgt"], tables, keep)


def post_vector_features(toks: list[str], tables: "Folded | None" = None, keep: "list | None" = None) -> dict[str, float]:
    """The sentiment model's vector features of a post (folded as `pair_vector_features`)."""
    wv = shipped()
    if tables is None:
        return wv.post_features(toks)
    return post_vector_ids(list(map(wv.index.get, toks)), tables, keep)


# The folded features' names: column j of a folded table is class j of its model (see `fold`).
_THREE = {pre: [f"{pre}:{j}" for j in range(3)] for pre in ("vp", "vt")}


def _names(pre: str, columns: "list[list[float]]") -> list[str]:
    """`<pre>:<j>` for each column of a folded table (three, the shipped models, kept built)."""
    return _THREE[pre] if len(columns) == 3 else [f"{pre}:{j}" for j in range(len(columns))]


_IN_WORDS = {"vp": "the post's words taken together (word vectors)", "vt": "the words beside the party's name (word vectors)"}


def in_words(feature: str) -> str:
    """A feature name as the evidence column shows it: the vector blocks (`vp<i>`, `vp:<j>`,
    `vt…`), which name no word a reader could check, said as what they summarise; every other
    feature as the word, hashtag or cue a reader finds in the post (`evidence_words`)."""
    pre = feature[:2]
    if is_vector_key(feature) or (pre in _IN_WORDS and feature[2:3] == ":" and feature[3:].isdigit()):
        return _IN_WORDS[pre]
    return feature_in_words(feature)
