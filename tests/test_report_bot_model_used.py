"""The report, `explain` and the reproduction block describe the bot model the study was scored
with (its recorded SHA-256), not whichever model the shell running them names (F-BM1)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from testsupport.explain_cli import explain_first_scored, words
from testsupport.report_text import page_text as _text

FIX = Path(__file__).resolve().parent / "fixtures" / "ingest" / "v1_uklabour.jsonl"


def _cli():  # type: ignore[no-untyped-def]
    from typer.testing import CliRunner

    from botwatch.cli import app

    return CliRunner(), app


def _own_model(path: Path) -> Path:
    """The shipped trees with a user's figures: trained on one source, no cross-source test."""
    from importlib import resources

    raw = gzip.decompress((resources.files("botwatch.accounts") / "models" / "bot_model.json.gz").read_bytes())
    data = json.loads(raw)
    data["meta"] = {**data["meta"], "trained_on": {"stclab": 1472},
                    "pooled_oof": {"n": 1472, "auc": 0.947, "f1": 0.9, "brier": 0.05, "threshold": 0.5}, "loso": []}
    data["meta"].pop("cross", None)
    data["meta"].pop("cross_curves", None)
    path.write_bytes(gzip.compress(json.dumps(data).encode()))
    return path


def _analysed_with_own_model(folder: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """The v1 fixture ingested into `folder` and its accounts scored with `_own_model`; leaves
    BOTWATCH_BOT_MODEL naming that model. Returns (study, model). The accounts stage alone: it
    records the model, and every sentence checked here is in the report's accounts section and
    headline, its automation caveat or its reproduction block (the other stages made each study and report
    about twice as costly and no assertion read them)."""
    runner, app = _cli()
    model = _own_model(folder / "m2.json.gz")
    study = folder / "s.duckdb"
    assert runner.invoke(app, ["ingest", str(study), str(FIX)]).exit_code == 0
    monkeypatch.setenv("BOTWATCH_BOT_MODEL", str(model))
    res = runner.invoke(app, ["analyze", str(study), "--election", "uk-ge2017", "--only", "accounts"])
    assert res.exit_code == 0, res.output
    return study, model


@pytest.fixture(scope="module")
def own_study_shared(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """`_analysed_with_own_model` once for the module (three tests built the same study each).
    Read only: tests get a copy of the study (`own_study`); the model file stays where the study
    recorded it."""
    with pytest.MonkeyPatch.context() as mp:
        return _analysed_with_own_model(tmp_path_factory.mktemp("own_model"), mp)


@pytest.fixture()
def own_study(own_study_shared: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """A private copy of the shared study, with BOTWATCH_BOT_MODEL naming its model as when it
    was analysed. Returns (study copy, model)."""
    from testsupport.study_copies import copy_study

    study, model = own_study_shared
    monkeypatch.setenv("BOTWATCH_BOT_MODEL", str(model))
    return copy_study(study, tmp_path / "s.duckdb"), model


@pytest.fixture()
def own_study_private(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """A study and model of the test's own, for a test that moves the model file away."""
    return _analysed_with_own_model(tmp_path, monkeypatch)


def _report(study: Path, out: Path) -> str:
    runner, app = _cli()
    res = runner.invoke(app, ["report", str(study), "-o", str(out), "--no-exports", "--force"])
    assert res.exit_code == 0, res.output
    return _text(out)


def _explain(study: Path) -> str:
    return words(explain_first_scored(study).output)


def test_own_model_is_described_by_its_own_figures(own_study: tuple[Path, Path], tmp_path: Path) -> None:
    study, model = own_study
    text = _report(study, tmp_path / "r.html")
    assert "Out-of-fold on 1,472 labelled accounts: AUC 0.947" in text
    assert f"your own bot model ({model}), not the shipped one: trained on 1,472 stclab labelled accounts; out-of-fold AUC 0.947" in text
    assert "It was not tested on a labelled source it was not trained on" in text
    assert "Out-of-fold on 7,453" not in text and "Tested on a labelled source it was not trained on, the bot model scored AUC between" not in text
    assert "Judged on labelled sources it never saw" not in text
    assert f"BOTWATCH_BOT_MODEL={model} botwatch analyze" in text  # the reproduction block names the model
    out = _explain(study)
    assert "your own bot model" in out and "the bot model scored AUC between" not in out


def test_own_model_is_not_described_by_the_shipped_models_tests_or_card(own_study: tuple[Path, Path], tmp_path: Path) -> None:
    """A reviewer's finding: with a user's model the automation headline ended "which the
    cross-dataset test says it may not" and `explain` said "calibrated on labelled accounts; see
    docs/model-card-bot.md", though no cross-dataset test of that model exists and the card
    describes the shipped one; and the file's training accounts are unknown, which is said."""
    study, _model = own_study
    text = _report(study, tmp_path / "r.html")
    assert "which the cross-dataset test says it may not" not in text
    assert "which no test of this model on a labelled source it was not trained on has checked" in text
    assert "Its file does not record which accounts it was trained on" in text
    out = _explain(study)
    assert "see docs/model-card-bot.md" not in out
    assert "your own bot model's, calibrated on its own labelled accounts; docs/model-card-bot.md describes the shipped model, not this one" in out


def test_an_auc_below_one_never_reads_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """"out-of-fold AUC 1.00" was 0.996 rounded up."""
    from botwatch.report.fmt import auc
    from botwatch.report.model_used import _own_note

    assert auc(0.9965) == "0.997" and auc(0.9996) == "0.9996" and auc(0.6348) == "0.635" and auc(1.0) == "1.000"
    note = _own_note("m.json.gz", {"trained_on": {"bv.csv": 1862}, "pooled_oof": {"auc": 0.9962}, "loso": []})
    assert "out-of-fold AUC 0.996" in note and "1.00" not in note


def test_without_the_recorded_model_no_figures_are_quoted(own_study_private: tuple[Path, Path], tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """A colleague's shell without BOTWATCH_BOT_MODEL, the file moved away: the shipped figures
    were quoted as if they described the study's model."""
    study, model = own_study_private
    monkeypatch.delenv("BOTWATCH_BOT_MODEL")
    model.rename(tmp_path / "elsewhere.json.gz")
    text = _report(study, tmp_path / "r.html")
    assert f"The bot probabilities were made with {model}, not the shipped model" in text
    assert "no validation figures are shown" in text
    assert "Out-of-fold on 7,453" not in text and "Out-of-fold on 1,472" not in text
    assert "the bot model scored AUC between" not in text
    out = _explain(study)
    assert "no validation figures are shown" in out and "the bot model scored AUC between" not in out


def test_recorded_file_found_without_the_variable(own_study: tuple[Path, Path], tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """The shell running `report` does not name the model, but the recorded file is there with
    the recorded hash: its figures, not the shipped model's."""
    study, _model = own_study
    monkeypatch.delenv("BOTWATCH_BOT_MODEL")
    text = _report(study, tmp_path / "r.html")
    assert "Out-of-fold on 1,472 labelled accounts" in text and "Out-of-fold on 7,453" not in text


def test_the_shipped_model_keeps_its_figures_whatever_the_shell_names(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    runner, app = _cli()
    study = tmp_path / "s.duckdb"
    assert runner.invoke(app, ["ingest", str(study), str(FIX)]).exit_code == 0
    assert runner.invoke(app, ["analyze", str(study), "--election", "uk-ge2017", "--only", "accounts"]).exit_code == 0
    monkeypatch.setenv("BOTWATCH_BOT_MODEL", str(_own_model(tmp_path / "m2.json.gz")))
    text = _report(study, tmp_path / "r.html")
    assert "Out-of-fold on 1,472" not in text and "your own bot model" not in text
    assert "Tested on a labelled source it was not trained on, the bot model scored AUC between" in text
    assert "which the cross-dataset test says it may not" in text  # the shipped model has one
    assert "and 0.997 (held out: botwiki+verified; 95% interval 0.9933–0.9997 from its" in text and "AUC 1.00" not in text
    # Only the banner saying the selected model is not the one that scored the study names it.
    import re

    assert "Scored with another bot model. The bot probabilities in this study were made with the shipped bot model" in text
    assert "BOTWATCH_BOT_MODEL=" not in re.sub(r"Scored with another bot model\..*?build the report again\.", "", text)


def test_methods_says_a_users_models_training_accounts_are_unknown(own_study: tuple[Path, Path], tmp_path: Path) -> None:
    """A user's model whose file records no training accounts: the accounts stage records no bot
    count, and Methods said nothing of that model's training accounts, as if none were in the
    study. It says they are unknown, under the automation probability."""
    import html as html_mod
    import re

    from botwatch.accounts.training_accounts import UNKNOWN_OWN_BOT, methods_sentences

    study, _model = own_study
    _report(study, tmp_path / "r.html")
    lines = [html_mod.unescape(t) for t in re.findall(r'<dd class="training-accounts">(.*?)</dd>', (tmp_path / "r.html").read_text(encoding="utf-8"), re.S)]
    assert UNKNOWN_OWN_BOT in lines
    # A model that records its list and matched none, or the shipped model: nothing to say of it.
    assert "bot" not in methods_sentences({"origin_training_accounts": 0, "bot_training_accounts": 0}, own_bot=True)
    assert "bot" not in methods_sentences({"origin_training_accounts": 0}, own_bot=False)
    assert methods_sentences({"bot_training_accounts": 2}, own_bot=True)["bot"].startswith("2 of the study's accounts were among your bot model's")


def test_methods_quotes_the_scoring_models_own_calibration_near_eight_tenths(own_study: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    """Methods said "out of fold, about eight in ten of the accounts scored near 0.8 were
    automated", the shipped model's figure, whatever model scored the study: a user's own, whose
    curve may say otherwise, or one whose file is missing and whose figures are not quoted."""
    import re

    from botwatch import model_used
    from botwatch.report.context import report_context
    from botwatch.report.section_methods import methods
    from botwatch.study import open_study

    study, _model = own_study

    def said(used: model_used.BotModelUsed) -> str:
        monkeypatch.setattr(model_used, "bot_model_used", lambda st: used)
        with open_study(study) as st:
            return " ".join(re.sub("<[^>]+>", " ", methods(st, report_context(st)).html).split())

    curve = [{"bin": 7, "n": 200, "predicted": 0.71, "observed": 0.4}, {"bin": 8, "n": 150, "predicted": 0.83, "observed": 0.52}]
    assert "out of fold, about five in ten of the accounts scored near 0.8 were automated" in said(model_used.BotModelUsed("own", {"reliability": curve}, "m.json.gz"))
    missing = said(model_used.BotModelUsed("missing", {}, "m.json.gz"))
    assert "The profile model was calibrated on its labelled data." in missing and "in ten" not in missing


def test_explain_shows_the_model_files_name_escaped(own_study: tuple[Path, Path], tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """The model note (shared with the report, which escapes it as a page does) names the model
    file as the accounts run recorded it; `explain` printed it with Rich markup off but its
    control characters raw, so an ESC in the file name reached the terminal. Shown as `\\x1b`,
    and the `[bold]` in it stays text."""
    import shutil

    from botwatch.study import open_study
    from testsupport.terminal import RAW

    study, model = own_study
    odd = tmp_path / "m\x1b[31m[bold]x.json.gz"
    shutil.copyfile(model, odd)
    with open_study(study, read_only=False) as st:  # as if the study had been scored with the odd name given
        st.sql("UPDATE runs SET params = replace(params, ?, ?) WHERE stage = 'accounts'",
               [json.dumps(str(model))[1:-1], json.dumps(str(odd))[1:-1]])
    monkeypatch.setenv("BOTWATCH_BOT_MODEL", str(odd))
    out = explain_first_scored(study).output
    assert not RAW.search(out), repr(out)
    assert f"your own bot model ({tmp_path}/m\\x1b[31m[bold]x.json.gz)" in words(out)

    # An account the model was trained on: its sentence names the file too.
    import botwatch.accounts.training_accounts as ta

    monkeypatch.setattr(ta, "account_training", lambda *a, **k: {"bot": True, "origin": False})
    out = explain_first_scored(study).output
    assert not RAW.search(out), repr(out)
    assert f"your bot model's ({tmp_path}/m\\x1b[31m[bold]x.json.gz)" in words(out), words(out)
