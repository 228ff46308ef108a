"""The office-hours origin row carries its factor as a number (`account_evidence.value`): the factor
its sentence states ("odds of Russia against US ×N" or "÷N"), so a reader need not parse it back
out of the words (the report's party-account clause did)."""

from __future__ import annotations

import math
import re

import numpy as np


def test_value_is_the_factor_the_sentence_states(sample_study_path, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import shutil

    from botwatch import open_study
    from botwatch.accounts import origin_shifts
    from botwatch.accounts.origin_shifts import KIND
    from botwatch.accounts.stage import run_accounts
    from botwatch.elections import load_election

    dst = tmp_path / "s.duckdb"
    shutil.copy(sample_study_path, dst)
    with open_study(dst, read_only=False) as st:
        run_accounts(st, load_election("us-2016"), log=lambda m: None)
        rows = st.sql("SELECT value, sentence FROM account_evidence WHERE kind = 'origin' AND feature = ?", [KIND])
        others = st.sql("SELECT count(*) FROM account_evidence WHERE kind = 'origin' AND feature <> ? AND value IS NOT NULL", [KIND])[0][0]
    assert len(rows) >= 5, rows
    assert others == 0
    towards = away = 0
    for value, sentence in rows:
        assert value is not None and math.isfinite(value) and value > 0, (value, sentence)
        m = re.search(r"odds of Russia against \w+ ((?:over|nearly) )?([×÷])([0-9.,]+)", sentence)
        assert m, sentence
        stated = float(m.group(3).replace(",", ""))
        if m.group(2) == "÷":
            stated, away = 1 / stated, away + 1
        else:
            towards += 1
        if not m.group(1):  # "over|nearly ×1,000,000" is a bound, not the number; the words give two significant figures
            assert m.group(2) + m.group(3) == origin_shifts.move_words(math.log(value)), (value, sentence)
    assert towards and away  # the sample holds both directions


def test_factor_of_an_item_against_the_reference_country() -> None:
    from botwatch.accounts import origin_shifts

    codes = ("GB", "RU", "US")
    log_l = np.log(np.array([0.5, 2.0, 1.0]))
    assert math.isclose(origin_shifts.russia_factor(log_l, codes, "GB"), 4.0)
    assert math.isclose(origin_shifts.russia_factor(log_l, codes, None), 2.0)  # the US without a home
    assert origin_shifts.russia_factor(log_l[[0, 2]], ("GB", "US"), "GB") is None
