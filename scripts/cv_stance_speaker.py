"""Does the colon after a party's name help UK stance? Paired grouped CV on the dev and training
labels only (the frozen test part is never read). Issue 14, seventeenth round (2026-12-07).

The feature tokenizer (`features._TOKEN`) keeps words, `!`/`?` runs and emoji and drops every
other character, so "Nigel Farage: 'Trump is not a warmonger'" reaches the model as
"tgt trump is not a warmonger", the same words as a post in which the author calls UKIP a
warmonger's friend. The colon says who speaks: a party's name (or its figure's) followed by a
colon is the speaker of a quote or the subject of a headline ("Corbyn: …", "Labour: …"), which the
labelling guide reads as neutral unless the author's framing judges. On the UK dev pairs of IRA
posts, 49 of the 54 pairs whose masked text holds `tgt:` are labelled neutral (63 % of all of
them are). Candidates, each general (read from punctuation, no word list):

- `ship`: the shipped features exactly;
- `spk`: `spk=tgt` where this party's name is followed by a colon, `spk=oth` where another
  party's is (someone else speaking about the party);
- `spktgt`: `spk=tgt` alone.

And a rule with no weights, the labelling guide's headline rule read literally ("a headline is
neutral unless its own wording judges"): `--gate` reads the `ship` answers back and turns a
model-decided support or oppose neutral where the post looks like a headline (a link, title case
or an alert word: `stance_error_analysis.headline_like`) and the corrected lexicon finds no tone
(|score| < 0.05, the cut every sentiment reader here uses) in the whole post, in the clause naming
the party, or, stricter on form, where the post is in title case or opens with an alert word.

Each is added to every pair's features (gold and weak) before folding, so a variant only keeps or
drops its keys. Harness: `cv_word_vectors.measure_blocks` (5 folds grouped by post, `--repeats`
fold assignments, shipped settings, US weak labels, decisive cues first, paired bootstrap over
posts) and UK stance on the IRA posts alone (the frozen test part's kind) with
`cv_stance_kinds.uk_ira_table`.

Usage: OMP_NUM_THREADS=1 python scripts/cv_stance_speaker.py --cache DIR [--stance ship,spk,spktgt]
    [--combos ship/ship,spk/ship,spktgt/ship] [--repeats 3] [--boot 300] [--gate]     (needs ../shared/data for the weak labels)
"""

from __future__ import annotations

import csv
import json
import re
import sys
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "scripts"))

import cv_stance_kinds  # noqa: E402
import train_content_model as T  # noqa: E402
from cv_word_vectors import block_parser, cv_inputs, fold_answers, run_blocks  # noqa: E402
from stance_error_analysis import headline_like, source_of  # noqa: E402

from botwatch.content import modelrun  # noqa: E402
from botwatch.content.features import clean_text, mask  # noqa: E402
from botwatch.content.score import macro_f1  # noqa: E402

SCRIPT = "cv_stance_speaker"
_SPK = re.compile(r"\b(tgt|oth)\s*:")
KEYS = {"spk": ("spk=tgt", "spk=oth"), "spktgt": ("spk=tgt",)}


def speaker_features(raw: str, names, party: str, named) -> dict[str, float]:  # type: ignore[no-untyped-def]
    """`spk=tgt` / `spk=oth` where a name of this party / another party is followed by a colon."""
    cleaned = clean_text(raw)
    if ":" not in cleaned:
        return {}
    return {f"spk={m.group(1)}": 1.0 for m in _SPK.finditer(mask(cleaned, names, party, named))}


def install() -> None:
    """Make every pair feature set built from now on carry the `spk=` keys."""
    plain = modelrun.pair_features

    def with_speaker(raw, names, party, *args, **kw):  # type: ignore[no-untyped-def]
        f = plain(raw, names, party, *args, **kw)
        named = kw.get("named", args[6] if len(args) >= 7 else None)
        f.update(speaker_features(raw, names, party, named))
        return f

    modelrun.pair_features = with_speaker  # type: ignore[assignment]


def transform(f: dict[str, float], variant: str) -> dict[str, float]:
    keep = KEYS.get(variant, ())
    return {k: v for k, v in f.items() if not k.startswith("spk=") or k in keep}


def oof(items: list, groups: list[str], classes: list[str], settings: dict, extra: list, variant: str, seed: int) -> list[str]:
    x = [(transform(f, variant), y) for f, y in items]
    ex = [(transform(f, variant), y) for f, y in extra]
    return fold_answers(x, ex, groups, classes, settings, seed, 5)


def _flat(x: float) -> bool:
    return abs(x) < 0.05


GATES = {
    "headline, whole post's tone flat": lambda f: headline_like(f) and _flat(f["lex_post"]),
    "headline, the party's clause's tone flat": lambda f: headline_like(f) and _flat(f["lex_clause"]),
    "title case or an alert word, whole post's tone flat": lambda f: ("style=titlecase" in f or "style=alert" in f) and _flat(f["lex_post"]),
}


def gated(answer: str, f: dict[str, float], gate: "object") -> str:
    """The model's `answer` after `gate`: support or oppose turned neutral where the gate holds."""
    return "neutral" if answer != "neutral" and gate(f) else answer  # type: ignore[operator]


def gate_table(cache: Path, repeats: int, boot: int) -> None:
    """The headline gates on the cached `ship` answers (decisive cues untouched): UK, UK IRA posts
    and US stance, each with its paired gain over `ship` (bootstrap over posts, seed 14) and the
    (reader, model) cells the gate turned on the first fold assignment."""
    _shipped, pairs, _posts, gp, _gs, mp, _ms, _weak = cv_inputs()
    runs = [json.loads((cache / SCRIPT / f"stance-ship-{s}.json").read_text()) for s in range(repeats)]
    pool = {r["post_id"]: r["pool"] for _p, lab in T.LABELLED_SETS for r in csv.DictReader(open(lab, encoding="utf-8"))}
    gold = [y for _f, y in pairs]
    uk = [i for i in range(len(pairs)) if mp[i][0] == "uk-ge2017"]
    sets = {"UK, all": uk, "UK, IRA posts only": [i for i in uk if source_of(pool.get(gp[i], "")) == "ira"],
            "US": [i for i in range(len(pairs)) if mp[i][0] == "us-2016"]}

    def answer(run: list[str], i: int, gate: "object" = None) -> str:
        if mp[i][1]:
            return mp[i][1]
        return run[i] if gate is None else gated(run[i], pairs[i][0], gate)

    for name, idx in sets.items():
        by: dict[str, list[int]] = {}
        for i in idx:
            by.setdefault(gp[i], []).append(i)
        posts = sorted(by)
        rng = np.random.default_rng(14)
        picks = [[i for j in rng.integers(0, len(posts), len(posts)) for i in by[posts[j]]] for _ in range(boot)]

        def fig(pick: list[int], gate: "object" = None) -> float:
            return float(np.mean([macro_f1([gold[i] for i in pick], [answer(r, i, gate) for i in pick], tuple(T.STANCES)) for r in runs]))

        base = fig(idx)
        print(f"\n{name}: {len(idx)} pairs, ship {base:.3f}")
        for label, gate in GATES.items():
            hit = Counter((gold[i], runs[0][i]) for i in idx if not mp[i][1] and answer(runs[0], i, gate) != answer(runs[0], i))
            d = [fig(p, gate) - fig(p) for p in picks]
            lo, hi = np.percentile(d, [2.5, 97.5])
            print(f"  gate '{label}': {fig(idx, gate):.3f} ({fig(idx, gate) - base:+.3f} [{lo:+.3f}, {hi:+.3f}]); turned (reader, model) "
                  + ", ".join(f"{g}/{p} {n}" for (g, p), n in hit.most_common()), flush=True)


def main() -> None:
    ap = block_parser("ship,spk,spktgt", "ship", "ship/ship,spk/ship,spktgt/ship", description=__doc__.split("\n")[0])
    ap.add_argument("--gate", action="store_true", help="also the headline gates on the ship answers")
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
