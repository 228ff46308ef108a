"""The report names a Mastodon account as `botwatch accounts` lists it: a handle of the instance it
was collected on ("alice", its `acct`) with the instance its profile URL names, "@alice@a.social".
A study of captures from two instances holds each one's local alice as "alice": the accounts
table, the explorer and the coordination picture, table and headline wrote both "@alice"."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from botwatch.pipeline import Context, analyze
from botwatch.study import open_study

from test_timeline import write_posts


def _status(instance: str, n: int, acct: str, url: str) -> dict:
    return {"id": f"{instance}{n}", "uri": f"https://{instance}/users/x/statuses/{n}", "created_at": f"2017-05-20T10:0{n}:00.000Z",
            "content": f"<p>post {n}</p>", "account": {"id": str(n), "username": acct.split("@")[0], "acct": acct, "url": url}}


def test_the_accounts_table_and_the_explorer_name_local_mastodon_handles_with_their_instance(tmp_path: Path) -> None:
    from botwatch.ingest.runner import ingest
    from botwatch.report.section_accounts import _top_accounts
    from botwatch.report.section_explorer import explorer_data

    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    a.write_text(json.dumps(_status("a.social", 1, "alice", "https://a.social/@alice")) + "\n"
                 + json.dumps(_status("a.social", 2, "carol@c.social", "https://c.social/@carol")) + "\n")
    b.write_text(json.dumps(_status("b.social", 3, "alice", "https://b.social/@alice")) + "\n")
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        ingest(st, [str(a), str(b)])
        st.sql("CREATE TABLE account_scores AS SELECT platform, account_id, 0.5::DOUBLE AS bot_probability, NULL::VARCHAR AS origin_country, "
               "NULL::DOUBLE AS origin_probability, 1 AS n_posts, '[]' AS bot_evidence, '[]' AS origin_evidence FROM accounts")
        shown = sorted(r[2] for r in explorer_data(st, {})["rows"])
        top = sorted(r["handle"] for r in _top_accounts(st))
    assert shown == ["alice@a.social", "alice@b.social", "carol@c.social"], shown
    assert top == shown, top


def _study(path: Path):  # type: ignore[no-untyped-def]
    """Six Mastodon accounts boosting the same 30 posts within seconds, twenty others at random;
    two of the six are local "alice"s of two instances, and the boosted posts are by two local
    "src"s of two instances by turns."""
    import numpy as np

    rng = np.random.default_rng(3)
    ids = ["https://a.social/@alice", "https://b.social/@alice", *(f"https://a.social/@b{a}" for a in range(2, 6))]
    posts = []
    for k in range(30):
        t0 = datetime(2017, 5, 1) + timedelta(hours=7 * k, seconds=5)
        ref = dict(ref_account_id=f"https://{'ab'[k % 2]}.social/@src", ref_handle="src")
        for a, aid in enumerate(ids):
            posts.append(dict(post_id=f"r{k}-{a}", platform="mastodon", account_id=aid, created_at=t0 + timedelta(seconds=3 * a),
                              kind="retweet", text=f"t{k}", ref_post_id=f"o{k}", **ref))
        for h in range(20):
            posts.append(dict(post_id=f"h{k}-{h}", platform="mastodon", account_id=f"https://c.social/@h{h}",
                              created_at=t0 + timedelta(minutes=int(rng.integers(1, 3000))), kind="retweet", text=f"t{k}", ref_post_id=f"o{k}", **ref))
    st = open_study(path, read_only=False)
    write_posts(st, posts)
    return st


def test_the_coordination_picture_table_and_headline_name_each_instances_alice(tmp_path: Path) -> None:
    from botwatch.report.section_coordination import _layout, coordination_facts

    with _study(tmp_path / "s.duckdb") as st:
        analyze(st, Context(election=None, log=lambda m: None), only=["coordination"])
        st.sql("UPDATE cluster_members SET handle = regexp_extract(account_id, '/@(.*)$', 1)")  # as the accounts table holds them
        # The stage names a cluster after its strongest member: b.social's alice here.
        (cid,) = st.sql("SELECT cluster_id FROM cluster_members WHERE account_id = 'https://b.social/@alice'")[0]
        st.sql("UPDATE cluster_members SET strength = 1e9 WHERE account_id = 'https://b.social/@alice'")
        st.sql("UPDATE clusters SET label = 'alice' WHERE cluster_id = ?", [cid])
        labels = {n["label"] for n in _layout(st, [cid])["nodes"]}
        facts = coordination_facts(st)
    assert {"@alice@a.social", "@alice@b.social", "@b2@a.social"} <= labels, labels
    assert "@alice" not in labels
    assert facts is not None and [c["label"] for c in facts["clusters"] if c["cluster_id"] == cid] == ["@alice@b.social"], facts["clusters"]


def test_two_instances_local_accounts_boosted_are_two_amplified_accounts(tmp_path: Path) -> None:
    """The stage counted shares by the lower-cased handle: a.social's and b.social's local "src"
    were one account "@src" amplified 60 times, in the clusters table and the picture alike."""
    from botwatch.coordination.clusters import top_amplified
    from botwatch.report.section_coordination import _layout, coordination_facts
    from botwatch.report.section_explorer import _details

    with _study(tmp_path / "s.duckdb") as st:
        analyze(st, Context(election=None, log=lambda m: None), only=["coordination"])
        stored = [(a["handle"], a["account_id"], a["shares"]) for (v,) in st.sql("SELECT top_amplified FROM clusters") for a in top_amplified(v)]
        cids = [c for (c,) in st.sql("SELECT cluster_id FROM clusters ORDER BY 1")]
        drawn = sorted(t["label"] for t in _layout(st, cids)["targets"])
        listed = sorted(a["label"] for c in coordination_facts(st)["clusters"] for a in c["top_amplified"])  # type: ignore[index]
        shown = {p["ref"] for d in _details(st, [("mastodon", "https://a.social/@alice")]) for p in d["posts"]}
    assert sorted(stored) == [("src@a.social", "https://a.social/@src", 90), ("src@b.social", "https://b.social/@src", 90)] * len(cids), stored
    assert drawn == listed == ["@src@a.social", "@src@b.social"] * len(cids), (drawn, listed)
    assert shown == {"src@a.social", "src@b.social"}, shown


def test_the_parties_own_mastodon_accounts_are_named_with_their_instance(tmp_path: Path) -> None:
    """The note naming the parties' own accounts read "(@spd)" for two instances' local "spd"."""
    from botwatch.report.section_parties import _party_handles

    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        st.sql("CREATE TABLE post_party AS SELECT * FROM (VALUES ('mastodon', 'https://a.social/@spd', ['own_account']), "
               "('mastodon', 'https://b.social/@spd', ['own_account']), ('twitter', '1', ['own_account']), ('twitter', '2', ['pro_tag'])) "
               "t(platform, account_id, signals)")
        st.sql("CREATE OR REPLACE TABLE accounts AS SELECT * FROM (VALUES ('mastodon', 'https://a.social/@spd', 'spd'), "
               "('mastodon', 'https://b.social/@spd', 'spd'), ('twitter', '1', 'SPD'), ('twitter', '2', 'fan')) t(platform, account_id, handle)")
        assert _party_handles(st) == ["@SPD", "@spd@a.social", "@spd@b.social"]
        assert _party_handles(st, limit=2) == ["@SPD", "@spd@a.social", "…"]


def _office_accounts(tmp_path: Path, accounts_values: str, parties: list[Any]) -> dict[str, Any]:
    """`office_shift_accounts` on a study of the accounts `accounts_values` gives (SQL VALUES rows
    of platform, account_id, handle), each with an office-hours origin row, under `parties`."""
    from botwatch.timeline.report import office_shift_accounts

    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        st.sql("CREATE TABLE account_evidence (platform VARCHAR, account_id VARCHAR, kind VARCHAR, rank BIGINT, feature VARCHAR, value DOUBLE, contribution DOUBLE, sentence VARCHAR)")
        st.sql(f"INSERT INTO accounts (platform, account_id, handle) VALUES {accounts_values}")
        st.sql("INSERT INTO account_evidence SELECT platform, account_id, 'origin', 1, 'office_hours', 2.0, NULL, 'office shifts' FROM accounts")
        return office_shift_accounts(st, SimpleNamespace(country=None, parties=parties))


def test_an_office_hours_party_account_of_mastodon_is_named_with_its_instance(tmp_path: Path) -> None:
    """The office-hours note named a Mastodon "UKLabour" local to some instance "@UKLabour, an
    account of Labour in the election's preset", as if it were the party's own feed."""
    office = _office_accounts(tmp_path, "('mastodon', 'https://a.social/@UKLabour', 'UKLabour'), ('twitter', 'lab', 'UKLabour')",
                              [SimpleNamespace(name="Labour", accounts=["UKLabour"])])
    # "UKLabour" listed is Labour's Twitter account: a Mastodon namesake is one of the others.
    assert [a["handle"] for a in office["official"]] == ["UKLabour"] and office["others"] == 1, office


def test_a_party_handle_names_an_account_of_its_own_platform_only(tmp_path: Path) -> None:
    """The office-hours note took any account whose handle is a party's listed one as the party's
    own feed, on every platform: a Mastodon "UKLabour" of any instance or a Bluesky "conservatives"
    was named "an account of Labour in the election's preset". The presets' handles are Twitter's;
    a Bluesky handle (a domain) or a Mastodon user@server listed names that platform's account."""
    parties = [SimpleNamespace(name="Labour", accounts=["UKLabour"]), SimpleNamespace(name="Conservative", accounts=["conservatives", "@conservatives.bsky.social", "@Tories@c.social"])]
    office = _office_accounts(tmp_path, "('mastodon', 'https://a.social/@x', 'UKLabour@b.social'), "
                              "('bluesky', 'did:plc:1', 'conservatives'), ('bluesky', 'did:plc:2', 'conservatives.bsky.social'), ('x', 'lab', 'uklabour'), "
                              "('mastodon', 'https://a.social/@y', 'Tories@c.social')", parties)
    assert sorted((a["handle"], a["party"]) for a in office["official"]) == [
        ("Tories@c.social", "Conservative"), ("conservatives.bsky.social", "Conservative"), ("uklabour", "Labour")], office
    assert office["others"] == 2, office


def test_an_office_hours_party_account_local_to_the_instance_is_the_partys(tmp_path: Path) -> None:
    """A file listing "@UKLabour@a.social": the account collected on a.social, stored as "UKLabour",
    was one of the "others", not named as the party's own."""
    office = _office_accounts(tmp_path, "('mastodon', 'https://a.social/@UKLabour', 'UKLabour'), ('mastodon', 'https://b.social/@UKLabour', 'UKLabour')",
                              [SimpleNamespace(name="Labour", accounts=["@UKLabour@a.social"])])
    assert [a["handle"] for a in office["official"]] == ["UKLabour@a.social"] and office["others"] == 1, office
