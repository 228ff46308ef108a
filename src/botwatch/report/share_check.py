"""The shares botwatch counted beside a careful reader's, on the same hand-labelled items.

Why: the report quotes shares ("36% of the posts naming the party supported it") and, beside them,
how well stance agreed with a reader (macro-F1, accuracy). Agreement on single answers does not say
how far a share moves: errors that do not cancel shift it, whatever the F1. A reader of the report
can weigh a share only against a share, so where the labelled items were counted
(`content.score.Shares`: the frozen test part in `MEASURED_BY_ELECTION`, or the observer's own
labels recorded by `botwatch content evaluate`) the report says what botwatch counted on them and
what the reader did.
"""

from __future__ import annotations

from typing import Any

from botwatch.content.score import read_shares
from botwatch.count_text import counted
from botwatch.report.fmt import pct


# A party's own labelled pairs are quoted for it from this many on; with fewer, all parties together
# (a share of a handful of pairs says more about the handful than about the model).
MIN_PARTY_PAIRS = 20


def _stance_phrase(which: str, d: dict[str, Any]) -> str:
    """"`which` it counted X support and Y opposition where the reader counted …" from `d`'s
    (reader, botwatch) pairs."""
    (r_s, b_s), (r_o, b_o) = d["support"], d["oppose"]
    return f"{which} it counted {pct(b_s)} support and {pct(b_o)} opposition where the reader counted {pct(r_s)} and {pct(r_o)}"


def share_phrases(lab: dict[str, Any] | None, party: str | None = None, name: str | None = None) -> dict[str, str] | None:
    """{'stance': …, 'sentiment': …} phrases (either may be absent) for the measurement `lab`, or
    None when it carries no readable shares (an older record, a hand-edited one). With `party`
    (its key; `name` as the report writes it) and at least `MIN_PARTY_PAIRS` of its pairs, the
    stance phrase is of that party's pairs."""
    shares = read_shares(lab.get("shares")) if lab else None
    if shares is None:
        return None
    out: dict[str, str] = {}
    own = shares["parties"].get(party) if party else None
    if own is not None and own["n"] >= MIN_PARTY_PAIRS:
        out["stance"] = _stance_phrase(f"on the {counted(own['n'], 'labelled pair')} naming {name or party} it matched,", own)
    elif shares["stance_n"] and None not in (*shares["support"], *shares["oppose"]):
        out["stance"] = _stance_phrase(f"on the {counted(shares['stance_n'], 'labelled pair')} it matched (all parties together)", shares)
    (r_p, b_p), (r_n, b_n) = shares["positive"], shares["negative"]
    if shares["sentiment_n"] and None not in (r_p, b_p, r_n, b_n):
        out["sentiment"] = (f"of the {counted(shares['sentiment_n'], 'labelled post')} it gave a sentiment it read {pct(b_p)} as positive "
                            f"and {pct(b_n)} as negative, the reader {pct(r_p)} and {pct(r_n)}")
    return out or None
