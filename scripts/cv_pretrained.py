"""A pretrained text representation beside the shipped stance and sentiment features (issue 14,
fourteenth round): paired grouped CV on the dev and training labels only (the frozen test part
is never read).

Why: every representation tried before was learned from our own few million posts. WordLlama's
`l2_supercat_256` (the `wordllama` wheel, MIT licence, weights and tokenizer inside the wheel) is
a table of 32,000 static 256-d subword vectors distilled from a large language model's
embedding layer and trained for sentence similarity and entailment: it was taught on far more
text than we have, and it reads sub-words, so a misspelt or hashtag-glued word still gets pieces.

This script loads the wheel's two files itself (`safetensors` and `tokenizers`; wordllama's own
loader may fall back to a download, this never does) and adds, per labelled item, the mean of
the unit-length vectors of the subword tokens of:
- `lp`: the whole post, cleaned and masked as the shipped features are (stance: the pair's
  party's names read "this party", other named parties' "another party"; sentiment: every named
  party "another party"); both tasks;
- `lc`: the clause(s) holding the pair's party (split as `features.target_clause` does); stance.
Each block is scaled like the shipped word-vector blocks (x3 unless `*k` says otherwise) and
sits beside every shipped feature in the same logistic regressions with the shipped settings.

Harness (shared with the ninth round): 5 folds grouped by post, `--repeats` fold assignments
(`stance_learning_curve.fold_of`), every dev and training item scored, paired bootstrap over
posts (one resample for all four figures).

Usage: RAYON_NUM_THREADS=1 python scripts/cv_pretrained.py --wordllama DIR --encode-cost   (rough
    cost of one block a text)
       python scripts/cv_pretrained.py --stance ship,ship+lp,ship+lp+lc --sentiment ship,ship+lp
    --combos ship/ship,ship+lp/ship+lp [--repeats 3] [--cache DIR]
(needs the wheel's files: `--wordllama DIR`, the installed package's folder, and ../shared/data)
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "scripts"))

import train_content_model as T  # noqa: E402
from cv_word_vectors import block_parser, fold_answers, run_blocks  # noqa: E402

from botwatch.content import embed  # noqa: E402
from botwatch.content import features as F  # noqa: E402

NEW = ("lp", "lc")
_TGT = re.compile(r"\btgt\b")
_OTH = re.compile(r"\both\b")


class Pretrained:
    """The wheel's subword table (rows scaled to unit length) and its tokenizer, read from files."""

    def __init__(self, folder: Path) -> None:
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        w = load_file(str(folder / "weights" / "l2_supercat_256.safetensors"))["embedding.weight"].astype(np.float32)
        self.vectors = w / np.maximum(np.linalg.norm(w, axis=1, keepdims=True), 1e-9)
        self.tok = Tokenizer.from_file(str(folder / "tokenizers" / "l2_supercat_tokenizer_config.json"))
        self.cache: dict[str, np.ndarray | None] = {}

    def mean(self, text: str) -> np.ndarray | None:
        got = self.cache.get(text, 0)
        if isinstance(got, int):
            ids = self.tok.encode(text, add_special_tokens=False).ids
            got = self.vectors[ids].mean(axis=0) if ids else None
            self.cache[text] = got
        return got


PRE: Pretrained | None = None


def readable(masked: str) -> str:
    return _OTH.sub("another party", _TGT.sub("this party", masked))


def _block(pre: str, m: np.ndarray | None) -> dict[str, float]:
    return {} if m is None else {f"{pre}{i}": v for i, v in enumerate((m * embed.SCALE).tolist())}


_ship_pair, _ship_post = F.pair_vectors, F.post_vectors


def pair_blocks(cleaned: str, names: "F.PartyNames", party: str, named: "list[str] | None") -> dict[str, float]:
    assert PRE is not None
    out = dict(_ship_pair(cleaned, names, party, named))
    masked = F.mask(cleaned, names, party, named)
    out.update(_block("lp", PRE.mean(readable(masked))))
    clause = " ".join(c for c in F._CLAUSE.split(masked) if "tgt" in F.tokens(c)) or masked
    out.update(_block("lc", PRE.mean(readable(clause))))
    return out


def post_blocks(cleaned: str, names: "F.PartyNames", named: "list[str] | None") -> dict[str, float]:
    assert PRE is not None
    out = dict(_ship_post(cleaned, names, named))
    out.update(_block("lp", PRE.mean(readable(F.mask(cleaned, names, None, named)))))
    return out


def parse(v: str) -> tuple[set[str], float]:
    """`ship+lp+lc*8` -> ({"lp", "lc"}, 8.0): the shipped features plus the named pretrained
    blocks, those scaled x8 (x3, the shipped vectors' scale, otherwise). `noown` in place of
    `ship`: the shipped features without their own word-vector blocks (`vp`, `vt`), to see
    whether the pretrained blocks carry what ours do (measured only, not a candidate)."""
    keep, scale = set(), embed.SCALE
    for p in v.split("+"):
        base, _, s = p.partition("*")
        if base == "noown":
            keep.add(base)
        elif base != "ship":
            assert base in NEW, base
            keep.add(base)
        if s:
            scale = float(s)
    return keep, scale


def transform(f: dict[str, float], keep: set[str], scale: float) -> dict[str, float]:
    r = scale / embed.SCALE
    out = {}
    for k, v in f.items():
        p = k[:2] if k[:2] in NEW and k[2:].isdigit() else None
        if "noown" in keep and k[:2] in ("vp", "vt") and k[2:].isdigit():
            continue
        if p is None:
            out[k] = v
        elif p in keep:
            out[k] = v * r
    return out


def oof(items: list, groups: list[str], classes: list[str], settings: dict, extra: list, variant: str, seed: int) -> list[str]:
    keep, scale = parse(variant)
    x = [(transform(f, keep, scale), y) for f, y in items]
    ex = [(transform(f, keep, scale), y) for f, y in extra]
    return fold_answers(x, ex, groups, classes, settings, seed, 5)


def encode_cost(pre: Pretrained, repeats: int = 3) -> None:
    """Rough run-time cost of one block (measured only, not the speed rule's protocol): this
    process's CPU per distinct labelled text to tokenize it (one batch call, one thread) and to
    average a folded 3-column table (what a shipped block would cost: the model's weights times
    the subword vectors, one row per subword)."""
    import resource

    def cpu() -> float:
        r = resource.getrusage(resource.RUSAGE_SELF)
        return r.ru_utime + r.ru_stime

    texts = list(dict.fromkeys(F.clean_text(r["content"]) for pc, _l in T.LABELLED_SETS if pc.exists()
                               for r in csv.DictReader(open(pc, encoding="utf-8")) if r.get("content")))
    table = pre.vectors @ np.random.default_rng(0).random((pre.vectors.shape[1], 3), dtype=np.float32)
    for _ in range(repeats):
        t0 = cpu()
        enc = pre.tok.encode_batch(texts, add_special_tokens=False)
        t1 = cpu()
        for e in enc:
            table[e.ids].mean(axis=0)
        t2 = cpu()
        print(f"{len(texts)} texts: tokenize {1e6 * (t1 - t0) / len(texts):.1f} us, folded mean {1e6 * (t2 - t1) / len(texts):.1f} us CPU a text", flush=True)


def main() -> None:
    global PRE
    ap = block_parser("ship", "ship", "ship/ship", description=__doc__.split("\n")[0])
    ap.add_argument("--wordllama", type=Path, required=True, help="the installed wordllama package's folder")
    ap.add_argument("--encode-cost", action="store_true", help="print the rough cost of one block a text and stop")
    args = ap.parse_args()
    PRE = Pretrained(args.wordllama)
    if args.encode_cost:
        encode_cost(PRE)
        return
    F.pair_vectors = pair_blocks  # type: ignore[assignment]
    F.post_vectors = post_blocks  # type: ignore[assignment]
    run_blocks(args, oof, "cv_pretrained")


if __name__ == "__main__":
    main()
