"""Would a capitalised bare name find the UK pairs the matcher misses? Measured on the labelled
dev posts only (the frozen test part is never read). Issue 14, seventeenth round (2026-12-07).

On the labelled UK dev posts of IRA accounts the matcher misses 30 of 776 pairs, about half of
them a bare "Cameron" with no UK word beside it ("Cameron prepares to send more troops to Iraq and
Syria"), which uk-ge2017 lists among its `keywords_context` because other Camerons are common
(Cameron Diaz, James Cameron, first names). The fifth round made it unconditional and lost
precision to "Cameron <surname>"; this measures the next step it named, a capitalisation rule:
"Cameron" as written, not inside a handle or hashtag, not followed by a capitalised word (a
surname) and not preceded by one other than "David", "Dave", "Mr" or "PM" (a first name before
it), counted where the matcher found no Conservative pair. Printed per source (IRA posts, the
test part's kind; ordinary tweets): the pairs it would add that the reader lists (true) and does
not (false, with their texts), and the matcher's precision and recall as shipped. Nothing here
changes the matcher.

Usage: python scripts/measure_capitalised_names.py     (a minute on two cores; no ../shared/data needed)
"""

from __future__ import annotations

import csv
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "scripts"))

import train_content_model as T  # noqa: E402
from stance_error_analysis import match_precision_recall, source_of  # noqa: E402

_NAME = re.compile(r"(?<![\w@#])Cameron(?!\w)(?!\s+[A-Z][a-z])")
_BEFORE = re.compile(r"([A-Z][\w.]*)\s+$")
_ALLOWED = re.compile(r"David|Dave|Mr\.?|PM")


def capitalised_cameron(text: str) -> bool:
    """Whether `text` names "Cameron" by the capitalisation rule of the module docstring."""
    for m in _NAME.finditer(text):
        before = _BEFORE.search(text[: m.start()])
        if before is None or _ALLOWED.fullmatch(before.group(1)):
            return True
    return False


def main() -> None:
    from botwatch.content import modelrun

    named_of: dict[str, set[str]] = {}
    text_of: dict[str, str] = {}
    plain = modelrun.ContentModelInputs.post_features

    def recording(self, row):  # type: ignore[no-untyped-def]
        if self.matcher.election.key == "uk-ge2017":
            post = next(p for p, r in self.row_of.items() if r == row)
            named_of[post] = set(self.named_parties(row))
            text_of[post] = self.texts[row]
        return plain(self, row)

    modelrun.ContentModelInputs.post_features = recording  # type: ignore[method-assign]
    T.labelled_items("dev")
    want: dict[str, set[str]] = defaultdict(set)
    pool: dict[str, str] = {}
    for _posts, lab in T.LABELLED_SETS:
        for r in csv.DictReader(open(lab, encoding="utf-8")):
            if r["part"] == "dev" and r["election"] == "uk-ge2017":
                pool[r["post_id"]] = r["pool"]
                want[r["post_id"]]  # posts without a party count too
                if r["party"]:
                    want[r["post_id"]].add(r["party"])
    for src in ("ira", "ordinary"):
        posts = [p for p in want if p in named_of and source_of(pool[p]) == src]
        added = Counter()
        false = []
        for p in posts:
            if "conservative" not in named_of[p] and capitalised_cameron(text_of[p]):
                ok = "conservative" in want[p]
                added[ok] += 1
                if not ok:
                    false.append(text_of[p][:140])
        prec, rec, _f, _m = match_precision_recall({p: want[p] for p in posts}, {p: named_of[p] for p in posts})
        print(f"{src}: {len(posts)} labelled dev posts; matcher precision {prec:.3f} recall {rec:.3f}; "
              f"the rule adds {added[True]} Conservative pairs the reader lists and {added[False]} it does not")
        for t in false:
            print(f"  false: {t!r}")


if __name__ == "__main__":
    main()
