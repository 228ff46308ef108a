"""The content stage's fifth round of shortcuts must give the very answers of the plain code:
party keywords matched first with one pattern per party (all its words) and each of its own
patterns only on the rows that one matched, hashtag fragments first with one pattern for every
party, and the country cue read only where a context name may count (`match.match_batch`),
checked against the plain loop that ran every pattern over every row the union matched. Each
test fails if a narrowing drops a row a pattern matches or sets a signal the plain loop does not."""

from __future__ import annotations

import random
from dataclasses import replace

import numpy as np
import pyarrow as pa
import pytest

from botwatch.content.match import PartyMatcher, _matches, compile_matcher, match_batch, party_mask
from botwatch.content.normalize import norm_text
from botwatch.elections import load_election
from tests.test_content import posts
from tests.test_content_speed_exact3 import _fixture_texts, _pieces


def _plain_hits(m: PartyMatcher, batch: pa.Table) -> np.ndarray:
    """`match_batch` as it was before the narrowing: tags and accounts as now, then every text
    pattern over every row the union matched (the plain loop, written out)."""
    hits = match_batch(replace(m, union_pattern=None, fragment_patterns={}), batch)  # tags and accounts only
    text = norm_text(batch.column("text").combine_chunks())
    if m.fragment_patterns:
        rows = np.flatnonzero(np.asarray([("#" in t) if t is not None else False for t in text.to_pylist()], dtype=bool))
        if len(rows):
            sub = text.take(pa.array(rows))
            for party, pat in m.fragment_patterns.items():
                hits[rows[_matches(sub, pat)], m.slot(party, "topic_tag")] = True
    if m.exclude_pattern:
        import pyarrow.compute as pc

        text = pc.replace_substring_regex(text, m.exclude_pattern, " ")
    rows = np.flatnonzero(_matches(text, m.union_pattern))
    if len(rows):
        sub = text.take(pa.array(rows))
        for key, pat in m.kw_patterns.items():
            hits[rows[_matches(sub, pat)], m.slot(*key)] = True
        if m.context_patterns:
            sure = party_mask(m, hits[rows]).any(axis=1)
            if m.cue_pattern:
                sure |= _matches(sub, m.cue_pattern)
            for party, pat in m.context_patterns.items():
                got = _matches(sub, pat) & sure
                hits[rows[got], m.slot(party, "topic_kw")] = True
    return hits


def _texts(election, n: int, seed: int) -> list[str]:  # type: ignore[no-untyped-def]
    """Fixture posts and random ones built of every name the preset knows, its country cues and
    the phrases it blanks, in every case, glued with spaces, hashes and punctuation."""
    rng = random.Random(seed)
    pieces = _pieces(election) + [w for w in election.context_cues] + list(election.exclude_phrases) + list(election.keywords)
    pieces += [w.upper() for w in pieces[:40]] + ["labourer", "tory-ish", "#" + "x" * 3, "@someone", "http://t.co/x"]
    texts = list(_fixture_texts())
    texts += [rng.choice([" ", "  ", " #", ", ", "-", ""]).join(rng.choices(pieces, k=rng.randint(1, 12))) for _ in range(n)]
    texts += [rng.choice(pieces) for _ in range(n // 10)]
    return texts


@pytest.mark.parametrize("preset", ["uk-ge2017", "us-2016"])
def test_narrowed_matching_equals_every_pattern_over_every_row(preset: str) -> None:
    election = load_election(preset)
    m = compile_matcher(election)
    rng = random.Random(50)
    texts = _texts(election, 4000, 51)
    handles = [h for p in election.parties for h in p.accounts][:6] + ["someone", None]
    rows = [{"text": t, "mentions": [rng.choice(handles[:-1])] if rng.random() < 0.1 else [],
             "handle": rng.choice(handles) if rng.random() < 0.1 else "someone"} for t in texts]
    rows.append({"text": None})
    batch = posts(rows)
    got, want = match_batch(m, batch), _plain_hits(m, batch)
    assert got.shape == want.shape
    bad = np.flatnonzero((got != want).any(axis=1))
    assert not len(bad), [(texts[i] if i < len(texts) else None, [m.slots[j] for j in np.flatnonzero(got[i] != want[i])]) for i in bad[:5]]
    # The cases the narrowing touches are all met: keyword signals of parties with several
    # patterns, hashtag fragments and (UK) context names with and without a cue.
    kw = [j for j, (p, s) in enumerate(m.slots) if p in m.party_patterns and s.endswith("_kw")]
    assert m.party_patterns and want[:, kw].sum() > 500
    frag = [m.slot(p, "topic_tag") for p in m.fragment_patterns]
    assert want[:, frag].sum() > 100
    if m.context_patterns:
        assert m.cue_pattern and m.fragment_union
        ctx_only = np.zeros(len(want), bool)
        for p, pat in m.context_patterns.items():
            ctx_only |= _matches(norm_text(batch.column("text").combine_chunks()), pat)
        sure_rows = party_mask(m, want).any(axis=1)
        assert (ctx_only & sure_rows).sum() > 100 and (ctx_only & ~sure_rows).sum() > 100


def test_party_pattern_is_the_union_of_its_own() -> None:
    """Each party's narrowing pattern is built from every word of its own patterns (so a row one
    of them matches is never dropped), and parties with one pattern are not narrowed."""
    for preset in ("uk-ge2017", "us-2016"):
        election = load_election(preset)
        m = compile_matcher(election)
        for party in election.parties:
            own = [pat for (p, _s), pat in m.kw_patterns.items() if p == party.key] + ([m.context_patterns[party.key]] if party.key in m.context_patterns else [])
            if len(own) < 2:
                assert party.key not in m.party_patterns
                continue
            union = m.party_patterns[party.key]
            words = [w.strip().casefold() for w in party.keywords + party.keywords_pro + party.keywords_anti + party.keywords_context if w.strip()]
            sample = pa.array([f"x {w} y" for w in words] + [w for w in words])
            assert _matches(sample, union).all(), (preset, party.key)
            for pat in own:
                hit = _matches(sample, pat)
                assert not (hit & ~_matches(sample, union)).any()
