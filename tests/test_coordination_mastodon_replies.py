"""Co-reply on a study of two Mastodon instances' captures: a reply names what it answers by the
serving instance's local ids (`in_reply_to_id`, `in_reply_to_account_id`), so replies to two
unrelated posts that happen to hold the same local id on a.social and b.social were one trace."""

from __future__ import annotations

import json
from pathlib import Path

from botwatch import open_study
from botwatch.coordination.network import NetworkOptions, prepare_first_actions
from botwatch.ingest.runner import ingest


def _acct(name: str, host: str, served_by: str, local_id: str) -> dict:
    return {"id": local_id, "username": name, "acct": name if host == served_by else f"{name}@{host}", "url": f"https://{host}/@{name}"}


def _reply(uri: str, sid: str, author: dict, parent_id: str, parent_author: dict | None, second: int, mentions: list[dict]) -> dict:
    return {"id": sid, "uri": uri, "created_at": f"2017-05-20T10:00:{second:02d}.000Z", "content": "<p>no</p>", "account": author,
            "tags": [], "mentions": mentions, "in_reply_to_id": parent_id,
            "in_reply_to_account_id": parent_author["id"] if parent_author else "99"}


def _traces(tmp_path: Path, captures: dict[str, list[dict]]) -> tuple[dict, dict]:
    files = []
    for name, statuses in captures.items():
        f = tmp_path / f"{name}.jsonl"
        f.write_text("\n".join(json.dumps(s) for s in statuses) + "\n")
        files.append(str(f))
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        ingest(st, files)
        refs = {p: (r, a) for p, r, a in st.sql("SELECT post_id, ref_post_id, ref_account_id FROM posts")}
        first = prepare_first_actions(st, NetworkOptions(behaviours=("co-reply",)))
        got = {r["post_id"]: r["trace"] for r in first.select("post_id", "trace").to_pyarrow().to_pylist()}
    return refs, got


def test_replies_to_posts_with_the_same_local_id_on_two_instances_are_not_one_trace(tmp_path: Path) -> None:
    # a.social's capture: x and y answer carl's post, local id 77 there; b.social's: z answers dora's, also local id 77 there
    carl_a, dora_b = _acct("carl", "c.social", "a.social", "5"), _acct("dora", "d.social", "b.social", "5")
    x, y = _acct("x", "a.social", "a.social", "1"), _acct("y", "e.social", "a.social", "2")
    z = _acct("z", "b.social", "b.social", "1")
    a = [_reply("https://a.social/users/x/statuses/101", "101", x, "77", carl_a, 1, [carl_a]),
         _reply("https://e.social/users/y/statuses/9", "102", y, "77", carl_a, 2, [carl_a])]
    b = [_reply("https://b.social/users/z/statuses/101", "101", z, "77", dora_b, 3, [dora_b])]
    refs, got = _traces(tmp_path, {"a_social": a, "b_social": b})
    ax, ay, bz = (got[s["uri"]] for s in (*a, *b))
    assert ax == ay  # the same post, answered twice in one capture: still one trace
    assert ax != bz  # an unrelated post of b.social under the same local id: not that trace
    assert refs[b[0]["uri"]][1] == "https://d.social/@dora"


def test_a_reply_whose_target_is_known_only_by_a_local_id_names_no_other_instances_account(tmp_path: Path) -> None:
    """Nothing in the status names the account of a local id it does not mention; a.social's
    account 99 and b.social's account 99 are two people, so neither the reply's post nor its
    account is given by that id alone."""
    x, z = _acct("x", "f.social", "a.social", "1"), _acct("z", "g.social", "b.social", "1")
    a = [_reply("https://f.social/users/x/statuses/1", "101", x, "77", None, 1, [])]
    b = [_reply("https://g.social/users/z/statuses/1", "101", z, "77", None, 2, [])]
    refs, got = _traces(tmp_path, {"a_social": a, "b_social": b})
    assert refs[a[0]["uri"]] == (None, None) and refs[b[0]["uri"]] == (None, None)
    assert got == {}


def test_a_reply_to_a_post_of_the_instance_collected_joins_that_post(tmp_path: Path) -> None:
    """The answered post's author is local to the serving instance (bare `acct`): the local id is
    the id in its URI, so the reply's `ref_post_id` is that URI and joins the captured parent; a
    remote author's post (its local id not in its URI) keeps the account#id form."""
    bob, carl = _acct("bob", "a.social", "a.social", "5"), _acct("carl", "c.social", "a.social", "6")
    al = _acct("al", "a.social", "a.social", "1")
    parent = {"id": "77", "uri": "https://a.social/users/bob/statuses/77", "created_at": "2017-05-20T09:00:00.000Z",
              "content": "<p>hi</p>", "account": bob, "tags": [], "mentions": []}
    a = [parent, _reply("https://a.social/users/al/statuses/101", "101", al, "77", bob, 1, [bob]),
         _reply("https://a.social/users/al/statuses/102", "102", al, "88", carl, 2, [carl])]
    refs, _ = _traces(tmp_path, {"a_social": a})
    assert refs[a[1]["uri"]] == (parent["uri"], "https://a.social/@bob")
    assert refs[a[2]["uri"]] == ("https://c.social/@carl#88", "https://c.social/@carl")
