"""The `origin_probabilities` and `origin_evidence` cells built by Arrow (from an `OriginTable`,
`score`'s path, and from a list of results, `probability_cells` and `origin_evidence_cells` in
testsupport/accounts_reference.py) are the text the per-account code wrote (`flat_object` of each
account's probabilities, `_json_lists` of its evidence), kept there as `origin_cells`.
Compared cell for cell, NULLs included, on awkward values and on `score`'s own output."""

from __future__ import annotations

import math
import random

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from botwatch.accounts import origin_table, scoring
from botwatch.accounts.features import AccountData
from botwatch.accounts.origin import OriginResult
from botwatch.accounts.origin_prior import StudyPrior, estimate
from testsupport import accounts_reference as ref

HOSTILE_KEYS = ["RU", "US", 'q"uote', "back\\slash", "é", "Ж", "日本", "😀", "tab\there", "\x00", "", "a" * 300]


def _r(probabilities: dict, evidence: list[str] | None = None, p_russia: float | None = 0.1) -> OriginResult:
    return OriginResult("US" if probabilities else None, 0.5 if probabilities else None, probabilities,
                        ["no origin evidence"] if evidence is None else evidence, [], p_russia)


def _check(results: list[OriginResult]) -> None:
    probabilities, evidence = ref.origin_cells(results)
    assert ref.probability_cells(results).to_pylist() == probabilities
    assert ref.origin_evidence_cells(results).to_pylist() == evidence
    # The table's cells (`score`'s path) where the results fit a table: str keys and float values.
    if all(type(k) is str and type(v) is float for r in results for k, v in r.probabilities.items()):
        table = origin_table.from_results(results)
        assert scoring._probability_cells_table(table).to_pylist() == probabilities
        assert scoring._origin_evidence_cells_table(table).to_pylist() == evidence


def _awkward_values() -> list[float]:
    """Values around the four-decimal table: every k / 10,000 and one ulp either side, a negative
    zero, values of no table entry, the smallest and largest doubles."""
    fourths = [k / 10_000 for k in range(10_001)]
    around = [math.nextafter(v, math.inf) for v in fourths[::97]] + [math.nextafter(v, -math.inf) for v in fourths[1::89]]
    return fourths + around + [-0.0, 0.0, 5e-324, -5e-324, 1e-300, 0.1 + 0.2, 0.12345678, 1.00005, 1.5, -0.25, 2.0, 12345.6789,
                               1e15, 1e16, 1e300, 1.7976931348623157e308, -1e308, 0.99995, 0.00005, 0.00004999]


def test_every_value_and_key_alone() -> None:
    results = [_r({k: v}) for v in _awkward_values() for k in ("RU",)]
    results += [_r({k: 0.25, "US": 0.75}) for k in HOSTILE_KEYS]
    _check(results)


def test_values_flat_object_leaves_to_json() -> None:
    """NaN, infinities, ints, bools, None and a non-str key: the cell is `flat_object`'s (which
    hands such a dict to `json.dumps`), whichever accounts around it are ordinary."""
    odd = [{"RU": math.nan}, {"RU": 0.5, "US": math.inf}, {"US": -math.inf, "RU": 0.1}]
    _check([_r({"US": 0.5})] + [_r(d) for d in odd] + [_r({}), _r({"GB": 0.25})])
    for other in ({"RU": 1}, {"RU": True}, {"RU": None}, {1: 0.5}, {"RU": np.float64(0.5)}):
        _check([_r({"US": 0.5}), _r(other), _r({}), _r({"RU": math.nan})])


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_random_batches(seed: int) -> None:
    rng = random.Random(seed)
    values = _awkward_values() + [math.nan, math.inf]
    results = []
    for _ in range(3_000):
        d = {rng.choice(HOSTILE_KEYS): (rng.choice(values) if rng.random() < 0.3 else round(rng.random(), 4))
             for _ in range(rng.choice([0, 0, 1, 2, 8, 9]))}
        evidence = [rng.choice(['most likely RU (p=0.81)', 'he said "no"', "a\\b", "line\nbreak", "😀 flag", "", "\x1f"])
                    for _ in range(rng.randint(0, 5))]
        results.append(_r(d, evidence, rng.choice([0.2, math.nan, None])))
    _check(results)


def test_empty_batch_and_accounts_without_evidence() -> None:
    _check([])
    _check([_r({})])
    _check([_r({}), _r({}), _r({}, [])])
    _check([_r({}), _r({"RU": 0.5}), _r({})])  # no-evidence accounts at both ends
    _check([_r({"RU": math.nan}), _r({})])  # a NaN value in the last account with values


def _prior() -> StudyPrior:
    return estimate([0.01, 0.2, 0.9, 0.5, 0.3], 0.05)


@pytest.mark.parametrize(("home", "study_prior"), [("US", False), ("US", True), ("US", "given"), (None, True), ("RU", True), ("GB", "given")])
def test_score_writes_the_reference_cells(sample_data: AccountData, monkeypatch: pytest.MonkeyPatch, home: str | None,
                                          study_prior: object) -> None:
    """`score`'s two origin cells against the reference over the same accounts' final origins
    (after the study prior, or without one: `False`, and home RU where no prior applies)."""
    from botwatch.accounts.botmodel import shipped_model

    prior = _prior() if study_prior == "given" else study_prior
    seen: list[list[OriginResult]] = []
    real = scoring._probability_cells_table

    def keep(table: scoring.OriginTable) -> pa.StringArray:
        seen.append(table.to_results())  # the per-account results the table holds
        return real(table)

    monkeypatch.setattr(scoring, "_probability_cells_table", keep)
    data = AccountData(**{k: (v.copy() if isinstance(v, pd.DataFrame) else v) for k, v in vars(sample_data).items()})
    scores, _ = scoring.score(data, shipped_model(), home, study_prior=prior)
    want_p, want_e = ref.origin_cells(seen[0])
    got_p = [None if v is pd.NA else v for v in scores["origin_probabilities"].tolist()]
    assert got_p == want_p
    assert scores["origin_evidence"].tolist() == want_e
    assert any(v is None for v in want_p) and any(v is not None for v in want_p)
    table = pa.Table.from_arrays([pa.array(scores["origin_probabilities"].array, pa.string())], ["p"])
    assert table.column("p").to_pylist() == want_p
