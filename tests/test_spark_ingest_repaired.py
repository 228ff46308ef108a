"""`ingest --engine spark` counts and prints the records stored after a repair (a lone UTF-16
surrogate mended to U+FFFD) as the DuckDB ingest does: before, the notes were stored in the lake's
`rejected` table but its summary said nothing of them. One small file, the shared Spark session."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from botwatch import open_study
from botwatch.ingest.runner import ingest
from tests.test_ingest_surrogates import LINES

pytestmark = pytest.mark.spark


def test_the_spark_summary_counts_and_prints_the_repaired(spark: Any, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from botwatch.cli import app
    from botwatch.engines.spark_ingest import ingest_lake

    f = tmp_path / "posts.jsonl"
    f.write_bytes(b"\n".join(LINES) + b"\n")  # three lines mended, one truncated (rejected)
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        want = ingest(st, [str(f)], workers=1).files[0]
    assert want.repaired == 3 and want.rejected == 1
    got = ingest_lake(spark, str(tmp_path / "lake"), [str(f)]).files[0]
    assert (got.stored, got.rejected, got.repaired) == (want.stored, want.rejected, want.repaired)

    g = tmp_path / "again.jsonl"  # new content (the lake skips a file it has read)
    g.write_bytes(b"\n".join([*LINES[:3], json.dumps({"id_str": "5", "text": "x"}).encode()]) + b"\n")
    res = CliRunner().invoke(app, ["ingest", "--engine", "spark", str(tmp_path / "lake"), str(g)])
    assert res.exit_code == 0, res.output
    text = " ".join(res.output.split())
    assert "repaired 2," in text and "2 records were stored after a repair" in text, res.output


def test_a_lake_stores_and_counts_redated_bluesky_posts_as_duckdb_does(spark: Any, tmp_path: Path) -> None:
    """Spark's executors read Jetstream through the same handler: the backdated post takes the
    relay's time, its claim is the same note in `rejected`, and the file counts it as redated; a
    post's edit is kept beside it, counted as an edit, not as a rejected record."""
    from botwatch.engines.spark_ingest import ingest_lake
    from tests.test_ingest_formats import _jet_post
    from tests.test_spark_ingest import _duck_tables, _lake_tables

    f = tmp_path / "jet.jsonl"
    edit = _jet_post("did:plc:a", "now", "2024-06-01T12:00:00Z")
    edit["commit"]["operation"] = "update"
    f.write_text("\n".join(json.dumps(e) for e in [_jet_post("did:plc:a", "old", "2015-03-01T09:00:00Z"),
                                                   _jet_post("did:plc:a", "now", "2024-06-01T12:00:00Z"), edit]) + "\n")
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        want = ingest(st, [str(f)], workers=1).files[0]
    got = ingest_lake(spark, str(tmp_path / "lake"), [str(f)]).files[0]
    assert (got.stored, got.rejected, got.repaired, got.redated, got.edited) \
        == (want.stored, want.rejected, want.repaired, want.redated, want.edited) == (2, 0, 1, 1, 1)
    duck, lake = _duck_tables(tmp_path / "s.duckdb"), _lake_tables(tmp_path / "lake")
    assert lake["posts"] == duck["posts"] and lake["rejected"] == duck["rejected"]


def test_a_lake_keys_and_counts_spoofed_mastodon_accounts_as_duckdb_does(spark: Any, tmp_path: Path) -> None:
    """Six accounts sent with one `javascript:` url: the lake keys them apart (`acct:user@instance`)
    and counts them as rekeyed, as DuckDB does (`test_ingest_mastodon_identity.py`)."""
    from botwatch.engines.spark_ingest import ingest_lake
    from tests.test_ingest_mastodon_identity import _spoofers

    f = tmp_path / "m.jsonl"
    f.write_text("\n".join(json.dumps(s) for s in _spoofers()) + "\n")
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        want = ingest(st, [str(f)], workers=1).files[0]
    got = ingest_lake(spark, str(tmp_path / "lake"), [str(f)]).files[0]
    assert (got.stored, got.rejected, got.repaired, got.rekeyed) == (want.stored, want.rejected, want.repaired, want.rekeyed) == (6, 0, 6, 6)
