"""The word-vector lookup of the content models (content.embed): shipped, aligned, compact, and fed
to the models exactly when they were trained with it."""

from __future__ import annotations

import json
from importlib import resources

import numpy as np
import pytest

from botwatch.content import embed


@pytest.fixture(scope="module")
def wv() -> embed.WordVectors:
    return embed.WordVectors.load()


def test_lookup_is_compact_unit_float16(wv: embed.WordVectors) -> None:
    assert embed.PATH.stat().st_size < 6_000_000
    with np.load(embed.PATH) as z:
        assert z["vectors"].dtype == np.float16
        assert z["vectors"].shape == (len(wv.index), wv.dim)
    assert 20_000 <= len(wv.index) <= 40_000 and 32 <= wv.dim <= 100
    norms = np.linalg.norm(wv.vectors, axis=1)
    assert np.allclose(norms, 1.0, atol=2e-3)
    assert "tgt" not in wv.index  # the target's mask never has a vector ("oth" does: see content.embed)


def _nearest(wv: embed.WordVectors, word: str, among: list[str]) -> str:
    v = wv.vectors[wv.index[word]]
    return max(among, key=lambda w: float(wv.vectors[wv.index[w]] @ v))


def test_vectors_are_aligned_with_their_tokens(wv: embed.WordVectors) -> None:
    """Learned without labels, yet related words sit together: a shifted or shuffled vocabulary
    (tokens read against the wrong rows) fails this."""
    assert _nearest(wv, "lol", ["haha", "brexit", "tax", "senate"]) == "haha"
    assert _nearest(wv, "traitor", ["traitors", "weather", "music", "monday"]) == "traitors"
    assert _nearest(wv, "hillary", ["clinton", "football", "rain", "coffee"]) == "clinton"


def test_pair_features_average_the_words_beside_the_target(wv: embed.WordVectors) -> None:
    toks = "lol the tgt is a traitor and oth is great".split()
    f = wv.pair_features(toks, window=2, scale=1.0)
    vec = lambda name: np.array([f[f"{name}{i}"] for i in range(wv.dim)])  # noqa: E731
    known = [t for t in toks if t in wv.index]
    post = np.mean([wv.vectors[wv.index[t]] for t in known], axis=0)
    near = [t for t in ("lol", "the", "is", "a") if t in wv.index]
    assert np.allclose(vec("vp"), post, atol=1e-6)
    assert np.allclose(vec("vt"), np.mean([wv.vectors[wv.index[t]] for t in near], axis=0), atol=1e-6)
    # The target's own name never counts, and another target gives other words beside it.
    assert wv.pair_features(["tgt"]) == {}
    g = wv.pair_features("lol the oth is a traitor and tgt is great".split(), window=2, scale=1.0)
    assert not np.allclose([g[f"vt{i}"] for i in range(wv.dim)], vec("vt"))
    assert set(wv.post_features(toks)) == {f"vp{i}" for i in range(wv.dim)}


def test_folded_means_are_correctly_rounded_on_every_python() -> None:
    """`embed._means` adds a column's entries exactly once (`math.fsum`): a study re-run under
    another interpreter gets the same vector features. The builtin `sum` does not: Python 3.11
    adds left to right (1e16 + 1 - 1e16 gives 0), 3.12 and later with Neumaier's compensation,
    which still rounds 1 + 2**-53 + 2**-106 (just above half an ulp past 1) down to 1."""
    columns = [[1e16, 1.0, -1e16, 0.5], [1.0, 2.0**-53, 2.0**-106, 0.5], [0.1, 0.2, 0.3, 0.5]]
    names = ["vp:0", "vp:1", "vp:2"]
    got = embed._means(columns, [0, 1, 2], names)
    assert got == {"vp:0": 1.0 / 3, "vp:1": (1.0 + 2.0**-52) / 3, "vp:2": 0.6 / 3}
    assert got["vp:0"] != sum(columns[0][:3]) / 3 or got["vp:1"] != sum(columns[1][:3]) / 3  # builtin sum: one of them, any version
    # Any order of the same tokens, and a table of other than three columns, the same means.
    assert embed._means(columns, [2, 1, 0], names) == got
    assert embed._means(columns[:2], [1, 0, 2], names[:2]) == {k: got[k] for k in names[:2]}
    assert embed._means(columns, [3], names) == dict.fromkeys(names, 0.5)


def test_word_vector_flags_match_the_shipped_model() -> None:
    """A model trained with the vector features needs the stage to emit them, and one trained
    without must not be fed them: embed.STANCE / SENTIMENT must be what the model file records."""
    model = json.loads((resources.files("botwatch.content") / "content_model.json").read_bytes())
    for name, on in (("stance", embed.STANCE), ("sentiment", embed.SENTIMENT)):
        assert model[name].get("word_vectors", False) == on, name
        assert any(k.startswith("vp") and k[2:].isdigit() for k in model[name]["weights"]) == on, name


def test_folded_vectors_give_the_unfolded_probabilities() -> None:
    """At run time the vector weights are folded into the lookup (`embed.fold`); the answers must
    be those of the model as trained (64 features per block), to float rounding."""
    from botwatch.content.features import PartyNames, pair_features, post_features
    from botwatch.content.modelrun import LinearModel
    from botwatch.content.sentiment import SentimentScorer
    from botwatch.elections import load_election

    model = json.loads((resources.files("botwatch.content") / "content_model.json").read_bytes())
    names = PartyNames.of(load_election("uk-ge2017"))
    sc = SentimentScorer()
    texts = [("Corbyn is a disgrace and Labour lied again", ["labour"]), ("Great rally for the Tories today, well done Theresa May!", ["conservative"]),
             ("Labour and the Tories both failed us on Brexit", ["labour", "conservative"])]
    for task in ("stance", "sentiment"):
        if not model[task].get("word_vectors"):
            continue
        names.folded = None
        plain = LinearModel.from_dict(model[task])
        feats = lambda: [pair_features(t, names, ps[0], [], [], len(ps), "original", sc.score, named=ps) if task == "stance"  # noqa: E731
                         else post_features(t, names, ps, "original", sc.score, parts=sc.parts(t)) for t, ps in texts]
        full = feats()
        assert all(any(k.startswith("vp") for k in f) for f in full)
        folded_model = LinearModel.from_dict(embed.fold(model[task]))
        assert folded_model.folded and plain.folded is None
        names.use_folded(folded_model.folded, folded_model.folded)
        folded = feats()
        assert all(len([k for k in f if k.startswith(("vp", "vt"))]) <= 6 for f in folded)
        for a, b in zip(full, folded):
            assert np.allclose(plain.proba(a), folded_model.proba(b), atol=1e-9)


def test_loading_the_shipped_models_does_not_fold_other_features() -> None:
    """Folding is asked for, not a side effect: a process that loaded the shipped (folded) models
    and then builds training features (a `PartyNames` without `use_folded`) gets the plain
    `vp<i>` / `vt<i>` features the training script fits on."""
    from botwatch.content.features import PartyNames, pair_features, post_features
    from botwatch.content.modelrun import shipped_models
    from botwatch.content.sentiment import SentimentScorer
    from botwatch.elections import load_election

    models = shipped_models()
    assert models is not None and all(m.folded for m in models)
    names = PartyNames.of(load_election("uk-ge2017"))
    sc = SentimentScorer()
    text = "Corbyn is a disgrace and Labour lied again"
    pair = pair_features(text, names, "labour", [], [], 1, "original", sc.score, named=["labour"])
    post = post_features(text, names, ["labour"], "original", sc.score)
    assert {"vp0", "vt0"} <= set(pair) and "vp0" in post
    assert not any(":" in k for k in pair if k.startswith(("vp", "vt")))
    names.use_folded(models[0].folded, models[1].folded)
    pair = pair_features(text, names, "labour", [], [], 1, "original", sc.score, named=["labour"])
    assert "vp:1" in pair and "vp0" not in pair


def test_fold_follows_the_model_files_class_order_and_keeps_the_plain_weights() -> None:
    """A model file listing its classes in another order (weights and bias permuted to match)
    must answer the same after folding; and a folded model fed the plain `vp<i>` features (a
    caller that never asked for folded ones) must still give the trained answers, not ignore them."""
    from botwatch.content.features import PartyNames, pair_features
    from botwatch.content.modelrun import LinearModel
    from botwatch.content.sentiment import SentimentScorer
    from botwatch.elections import load_election

    model = json.loads((resources.files("botwatch.content") / "content_model.json").read_bytes())["stance"]
    perm = [1, 0, 2]
    swapped = {**model, "classes": [model["classes"][j] for j in perm], "bias": [model["bias"][j] for j in perm],
               "weights": {k: [v[j] for j in perm] for k, v in model["weights"].items()}}
    names = PartyNames.of(load_election("uk-ge2017"))
    sc = SentimentScorer()
    text = "Corbyn is a disgrace and Labour lied again"
    plain_feats = pair_features(text, names, "labour", [], [], 1, "original", sc.score, named=["labour"])
    plain = LinearModel.from_dict(model).proba(plain_feats)
    for m, order in ((model, [0, 1, 2]), (swapped, perm)):
        folded = LinearModel.from_dict(embed.fold(m))
        names.use_folded(folded.folded, None)
        got = folded.proba(pair_features(text, names, "labour", [], [], 1, "original", sc.score, named=["labour"]))
        assert np.allclose(got, plain[order], atol=1e-9)
        assert np.allclose(folded.proba(plain_feats), plain[order], atol=1e-12)
        names.folded = None


def test_vector_features_are_said_in_words_in_the_evidence() -> None:
    """`stance_evidence` lists the model's strongest features; the vector blocks name no word a
    reader could check, so they are said as what they summarise; the other families as the word or
    cue itself (`evidence_words`), and a key of no known family is left as is."""
    assert embed.in_words("vp:1") == embed.in_words("vp17") == "the post's words taken together (word vectors)"
    assert embed.in_words("vt:0") == embed.in_words("vt3") == "the words beside the party's name (word vectors)"
    assert embed.in_words("w=tgt") == "“[party]”"
    assert embed.in_words("lex_clause_neg") == "a negative lexicon tone where the party is named (the whole post if it names one party)"
    assert embed.in_words("party=labour") == "which party it is (labour)"
    for other in ("vpn", "vp:x", "vt", "zz=1", "w=", "sig=made_up"):
        assert embed.in_words(other) == other


def test_stage_evidence_holds_no_vector_feature_names(analysed_sample_path) -> None:  # type: ignore[no-untyped-def]
    """End to end on the bundled sample (us-2016, every stage): model-decided pairs have evidence,
    and no `vp…`/`vt…` feature name reaches `post_party.stance_evidence`."""
    import re

    import duckdb

    with duckdb.connect(str(analysed_sample_path), read_only=True) as con:
        rows = [r[0] for r in con.sql("select stance_evidence from post_party where stance_rule = 'model'").fetchall()]
    assert rows and all(rows)
    assert not any(re.search(r"(^|; )v[pt](:?\d+)(;|$)", e) for e in rows)
    # Nor any key of a family said in words (`evidence_words`): a word, a cue or a signal.
    assert not any(re.search(r"(^|; |: )(w|b|hw|hb|party|sig|rival|named|kind|style)=|lex_(post|clause)", e) for e in rows)
    assert any("“" in e for e in rows)
