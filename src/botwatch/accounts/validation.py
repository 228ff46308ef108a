"""Checking the origin model against accounts whose origin is known from outside the data.

The IRA accounts (FiveThirtyEight / Clemson) were run from St Petersburg; the Clemson coders
split them into Russian-language accounts (`NonEnglish`) and accounts posing as locals
(RightTroll, LeftTroll, Fearmonger, HashtagGamer, NewsFeed). Ordinary election accounts
(ordinary/brexit-2016, ordinary/gop-debate-2015) show how often the model calls an ordinary
account Russian. The Clemson category is read here, for grouping only; the model never sees it.

Every handle falls for good into a development part (where likelihood ratios are measured) or
a test part (only ever reported): `split_of` hashes the lower-cased account key with a salt of
its own, so the split does not line up with the maintainers' sha1-mod-3 hold-out of ordinary
accounts, and re-running never moves an account.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Mapping

from botwatch.numeric import sum_left_to_right
from botwatch.stats import wilson

US_POSING = frozenset({"RightTroll", "LeftTroll", "Fearmonger", "HashtagGamer", "NewsFeed"})
COLUMNS = ("RU", "UA/BY/KZ", "US", "GB", "other", "unknown")
GROUP_RU_LANG = "IRA Russian-language"
GROUP_POSING = "IRA posing as locals"
GROUP_ORDINARY = "ordinary (brexit-2016 + gop-debate-2015)"
SPLIT_SALT = "botwatch-origin-split-v1"
DEV_SHARE = 0.6  # of each group; the rest is the frozen test part
POST_BINS: tuple[tuple[int, int], ...] = ((1, 4), (5, 19), (20, 99), (100, 299), (300, 10**9))


def split_of(key: str) -> str:
    """'dev' or 'test' for an account key (handle or user id), fixed for ever by a salted hash."""
    h = hashlib.sha256(f"{SPLIT_SALT}\x1f{key.strip().lower()}".encode()).digest()
    return "dev" if int.from_bytes(h[:8], "big") / 2**64 < DEV_SHARE else "test"


def post_bin(n: int | None) -> str:
    """Label of the posts-per-account bin."""
    n = int(n or 0)
    for lo, hi in POST_BINS:
        if lo <= n <= hi:
            return f"{lo}+" if hi >= 10**9 else f"{lo}-{hi}"
    return "0"


def mostly_russian(post_langs: Mapping[str, int]) -> bool:
    """Whether more than half the account's posts carry the Russian language tag: how the
    validation splits the Russian-language group (posts mostly in Russian, or mostly another
    language, e.g. the other-language desks)."""
    return 2 * post_langs.get("ru", 0) > sum(post_langs.values())


def column_of(country: str | None) -> str:
    if country is None:
        return "unknown"
    if country in ("RU", "US", "GB"):
        return country
    if country in ("UA", "BY", "KZ"):
        return "UA/BY/KZ"
    return "other"


def group_of(category: str | None, source: str) -> str | None:
    """Validation group of an account: IRA by Clemson category, or ordinary by archive."""
    if source == "ira":
        if category == "NonEnglish":
            return GROUP_RU_LANG
        if category in US_POSING:
            return GROUP_POSING
        return None
    return GROUP_ORDINARY


def confusion(rows: Iterable[tuple[str, str | None]]) -> dict[str, dict[str, int]]:
    """{group: {column: count}} from (group, predicted country) pairs."""
    table: dict[str, Counter[str]] = {}
    for group, country in rows:
        table.setdefault(group, Counter())[column_of(country)] += 1
    return {g: {c: int(cnt.get(c, 0)) for c in COLUMNS} for g, cnt in table.items()}


def summary(table: Mapping[str, Mapping[str, int]]) -> dict[str, dict[str, float]]:
    """Per group: accounts, share with Russia most likely (of all, and of those with evidence)."""
    out = {}
    for g, cols in table.items():
        n = sum(cols.values())
        known = n - cols.get("unknown", 0)
        out[g] = {
            "accounts": n,
            "with_evidence": known,
            "russia_top": cols.get("RU", 0),
            "russia_share": round(cols.get("RU", 0) / n, 4) if n else float("nan"),
            "russia_share_of_evidenced": round(cols.get("RU", 0) / known, 4) if known else float("nan"),
        }
    return out


def share_table(rows: Iterable[tuple[str, str, int, bool]]) -> dict[str, dict[str, dict[str, float]]]:
    """{split: {group | bin: {n, russia, share, lo, hi}}} from (split, group, n_posts, russia_top)."""
    cells: dict[tuple[str, str, str], list[int]] = {}
    for split, group, n_posts, ru in rows:
        for b in ("all", post_bin(n_posts)):
            c = cells.setdefault((split, group, b), [0, 0])
            c[0] += 1
            c[1] += int(ru)
    out: dict[str, dict[str, dict[str, float]]] = {}
    order = {"all": -1, **{post_bin(lo): i for i, (lo, _) in enumerate(POST_BINS)}}
    for (split, group, b), (n, k) in sorted(cells.items(), key=lambda kv: (kv[0][0], kv[0][1], order.get(kv[0][2], 99))):
        _p, lo, hi = wilson(k, n)
        out.setdefault(split, {})[f"{group} | {b}"] = {"n": n, "russia": k, "share": round(k / n, 4), "lo": round(lo, 4), "hi": round(hi, 4)}
    return out


def calibration(rows: Iterable[tuple[float, bool]], edges: tuple[float, ...] = (0.0, 0.05, 0.2, 0.4, 0.6, 0.8, 0.95, 1.0001)) -> list[dict[str, float]]:
    """Reliability table: accounts binned by P(Russia); mean prediction against the observed share run from Russia."""
    bins: list[list[tuple[float, bool]]] = [[] for _ in range(len(edges) - 1)]
    for p, y in rows:
        for i in range(len(edges) - 1):
            if edges[i] <= p < edges[i + 1]:
                bins[i].append((p, y))
                break
    out = []
    for i, b in enumerate(bins):
        if not b:
            continue
        k = sum(y for _, y in b)
        _p, lo, hi = wilson(k, len(b))
        out.append({"p_from": edges[i], "p_to": min(edges[i + 1], 1.0), "n": len(b), "mean_p": round(sum_left_to_right(p for p, _ in b) / len(b), 4),
                    "observed": round(k / len(b), 4), "lo": round(lo, 4), "hi": round(hi, 4)})
    return out
