#!/usr/bin/env python
"""CPU-seconds of functions of the accounts stage's score pass, on a study's own inputs:
`BotModel.evidence_columns` (the SHAP evidence and its sentences), `profile_features`, and
`scoring.score` with the conversion of its two frames to the inserted tables (`to_arrow`), which
is where the evidence rows and JSON cells are assembled, and (`origin_cells`) the two origin JSON
cells of `account_scores` alone, from the origins `score` writes them from.

    # once: run the stage on a copy of the study and keep what the two functions were given
    PYTHONPATH=src .venv/bin/python benchmarks/score_functions.py capture S.duckdb INPUTS.pkl
    # then, in alternate processes with each version's src on PYTHONPATH:
    PYTHONPATH=SRC .venv/bin/python benchmarks/score_functions.py time INPUTS.pkl --label A

Why inputs rather than a whole stage: the two functions are a few CPU-seconds of a stage of
twenty or more, so a whole-stage run cannot show their change through the machine's noise, and
timing them alone keeps each run short on a shared machine. `time.process_time` around each
function's loop over all the captured batches (the per-call profiler inflates per-account Python
two to three times). The pickle holds the
study's profiles: keep it under a scratch folder.
"""

from __future__ import annotations

import argparse
import os
import pickle
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository root, for testsupport/ (not shipped)


def capture(study: Path, out: Path, election: str) -> None:
    """Run the accounts stage on a copy of `study`, keeping every input of the two functions."""
    from botwatch import open_study
    from botwatch.accounts import botmodel, features
    from botwatch.accounts.stage import run_accounts
    from botwatch.elections import load_election

    from botwatch.accounts import batches

    kept: dict[str, list[Any]] = {"evidence_columns": [], "profile_features": [], "score": []}
    evidence_columns, profile_features, score = botmodel.BotModel.evidence_columns, features.profile_features, batches.score

    def sc(data: Any, model: Any, home: Any, **k: Any) -> Any:
        # pickled at once: `score` adds a column to data.features
        kept["score"].append(pickle.dumps((data, home, k)))
        return score(data, model, home, **k)

    def ev(self: Any, X: Any, *a: Any, **k: Any) -> Any:
        kept["evidence_columns"].append(X.copy())
        return evidence_columns(self, X, *a, **k)

    def pf(df: Any, ref: Any = None) -> Any:
        kept["profile_features"].append((df.copy(), None if ref is None else ref.copy()))
        return profile_features(df, ref)

    botmodel.BotModel.evidence_columns, features.profile_features, batches.score = ev, pf, sc  # type: ignore[method-assign]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "s.duckdb"
        shutil.copy(study, path)
        with open_study(path, read_only=False) as st:
            run_accounts(st, load_election(election))
    with open(out, "wb") as fh:
        pickle.dump(kept, fh)
    print({k: len(v) for k, v in kept.items()})


def time_functions(inputs: Path, label: str, repeat: int, score_only: bool = False) -> None:
    """Each function over every captured batch, `repeat` times; one line of CPU-seconds."""
    from botwatch.accounts.batches import to_arrow
    from botwatch.accounts.botmodel import shipped_model
    from botwatch.accounts.profile import profile_features
    from botwatch.accounts.scoring import score
    from botwatch.schema import ACCOUNT_EVIDENCE, ACCOUNT_SCORES

    with open(inputs, "rb") as fh:
        kept = pickle.load(fh)
    model = shipped_model()
    got: dict[str, list[float]] = {"evidence_columns": [], "profile_features": [], "score": [], "to_arrow": []}
    calls = [pickle.loads(b) for b in kept.get("score", [])]
    # The origins `score` writes its origin cells from (after the stage's study prior), made
    # outside the timer; see `origin_cells`.
    finals = [_final_origins(k.get("origins"), home, k.get("study_prior")) for _data, home, k in calls if k.get("origins") is not None]
    if finals:
        got["origin_cells"] = []
    for _ in range(repeat):
        if score_only:  # `score`, `to_arrow` and the origin cells alone (a shorter run)
            kept["evidence_columns"], kept["profile_features"] = [], []
        start = time.process_time()
        for X in kept["evidence_columns"]:
            model.evidence_columns(X)
        got["evidence_columns"].append(time.process_time() - start)
        start = time.process_time()
        for df, ref in kept["profile_features"]:
            profile_features(df, ref)
        got["profile_features"].append(time.process_time() - start)
        spent = [0.0, 0.0]
        for data, home, k in calls:
            start = time.process_time()
            scores, evidence = score(data, model, home, **k)
            mid = time.process_time()
            to_arrow(scores, ACCOUNT_SCORES), to_arrow(evidence, ACCOUNT_EVIDENCE)
            spent[0] += mid - start
            spent[1] += time.process_time() - mid
        got["score"].append(spent[0])
        got["to_arrow"].append(spent[1])
        if finals:
            start = time.process_time()
            for origins in finals:
                origin_cells(origins)
            got["origin_cells"].append(time.process_time() - start)
    load = os.getloadavg()[0]
    print(label, f"load {load:.2f}", " ".join(f"{k} " + " ".join(f"{v:.3f}" for v in vs) for k, vs in got.items()), flush=True)


def _final_origins(origins: Any, home: Any, prior: Any) -> Any:
    """The origin results after the study prior, as `score` has them when it writes the cells."""
    from botwatch.accounts.origin_prior import StudyPrior, apply_study_prior

    if not isinstance(prior, StudyPrior):
        return origins
    if not isinstance(origins, list):  # an `origin_table.OriginTable`, as the stage passes it since 2026-12-02
        from botwatch.accounts import origin_table

        return origin_table.apply_study_prior(origins, home, prior)[0]
    return apply_study_prior(origins, home, prior=prior)[0]


def origin_cells(origins: Any) -> Any:
    """The `origin_probabilities` and `origin_evidence` cells of one batch as `score` writes them
    and `to_arrow` converts them: from the columns where `origins` is an `OriginTable` (what the
    stage passes since 2026-12-02), by Arrow from results where this `src` has `_probability_cells`
    (or, on a `src` whose list forms moved to testsupport/accounts_reference.py, that copy on the
    `src`'s own helpers), else the per-account code that replaced (`flat_object` and `_json_lists`,
    then Arrow from the Python strings)."""
    import itertools

    import numpy as np
    import pyarrow as pa

    from botwatch.accounts import scoring

    if not isinstance(origins, list):
        cells = (scoring._probability_cells_table(origins), scoring._origin_evidence_cells_table(origins))
        return [pa.array(pd_array(c), pa.string()) for c in cells]
    if hasattr(scoring, "_probability_cells"):
        cells = (scoring._probability_cells(origins), scoring._origin_evidence_cells(origins))
        return [pa.array(pd_array(c), pa.string()) for c in cells]
    if hasattr(scoring, "_probability_cells_flat"):  # the list forms, moved out of the package on 2026-12-02
        from testsupport.accounts_reference import origin_evidence_cells, probability_cells

        cells = (probability_cells(origins), origin_evidence_cells(origins))
        return [pa.array(pd_array(c), pa.string()) for c in cells]
    probabilities = [scoring.flat_object(o.probabilities) if o.probabilities else None for o in origins]
    evidence = scoring._json_lists(list(itertools.chain.from_iterable(o.evidence for o in origins)),
                                   [0, *itertools.accumulate(len(o.evidence) for o in origins)])
    return [pa.array(np.array(c, dtype=object), pa.string(), from_pandas=True) for c in (probabilities, evidence)]


def pd_array(cells: Any) -> Any:
    """An Arrow column as the frame holds it (`pd.ArrowDtype`), read back as `to_arrow` reads it."""
    import pandas as pd

    return pd.arrays.ArrowExtensionArray(cells)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("capture")
    c.add_argument("study", type=Path)
    c.add_argument("out", type=Path)
    c.add_argument("--election", default="us-2016")
    t = sub.add_parser("time")
    t.add_argument("inputs", type=Path)
    t.add_argument("--label", default="")
    t.add_argument("--repeat", type=int, default=3)
    t.add_argument("--score-only", action="store_true", help="time score, to_arrow and the origin cells only")
    args = ap.parse_args()
    if args.cmd == "capture":
        capture(args.study, args.out, args.election)
    else:
        time_functions(args.inputs, args.label, args.repeat, args.score_only)


if __name__ == "__main__":
    main()
