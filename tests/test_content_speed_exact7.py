"""The content stage's word-vector features built from a post's shared token template
(`features.pair_vectors` / `post_vectors` through `masked_vector_ids`, and `embed._means` with one
`itemgetter`) must be the very floats of the plain path: each feature set's masked text tokenised
again and its ids looked up (`embed.pair_vector_features` / `post_vector_features`), summed row by
row. Texts hold every kind of party name, literal "tgt" / "oth", placeholder characters and
parties named twice (the plain path)."""

from __future__ import annotations

import math
import random

import pytest

from botwatch.content import embed
from botwatch.content import features as F
from botwatch.content.modelrun import shipped_models
from botwatch.elections import load_election

from tests.test_content_speed_exact3 import _cases


def _rows_means(columns: "list[list[float]]", ids: list[int], names: list[str]) -> dict[str, float]:
    """`embed._means` as first written: the rows' tuples zipped into columns, each summed
    (correctly rounded, `math.fsum`, as `_means` sums: the same on every Python)."""
    rows = [tuple(col[i] for col in columns) for i in ids]
    return dict(zip(names, [math.fsum(col) / len(rows) for col in zip(*rows)]))


def test_means_equal_summing_the_rows() -> None:
    rng = random.Random(7)
    columns = [[rng.uniform(-3, 3) for _ in range(50)] + [-0.0] for _ in range(3)]
    names = ["a", "b", "c"]
    for ids in [[50], [50, 50], [7], *([rng.randrange(51) for _ in range(n)] for n in [2, 3, 12, 40, *range(1, 30)])]:
        got = embed._means(columns, ids, names)
        assert list(got) == names and got == _rows_means(columns, ids, names)
        assert [str(x) for x in got.values()] == [str(x) for x in _rows_means(columns, ids, names).values()]  # -0.0 too
    assert embed._means(columns[:2], [3, 4], names[:2]) == _rows_means(columns[:2], [3, 4], names[:2])


def test_window_equals_the_positions_near_any_spot() -> None:
    rng = random.Random(8)
    for _ in range(3000):
        ids = [rng.choice([None, rng.randrange(100)]) for _ in range(rng.randint(0, 20))]
        spots = sorted(rng.sample(range(len(ids) + 2), k=min(rng.randint(1, 3), len(ids) + 2)))
        near = {j for k in spots for j in range(max(k - embed.WINDOW, 0), k + embed.WINDOW + 1)}
        assert embed._window(ids, spots) == [ids[j] for j in sorted(near) if j < len(ids) and ids[j] is not None]


@pytest.mark.parametrize("preset", ["uk-ge2017", "us-2016"])
def test_vector_features_from_the_template_equal_the_plain_ones(preset: str) -> None:
    election = load_election(preset)
    models = shipped_models()
    assert models is not None
    stance, sentiment = models
    assert stance.folded and sentiment.folded
    names = F.PartyNames.of(election)
    names.use_vocab([k for m in models for k in m.index], len(election.parties))
    names.use_folded(stance.folded, sentiment.folded)
    checked = templated = 0
    for text, only in _cases(election, 70, 16):
        for _ in range(2):  # the second round reads the template's ids already looked up
            want = embed.post_vector_features(F.tokens(F.mask(text, names, None, only)), sentiment.folded)
            assert F.post_vectors(text, names, only) == want, (text, only)
            for party in only:
                want = embed.pair_vector_features(F.tokens(F.mask(text, names, party, only)), stance.folded)
                assert F.pair_vectors(text, names, party, only) == want, (text, party, only)
                checked += 1
        templated += F._template(text, names, only) is not None
    assert checked > 5000 and templated > 1000
