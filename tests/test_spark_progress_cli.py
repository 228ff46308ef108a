"""Commands on a lake say what Spark is doing and start one session per command: `analyze`
prints a line naming the stage and step with the time spent while a step runs (the interval
lowered to 0.2 s so the bundled sample's content stage is long enough) and a line per finished
stage, also when stderr is not a terminal; `export` writes several tables in one command."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

pytestmark = pytest.mark.spark


@pytest.fixture(scope="module")
def analysed(sample_study_path: Path, tmp_path_factory: pytest.TempPathFactory, spark: Any) -> tuple[Path, str]:
    """A lake of the bundled sample after `analyze --only coverage --only content`, and what
    the command printed."""
    from botwatch import open_study
    from botwatch.cli import app
    from botwatch.engines.lake import lake_from_study

    lake = tmp_path_factory.mktemp("progress") / "lake"
    with open_study(sample_study_path) as duck:
        lake_from_study(duck, lake, spark=spark).close()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("BOTWATCH_PROGRESS_SECONDS", "0.2")
        res = CliRunner().invoke(app, ["analyze", str(lake), "--only", "coverage", "--only", "content", "-e", "us-2016"])
    assert res.exit_code == 0, res.output
    return lake, res.output


def test_analyze_on_a_lake_prints_spark_progress(analysed: tuple[Path, str]) -> None:
    lines = analysed[1].splitlines()
    running = [x for x in lines if re.match(r"content: .+ · .*step \d+ s, stage \d+ s$", x)]
    assert running, analysed[1]
    assert any(re.match(r"content: .+: done in \d+ s$", x) for x in lines), analysed[1]
    assert any(re.match(r"ok content: [\d,]+ rows, [\d.]+ s$", x) for x in lines), analysed[1]


def test_export_writes_several_lake_tables_in_one_command(analysed: tuple[Path, str], tmp_path: Path, spark: Any) -> None:
    from botwatch.cli import app

    lake = analysed[0]
    res = CliRunner().invoke(app, ["export", str(lake), "post_labels", "coverage_daily", "-o", str(tmp_path / "out")])
    assert res.exit_code == 0, res.output
    for name in ("post_labels", "coverage_daily"):
        written = pq.read_table(tmp_path / "out" / f"{name}.parquet")
        assert written.num_rows == spark.read.parquet(str(lake / name)).count() > 0
        assert (tmp_path / "out" / f"{name}.parquet.schema.json").is_file()


def test_a_local_lake_counts_from_the_parquet_footers(analysed: tuple[Path, str], spark: Any) -> None:
    """`count` of a stored table reads the footers (no Spark job) and agrees with Spark's count;
    a view still goes to Spark."""
    from botwatch.engines.lake import LakeStudy

    lake = LakeStudy(analysed[0], read_only=True, spark=spark)
    try:
        for name in ("post_labels", "post_party", "coverage_daily", "posts"):
            assert lake._stored_rows(name) == lake.df(name).count() == lake.count(name), name
        lake.sql("CREATE TEMP TABLE _t AS SELECT post_id FROM post_labels WHERE post_id IS NOT NULL LIMIT 7")
        assert lake._stored_rows("_t") == lake.count("_t") == 7
        lake.sql("CREATE OR REPLACE TEMP VIEW _v AS SELECT * FROM _t")
        assert lake._stored_rows("_v") is None and lake.count("_v") == 7
    finally:
        lake.close()
