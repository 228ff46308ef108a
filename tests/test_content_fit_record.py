"""The content model's fit record (botwatch.content.fit_record): what the shipped model was fitted
from, so a changed input is named at once instead of found by a refit that gives other weights."""

from __future__ import annotations

from pathlib import Path

from botwatch.content import fit_record

ROOT = Path(__file__).resolve().parents[1]


def test_items_hash_sees_one_feature_value_label_or_group_change() -> None:
    items = [({"w=tax": 1.0, "lex_post": -0.25}, "oppose"), ({"w=gt": 1.0}, "neutral")]
    base = fit_record.items_sha256(items, ["a", "b"])
    assert fit_record.items_sha256([(dict(reversed(list(items[0][0].items()))), "oppose"), items[1]], ["a", "b"]) == base  # key order is not content
    assert fit_record.items_sha256([({"w=tax": 1.0, "lex_post": -0.25000000000000006}, "oppose"), items[1]], ["a", "b"]) != base
    assert fit_record.items_sha256([items[0], ({"w=gt": 1.0}, "oppose")], ["a", "b"]) != base
    assert fit_record.items_sha256(items, ["a", "a"]) != base
    assert fit_record.items_sha256(list(reversed(items)), ["b", "a"]) != base  # order counts: a fit can depend on it


def test_input_hashes_name_every_repo_input_and_absent_shared_files(tmp_path: Path) -> None:
    got = fit_record.input_hashes(ROOT, tmp_path / "no-shared-data")
    assert all(got[f"repo:{p}"] and len(got[f"repo:{p}"]) == 64 for p in fit_record.REPO_INPUTS)
    assert all(got[f"shared:{p}"] is None for p in fit_record.SHARED_INPUTS)


def test_changed_inputs_lists_each_difference_and_can_leave_shared_data_aside() -> None:
    rec = {"repo:a.csv": "1", "repo:b.npz": "2", "shared:t.gz": "3"}
    now = {"repo:a.csv": "1", "repo:b.npz": "9", "shared:t.gz": None}
    assert fit_record.changed_inputs(rec, now) == ["repo:b.npz: recorded 2, now 9", "shared:t.gz: recorded 3, now absent"]
    assert fit_record.changed_inputs(rec, now, repo_only=True) == ["repo:b.npz: recorded 2, now 9"]
    assert fit_record.changed_inputs(rec, rec) == []


def test_library_versions_name_the_fitting_libraries() -> None:
    got = fit_record.library_versions()
    assert got["python"] and got["scikit-learn"] and got["numpy"]
    assert set(fit_record.LIBRARIES) <= set(got)


def _model(w: float, versions: str = "a") -> dict:
    task = {"weights": {"w=tax": [w, 0.0, -w]}, "bias": [0.1, 0.0, -0.1], "C": 0.3}
    return {"stance": task, "sentiment": task, "fit": {"items_sha256": {"stance": "x"}, "versions": {"numpy": versions}}}


def test_refit_comparison_ignores_versions_and_names_what_moved() -> None:
    from testsupport.scripts import load_script

    mod = load_script("refit_content_model")
    ok, lines = mod.compare("content_model.json", _model(0.5), _model(0.5, versions="b"))
    assert ok and lines == ["library versions: shipped {'numpy': 'a'}, here {'numpy': 'b'}"]
    moved = _model(0.50001)
    moved["fit"]["items_sha256"]["stance"] = "y"
    ok, lines = mod.compare("content_model.json", _model(0.5), moved)
    assert not ok
    assert "items_sha256 stance: x -> y" in lines
    assert any("largest |dw| 0.00001" in line for line in lines)


def test_refit_command_of_an_unrecorded_model_pins_its_settings() -> None:
    from testsupport.scripts import load_script

    mod = load_script("refit_content_model")
    model = {"stance": {"C": 0.3, "weak_weight": 0.3, "balance": 0.5, "word_vectors": True, "party_features": True},
             "sentiment": {"C": 1.0, "weak_weight": 0.0, "balance": 1.0, "word_vectors": True}}
    cmd = mod.command_of_settings(model)
    assert cmd[:2] == ["python", "scripts/train_content_model.py"]
    got = dict(zip(cmd[2::2], cmd[3::2]))
    assert got == {"--weak-per": "800", "--weak-elections": "us-2016", "--c-grid": "0.3", "--weak-weights": "0.3", "--balance-grid": "0.5",
                   "--sentiment-c-grid": "1.0", "--sentiment-balance-grid": "1.0", "--char-ngrams": "none", "--word-vectors": "both",
                   "--party-features": "stance"}


REFIT = "python scripts/refit_content_model.py (docs/methods.md, 'Fitting the shipped files again')"
SHARED = ROOT.parent / "shared" / "data"


def _shipped(name: str) -> dict:
    import json
    from importlib import resources

    return json.loads((resources.files("botwatch.content") / name).read_bytes())


def test_shipped_files_were_fitted_from_the_repository_files_as_they_are() -> None:
    """Each recorded repository input (hand labels and their posts, word vectors, presets) must be
    the file in the repository: a changed label or preset means the shipped files are no longer
    what a refit gives."""
    now = fit_record.input_hashes(ROOT, SHARED)
    for name in ("content_model.json", "content_trees.json"):
        changed = fit_record.changed_inputs(_shipped(name)["fit"]["inputs"], now, repo_only=True)
        assert changed == [], f"{name} was fitted from other files than these; refit and measure again: {REFIT}\n" + "\n".join(changed)


def test_shipped_files_were_fitted_from_the_shared_archive_as_it_is() -> None:
    import pytest

    if not (SHARED / "ira").is_dir():
        pytest.skip("../shared/data/ira is absent: the weak labels' archive cannot be checked here")
    now = fit_record.input_hashes(ROOT, SHARED)
    for name in ("content_model.json", "content_trees.json"):
        rec = _shipped(name)["fit"]["inputs"]
        assert [line for line in fit_record.changed_inputs(rec, now) if line.startswith("shared:")] == []


def test_recorded_command_pins_the_settings_the_files_carry() -> None:
    from testsupport.scripts import load_script

    model, trees = _shipped("content_model.json"), _shipped("content_trees.json")
    assert model["fit"]["command"] == load_script("refit_content_model").command_of_settings(model)
    assert trees["fit"]["balance"] == {t: model[t]["balance"] for t in ("stance", "sentiment")}
    assert model["fit"]["versions"]["scikit-learn"] and trees["fit"]["versions"]["lightgbm"]


def test_training_items_built_today_are_the_ones_recorded() -> None:
    """The hand-labelled training items (ingest, matcher, features of every dev pair and post) must
    hash as the model file records. This is what changed unseen before the record was kept: ingest
    began decoding `&amp;` in the texts, so a refit gave other weights. About 9 CPU-s (an ingest of
    the 3,545 labelled dev posts and their features); the weak labels are left to the refit script."""
    import sys

    sys.path.insert(0, str(ROOT / "scripts"))
    from testsupport.scripts import load_script

    t = load_script("train_content_model")
    pairs, posts = t.labelled_items("dev")
    gp, gs = t.labelled_items.groups
    rec = _shipped("content_model.json")["fit"]["items_sha256"]
    got = {"stance": fit_record.items_sha256(pairs, gp), "sentiment": fit_record.items_sha256(posts, gs)}
    assert got == {k: rec[k] for k in got}, (
        "the code that turns the labelled posts into training features (ingest, party matcher, features) now gives other items "
        f"than the shipped model was fitted on: refit the content files and measure again, {REFIT}")
