"""scripts/labelled_via_ingest.py: the maintainers' 'every labelled account scored' check says how
many labelled accounts the study lacks (small inputs; the check itself runs on the shared sets)."""

from __future__ import annotations

import pandas as pd

from testsupport.scripts import load_script


def test_the_line_counts_labelled_accounts_the_study_lacks() -> None:
    mod = load_script("labelled_via_ingest")
    labels = {"1": 1, "2": 0, "3": 1, "4": 0}
    got = pd.DataFrame({"account_id": ["1", "2", "4", "99"], "bot_probability": [0.9, 0.2, 0.1, 0.5]})
    line = mod.summary(got, labels)
    assert line.startswith("labelled accounts: 4; in the study: 3 (1 missing: see `botwatch export STUDY rejected`); scored: 3; AUC 1.0000")
    every = mod.summary(pd.concat([got, pd.DataFrame({"account_id": ["3"], "bot_probability": [0.8]})]), labels)
    assert every == "labelled accounts: 4; in the study: 4; scored: 4; AUC 1.0000"
