"""The content stage's account prior on a lake (Spark local[2]): the lake's `post_party` equals
DuckDB's on the bundled sample, and the prior brings no post or account rows to the driver (it
used to collect every `post_party` row and the retweet graph's edges). One lake for the module,
on the shared session."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.test_content_prior_engine import LOOSE

pytestmark = pytest.mark.spark


@pytest.fixture(scope="module")
def both(sample_study_path: Path, spark: Any, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """(DuckDB study, lake) with the content stage run on each from the same ingested sample; the
    lake's `collected` holds what its content stage brought to the driver."""
    from botwatch import open_study
    from botwatch.content.stage import run_content
    from botwatch.elections import load_election
    from botwatch.engines.lake import lake_from_study

    tmp = tmp_path_factory.mktemp("prior-spark")
    shutil.copy(sample_study_path, tmp / "s.duckdb")
    duck = open_study(tmp / "s.duckdb", read_only=False)
    lake = lake_from_study(duck, tmp / "lake", spark=spark)
    election = load_election("us-2016")
    run_content(duck, election, log=lambda m: None)
    lake.collected.clear()
    run_content(lake, election, log=lambda m: None)
    lake.content_collected = list(lake.collected)
    yield duck, lake
    lake.close()
    duck.close()


def test_post_party_equals_duckdb(both: Any) -> None:
    from tests.test_engine_parity import assert_same_table

    duck, lake = both
    changed = duck.sql("SELECT count(*) FROM post_party WHERE stance_rule IN ('account_prior', 'retweet_neighbours')")[0][0]
    assert changed > 50  # the prior decided rows, so their evidence sentences are compared too
    assert_same_table("post_party", duck.arrow("post_party"), lake.arrow("post_party"))


def test_the_content_stage_brings_no_rows_to_the_driver(both: Any) -> None:
    duck, lake = both
    rows = duck.count("post_party")
    got = lake.content_collected
    assert max((n for n, _cols in got), default=0) < rows / 100, got
    assert not [cols for n, cols in got if {"post_id", "account_id", "node"} & set(cols) and n], got


def test_neighbour_rounds_equal_duckdb(both: Any) -> None:
    """Under weights where the neighbour rounds decide many rows (and neutral may be given), the
    two engines still write the same rows: the propagation itself, not only the own-posts prior."""
    from botwatch.content.prior_engine import propagate_in_engine
    from tests.test_engine_parity import assert_same_table

    duck, lake = both
    lake.collected.clear()
    for st in (duck, lake):
        propagate_in_engine(st, LOOSE, out_name="post_party_loose")
    assert not [n for n, _cols in lake.collected if n > 10], lake.collected
    neighbours = duck.sql("SELECT count(*) FROM post_party_loose WHERE stance_rule = 'retweet_neighbours'")[0][0]
    assert neighbours > 50
    assert_same_table("post_party_loose", duck.arrow("post_party_loose"), lake.arrow("post_party_loose"))
