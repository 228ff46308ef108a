"""A bot model near chance says so: `botwatch train-bot-model` warns when the out-of-fold AUC is
below 0.70 or its DeLong 95% interval reaches 0.5, records `quality_warning` in the model file,
and `botwatch explain` and the report repeat it whenever that model scored the study."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from botwatch.accounts.model_quality import NEAR_CHANCE_AUC, WARNING_KEY, delong_interval, quality_warning, recorded_warning
from testsupport.explain_cli import explain_first_scored, words

PROFILES = Path(__file__).parent / "fixtures" / "accounts" / "labelled_profiles.csv"  # 20 botwiki bots, 20 verified humans (real)
V1 = Path(__file__).resolve().parent / "fixtures" / "ingest" / "v1_uklabour.jsonl"


def _delong_by_definition(y: np.ndarray, p: np.ndarray) -> tuple[float, float]:
    """DeLong's AUC and variance from the pairwise kernel (1 if the bot scores higher, 1/2 on a tie)."""
    pos, neg = p[y == 1], p[y == 0]
    psi = (pos[:, None] > neg[None, :]) + 0.5 * (pos[:, None] == neg[None, :])
    v10, v01 = psi.mean(axis=1), psi.mean(axis=0)
    return float(psi.mean()), float(np.var(v10, ddof=1) / len(pos) + np.var(v01, ddof=1) / len(neg))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_interval_is_delongs(seed: int) -> None:
    rng = np.random.default_rng(seed)
    y = (rng.random(300) < 0.3).astype(int)
    p = np.round(rng.random(300) * 0.6 + 0.3 * y, 1)  # coarse scores: many ties, as isotonic maps give
    auc, lo, hi = delong_interval(y, p)
    want_auc, want_var = _delong_by_definition(y, p)
    assert auc == pytest.approx(want_auc, abs=1e-12)
    assert (hi - lo) / 2 == pytest.approx(1.959964 * np.sqrt(want_var), rel=1e-5)
    with pytest.raises(ValueError):
        delong_interval(np.ones(5, int), np.linspace(0, 1, 5))


def test_warned_below_the_bar_or_when_the_interval_reaches_chance() -> None:
    y = np.array([1] * 50 + [0] * 50)
    strong = np.concatenate([np.linspace(0.4, 1, 50), np.linspace(0, 0.6, 50)])
    figures, warning = quality_warning(y, strong)
    assert figures["auc"] > 0.9 and figures["auc_low"] > 0.5 and warning is None
    weak = np.concatenate([np.linspace(0.1, 0.9, 50), np.linspace(0.0, 0.8, 50)])  # AUC ~0.6
    figures, warning = quality_warning(y, weak)
    assert figures["auc"] < NEAR_CHANCE_AUC and warning is not None and f"below {NEAR_CHANCE_AUC:.2f}" in warning
    # AUC above 0.70 on 8 accounts: the interval still reaches 0.5.
    few_y = np.array([1, 1, 1, 1, 0, 0, 0, 0])
    figures, warning = quality_warning(few_y, np.array([0.9, 0.8, 0.3, 0.6, 0.5, 0.2, 0.1, 0.7]))
    assert figures["auc"] >= NEAR_CHANCE_AUC and figures["auc_low"] <= 0.5
    assert warning is not None and "interval reaches 0.5" in warning
    assert recorded_warning({WARNING_KEY: warning}) == warning and recorded_warning({}) is None and recorded_warning(None) is None


def _cli():  # type: ignore[no-untyped-def]
    from typer.testing import CliRunner

    from botwatch.cli import app

    return CliRunner(), app


def _labels(tmp_path: Path, shuffled: bool) -> Path:
    """The real botwiki/verified rows; `shuffled`: their labels permuted (fixed seed), so the
    profiles hold nothing about them and any model is at chance. A test of the warning only:
    nothing shipped or measured is fitted to them."""
    raw = pd.read_csv(PROFILES, dtype=str, keep_default_na=False, na_values=[""]).rename(columns={"label": "bot"})
    if shuffled:
        raw["bot"] = np.random.default_rng(5).permutation(raw["bot"].to_numpy())
    out = tmp_path / ("shuffled.csv" if shuffled else "labels.csv")
    raw.to_csv(out, index=False)
    return out


def _train(tmp_path: Path, shuffled: bool) -> tuple[Path, str]:
    runner, app = _cli()
    model = tmp_path / ("chance.json.gz" if shuffled else "fine.json.gz")
    res = runner.invoke(app, ["train-bot-model", str(_labels(tmp_path, shuffled)), "-o", str(model)])
    assert res.exit_code == 0, res.output + res.stderr
    return model, " ".join((res.stdout + " " + res.stderr).split())


def _meta(model: Path) -> dict:  # type: ignore[type-arg]
    return json.loads(gzip.decompress(model.read_bytes()))["meta"]


def test_training_on_labels_the_profiles_do_not_predict_warns_and_records_it(tmp_path: Path) -> None:
    model, said = _train(tmp_path, shuffled=True)
    meta = _meta(model)
    assert "warning: This bot model is near chance on its own labelled accounts" in said
    assert recorded_warning(meta) is not None and recorded_warning(meta) in said
    oof = meta["pooled_oof"]
    assert oof["auc"] < NEAR_CHANCE_AUC or oof["auc_low"] <= 0.5
    figures = json.loads((tmp_path / "chance.figures.json").read_text())
    assert figures[WARNING_KEY] == meta[WARNING_KEY]


def test_training_on_labels_the_profiles_predict_does_not_warn(tmp_path: Path) -> None:
    model, said = _train(tmp_path, shuffled=False)
    meta = _meta(model)
    assert WARNING_KEY not in meta and "near chance" not in said
    assert meta["pooled_oof"]["auc"] >= NEAR_CHANCE_AUC and meta["pooled_oof"]["auc_low"] > 0.5
    assert "95% interval" in said


def _ingested(tmp_path: Path, model: Path | None, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A study of the v1.1 fixture, with BOTWATCH_BOT_MODEL naming `model` (None: the shipped one)."""
    runner, app = _cli()
    study = tmp_path / "s.duckdb"
    assert runner.invoke(app, ["ingest", str(study), str(V1)]).exit_code == 0
    if model is None:
        monkeypatch.delenv("BOTWATCH_BOT_MODEL", raising=False)
    else:
        monkeypatch.setenv("BOTWATCH_BOT_MODEL", str(model))
    return study


def _study(tmp_path: Path, model: Path | None, monkeypatch: pytest.MonkeyPatch) -> Path:
    """`_ingested`, its accounts scored for uk-ge2017: the stage that records which model scored
    them, which is all `explain` and the report's automation caveat read (the other stages took
    half of each study's CPU and no assertion reads them)."""
    runner, app = _cli()
    study = _ingested(tmp_path, model, monkeypatch)
    res = runner.invoke(app, ["analyze", str(study), "--election", "uk-ge2017", "--only", "accounts"])
    assert res.exit_code == 0, res.output
    return study


def _explain_and_report(study: Path, tmp_path: Path) -> tuple[str, str]:
    import html as html_mod
    import re

    explained = words(explain_first_scored(study).stdout)
    runner, app = _cli()
    out = tmp_path / "r.html"
    res = runner.invoke(app, ["report", str(study), "-o", str(out), "--no-exports", "--force"])
    assert res.exit_code == 0, res.output
    s = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", out.read_text(encoding="utf-8"), flags=re.S)
    return explained, " ".join(html_mod.unescape(re.sub(r"<[^>]+>", " ", s)).split())


def test_explain_and_the_report_repeat_the_warning_of_the_model_that_scored_the_study(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    model, _ = _train(tmp_path, shuffled=True)
    warning = recorded_warning(_meta(model))
    assert warning
    study = _study(tmp_path, model, monkeypatch)
    explained, report = _explain_and_report(study, tmp_path)
    assert f"Warning: {warning}" in explained
    assert warning in report
    # The shell now names the shipped model: the study was still scored with the near-chance one.
    monkeypatch.delenv("BOTWATCH_BOT_MODEL")
    explained, report = _explain_and_report(study, tmp_path)
    assert warning in explained and warning in report


def test_a_study_scored_by_the_shipped_model_carries_no_warning(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from botwatch.accounts.botmodel import shipped_model

    assert recorded_warning(shipped_model().meta) is None
    study = _study(tmp_path, None, monkeypatch)
    explained, report = _explain_and_report(study, tmp_path)
    said = "near chance on its own labelled accounts"
    assert said not in explained and said not in report and "Warning:" not in explained


def test_analyze_says_the_warning_when_it_scores_with_a_near_chance_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`analyze`, the command that turns the model into every account's probability, said nothing
    of the warning the model file carries; now one line on stderr, only when the accounts stage runs."""
    model, _ = _train(tmp_path, shuffled=True)
    warning = recorded_warning(_meta(model))
    assert warning
    runner, app = _cli()
    study = _ingested(tmp_path, model, monkeypatch)
    res = runner.invoke(app, ["analyze", str(study), "--only", "accounts"])
    assert res.exit_code == 0, res.output
    said = [" ".join(ln.split()) for ln in res.stderr.splitlines() if "near chance" in ln]
    assert len(said) == 1 and said[0] == f"warning: BOTWATCH_BOT_MODEL={model}: {warning}", res.stderr
    assert "near chance" not in res.stdout
    # A run that does not score accounts does not repeat it.
    res = runner.invoke(app, ["analyze", str(study), "--only", "coordination"])
    assert res.exit_code == 0, res.output
    assert "near chance" not in res.stderr


def test_analyze_with_the_shipped_model_says_no_warning(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    runner, app = _cli()
    study = _ingested(tmp_path, None, monkeypatch)
    res = runner.invoke(app, ["analyze", str(study), "--only", "accounts"])
    assert res.exit_code == 0, res.output
    assert "near chance" not in res.stderr


def test_the_printed_interval_has_the_aucs_digits(tmp_path: Path) -> None:
    """`train-bot-model` printed "AUC 0.996 (95% interval 0.99-1.00)": the AUC to three decimals,
    its interval to two, so an interval short of 1 read as reaching a perfect ranking."""
    import re

    from botwatch.auc_text import auc, auc_interval

    model, said = _train(tmp_path, shuffled=False)
    oof = _meta(model)["pooled_oof"]
    got = re.search(r"out-of-fold: AUC (\S+) \(95% interval (\S+)-(\S+)\)", said)
    assert got is not None, said
    assert got.groups() == (auc(oof["auc"]), *auc_interval(oof["auc_low"], oof["auc_high"]).split("–"))


def test_the_printed_interval_is_at_one_precision(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """"95% interval 0.994-0.9995": the high end took a fourth decimal (0.9995 is no 1.000) and the
    low end kept three, one interval at two precisions. Both ends now take the fourth."""
    import botwatch.accounts.retrain as retrain

    oof = {"n": 400, "auc": 0.998, "auc_low": 0.994, "auc_high": 0.9995, "f1": 0.97, "threshold": 0.5, "brier": 0.02}
    monkeypatch.setattr(retrain, "train_and_report", lambda *a, **k: {"pooled_oof": oof})
    runner, app = _cli()
    res = runner.invoke(app, ["train-bot-model", str(_labels(tmp_path, False)), "-o", str(tmp_path / "m.json.gz")])
    assert res.exit_code == 0, res.output + res.stderr
    assert "out-of-fold: AUC 0.998 (95% interval 0.9940-0.9995)" in " ".join(res.stdout.split()), res.stdout


def test_the_use_line_says_to_keep_the_model_selected_for_report_and_explain(tmp_path: Path) -> None:
    """The line said only `BOTWATCH_BOT_MODEL=FILE botwatch analyze STUDY`; a plain `report` after it
    warns that another model is selected (the shipped one), so the line says to keep it set."""
    model, said = _train(tmp_path, shuffled=False)
    assert f"BOTWATCH_BOT_MODEL={model} botwatch analyze STUDY" in said and f"keep it set for report and explain (export BOTWATCH_BOT_MODEL={model})" in said, said
