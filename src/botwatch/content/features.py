"""Sparse features of a post, and of a (post, party) pair, for the stance and sentiment models.

Stance toward a party is read from the words around *that* party: every name of the party in the
post (keywords, hashtags, handles, name fragments inside hashtags) is replaced by the token `tgt`
and every other party's names by `oth`, so "tgt traitor", "#lock… tgt" or "oth … tgt wins" are
features a linear model can weigh, and the same post gives different features for each party it
names. Lexicon scores (VADER with political slips corrected, see `sentiment.py`) are taken on the
whole post and on the clause that names the party.

Features are strings (a name, or "name=value"); numeric ones carry a value. They are the same at
training (scripts/train_content_model.py) and at run time, since both call this module.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from botwatch.content import embed
from botwatch.content.normalize import TAG_SPELLINGS, norm_tag
from botwatch.elections.model import Election
from botwatch.script_twins import one_script
from botwatch.tag_spellings import YE, YO

_URL = re.compile(r"https?://\S+|\bt\.co/\S+")
_TOKEN = re.compile(r"#?[a-z0-9_']+|[!?]+|[\U0001F300-\U0001FAFF\u2600-\u27BF]")
_CLAUSE = re.compile(r"(?<=[.!?;:|\u2026])\s+|\s+[-\u2013\u2014]\s+|\n+")
_HEADLINE_START = re.compile(r"^(?:#\w+\s+)*(breaking|watch|video|boom|wow|lol|shock|bombshell|just in|confirmed|report|new post|news post)\b", re.I)
_WORD3 = re.compile(r"[A-Za-z]{3,}")
# Every word `SARCASM` can match, lower-cased: an ASCII text holding none of them cannot match it
# (re.I on ASCII text is ASCII case; the emoji are not ASCII), so the slow search is skipped.
_SARCASM_WORDS = ("lol", "lmao", "lmfao", "rofl", "haha", "yeah right", "sure", "so-called", "so called", "#sarcasm", "oh wait", "thanks a lot")


_HTTP = re.compile(r"https?://\S+")  # `_URL`'s first branch: a literal start, which `re` finds fast


def _drop_links(text: str) -> str:
    """`_URL.sub(" ", text)`; a text without "http" or "t.co/" has no link to drop. `_URL`'s
    second branch starts with `\b`, which makes `re` try every position: it is run only when a
    "t.co/" outside an http link is left (every "t.co/" inside one is consumed by the first
    branch at the link's start, so then both give the same text; tests/test_content_speed_exact3.py)."""
    out = _HTTP.sub(" ", text) if "http" in text else text
    return _URL.sub(" ", text) if "t.co/" in out else out


def _sarcastic(body: str) -> bool:
    if body.isascii():
        low = body.lower()
        if not any(w in low for w in _SARCASM_WORDS):
            return False
    return SARCASM.search(body) is not None
SARCASM = re.compile(r"\b(lol|lmao|lmfao|rofl|haha\w*|yeah right|sure\b|so-called|so called|#sarcasm|oh wait|thanks a lot)|😂|🙄|😏|🤣", re.I)


# How a letter pair of a normalised tag (`normalize.norm_tag`, umlauts spelt out: `TAG_SPELLINGS`)
# may be written in a post's cleaned text: spelt out, as the letter, or as the letter decomposed
# (`clean_text` does not compose). "ß" needs no form of its own: `casefold` makes it "ss". Spelt
# out, a '_' may split the pair: `norm_tag` drops it first, so the matcher reads #Gru_ene as #Grüne.
_SPELT_TAG_PAIRS = {spelt: f"(?:{spelt[0]}_*{spelt[1]}|{letter}|{letter[0].translate(str.maketrans('äöü', 'aou'))}\u0308)"
                    for letter, spelt in TAG_SPELLINGS if letter != "ß" and len(spelt) == 2}
# A letter the matcher reads as another single letter (Russian "ё" as "е"): either letter, or "е"
# with a combining diaeresis.
_SPELT_TAG_LETTERS = {spelt: f"(?:{spelt}|{letter}|{spelt}\u0308)" for letter, spelt in TAG_SPELLINGS if len(spelt) == 1}


def tag_spellings(tag: str) -> str | None:
    r"""A regular expression (without the '#') for every way a post's cleaned text writes the tag
    that the party matcher reads as `tag` (`normalize.norm_tag`): with or without '_' anywhere,
    an umlaut as the letter or spelt out, and a trailing number ("#Grüne":
    `_*g_*r_*(?:u_*e|ü|ü)_*n_*e[0-9_]*`). Why:
    the stance features mask a party's listed tags as `tgt`/`oth`, and compared letter for letter
    a post's #Gruene of a file listing #Grüne was matched to the party (so the post was about it)
    but left in the text as the word "#gruene", while #Grüne was masked. None: no letters left."""
    norm = norm_tag(tag)
    if not norm:
        return None
    units, i = [], 0
    while i < len(norm):
        pair = norm[i:i + 2]
        if pair in _SPELT_TAG_PAIRS:
            units.append(_SPELT_TAG_PAIRS[pair])
            i += 2
        elif norm[i] in _SPELT_TAG_LETTERS:
            units.append(_SPELT_TAG_LETTERS[norm[i]])
            i += 1
        else:
            units.append(re.escape(norm[i]))
            i += 1
    # The matcher also reads the tag with a trailing number dropped (#PodestaEmails33 as
    # #PodestaEmails: `match._lookup_tags`, `normalize.YEAR_RE2`), unless the listed tag ends in
    # one itself: dropping every trailing digit never leaves one, so #ImWithHer2016 takes no more.
    # ASCII digits, as RE2's `\d` reads them.
    return "_*" + "_*".join(units) + ("_*" if norm[-1] in "0123456789" else "[0-9_]*")


def _names_pattern(words: list[str], tags: "Iterable[str]" = ()) -> re.Pattern[str] | None:
    r"""The names as whole words, longest first: `(?<![\w])(?:name|...)(?![\w])`, written as one
    branch per first character (`l(?<!\wl)(?:abour|...)(?![\w])|c...`), which matches the same
    text: names with different first characters never match at one position, each branch keeps
    its names in the same order, and the look-behind past the first character sees what the
    leading one saw. Branches that each start with a character let `re` skip to the positions
    holding one (the leading look-behind made it try every position: 1.3-1.9x as slow on posts;
    tests/test_content_speed_exact3.py compares both forms)."""
    words = sorted({read_as_matcher(w.strip().casefold()) for w in words if w.strip()}, key=len, reverse=True)
    spelt = [x for x in dict.fromkeys(tag_spellings(t) for t in tags) if x]
    if not words and not spelt:
        return None
    rests: dict[str, list[str]] = {}
    for w in words:
        rests.setdefault(w[0], []).append(re.escape(w[1:]).replace(r"\ ", r"\s+"))
    if spelt:  # after the tags as written, which they add to (a listed "#a-b" matches only as written)
        rests.setdefault("#", []).extend(spelt)
    return re.compile("|".join(rf"{re.escape(c)}(?<!\w{re.escape(c)})(?:{'|'.join(r)})(?![\w])" for c, r in rests.items()))


@dataclass
class PartyNames:
    """Compiled name patterns of every party of an election (for target masking)."""

    parties: list[str]
    patterns: dict[str, re.Pattern[str]]
    combined: re.Pattern[str] | None = None  # all parties in one pass, one named group each
    # The first word of every plain name: a hashtag's words (`hashtag_words`, letters and digits
    # only) can hold a party name only if one of them is such a word, so the rest skip masking.
    first_words: frozenset[str] = frozenset()
    # No name can match inside a placeholder of `mask` (see `_inert`): masking may substitute
    # once per text and named parties and fill the placeholders per feature set.
    inert: bool = False
    _marked: dict = field(default_factory=dict, compare=False, repr=False)  # `_marked`'s last texts
    _ngrams: dict = field(default_factory=dict, compare=False, repr=False)  # `masked_ngrams`' last templates
    _hw_ngrams: dict = field(default_factory=dict, compare=False, repr=False)  # `masked_hashtag_ngrams`' answers
    # At run time, the n-grams some model reads (`use_vocab`), per prefix ("" and "h"): the others
    # are never built. None (training, evaluation): every n-gram.
    vocab: "dict[str, NgramVocab] | None" = field(default=None, compare=False, repr=False)

    vocab_holders: int = field(default=0, compare=False, repr=False)  # parties a vocabulary's stand-ins cover
    # At run time, the folded word-vector tables of the loaded models ("stance", "sentiment": see
    # `embed.fold`), set by `use_folded`; None (training, evaluation): the plain `vp<i>` features.
    folded: "dict[str, embed.Folded | None] | None" = field(default=None, compare=False, repr=False)

    # The tree blend (modelrun.TreeBlend) reads unfolded vector means: while this is a dict, every
    # folded feature set built appends its (known ids, window ids) to the list of its task
    # ("stance", "sentiment"; `embed.pair_vector_ids`). None: nothing is kept.
    kept_ids: "dict[str, list] | None" = field(default=None, compare=False, repr=False)

    def use_folded(self, stance: "embed.Folded | None", sentiment: "embed.Folded | None") -> None:
        """Build the vector features as the models folded with these tables read them (None: a
        model without vector weights, or one not folded: the plain features)."""
        self.folded = {"stance": stance, "sentiment": sentiment}

    def use_vocab(self, keys: "Iterable[str]", parties: int = 256) -> None:
        """Build only the n-gram features among `keys` (the models' feature names; a linear model
        skips features it does not know, so its answers and evidence stay the same), for posts
        naming at most `parties` parties (more: every n-gram)."""
        keys = frozenset(keys)
        self.vocab = {prefix: NgramVocab.of(keys, prefix, parties) for prefix in ("", "h")}
        self.vocab_holders = parties
        self._ngrams.clear()
        self._hw_ngrams.clear()

    @classmethod
    def of(cls, election: Election) -> "PartyNames":
        pats: dict[str, re.Pattern[str]] = {}
        inert = True
        for p in election.parties:
            words = list(p.keywords + p.keywords_context + p.keywords_pro + p.keywords_anti)
            tags = p.hashtags + p.hashtags_pro + p.hashtags_anti
            words += ["#" + h for h in tags]
            words += ["@" + h for h in p.accounts]
            inert = inert and _inert(words, p.tag_fragments)
            frag = "|".join(re.escape(read_as_matcher(f.casefold())) for f in p.tag_fragments)
            # a tag in every spelling the matcher reads as it (`tag_spellings`), as well as written
            pat = _names_pattern(words, tags)
            if frag:
                base = pat.pattern if pat else "(?!x)x"
                pat = re.compile(rf"{base}|#\w*(?:{frag})\w*")
            if pat:
                pats[p.key] = pat
        keys = list(pats)
        combined = re.compile("|".join(f"(?P<p{i}>{pats[k].pattern})" for i, k in enumerate(keys))) if keys else None
        firsts = set()
        for p in election.parties:
            for w in p.keywords + p.keywords_context + p.keywords_pro + p.keywords_anti:
                m = re.match(r"\w+", read_as_matcher(w.strip().casefold()))
                if m:
                    firsts.add(m.group(0))
        return cls(keys, pats, combined, frozenset(firsts), inert)


def clean_text(text: str) -> str:
    """Lower-cased text without links, with HTML ampersands and curly apostrophes fixed, read as
    the party matcher reads it (`read_as_matcher`)."""
    t = _drop_links(text or "").replace("&amp;", "&").replace("\u2019", "'").replace("\u2018", "'")
    return read_as_matcher(t.casefold())


def read_as_matcher(text: str) -> str:
    """`text` with Russian "ё" as "е" and each word mixing Latin and Cyrillic look-alike letters
    in its main script (`script_twins.one_script`), as `normalize.norm_text` and `fold` read the
    posts and the election file. Why: the matcher placed a post's #EдинаяPоссия, "зеленые" or
    "lаbour" (a Cyrillic а) with the party listing #ЕдинаяРоссия, "зелёные" or "labour", but the
    mask compared letter for letter, so the stance model read the raw word where it reads `tgt`.
    Applied to the posts' text (`clean_text`, `hashtag_words`) and to the names (`PartyNames`)."""
    return one_script(text.replace(YO, YE) if YO in text else text)


def mask(text: str, names: PartyNames, party: str | None, only: "list[str] | None" = None) -> str:
    """`text` (already cleaned) with `party`'s names as `tgt` and other parties' as `oth`.

    `only`: the parties the matcher found in the post; masking just those is much faster than
    all (long alternations are slow in Python's regex engine) and differs only where a name the
    matcher rejected (an ambiguous name without a country cue) is left unmasked."""
    if only is not None:
        marked = _marked(text, names, only) if names.inert else None
        if marked is not None:
            for j, p in enumerate(only):
                if p in names.patterns:
                    marked = marked.replace(_HOLDERS[j], " tgt " if p == party else " oth ")
            return marked
        for p in only:
            pat = names.patterns.get(p)
            if pat is not None:
                text = pat.sub(" tgt " if p == party else " oth ", text)
        return text
    if names.combined is None:
        return text
    target = f"p{names.parties.index(party)}" if party in names.parties else None
    return names.combined.sub(lambda m: " tgt " if m.lastgroup == target else " oth ", text)


# A post is masked once for its sentiment (every named party as `oth`) and once per party it
# names (that party as `tgt`): the same patterns over the same text. `_marked` runs them once per
# (text, named parties), the j-th party's names replaced by the placeholder `_HOLDERS[j]`, and
# `mask` then only fills the placeholders in. The text is the pattern loop's: like " tgt " and
# " oth ", a placeholder starts and ends with a space and no name can match inside it or across
# it (`PartyNames.inert`), so each later pattern finds the same matches either way; a text that
# already holds a placeholder character, or a party named twice, takes the loop.
_HOLDERS = tuple(f" \ue000{chr(0xE100 + j)} " for j in range(256))


def _inert(words: list[str], fragments: "tuple[str, ...] | list[str]") -> bool:
    """Whether no pattern built from these names can match inside, or across, a `mask`
    replacement: no name word is `tgt`, `oth` or holds a placeholder character, and every hashtag
    fragment is word characters only (a `#\\w*fragment\\w*` match then stops at a space)."""
    for w in words:
        for tok in w.strip().casefold().split():
            if tok in ("tgt", "oth") or "\ue000" in tok or any("\ue100" <= c <= "\ue1ff" for c in tok):
                return False
    return all(re.fullmatch(r"\w+", f.casefold()) for f in fragments if f)


def _marked(text: str, names: PartyNames, only: "list[str]") -> str | None:
    """`text` with the names of `only[j]` replaced by `_HOLDERS[j]`, in `only`'s order (None:
    use the pattern loop). The last few texts are kept: a post's feature sets ask one after
    another."""
    cache, key = names._marked, (text, tuple(only))
    got = cache.get(key, False)
    if got is not False:
        return got  # type: ignore[return-value]
    if len(only) > len(_HOLDERS) or len(set(only)) != len(only) or "\ue000" in text:
        marked = None
    else:
        marked = text
        for j, p in enumerate(only):
            pat = names.patterns.get(p)
            if pat is not None:
                marked = pat.sub(_HOLDERS[j], marked)
    if len(cache) >= 8:
        cache.clear()
    cache[key] = marked
    return marked


_HASHTAG = re.compile(r"#(\w{4,})")
_CAMEL = re.compile(r"[A-Z]{2,}(?=[A-Z][a-z]|\b|\d|_)|[A-Z]?[a-z]+|[A-Z]+|\d+")
SPLIT_HASHTAGS = True


def masked_hashtag_words(raw: str, names: "PartyNames", party: str | None, named: "list[str] | None") -> str:
    """`hashtag_words(raw)` with party names masked as in `mask`; texts none of whose hashtag
    words starts a party name are returned as they are (the same result, without the regexes)."""
    hw = hashtag_words(raw)
    if hw and not names.first_words.isdisjoint(hw.split()):
        return mask(hw, names, party, named)
    return hw


MAX_HW_NGRAMS = 16_384  # answers `masked_hashtag_ngrams` keeps (a few hundred bytes each)


def masked_hashtag_ngrams(raw: str, names: "PartyNames", party: str | None, named: "list[str] | None") -> list[str]:
    """`known_ngram_features(tokens(masked_hashtag_words(raw, names, party, named)), names, "h")`,
    kept per (hashtag words, party, named parties): the answer reads nothing else (and the
    vocabulary, whose change empties the cache), and a study's posts carry few distinct
    hashtag-word strings, so most posts and each of their feature sets found it worked out
    already (tests/test_content_speed_exact6.py). The list is shared: callers only read it."""
    hw = hashtag_words(raw)
    if not hw:
        return []
    cache, key = names._hw_ngrams, (hw, party, None if named is None else tuple(named))
    got = cache.get(key)
    if got is None:
        got = known_ngram_features(tokens(masked_hashtag_words(raw, names, party, named)), names, "h")
        if len(cache) >= MAX_HW_NGRAMS:
            cache.clear()
        cache[key] = got
    return got


@lru_cache(maxsize=65536)
def hashtag_words(raw: str) -> str:
    """The words inside CamelCase hashtags, lower-cased ("#CrookedHillary #MAGA" -> "crooked
    hillary"): IRA posts carry much of their judgement in compound hashtags, which the word
    features see only whole (each rare); their parts ("crooked", "out", "never") recur."""
    if "#" not in (raw or ""):
        return ""
    out = []
    for tag in _HASHTAG.findall(one_script(raw)):  # #VoteLаbour (a Cyrillic а) as the matcher reads it
        parts = _CAMEL.findall(tag)
        if len(parts) > 1:
            out.append(" ".join(parts))
    return " ".join(out).casefold()


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


def ngram_features(toks: list[str], prefix: str = "") -> list[str]:
    out = [f"{prefix}w={t}" for t in toks]
    out += [f"{prefix}b={a}_{b}" for a, b in zip(toks, toks[1:])]
    return out


@dataclass(frozen=True)
class NgramVocab:
    """The n-gram strings of one prefix that a model knows, found by token before any string is
    built: `words[t]` is the known "w=t", `pairs[a][b]` the known "b=a_b" (filed under every
    split at one of its underscores: tokens may hold "_"), each the model's own string (so later
    look-ups find the very object). A `masked_ngrams` stand-in token becomes "tgt" or "oth"
    after this test, so it passes wherever either of those may, with a string built for it;
    stand-ins are made for the first `holders` placeholders only (`_ngram_template` builds every
    n-gram of a post naming more parties)."""

    words: dict[str, str]
    pairs: dict[str, dict[str, str]]

    @classmethod
    def of(cls, keys: frozenset[str], prefix: str, holders: int = 256) -> "NgramVocab":
        w, b = f"{prefix}w=", f"{prefix}b="
        words = {k[len(w):]: k for k in keys if k.startswith(w)}
        pairs: dict[str, dict[str, str]] = {}
        for k in keys:
            if k.startswith(b):
                pair = k[len(b):]
                for i, c in enumerate(pair):
                    if c == "_":
                        pairs.setdefault(pair[:i], {})[pair[i + 1:]] = k
        stand_ins = [h[1:-1] for h in _HOLDERS[:holders]]
        masks = ("tgt", "oth")
        if any(m in words for m in masks):
            words.update((x, w + x) for x in stand_ins)
        after_mask = set().union(*(pairs.get(m, ()) for m in masks))
        for x in stand_ins:
            pairs[x] = {y: f"{b}{x}_{y}" for y in after_mask}
        for first, seconds in pairs.items():
            if any(m in seconds for m in masks):
                seconds.update((x, f"{b}{first}_{x}") for x in stand_ins)
        return cls(words, pairs)


def known_ngram_features(toks: list[str], names: "PartyNames", prefix: str = "") -> list[str]:
    """`ngram_features(toks, prefix)` without the strings `names.vocab` rules out, the rest in the
    same order: a feature dict built from it holds the model's features in the same order with
    the same values (no n-gram key is another feature's), so `LinearModel.predict_many` gives the
    same answers; building, hashing and freeing the unknown strings was about a tenth of the
    stage. Every n-gram without a vocabulary."""
    vocab = names.vocab
    if vocab is None:
        return ngram_features(toks, prefix)
    v = vocab[prefix]
    pairs, none = v.pairs.get, {}
    out = list(filter(None, map(v.words.get, toks)))  # (no n-gram string is empty)
    out += [x for a, b in zip(toks, toks[1:]) if (x := pairs(a, none).get(b)) is not None]
    return out


_HOLDER_SPLIT = re.compile("( \ue000[\ue100-\ue1ff] )")  # a `_HOLDERS` placeholder, kept by `split`


def masked_ngrams(text: str, names: PartyNames, party: str | None, named: "list[str] | None") -> list[str]:
    """`ngram_features(tokens(mask(text, names, party, named)))`, with the tokens and n-gram
    strings of a post built once for all its feature sets (the post's and one per named party),
    which differ only where a party's name stood.

    The template is `_marked`'s text cut at its placeholders: the tokens between them (no token
    crosses a placeholder or " tgt ": both start and end with a space) and, for each placeholder,
    a stand-in token (the placeholder without its spaces, which no text token holds: such texts
    take the plain path). `ngram_features` runs once over those tokens; each feature set copies
    its strings and writes `tgt` / `oth` over the stand-ins, as `mask` fills the placeholders
    (tests/test_content_speed_exact3.py compares both). With `names.vocab` the template holds
    only the strings a model may know (`known_ngram_features`; tests/test_content_speed_exact4.py)."""
    tpl = _template(text, names, named)
    if tpl is None:
        return ngram_features(tokens(mask(text, names, party, named)))
    feats, spots = tpl.feats, tpl.spots
    out = list(feats)
    if spots:
        fills = [(_HOLDERS[j][1:-1], "tgt" if p == party else "oth") for j, p in enumerate(named) if p in names.patterns]  # type: ignore[arg-type]
        for i in spots:
            x = out[i]
            for holder, word in fills:
                x = x.replace(holder, word)
            out[i] = x
    return out


class _Template:
    """A post's tokens for all its feature sets (`masked_ngrams`): `toks` with a stand-in where
    the j-th named party's name stood (`holders`: (token position, j)), the n-gram strings
    `feats` with the positions `spots` of those holding a stand-in, and (built on first use by
    `masked_vector_ids`) the tokens' word-vector ids and the positions of literal "tgt" tokens."""

    __slots__ = ("toks", "holders", "feats", "spots", "ids", "literal_tgt")

    def __init__(self, toks: list[str], holders: "list[tuple[int, int]]", feats: list[str]) -> None:
        self.toks, self.holders, self.feats = toks, holders, feats
        self.spots = [i for i, x in enumerate(feats) if "\ue000" in x]
        self.ids: "list[int | None] | None" = None
        self.literal_tgt: list[int] = []


def _ngram_template(text: str, names: PartyNames, named: "list[str]") -> "_Template | bool":
    """The post's `_Template`, or False where `_marked` takes the pattern loop."""
    marked = _marked(text, names, named)
    if marked is None:
        return False
    toks: list[str] = []
    holders: list[tuple[int, int]] = []
    for k, part in enumerate(_HOLDER_SPLIT.split(marked)):
        if k % 2:
            holders.append((len(toks), ord(part[2]) - 0xE100))
            toks.append(part[1:-1])
        else:
            toks += tokens(part)
    feats = known_ngram_features(toks, names) if len(named) <= names.vocab_holders else ngram_features(toks)
    return _Template(toks, holders, feats)


def _template(text: str, names: PartyNames, named: "list[str] | None") -> "_Template | None":
    """`masked_ngrams`' template of (text, named), from its cache (None: the plain path)."""
    if named is None or not names.inert:
        return None
    cache, key = names._ngrams, (text, tuple(named))
    tpl = cache.get(key)
    if tpl is None:
        tpl = _ngram_template(text, names, named)
        if len(cache) >= 8:
            cache.clear()
        cache[key] = tpl
    return tpl or None


def masked_vector_ids(text: str, names: PartyNames, party: str | None, named: "list[str] | None") -> "tuple[list[int | None], list[int]] | None":
    """(the word-vector ids of `tokens(mask(text, names, party, named))`, None where a token has
    none; the positions of its "tgt" tokens), from the post's template: the ids are looked up
    once per post and each feature set writes those of "tgt" / "oth" over its stand-ins, as
    `mask` fills the placeholders (tests/test_content_speed_exact7.py). None: no template (take
    the plain path)."""
    tpl = _template(text, names, named)
    if tpl is None:
        return None
    index = embed.shipped().index
    ids = tpl.ids
    if ids is None:
        tpl.ids = ids = list(map(index.get, tpl.toks))
        tpl.literal_tgt = [k for k, t in enumerate(tpl.toks) if t == "tgt"]
    if not tpl.holders:
        return ids, tpl.literal_tgt
    ids = list(ids)
    spots = list(tpl.literal_tgt)
    tgt, oth = index.get("tgt"), index.get("oth")
    for k, j in tpl.holders:
        if named[j] == party:  # type: ignore[index]
            ids[k] = tgt
            spots.append(k)
        else:
            ids[k] = oth
    return ids, spots


def pair_vectors(cleaned: str, names: PartyNames, party: str, named: "list[str] | None") -> dict[str, float]:
    """The stance model's word-vector features (`embed.pair_vector_features` of the masked tokens),
    folded when `names.use_folded` gave the stance model's tables."""
    tables = names.folded.get("stance") if names.folded else None
    got = masked_vector_ids(cleaned, names, party, named) if tables is not None else None
    keep = names.kept_ids["stance"] if names.kept_ids is not None and tables is not None else None
    if got is None:
        return embed.pair_vector_features(tokens(mask(cleaned, names, party, named)), tables, keep)
    return embed.pair_vector_ids(got[0], got[1], tables, keep)  # type: ignore[arg-type]


def post_vectors(cleaned: str, names: PartyNames, named: "list[str] | None") -> dict[str, float]:
    """The sentiment model's word-vector features (as `pair_vectors`, every named party `oth`)."""
    tables = names.folded.get("sentiment") if names.folded else None
    got = masked_vector_ids(cleaned, names, None, named) if tables is not None else None
    keep = names.kept_ids["sentiment"] if names.kept_ids is not None and tables is not None else None
    if got is None:
        return embed.post_vector_features(tokens(mask(cleaned, names, None, named)), tables, keep)
    return embed.post_vector_ids(got[0], tables, keep)  # type: ignore[arg-type]


# The party-identity features (`party=<key>`: which party the pair is about, in `pair_features`;
# which parties the post names, in `post_features`). Each is a per-party intercept: it learns how
# often the labelled posts supported each party or sounded positive beside it, a base rate of the
# one source the labels come from (IRA accounts, where most Republican mentions were pro-Trump
# trolls), not something the words say. On ordinary debate tweets it read "#GOPDebate" as support
# for the Republicans (docs/methods.md, "Party base rate"). Under grouped CV on the training labels
# (IRA posts, where that base rate holds) dropping it from stance cost 0.03 (UK) and 0.06 (US)
# macro-F1, so stance keeps it except where the party is found only inside a topic hashtag
# (`PARTY_SILENT_SIGNALS`: #GOPDebate names an event, not a side), which cost nothing; sentiment
# drops it (0.002 and 0.012). Changing any of this needs the model and trees retrained
# (`train_content_model.py`, `fit_content_trees.py`); a test keeps them in step.
PARTY_FEATURE_STANCE = True  # in pair_features, unless every signal of the pair is a silent one
PARTY_FEATURE_SENTIMENT = False  # in post_features
PARTY_SILENT_SIGNALS = frozenset({"topic_tag"})


def party_prior_applies(signals: "list[str]") -> bool:
    """Whether the stance model may know which party a pair is about: the party is found by
    something other than a topic hashtag alone (its name or leader in the words, its account, a
    pro or anti cue). A party met only inside an event hashtag is a topic, not a side."""
    return PARTY_FEATURE_STANCE and any(s not in PARTY_SILENT_SIGNALS for s in signals)


def topic_only(signals: "list[str]") -> bool:
    """Whether the party was found only by silent signals (inside a topic hashtag such as
    #GOPDebate): the post does not name the party in its words, its accounts or a cue."""
    return bool(signals) and all(s in PARTY_SILENT_SIGNALS for s in signals)


# The tone gate on those pairs: a post that names a party only inside an event hashtag says
# nothing about the party by name, so a stance toward it can only come from how the post sounds.
# The model (trained on 3,720 pairs of which 32 are such pairs) extrapolates there: on the GOP
# debate archive it read 3,940 of 5,883 #GOPDebate-only Republican pairs as "oppose", 59% of the
# crowd-Neutral tweets and 52% of the crowd-Positive ones. So on such a pair the model's support
# (oppose) stands only where the corrected lexicon scores the whole post at least +0.05 (at most
# -0.05, the cut points every sentiment reader uses); otherwise the answer is neutral, and its
# evidence says why. Measured in docs/methods.md ("Fifteenth round"); nothing was tuned on the
# crowd labels (the cut points are VADER's usual ones).
TOPIC_TONE_GATE = True
TONE_CUT = 0.05
_SILENT_KEYS = tuple(f"sig={s}" for s in sorted(PARTY_SILENT_SIGNALS))


def topic_tone_gate(feats: dict[str, float], stance: str) -> bool:
    """Whether the tone gate turns this pair's model answer `stance` to neutral: the pair was
    found only inside a topic hashtag (its `sig=` features) and the post's lexicon tone
    (`lex_post`) does not lean the answer's way."""
    if not TOPIC_TONE_GATE or stance == "neutral" or not any(k in feats for k in _SILENT_KEYS):  # most pairs: one look-up
        return False
    if not topic_only([k[4:] for k in feats if k.startswith("sig=")]):
        return False
    tone = feats.get("lex_post", 0.0)
    return tone < TONE_CUT if stance == "support" else tone > -TONE_CUT


TONE_GATE_EVIDENCE = "the party is found only inside a topic hashtag and the post's tone does not lean {stance}: neutral (the model said {stance})"


# Character n-grams (3 to 5 characters inside each word, the word padded with one space on each
# side, as scikit-learn's `char_wb` analyzer) of the masked text: spelling variants, word stems and
# the parts of run-together hashtags the CamelCase split misses ("#crookedhillary", "corrupt",
# "corruption") share grams where whole-word features do not. Each carries CHAR_VALUE so the many
# grams of a word do not outweigh the word features under the same L2 penalty. Off in the shipped
# model: under 5-fold grouped CV on the training labels they gained +0.012 stance macro-F1 (at the
# edge of the noise) and +0.009 sentiment (inside it), for about a quarter more content-stage CPU
# and a model file three times the size (docs/methods.md, "Account prior with faithful
# out-of-fold answers; character n-grams"; scripts/cv_char_ngrams.py). Turning one on needs the
# model retrained with it (`train_content_model.py --char-ngrams`); a test keeps them in step.
CHAR_NGRAMS_STANCE = False  # in pair_features
CHAR_NGRAMS_SENTIMENT = False  # in post_features
CHAR_RANGE = (3, 5)
CHAR_VALUE = 0.3


@lru_cache(maxsize=131072)
def _word_grams(word: str) -> tuple[str, ...]:
    """The `c=` features of one word (cached: words repeat across posts far more than texts do)."""
    w = f" {word} "
    lo, hi = CHAR_RANGE
    return tuple(f"c={w[i:i + n]}" for n in range(lo, min(hi, len(w)) + 1) for i in range(len(w) - n + 1))


def char_ngram_features(masked: str) -> dict[str, float]:
    """`c=<gram>` features of a masked text (the party names already `tgt` / `oth`)."""
    f: dict[str, float] = {}
    for word in masked.split():
        f.update(dict.fromkeys(_word_grams(word), CHAR_VALUE))
    return f


def style_features(raw: str) -> dict[str, float]:
    """Surface cues a lexicon misses: shouting, headline form, sarcasm markers, a question."""
    raw = raw or ""
    body = _drop_links(raw)
    words = _WORD3.findall(body)
    caps = sum(map(str.isupper, words))
    titled = sum([w[0].isupper() for w in words])
    f: dict[str, float] = {}
    if words:
        if caps >= 2 or caps / len(words) > 0.3:
            f["style=shout"] = 1.0
        if titled / len(words) > 0.6 and len(words) >= 4:
            f["style=titlecase"] = 1.0
    # (A link was found exactly when dropping links changed the text: a link is never " ".)
    if body != raw and not body.rstrip().endswith(("!", "?")):
        f["style=link"] = 1.0
    if _HEADLINE_START.search(body.strip()):
        f["style=alert"] = 1.0
    if _sarcastic(body):
        f["style=sarcasm"] = 1.0
    if "?" in body:
        f["style=question"] = 1.0
    if "!" in body:
        f["style=exclaim"] = 1.0
    # (The pattern ends in a double quote mark: without one it cannot match, and the search is slow.)
    if ('"' in body or "\u201c" in body or "\u201d" in body) and re.search(r"[\"\u201c\u201d']\s*\w[^\"\u201c\u201d]{0,40}[\"\u201c\u201d]", body):
        f["style=quoted"] = 1.0
    return f


_CLAUSE_CHARS = re.compile("[.!?;:|\u2026\n\\-\u2013\u2014]")  # one of them is in every `_CLAUSE` match


def target_clause(masked: str) -> str:
    """The clauses of a masked text that contain `tgt` (the whole text when none does)."""
    if _CLAUSE_CHARS.search(masked) is None:  # one clause: the text itself either way
        return masked
    parts = [c for c in _CLAUSE.split(masked) if "tgt" in c]
    return " ".join(parts) if parts else masked


def pair_features(
    raw: str,
    names: PartyNames,
    party: str,
    signals: list[str],
    rival_signals: list[str],
    n_named: int,
    kind: str | None,
    score: "object",
    base: "tuple[str, dict[str, float], float] | None" = None,
    named: "list[str] | None" = None,
) -> dict[str, float]:
    """Features of one (post, party) pair. `signals` are this party's match signals (pro_tag, ...),
    `rival_signals` the other named parties' ones; `score(text)` is the corrected lexicon score;
    `base` is `post_base(raw, score)` when the caller already has it."""
    cleaned, style, whole = base or post_base(raw, score)
    f: dict[str, float] = dict.fromkeys(masked_ngrams(cleaned, names, party, named), 1.0)
    if SPLIT_HASHTAGS:
        f.update(dict.fromkeys(masked_hashtag_ngrams(raw, names, party, named), 1.0))
    if CHAR_NGRAMS_STANCE:
        f.update(char_ngram_features(mask(cleaned, names, party, named)))
    if embed.STANCE:
        f.update(pair_vectors(cleaned, names, party, named))
    if party_prior_applies(signals):
        f[f"party={party}"] = 1.0
    for s in signals:
        f[f"sig={s}"] = 1.0
    for s in rival_signals:
        f[f"rival={s}"] = 1.0
    f[f"named={min(n_named, 3)}"] = 1.0
    if kind:
        f[f"kind={kind}"] = 1.0
    f.update(style)
    # The clause naming the party is scored apart only when the post names several parties (for
    # one party, the whole post is about it; and a second lexicon pass is the stage's main cost).
    clause = score(target_clause(mask(cleaned, names, party, named)).replace("tgt", " ").replace("oth", " ")) if n_named > 1 else whole
    f["lex_post"] = whole
    f["lex_clause"] = clause
    f["lex_post_pos"] = float(whole >= 0.05)
    f["lex_post_neg"] = float(whole <= -0.05)
    f["lex_clause_pos"] = float(clause >= 0.05)
    f["lex_clause_neg"] = float(clause <= -0.05)
    return f


def post_base(raw: str, score: "object") -> tuple[str, dict[str, float], float]:
    """What every feature set of a post shares: cleaned text, style cues, whole-post score."""
    return clean_text(raw), style_features(raw), score(raw)  # type: ignore[operator]


def post_features(raw: str, names: PartyNames, named: list[str], kind: str | None, score: "object", base: "tuple[str, dict[str, float], float] | None" = None,
                  parts: "tuple[float, float, float, float] | None" = None) -> dict[str, float]:
    """Features of one post for its sentiment (party names masked as `oth`: which party is named
    should not make a post sound happier). `parts`: VADER's (compound, pos, neg, neu) of the post;
    its three shares are features too (chosen by cross-validation on the training labels: a post
    with strong positive and negative words reads differently from a flat one of the same
    compound)."""
    cleaned, style, whole = base or post_base(raw, score)
    f: dict[str, float] = dict.fromkeys(masked_ngrams(cleaned, names, None, named), 1.0)
    if SPLIT_HASHTAGS:
        f.update(dict.fromkeys(masked_hashtag_ngrams(raw, names, None, named), 1.0))
    if CHAR_NGRAMS_SENTIMENT:
        f.update(char_ngram_features(mask(cleaned, names, None, named)))
    if embed.SENTIMENT:
        f.update(post_vectors(cleaned, names, named))
    if PARTY_FEATURE_SENTIMENT:
        for p in named:
            f[f"party={p}"] = 1.0
    if kind:
        f[f"kind={kind}"] = 1.0
    f.update(style)
    f["lex_post"] = whole
    f["lex_post_pos"] = float(whole >= 0.05)
    f["lex_post_neg"] = float(whole <= -0.05)
    if parts is not None:
        f["vader_pos"], f["vader_neg"], f["vader_neu"] = parts[1], parts[2], parts[3]
    return f
