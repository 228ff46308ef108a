"""An origin resting on few posts said so nowhere: `explain` read "US 0.99" for an account with 2
posts, with no interval (none is stored). Where an account has fewer than 20 posts, `explain`
(terminal and --json) and the report's account explorer now quote what the origin validation
measured for that many posts on its held-out test part (`origin_few_posts`)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from botwatch.cli import app
from botwatch.origin_few_posts import FEW_POSTS, FEW_POSTS_BANDS, band_reference, few_posts_json, few_posts_sentence

FIGURES = Path(__file__).resolve().parents[1] / "docs" / "figures" / "origin-validation.json"
runner = CliRunner()


def test_the_constant_is_the_shipped_figures_files() -> None:
    """A re-run of scripts/validate_origin.py that moves these figures fails here until the
    constant follows: the sentence must quote what was measured, not what once was."""
    shares = json.loads(FIGURES.read_text())["shares"]["test"]
    for (key, first, last), measured in FEW_POSTS_BANDS.items():
        assert key == f"{first}-{last}"
        for m in measured:
            fig = shares[f"{m.group} | {key}"]
            assert (m.placed, m.n, m.low, m.high) == (fig["russia"], fig["n"], fig["lo"], fig["hi"]), (m, fig)
    # The next band of the file starts where "few" ends: no posts count falls between.
    assert f"{_IRA()} | {FEW_POSTS}-99" in shares


def test_the_sentence_names_the_file_that_holds_its_figures() -> None:
    """It named docs/model-card-origin.md, which holds no figure by posts per account: a reader
    checking "11 of 20" found nothing there. The file named must hold every band's figures."""
    for band in FEW_POSTS_BANDS:
        cited = re.search(r"\((docs/[^,)]+)", band_reference(band))
        assert cited is not None, band_reference(band)
        held = (FIGURES.parents[2] / cited.group(1)).read_text(encoding="utf-8")
        for m in FEW_POSTS_BANDS[band]:
            assert f"{m.group} | {band[0]}" in held, (cited.group(1), m.group, band)


def _IRA() -> str:
    return "IRA Russian-language"


@pytest.mark.parametrize("posts, band", [(1, "1–4"), (2, "1–4"), (4, "1–4"), (5, "5–19"), (19, "5–19")])
def test_few_posts_name_their_band(posts: int, band: str) -> None:
    said = few_posts_sentence(posts)
    assert said is not None and said.startswith(f"Based on {posts} post") and f"accounts with {band} posts" in said, said


@pytest.mark.parametrize("posts", [None, 0, 20, 300])
def test_enough_posts_or_none_say_nothing(posts: int | None) -> None:
    """0 posts (a profile alone) is no band the validation measured: nothing is quoted for it."""
    assert few_posts_sentence(posts) is None and few_posts_json(posts) is None


def _study(tmp_path: Path, n_posts: int) -> Path:
    from botwatch.study import Study

    study = tmp_path / "s.duckdb"
    with Study(study) as st:
        st.sql("CREATE TABLE accounts_scored AS SELECT 'twitter' AS platform, '1' AS account_id, 'few' AS handle, 0.2::DOUBLE AS bot_probability, "
               f"NULL::VARCHAR AS bot_evidence, 'US' AS origin_country, 0.99::DOUBLE AS origin_probability, '{{\"US\": 0.99}}' AS origin_probabilities, "
               f"'[]' AS origin_evidence, {n_posts} AS n_posts")
    return study


def test_explain_says_an_origin_on_two_posts_rests_on_little(tmp_path: Path) -> None:
    study = _study(tmp_path, 2)
    res = runner.invoke(app, ["explain", str(study), "@few"], env={"COLUMNS": "400"})
    assert res.exit_code == 0, res.output
    out = re.sub(r"\s+", " ", res.output)
    assert "Based on 2 posts only, little to go on: on the held-out test part of the origin validation, accounts with 1–4 posts " \
           "were placed in Russia 11 of 20 Russian-language IRA accounts [34%, 74%]" in out, out
    js = runner.invoke(app, ["explain", str(study), "@few", "--json"])
    assert js.exit_code == 0, js.output
    few = json.loads(js.stdout)["origin"]["few_posts"]
    assert (few["posts_from"], few["posts_to"]) == (1, 4) and few["said"] == few_posts_sentence(2)
    assert few["measured"][0] == {"group": "IRA Russian-language", "placed_in_russia": 11, "accounts": 20, "low": 0.3421, "high": 0.7418}


def test_explain_is_silent_on_it_at_twenty_posts(tmp_path: Path) -> None:
    study = _study(tmp_path, 20)
    res = runner.invoke(app, ["explain", str(study), "@few"], env={"COLUMNS": "400"})
    assert res.exit_code == 0 and "little to go on" not in res.output, res.output
    js = runner.invoke(app, ["explain", str(study), "@few", "--json"])
    assert json.loads(js.stdout)["origin"]["few_posts"] is None


def test_the_explorer_carries_the_bands_and_writes_the_same_sentence() -> None:
    """The explorer's data holds each band's figures; its script puts explain's lead before them."""
    from importlib import resources

    from botwatch.origin_few_posts import band_reference, few_posts_lead

    script = (resources.files("botwatch.report") / "templates" / "explorer.js").read_text(encoding="utf-8")
    assert '"Based on " + r[C.posts] + " post" + (r[C.posts] === 1 ? "" : "s") + " only, little to go on: " + b[2]' in script
    assert few_posts_lead(2) == "Based on 2 posts only, little to go on: " and few_posts_lead(1) == "Based on 1 post only, little to go on: "
    band = next(iter(FEW_POSTS_BANDS))
    assert few_posts_sentence(2) == few_posts_lead(2) + band_reference(band)
