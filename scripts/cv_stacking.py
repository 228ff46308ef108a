"""Learners beside the logistic regression (issue 14, tenth round): stacking, a LightGBM blend and
an MLP blend, in the ninth round's CV harness; the frozen test part is never read.

The first level is the shipped pair of logistic regressions (the shipped features and settings:
`train_content_model.fit`, vectors x3). Fold assignments, fold loop and the paired bootstrap are
those of `scripts/cv_vector_windows.py` (`stance_learning_curve.fold_of` per task, seeds 0 and 1;
`cv_word_vectors.paired_table`), so the baseline row reproduces the ninth round's shipped row
answer for answer.

Nesting (no leakage): for every outer fold k of a task, the outer training posts are split again
into 5 inner folds grouped by post; on each inner fold both first-level models (stance and
sentiment) are fitted on the outer training posts outside it and answer its items with class
probabilities. A second level (or a blend weight) is fitted on those inner out-of-fold
probabilities only, then answers the outer held-out items from the probabilities of first-level
models fitted on the whole outer training part. The held-out fold is seen by no level before it
is answered. Cross-task inputs: a pair reads its post's sentiment probabilities, a post the mean
and maximum of its labelled pairs' stance probabilities, always from models that did not see that
post.

Candidates (`--candidates`):
- `stack-lr`: multinomial logistic regression over [log first-level probabilities of the task,
  the other task's, cue features: match signals, rival signals, parties named, kind, election];
- `stack-gbm`: LightGBM over the same inputs (small trees, fixed settings);
- `gbm-blend`: LightGBM on the dense features alone (vector blocks, lexicon scores, style, cue
  and count features) whose probabilities are averaged with the logistic regression's, the weight
  (0, 0.1, ..., 0.6) chosen on the inner folds;
- `gbm40-blend`, `gbm80-blend` (eleventh round): `gbm-blend` with 40 or 80 boosting rounds at
  learning rate 0.1 instead of 300 at 0.03 (`GBM_ROUNDS`), every other setting the same;
- `gbm40-gate50`, `gbm40-gate60`, `gbm40-gate70` (thirteenth round): `gbm40-blend` (the same
  fits and inner-fold weights) applied only to the items whose linear top class probability is
  below 0.5 / 0.6 / 0.7 (`modelrun.below_gate`, the stage's own gate); the others keep the linear answer;
- `mlp-blend`: scikit-learn's MLP over [post mean, target-window mean, max-pooled post and window
  vectors, lexicon scores], blended as `gbm-blend`;
- `cnn-blend`: `TextCNN` (numpy only), a width-3 convolution over the frozen shipped vectors of
  the masked post in word order, max-pooled over the post and the target's window, blended as
  `gbm-blend`: the one candidate that reads word order.

Usage: python scripts/cv_stacking.py [--seeds 0,1] [--cache DIR] [--candidates ...] [--check-against DIR]
Run it with OMP_NUM_THREADS=1 (one BLAS thread: on two busy shared cores the logistic regression's
fit is many times faster so).
(needs ../shared/data for the weak labels; the first run builds the items, cached under --cache)
"""

from __future__ import annotations

import argparse
import csv
import json
import pickle
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "scripts"))

import train_content_model as T  # noqa: E402
from cv_word_vectors import FIGURES, four_figures, paired_table  # noqa: E402
from stance_learning_curve import fold_of  # noqa: E402

from botwatch.content import embed  # noqa: E402
from botwatch.content import features as F  # noqa: E402
from botwatch.content.modelrun import below_gate  # noqa: E402
from botwatch.content.score import macro_f1  # noqa: E402

DIM = 64
POOL = ("xp", "xt", "zs")  # max-pooled post / target-window vectors (MLP) and the token sequence (CNN): never the LR's
MAX_TOKENS = 64
TGT, OTH, NONE = -2, -3, -1  # sequence codes of the target's mask, a rival's mask, a token without a vector


def _sequence(toks: list[str]) -> dict[str, float]:
    """The masked post's tokens as lookup ids in order (`zs<pos>`), the CNN's input."""
    get = embed.shipped().index.get
    code = {"tgt": TGT, "oth": OTH}
    out = {}
    for k, t in enumerate(toks[:MAX_TOKENS]):
        i = code.get(t, get(t))
        out[f"zs{k}"] = float(NONE if i is None else i)
    return out


def _pooled(ids: "list[int | None]", spots: list[int]) -> dict[str, float]:
    wv = embed.shipped()
    known = [i for i in ids if i is not None]
    if not known:
        return {}
    out = {f"xp{i}": v for i, v in enumerate(wv.vectors[known].max(axis=0).tolist())}
    win = embed._window(ids, spots) or known
    out.update({f"xt{i}": v for i, v in enumerate(wv.vectors[win].max(axis=0).tolist())})
    return out


_pair_vectors, _post_vectors = F.pair_vectors, F.post_vectors


def pair_vectors_pooled(cleaned: str, names: "F.PartyNames", party: str, named: "list[str] | None") -> dict[str, float]:
    """The shipped stance vector features, plus the max-pooled blocks (split off before the LR)."""
    out = _pair_vectors(cleaned, names, party, named)
    toks = F.tokens(F.mask(cleaned, names, party, named))
    ids = [embed.shipped().index.get(t) for t in toks]
    out.update(_pooled(ids, [k for k, t in enumerate(toks) if t == "tgt"]))
    out.update(_sequence(toks))
    return out


def post_vectors_pooled(cleaned: str, names: "F.PartyNames", named: "list[str] | None") -> dict[str, float]:
    out = _post_vectors(cleaned, names, named)
    toks = F.tokens(F.mask(cleaned, names, None, named))
    ids = [embed.shipped().index.get(t) for t in toks]
    out.update({k: v for k, v in _pooled(ids, []).items() if k.startswith("xp")})
    out.update(_sequence(toks))
    return out


def _split(f: dict[str, float]) -> tuple[dict[str, float], dict[str, float]]:
    """(the LR's features, the pooled blocks)."""
    lr, pool = {}, {}
    for k, v in f.items():
        (pool if k[:2] in POOL and k[2:].isdigit() else lr)[k] = v
    return lr, pool


def build_items(cache: Path) -> dict:
    path = cache / "items.pkl"
    if path.exists():
        return pickle.loads(path.read_bytes())
    embed.STANCE = embed.SENTIMENT = True
    F.pair_vectors = pair_vectors_pooled  # type: ignore[assignment]
    F.post_vectors = post_vectors_pooled  # type: ignore[assignment]
    t0 = time.process_time()
    pairs, posts = T.labelled_items("dev")
    gp, gs = T.labelled_items.groups  # type: ignore[attr-defined]
    mp, ms = T.labelled_items.meta  # type: ignore[attr-defined]
    texts = {F.clean_text(r["content"]).strip() for pc, _l in T.LABELLED_SETS if pc.exists() for r in csv.DictReader(open(pc, encoding="utf-8"))}
    weak = T.weak_items(800, texts, False, ("us-2016",))[0]
    F.pair_vectors, F.post_vectors = _pair_vectors, _post_vectors  # type: ignore[assignment]
    sp = [(_split(f), y) for f, y in pairs]
    ss = [(_split(f), y) for f, y in posts]
    out = {
        "pairs": [(a, y) for (a, _b), y in sp], "pairs_pool": [b for (_a, b), _y in sp],
        "posts": [(a, y) for (a, _b), y in ss], "posts_pool": [b for (_a, b), _y in ss],
        "weak": [(_split(f)[0], y) for f, y in weak], "gp": gp, "gs": gs, "mp": mp, "ms": ms,
    }
    cache.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pickle.dumps(out))
    print(f"items built in {time.process_time() - t0:.0f} CPU-s", flush=True)
    return out


if __name__ == "__main__" and sys.argv[1:2] == ["--build-only"]:
    it = build_items(Path(sys.argv[2]))
    print(len(it["pairs"]), len(it["posts"]), len(it["weak"]))


# ---------------------------------------------------------------------------------------------
# First level, nested.

TASKS = ("stance", "sentiment")
CLASSES = {"stance": T.STANCES, "sentiment": T.SENTIMENTS}


class Data:
    """The items of both tasks and the links between a pair and its post."""

    def __init__(self, it: dict, settings: dict) -> None:
        self.items = {"stance": it["pairs"], "sentiment": it["posts"]}
        self.pool = {"stance": it["pairs_pool"], "sentiment": it["posts_pool"]}
        self.groups = {"stance": it["gp"], "sentiment": it["gs"]}
        self.meta = {"stance": it["mp"], "sentiment": it["ms"]}
        self.weak = it["weak"]
        self.settings = settings
        post_of = {(e, g): i for i, ((e, _t), g) in enumerate(zip(it["ms"], it["gs"]))}
        self.post_of_pair = [post_of.get((e, g)) for (e, _c), g in zip(it["mp"], it["gp"])]
        self.pairs_of_post: list[list[int]] = [[] for _ in it["gs"]]
        for i, j in enumerate(self.post_of_pair):
            if j is not None:
                self.pairs_of_post[j].append(i)

    def fit_lr(self, task: str, out: set[str]):  # type: ignore[no-untyped-def]
        """The first-level model of `task` fitted on its items whose post is not in `out`, in item
        order (as `cv_word_vectors.fold_answers`, so the outer fits are the harness's own)."""
        s = self.settings[task]
        ew = s["weak_weight"]
        tr = [x for x, g in zip(self.items[task], self.groups[task]) if g not in out]
        return T.fit(tr, CLASSES[task], s["C"], self.weak if (ew and task == "stance") else (), ew, s["balance"])

    def proba(self, model, task: str, idx: list[int]) -> np.ndarray:  # type: ignore[no-untyped-def]
        vec, clf = model
        if not idx:
            return np.zeros((0, 3))
        p = clf.predict_proba(vec.transform([self.items[task][i][0] for i in idx]))
        full = np.zeros((len(idx), 3))
        full[:, clf.classes_] = p
        return full


def nested_lr(d: Data, task: str, seed: int, folds: int = 5, inner_folds: int = 5) -> dict:
    """First-level probabilities for one fold assignment of `task` (the harness's: `fold_of`
    over the task's own posts). Per outer fold k: `outer[k][t]` (items of both tasks t whose post
    is held out, from models fitted on the other posts) and `inner[k][t]` (items of both tasks on
    the outer training posts, each from models fitted on the outer training part without its
    inner fold). The other task's models leave out the same posts, so a pair's sentiment input
    (or a post's stance input) never comes from a model that saw its post."""
    fold = fold_of(d.groups[task], seed, folds)
    res: dict = {"outer": {}, "inner": {}, "fold": fold}

    def answer(out: set[str], posts: set[str]) -> dict[str, dict[int, np.ndarray]]:
        got = {}
        for t in TASKS:
            idx = [i for i, g in enumerate(d.groups[t]) if g in posts]
            got[t] = dict(zip(idx, d.proba(d.fit_lr(t, out), t, idx)))
        return got

    for k in range(folds):
        held = {g for g, f in fold.items() if f == k}
        rest = sorted(g for g, f in fold.items() if f != k)
        res["outer"][k] = answer(held, held)
        inner_fold = fold_of(rest, 1000 + 10 * seed + k, inner_folds)
        acc: dict[str, dict[int, np.ndarray]] = {t: {} for t in TASKS}
        for j in range(inner_folds):
            q = {g for g, f in inner_fold.items() if f == j}
            got = answer(held | q, q)
            for t in TASKS:
                acc[t].update(got[t])
        res["inner"][k] = acc
        print(f"    {task} seed {seed} outer fold {k} done ({time.strftime('%H:%M:%S')})", flush=True)
    return res


def cached_nested(d: Data, cache: Path, task: str, seed: int) -> dict:
    """`nested_lr`, kept as a pickle under `cache` (the first level is the costly part)."""
    f = cache / f"nested-lr-{task}-{seed}.pkl"
    if f.exists():
        return pickle.loads(f.read_bytes())
    res = nested_lr(d, task, seed)
    f.write_bytes(pickle.dumps(res))
    return res


if __name__ == "__main__" and sys.argv[1:2] == ["--lr-only"]:
    cache = Path(sys.argv[2])
    d = Data(build_items(cache), json.loads(T.OUT.read_text(encoding="utf-8")))
    for s in map(int, sys.argv[3].split(",")):
        for t in TASKS:
            cached_nested(d, cache, t, s)


# ---------------------------------------------------------------------------------------------
# Second level and blends.

_CUE_PREFIXES = {"stance": ("sig=", "rival=", "named=", "kind="), "sentiment": ("kind=", "named=")}
_CUE_VALUES = {"stance": ("lex_post", "lex_clause"), "sentiment": ("lex_post", "vader_pos", "vader_neg", "vader_neu")}


def _log(p: np.ndarray) -> np.ndarray:
    return np.log(np.clip(p, 1e-4, 1.0))


def stack_row(d: Data, task: str, i: int, probs: dict[str, dict[int, np.ndarray]]) -> dict[str, float]:
    """The second level's inputs for item `i` of `task`: its first-level log probabilities, the
    other task's for the same post (a post: the mean and maximum over its labelled pairs), and a
    few cue features of the item."""
    f = {f"own{c}": v for c, v in enumerate(_log(probs[task][i]))}
    if task == "stance":
        j = d.post_of_pair[i]
        if j is not None and j in probs["sentiment"]:
            f.update({f"sent{c}": v for c, v in enumerate(_log(probs["sentiment"][j]))})
        else:
            f["sent_none"] = 1.0
    else:
        ps = [probs["stance"][i2] for i2 in d.pairs_of_post[i] if i2 in probs["stance"]]
        if ps:
            a = np.array(ps)
            f.update({f"st_mean{c}": v for c, v in enumerate(a.mean(axis=0))})
            f.update({f"st_max{c}": v for c, v in enumerate(a.max(axis=0))})
            f["st_n"] = float(len(ps))
        else:
            f["st_none"] = 1.0
    feats = d.items[task][i][0]
    for k, v in feats.items():
        if k.startswith(_CUE_PREFIXES[task]) or k in _CUE_VALUES[task]:
            f[k] = v
    f["uk"] = float(d.meta[task][i][0] == "uk-ge2017")
    return f


_DENSE_PREFIXES = ("vp", "vt", "lex_", "vader_", "style=", "sig=", "rival=", "named=", "kind=", "party=")


def dense_row(d: Data, task: str, i: int, pooled: bool) -> dict[str, float]:
    """The dense part of an item's features (vector blocks, lexicon, style, cues); with `pooled`
    the max-pooled vectors too (the MLP's input)."""
    f = {k: v for k, v in d.items[task][i][0].items() if k.startswith(_DENSE_PREFIXES) and not k.startswith(("vp:", "vt:"))}
    if pooled:
        f.update({k: v for k, v in d.pool[task][i].items() if not k.startswith("zs")})
    f["uk"] = float(d.meta[task][i][0] == "uk-ge2017")
    return f


def class_weights(y: np.ndarray, balance: float) -> np.ndarray:
    freq = np.array([max((y == k).sum(), 1) for k in range(3)], float)
    return ((len(y) / (3 * freq)) ** balance)[y]


# LightGBM's boosting rounds and learning rate per learner name: the tenth round's `gbm` and the
# eleventh round's fewer-tree variants (every other setting shared, fixed before any run).
GBM_ROUNDS = {"gbm": (300, 0.03), "gbm40": (40, 0.1), "gbm80": (80, 0.1)}


def make_learner(kind: str, seed: int):  # type: ignore[no-untyped-def]
    """Fixed settings, chosen before any run (no tuning on the outer folds)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.neural_network import MLPClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    if kind == "lr":
        return make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=2000))
    if kind in GBM_ROUNDS:
        from lightgbm import LGBMClassifier

        rounds, rate = GBM_ROUNDS[kind]
        return LGBMClassifier(n_estimators=rounds, learning_rate=rate, num_leaves=7, min_child_samples=20, subsample=0.8, subsample_freq=1,
                              colsample_bytree=0.8, reg_lambda=1.0, n_jobs=1, verbose=-1, random_state=seed)
    if kind == "mlp":
        return make_pipeline(StandardScaler(), MLPClassifier(hidden_layer_sizes=(64,), alpha=1e-2, max_iter=300, early_stopping=True, random_state=seed))
    raise ValueError(kind)


def fit_predict(kind: str, seed: int, xtr: list[dict], ytr: np.ndarray, w: np.ndarray, xte: list[dict]) -> np.ndarray:
    from sklearn.feature_extraction import DictVectorizer

    vec = DictVectorizer(sparse=False)
    a = vec.fit_transform(xtr)
    b = vec.transform(xte)
    m = make_learner(kind, seed)
    if kind == "lr":
        m.fit(a, ytr, logisticregression__sample_weight=w)
    elif kind == "mlp":
        m.fit(a, ytr)  # MLP with early stopping: weights unsupported with its validation split
    else:
        m.fit(a, ytr, sample_weight=w)
    p = np.zeros((len(xte), 3))
    p[:, m.classes_] = m.predict_proba(b)
    return p


def labels(d: Data, task: str, idx: list[int], p: np.ndarray) -> list[str]:
    return [CLASSES[task][c] for c in p.argmax(axis=1)]


def figure_mean(d: Data, task: str, idx: list[int], p: np.ndarray) -> float:
    """Mean over the elections of the macro-F1 of `p`'s answers (stance: the decisive cues first)."""
    gold = [d.items[task][i][1] for i in idx]
    ans = labels(d, task, idx, p)
    if task == "stance":
        ans = [d.meta[task][i][1] or a for i, a in zip(idx, ans)]
    out = []
    for e in ("uk-ge2017", "us-2016"):
        s = [n for n, i in enumerate(idx) if d.meta[task][i][0] == e]
        out.append(macro_f1([gold[n] for n in s], [ans[n] for n in s], tuple(CLASSES[task])))
    return float(np.mean(out))


def second_learner(d: Data, task: str, learner: str, seed: int, tr: list[int], ytr: np.ndarray, w: np.ndarray, te: list[int]) -> np.ndarray:
    """Class probabilities of the items `te` from `learner` fitted on the items `tr`."""
    if learner == "cnn":
        m = TextCNN(seed=seed, near=task == "stance").fit([sequence_of(d, task, i) for i in tr], ytr, w)
        return m.predict_proba([sequence_of(d, task, i) for i in te])
    pooled = learner == "mlp"
    return fit_predict(learner, seed, [dense_row(d, task, i, pooled) for i in tr], ytr, w, [dense_row(d, task, i, pooled) for i in te])


BLEND_GRID = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6)


# Thirteenth round: the gbm40 blend applied only where the linear model's own top class
# probability is below t (the trees and their inputs then cost only for those items).
GATES = {"gbm40-gate50": 0.5, "gbm40-gate60": 0.6, "gbm40-gate70": 0.7}


def outer_fold(d: Data, task: str, nest: dict, k: int) -> tuple[list[int], list[int], np.ndarray, np.ndarray, np.ndarray]:
    """Outer fold `k` of `task` as every candidate and blend reads it: the training items (the
    inner folds) and the held-out items, sorted; the training labels as class indices and their
    class weights (the shipped balance); the linear model's out-of-fold probabilities for the
    held-out items."""
    ycls = {c: n for n, c in enumerate(CLASSES[task])}
    inner, outer = nest["inner"][k], nest["outer"][k]
    tr = sorted(inner[task])
    te = sorted(outer[task])
    ytr = np.array([ycls[d.items[task][i][1]] for i in tr])
    return tr, te, ytr, class_weights(ytr, d.settings[task]["balance"]), np.array([outer[task][i] for i in te])


_BLEND_PARTS: dict[tuple[str, int, int, str], tuple[float, np.ndarray]] = {}


def blend_part(d: Data, task: str, seed: int, nest: dict, k: int, learner: str, log: list[str]) -> tuple[float, np.ndarray]:
    """Outer fold `k` of a blend: the weight chosen on the inner folds (ungated) and the second
    learner's probabilities for the held-out items. Kept per process, so the gated candidates
    share one fit with the ungated blend (the same trees and weights, as the round's rule says)."""
    key = (task, seed, k, learner)
    if key in _BLEND_PARTS:
        return _BLEND_PARTS[key]
    fold = nest["fold"]
    balance = d.settings[task]["balance"]
    ycls = {c: n for n, c in enumerate(CLASSES[task])}
    inner = nest["inner"][k]
    tr, te, ytr, w, p_lr_te = outer_fold(d, task, nest, k)
    rest = sorted(g for g, f in fold.items() if f != k)
    inner_fold = fold_of(rest, 1000 + 10 * seed + k, 5)
    p_in = np.zeros((len(tr), 3))
    pos = {i: n for n, i in enumerate(tr)}
    for j in range(5):
        q = [i for i in tr if inner_fold[d.groups[task][i]] == j]
        r = [i for i in tr if inner_fold[d.groups[task][i]] != j]
        yr = np.array([ycls[d.items[task][i][1]] for i in r])
        for i, row in zip(q, second_learner(d, task, learner, seed, r, yr, class_weights(yr, balance), q)):
            p_in[pos[i]] = row
    p_lr_in = np.array([inner[task][i] for i in tr])
    scores = {b: figure_mean(d, task, tr, (1 - b) * p_lr_in + b * p_in) for b in BLEND_GRID}
    b = max(scores, key=lambda x: (scores[x], -x))
    p_te = second_learner(d, task, learner, seed, tr, ytr, w, te)
    log.append(f"{task} {learner}-blend seed {seed} fold {k}: blend weight {b} (inner {scores[b]:.3f}, LR alone {scores.get(0.0, float('nan')):.3f}; "
               f"{learner} alone {figure_mean(d, task, te, p_te):.3f} outer, LR alone {figure_mean(d, task, te, p_lr_te):.3f})")
    _BLEND_PARTS[key] = (b, p_te)
    return b, p_te


def candidate_answers(d: Data, task: str, seed: int, nest: dict, kind: str, log: list[str]) -> list[str]:
    """Out-of-fold answers of one candidate for every item of `task` (one fold assignment)."""
    out = [""] * len(d.items[task])
    for k in nest["outer"]:
        inner, outer = nest["inner"][k], nest["outer"][k]
        tr, te, ytr, w, p_lr_te = outer_fold(d, task, nest, k)
        if kind == "baseline":
            p = p_lr_te
        elif kind.startswith("stack-"):
            xtr = [stack_row(d, task, i, inner) for i in tr]
            xte = [stack_row(d, task, i, outer) for i in te]
            p = fit_predict(kind.split("-")[1], seed, xtr, ytr, w, xte)
        else:  # gbm-blend / mlp-blend / cnn-blend (gated: gbm40-gateNN): a second learner, its inner answers for the blend weight
            learner = kind.split("-")[0]
            b, p_te = blend_part(d, task, seed, nest, k, learner, log)
            p = (1 - b) * p_lr_te + b * p_te
            if "-gate" in kind:
                t = GATES[kind]
                unsure = below_gate(p_lr_te, t)  # the content stage's own gate, so CV measures what ships
                p = np.where(unsure[:, None], p, p_lr_te)
                log.append(f"{task} {kind} seed {seed} fold {k}: blended {int(unsure.sum())} of {len(te)} items "
                           f"({unsure.mean():.1%}) below t={t}")
        for i, a in zip(te, labels(d, task, te, p)):
            out[i] = a
    return out


CANDIDATES = ("baseline", "stack-lr", "stack-gbm", "gbm-blend", "mlp-blend", "cnn-blend", "gbm40-blend", "gbm80-blend",
              "gbm40-gate50", "gbm40-gate60", "gbm40-gate70")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", default="0,1", help="fold assignments (the harness's 0 and 1; 2 confirms a choice)")
    ap.add_argument("--candidates", default=",".join(CANDIDATES))
    ap.add_argument("--boot", type=int, default=300)
    ap.add_argument("--cache", type=Path, default=Path("/tmp/cv_stacking"), help="folder keeping items, first-level probabilities and answers")
    ap.add_argument("--check-against", type=Path, default=None,
                    help="a cv_vector_windows.py cache folder (DIR/cv_vector_windows for --cache DIR): check the baseline answers equal its shipped rows (stance-vp+vt-<seed>.json, sentiment-vp-<seed>.json)")
    args = ap.parse_args()
    seeds = [int(s) for s in args.seeds.split(",")]
    cands = args.candidates.split(",")
    d = Data(build_items(args.cache), json.loads(T.OUT.read_text(encoding="utf-8")))
    print(f"{len(d.items['stance'])} pairs, {len(d.items['sentiment'])} posts; weak {len(d.weak)}", flush=True)
    preds: dict[tuple[str, str], list[list[str]]] = {}
    log: list[str] = []
    for task in TASKS:
        for s in seeds:
            nest = cached_nested(d, args.cache, task, s)
            for c in cands:
                f = args.cache / f"answers-{task}-{c}-{s}.json"
                if f.exists():
                    ans = json.loads(f.read_text())
                else:
                    t0 = time.process_time()
                    ans = candidate_answers(d, task, s, nest, c, log)
                    f.write_text(json.dumps(ans))
                    print(f"  {task} {c} seed {s}: {time.process_time() - t0:.0f} CPU-s", flush=True)
                preds.setdefault((task, c), []).append(ans)
            if args.check_against is not None:
                ref = args.check_against / (f"stance-vp+vt-{s}.json" if task == "stance" else f"sentiment-vp-{s}.json")
                if ref.exists():
                    same = json.loads(ref.read_text()) == preds[(task, "baseline")][-1]
                    print(f"  baseline {task} seed {s} equals the harness's shipped answers: {same}", flush=True)
    for line in log:
        print("  " + line)
    mp, ms = d.meta["stance"], d.meta["sentiment"]
    pairs, posts = d.items["stance"], d.items["sentiment"]
    idx, fig_of = four_figures(pairs, posts, mp, ms)

    def figures(c: str, pick: dict[str, list[int]]) -> np.ndarray:
        return np.array([fig_of(fig, preds[("stance" if "stance" in fig else "sentiment", c)], pick[fig]) for fig in FIGURES])

    gp, gs = d.groups["stance"], d.groups["sentiment"]
    paired_table(f"5-fold grouped CV, fold assignments {args.seeds}, every dev and training item", cands, figures, idx, gp, gs,
                 sorted(set(gp) | set(gs)), args.boot)



# ---------------------------------------------------------------------------------------------
# A small convolution over the word vectors (numpy only, training included): reads word order.

class TextCNN:
    """Width-3 convolution over the frozen shipped vectors (plus two channels marking the
    target's and a rival's mask), ReLU, max-pooled over the post and, for a pair, over the
    tokens within 3 of the target; a softmax layer on top. Trained with Adam on weighted cross
    entropy and L2; forward and backward are plain numpy, so a shipped copy would need nothing
    else at run time."""

    def __init__(self, filters: int = 48, epochs: int = 12, lr: float = 2e-3, l2: float = 1e-4, batch: int = 64, seed: int = 0, near: bool = True) -> None:
        self.f, self.epochs, self.lr, self.l2, self.batch, self.seed, self.near = filters, epochs, lr, l2, batch, seed, near

    def _inputs(self, seqs: list[list[int]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        wv = embed.shipped().vectors
        n, length = len(seqs), max(3, max((len(s) for s in seqs), default=3))
        x = np.zeros((n, length + 2, wv.shape[1] + 2), np.float32)  # one zero pad each side
        m = np.zeros((n, length), np.float32)
        near = np.zeros((n, length), np.float32)
        for r, s in enumerate(seqs):
            for k, i in enumerate(s):
                if i >= 0:
                    x[r, k + 1, : wv.shape[1]] = wv[i]
                elif i == TGT:
                    x[r, k + 1, -2] = 1.0
                elif i == OTH:
                    x[r, k + 1, -1] = 1.0
            m[r, : len(s)] = 1.0
            spots = [k for k, i in enumerate(s) if i == TGT]
            for k in spots:
                near[r, max(k - 3, 0) : k + 4] = 1.0
            near[r] *= m[r]
        # windows of three: (n, length, 3 * channels)
        xw = np.concatenate([x[:, :-2], x[:, 1:-1], x[:, 2:]], axis=2)
        return xw, m, near

    def _forward(self, xw: np.ndarray, m: np.ndarray, near: np.ndarray):  # type: ignore[no-untyped-def]
        h = xw @ self.W + self.b
        a = np.maximum(h, 0.0)
        am = a * m[:, :, None]
        i1 = am.argmax(axis=1)
        p1 = np.take_along_axis(am, i1[:, None, :], axis=1)[:, 0]
        parts, idx = [p1], [i1]
        if self.near:
            an = a * near[:, :, None]
            i2 = an.argmax(axis=1)
            parts.append(np.take_along_axis(an, i2[:, None, :], axis=1)[:, 0])
            idx.append(i2)
        z = np.concatenate(parts, axis=1)
        logits = z @ self.U + self.c
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        p /= p.sum(axis=1, keepdims=True)
        return h, z, idx, p

    def _grads(self, xb: np.ndarray, mb: np.ndarray, nb: np.ndarray, yoh: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, ...]:
        """Gradients (W, b, U, c) of the batch's weighted mean cross entropy plus the L2 term: the
        max pools pass their gradient to the position each filter took its maximum from."""
        h, z, idx, p = self._forward(xb, mb, nb)
        g = (p - yoh) * w[:, None] / len(xb)
        gz = g @ self.U.T
        ga = np.zeros_like(h)
        rows = np.arange(len(xb))[:, None]
        cols = np.arange(self.f)[None, :]
        for part, ii in enumerate(idx):
            np.add.at(ga, (rows, ii, cols), gz[:, part * self.f : (part + 1) * self.f])
        gh = ga * (h > 0)
        d_in = xb.shape[2]
        return (xb.reshape(-1, d_in).T @ gh.reshape(-1, self.f) + self.l2 * self.W, gh.sum(axis=(0, 1)),
                z.T @ g + self.l2 * self.U, g.sum(axis=0))

    def fit(self, seqs: list[list[int]], y: np.ndarray, w: np.ndarray) -> "TextCNN":
        rng = np.random.default_rng(self.seed)
        xw, m, near = self._inputs(seqs)
        d_in = xw.shape[2]
        zdim = self.f * (2 if self.near else 1)
        self.W = (rng.standard_normal((d_in, self.f)) * np.sqrt(2.0 / d_in)).astype(np.float32)
        self.b = np.zeros(self.f, np.float32)
        self.U = (rng.standard_normal((zdim, 3)) * np.sqrt(1.0 / zdim)).astype(np.float32)
        self.c = np.zeros(3, np.float32)
        params = [self.W, self.b, self.U, self.c]
        mom = [np.zeros_like(q) for q in params]
        vel = [np.zeros_like(q) for q in params]
        yoh = np.eye(3, dtype=np.float32)[y]
        w = (w / w.mean()).astype(np.float32)
        step = 0
        for _ep in range(self.epochs):
            order = rng.permutation(len(seqs))
            for s0 in range(0, len(order), self.batch):
                bi = order[s0 : s0 + self.batch]
                grads = self._grads(xw[bi], m[bi], near[bi], yoh[bi], w[bi])
                step += 1
                for q, gq, mo, ve in zip(params, grads, mom, vel):
                    mo *= 0.9
                    mo += 0.1 * gq
                    ve *= 0.999
                    ve += 0.001 * gq * gq
                    q -= self.lr * (mo / (1 - 0.9**step)) / (np.sqrt(ve / (1 - 0.999**step)) + 1e-8)
        return self

    def predict_proba(self, seqs: list[list[int]]) -> np.ndarray:
        out = []
        for s0 in range(0, len(seqs), 512):
            xw, m, near = self._inputs(seqs[s0 : s0 + 512])
            out.append(self._forward(xw, m, near)[3])
        return np.concatenate(out) if out else np.zeros((0, 3))


def sequence_of(d: Data, task: str, i: int) -> list[int]:
    z = d.pool[task][i]
    return [int(z[f"zs{k}"]) for k in range(MAX_TOKENS) if f"zs{k}" in z]


if __name__ == "__main__" and sys.argv[1:2] not in (["--build-only"], ["--lr-only"]):
    main()
