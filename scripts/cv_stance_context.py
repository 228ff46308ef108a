"""Does knowing which country a post is about help UK stance? Paired grouped CV on the dev and
training labels only (the frozen test part is never read). Issue 14, 2026-12-07.

The fifteenth round's error analysis (docs/methods.md) found "another country's story" among the
UK failures: UKIP or the Tories named in a post about US politics ("Nigel Farage: 'Trump is not a
warmonger…'"), which the reader labels neutral toward the UK party and the model, reading the
post's tone, does not. The election file already says what places a post in its country
(`context_cues`: UK, Brexit, MP, NHS, …; the US file's: election, ballot, POTUS, …) and which
names belong to other elections (the other bundled presets' parties), so two general features
need no word list fitted to these posts:

- `ctx`: how many of the pair's election's context cues the post holds (`ctx=0`, `ctx=1`, `ctx=2`
  for two or more), as whole words in the cleaned text;
- `foreign`: the post names a party of another bundled election (`foreign=1`; here uk-ge2017
  and us-2016 are each other's "other");
- `ctx-foreign`: both.

And a rule with no weights: `--gate` reads the `ship` answers back and turns a model-decided UK
pair neutral where the post names a party of the other election (and, the stricter form, holds
no UK context cue), with the UK errors grouped by kind (a US party named, no UK cue, headline
form, hashtag, several parties, a sarcasm marker) on the first fold assignment.

Each is added to every pair's features (gold and weak) before folding, so a variant only keeps or
drops its keys; `ship` drops them all and is the shipped feature set exactly. Harness:
`cv_word_vectors.measure_blocks` (5 folds grouped by post, `--repeats` fold assignments, shipped
settings, US weak labels, decisive cues first, paired bootstrap over posts), and UK stance on the
IRA posts alone (the frozen test part's kind) with `cv_stance_kinds.uk_ira_table`.

Usage: OMP_NUM_THREADS=1 python scripts/cv_stance_context.py --cache DIR [--stance ship,ctx,foreign,ctx-foreign]
    [--combos ship/ship,ctx/ship,...] [--repeats 3] [--boot 300] [--gate]     (needs ../shared/data for the weak labels)
"""

from __future__ import annotations

import csv
import json
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "scripts"))

import cv_stance_kinds  # noqa: E402
import train_content_model as T  # noqa: E402
from cv_word_vectors import block_parser, cv_inputs, fold_answers, run_blocks  # noqa: E402
from stance_error_analysis import source_of  # noqa: E402

from botwatch.content import modelrun  # noqa: E402
from botwatch.content.features import PartyNames, clean_text  # noqa: E402
from botwatch.content.score import macro_f1  # noqa: E402
from botwatch.elections import load_election  # noqa: E402

SCRIPT = "cv_stance_context"
ELECTIONS = ("uk-ge2017", "us-2016")
FAMILIES = {"ctx": ("ctx=",), "foreign": ("foreign=",)}


def _cue_pattern(cues: "tuple[str, ...]") -> "re.Pattern[str] | None":
    words = sorted({c.strip().casefold() for c in cues if c.strip()}, key=len, reverse=True)
    if not words:
        return None
    return re.compile(r"(?<![\w])(?:" + "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in words) + r")(?![\w])")


def _by_parties() -> dict[frozenset[str], tuple["re.Pattern[str] | None", list["re.Pattern[str]"]]]:
    """Per election (keyed by its party keys, which is what `pair_features` sees in `names`): its
    context-cue pattern and the name patterns of the other elections' parties."""
    els = {k: load_election(k) for k in ELECTIONS}
    names = {k: PartyNames.of(e) for k, e in els.items()}
    out = {}
    for k, e in els.items():
        others = [p for o in ELECTIONS if o != k for p in names[o].patterns.values()]
        out[frozenset(names[k].parties)] = (_cue_pattern(e.context_cues), others)
    return out


def install() -> None:
    """Make every pair feature set built from now on carry the `ctx=` and `foreign=` keys."""
    plain = modelrun.pair_features
    table = _by_parties()

    def with_context(raw, names, party, *args, **kw):  # type: ignore[no-untyped-def]
        f = plain(raw, names, party, *args, **kw)
        f.update(context_features(raw, *table.get(frozenset(names.parties), (None, []))))
        return f

    modelrun.pair_features = with_context  # type: ignore[assignment]


def context_features(raw: str, cues: "re.Pattern[str] | None", others: "list[re.Pattern[str]]") -> dict[str, float]:
    """`ctx=0|1|2` (the election's context cues in the cleaned text, two or more as 2) and
    `foreign=1` where a name of another election's party is in it."""
    text = clean_text(raw)
    n = len(cues.findall(text)) if cues is not None else 0
    f = {f"ctx={min(n, 2)}": 1.0}
    if any(p.search(text) for p in others):
        f["foreign=1"] = 1.0
    return f


def transform(f: dict[str, float], variant: str) -> dict[str, float]:
    keep = tuple(x for part in variant.split("-") for x in FAMILIES.get(part, ()))
    return {k: v for k, v in f.items() if not k.startswith(("ctx=", "foreign=")) or k.startswith(keep or ("\0",))}


def oof(items: list, groups: list[str], classes: list[str], settings: dict, extra: list, variant: str, seed: int) -> list[str]:
    x = [(transform(f, variant), y) for f, y in items]
    ex = [(transform(f, variant), y) for f, y in extra]
    return fold_answers(x, ex, groups, classes, settings, seed, 5)


GROUPS = (
    ("names a US party", lambda f: "foreign=1" in f),
    ("no UK context cue", lambda f: "ctx=0" in f),
    ("headline form (a link, title case or an alert word)", lambda f: any(k in f for k in ("style=link", "style=titlecase", "style=alert"))),
    ("a hashtag names the party or holds words", lambda f: any(k.startswith(("sig=topic_tag", "hw=", "hb=")) for k in f)),
    ("several parties", lambda f: "named=2" in f or "named=3" in f),
    ("a sarcasm marker", lambda f: "style=sarcasm" in f),
)
GATES = {"foreign": lambda f: "foreign=1" in f, "foreign, no UK cue": lambda f: "foreign=1" in f and "ctx=0" in f}


def gate_table(cache: Path, repeats: int, boot: int) -> None:
    """The UK errors of the `ship` answers by kind (first fold assignment), and the foreign-story
    gates applied to those answers, each with its paired gain (bootstrap over posts, seed 14)."""
    _shipped, pairs, _posts, gp, _gs, mp, _ms, _weak = cv_inputs()
    runs = [json.loads((cache / SCRIPT / f"stance-ship-{s}.json").read_text()) for s in range(repeats)]
    pool = {r["post_id"]: r["pool"] for _p, lab in T.LABELLED_SETS for r in csv.DictReader(open(lab, encoding="utf-8"))}
    gold = [y for _f, y in pairs]
    uk = [i for i in range(len(pairs)) if mp[i][0] == "uk-ge2017"]
    sets = {"UK, all": uk, "UK, IRA posts only": [i for i in uk if source_of(pool.get(gp[i], "")) == "ira"]}

    def answer(run: list[str], i: int, gate: "object" = None) -> str:
        if mp[i][1]:
            return mp[i][1]
        return "neutral" if gate is not None and gate(pairs[i][0]) else run[i]  # type: ignore[operator]

    for name, idx in sets.items():
        wrong = [i for i in idx if answer(runs[0], i) != gold[i]]
        cells = Counter((gold[i], answer(runs[0], i)) for i in wrong)
        print(f"\n{name}: {len(idx)} pairs, {len(wrong)} wrong (fold assignment 0; reader -> botwatch: "
              + ", ".join(f"{g} -> {p} {n}" for (g, p), n in cells.most_common()) + ")")
        for label, test in GROUPS:
            print(f"  {label}: {sum(test(pairs[i][0]) for i in wrong)} wrong of {sum(test(pairs[i][0]) for i in idx)} pairs")
        by: dict[str, list[int]] = defaultdict(list)
        for i in idx:
            by[gp[i]].append(i)
        posts = sorted(by)
        rng = np.random.default_rng(14)
        picks = [[i for j in rng.integers(0, len(posts), len(posts)) for i in by[posts[j]]] for _ in range(boot)]

        def fig(pick: list[int], gate: "object" = None) -> float:
            return float(np.mean([macro_f1([gold[i] for i in pick], [answer(r, i, gate) for i in pick], tuple(T.STANCES)) for r in runs]))

        base = fig(idx)
        for label, gate in GATES.items():
            hit = [i for i in idx if not mp[i][1] and gate(pairs[i][0])]
            d = [fig(p, gate) - fig(p) for p in picks]
            lo, hi = np.percentile(d, [2.5, 97.5])
            print(f"  gate '{label}': {len(hit)} pairs (reader {dict(Counter(gold[i] for i in hit))}); "
                  f"{base:.3f} -> {fig(idx, gate):.3f} ({fig(idx, gate) - base:+.3f} [{lo:+.3f}, {hi:+.3f}])", flush=True)


def main() -> None:
    ap = block_parser("ship,ctx,foreign,ctx-foreign", "ship", "ship/ship,ctx/ship,foreign/ship,ctx-foreign/ship",
                      description=__doc__.split("\n")[0])
    ap.add_argument("--gate", action="store_true", help="also the UK error groups and the foreign-story gates on the ship answers")
    a = ap.parse_args()
    if not a.cache.name:
        ap.error("--cache DIR is needed (the IRA-only table reads the cached answers)")
    install()
    run_blocks(a, oof, SCRIPT)
    cv_stance_kinds.SCRIPT = SCRIPT
    cv_stance_kinds.uk_ira_table(a.cache, a.stance.split(","), a.repeats, a.boot)
    if a.gate:
        gate_table(a.cache, a.repeats, a.boot)


if __name__ == "__main__":
    main()
