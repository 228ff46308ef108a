"""The float sums outside the content stage add as Python 3.11 did, on every version
(`botwatch.numeric.sum_left_to_right`): the shipped models and the published figures were made
on 3.11.7, and from 3.12 the builtin `sum` compensates (Neumaier), which moved offset
probabilities, entropies, leaf values and printed means by an ulp or more.

Each test runs a function twice, with its module's name `sum` patched first to plain addition
and then to 3.12's compensated one (`_compensated`, equal to the builtin of 3.12.1 and 3.13.0 on
200,000 random lists), on inputs where the two additions differ: the answers must be the same
(and the unpatched one), which holds on any interpreter only while the site does not use the
builtin. Each test was seen to fail with its site put back to `sum`."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable
from datetime import datetime
from types import ModuleType
from typing import Any

import numpy as np
import pytest

from botwatch.numeric import sum_left_to_right


def _plain(values: Iterable[Any], start: Any = 0) -> Any:
    total = start
    for v in values:
        total = total + v
    return total


def _compensated(values: Iterable[Any], start: Any = 0) -> Any:
    """The builtin `sum` of Python 3.12+: floats added with Neumaier's compensation, the running
    error added at the end (ints alone, and anything but Python floats and ints, plainly)."""
    vals = list(values)
    if all(isinstance(v, int) for v in vals) or any(type(v) not in (int, float) for v in vals):  # numpy arrays and scalars add plainly
        return _plain(vals, start)
    s, c = float(start), 0.0
    for v in vals:
        x = float(v)
        t = s + x
        c += (s - t) + x if abs(s) >= abs(x) else (x - t) + s
        s = t
    return s + c if c and math.isfinite(c) else s


def _both_ways(monkeypatch: pytest.MonkeyPatch, module: ModuleType, call: Callable[[], Any]) -> tuple[Any, Any, Any]:
    """`call()` with `module`'s `sum` plain, compensated, and as the interpreter has it."""
    monkeypatch.setattr(module, "sum", _plain, raising=False)
    plain = call()
    monkeypatch.setattr(module, "sum", _compensated, raising=False)
    compensated = call()
    monkeypatch.delattr(module, "sum")
    return plain, compensated, call()


def test_the_stand_in_compensates_where_plain_addition_does_not() -> None:
    assert _plain([0.1, 0.2, 0.3]) == sum_left_to_right([0.1, 0.2, 0.3]) == 0.6000000000000001
    assert _compensated([0.1, 0.2, 0.3]) == 0.6
    assert _compensated([1e16, 1.0, -1e16]) == 1.0 and _compensated([1, 2]) == 3


def test_offset_fit_probabilities(monkeypatch: pytest.MonkeyPatch) -> None:
    """`circadian.fit_utc_offset`: the 24 tempered weights' total divides every probability
    (the `circadian` table, origin evidence and the accounts' `best_utc_offset` share)."""
    from botwatch.accounts import circadian

    hists = [[3, 1, 0, 0, 0, 0, 1, 2, 5, 7, 9, 8, 6, 7, 8, 9, 11, 12, 10, 9, 8, 6, 5, 4], [1] * 24, [0] * 20 + [5, 6, 7, 8]]
    plain, compensated, now = _both_ways(monkeypatch, circadian, lambda: [circadian.fit_utc_offset(h) for h in hists])
    assert plain == compensated == now


def test_probability_near_an_offset(monkeypatch: pytest.MonkeyPatch) -> None:
    """`circadian_fit.mass_near` (the timeline's `prob_within_1`)."""
    from botwatch.timeline import circadian_fit

    probs = {-1: 0.1, 0: 0.2, 1: 0.3, 5: 0.4}
    plain, compensated, now = _both_ways(monkeypatch, circadian_fit, lambda: circadian_fit.mass_near(probs, 0))
    assert plain == compensated == now == 0.1 + 0.2 + 0.3 != 0.6


def test_posting_hours_vector_over_a_country_s_zones(monkeypatch: pytest.MonkeyPatch) -> None:
    """`origin.hours_vector`: a country's weighted mean over its time zones (Russia's eleven,
    the United States' six) of the fitted offset probabilities, the posting-hours evidence."""
    from botwatch.accounts import circadian, origin

    fits = [circadian.fit_utc_offset(h).probabilities for h in ([0] * 8 + [4, 6, 9, 9, 8, 7, 7, 8, 9, 10, 11, 9, 6, 3, 1, 0], [2, 1] * 12)]
    when = datetime(2016, 6, 15)
    plain, compensated, now = _both_ways(monkeypatch, origin, lambda: [origin.hours_vector(p, when).tolist() for p in fits])
    assert plain == compensated == now


def test_hour_entropy(monkeypatch: pytest.MonkeyPatch) -> None:
    """`features.entropy_bits` (`hour_entropy_bits`, a bot-model feature and a behaviour pattern)."""
    from botwatch.accounts import features

    counts = [3, 9, 8, 2, 5, 9, 7, 10, 9, 1, 9, 0, 7, 4, 8, 3, 3, 11, 7, 8, 8, 7, 6, 10]
    n = sum(counts)
    terms = [c / n * math.log2(c / n) for c in counts if c]
    assert _plain(terms) != _compensated(terms)
    plain, compensated, now = _both_ways(monkeypatch, features, lambda: features.entropy_bits(counts))
    assert plain == compensated == now == -_plain(terms)


def test_handle_entropy_and_its_matrix_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """`profile.char_entropy` (`handle_entropy`, a bot-model feature) and the matrix path that
    must equal it (`profile_text.char_entropies`), which now runs on every Python."""
    from botwatch.accounts import profile
    from botwatch.accounts.profile_text import TextColumn, char_entropies

    handle = "Oj7yaekctb"
    counts = Counter(handle.lower())
    terms = [c / len(handle) * math.log2(c / len(handle)) for c in counts.values()]
    assert _plain(terms) != _compensated(terms)
    plain, compensated, now = _both_ways(monkeypatch, profile, lambda: profile.char_entropy(handle))
    assert plain == compensated == now == -_plain(terms)
    col = TextColumn([handle, "Ab1", None])
    fast = char_entropies(col, profile.char_entropy)
    assert fast[0] == now and fast[1] == profile.char_entropy("Ab1") and math.isnan(fast[2])


def test_leaf_expectations_of_the_rank_trees(monkeypatch: pytest.MonkeyPatch) -> None:
    """`rank_linear._tree_text`: a node's value is its leaves' count-weighted mean (the blended
    model file, and Tree SHAP's expectations)."""
    from botwatch.accounts import rank_linear

    steps = rank_linear.Steps(np.arange(1.0, 7.0), np.array([0.102, 0.182, 0.249, 0.389, 0.408, 0.731, 0.867]), np.array([3, 5, 20, 20, 15, 5, 5]), 0)
    plain, compensated, now = _both_ways(monkeypatch, rank_linear, lambda: rank_linear._tree_text(0, 0, steps, 0.1, 0.3, -0.7))
    assert plain == compensated == now


def test_mean_probability_of_a_calibration_bin(monkeypatch: pytest.MonkeyPatch) -> None:
    """`validation.calibration`'s `mean_p` (rounded to 4 places: the inputs put the mean on a
    rounding boundary, where an ulp decides the fourth place)."""
    from botwatch.accounts import validation

    rows = [(0.1, True), (0.2, False), (0.3, True)]
    assert round(_plain(p for p, _ in rows) / 3, 4) == round(_compensated(p for p, _ in rows) / 3, 4)  # where rounding hides it
    tie = [(0.31, True), (0.35, False), (0.2046, True), (0.32, False)]  # 0.29615 or one ulp below
    assert round(_plain(p for p, _ in tie) / 4, 4) != round(_compensated(p for p, _ in tie) / 4, 4)
    plain, compensated, now = _both_ways(monkeypatch, validation, lambda: [validation.calibration(r) for r in (rows, tie)])
    assert plain == compensated == now


def test_macro_f1(monkeypatch: pytest.MonkeyPatch) -> None:
    """`StanceEvaluation.macro_f1` (the stance rules' printed score): the mean of three F1s."""
    from botwatch.content import evaluate

    confusion = Counter({("support", "support"): 7, ("support", "oppose"): 2, ("oppose", "oppose"): 5, ("oppose", "neutral"): 3,
                         ("neutral", "neutral"): 11, ("neutral", "support"): 1})
    ev = evaluate.StanceEvaluation(n=29, correct=23, confusion=confusion, by_rule={})
    plain, compensated, now = _both_ways(monkeypatch, evaluate, ev.macro_f1)
    assert plain == compensated == now


def test_logit_blend_weights(monkeypatch: pytest.MonkeyPatch) -> None:
    """`loso_variants.logit_blend` divides by its weights' total (compare_bot_models' figures)."""
    from botwatch.accounts import loso_variants

    def constant(p: float) -> Callable[[int], Any]:
        return lambda seed: lambda train, features: lambda test: np.full(len(test), p)

    make = loso_variants.logit_blend([(constant(0.7), 0.1), (constant(0.2), 0.2), (constant(0.9), 0.3)])
    plain, compensated, now = _both_ways(monkeypatch, loso_variants, lambda: make(0)(None, [])(range(3)).tolist())
    assert plain == compensated == now


def test_cluster_weights_and_shuffled_purity(monkeypatch: pytest.MonkeyPatch) -> None:
    """`clusters.leiden` divides the edge weights by their mean (the partition and its order);
    `clusters.cluster_purity`'s `purity_shuffled` is a mean of the shuffles' purities (printed)."""
    from botwatch.coordination import clusters

    edges = [("a", "b", 0.1), ("b", "c", 0.2), ("c", "a", 0.3), ("d", "e", 0.7), ("e", "f", 0.1), ("f", "d", 0.4), ("c", "d", 0.05)]
    seen: list[list[float]] = []
    leiden_of = clusters.ig.Graph.community_leiden

    def community_leiden(g: Any, *a: Any, **k: Any) -> Any:  # the weights Leiden is given
        seen.append(list(g.es["weight"]))
        return leiden_of(g, *a, **k)

    monkeypatch.setattr(clusters.ig.Graph, "community_leiden", community_leiden)

    class Study:
        def sql(self, _query: str) -> list[tuple[int, str]]:
            return [(0, "a"), (0, "a"), (0, "b"), (1, "b"), (1, "c"), (1, "c"), (1, "a"), (2, "c"), (2, "b"), (3, "a"), (3, "c")]

    plain, compensated, now = _both_ways(monkeypatch, clusters, lambda: (clusters.leiden(edges), clusters.cluster_purity(Study())))  # type: ignore[arg-type]
    assert plain == compensated == now
    assert len(seen) == 3 and seen[0] == seen[1] == seen[2]
