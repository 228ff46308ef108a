"""Election and party matching over Arrow batches.

A post belongs to the election conversation when it carries one of the election's hashtags or
keywords, or names a party (its hashtags, keywords, or its official and allied accounts by
mention, retweet, quote or reply). For each party the matcher reports separate signals, because
stance rules need to know *how* a party was named (a pro hashtag is not a neutral keyword).

Matching is vectorised: hashtags and handles are normalised with Arrow kernels and looked up in
one combined value set; keywords are RE2 regular expressions run by Arrow, first as one union
pattern over all rows, then one pattern per party (all its words) on the rows the union matched,
and each of the party's own patterns only on the rows its pattern matched. A pattern built from
more words matches wherever one built from fewer does (the same whole-word wrapper around a longer
alternation), so each narrowing drops only rows the narrower pattern could not match
(tests/test_content_speed_exact5.py); each RE2 pass costs about the same whatever its words, and
running a party's three or four patterns over every row the union matched was most of matching.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from botwatch.accounts.json_shape import shown_handle
from botwatch.content.normalize import SIGMA, YEAR_RE2, fold, norm_tag, norm_tags_arrow, norm_text
from botwatch.elections.model import Election, handle_key_platforms, party_handle_key

# Per-party signals, in the order stance rules consult them.
TAG_SIGNALS = ("pro_tag", "anti_tag", "topic_tag")
KW_SIGNALS = ("pro_kw", "anti_kw", "topic_kw")
ACCOUNT_SIGNALS = ("own_account", "retweet_account", "quote_account", "reply_account", "mention_account")
SIGNALS = TAG_SIGNALS + KW_SIGNALS + ACCOUNT_SIGNALS
ELECTION = "_election"  # pseudo-party for the election's own hashtags and keywords


def _kw_pattern(words: tuple[str, ...]) -> str | None:
    """An RE2 pattern matching any of `words` as whole words (case-folded input)."""
    words = tuple(w for w in (fold(w.strip()).replace("\u2019", "'") for w in words) if w)
    if not words:
        return None
    alts = "|".join(_sigma(re.escape(w).replace("\\ ", r"\s+")) for w in sorted(set(words), key=len, reverse=True))
    return rf"(?:^|[^\pL\pM\pN_])(?:{alts})(?:$|[^\pL\pM\pN_])"


def _sigma(pattern: str) -> str:
    """A `fold`ed word's pattern with each sigma matching either form: post text keeps a
    lower-case word's final "ς" and makes an upper-case word's "Σ" "σ" (`norm_text`)."""
    return pattern.replace(SIGMA, "[\u03c3\u03c2]")


@dataclass
class PartyMatcher:
    """Compiled lookups for one election."""

    election: Election
    parties: list[str]
    tag_values: pa.Array  # every normalised tag the preset names
    tag_slots: np.ndarray  # [tag, slot] booleans: which (party, signal) each tag stands for
    handle_values: pa.Array
    handle_party: np.ndarray  # [handle, party] booleans
    kw_patterns: dict[tuple[str, str], str] = field(default_factory=dict)  # (party, signal) → RE2
    union_pattern: str | None = None
    slots: list[tuple[str, str]] = field(default_factory=list)
    exclude_pattern: str | None = None  # other senses of party names, blanked before matching
    context_patterns: dict[str, str] = field(default_factory=dict)  # party → RE2 of its ambiguous names
    cue_pattern: str | None = None  # the election's country cues
    fragment_patterns: dict[str, str] = field(default_factory=dict)  # party → RE2 of names inside hashtags
    party_patterns: dict[str, str] = field(default_factory=dict)  # party → RE2 of all its keyword and context words
    fragment_union: str | None = None  # RE2 of every party's names inside hashtags
    # The DIDs of the study's Bluesky accounts whose handle is listed, and those handles
    # (`know_bluesky_dids`): a Bluesky mention names its account by DID.
    bluesky_dids: pa.Array = field(default_factory=lambda: pa.array([], pa.string()))
    bluesky_handles: pa.Array = field(default_factory=lambda: pa.array([], pa.string()))

    def slot(self, party: str, signal: str) -> int:
        return self.slots.index((party, signal))

    def listed_bluesky_handles(self) -> list[str]:
        """The listed Bluesky handles, lower-cased."""
        return [h.removeprefix("bluesky:") for h in self.handle_values.to_pylist() if h.startswith("bluesky:")]

    def know_bluesky_dids(self, dids: pa.Array, handles: pa.Array) -> None:
        """Read a Bluesky mention of one of `dids` (the study's accounts of listed handles) as a
        mention of its handle: Bluesky's mention facets give the DID alone, so a post mentioning a
        party's account never named the party."""
        self.bluesky_dids, self.bluesky_handles = _one_array(dids).cast(pa.string()), _one_array(handles).cast(pa.string())


def compile_matcher(election: Election) -> PartyMatcher:
    """Turn a preset into lookup tables (done once per stage run)."""
    parties = [p.key for p in election.parties]
    slots: list[tuple[str, str]] = [(ELECTION, "topic_tag"), (ELECTION, "topic_kw")]
    for p in parties:
        slots += [(p, s) for s in SIGNALS]
    index = {s: i for i, s in enumerate(slots)}

    tag_rows: dict[str, set[int]] = {}
    for h in election.hashtags:
        tag_rows.setdefault(norm_tag(h), set()).add(index[(ELECTION, "topic_tag")])
    for party in election.parties:
        for sig, tags in (("pro_tag", party.hashtags_pro), ("anti_tag", party.hashtags_anti), ("topic_tag", party.hashtags)):
            for h in tags:
                tag_rows.setdefault(norm_tag(h), set()).add(index[(party.key, sig)])
    tag_values = sorted(tag_rows)
    tag_slots = np.zeros((len(tag_values), len(slots)), dtype=bool)
    for i, t in enumerate(tag_values):
        tag_slots[i, sorted(tag_rows[t])] = True

    handle_rows: dict[str, set[int]] = {}
    for j, party in enumerate(election.parties):
        for h in party.accounts:
            handle_rows.setdefault(party_handle_key(h), set()).add(j)
    handle_values = sorted(handle_rows)
    handle_party = np.zeros((len(handle_values), len(parties)), dtype=bool)
    for i, h in enumerate(handle_values):
        handle_party[i, sorted(handle_rows[h])] = True

    kw: dict[tuple[str, str], str] = {}
    pat = _kw_pattern(election.keywords)
    if pat:
        kw[(ELECTION, "topic_kw")] = pat
    for party in election.parties:
        for sig, words in (("pro_kw", party.keywords_pro), ("anti_kw", party.keywords_anti), ("topic_kw", party.keywords)):
            pat = _kw_pattern(words)
            if pat:
                kw[(party.key, sig)] = pat
    context: dict[str, str] = {}
    fragments: dict[str, str] = {}
    for party in election.parties:
        pat = _kw_pattern(party.keywords_context)
        if pat:
            context[party.key] = pat
        pat = _fragment_pattern(party.tag_fragments)
        if pat:
            fragments[party.key] = pat
    party_words: dict[str, str] = {}  # only parties with two patterns or more (else the one is the union)
    for party in election.parties:
        own = sum(1 for key in kw if key[0] == party.key) + (party.key in context)
        pat = _kw_pattern(tuple(party.keywords) + tuple(party.keywords_pro) + tuple(party.keywords_anti) + tuple(party.keywords_context))
        if pat and own >= 2:
            party_words[party.key] = pat
    all_words = tuple(election.keywords) + tuple(w for p in election.parties for w in p.keywords + p.keywords_pro + p.keywords_anti + p.keywords_context)
    return PartyMatcher(
        election=election,
        parties=parties,
        tag_values=pa.array(tag_values, pa.string()),
        tag_slots=tag_slots,
        handle_values=pa.array(handle_values, pa.string()),
        handle_party=handle_party,
        kw_patterns=kw,
        union_pattern=_kw_pattern(all_words),
        slots=slots,
        exclude_pattern=_kw_pattern(election.exclude_phrases),
        context_patterns=context,
        cue_pattern=_kw_pattern(election.context_cues),
        fragment_patterns=fragments,
        party_patterns=party_words,
        fragment_union=_fragment_pattern(f for p in election.parties for f in p.tag_fragments) if len(fragments) >= 2 else None,
    )


def _fragment_pattern(fragments: Iterable[str]) -> str | None:
    """An RE2 pattern matching a hashtag holding any of `fragments` (case-folded, escaped, longest
    first), or None when there is none."""
    frags = sorted({_sigma(re.escape(fold(f))) for f in fragments if f.strip()}, key=len, reverse=True)
    return rf"#[\pL\pM\pN_]*(?:{'|'.join(frags)})" if frags else None


def _lookup_tags(m: PartyMatcher, tags: pa.Array, hits: np.ndarray) -> None:
    vals, parents = norm_tags_arrow(tags)
    if len(vals) == 0 or len(m.tag_values) == 0:
        return
    parents_np = np.asarray(parents)
    for candidate in (vals, pc.replace_substring_regex(vals, YEAR_RE2, "")):
        idx = np.asarray(pc.fill_null(pc.index_in(candidate, value_set=m.tag_values), -1))
        ok = idx >= 0
        if ok.any():
            rows = parents_np[ok]
            for s in np.flatnonzero(m.tag_slots[idx[ok]].any(axis=0)):
                sel = m.tag_slots[idx[ok], s]
                hits[rows[sel], s] = True


# The platforms whose accounts listed handles name, and the prefix of their keys (`party_handle_key`).
_HANDLE_PLATFORMS = pa.array(list(handle_key_platforms()), pa.string())  # (`post_handle_key`'s platforms, as arrays)
_HANDLE_PREFIXES = pa.array([f"{p}:" for p in handle_key_platforms().values()], pa.string())


def _handle_index(m: PartyMatcher, handles: pa.Array, platforms: pa.Array) -> np.ndarray:
    """Index of each handle, an account of the platform beside it, in the preset's handle list (-1
    when not a party account): a listed handle names an account of its own platform only
    (`elections.model.handle_platform`)."""
    low = pc.utf8_lower(pc.replace_substring_regex(handles, r"^@", ""))
    prefix = _HANDLE_PREFIXES.take(pc.index_in(platforms, value_set=_HANDLE_PLATFORMS))
    keys = pc.binary_join_element_wise(prefix, low, "")  # NULL for a platform no listed handle names
    return np.asarray(pc.fill_null(pc.index_in(keys, value_set=m.handle_values), -1))


# `shown_handle`'s profile URL in RE2: Python's `\s` (a str pattern's) is every character whose
# `isspace()` holds, where RE2's is ASCII's six; all of them lie below U+3001.
_PY_SPACE = "".join(f"\\x{{{c:x}}}" for c in range(0x3001) if chr(c).isspace())
_PROFILE_URL = rf"^https://[^@/{_PY_SPACE}]+\.[^@/{_PY_SPACE}]+/@[^@/{_PY_SPACE}]+$"


def _with_instance(handles: pa.Array, account_ids: pa.Array, platforms: pa.Array) -> pa.Array:
    """`handles`, a Mastodon account's handle local to the instance collected ("Gruene", its
    `acct` there) named with the instance its profile URL gives ("Gruene@gruene.social", as the
    election file lists it): `shown_handle`'s values, on Mastodon rows; the same array where no
    row is a Mastodon one.

    Arrow kernels over the whole array, where `shown_handle` row by row cost 0.5 s per 200k
    Mastodon posts (0.15 s so). A profile URL holds one "/@" (neither host nor name holds a "/"), so
    splitting there gives "https://" + host and the name. Where the handle or that name is not
    ASCII, Python's `lower` (which `utf8_lower` does not always equal: "\u212a".lower() is "k")
    decides, row by row."""
    masto = pc.fill_null(pc.equal(platforms, "mastodon"), False)
    if not pc.any(masto).as_py():
        return handles
    masto = _one_array(masto)
    hs, ids = _one_array(handles).cast(pa.string()), _one_array(account_ids).cast(pa.string())
    local = pc.and_(pc.not_equal(hs, ""), pc.invert(pc.match_substring(hs, "@")))
    cand = pc.fill_null(pc.and_(pc.and_(masto, local), pc.match_substring_regex(ids, _PROFILE_URL)), False)
    out = pc.if_else(pc.and_(masto, pc.fill_null(pc.equal(hs, ""), False)), pa.scalar(None, pa.string()), hs)
    rows = np.flatnonzero(np.asarray(cand.to_numpy(zero_copy_only=False), dtype=bool))
    if not len(rows):
        return out
    own, parts = hs.take(pa.array(rows)), pc.list_flatten(pc.split_pattern(ids.take(pa.array(rows)), "/@", max_splits=1))
    host, name = pc.utf8_slice_codeunits(parts.take(pa.array(np.arange(0, 2 * len(rows), 2))), 8), parts.take(pa.array(np.arange(1, 2 * len(rows), 2)))
    ascii_ = pc.and_(pc.string_is_ascii(own), pc.string_is_ascii(name))
    same = pc.and_(ascii_, pc.equal(pc.ascii_lower(own), pc.ascii_lower(name)))
    shown = pc.if_else(same, pc.binary_join_element_wise(own, host, "@"), own)
    slow = np.flatnonzero(~np.asarray(ascii_.to_numpy(zero_copy_only=False), dtype=bool))
    if len(slow):
        vals, slow_ids = shown.to_pylist(), ids.take(pa.array(rows[slow])).to_pylist()
        for k, account_id in zip(slow, slow_ids):
            vals[k] = shown_handle("mastodon", vals[k], account_id)
        shown = pa.array(vals, pa.string())
    return pc.replace_with_mask(out, cand, shown)


def _local_mentions(flat: pa.Array, parents: pa.Array, stored: pa.Array, shown: pa.Array, platforms: pa.Array) -> pa.Array:
    """`flat` (a batch's mentions, each of the row `parents` gives), a bare Mastodon mention
    ("Gruene", the `acct` of an account of the instance collected) named with that instance
    where the post's author is of it too: the author's handle was stored bare ("alice") and
    `_with_instance` named it with its profile URL's instance ("alice@gruene.social").

    A Mastodon server gives `acct` relative to itself, so a bare mention is an account of the
    instance collected; a file listing "@Gruene@gruene.social" matched none of the posts there
    that mention it. Ingest now stores it with its instance (from the mention's URL); this reads
    posts stored before. There a bare mention in a post by another instance's account (whose
    handle holds its instance) names an account of the instance collected too, which the row
    does not tell: it stays bare."""
    flat, parents = _one_array(flat).cast(pa.string()), _one_array(parents)
    mention = pc.replace_substring_regex(flat, r"^@", "")
    plat, own, named = _one_array(platforms).take(parents), _one_array(stored).take(parents), _one_array(shown).take(parents)
    at = lambda a: pc.match_substring(a, "@")  # noqa: E731
    bare = pc.and_(pc.and_(pc.equal(plat, "mastodon"), pc.not_equal(mention, "")), pc.invert(at(mention)))
    local = pc.and_(pc.invert(at(own)), at(named))
    mask = pc.fill_null(pc.and_(bare, local), False)
    rows = np.flatnonzero(np.asarray(mask.to_numpy(zero_copy_only=False), dtype=bool))
    if not len(rows):
        return flat
    # the shown handle is the stored one (no "@"), "@" and the instance (no "@")
    parts = pc.list_flatten(pc.split_pattern(named.take(pa.array(rows)), "@", max_splits=1))
    host = parts.take(pa.array(np.arange(1, 2 * len(rows), 2)))
    return pc.replace_with_mask(flat, mask, pc.binary_join_element_wise(mention.take(pa.array(rows)), host, "@"))


def _did_mentions(m: PartyMatcher, flat: pa.Array, parents: pa.Array, platforms: pa.Array) -> pa.Array:
    """`flat` (a batch's mentions), a Bluesky one that is a DID `m` knows replaced by its handle."""
    flat, parents = _one_array(flat).cast(pa.string()), _one_array(parents)
    idx = pc.index_in(flat, value_set=m.bluesky_dids)
    mask = pc.fill_null(pc.and_(pc.equal(_one_array(platforms).take(parents), "bluesky"), pc.is_valid(idx)), False)
    if not pc.any(mask).as_py():
        return flat
    return pc.replace_with_mask(flat, mask, m.bluesky_handles.take(pc.filter(idx, mask)))


def _one_array(a: pa.Array | pa.ChunkedArray) -> pa.Array:
    return a.combine_chunks() if isinstance(a, pa.ChunkedArray) else a


def match_batch(m: PartyMatcher, batch: pa.RecordBatch | pa.Table) -> np.ndarray:
    """Signals for every row of a batch: a boolean matrix [row, slot] (slots in `m.slots`).

    The batch needs the columns text, kind, hashtags, mentions, ref_handle and handle (the
    author's handle, NULL when unknown).
    """
    n = batch.num_rows
    hits = np.zeros((n, len(m.slots)), dtype=bool)
    if n == 0:
        return hits
    col = batch.column
    names = batch.schema.names
    _lookup_tags(m, col(names.index("hashtags")), hits)

    if len(m.handle_values):
        first = len(m.slots) - len(m.parties) * len(SIGNALS)  # the election's own slots come first
        per_party = len(SIGNALS)

        def put(handle_idx: np.ndarray, rows: np.ndarray, signal: str) -> None:
            ok = handle_idx >= 0
            if not ok.any():
                return
            sig = SIGNALS.index(signal)
            prow = m.handle_party[handle_idx[ok]]
            for j in np.flatnonzero(prow.any(axis=0)):
                hits[rows[ok][prow[:, j]], first + j * per_party + sig] = True

        all_rows = np.arange(n)
        # A batch without platforms (a test's few rows) is Twitter's, as the shipped presets' handles are.
        platforms = col(names.index("platform")) if "platform" in names else pa.array(["twitter"] * n, pa.string())
        # A Mastodon account of the instance collected is known by its handle with the instance:
        # a party's "@Gruene@gruene.social" matched none of its posts, or boosts of them, collected there.
        stored, ref_handle = col(names.index("handle")), col(names.index("ref_handle"))
        author = stored
        if "account_id" in names:
            author = _with_instance(author, col(names.index("account_id")), platforms)
        if "ref_account_id" in names:
            ref_handle = _with_instance(ref_handle, col(names.index("ref_account_id")), platforms)
        put(_handle_index(m, author, platforms), all_rows, "own_account")
        kind = np.asarray(pc.fill_null(col(names.index("kind")), "").to_numpy(zero_copy_only=False))
        ref = _handle_index(m, ref_handle, platforms)
        for k, signal in (("retweet", "retweet_account"), ("quote", "quote_account"), ("reply", "reply_account")):
            put(np.where(kind == k, ref, -1), all_rows, signal)
        mentions = col(names.index("mentions"))
        flat = pc.list_flatten(mentions)
        if len(flat):
            parents = pc.list_parent_indices(mentions)
            if author is not stored:
                flat = _local_mentions(flat, parents, stored, author, platforms)
            if len(m.bluesky_dids):
                flat = _did_mentions(m, flat, parents, platforms)
            put(_handle_index(m, flat, platforms.take(parents)), np.asarray(parents), "mention_account")

    if m.union_pattern or m.fragment_patterns:
        text = norm_text(col(names.index("text")))
        if m.fragment_patterns:
            has_tag = np.asarray(pc.match_substring(text, "#").to_numpy(zero_copy_only=False), dtype=bool)
            rows = np.flatnonzero(has_tag)
            if len(rows) and m.fragment_union is not None:
                rows = rows[_matches(text.take(pa.array(rows)), m.fragment_union)]
            if len(rows):
                sub = text.take(pa.array(rows))
                for party, pat in m.fragment_patterns.items():
                    hits[rows[_matches(sub, pat)], m.slot(party, "topic_tag")] = True
        if m.exclude_pattern:
            text = pc.replace_substring_regex(text, m.exclude_pattern, " ")
    if m.union_pattern:
        rows = np.flatnonzero(_matches(text, m.union_pattern))
        if len(rows):
            sub = text.take(pa.array(rows))
            # Per party, the rows (of `sub`) its words match, and those rows' texts.
            narrowed: dict[str, tuple[np.ndarray, pa.Array]] = {}
            for party, pat in m.party_patterns.items():
                at = np.flatnonzero(_matches(sub, pat))
                narrowed[party] = (at, sub.take(pa.array(at)))
            for key, pat in m.kw_patterns.items():
                if key[0] in narrowed:
                    at, texts = narrowed[key[0]]
                    if len(at):
                        hits[rows[at[_matches(texts, pat)]], m.slot(*key)] = True
                else:
                    hits[rows[_matches(sub, pat)], m.slot(*key)] = True
            if m.context_patterns:
                # Ambiguous names count only beside a country cue or an unambiguous party name.
                sure = party_mask(m, hits[rows]).any(axis=1)
                if m.cue_pattern:
                    # The cue is read only where a context pattern may match and nothing else
                    # made the row sure: `sure` is read nowhere else.
                    ask = np.zeros(len(rows), dtype=bool)
                    for party in m.context_patterns:
                        ask[narrowed[party][0] if party in narrowed else slice(None)] = True
                    at = np.flatnonzero(ask & ~sure)
                    if len(at):
                        sure[at] = _matches(sub.take(pa.array(at)), m.cue_pattern)
                for party, pat in m.context_patterns.items():
                    if party in narrowed:
                        at, texts = narrowed[party]
                        if len(at):
                            got = at[_matches(texts, pat) & sure[at]]
                            hits[rows[got], m.slot(party, "topic_kw")] = True
                    else:
                        got = _matches(sub, pat) & sure
                        hits[rows[got], m.slot(party, "topic_kw")] = True
    return hits


def _matches(text: pa.Array, pattern: str) -> np.ndarray:
    return np.asarray(pc.match_substring_regex(text, pattern).to_numpy(zero_copy_only=False), dtype=bool)


def party_mask(m: PartyMatcher, hits: np.ndarray) -> np.ndarray:
    """[row, party] booleans: the post names the party by any signal."""
    first = 2
    k = len(SIGNALS)
    return np.stack([hits[:, first + j * k : first + (j + 1) * k].any(axis=1) for j in range(len(m.parties))], axis=1) if m.parties else np.zeros((len(hits), 0), bool)


def signal(m: PartyMatcher, hits: np.ndarray, party: str, name: str) -> np.ndarray:
    return hits[:, m.slot(party, name)]
