"""Near-duplicate texts by MinHash + LSH: copy-paste with a word changed is still copy-paste.

Exact hashing of normalised text misses templated posts ("Vote X in <town>!"). MinHash estimates
the Jaccard similarity of two texts' word shingles, and LSH buckets finds the candidate pairs
without comparing every text with every other. Candidates form groups by union-find; each group is
one trace ("co-post-near"). This is Python by nature, so it runs over the distinct texts only, in
one pass, with a cap on how many texts it will take (a study too big for it says so).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from datasketch import MinHash, MinHashLSH

_WORD = re.compile(r"[^\W_]+|#\w+", re.UNICODE)
_URL = re.compile(r"https?://\S+")


def shingles(text: str, k: int = 5) -> set[bytes]:
    """Character k-shingles of a text's words (links removed, lower-cased, single spaces).

    Characters rather than words: swapping one word in a twelve-word template changes a third of
    the word 3-shingles but only a tenth of the character 5-shingles, which is the kind of edit
    a campaign's templates make.
    """
    norm = " ".join(_WORD.findall(_URL.sub(" ", text.lower())))
    if len(norm) <= k:
        return {norm.encode()} if norm else set()
    return {norm[i : i + k].encode() for i in range(len(norm) - k + 1)}


def near_duplicate_groups(
    items: Iterable[tuple[str, str]], *, threshold: float = 0.6, num_perm: int = 64, min_words: int = 6, seed: int = 7
) -> dict[str, str]:
    """Map post_id -> group id for posts whose text has a near-duplicate among the others.

    `items` are (post_id, text). Exact duplicates share one MinHash (computed once per distinct
    text); a group's id is its smallest member text's first post id, so it is deterministic.
    """
    by_text: dict[str, list[str]] = {}
    for pid, text in items:
        if text:
            by_text.setdefault(text.lower(), []).append(pid)
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    parent: dict[str, str] = {}
    for i, text in enumerate(sorted(by_text)):
        if len(_WORD.findall(text)) < min_words:
            continue
        sh = shingles(text)
        m = MinHash(num_perm=num_perm, seed=seed)
        m.update_batch(list(sh))
        key = str(i)
        lsh.insert(key, m)
        # Query after insert: links this text to every earlier similar one.
        for other in lsh.query(m):
            if other != key:
                _union(parent, key, other)
        parent.setdefault(key, key)
    groups: dict[str, list[str]] = {}
    for key in parent:
        groups.setdefault(_find(parent, key), []).append(key)
    texts = sorted(by_text)
    out: dict[str, str] = {}
    for members in groups.values():
        if len(members) < 2:
            continue
        member_texts = sorted(texts[int(k)] for k in members)
        gid = "near:" + min(by_text[member_texts[0]])
        for t in member_texts:
            for pid in by_text[t]:
                out[pid] = gid
    return out


def _find(par: dict[str, str], x: str) -> str:
    while par.setdefault(x, x) != x:
        par[x] = par[par[x]]
        x = par[x]
    return x


def _union(par: dict[str, str], a: str, b: str) -> None:
    ra, rb = _find(par, a), _find(par, b)
    if ra != rb:
        par[max(ra, rb)] = min(ra, rb)
