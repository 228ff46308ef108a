"""A researcher exports the coordination network to GraphML for Gephi: accounts' handles are
attacker-written, and a handle GraphML cannot hold must not stop the export or leave half a file."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from typer.testing import CliRunner

from botwatch import open_study
from botwatch.cli import app

runner = CliRunner()
ESC_HANDLE = "rt\x1b[2Jx"


@pytest.fixture()
def network_study(tmp_path: Path) -> Path:
    """The two tables the export reads, as the coordination stage writes them: two clustered
    accounts and their edge. One handle holds an ESC, which XML 1.0 forbids."""
    study = tmp_path / "s.duckdb"
    fix = Path(__file__).resolve().parent / "fixtures" / "ingest" / "v1_uklabour.jsonl"
    assert runner.invoke(app, ["ingest", str(study), str(fix)]).exit_code == 0
    with open_study(study, read_only=False) as st:
        st.sql("""CREATE TABLE cluster_members AS SELECT * FROM (VALUES
            ('twitter', '1', 1, ?, 30, 1, 2.5, 0.9, 'RU', 0.55, NULL), ('twitter', '2', 1, 'plain_b', 30, 1, 2.5, 0.8, 'RU', 0.97, NULL))
            t(platform, account_id, cluster_id, handle, posts, degree, strength, bot_probability, origin_country, origin_probability, account_category)""", [ESC_HANDLE])
        st.sql("""CREATE TABLE coordination_edges AS SELECT 'twitter' AS platform, '1' AS account_a, '2' AS account_b, 30 AS co_actions,
            2.5 AS weight_idf, ['retweet'] AS behaviours, TIMESTAMP '2016-11-02 10:00:00' AS first_at, TIMESTAMP '2016-11-02 19:00:00' AS last_at,
            15 AS a_first, 15 AS b_first, 1.0 AS median_gap_s, 0.1 AS expected_by_chance, 1e-9 AS p_value""")
    return study


def test_a_handle_with_a_control_character_is_written_as_text(network_study: Path, tmp_path: Path) -> None:
    """igraph refused the ESC ('Forbidden control character 0x1B'): the export ended in "This is
    a bug in botwatch" and left a truncated, unparseable .graphml behind."""
    out = tmp_path / "net.graphml"
    res = runner.invoke(app, ["export", str(network_study), "coordination", "-o", str(out)])
    assert res.exit_code == 0, res.output
    root = ET.parse(out).getroot()
    values = [d.text for d in root.iter("{http://graphml.graphdrawing.org/xmlns}data")]
    assert "rt\\x1b[2Jx" in values and "\x1b" not in out.read_text(encoding="utf-8")


def test_a_failed_write_leaves_no_half_file(network_study: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import igraph as ig

    from botwatch.coordination.export import export_graphml

    def half_then_fail(self: ig.Graph, path: str) -> None:
        Path(path).write_text("<?xml version='1.0'?><graphml", encoding="utf-8")
        raise ig.InternalError("disk full")

    monkeypatch.setattr(ig.Graph, "write_graphml", half_then_fail)
    out = tmp_path / "net.graphml"
    with open_study(network_study) as st, pytest.raises(ig.InternalError):
        export_graphml(st, out)
    assert not out.exists() and list(tmp_path.glob("*.partial")) == []


def test_a_path_that_cannot_be_written_is_one_line_not_a_bug_report(network_study: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every other format says "could not write ..." (exit 2); GraphML ended in "This is a bug in
    botwatch" (exit 1) for a folder that cannot exist or a write that fails (a full disk)."""
    import igraph as ig

    blocker = tmp_path / "a_file"
    blocker.write_text("x", encoding="utf-8")
    res = runner.invoke(app, ["export", str(network_study), "coordination", "-o", str(blocker / "net.graphml")])
    assert res.exit_code == 2 and "could not write" in res.output, res.output

    def disk_full(self: ig.Graph, path: str) -> None:
        raise ig.InternalError("Error at src/io/graphml.c:1: Cannot write file. -- Input/output error")

    monkeypatch.setattr(ig.Graph, "write_graphml", disk_full)
    res = runner.invoke(app, ["export", str(network_study), "coordination", "-o", str(tmp_path / "net.graphml")])
    assert res.exit_code == 2, res.output
    assert "could not write" in res.output and "Cannot write file" in res.output


GRAPHML_NS = "{http://graphml.graphdrawing.org/xmlns}"


def _declared(path: Path) -> dict[str, str]:
    return {k.get("attr.name"): k.get("attr.type") for k in ET.parse(path).getroot().iter(f"{GRAPHML_NS}key")}


def test_attribute_types_are_declared_from_the_tables_not_guessed(network_study: Path, tmp_path: Path) -> None:
    """igraph declared whole counts and cluster ids "double" (networkx read cluster 1 as 1.0), and
    on a network with no edges it declared every attribute "boolean"."""
    out = tmp_path / "net.graphml"
    assert runner.invoke(app, ["export", str(network_study), "coordination", "-o", str(out)]).exit_code == 0
    types = _declared(out)
    assert {k: types[k] for k in ("cluster_id", "posts", "degree", "co_actions", "a_first", "b_first")} == dict.fromkeys(
        ("cluster_id", "posts", "degree", "co_actions", "a_first", "b_first"), "long")
    assert types["weight_idf"] == types["p_value"] == types["bot_probability"] == "double" and types["handle"] == types["behaviours"] == "string"
    cluster = ET.parse(out).getroot().find(f".//{GRAPHML_NS}data[@key='v_cluster_id']")
    assert cluster is not None and cluster.text == "1"  # a "long" holds a whole number

    with open_study(network_study, read_only=False) as st:
        st.sql("DELETE FROM coordination_edges")
        st.sql("DELETE FROM cluster_members")
    empty = tmp_path / "empty.graphml"
    assert runner.invoke(app, ["export", str(network_study), "coordination", "-o", str(empty)]).exit_code == 0
    types = _declared(empty)
    assert [k for k, v in types.items() if v == "boolean"] == ["foreign"], types  # the one boolean column, declared, not guessed
    assert types["co_actions"] == "long" and types["p_value"] == "double" and types["handle"] == "string"


def test_a_node_s_origin_country_comes_with_its_probability(network_study: Path, tmp_path: Path) -> None:
    """The nodes said `origin_country` RU and nothing of how likely: an account 55% likely to be run
    from Russia read as one that is. The CSV nodes file has the probability; GraphML now does too."""
    out = tmp_path / "net.graphml"
    assert runner.invoke(app, ["export", str(network_study), "coordination", "-o", str(out)]).exit_code == 0
    assert _declared(out)["origin_probability"] == "double"
    root = ET.parse(out).getroot()
    got = {n.find(f"{GRAPHML_NS}data[@key='v_account_id']").text: n.find(f"{GRAPHML_NS}data[@key='v_origin_probability']").text
           for n in root.iter(f"{GRAPHML_NS}node")}
    assert {k: float(v) for k, v in got.items()} == {"1": 0.55, "2": 0.97}


def test_graphml_text_is_escaped_as_the_csv_and_edges_join_the_right_accounts(tmp_path: Path) -> None:
    """GraphML escaped only what XML forbids: a right-to-left override (U+202E) or a C1 CSI (U+009B)
    in a handle went out raw, where the CSV nodes file wrote `\\u202e`. And edges were joined to
    nodes by their shown name, so an id holding `\\x01` and another account whose id is the text
    `\\x01` became one name: both edges went to the first account, the second sat alone."""
    from botwatch.study import Study

    study = tmp_path / "s.duckdb"
    st = Study(str(study))
    st.sql("""CREATE TABLE cluster_members AS SELECT * FROM (VALUES
        ('twitter', 'x' || chr(1), 1, 'h' || chr(8238) || 'ab', 30, 1, 2.5, 0.9, 'RU', 0.55, NULL),
        ('twitter', 'x\\x01', 2, 'h' || chr(155) || 'q', 30, 1, 2.5, 0.8, 'RU', 0.97, NULL),
        ('twitter', 'w', 2, 'ww', 30, 1, 2.5, 0.8, NULL, NULL, NULL), ('twitter', 'z', 1, 'adm' || chr(173) || 'in', 30, 1, 2.5, 0.8, NULL, NULL, NULL))
        t(platform, account_id, cluster_id, handle, posts, degree, strength, bot_probability, origin_country, origin_probability, account_category)""")
    st.sql("""CREATE TABLE coordination_edges AS SELECT 'twitter' AS platform, a AS account_a, b AS account_b, 30 AS co_actions,
        2.5 AS weight_idf, ['retweet'] AS behaviours, TIMESTAMP '2016-11-02 10:00:00' AS first_at, TIMESTAMP '2016-11-02 19:00:00' AS last_at,
        15 AS a_first, 15 AS b_first, 1.0 AS median_gap_s, 0.1 AS expected_by_chance, 1e-9 AS p_value
        FROM (VALUES ('x' || chr(1), 'z'), ('w', 'x\\x01')) t(a, b)""")
    st.close()
    out = tmp_path / "net.graphml"
    res = runner.invoke(app, ["export", str(study), "coordination", "-o", str(out)])
    assert res.exit_code == 0, res.output
    text = out.read_text(encoding="utf-8")
    assert not any(ch in text for ch in "\u202e\x9b\xad\x01")
    root = ET.parse(out).getroot()
    nodes = {n.get("id"): {d.get("key"): d.text for d in n} for n in root.iter(f"{GRAPHML_NS}node")}
    assert sorted(v["v_handle"] for v in nodes.values()) == ["adm\\xadin", "h\\u202eab", "h\\x9bq", "ww"]
    assert len(nodes) == 4  # n0..n3, one per account, in (platform, account_id) order
    by_handle = {v["v_handle"]: k for k, v in nodes.items()}
    ends = {frozenset((e.get("source"), e.get("target"))) for e in root.iter(f"{GRAPHML_NS}edge")}
    assert ends == {frozenset((by_handle["h\\u202eab"], by_handle["adm\\xadin"])), frozenset((by_handle["ww"], by_handle["h\\x9bq"]))}


def test_a_handle_written_as_an_escape_and_the_character_itself_differ_in_graphml(tmp_path: Path) -> None:
    """U+202E is written as the text `\\u202e`; a handle holding that text was written the same,
    so Gephi showed two accounts with one handle. A backslash is now written as two."""
    from botwatch.study import Study

    study = tmp_path / "s.duckdb"
    st = Study(str(study))
    st.sql("""CREATE TABLE cluster_members AS SELECT * FROM (VALUES
        ('twitter', 'a', 1, 'h' || chr(8238) || 'ab', 30, 1, 2.5, 0.9, NULL, NULL, NULL), ('twitter', 'b', 1, 'h\\u202eab', 30, 1, 2.5, 0.8, NULL, NULL, NULL))
        t(platform, account_id, cluster_id, handle, posts, degree, strength, bot_probability, origin_country, origin_probability, account_category)""")
    st.sql("""CREATE TABLE coordination_edges AS SELECT 'twitter' AS platform, 'a' AS account_a, 'b' AS account_b, 30 AS co_actions,
        2.5 AS weight_idf, ['retweet'] AS behaviours, TIMESTAMP '2016-11-02 10:00:00' AS first_at, TIMESTAMP '2016-11-02 19:00:00' AS last_at,
        15 AS a_first, 15 AS b_first, 1.0 AS median_gap_s, 0.1 AS expected_by_chance, 1e-9 AS p_value""")
    st.close()
    out = tmp_path / "net.graphml"
    assert runner.invoke(app, ["export", str(study), "coordination", "-o", str(out)]).exit_code == 0
    root = ET.parse(out).getroot()
    handles = {d.text for n in root.iter(f"{GRAPHML_NS}node") for d in n if d.get("key") == "v_handle"}
    assert handles == {"h\\u202eab", "h\\\\u202eab"}


def test_graphml_nodes_carry_what_the_csv_nodes_file_carries(tmp_path: Path) -> None:
    """The CSV nodes file has each account's retweets, first and last post and `foreign` (the
    rule's answer for its origin probability); the GraphML nodes lacked all four, so a Gephi user
    could not colour the network by foreign origin or filter it by activity. Nodes now carry them,
    with a `label` Gephi shows (the handle, or the id where the study has none) and `handle` as
    stored: it held the account id where the handle was unknown, a handle no one has."""
    from datetime import datetime

    from botwatch.coordination.export import export_csv
    from botwatch.study import Study

    study = tmp_path / "s.duckdb"
    st = Study(str(study))
    st.sql("""CREATE TABLE cluster_members AS SELECT * FROM (VALUES
        (1, 'twitter', '1', 'a_h', 2, 2.5, 30, 28, TIMESTAMP '2016-10-01 08:00:00', TIMESTAMP '2016-11-02 19:00:00', 0.9, 'RU', 0.55, true, 'RightTroll'),
        (1, 'twitter', '2', NULL, 2, 2.5, 4, 0, TIMESTAMP '2016-10-02 08:00:00', TIMESTAMP '2016-10-03 19:00:00', NULL, 'US', 0.97, false, NULL),
        (1, 'twitter', '3', 'c_h', 2, 2.5, 4, 1, NULL, NULL, NULL, NULL, NULL, NULL, NULL))
        t(cluster_id, platform, account_id, handle, degree, strength, posts, retweets, first_at, last_at, bot_probability, origin_country,
          origin_probability, "foreign", account_category)""")
    st.sql("""CREATE TABLE coordination_edges AS SELECT 'twitter' AS platform, a AS account_a, b AS account_b, 30 AS co_actions,
        2.5 AS weight_idf, ['retweet'] AS behaviours, TIMESTAMP '2016-11-02 10:00:00' AS first_at, TIMESTAMP '2016-11-02 19:00:00' AS last_at,
        15 AS a_first, 15 AS b_first, 1.0 AS median_gap_s, 0.1 AS expected_by_chance, 1e-9 AS p_value FROM (VALUES ('1', '2'), ('2', '3')) t(a, b)""")
    _edges, nodes_csv = export_csv(st, tmp_path / "edges.csv")
    st.close()
    out = tmp_path / "net.graphml"
    res = runner.invoke(app, ["export", str(study), "coordination", "-o", str(out)])
    assert res.exit_code == 0, res.output
    types = _declared(out)
    csv_columns = nodes_csv.read_text(encoding="utf-8").splitlines()[0].split(",")
    assert set(csv_columns) <= set(types), set(csv_columns) - set(types)
    assert types["retweets"] == "long" and types["foreign"] == "boolean" and types["first_at"] == types["label"] == "string"
    root = ET.parse(out).getroot()
    got = {n.find(f"{GRAPHML_NS}data[@key='v_account_id']").text: {d.get("key")[2:]: d.text for d in n} for n in root.iter(f"{GRAPHML_NS}node")}
    assert [got[k].get("foreign") for k in "123"] == ["true", "false", None]  # unknown: left out, as an unknown number is
    assert [got[k]["label"] for k in "123"] == ["a_h", "2", "c_h"] and got["2"]["handle"] is None  # an empty element
    assert got["1"]["retweets"] == "28" and datetime.fromisoformat(got["1"]["first_at"]) == datetime(2016, 10, 1, 8)


def test_two_instances_local_mastodon_alices_are_two_node_labels(network_study: Path, tmp_path: Path) -> None:
    """A study of captures from two instances holds each one's local alice as "alice": both nodes
    were labelled "alice" in Gephi, where `botwatch accounts` lists alice@a.social and alice@b.social."""
    from botwatch.coordination.export import network_graph

    with open_study(network_study, read_only=False) as st:
        st.sql("UPDATE cluster_members SET platform = 'mastodon', handle = 'alice', account_id = "
               "CASE account_id WHEN '1' THEN 'https://a.social/@alice' ELSE 'https://b.social/@alice' END")
        st.sql("UPDATE coordination_edges SET platform = 'mastodon', account_a = 'https://a.social/@alice', account_b = 'https://b.social/@alice'")
        g = network_graph(st)
    assert sorted(g.vs["label"]) == ["alice@a.social", "alice@b.social"] and g.vs["handle"] == ["alice", "alice"]


def test_a_carriage_return_in_a_handle_reads_back_as_itself(network_study: Path, tmp_path: Path) -> None:
    """The CSV export keeps a handle's CR (CSV quoting carries it), and so did the GraphML file,
    raw; but an XML reader turns a raw CR into a line feed, so Gephi, networkx and ElementTree read
    "good\\rEVIL" as "good\\nEVIL", another account's handle. Written as the reference `&#13;`,
    it reads back as it was stored."""
    with open_study(network_study, read_only=False) as st:
        st.sql("UPDATE cluster_members SET handle = 'good' || chr(13) || 'EVIL' || chr(13) || chr(10) || 'x' WHERE account_id = '2'")
    out = tmp_path / "net.graphml"
    assert runner.invoke(app, ["export", str(network_study), "coordination", "-o", str(out)]).exit_code == 0
    handles = [d.text for d in ET.parse(out).getroot().iter(f"{GRAPHML_NS}data") if d.get("key") == "v_handle"]
    assert "good\rEVIL\r\nx" in handles, handles
