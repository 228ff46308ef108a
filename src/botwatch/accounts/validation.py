"""Checking the origin model against accounts whose origin is known from outside the data.

The IRA accounts (FiveThirtyEight / Clemson) were run from St Petersburg; the Clemson coders
split them into Russian-language accounts (`NonEnglish`) and accounts posing as Americans
(RightTroll, LeftTroll, Fearmonger, HashtagGamer, NewsFeed). Ordinary accounts from other
archives (twarc2 test pages, the TwiBot-20 sample) show how often the model calls an ordinary
account Russian. `confusion` tabulates group × most likely origin.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping

US_POSING = frozenset({"RightTroll", "LeftTroll", "Fearmonger", "HashtagGamer", "NewsFeed"})
COLUMNS = ("RU", "UA/BY/KZ", "US", "GB", "other", "unknown")


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
            return "IRA Russian-language"
        if category in US_POSING:
            return "IRA posing as American"
        return None
    return "ordinary (twarc2 + TwiBot-20)"


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
