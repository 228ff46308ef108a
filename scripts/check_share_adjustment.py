"""Would adjusting party shares for the content models' measured errors bring them nearer a
reader's? Checked on the frozen test part; measured, not shipped (docs/methods.md, "estimates").

Why: a share counted from labels inherits the labeller's errors, and they do not cancel. Out of
fold on the hand labels (docs/figures/content-errors-oof.json), the stance model answered
"support" for 33 of the 150 UK pairs a reader labelled support and for 30 of the 1,858 others: a
UK support share counted from its answers (63 of 2,008) is less than half the reader's (150). The
classic remedy for estimating class shares from a classifier is "adjusted classify and count"
(Forman 2008; the algebra of Rogan and Gladen's 1978 prevalence correction): if a post of true
class r gets answer b with probability M[r, b], the answers' shares are q = Mᵀ p, so p = (Mᵀ)⁻¹ q,
negative solutions clipped to 0 and renormalised. Each bootstrap replicate here draws the posts
and the error rates (every row of M from its Dirichlet posterior, Jeffreys prior), so the interval
holds how well the errors were measured too. It assumes the model errs on the counted posts as on
the labelled ones; the frozen test part, never used for M, says whether that holds. It is small
(about 120 UK and 160 US pairs): a check of direction and coverage, not a precise figure.

For each election: over the labelled test pairs botwatch matched (stance) and the labelled test
posts it scored (sentiment), the reader's share of each class, botwatch's counted share with a
95% bootstrap interval over posts, and the adjusted share with its interval (posts resampled and
the error rates drawn from their posterior in each replicate, as the estimates stage does with
accounts). Stance adjusts only the pairs the model (or the account prior) decided, as the stage does.

Usage: python scripts/check_share_adjustment.py UK_STUDY.duckdb US_STUDY.duckdb [--labels CSV] [--errors JSON] [--reps 2000]
with each STUDY the evaluation study of scripts/build_stance_eval_study.py (`--part test`),
ingested and analysed with `--stage content` under uk-ge2017 and us-2016 respectively.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from botwatch.content.score import load_labels, sentiment_class  # noqa: E402
from botwatch.estimates.bootstrap import percentile_interval  # noqa: E402
from botwatch.content.stance import PRIOR_RULES  # noqa: E402
from botwatch.study import Study  # noqa: E402

# The rows whose stance the model decided, or the account prior from the model's answers on the
# account's other posts: the rows adjusted. A decisive cue's answer is counted as given.
MODEL_ROUTE_RULES = ("model", *dict.fromkeys(r for r, _, _ in PRIOR_RULES))

PRIOR = 0.5  # Jeffreys: the Dirichlet posterior of each reader row is Dirichlet(counts + 0.5)
STANCE_CLASSES = ("support", "oppose", "neutral")
SENTIMENT_CLASSES = ("positive", "negative", "neutral")


@dataclass(frozen=True)
class Confusion:
    """Counts of (reader's label, botwatch's answer) on labelled items, rows in `classes` order."""

    classes: tuple[str, ...]
    counts: np.ndarray  # [reader, botwatch], non-negative whole numbers

    @property
    def n(self) -> int:
        return int(self.counts.sum())

    def rates(self) -> np.ndarray:
        """M[r, b]: the posterior mean of P(answer b | reader's label r)."""
        c = self.counts + PRIOR
        return c / c.sum(axis=1, keepdims=True)

    def draw(self, reps: int, rng: np.random.Generator) -> np.ndarray:
        """[rep, reader, botwatch] error rates, each reader row drawn from its Dirichlet posterior."""
        k = len(self.classes)
        out = np.empty((reps, k, k))
        for r in range(k):
            out[:, r, :] = rng.dirichlet(self.counts[r] + PRIOR, size=reps)
        return out


def unmix(answers: np.ndarray, rates: np.ndarray) -> np.ndarray:
    """Counts by true class from counts by answer: `answers` [..., k], `rates` [..., k, k] (or
    [k, k]) as M[r, b]. Solves Mᵀ p = q for the shares p, clips negative shares to 0 and
    renormalises, and scales back to the answers' total; a total of 0 gives zeros."""
    answers = np.asarray(answers, dtype=float)
    total = answers.sum(axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        q = np.where(total > 0, answers / total, 0.0)
    mt = np.swapaxes(np.broadcast_to(rates, answers.shape[:-1] + rates.shape[-2:]), -1, -2)
    p = np.linalg.solve(mt, q[..., None])[..., 0]
    p = np.clip(p, 0.0, None)
    s = p.sum(axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = np.where(s > 0, p / s, 0.0)
    return p * total


def _confusion(d: object, classes: tuple[str, ...]) -> Confusion | None:
    """A validated matrix from the file, or None: a hand-edited or damaged entry is no adjustment,
    never a crash or a wrong one."""
    if not isinstance(d, dict) or tuple(d.get("classes") or ()) != classes:
        return None
    try:
        counts = np.asarray(d.get("counts"), dtype=float)
    except (TypeError, ValueError):
        return None
    k = len(classes)
    if counts.shape != (k, k) or not np.isfinite(counts).all() or (counts < 0).any() or (counts != np.round(counts)).any():
        return None
    if (counts.sum(axis=1) == 0).any():
        return None
    return Confusion(classes, counts)


def read_errors(path: Path) -> dict[str, dict[str, Confusion]]:
    """Per election key: its 'stance' and 'sentiment' confusion matrices from `path` (the file
    `scripts/stance_error_analysis.py --write-errors` writes)."""
    doc = json.loads(path.read_text(encoding="utf-8"))
    out: dict[str, dict[str, Confusion]] = {}
    for key, tasks in doc["elections"].items():
        got = {task: c for task, classes in (("stance", STANCE_CLASSES), ("sentiment", SENTIMENT_CLASSES))
               if (c := _confusion(tasks.get(task), classes)) is not None}
        if got:
            out[str(key)] = got
    return out


def shares(rows: list[tuple[str, str, bool, str]], classes: tuple[str, ...], conf: Confusion, reps: int, seed: int) -> dict:
    """rows: (group, reader's label, adjusted route, botwatch's answer). Per class: the reader's
    share, the counted share and interval, the adjusted share and interval."""
    k = len(classes)
    groups = sorted({g for g, *_ in rows})
    gi = {g: i for i, g in enumerate(groups)}
    # Per group: reader counts, given (not adjusted) answers, model answers.
    reader = np.zeros((len(groups), k))
    given = np.zeros((len(groups), k))
    model = np.zeros((len(groups), k))
    for g, gold, routed, ans in rows:
        reader[gi[g], classes.index(gold)] += 1
        (model if routed else given)[gi[g], classes.index(ans)] += 1
    rng = np.random.default_rng(seed)
    draws = rng.multinomial(len(groups), np.full(len(groups), 1 / len(groups)), size=reps)  # [rep, group]
    g_given, g_model = draws @ given, draws @ model
    n = (g_given + g_model).sum(axis=1)
    counted = (g_given + g_model) / n[:, None]
    adj = (g_given + unmix(g_model, conf.draw(reps, rng))) / n[:, None]
    tot_given, tot_model = given.sum(0), model.sum(0)
    point_counted = (tot_given + tot_model) / (tot_given + tot_model).sum()
    point_adj = (tot_given + unmix(tot_model, conf.rates())) / (tot_given + tot_model).sum()
    truth = reader.sum(0) / reader.sum()
    out = {}
    for c in range(k):
        out[classes[c]] = {"reader": truth[c], "counted": point_counted[c], "counted_ci": percentile_interval(counted[:, c]),
                           "adjusted": point_adj[c], "adjusted_ci": percentile_interval(adj[:, c])}
    out["n"], out["model_rows"] = len(rows), int(tot_model.sum())
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("uk_study", type=Path)
    ap.add_argument("us_study", type=Path)
    ap.add_argument("--labels", type=Path, default=ROOT / "tests" / "fixtures" / "content" / "ira_stance_labels.csv")
    ap.add_argument("--errors", type=Path, default=ROOT / "docs" / "figures" / "content-errors-oof.json")
    ap.add_argument("--reps", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=2017)
    args = ap.parse_args()
    errors = read_errors(args.errors)
    print("| election, task | n (adjusted) | class | reader | counted [95%] | adjusted [95%] |")
    print("|---|---|---|---|---|---|")
    abs_err = {"counted": [], "adjusted": []}
    covered = {"counted": 0, "adjusted": 0}
    cells = 0
    for election, path in (("uk-ge2017", args.uk_study), ("us-2016", args.us_study)):
        labels = load_labels(args.labels, election=election, part="test")
        with Study(path, read_only=True) as st:
            pp = {(p, q): (s, r) for p, q, s, r in st.sql("select post_id, party, stance, stance_rule from post_party where election = ?", [election])}
            sent = {p: s for p, s in st.sql("select post_id, sentiment from post_labels where election = ?", [election])}
        stance_rows, sent_rows, seen = [], [], set()
        for r in labels:
            if r["party"] and (r["post_id"], r["party"]) in pp:
                s, rule = pp[(r["post_id"], r["party"])]
                stance_rows.append((r["post_id"], r["stance"], rule in MODEL_ROUTE_RULES, s))
            if r["post_id"] not in seen and sent.get(r["post_id"]) is not None:
                seen.add(r["post_id"])
                sent_rows.append((r["post_id"], r["sentiment"], True, sentiment_class(sent[r["post_id"]])))
        for task, rows, classes in (("stance", stance_rows, STANCE_CLASSES), ("sentiment", sent_rows, SENTIMENT_CLASSES)):
            got = shares(rows, classes, errors[election][task], args.reps, args.seed)
            for c in classes[:2]:
                x = got[c]
                cells += 1
                for how in ("counted", "adjusted"):
                    abs_err[how].append(abs(x[how] - x["reader"]))
                    lo, hi = x[f"{how}_ci"]
                    covered[how] += lo <= x["reader"] <= hi
                print(f"| {election} {task} | {got['n']} ({got['model_rows']}) | {c} | {x['reader']:.1%} | {x['counted']:.1%} [{x['counted_ci'][0]:.1%}–{x['counted_ci'][1]:.1%}] "
                      f"| {x['adjusted']:.1%} [{x['adjusted_ci'][0]:.1%}–{x['adjusted_ci'][1]:.1%}] |")
    for how in ("counted", "adjusted"):
        print(f"{how}: mean absolute error {np.mean(abs_err[how]):.1%} over {cells} shares; the reader's share inside the 95% interval {covered[how]} of {cells}")


if __name__ == "__main__":
    main()
