"""What the party-identity features are worth on the training labels (issue 14, party prior).

Why: the stance model has a `party=<key>` feature on every (post, party) pair and the sentiment
model one per named party. Each is a per-party intercept: it learns how often the labelled posts
(IRA accounts, where Republican mentions were mostly pro-Trump trolls) supported each party, a
property of one source and not of language. On a researcher's own archive it turns "mentions the
party" into "supports the party" (docs/methods.md, "Party base rate"). This measures, on the dev
and training labels only (the frozen test part is never read), what dropping them costs:

- `all`: the features with the party term on every pair and post (the model before this round;
  the script switches features.py's party settings back to that before building the items);
- `noparty`: without `party=` (stance and sentiment);
- `noparty-hw`: stance also without `hw=tgt` (the party's own name found inside a hashtag, such as
  `#GOPDebate`: a topic mention, not a stance cue).
- `gate-tag`: stance without `party=` only on pairs whose own match signals are all `topic_tag`
  (the party found only inside a topic hashtag): what ships (features.PARTY_SILENT_SIGNALS);
- `gate-topic`: stance without `party=` on pairs found only by topic hashtags and keywords.
- `noweak`, `noparty-noweak`: stance without the weak labels (IRA account categories: RightTroll
  supports the Republicans and opposes the Democrats, ...: the other per-party prior of one
  source), with and without `party=` (measured only).

Harness: the ninth round's (`cv_word_vectors.measure_blocks`): 5 folds grouped by post, `--repeats`
fold assignments, every dev and training item scored, the shipped settings, US weak labels with
stance, the decisive cues first; paired bootstrap over posts (one resample for all four figures).
The linear models only: the gated tree blend is not part of it (as in every CV round before).

Usage: python scripts/cv_party_prior.py [--repeats 3] [--boot 300] [--cache DIR] [--stance V,..] [--sentiment V,..]
    [--combos STANCE/SENTIMENT,..]   (docs/methods.md, "Party base rate", gives the command of its table)
(needs ../shared/data for the weak labels)
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "scripts"))

from cv_word_vectors import block_parser, fold_answers, run_blocks  # noqa: E402

from botwatch.content import features as F  # noqa: E402

DROPS = {"all": (), "noparty": ("party=",), "noparty-hw": ("party=", "hw=tgt"), "gate-tag": ("party=",), "gate-topic": ("party=",),
         "noweak": (), "noparty-noweak": ("party=",)}
# Gated variants drop `party=` only from pairs whose own match signals are all in the set: the
# party found only inside a topic hashtag (`gate-tag`), or only by topic hashtags and keywords
# (`gate-topic`); other pairs keep it.
GATES = {"gate-tag": {"sig=topic_tag"}, "gate-topic": {"sig=topic_tag", "sig=topic_kw"}}


def without(f: dict[str, float], drop: tuple[str, ...]) -> dict[str, float]:
    """`f` less its keys that start with one of `drop` (`hw=tgt` only as a whole key)."""
    return {k: v for k, v in f.items() if not any(k == d or (d.endswith("=") and k.startswith(d)) for d in drop)}


def transform(f: dict[str, float], variant: str) -> dict[str, float]:
    gate = GATES.get(variant)
    if gate is not None and not {k for k in f if k.startswith("sig=")} <= gate:
        return f
    return without(f, DROPS[variant])


def oof(items: list, groups: list[str], classes: list[str], settings: dict, extra: list, variant: str, seed: int) -> list[str]:
    if variant.endswith("noweak"):
        settings = {**settings, "weak_weight": 0.0}
    return fold_answers([(transform(f, variant), y) for f, y in items], [(transform(f, variant), y) for f, y in extra], groups, classes, settings, seed, 5)


def main() -> None:
    a = block_parser("all,noparty,gate-tag,gate-topic", "all,noparty", "all/all,noparty/noparty,gate-tag/noparty,gate-topic/noparty",
                     description=__doc__.split("\n")[0]).parse_args()
    # Every variant is the party term everywhere less what it drops, whatever features.py ships.
    F.PARTY_FEATURE_STANCE = F.PARTY_FEATURE_SENTIMENT = True
    F.PARTY_SILENT_SIGNALS = frozenset()
    run_blocks(a, oof, "cv_party_prior")


if __name__ == "__main__":
    main()
