"""`ingest --engine spark --columns`: a CSV read through a column map gives the lake the tables a
DuckDB ingest gives the study, bad rows and re-runs included, and the lake's run records the map.

Real rows only: the gop-debate-2015 slice (tests/fixtures/ingest/README.md), once as it is and
once with three of its rows broken by the test.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from botwatch import open_study
from botwatch.cli import app
from botwatch.engines.lake import naive_utc, table_path

pytestmark = pytest.mark.spark
FIX = Path(__file__).resolve().parent / "fixtures" / "ingest"
GOP = FIX / "gop_debate_2015_tweets.csv"
GOP_MAP = "account_id=author,handle=author,created_at=created_at,text=text,is_retweet=is_retweet,location=user_location,time_zone=user_time_zone"
TABLES = ["posts", "account_snapshots", "accounts", "rejected", "sources"]


def _rows(table: Any) -> list[tuple[Any, ...]]:
    rows = [tuple(tuple(v) if isinstance(v, list) else v for v in r.values()) for r in table.to_pylist()]
    return sorted(rows, key=lambda r: tuple((v is None, str(v)) for v in r))


def _comparable(name: str, table: Any) -> Any:
    from botwatch.schema import CANONICAL

    table = table.select(CANONICAL[name].names).cast(CANONICAL[name])
    return table.drop_columns(["ingested_at"]) if name == "sources" else table


def test_lake_equals_study_for_a_mapped_csv(spark, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    # The outputs are compared whole: a progress line (`ingest --engine spark` in a pipe says how
    # the read goes every 30 s) in the one engine's and not the other's failed the comparison
    # whenever a loaded machine took the Spark ingest past the interval. Progress is tested apart
    # (tests/test_spark_ingest_log.py); here only what the two engines report.
    monkeypatch.setenv("BOTWATCH_PROGRESS_SECONDS", "inf")
    with open(GOP, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    rows[2]["created_at"] = "the night of the debate"
    rows[3]["author"] = ""
    bad = tmp_path / "bad.csv"
    with open(bad, "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    lake, duck = tmp_path / "lake", tmp_path / "s.duckdb"
    outputs = {}
    for engine, target in (("spark", lake), ("duckdb", duck)):
        res = CliRunner().invoke(app, ["ingest", "--engine", engine, str(target), str(GOP), str(bad), "--columns", GOP_MAP])
        assert res.exit_code == 0, res.output
        outputs[engine] = res.output.replace(str(target), "STUDY")
        again = CliRunner().invoke(app, ["ingest", "--engine", engine, str(target), str(GOP), str(bad), "--columns", GOP_MAP, "--force"])
        assert again.exit_code == 0 and "stored 0" in again.output
    assert outputs["spark"] == outputs["duckdb"]
    assert "rejected 2" in " ".join(outputs["spark"].split())
    with open_study(duck) as st:
        duck_tables = {t: _rows(_comparable(t, st.arrow(t))) for t in TABLES}
    lake_tables = {t: _rows(_comparable(t, naive_utc(pq.read_table(table_path(str(lake), t))))) for t in TABLES}
    assert len(duck_tables["posts"]) == 21 and len(duck_tables["rejected"]) == 2
    for name in TABLES:
        assert lake_tables[name] == duck_tables[name], name
    runs = pq.read_table(table_path(str(lake), "runs")).to_pylist()
    assert [json.loads(r["params"]).get("columns", {}).get("account_id") for r in runs] == ["author", "author"]


def test_a_missing_column_is_refused_before_spark_starts(tmp_path: Path) -> None:
    res = CliRunner().invoke(app, ["ingest", "--engine", "spark", str(tmp_path / "lake"), str(GOP),
                                   "--columns", "account_id=user_id,created_at=created_at,text=text"])
    assert res.exit_code == 2 and "lacks: account_id=user_id" in " ".join(res.output.split())
    assert not (tmp_path / "lake").exists()


def test_api_lake_ingest_with_a_zone_and_handle_keys_equals_the_study(spark, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """`botwatch.api.ingest(..., engine="spark")` goes through the CLI's lake ingest: the same map
    (a local-time column read in a zone, handles in two cases as one account, texts as the API
    escaped them read with `decode_entities`) gives the lake the tables it gives a DuckDB study."""
    from botwatch import api

    with open(GOP, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    rows[1]["author"] = rows[0]["author"].upper()  # the same handle in another case
    rows[2]["text"] = "local &amp; state run &lt;---serious question"  # as the API sent it (692 of the real file's rows)
    for r in rows:
        r["local"] = r["created_at_local"][:19]  # '2015-08-06 18:20:33 -0700' without its offset: Pacific daylight time
    src = tmp_path / "local.csv"
    with open(src, "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    opts = {"columns": "account_id=author,handle=author,created_at=local,text=text,is_retweet=is_retweet", "time_zone": "America/Los_Angeles",
            "decode_entities": True}
    lake, duck = tmp_path / "lake", tmp_path / "s.duckdb"
    lake_sum = api.ingest(lake, [src], engine="spark", **opts)
    duck_sum = api.ingest(duck, [src], **opts)
    assert lake_sum.total("stored") == duck_sum.total("stored") == 21 and lake_sum.notes == duck_sum.notes
    with open_study(duck) as st:
        duck_tables = {t: _rows(_comparable(t, st.arrow(t))) for t in TABLES if t != "sources"}
        keys = {r[0] for r in st.sql("SELECT DISTINCT account_id FROM posts")}
        assert rows[0]["author"].lower() in keys and rows[0]["author"].upper() not in keys
        from datetime import datetime, timezone
        utc = {datetime.fromisoformat(r["created_at"].replace("Z", "+00:00")).astimezone(timezone.utc).replace(tzinfo=None) for r in rows}
        assert {r[0] for r in st.sql("SELECT created_at FROM posts")} == utc  # the local times, read in their zone
        assert "local & state run <---serious question" in {r[0] for r in st.sql("SELECT text FROM posts")}
    lake_tables = {t: _rows(_comparable(t, naive_utc(pq.read_table(table_path(str(lake), t))))) for t in TABLES if t != "sources"}
    assert lake_tables == duck_tables
    runs = pq.read_table(table_path(str(lake), "runs")).to_pylist()
    assert json.loads(runs[0]["params"])["time_zone"] == "America/Los_Angeles"
    assert json.loads(runs[0]["params"])["decode_entities"] is True
