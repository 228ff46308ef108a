"""Other windows, scales and vector blocks for the word-vector features (issue 14, ninth round):
paired grouped CV on the dev and training labels only (the frozen test part is never read).

The eighth round shipped two mean-vector blocks for stance (`vp`: the post, `vt`: the tokens
within 3 of the target's masked name) and one for sentiment (`vp`), each x3, and left "other
scales and windows" untried. Here every candidate block is built once per labelled item (by
wrapping `features.pair_vectors` / `post_vectors`, so the weak labels get them too) and each
variant keeps a subset of the blocks, rescaled, beside the same sparse features, in the same
logistic regressions with the shipped settings (C, weak labels, balance of content_model.json).

Blocks (all means of unit word vectors of `features.tokens` of the masked text):
- stance: `vp`, `vt` (shipped); `w2`, `w5`, `w8` (target windows of 2 / 5 / 8 tokens); `vl`, `vr`
  (the 3 tokens left / right of the target, apart); `vc` (the clause holding the target: split at
  sentence punctuation, dashes, new lines, as `features.target_clause`, and at " but ");
  `vv` (the post's words that carry a VADER valence: the tone words alone).
- sentiment: `vp` (shipped); `sw` (the tokens within 3 of any named party's mask, `oth`);
  `sc` (the clauses holding a party's name); `vv` (the post's VADER-valence words).

Every item is scored (no pool held out: every dev and training post, the fifth draw included);
folds grouped by post, `--repeats` random assignments (`stance_learning_curve.fold_of`). Printed:
per task the variants' figures, then for each `--combos` pair (stance variant / sentiment
variant) the four figures, their mean and the paired gain over the first combo (the shipped
model) with 95% percentile bootstrap intervals over posts (one resample for all four figures).

Usage: python scripts/cv_vector_windows.py --stance vp+vt,vp+vt+vl+vr,... --sentiment vp,vp+sw,...
    --combos vp+vt/vp,vp+vt+vc/vp+sw [--repeats 2] [--cache DIR]
A variant `a+b*5` scales its vector blocks to x5 (the shipped x3 otherwise).
(needs ../shared/data for the weak labels)
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "scripts"))

from cv_word_vectors import block_parser, fold_answers, run_blocks  # noqa: E402

from botwatch.content import embed  # noqa: E402
from botwatch.content import features as F  # noqa: E402

STANCE_BLOCKS = ("vp", "vt", "w2", "w5", "w8", "vl", "vr", "vc", "vv")
SENTIMENT_BLOCKS = ("vp", "sw", "sc", "vv")
BLOCKS = set(STANCE_BLOCKS) | set(SENTIMENT_BLOCKS)
_BUT = re.compile(r"\s+but\s+", re.I)


def _block(wv: embed.WordVectors, pre: str, ids: list[int]) -> dict[str, float]:
    m = wv.mean(ids)
    return {} if m is None else {f"{pre}{i}": v for i, v in enumerate((m * embed.SCALE).tolist())}


def _side(ids: "list[int | None]", spots: list[int], w: int, left: bool) -> list[int]:
    near = {j for k in spots for j in (range(max(k - w, 0), k) if left else range(k + 1, k + w + 1))}
    return [ids[j] for j in sorted(near) if j < len(ids) and ids[j] is not None]


def _clause_ids(wv: embed.WordVectors, masked: str, mark: str) -> list[int]:
    """Ids of the tokens of the clauses holding `mark` (also split at " but ")."""
    parts = [p for c in F._CLAUSE.split(masked) for p in _BUT.split(c)]
    toks = [t for p in parts if mark in F.tokens(p) for t in F.tokens(p)]
    return [i for i in map(wv.index.get, toks) if i is not None]


def _valence_ids(wv: embed.WordVectors, toks: list[str]) -> list[int]:
    from botwatch.content.sentiment import analyzer

    lex = analyzer().lexicon
    return [i for t in toks if t in lex and (i := wv.index.get(t)) is not None]


def _masked(wv: embed.WordVectors, cleaned: str, names: "F.PartyNames", party: "str | None", named: "list[str] | None",
            mark: str) -> "tuple[str, list[str], list[int | None], list[int], list[int]]":
    """The masked text (`party` as `tgt`, other named parties `oth`), its tokens, their vector
    ids (None: no vector), the known ids, and the positions of the token `mark`."""
    masked = F.mask(cleaned, names, party, named)
    toks = F.tokens(masked)
    ids = [wv.index.get(t) for t in toks]
    return masked, toks, ids, [i for i in ids if i is not None], [k for k, t in enumerate(toks) if t == mark]


def all_pair_blocks(cleaned: str, names: "F.PartyNames", party: str, named: "list[str] | None") -> dict[str, float]:
    """Every candidate stance block of one (post, party) pair (plain, unfolded)."""
    wv = embed.shipped()
    masked, toks, ids, known, spots = _masked(wv, cleaned, names, party, named, "tgt")
    if not known:
        return {}
    out = wv.pair_features(toks)  # vp, vt exactly as shipped
    for w in (2, 5, 8):
        out.update(_block(wv, f"w{w}", embed._window(ids, spots, w) or known))
    out.update(_block(wv, "vl", _side(ids, spots, 3, True)))
    out.update(_block(wv, "vr", _side(ids, spots, 3, False)))
    out.update(_block(wv, "vc", _clause_ids(wv, masked, "tgt") or known))
    out.update(_block(wv, "vv", _valence_ids(wv, toks)))
    return out


def all_post_blocks(cleaned: str, names: "F.PartyNames", named: "list[str] | None") -> dict[str, float]:
    """Every candidate sentiment block of one post (every named party masked `oth`)."""
    wv = embed.shipped()
    masked, toks, ids, known, spots = _masked(wv, cleaned, names, None, named, "oth")
    if not known:
        return {}
    out = wv.post_features(toks)
    out.update(_block(wv, "sw", embed._window(ids, spots, 3) or known))
    out.update(_block(wv, "sc", _clause_ids(wv, masked, "oth") or known))
    out.update(_block(wv, "vv", _valence_ids(wv, toks)))
    return out


def parse(v: str) -> tuple[set[str], float]:
    """`vp+vt*5` -> ({"vp", "vt"}, 5.0); `words` -> no vector blocks."""
    keep, scale = set(), embed.SCALE
    for p in v.split("+"):
        base, _, s = p.partition("*")
        if base != "words":
            keep.add(base)
        if s:
            scale = float(s)
    return keep, scale


def _pre(k: str) -> str | None:
    return k[:2] if k[:2] in BLOCKS and k[2:].isdigit() else None


def transform(f: dict[str, float], keep: set[str], scale: float) -> dict[str, float]:
    r = scale / embed.SCALE
    out = {}
    for k, v in f.items():
        p = _pre(k)
        if p is None:
            out[k] = v
        elif p in keep:
            out[k] = v * r
    return out


def oof(items: list, groups: list[str], classes: list[str], settings: dict, extra: list, variant: str, seed: int, folds: int = 5) -> list[str]:
    keep, scale = parse(variant)
    x = [(transform(f, keep, scale), y) for f, y in items]
    ex = [(transform(f, keep, scale), y) for f, y in extra]
    return fold_answers(x, ex, groups, classes, settings, seed, folds)


def main() -> None:
    args = block_parser("vp+vt", "vp", "vp+vt/vp", repeats=2, description=__doc__.split("\n")[0]).parse_args()
    embed.STANCE = embed.SENTIMENT = True
    F.pair_vectors = all_pair_blocks  # type: ignore[assignment]
    F.post_vectors = all_post_blocks  # type: ignore[assignment]
    run_blocks(args, oof, "cv_vector_windows")


if __name__ == "__main__":
    main()
