"""The trained stance and sentiment models at run time: features for a batch, a linear model
read from JSON (no pickle), and the words of evidence that decided.

The weights (content_model.json beside this file) come from scripts/train_content_model.py, fitted
on the dev part of the hand labels only. A linear model over sparse features is small (a few
thousand weights), fast (a dictionary look-up per feature) and can say which features pushed
the answer, so every label keeps its evidence.
"""

from __future__ import annotations

import json
from itertools import chain
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Callable, Sequence

import numpy as np
import pyarrow as pa

from botwatch.content.embed import SCALE, is_vector_key
from botwatch.content.features import PartyNames, pair_features, post_base, post_features
from botwatch.content.match import SIGNALS, PartyMatcher, compile_matcher, match_batch, party_mask
from botwatch.content.sentiment import SentimentScorer
from botwatch.content.trees import LeafTable, TreeEnsemble, TreesError
from botwatch.elections.model import Election
from botwatch.pipeline import PipelineError


@dataclass
class LinearModel:
    """Multinomial logistic regression over named sparse features."""

    classes: list[str]
    bias: np.ndarray
    index: dict[str, int]  # feature name → row of `matrix`
    matrix: np.ndarray  # [feature, class] weights
    # The word-vector lookup projected on the model's vector weights (`embed.fold`), or None: the
    # features must then be built folded too (`PartyNames.use_folded`).
    folded: "dict[str, list[list[float]]] | None" = None

    @classmethod
    def from_dict(cls, d: dict) -> "LinearModel":
        names = sorted(d["weights"])
        m = np.asarray([d["weights"][k] for k in names], float).reshape(len(names), len(d["classes"]))
        return cls(list(d["classes"]), np.asarray(d["bias"], float), {k: i for i, k in enumerate(names)}, m, d.get("folded"))

    def _gather(self, feats: dict[str, float]) -> tuple[list[str], np.ndarray, np.ndarray]:
        index = self.index
        keys = [k for k in feats if k in index]
        rows = self.matrix[[index[k] for k in keys]] if keys else np.zeros((0, len(self.classes)))
        vals = np.fromiter((feats[k] for k in keys), float, len(keys))
        return keys, vals, rows

    def predict(self, feats: dict[str, float], k: int = 3) -> tuple[int, np.ndarray, list[str]]:
        """(class index, probabilities, the `k` features that pushed most toward that class
        against the mean of the other classes)."""
        keys, vals, rows = self._gather(feats)
        contrib = rows * vals[:, None]
        z = self.bias + contrib.sum(axis=0)
        e = np.exp(z - z.max())
        p = e / e.sum()
        c = int(p.argmax())
        n = len(self.classes)
        push = contrib[:, c] - (contrib.sum(axis=1) - contrib[:, c]) / max(n - 1, 1)
        top = [keys[i] for i in np.argsort(-push)[:k] if push[i] > 0]
        return c, p, top

    def toward(self, feats: dict[str, float], c: int, k: int = 3) -> list[str]:
        """The `k` features of `feats` that push most toward class `c` against the mean of the
        other classes (`predict`'s measure, for a class that need not be the model's own answer).
        Why: where the tree blend overrules this model, the evidence can still name the post's
        cues that lean the blend's way, instead of none at all."""
        keys, vals, rows = self._gather(feats)
        contrib = rows * vals[:, None]
        push = contrib[:, c] - (contrib.sum(axis=1) - contrib[:, c]) / max(len(self.classes) - 1, 1)
        return [keys[i] for i in np.argsort(-push)[:k] if push[i] > 0]  # `predict`'s own sort

    def predict_many(self, many: list[dict[str, float]], k: int = 3, proba: "list[np.ndarray] | None" = None) -> list[tuple[int, np.ndarray, list[str]]]:
        """`predict` of each feature set, with numpy called once for all of them instead of a
        dozen times per set (per-call overhead was most of the stage's model time). The floats
        are `predict`'s own: products elementwise, each set's sums in the same order, the same
        softmax and the same argsort per set; tests/test_content_model_batch.py checks them bit
        for bit. `proba`: a list that gets the [set, class] probabilities as one
        array (the tree blend's input), so no caller rebuilds it from the rows."""
        if not many:
            if proba is not None:
                proba.append(np.zeros((0, len(self.classes))))
            return []
        index, n = self.index, len(self.classes)
        get_row, known = index.__getitem__, index.__contains__
        keys_of: list[list[str]] = []
        at: list[int] = []
        values: list[float] = []
        # The model's features of each set in the set's own order (`filter` and `map` keep the
        # per-feature work in C; a loop of `get` and three appends was a tenth of the stage).
        for feats in many:
            ks = list(filter(known, feats))
            keys_of.append(ks)
            at += map(get_row, ks)
            values += map(feats.__getitem__, ks)
        sizes = np.fromiter((len(ks) for ks in keys_of), np.int64, len(many))
        contrib = self.matrix[np.asarray(at, np.int64)] * np.asarray(values, float)[:, None]
        flat = at
        starts = np.concatenate(([0], np.cumsum(sizes)[:-1]))
        # Each set's rows added one after another, as `contrib.sum(axis=0)` does in `predict`
        # (np.add.reduceat sums in another order and moves the last bit): position by position
        # over a zero-padded [set, position, class] block.
        width = int(sizes.max()) if len(sizes) else 0
        block = np.zeros((len(many), width, n))
        pos = np.arange(len(flat)) - np.repeat(starts, sizes)
        block[np.repeat(np.arange(len(many)), sizes), pos] = contrib
        sums = np.zeros((len(many), n))
        for col in range(width):
            sums += block[:, col]
        z = self.bias + sums
        e = np.exp(z - z.max(axis=1, keepdims=True))
        p = e / e.sum(axis=1, keepdims=True)
        if proba is not None:
            proba.append(p)
        best = p.argmax(axis=1)
        push = None
        if k > 0:
            chosen = contrib[np.arange(len(flat)), np.repeat(best, sizes)]
            push = chosen - (contrib.sum(axis=1) - chosen) / max(n - 1, 1)
        if push is None:
            return [(c, p[j], []) for j, c in enumerate(best.tolist())]
        out: list[tuple[int, np.ndarray, list[str]]] = []
        neg = -push
        order, first, clear = _top_orders(neg, np.repeat(np.arange(len(many)), sizes), pos, len(many), width, k)
        for j, (c, s, ks, o, v, ok) in enumerate(zip(best.tolist(), starts.tolist(), keys_of, order, first, clear)):
            top: list[str] = []
            if ks:
                if ok:  # `neg < 0` is `push > 0`; padding (inf) is never below
                    top = [ks[i] for i, x in zip(o, v) if x < 0]
                else:  # a tie near the top: the order `predict` gets from np.argsort itself
                    o = np.argsort(neg[s : s + len(ks)])[:k].tolist()
                    top = [ks[i] for i in o if push[s + i] > 0]
            out.append((c, p[j], top))
        return out

    def proba(self, feats: dict[str, float]) -> np.ndarray:
        return self.predict(feats, 0)[1]


def _top_orders(neg: np.ndarray, set_of: np.ndarray, pos: np.ndarray, sets: int, width: int, k: int) -> tuple[list[list[int]], list[list[float]], list[bool]]:
    """Per feature set, the positions of its `k` smallest values of `neg` (set j's values are
    those with `set_of == j`, at position `pos` in the set), smallest first, those values, and whether that
    order is certain: np.argsort in `predict` sorts ties in no promised order, so a set whose
    first k + 1 sorted values hold two equal ones that can reach the evidence (negative: a
    positive push) is flagged for np.argsort of its own. With no such tie every sort agrees on
    the first k, and all sets are sorted in one call instead of one call each."""
    block = np.full((sets, max(width, k + 1)), np.inf)
    block[set_of, pos] = neg
    order = np.argsort(block, axis=1, kind="stable")[:, : k + 1]
    vals = np.take_along_axis(block, order, axis=1)
    tied = ((vals[:, 1:] == vals[:, :-1]) & (vals[:, :-1] < 0)).any(axis=1) | np.isnan(vals).any(axis=1)
    return order[:, :k].tolist(), vals[:, :k].tolist(), (~tied).tolist()


@lru_cache(maxsize=1)
def shipped_models() -> tuple[LinearModel, LinearModel] | None:
    """(stance, sentiment) models shipped with botwatch, or None when the file is absent (the
    rules alone label). Only an absent file means that: one that is there but cannot be read or
    parsed (permissions, a directory in its place, a damaged download) is a ContentModelError
    naming it, as `shipped_trees` does for the trees, instead of labelling silently without the
    model the install ships (or a bare traceback from the JSON parser)."""
    try:
        text = (resources.files("botwatch.content") / "content_model.json").read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise ContentModelError(f"the content model (content_model.json) cannot be read: {exc}; reinstall botwatch") from None
    from botwatch.content.embed import fold  # word-vector weights folded into the lookup (speed; same sums)

    try:
        d = json.loads(text)
        return LinearModel.from_dict(fold(d["stance"])), LinearModel.from_dict(fold(d["sentiment"]))
    except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
        raise ContentModelError(f"the content model (content_model.json) cannot be used: {exc!r}; reinstall botwatch") from None


TREES_FILE = "content_trees.json"


class ContentModelError(PipelineError):
    """The content model shipped with botwatch cannot be used (a damaged installation)."""


def is_uk(election: Election) -> bool:
    """The trees' `uk` input: whether the election is in the United Kingdom (its country GB, or
    UK as some files write it). Training set it for the items of uk-ge2017, the one UK election
    of the hand labels (the others us-2016), so it meant "a UK election" as against a US one:
    keyed on the country, a UK election file of one's own gets it too (keyed on the preset's
    name it silently did not), and for the shipped presets it is the same (uk-ge2017 is GB,
    us-2016 US)."""
    return election.country.upper() in ("GB", "UK")


def below_gate(p_linear: np.ndarray, gate: float) -> np.ndarray:
    """Which items the tree blend takes ([item] bool): those whose linear model's own top class
    probability is below `gate`. It reads the linear probabilities only, so the other items
    need neither the trees nor their inputs; the thirteenth round's CV (`scripts/cv_stacking.py`)
    gates with this same function, so the stage runs the rule that was measured."""
    return p_linear.max(axis=1) < gate


@dataclass
class TreeBlend:
    """A LightGBM ensemble (numpy leaf tables, `trees.LeafTable`) whose probabilities are averaged
    with one linear model's: p = (1 - weight) p_linear + weight p_trees where the linear top
    probability is below `gate` (issue 14, eleventh, twelfth and thirteenth rounds; see `blend`).
    Its inputs are the dense features the trees were fitted on: the unfolded
    word-vector means (`vp<i>`, `vt<i>`), computed for a whole model step from the vector ids
    kept while the features were built (`PartyNames.kept_ids`), the other dense features (lexicon,
    VADER, style, cues) read from the linear model's own feature sets, and `uk` (`is_uk`: the
    election is in the United Kingdom). Only the columns some split reads are computed."""

    task: str
    table: LeafTable
    weight: float
    # Items whose linear top class probability is at or above `gate` keep the linear answer, and
    # the trees and their inputs are computed for the others only (thirteenth round: 0.7; 1.0
    # would blend almost every item, as the twelfth round did).
    gate: float
    classes: list[str]
    named: list[str]  # the other dense columns read from the feature sets, in input-row order
    named_rows: np.ndarray
    uk_row: int | None
    # (rows of the input, columns of the lookup they hold, those columns of the float32 lookup)
    # of the post means (`vp`) and the target-window means (`vt`)
    vectors: "list[tuple[np.ndarray, list[int], np.ndarray]]"

    @classmethod
    def of(cls, task: str, ens: TreeEnsemble, weight: float, classes: list[str], model: LinearModel, dim: int, lookup: np.ndarray,
           gate: float) -> "TreeBlend":
        """Built and checked against the linear model it blends with: the same classes, and every
        input one the stage builds for this task (`gate` has no default: 1.0 would blend every
        item, the twelfth round's cost, and a file or caller must say which it means) (a vector column of the shipped lookup, `vt`
        for stance only, `uk`, or a feature the linear model itself reads)."""
        if list(classes) != list(model.classes) or ens.n_classes != len(classes):
            raise TreesError(f"{task} trees for classes {classes} ({ens.n_classes}), the linear model's are {model.classes}")
        if not (isinstance(weight, float) and 0.0 <= weight <= 1.0):
            raise TreesError(f"{task} blend weight {weight!r} outside [0, 1]")
        if not (isinstance(gate, float) and 0.0 <= gate <= 1.0):
            raise TreesError(f"{task} gate {gate!r} outside [0, 1]")
        table = LeafTable.of(ens)
        names = [ens.features[u] for u in table.used.tolist()]
        blocks: dict[str, tuple[list[int], list[int]]] = {"vp": ([], []), "vt": ([], [])}
        named, named_rows, uk_row = [], [], None
        for j, name in enumerate(names):
            pre = name[:2]
            if is_vector_key(name) and (pre == "vp" or task == "stance"):
                i = int(name[2:])
                if i >= dim:
                    raise TreesError(f"{task} trees read {name}, beyond the {dim} columns of the word vectors")
                blocks[pre][0].append(j)
                blocks[pre][1].append(i)
            elif name == "uk":
                uk_row = j
            elif name in model.index and not name.startswith(("vp:", "vt:")):
                named.append(name)
                named_rows.append(j)
            else:
                raise TreesError(f"{task} trees read {name!r}, which the {task} features do not hold")
        vectors = [(np.asarray(rows, np.int64), cols, np.ascontiguousarray(lookup[:, cols])) for rows, cols in blocks.values()]
        return cls(task, table, weight, gate, list(classes), named, np.asarray(named_rows, np.int64), uk_row, vectors)

    def __reduce_ex__(self, protocol: "int | object") -> "str | tuple":  # type: ignore[override]
        """A shipped blend pickles as the look-up of its task in `shipped_trees`, not as its
        arrays: Spark pickles the Labeller into every job, and the trees with their columns of the
        word-vector lookup (`vectors`) made a job about 20 MB where the executors can read the
        same file from their own install (as they read the linear models). A blend that is not
        the shipped one (a test's, a script's) pickles whole. (`copy.copy` / `deepcopy` of a
        shipped blend therefore give the shipped object itself: it is never changed in place.)"""
        try:
            shipped = shipped_trees()
        except ContentModelError:
            shipped = None
        if shipped is not None and shipped.get(self.task) is self:
            return (_shipped_blend, (self.task,))
        return super().__reduce_ex__(protocol)  # type: ignore[arg-type]

    def inputs(self, feats: list[dict[str, float]], kept: list, uk: bool) -> np.ndarray:
        """[input row, item] of the feature sets `feats`, whose kept vector ids are `kept` (per
        set: (known ids, window ids or None), or None: no token with a vector, all means 0, as
        at training). The means are taken as `embed.WordVectors` takes them at training: float32
        sums in token order, divided by the count and scaled in float32."""
        n = len(feats)
        xt = np.zeros((len(self.table.used), n))
        if not n:
            return xt
        names = self.named
        if names:
            zeros = [0.0] * len(names)
            flat = np.fromiter(chain.from_iterable(map(f.get, names, zeros) for f in feats), float, n * len(names))
            xt[self.named_rows] = flat.reshape(n, len(names)).T
        if self.uk_row is not None and uk:
            xt[self.uk_row] = 1.0
        for pick, (rows, _cols, sub) in enumerate(self.vectors):
            if len(rows):
                xt[rows] = _means_f32(sub, [g[pick] if g is not None else () for g in kept]).T
        return xt

    def blend(self, p_linear: np.ndarray, feats: list[dict[str, float]], kept: list, uk: bool) -> np.ndarray:
        """[item, class] probabilities: blended where the linear model's own top class
        probability is below `gate`, the linear model's (the same array values) elsewhere. Only
        the unsure items' inputs are gathered and only they descend the trees, so the cost follows
        their share."""
        if self.weight == 0.0:
            return p_linear
        unsure = np.flatnonzero(below_gate(p_linear, self.gate))
        if not len(unsure):
            return p_linear
        at = unsure.tolist()
        if len(at) == len(feats):
            sub_feats, sub_kept = feats, kept
        else:
            sub_feats, sub_kept = [feats[i] for i in at], [kept[i] for i in at]
        out = p_linear.copy()
        out[unsure] = (1.0 - self.weight) * p_linear[unsure] + self.weight * self.table.predict_proba_t(self.inputs(sub_feats, sub_kept, uk))
        return out


def _means_f32(sub: np.ndarray, lists: "list[Sequence[int]]") -> np.ndarray:
    """[list, column] SCALE times the mean of the rows of `sub` each list names (0 for an empty
    list), with `WordVectors.mean`'s float32 arithmetic: the rows added in order (as numpy's sum
    over the first axis adds them; `np.add.reduceat` groups them otherwise), divided by the
    count, scaled. Position by position over the lists sorted longest first, so no list is
    padded."""
    lens = np.fromiter(map(len, lists), np.int64, len(lists))
    order = np.argsort(-lens, kind="stable")
    lens_sorted = lens[order]
    flat = np.fromiter(chain.from_iterable([lists[i] for i in order.tolist()]), np.int64, int(lens.sum()))
    starts = np.zeros(len(lens), np.int64)
    np.cumsum(lens_sorted[:-1], out=starts[1:])
    sums = np.zeros((len(lists), sub.shape[1]), np.float32)
    if len(lens) and lens_sorted[0]:
        longer = np.searchsorted(-lens_sorted, -np.arange(int(lens_sorted[0])), side="left")  # lists longer than each position
        for at, k in enumerate(longer.tolist()):
            sums[:k] += sub[flat[starts[:k] + at]]
    out = np.empty_like(sums)
    out[order] = sums / np.maximum(lens_sorted, 1).astype(np.float32)[:, None] * np.float32(SCALE)
    return out


@lru_cache(maxsize=1)
def shipped_trees() -> "dict[str, TreeBlend] | None":
    """The tree blends shipped with the content model (`content_trees.json` beside it), per task,
    or None where the file is absent (the linear models alone). A file that cannot be the one the
    shipped linear models need (unreadable, not JSON, trees for other features or classes, a
    malformed or cyclic tree) is a ContentModelError saying so, never a hang: only an absent file
    means "no trees", since a file that is there but cannot be read (permissions, a directory in
    its place) would otherwise label silently without the trees the install ships."""
    try:
        text = (resources.files("botwatch.content") / TREES_FILE).read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise ContentModelError(f"the content model's trees ({TREES_FILE}) cannot be read: {exc}; reinstall botwatch") from None
    models = shipped_models()
    try:
        if models is None:
            raise TreesError("trees without the linear models they blend with")
        return trees_from_dict(json.loads(text), models)
    except (TreesError, json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ContentModelError(f"the content model's trees ({TREES_FILE}) cannot be used: {exc}; reinstall botwatch") from None


def _shipped_blend(task: str) -> TreeBlend:
    """The shipped blend of `task`, read from this install (how `TreeBlend.__reduce_ex__` sends a
    shipped blend to another process)."""
    blends = shipped_trees()
    if blends is None:
        raise ContentModelError(f"a shipped {task} tree blend was sent to an install without {TREES_FILE}; install the same botwatch everywhere")
    return blends[task]


def shipped_files_sha256() -> "dict[str, str | None]":
    """The sha256 of the shipped content model files, for the content stage's `runs` parameters:
    a study then records which linear model and which trees its labels came from. Both keys are
    always there; a file that is absent is None (for the trees: the linear models alone labelled),
    and one that is there but unreadable is a ContentModelError, as `shipped_trees` says."""
    import hashlib

    out: "dict[str, str | None]" = {}
    for key, name in (("content_model_sha256", "content_model.json"), ("content_trees_sha256", TREES_FILE)):
        try:
            data = (resources.files("botwatch.content") / name).read_bytes()
        except FileNotFoundError:
            out[key] = None
            continue
        except OSError as exc:
            raise ContentModelError(f"the content model file {name} cannot be read: {exc}; reinstall botwatch") from None
        out[key] = hashlib.sha256(data).hexdigest()
    return out


def trees_from_dict(d: object, models: "tuple[LinearModel, LinearModel]") -> "dict[str, TreeBlend]":
    """`shipped_trees` of a parsed file (TreesError for anything it cannot use). The trees read
    the vector ids kept while the folded vector features are built (`PartyNames.kept_ids`), so
    linear models without folded tables, or vector features switched off (`embed.STANCE`,
    `embed.SENTIMENT`), cannot carry them: refused here, when the files are read, rather than
    failing in the middle of a run."""
    from botwatch.content import embed
    from botwatch.content.embed import shipped

    for task, model, on in (("stance", models[0], embed.STANCE), ("sentiment", models[1], embed.SENTIMENT)):
        if model.folded is None or not on:
            raise TreesError(f"{task} trees need the linear model's word-vector features, folded "
                             f"({'no folded tables in the model' if model.folded is None else 'vector features switched off'})")

    if not isinstance(d, dict) or set(d) - {"stance", "sentiment", "about", "fit"} or not {"stance", "sentiment"} <= set(d):
        raise TreesError("expected the parts stance and sentiment")
    lookup = shipped().vectors
    out = {}
    for task, model in zip(("stance", "sentiment"), models):
        part = d[task]
        if not isinstance(part, dict) or not {"trees", "weight", "classes", "gate"} <= set(part):
            raise TreesError(f"{task}: expected trees, weight, classes and gate")
        weight, gate, classes = part["weight"], part["gate"], part["classes"]
        if not isinstance(classes, list) or not all(isinstance(c, str) for c in classes):
            raise TreesError(f"{task}: classes must be a list of class names, not {classes!r}")
        num = (int, float)
        out[task] = TreeBlend.of(task, TreeEnsemble.from_dict(part["trees"]), float(weight) if isinstance(weight, num) and not isinstance(weight, bool) else weight,
                                 classes, model, lookup.shape[1], lookup,
                                 float(gate) if isinstance(gate, num) and not isinstance(gate, bool) else gate)
    return out


@dataclass
class ContentModelInputs:
    """What the features of one batch need: texts, kinds, each party's match signals."""

    matcher: PartyMatcher
    names: PartyNames
    texts: list[str]
    kinds: list[str | None]
    hits: np.ndarray
    named: np.ndarray
    score: Callable[[str], float]
    row_of: dict[str, int] = field(default_factory=dict)
    parts: Callable[[str], tuple[float, float, float, float]] | None = None  # VADER's four numbers of a text
    # `post_base` of each text: it reads the text alone (cleaned text, style cues, lexicon score),
    # so retweets of one text share it. The caller may pass a dict that outlives the batch.
    base_cache: dict[str, tuple[str, dict[str, float], float]] = field(default_factory=dict)
    max_base_cache: int = 200_000  # about 0.5 KB an entry
    _sig_row: tuple[int, dict[str, list[str]]] | None = None
    # Per row, the columns set in `hits[:, 2:]` and in `named`: (row offsets, columns), found for
    # the whole batch at once (one np.nonzero instead of one per row).
    _hit_cols: tuple[list[int], list[int]] | None = None
    _named_cols: tuple[list[int], list[int]] | None = None
    _named_row: tuple[int, list[str]] | None = None

    def base(self, row: int) -> tuple[str, dict[str, float], float]:
        text = self.texts[row]
        b = self.base_cache.get(text)
        if b is None:
            b = post_base(text, self.score)
            if len(self.base_cache) < self.max_base_cache:
                self.base_cache[text] = b
        return b

    @classmethod
    def build(cls, election: Election, table: pa.Table, matcher: PartyMatcher | None = None, names: PartyNames | None = None, scorer: SentimentScorer | None = None) -> "ContentModelInputs":
        m = matcher or compile_matcher(election)
        hits = match_batch(m, table)
        sc = scorer or SentimentScorer()
        return cls(
            matcher=m,
            names=names or PartyNames.of(election),
            texts=[t or "" for t in table.column("text").to_pylist()],
            kinds=table.column("kind").to_pylist(),
            hits=hits,
            named=party_mask(m, hits),
            score=sc.score,
            parts=sc.parts,
            row_of={p: i for i, p in enumerate(table.column("post_id").to_pylist())},
        )

    def signals(self, row: int, party: str) -> list[str]:
        return list(self._row_signals(row).get(party, ()))

    def _row_signals(self, row: int) -> dict[str, list[str]]:
        """Every party's signals in `row` (parties in matcher order, each one's signals in
        SIGNALS order), kept for the last row asked (a post's pairs ask one after another)."""
        if self._sig_row is not None and self._sig_row[0] == row:
            return self._sig_row[1]
        if self._hit_cols is None:
            self._hit_cols = _row_columns(self.hits[:, 2:])
        offsets, cols = self._hit_cols
        k, parties = len(SIGNALS), self.matcher.parties
        got: dict[str, list[str]] = {}
        for f in cols[offsets[row] : offsets[row + 1]]:
            got.setdefault(parties[f // k], []).append(SIGNALS[f % k])
        self._sig_row = (row, got)
        return got

    def pair_features(self, row: int, party: str) -> dict[str, float]:
        sigs = self._row_signals(row)
        named = self.named_parties(row)
        rivals = [s for q, got in sigs.items() if q != party for s in got]
        return pair_features(self.texts[row], self.names, party, sigs.get(party, []), rivals, len(named), self.kinds[row], self.score, self.base(row), named)

    def named_parties(self, row: int) -> list[str]:
        """The parties the matcher found in `row`, in the matcher's order (kept for the last row
        asked, like `_row_signals`: a post's feature sets ask one after another)."""
        if self._named_row is not None and self._named_row[0] == row:
            return self._named_row[1]
        if self._named_cols is None:
            self._named_cols = _row_columns(self.named)
        offsets, cols = self._named_cols
        parties = self.matcher.parties
        got = [parties[j] for j in cols[offsets[row] : offsets[row + 1]]]
        self._named_row = (row, got)
        return got

    def post_features(self, row: int) -> dict[str, float]:
        named = self.named_parties(row)
        parts = self.parts(self.texts[row]) if self.parts is not None else None
        return post_features(self.texts[row], self.names, named, self.kinds[row], self.score, self.base(row), parts)


def _row_columns(mask: np.ndarray) -> tuple[list[int], list[int]]:
    """(offsets, columns): row r's set columns, in order, are columns[offsets[r]:offsets[r + 1]]."""
    rows, cols = np.nonzero(mask)
    offsets = np.zeros(mask.shape[0] + 1, np.int64)
    np.cumsum(np.bincount(rows, minlength=mask.shape[0]), out=offsets[1:])
    return offsets.tolist(), cols.tolist()
