"""An impact run that fails midway (a party's test raising) is recorded failed and stores nothing
of its own; the report must not then show the tables or notes of an earlier run as if measured,
nor say the stage "has not run", and a re-run must work."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from botwatch import open_study

pytest.importorskip("statsmodels", reason="impact needs the optional extra botwatch[time]")
from botwatch.pipeline import Context, analyze

from test_impact_one_write import two_party_path  # noqa: F401 - the module fixture
from test_timeline import election


def _time_html(st: Any) -> str:
    from botwatch.timeline.report import time_section

    sec = time_section(st, {"election": election()})
    return " ".join(str(sec.html).split()) if sec else ""


def test_a_failed_impact_run_is_said_and_a_rerun_works(two_party_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    from botwatch.impact import stage

    shutil.copy(two_party_path, tmp_path / "s.duckdb")
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        analyze(st, Context(election=election(), log=lambda m: None), only=["impact"])
        assert st.count("impact") == 8
        from botwatch.timeline.stages import set_notes

        set_notes(st, "impact", ["Labour: an earlier run's note"])
        calls = {"n": 0}
        real = stage.lead_lag

        def failing(*a: Any, **k: Any) -> Any:
            calls["n"] += 1
            if calls["n"] == 3:  # the second party's first test
                raise RuntimeError("boom <b>")
            return real(*a, **k)

        monkeypatch.setattr(stage, "lead_lag", failing)
        with pytest.raises(RuntimeError):
            analyze(st, Context(election=election(), log=lambda m: None), only=["impact"])
        monkeypatch.undo()
        assert st.sql("SELECT status FROM runs WHERE stage = 'impact' ORDER BY started_at DESC LIMIT 1")[0][0] == "failed"
        html = _time_html(st)
        assert "has not run on this study" not in html and "an earlier run's note" not in html
        assert ("Not computed: the latest run of the impact stage did not finish (RuntimeError: boom &lt;b&gt;), and a run replaces "
                "every test, so none from an earlier run is left either; botwatch analyze STUDY --only impact runs it again.") in html
        analyze(st, Context(election=election(), log=lambda m: None), only=["impact"])
        assert st.count("impact") == 8
        assert "did not finish" not in _time_html(st)
