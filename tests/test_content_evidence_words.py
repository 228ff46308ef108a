"""The stance model's feature keys said in words in `post_party.stance_evidence`
(`content.evidence_words`)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from botwatch.content import features

from botwatch.content.evidence_words import feature_in_words
from botwatch.content.features import style_features
from botwatch.content.match import SIGNALS


@pytest.mark.parametrize(("key", "words"), [
    ("w=crooked", "“crooked”"),
    ("w=oth", "“[other party]”"),
    ("b=tgt_won", "“[party] won”"),
    ("b=vote_oth", "“vote [other party]”"),
    ("b=#vote_leave_tgt", "“#vote_leave [party]”"),
    ("b=brexit__", "“brexit _”"),
    ("b=a_b_c", "“a_b_c”"),
    ("hw=maga", "the hashtag word “maga”"),
    ("hb=never_tgt", "the hashtag words “never [party]”"),
    ("c= cor", "the letters “ cor”"),
    ("party=conservative", "which party it is (conservative)"),
    ("sig=anti_tag", "a hashtag against the party"),
    ("rival=pro_tag", "another party's signal: a hashtag for that party"),
    ("named=1", "parties named: 1"),
    ("named=3", "parties named: 3 or more"),
    ("kind=retweet", "a retweet"),
    ("kind=original", "an original post"),
    ("style=sarcasm", "sarcasm markers"),
    ("lex_post", "the post's overall lexicon tone"),
    ("lex_clause_pos", "a positive lexicon tone where the party is named (the whole post if it names one party)"),
    ("lex_post_neg", "the post's overall lexicon tone reads negative"),
])
def test_each_family_is_said_as_the_reader_finds_it(key: str, words: str) -> None:
    assert feature_in_words(key) == words


def test_every_signal_and_style_the_features_make_has_words() -> None:
    """Every match signal and every style cue the feature builder can emit is said in words, so a
    signal or cue added later without words fails here instead of printing its key."""
    for s in SIGNALS:
        assert "=" not in feature_in_words(f"sig={s}") and "=" not in feature_in_words(f"rival={s}")
    texts = ["BREAKING: THE PARTY LIED!", "Is this Labour's Great New Plan Really?", 'they said "the party wins" https://t.co/x',
             "oh sure, great job /s", "Yeah right, genius move... #not"]
    styles = {k for t in texts for k in style_features(t)}
    assert {"style=shout", "style=exclaim", "style=question", "style=link", "style=quoted"} <= styles
    # Every style key the builder's source can write, not only those these texts trigger.
    source = Path(features.__file__).read_text(encoding="utf-8")
    written = {f"style={k}" for k in re.findall(r'"style=(\w+)"', source)}
    assert styles <= written and len(written) >= 8
    for k in written:
        assert feature_in_words(k) != k


@pytest.mark.parametrize("key", ["", "w", "w=", "unknown=1", "sig=nothing", "style=new", "named=x", "lex_post_other", "vp:1"])
def test_keys_of_no_known_family_stay_as_they_are(key: str) -> None:
    """Nothing is hidden: a key the module does not know is printed as the key."""
    assert feature_in_words(key) == key


def test_attacker_words_pass_through_unchanged_for_the_writers_to_escape() -> None:
    """A post's own word reaches the evidence as written (the report and exports escape it)."""
    assert feature_in_words("w=<script>") == "“<script>”"


def test_a_boost_or_a_repost_is_said_in_its_platforms_word_in_the_stance_evidence(tmp_path: Path) -> None:
    """The model's feature `kind=retweet` reads "a retweet", and every platform's reshare is stored
    with that kind: a Mastodon boost and a Bluesky repost decided by the model read "a retweet" in
    `post_party.stance_evidence`, a word those platforms do not use. Quoted words of the post stay."""
    import csv

    import duckdb
    from typer.testing import CliRunner

    from botwatch.cli import app

    cols = ("post_id", "account_id", "handle", "created_at", "text", "kind", "ref_post_id", "ref_account_id", "lang")
    runner = CliRunner()
    study = tmp_path / "s.duckdb"
    for platform in ("twitter", "mastodon", "bluesky"):
        src = tmp_path / f"{platform}.csv"
        with src.open("w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(cols)
            for i, text in enumerate(["Jeremy Corbyn #GE2017", "Conservatives #GE2017", "Lib Dems #GE2017", "Tory #GE2017"]):
                w.writerow([f"{platform}{i}", f"a{i}", f"u{i}", f"2017-05-2{i}T10:00:00Z", text, "retweet", f"o{i}", "z", "en"])
        res = runner.invoke(app, ["ingest", str(study), str(src), "--platform", platform, "--columns", ",".join(f"{c}={c}" for c in cols)])
        assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["analyze", str(study), "-e", "uk-ge2017", "--only", "content"])
    assert res.exit_code == 0, res.output
    with duckdb.connect(str(study), read_only=True) as db:
        said = dict(db.sql("SELECT platform, string_agg(stance_evidence, ' | ') FROM post_party WHERE stance_rule = 'model' GROUP BY 1").fetchall())
    assert re.search(r"(^|; |: )a retweet\b", said["twitter"]), said  # the model does name the kind of these posts
    assert re.search(r"(^|; |: )a boost\b", said["mastodon"]) and "retweet" not in said["mastodon"], said
    assert re.search(r"(^|; |: )a repost\b", said["bluesky"]) and "retweet" not in said["bluesky"], said
