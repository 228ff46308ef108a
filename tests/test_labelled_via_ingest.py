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


def test_a_one_class_set_alone_is_a_plain_usage_error_before_any_work(tmp_path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    """`--set botwiki2019` alone (bots only: the data README says a set is used in a pair) ran
    the whole ingest and analyze, then stopped in sklearn ("Only one class present in y_true")
    or printed "AUC nan"; a set without profiles.csv.gz was a pandas traceback."""
    import sys

    import pytest

    mod = load_script("labelled_via_ingest")
    (tmp_path / "bots").mkdir()
    pd.DataFrame({"id": ["1", "2"], "label": ["1", "1"]}).to_csv(tmp_path / "bots" / "profiles.csv.gz", index=False)

    def ran(*a, **k):  # type: ignore[no-untyped-def]
        raise AssertionError("the check ran before refusing its --set")

    monkeypatch.setattr(mod.subprocess, "run", ran)
    for sets, said in ((["bots"], "holds one class only (label 1)"), (["bots", "gilani2017"], "profiles.csv.gz: a set this check reads")):
        monkeypatch.setattr(sys, "argv", ["labelled_via_ingest.py", "--data", str(tmp_path), "--set", *sets])
        with pytest.raises(SystemExit) as stop:
            mod.main()
        assert stop.value.code == 2 and said in capsys.readouterr().err
