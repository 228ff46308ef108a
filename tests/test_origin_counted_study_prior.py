"""The sentences quoting the accounts counted foreign say how many of them only the study's Russia
prior made more likely than not run from Russia.

Walked on IRA tweets of April–June 2017 with a twarc2 Brexit sample (uk-ge2017): the headline said
"620 of them, 97% [95–98%], are more likely than not run from outside GB", where for 207 of the 620
(@ObserverUK, 'London', among them) their own evidence left P(Russia) at about 0.065 and the study
prior (an estimated 77% of this study's accounts Russia-run) carried it to 0.768."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyarrow as pa

from botwatch.accounts.origin_prior import FAR_SCOPE, StudyPrior
from botwatch.origin_counted import counted


def _sentence(before: float, after: float) -> str:
    prior = StudyPrior(share=0.773, lo=0.710, hi=0.830, accounts=445, base=0.067, weights=np.zeros(1), scope=FAR_SCOPE, country="GB")
    return prior.sentence(before, after)


def test_accounts_the_study_prior_alone_made_russian_are_counted_and_said(tmp_path: Path) -> None:
    from botwatch.study import Study

    # a: the prior's step alone carried it across 0.5; b: its own evidence had placed it in Russia;
    # c: moved towards Russia but not across 0.5, not counted foreign; d: no study prior; e: the
    # step made Russia its lead, but its own evidence (a US profile place) has it foreign anyway:
    # without the step P(GB) is 0.032 × 0.935 / 0.232 = 0.13, so the prior is not what counts it.
    rows = {"a": ("RU", {"RU": 0.768, "GB": 0.232}, (0.065, 0.768)), "b": ("RU", {"RU": 0.999, "GB": 0.001}, (0.944, 0.999)),
            "c": ("GB", {"RU": 0.4, "GB": 0.6}, (0.2, 0.4)), "d": ("DE", {"DE": 0.9, "GB": 0.1}, None),
            "e": ("RU", {"RU": 0.768, "US": 0.2, "GB": 0.032}, (0.065, 0.768))}
    ids = list(rows)
    st = Study(tmp_path / "s.duckdb")
    try:
        st.write_table("account_scores", pa.table({
            "platform": ["twitter"] * len(ids), "account_id": ids, "origin_country": [rows[i][0] for i in ids],
            "origin_probability": [max(rows[i][1].values()) for i in ids], "origin_probabilities": [json.dumps(rows[i][1]) for i in ids]}))
        ev = [(i, _sentence(*rows[i][2])) for i in ids if rows[i][2]]
        st.write_table("account_evidence", pa.table({
            "platform": ["twitter"] * len(ev), "account_id": [i for i, _ in ev], "kind": ["origin"] * len(ev),
            "rank": pa.array([4] * len(ev), pa.int64()), "feature": ["study_prior"] * len(ev),
            "value": pa.array([None] * len(ev), pa.float64()), "contribution": pa.array([None] * len(ev), pa.float64()),
            "sentence": [s for _, s in ev]}))
        c = counted(st, "GB")
    finally:
        st.close()
    assert ("1 of these 4 is more likely than not run from Russia only through the study's prior, which estimates how many of its "
            "accounts are Russia-run: its own evidence left P(Russia) below 0.5, so what the study is made of counts it, "
            "not evidence about it") in c.clause("GB")
    assert c.k == 4 and c.k_study_prior == 1, c  # a, b, d and e counted; a alone by the prior
