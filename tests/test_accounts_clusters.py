"""`accounts_clusters` must leave the account tables exactly as one accounts run with the clusters
present writes them (what `analyze` gave when it re-ran the whole accounts stage after
coordination), so splitting the stage changed no output."""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import pyarrow as pa

from botwatch import open_study
from botwatch.accounts.stage import run_accounts
from botwatch.elections import load_election

TABLES = {
    "account_features": "platform, account_id",
    "account_scores": "platform, account_id",
    "account_evidence": "platform, account_id, kind, rank",
    "accounts_scored": "platform, account_id",
}


def _tables(path: Path) -> dict[str, pa.Table]:
    with open_study(path) as st:
        return {t: st.con.sql(f"SELECT * FROM {t} ORDER BY {key}").to_arrow_table() for t, key in TABLES.items()}


def _same(a: pa.Table, b: pa.Table) -> list[str]:
    """Columns that differ (floats within 1e-12: DuckDB's parallel stddev differs in the last bits)."""
    bad = []
    assert a.schema == b.schema
    for name in a.column_names:
        x, y = a.column(name).to_pylist(), b.column(name).to_pylist()
        if any(
            not (u == v or (isinstance(u, float) and isinstance(v, float) and (math.isclose(u, v, rel_tol=1e-12) or (u != u and v != v))))
            for u, v in zip(x, y, strict=True)
        ):
            bad.append(name)
    return bad


def test_analyze_gives_the_tables_of_one_accounts_run_with_clusters(analysed_sample_path: Path, tmp_path: Path) -> None:
    piped = _tables(analysed_sample_path)
    whole = tmp_path / "whole.duckdb"
    shutil.copy(analysed_sample_path, whole)
    with open_study(whole, read_only=False) as st:
        assert st.count("cluster_members") > 0  # the sample has clusters: the check means something
        run_accounts(st, load_election("us-2016"), with_clusters=True)
    reference = _tables(whole)
    for t in TABLES:
        assert _same(piped[t], reference[t]) == [], t
    unison = piped["account_features"].column("in_unison").to_pylist()
    assert None not in unison and any(unison)
    with open_study(analysed_sample_path) as st:
        runs = [r[0] for r in st.sql("SELECT stage FROM runs")]
    assert runs.count("accounts") == 1 and runs.count("accounts_clusters") == 1


def test_the_accounts_stage_alone_leaves_unison_unknown_and_the_update_fills_it(sample_study) -> None:  # type: ignore[no-untyped-def]
    from botwatch.accounts.cluster_evidence import add_cluster_evidence

    st = sample_study
    run_accounts(st, None, with_clusters=False)
    assert st.sql("SELECT count(in_unison) FROM account_features")[0][0] == 0
    st.sql("CREATE TABLE cluster_members AS SELECT 'c1' AS cluster_id, platform, account_id FROM (SELECT platform, account_id FROM posts GROUP BY ALL ORDER BY count(*) DESC, 2 LIMIT 3)")
    n = add_cluster_evidence(st, None)
    assert n == st.count("accounts")
    assert st.sql("SELECT count(*) FROM account_features WHERE in_unison")[0][0] == 3
    assert st.sql("SELECT count(*) FROM account_scores WHERE signals LIKE '%unison%' AND bot_evidence LIKE '%also observed (not part of the probability): acts in unison%'")[0][0] == 3
    assert st.sql("SELECT count(*) FROM account_evidence WHERE kind = 'signal' AND sentence LIKE '%unison%'")[0][0] == 3


def test_explain_accounts_and_status_say_when_the_cluster_evidence_is_older_than_the_clusters(analysed_sample_path: Path, tmp_path: Path) -> None:
    """Coordination re-run without `accounts_clusters` after it (`--skip accounts_clusters`, or a
    study left so by an earlier botwatch): the accounts' evidence still names the old clusters
    ("acts in unison with 7 other accounts of its coordination cluster 0") and `explain`, `accounts`
    and `status` showed it as current, with no word; only the report's Accounts note said so."""
    from typer.testing import CliRunner

    from botwatch.cli import app

    path = tmp_path / "s.duckdb"
    shutil.copy(analysed_sample_path, path)
    with open_study(path) as st:
        handle = st.sql("SELECT a.handle FROM account_features f JOIN accounts a USING (platform, account_id) WHERE f.cluster_id IS NOT NULL ORDER BY 1 LIMIT 1")[0][0]
    runner = CliRunner()
    said = "cluster evidence"
    assert said not in runner.invoke(app, ["explain", str(path), f"@{handle}"]).output
    with open_study(path, read_only=False) as st, st.run("coordination", {}) as info:  # the clusters rebuilt
        info["rows_written"] = 0
    for args in (["explain", str(path), f"@{handle}"], ["accounts", str(path), "--json"], ["status", str(path)]):
        res = runner.invoke(app, args)
        assert res.exit_code == 0, res.output
        assert said in res.output and "--only accounts_clusters" in res.output, args
    assert runner.invoke(app, ["analyze", str(path), "--only", "accounts_clusters"]).exit_code == 0
    assert said not in runner.invoke(app, ["status", str(path)]).output


def test_the_report_does_not_say_stale_cluster_evidence_is_missing(analysed_sample_path: Path, tmp_path: Path) -> None:
    """The Accounts note said the accounts' evidence lists "do not show it yet" while they showed
    the earlier run's clusters ("acts in unison ... of its coordination cluster 5", a cluster the
    clusters table no longer held): the evidence is out of date, not missing."""
    from botwatch.report.section_accounts import accounts_section

    path = tmp_path / "s.duckdb"
    shutil.copy(analysed_sample_path, path)
    with open_study(path, read_only=False) as st:
        with st.run("coordination", {}) as info:  # the clusters rebuilt
            info["rows_written"] = 0
        sec = accounts_section(st, {})
    assert sec is not None
    assert "do not show it yet" not in sec.html
    assert "describe an earlier run's clusters" in sec.html and "--only accounts_clusters" in sec.html
