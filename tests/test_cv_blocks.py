"""The shared arguments and answer cache of the feature-block CV scripts (scripts/cv_word_vectors.py):
each script keeps its answers in its own subfolder of `--cache`, so variants that share a name
(`ship`, `all`) in two scripts never read each other's answers; and the fifteenth round's stance
variants (scripts/cv_stance_kinds.py) drop exactly the features they name; and the seventeenth round's speaker
feature and headline gates (scripts/cv_stance_speaker.py)."""

from __future__ import annotations

from pathlib import Path

from testsupport.scripts import load_script


def test_each_script_caches_in_its_own_folder(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    m = load_script("cv_word_vectors")
    seen: list[Path] = []
    monkeypatch.setattr(m, "measure_blocks", lambda st, se, co, r, b, cache, oof: seen.append(cache))
    args = m.block_parser("ship", "ship", "ship/ship").parse_args(["--cache", str(tmp_path), "--repeats", "2"])
    assert (args.stance, args.sentiment, args.combos, args.repeats, args.boot) == ("ship", "ship", "ship/ship", 2, 300)
    m.run_blocks(args, None, "cv_a")
    m.run_blocks(args, None, "cv_b")
    assert seen == [tmp_path / "cv_a", tmp_path / "cv_b"]
    m.run_blocks(m.block_parser("a", "b", "a/b").parse_args([]), None, "cv_a")
    assert seen[-1] == Path("")  # no cache asked for: none used


def test_cached_runs_are_read_back(tmp_path: Path) -> None:
    m = load_script("cv_word_vectors")
    calls: list[int] = []

    def fit(seed: int) -> list[str]:
        calls.append(seed)
        return ["oppose", str(seed)]

    assert m.cached_runs(tmp_path / "cv_a", "stance-ship", 2, fit) == [["oppose", "0"], ["oppose", "1"]]
    assert m.cached_runs(tmp_path / "cv_a", "stance-ship", 2, fit) == [["oppose", "0"], ["oppose", "1"]]
    assert calls == [0, 1]


def test_stance_kind_variants_drop_what_they_name() -> None:
    m = load_script("cv_stance_kinds")
    tag_only = {"sig=topic_tag": 1.0, "w=tgt": 1.0, "b=the_tgt": 1.0, "hw=tgt": 1.0, "hb=tgt_debate": 1.0, "w=the": 1.0, "w=tgtx": 1.0}
    named = {**tag_only, "sig=topic_kw": 1.0}
    assert m.transform(named, "ship") == named
    assert m.transform(named, "nohw") == {k: v for k, v in named.items() if k != "hw=tgt"}
    assert m.transform(named, "silent") == named  # the party is also named in the words
    assert set(m.transform(tag_only, "silent")) == {"sig=topic_tag", "w=the", "w=tgtx"}
    assert set(m.transform(tag_only, "nohw-silent")) == {"sig=topic_tag", "w=the", "w=tgtx"}
    assert m.transform(tag_only, "bal1") == tag_only


def test_per_election_weights_equal_pooled_ones_for_one_election() -> None:
    """With one election the per-election class weights are the pooled ones: the same model."""
    import numpy as np

    m = load_script("cv_stance_kinds")
    t = load_script("train_content_model")
    items = [({"w=a": 1.0, "w=b": float(i % 3 == 0)}, lab) for i, lab in enumerate(["support"] * 3 + ["oppose"] * 6 + ["neutral"] * 11)]
    tagged = [({**f, "_el=uk-ge2017": 1.0}, y) for f, y in items]
    v1, c1 = t.fit(items, ["support", "oppose", "neutral"], 0.3, balance=0.5)
    v2, c2 = m.fit_per_election(tagged, ["support", "oppose", "neutral"], 0.3, balance=0.5)
    assert v1.feature_names_ == v2.feature_names_
    assert np.allclose(c1.coef_, c2.coef_)


def test_source_weight_one_is_the_plain_fit() -> None:
    """Ordinary tweets weighted 1 give the plain model: the mark is only bookkeeping."""
    import numpy as np

    m = load_script("cv_stance_kinds")
    t = load_script("train_content_model")
    items = [({"w=a": 1.0, "w=b": float(i % 3 == 0)}, lab) for i, lab in enumerate(["support"] * 3 + ["oppose"] * 6 + ["neutral"] * 11)]
    marked = [(({**f, m._SRC: 1.0} if i % 2 else f), y) for i, (f, y) in enumerate(items)]
    v1, c1 = t.fit(items, ["support", "oppose", "neutral"], 0.3, balance=0.5)
    v2, c2 = m.fit_source_weighted(1.0)(marked, ["support", "oppose", "neutral"], 0.3, balance=0.5)
    assert v1.feature_names_ == v2.feature_names_ and m._SRC not in v2.feature_names_
    assert np.allclose(c1.coef_, c2.coef_)
    _v3, c3 = m.fit_source_weighted(0.5)(marked, ["support", "oppose", "neutral"], 0.3, balance=0.5)
    assert not np.allclose(c1.coef_, c3.coef_)


def test_context_variants_keep_only_what_they_name() -> None:
    """The sixteenth round's variants (scripts/cv_stance_context.py): `ship` is the shipped
    feature set exactly, so its cached answers are the shipped model's."""
    m = load_script("cv_stance_context")
    f = {"w=tgt": 1.0, "ctx=0": 1.0, "foreign=1": 1.0, "lex_post": -0.2}
    assert m.transform(f, "ship") == {"w=tgt": 1.0, "lex_post": -0.2}
    assert m.transform(f, "ctx") == {"w=tgt": 1.0, "ctx=0": 1.0, "lex_post": -0.2}
    assert m.transform(f, "foreign") == {"w=tgt": 1.0, "foreign=1": 1.0, "lex_post": -0.2}
    assert m.transform(f, "ctx-foreign") == f


def test_context_features_read_the_election_files() -> None:
    """A UK pair's country cues come from uk-ge2017's `context_cues`, and a US party's name
    (us-2016's names) marks another country's story."""
    from botwatch.content.features import PartyNames
    from botwatch.elections import load_election

    m = load_script("cv_stance_context")
    cues, others = m._by_parties()[frozenset(PartyNames.of(load_election("uk-ge2017")).parties)]
    assert m.context_features("Corbyn at Westminster: the NHS and Brexit https://t.co/x", cues, others) == {"ctx=2": 1.0}
    assert m.context_features("Farage says the MP lied", cues, others) == {"ctx=1": 1.0}
    assert m.context_features("Nigel Farage passionately defends President Trump", cues, others) == {"ctx=0": 1.0, "foreign=1": 1.0}


def test_neutral_offset_is_chosen_on_the_items_given() -> None:
    """scripts/cv_stance_neutral_offset.py: the offset moves only the neutral column, and the
    one chosen is the grid's best for the scores given (nearest 0 on ties)."""
    import numpy as np

    m = load_script("cv_stance_neutral_offset")
    classes = ["support", "oppose", "neutral"]
    scores = np.array([[0.0, 1.0, 0.8], [0.0, 0.5, 0.9], [2.0, 0.0, 0.0]])
    assert m.with_offset(scores, classes, 0.0) == ["oppose", "neutral", "support"]
    assert m.with_offset(scores, classes, 0.3) == ["neutral", "neutral", "support"]
    gold = ["neutral", "neutral", "support"]
    assert m.choose(scores, gold, ["uk"] * 3, classes, False, (-0.5, 0.0, 0.3, 0.5)) == {"uk": 0.3}
    assert m.choose(scores, ["oppose", "neutral", "support"], ["uk"] * 3, classes, True, (-0.5, 0.0, 0.3)) == {"uk": 0.0}


def test_speaker_variants_keep_only_what_they_name() -> None:
    """The seventeenth round's variants (scripts/cv_stance_speaker.py): `ship` is the shipped
    feature set exactly, so its cached answers are the shipped model's."""
    m = load_script("cv_stance_speaker")
    f = {"w=tgt": 1.0, "spk=tgt": 1.0, "spk=oth": 1.0, "lex_post": 0.0}
    assert m.transform(f, "ship") == {"w=tgt": 1.0, "lex_post": 0.0}
    assert m.transform(f, "spktgt") == {"w=tgt": 1.0, "spk=tgt": 1.0, "lex_post": 0.0}
    assert m.transform(f, "spk") == f


def test_speaker_feature_reads_the_colon_the_tokenizer_drops() -> None:
    """A real dev post (train_stance_labels.csv, uk_train3, read neutral toward UKIP): the party's
    figure speaks; the words alone ("tgt this young generation …") do not say so."""
    from botwatch.content.features import PartyNames, tokens
    from botwatch.elections import load_election

    m = load_script("cv_stance_speaker")
    names = PartyNames.of(load_election("uk-ge2017"))
    post = "Nigel Farage: \"This young generation that scream the word 'fascist' have now become the fascists themselves.\""
    assert m.speaker_features(post, names, "ukip", ["ukip"]) == {"spk=tgt": 1.0}
    assert ":" not in "".join(tokens(post.casefold()))
    assert m.speaker_features(post, names, "labour", ["ukip"]) == {"spk=oth": 1.0}
    assert m.speaker_features("Farage says the young are fascists", names, "ukip", ["ukip"]) == {}


def test_headline_gates_turn_only_flat_headline_answers_neutral() -> None:
    """The guide's headline rule as a gate (scripts/cv_stance_speaker.py --gate): a support or
    oppose answer turns neutral only on a headline-like post whose lexicon tone is flat."""
    m = load_script("cv_stance_speaker")
    gate = m.GATES["headline, whole post's tone flat"]
    headline = {"style=link": 1.0, "lex_post": 0.0, "lex_clause": 0.0}
    assert m.gated("oppose", headline, gate) == "neutral"
    assert m.gated("oppose", {**headline, "lex_post": -0.4}, gate) == "oppose"
    assert m.gated("support", {"lex_post": 0.0, "lex_clause": 0.0}, gate) == "support"
    assert m.gated("neutral", headline, gate) == "neutral"
