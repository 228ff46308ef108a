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
