"""The stance model's features as a reader can check them in the post.

Why: `post_party.stance_evidence` lists the features that pushed a pair most toward its stance
(`LinearModel.predict`). Their names are the model's keys (`w=crooked`, `hb=tgt_won`,
`lex_clause_neg`, `sig=anti_tag`), which a journalist quoting a label cannot read and a researcher
has to look up in the code. Each family is said here in words, naming the word, hashtag or cue
the reader will find in the post, with the party placeholders said as "[party]" (the party of the
pair) and "[other party]" (another party the post names). A key of no known family is kept as it
is, so nothing is hidden. The vector blocks name no word at all (`embed.in_words`).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from botwatch.elections.contest import PARTY_WORDS, ContestWords, in_contest_words

_HOLDERS = {"tgt": "[party]", "oth": "[other party]"}

_SIGNALS = {
    "pro_tag": "a hashtag for the party",
    "anti_tag": "a hashtag against the party",
    "topic_tag": "a hashtag naming the party",
    "pro_kw": "a slogan for the party",
    "anti_kw": "a phrase against the party",
    "topic_kw": "a phrase naming the party",
    "own_account": "posted by the party's own account",
    "retweet_account": "a retweet of the party's account",
    "quote_account": "a quote of the party's account",
    "reply_account": "a reply to the party's account",
    "mention_account": "mentions the party's account",
}

_STYLE = {
    "shout": "words in capitals",
    "titlecase": "headline capitals",
    "link": "a link (the text not ending in ! or ?)",
    "alert": "an opening like “BREAKING”, “WATCH” or “lol”",
    "sarcasm": "sarcasm markers",
    "question": "a question",
    "exclaim": "an exclamation mark",
    "quoted": "a quotation",
}

_KINDS = {"original": "an original post", "retweet": "a retweet", "reply": "a reply", "quote": "a quote"}

# The lexicon cues are VADER's corrected net score (`features.pair_features`), not counts of words:
# `_pos`/`_neg` fire at >= 0.05 / <= -0.05. The clause score is the whole post's when the post
# names one party (only several parties get the clause naming this one scored apart).
_AROUND = "where the party is named (the whole post if it names one party)"
_LEXICON = {
    "lex_post": "the post's overall lexicon tone",
    "lex_post_pos": "the post's overall lexicon tone reads positive",
    "lex_post_neg": "the post's overall lexicon tone reads negative",
    "lex_clause": f"the lexicon tone {_AROUND}",
    "lex_clause_pos": f"a positive lexicon tone {_AROUND}",
    "lex_clause_neg": f"a negative lexicon tone {_AROUND}",
}


def _pair(value: str) -> str:
    """The two tokens of a `b=` key said as words. Tokens may hold "_" themselves (`#vote_leave`,
    a lone `_`), so the key's underscore between them is found: a split with a party placeholder
    on one side first, else the only split leaving two non-empty tokens; with several possible
    splits and no placeholder the key's text is shown as it is."""
    parts = value.split("_")
    splits = [("_".join(parts[:i]), "_".join(parts[i:])) for i in range(1, len(parts))]
    splits = [(a, b) for a, b in splits if a and b]
    held = [(a, b) for a, b in splits if a in _HOLDERS or b in _HOLDERS]
    if held or len(splits) == 1:
        a, b = (held or splits)[0]
        return f"{_HOLDERS.get(a, a)} {_HOLDERS.get(b, b)}"
    return value


@lru_cache(maxsize=65536)
def feature_in_words(feature: str) -> str:
    """One model feature key as words (a key of no known family: the key itself)."""
    if feature in _LEXICON:
        return _LEXICON[feature]
    family, eq, value = feature.partition("=")
    if not eq or not value:
        return feature
    if family == "w":
        return f"“{_HOLDERS.get(value, value)}”"
    if family == "b":
        return f"“{_pair(value)}”"
    if family == "hw":
        return f"the hashtag word “{_HOLDERS.get(value, value)}”"
    if family == "hb":
        return f"the hashtag words “{_pair(value)}”"
    if family == "c":
        return f"the letters “{value}”"
    if family == "party":
        return f"which party it is ({value})"
    if family == "sig" and value in _SIGNALS:
        return _SIGNALS[value]
    if family == "rival" and value in _SIGNALS:
        return f"another party's signal: {_SIGNALS[value].replace('the party', 'that party')}"
    if family == "named" and value.isdigit():
        return "parties named: " + (f"{value} or more" if value == "3" else value)
    if family == "kind":
        return _KINDS.get(value, f"the post's kind: {value}")
    if family == "style" and value in _STYLE:
        return _STYLE[value]
    return feature


# An evidence item naming a reshare ("a retweet", "a retweet of the party's account", "another
# party's signal: a retweet of …") starts the evidence, follows "; " or ": "; a word of the post
# is quoted (“retweet”) and left as it is.
_RESHARE_ITEM = r"(^|; |: )a retweet\b"


def reshare_evidence(evidence: Any, platforms: Any) -> Any:
    """The evidence strings (a pyarrow array) in the word of each row's platform (`platforms`, an
    array as long): the model's features are named once for every platform, and a Mastodon boost
    or a Bluesky repost read "a retweet" in `post_party.stance_evidence`."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from botwatch.reshare_words import reshare_words

    for p in pc.unique(platforms).to_pylist():
        noun = reshare_words([p]).noun
        if noun == "retweet":
            continue
        mask = pc.fill_null(pc.equal(platforms, pa.scalar(p, platforms.type)) if p is not None else pc.is_null(platforms), False)
        evidence = pc.if_else(mask, pc.replace_substring_regex(evidence, _RESHARE_ITEM, f"\\1a {noun}"), evidence)
    return evidence


_QUOTED = re.compile(r"(“[^”]*”)")


def _evidence_in_words(text: str, words: ContestWords) -> str:
    """One evidence string in `words`: botwatch's own phrases ("a retweet of the party's account",
    "[party]") follow the contest, a word of the post (“party”, quoted) stays as the post has it."""
    text = text.replace("[other party]", f"[other {words.one}]").replace("[party]", f"[{words.one}]")
    return "".join(piece if _QUOTED.fullmatch(piece) else in_contest_words(piece, words) for piece in _QUOTED.split(text))


def contest_evidence(evidence: Any, words: ContestWords) -> Any:
    """The evidence strings (a pyarrow array) in the contest's words: a referendum's pairs read
    "a hashtag for the party" and "[party]" where everything else about them says "side". Text
    for parties comes back as it is; each distinct string is reworded once (evidence repeats)."""
    if words == PARTY_WORDS or len(evidence) == 0:
        return evidence
    import pyarrow as pa
    import pyarrow.compute as pc

    coded = pc.dictionary_encode(evidence)
    said = pa.array([None if v is None else _evidence_in_words(v, words) for v in coded.dictionary.to_pylist()], pa.string())
    return pa.DictionaryArray.from_arrays(coded.indices, said).cast(evidence.type)
