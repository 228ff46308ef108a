"""An earlier release's shipped bot-model file that scores exactly as the shipped one is the
shipped model for the report, `explain` and `accounts` (`accounts/model_identity.py`).

Why: the shipped file was written again on 2026-12-05 with the same trees, calibration and scoring
meta (only the held-out counts were added); every study scored by the previous release then read
"The bot probabilities were made with a bot model file, not the shipped model … no validation
figures are shown" and was told to run `botwatch analyze` again for the same numbers.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from botwatch.accounts.model_identity import EARLIER_SHIPPED, same_scores_as_shipped, scoring_digest, shipped_scoring_digest
from testsupport.study_copies import copy_study

EARLIER = "41707de39f7c6e92095bf2db11d06602b6f6acb3f5022e4b30f898fb08840a42"  # 51a0230's file: listed until the 2026-12-07 retrain


def test_every_listed_file_scores_as_the_shipped_one() -> None:
    """When the trees or the scoring meta change, this fails: the list must then be emptied (its
    files no longer score as the shipped one; `same_scores_as_shipped` already treats them so)."""
    assert all(d == shipped_scoring_digest() for d in EARLIER_SHIPPED.values())
    assert not same_scores_as_shipped("0" * 64) and not same_scores_as_shipped(None)
    # 51a0230's file (listed until the 2026-12-07 retrain) no longer scores as the shipped one.
    assert shipped_scoring_digest() != "b588ee1e2c1f8c05e1ac77966a1e24e4761fcfec8ac9f91a1fecba90f27cb147"
    # 3018eb68's file (the location dropped; listed until the retrain without the everyday automation words) neither.
    assert shipped_scoring_digest() != "424f1549570265f06b229d29eaaa3ad5de8a1e7d08d4151a64b518bc080ec1bc"


def test_the_digest_reads_what_decides_a_score_and_nothing_else() -> None:
    from botwatch.accounts.botmodel import _read_version

    data = json.loads(json.dumps(_read_version(None, None)[0]))
    base = scoring_digest(data)
    data["meta"]["loso"][0]["counted"] = 1  # documentation: the same scores
    data["meta"]["trained_on"] = ["x"]
    assert scoring_digest(data) == base
    for change in (lambda d: d["calibration"]["y"].__setitem__(0, 0.5), lambda d: d["meta"].__setitem__("age_reference", [1.0]),
                   lambda d: d["meta"]["loso"][0].__setitem__("ece", 0.9), lambda d: d.__setitem__("booster", d["booster"] + " ")):
        other = json.loads(json.dumps(_read_version(None, None)[0]))
        change(other)
        assert scoring_digest(other) != base


@pytest.mark.parametrize("sha,shipped", [(EARLIER, True), ("ab" * 32, False)])
def test_a_study_scored_by_an_earlier_release_reads_as_the_shipped_model(scored_us_sample_path: Path, tmp_path: Path, sha: str, shipped: bool,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from botwatch import open_study
    from botwatch.model_used import bot_model_changed, bot_model_used

    # Listed as scoring like the shipped file (the list is empty since the 2026-12-07 retrain).
    monkeypatch.setitem(EARLIER_SHIPPED, EARLIER, shipped_scoring_digest())

    dst = copy_study(scored_us_sample_path, tmp_path / "s.duckdb")
    with open_study(dst, read_only=False) as st:
        rows = st.sql("SELECT run_id, params FROM runs WHERE stage = 'accounts'")
        for run_id, params in rows:
            p = json.loads(params)
            p["bot_model_sha256"] = sha
            st.sql("UPDATE runs SET params = ? WHERE run_id = ?", [json.dumps(p), run_id])
        used, changed = bot_model_used(st), bot_model_changed(st)
    assert (used.kind == "shipped") is shipped and (changed is None) is shipped
    if not shipped:
        # No BOTWATCH_BOT_MODEL recorded: an earlier release's shipped model, not a user's file to
        # look for (every study scored before the 2026-12-07 retrain read "a bot model file …
        # point BOTWATCH_BOT_MODEL at that file").
        from botwatch.accounts.training_accounts import UNKNOWN_WHY, study_bot_training

        assert "shipped bot model of an earlier botwatch release" in (used.note or "")
        assert "BOTWATCH_BOT_MODEL" not in (used.note or "")
        assert "shipped bot model of an earlier botwatch release" in changed.sentence()
        with open_study(dst) as st:
            assert study_bot_training(st).unknown_why == UNKNOWN_WHY["earlier"]


@pytest.mark.parametrize("as_json", [False, True], ids=["table", "json"])
def test_the_accounts_list_says_when_another_model_scored_the_study(scored_us_sample_path: Path, tmp_path: Path, as_json: bool) -> None:
    """`botwatch accounts STUDY` listed a study scored by the model shipped before a retrain (every
    study scored before 2026-12-07) without a word, where `status`, `explain` and the report say
    the probabilities are the earlier model's; stdout stays the table or the JSON array."""
    from typer.testing import CliRunner

    from botwatch import open_study
    from botwatch.cli import app

    dst = copy_study(scored_us_sample_path, tmp_path / "s.duckdb")
    with open_study(dst, read_only=False) as st:
        for run_id, params in st.sql("SELECT run_id, params FROM runs WHERE stage = 'accounts'"):
            st.sql("UPDATE runs SET params = ? WHERE run_id = ?", [json.dumps({**json.loads(params), "bot_model_sha256": "ab" * 32}), run_id])
    res = CliRunner().invoke(app, ["accounts", str(dst), "--top", "3", *(["--json"] if as_json else [])], env={"COLUMNS": "400"})
    assert res.exit_code == 0, res.output
    said = " ".join(res.stderr.split())
    assert "The bot probabilities in this study were made with" in said and f"botwatch analyze {dst}" in said, said
    assert "made with" not in res.stdout
    if as_json:
        assert len(json.loads(res.stdout)) == 3
