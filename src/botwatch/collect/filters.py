"""What to keep: hashtags, keywords and handles, from an election preset or the command line.

The same filter becomes whatever each platform can apply: X rules (server side, split to fit the
tier's rule count and length), a client-side match on Bluesky post text and facets, Mastodon
hashtag streams. An empty filter keeps everything the stream sends. The filter is recorded with the
capture (`describe()`), so a study knows what its posts were selected by.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache
from typing import Any

from botwatch.elections.model import Election, handle_platform
from botwatch.script_twins import one_script
from botwatch.tag_spellings import MOST_SPELLINGS, TAG_SPELLINGS, YE, YO, spell_out, spellings

# The origin an empty filter records: the run kept everything the stream sent. Read back from a
# capture's manifest (`report.scope`), it says the capture was not filtered.
UNFILTERED = "none: everything the stream sent"


def fold(word: str) -> str:
    """A tag as this filter compares it: NFKC, then Python's case folding, the same on the listed
    tags and the posts' tags, so both sides agree by construction. Pure Python: a collector
    imports no Arrow (`tests/test_cli_imports.py`); the content stage's Arrow folding
    (`content.normalize.fold`) differs from this only where `casefold` and Arrow's lower-casing
    part ways ("ß" becomes "ss" here, as `TAG_SPELLINGS` writes it there too)."""
    return unicodedata.normalize("NFKC", word).casefold()


def composed(text: str) -> str:
    """Post text as the content stage reads it, NFKC (`content.normalize.norm_text`, and `fold` for
    its tags): some clients send "#Grüne" decomposed, "u" and a combining diaeresis, which `analyze`
    counts as #Grüne and the pattern for #Grüne did not match, so the live filter dropped it.
    ASCII text, most of a stream, is its own NFKC and is passed as it is."""
    return text if text.isascii() else unicodedata.normalize("NFKC", text)


@lru_cache(maxsize=1 << 16)
def _spelt(tag: str) -> str:
    """A tag as the content stage compares umlauts (`tag_spellings.TAG_SPELLINGS`): a capture for a
    file listing #gehtwaehlen kept no post tagged #gehtwählen, which `analyze` counts as the same tag.
    Cached: a live stream's posts repeat their tags."""
    return spell_out(one_script(fold(tag)))


def _tag_pattern(tag: str) -> str:
    """A regex for `tag` in post text that takes either spelling of its umlauts and ß (`_spelt`)."""
    body = re.escape(_spelt(tag))
    for letter, spelt in TAG_SPELLINGS:
        body = body.replace(spelt, f"(?:{spelt}|{letter})")
    return body


# Every case of Russian "е" and "ё" as "е", for `PostFilter._rx` to write each as either letter.
_ANY_YE = str.maketrans({"\u0401": YE, "\u0415": YE, YO: YE})


@dataclass
class AskedTags:
    """The hashtags a server that matches tags itself is asked for (`asked_tags`)."""

    tags: list[str]  # each listed tag, then its other spellings
    short: list[str] = field(default_factory=list)  # listed tags with more spellings than were asked for (`MOST_SPELLINGS`)


def asked_tags(hashtags: Iterable[str], same: Callable[[str], str]) -> AskedTags:
    """The listed hashtags with every spelling of their umlauts and ß that analysis counts as the
    same tag (`tag_spellings.spellings`), each listed tag first, then its other spellings. Why: X's
    rules and Mastodon's hashtag streams match on the server, which sends only the spelling asked
    for: a capture listing #Grüne kept no #Gruene, which `analyze` counts as #Grüne.
    `same`: the key under which the server takes two spellings as one (X and Mastodon: case alone,
    as a Mastodon stream's cursor is keyed, `mastodon.cursor_name`), so each is asked for once."""
    out: dict[str, str] = {}
    short: list[str] = []
    for tag in hashtags:
        forms, total = spellings(tag)
        if total > len(forms):
            short.append(tag)
        for form in forms:
            out.setdefault(same(form), form)
    return AskedTags(list(out.values()), short)


def short_spellings_line(short: list[str]) -> str:
    """The one line that names the listed tags with more spellings than a server is asked for
    (`AskedTags.short`), for X's rules and Mastodon's streams alike. Why one: each platform wrote
    its own, with different nouns, and both named "umlauts and ß" where the tag was Russian and
    its spellings "ё" and "е", the ones that most often reached the bound. The letters named are
    `TAG_SPELLINGS`' own, so the line stays true of whatever spellings are asked."""
    either = ", ".join(f"{letter}/{spelt}" for letter, spelt in TAG_SPELLINGS)
    return (f"{len(short)} hashtag(s) have more spellings ({either} written either way) than the {MOST_SPELLINGS} asked "
            f"of the server for each, so posts tagged only in the others are not received: {listed(short)}")


def listed(items: Iterable[str], most: int = 10, longest: int = 80) -> str:
    """Names for a one-line message: the first `most`, each cut to `longest` characters with "…",
    then "and N more". A whole joined list cut at 300 characters had broken a name in two
    ("Nigel_Far") and dropped the rest without a word, so a user could not tell what was left out."""
    names = [str(x) for x in items]
    shown = [n if len(n) <= longest else n[:longest - 1] + "…" for n in names[:most]]
    more = len(names) - len(shown)
    return ", ".join(shown) + (f" and {more:,} more" if more > 0 else "")


def _uniq(items: Iterable[str]) -> tuple[str, ...]:
    seen: dict[str, str] = {}
    for x in items:
        x = x.strip()
        if x and x.casefold() not in seen:
            seen[x.casefold()] = x
    return tuple(seen.values())


@dataclass(frozen=True)
class PostFilter:
    """Hashtags (without '#'), keywords (words or phrases) and handles (without '@')."""

    hashtags: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    handles: tuple[str, ...] = ()
    origin: str = UNFILTERED

    @classmethod
    def build(cls, election: Election | None = None, hashtags: Iterable[str] = (), keywords: Iterable[str] = (), handles: Iterable[str] = ()) -> "PostFilter":
        """The union of an election's terms (a preset's or the user's file's) and those given on the
        command line. `origin` names which: it is recorded in the manifest and quoted by `status`,
        `estimate` and the report, which called a user's own file "election preset KEY", sending
        a reader to look for a preset botwatch does not ship."""
        tags, kws, hs = [h.strip().lstrip("#") for h in hashtags], list(keywords), [h.strip().lstrip("@") for h in handles]
        origin = "command line" if tags or kws or hs else UNFILTERED
        if election is not None:
            kind = "election preset" if election.shipped else "election file"
            origin = f"{kind} {election.key}" + (" and command line" if tags or kws or hs else "")
            tags += list(election.hashtags)
            kws += list(election.keywords)
            for p in election.parties:
                tags += p.all_hashtags
                kws += [*p.keywords, *p.keywords_pro, *p.keywords_anti]
                hs += list(p.accounts)
        return cls(_uniq(tags), _uniq(kws), _uniq(hs), origin)

    @property
    def empty(self) -> bool:
        return not (self.hashtags or self.keywords or self.handles)

    @cached_property
    def _tag_keys(self) -> frozenset[str]:
        """The listed tags as `match` compares a post's tags (`_spelt`), made once: made per post,
        a filter of the us-2016 preset's 104 tags spent 7 ms on each tagged post of a stream."""
        return frozenset(_spelt(h) for h in self.hashtags)

    @cached_property
    def _rx(self) -> re.Pattern[str] | None:
        """The terms as a pattern for post text, which `match` reads `composed` and in one script
        where a word mixes Latin and Cyrillic look-alikes (`script_twins`): so are they here
        ("ё" and "е" alike, as the content stage reads the text, `tag_spellings`; upper-case "Е"
        too, which the case-blind pattern matched with "е" alone, so a listed "Елка" missed "ёлка")."""
        alts = [re.escape(k).translate(_ANY_YE).replace(YE, f"[{YE}{YO}]") for k in sorted((one_script(composed(k)) for k in self.keywords), key=len, reverse=True)]
        alts += ["#" + _tag_pattern(h) for h in sorted(self.hashtags, key=len, reverse=True)]
        alts += ["@" + re.escape(h) for h in sorted(map(composed, self.handles), key=len, reverse=True)]
        if not alts:
            return None
        # Whole words only: "ukip" must not match "ukipper"; a phrase may span any whitespace.
        body = "|".join(a.replace(r"\ ", r"\s+") for a in alts)
        return re.compile(rf"(?<![\w#@])(?:{body})(?!\w)", re.IGNORECASE)

    def handles_of(self, platform: str) -> tuple["PostFilter", list[str]]:
        """This filter with only the handles that name accounts of `platform` (as analysis reads a
        listed handle: `elections.model.handle_platform`), and the handles left out. A Twitter
        `@UKLabour` matched Bluesky text as a term, though no Bluesky account has that handle and
        `analyze` counts no Bluesky post as naming it: the capture kept posts by a term the study
        then ignored, and recorded the Twitter handles as part of its filter."""
        keep = tuple(h for h in self.handles if handle_platform(h) == platform)
        return replace(self, handles=keep), [h for h in self.handles if h not in keep]

    def match(self, text: str | None, tags: Iterable[str] = (), accounts: Iterable[str] = ()) -> bool:
        """Whether a post with this text (and these tags, from facets or the API; these accounts,
        its author and those it mentions, where the platform names them apart from the text) is wanted."""
        if self.empty:
            return True
        if self.hashtags and tags:
            want = self._tag_keys
            if any(isinstance(t, str) and _spelt(t.lstrip("#")) in want for t in tags):
                return True
        if self.handles and accounts:
            want = {h.casefold() for h in self.handles}
            if any(isinstance(a, str) and a.lstrip("@").casefold() in want for a in accounts):
                return True
        rx = self._rx
        return bool(text) and rx is not None and rx.search(one_script(composed(text))) is not None

    def describe(self) -> dict[str, Any]:
        """The filter as recorded with the capture and in the study."""
        terms = {"hashtags": list(self.hashtags), "keywords": list(self.keywords), "handles": list(self.handles)}
        return {"origin": self.origin, **({} if self.empty else terms)}


def filter_terms(filt: dict[str, Any]) -> dict[str, str]:
    """A recorded filter's terms as a reader writes them (#tag, @handle, keyword), keyed case-folded.
    Read from a manifest a hand may have edited: terms that are not a list of strings are none."""
    marks = {"hashtags": "#", "keywords": "", "handles": "@"}
    lists = {k: v for k in marks if isinstance(v := filt.get(k), list)}
    return {f"{marks[k]}{t}".casefold(): f"{marks[k]}{t}" for k, v in lists.items() for t in v if isinstance(t, str)}


def filter_change(before: Any, now: dict[str, Any], kept_before: bool = True) -> str | None:
    """A line saying how this run's filter differs from the one the stream's last run in the folder
    used, or None when it is the same (or there was none). An observer who adds a candidate to the
    election file mid-capture changes what the folder keeps from then on, and nothing said so: the
    manifest recorded each run's filter, the study stored both, and the report named one filter,
    so a party's counts read as one capture's while its first days were kept by other terms.
    `kept_before`: whether the folder holds a post of the stream from an earlier run."""
    if not isinstance(before, dict):
        return None
    old, new = filter_terms(before), filter_terms(now)
    if old.keys() == new.keys():  # matched case-insensitively: a tag's case is no other term
        return None
    added = [v for k, v in new.items() if k not in old]
    dropped = [v for k, v in old.items() if k not in new]
    what = "; ".join(x for x in (f"added {listed(added)}" if added else "", f"dropped {listed(dropped)}" if dropped else "") if x)
    if not old:
        what = "the last run kept everything the stream sent"
    elif not new:
        what = "this run keeps everything the stream sent"
    if not kept_before:
        # The last run never connected, or kept nothing: there is no "before" to compare with, and
        # "posts before and after the change were kept by different terms" sent a reader hunting
        # for a break in a capture that has none.
        return (f"note: this run's filter is not the one the last run in this folder used ({what}), but no run before it kept a post "
                "of this stream here, so every post of the folder is kept by this run's terms (the manifest records each run's filter)")
    return (f"note: this run's filter is not the one the last run in this folder used ({what}): posts before and after the change "
            "were kept by different terms, so counts across it are not comparable (the manifest records each run's filter); "
            "to keep one filter per capture, collect into a new folder")


@dataclass
class XRules:
    """X filtered-stream rules: (value, tag) pairs, and the terms that did not fit the tier."""

    rules: list[tuple[str, str]]
    left_out: list[str]
    not_x: list[str] = field(default_factory=list)  # handles that name no X account (`x_handle`)
    short: list[str] = field(default_factory=list)  # hashtags not asked in every spelling (`asked_tags`)


_X_HANDLE = re.compile(r"[A-Za-z0-9_]+")


def x_handle(handle: str) -> bool:
    """Whether a listed handle can name an X account. An election file's handles name accounts of
    three platforms (`elections.model.handle_platform`): a Bluesky `x.bsky.social` or a Mastodon
    `name@server.social` was sent as `(from:x.bsky.social OR @x.bsky.social)`, a rule X does not
    take, and the run ended on it."""
    return handle_platform(handle) == "twitter" and _X_HANDLE.fullmatch(handle) is not None


_X_PLAIN = re.compile(r"[#@$]?\w+")  # a word, a hashtag, a mention or a cashtag: one term as it stands
_X_WORDS = {"or", "and", "not"}  # read as operators, in upper case, if sent bare


def _x_phrase(value: str) -> str:
    """`value` as one quoted phrase of a rule: its double quotes escaped with a backslash, as X's
    rule syntax takes them ('say "no"' was sent as "say "no"", which X rejected, and the run
    ended), and its backslashes sent as blanks. X matches a phrase on the post's tokens, split at
    punctuation and symbols, so a backslash matches as a blank does; sent as it was, one before
    the closing quote (`back\\`) escaped that quote, and the phrase ran on into the next terms."""
    return '"' + value.replace("\\", " ").replace('"', '\\"') + '"'


def _x_term(kind: str, value: str) -> str:
    """One term of a rule, whatever the user's keyword or hashtag holds. Sent bare, a keyword that
    reads as rule syntax changed the rule: `-brexit` negated, `OR` joined its neighbours,
    `lang:en` and `from:x` were operators, a parenthesis opened or closed a group. Anything but a
    plain word (or #tag, @name, $tag) is sent as a quoted phrase, which X matches as text."""
    if kind == "handle":
        return f"(from:{value} OR @{value})"
    term = "#" + value if kind == "hashtag" else value
    if _X_PLAIN.fullmatch(term) and term.casefold() not in _X_WORDS:
        return term
    return _x_phrase(term)


def x_rules(f: PostFilter, max_rules: int = 1000, max_len: int = 1024, suffix: str = "", tag_prefix: str = "botwatch") -> XRules:
    """Pack the filter's terms into as few `a OR b OR …` rules as fit, within the tier's limits.

    The default limits are the Pro tier's (1,000 rules of at most 1,024 characters). `suffix` (e.g.
    `-is:retweet lang:en`) is appended to every rule. Terms that cannot fit are returned, not dropped
    silently; handles that name no X account (`x_handle`) are returned apart, in `not_x`. A hashtag
    is asked in each spelling of its umlauts and ß (`asked_tags`): X matches a tag's letters as
    written ("diacrítica" is no "diacritica"), case aside, so #Grüne alone missed #Gruene.
    """
    handles = [h for h in f.handles if x_handle(h)]
    tags = asked_tags(f.hashtags, str.lower)
    # The other spellings after every listed term: where the tier's rules run out, what is left out
    # is a spelling botwatch added (#Podestämails for a listed #PodestaEmails), not a listed keyword
    # or handle, which a filter that fitted before this spelling was asked lost to it.
    own = {h.lower() for h in f.hashtags}
    others = [h for h in tags.tags if h.lower() not in own]
    terms = ([_x_term("hashtag", h) for h in f.hashtags] + [_x_term("keyword", k) for k in f.keywords] + [_x_term("handle", h) for h in handles]
             + [_x_term("hashtag", h) for h in others])
    tail = f" {suffix.strip()}" if suffix.strip() else ""
    rules: list[str] = []
    left: list[str] = []
    current: list[str] = []

    def value(ts: list[str]) -> str:
        core = " OR ".join(ts)
        return (f"({core}){tail}" if len(ts) > 1 else core + tail) if tail else core

    for t in terms:
        if len(value([t])) > max_len:
            left.append(t)
            continue
        if current and len(value(current + [t])) > max_len:
            rules.append(value(current))
            current = []
        current.append(t)
    if current:
        rules.append(value(current))
    if len(rules) > max_rules:
        for r in rules[max_rules:]:
            left.append(r)
        rules = rules[:max_rules]
    return XRules([(r, f"{tag_prefix}:{i + 1}") for i, r in enumerate(rules)], left, [h for h in f.handles if not x_handle(h)], tags.short)
