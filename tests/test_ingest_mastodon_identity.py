"""A Mastodon account's key cannot be chosen by the instance that sends it (follow-up F3).

The profile `url` was the key, unchecked: six statuses of six accounts sent with one url
("javascript:alert(10)") were stored as one account, five profiles lost and every post credited
to it, so an instance could pour its accounts into another instance's account. The url stays the
key only where it is http(s) and on the instance the account's `acct`, `uri` and status name;
any other record is keyed `acct:user@instance`, counted and noted in `rejected`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from botwatch import open_study
from botwatch.ingest.runner import ingest
from testsupport.terminal import flat, wide_consoles


def _status(sid: int, acct: dict[str, Any], host: str, **kw: Any) -> dict[str, Any]:
    user = acct["acct"].split("@")[0]
    return {"id": str(sid), "uri": f"https://{host}/users/{user}/statuses/{sid}", "created_at": "2024-06-01T10:00:00.000Z",
            "content": f"<p>post {sid}</p>", "account": acct, "tags": [], "mentions": [], **kw}


def _ingest(tmp_path: Path, statuses: list[dict[str, Any]]):
    f = tmp_path / "m.jsonl"
    f.write_text("\n".join(json.dumps(s) for s in statuses) + "\n")
    st = open_study(tmp_path / "s.duckdb", read_only=False)
    return st, ingest(st, [str(f)])


def _spoofers() -> list[dict[str, Any]]:
    """The walk's six statuses: six ids and handles, one url that is no web address."""
    return [_status(100 + k, {"id": str(10 + k), "username": f"u{k}", "acct": f"u{k}@evil{k}.example", "url": "javascript:alert(10)"},
                    f"evil{k}.example") for k in range(6)]


def test_six_accounts_sharing_one_url_stay_six_accounts_each_with_its_post(tmp_path: Path) -> None:
    st, summary = _ingest(tmp_path, _spoofers())
    accounts = dict(st.sql("SELECT account_id, handle FROM accounts"))
    assert accounts == {f"acct:u{k}@evil{k}.example": f"u{k}@evil{k}.example" for k in range(6)}
    by_post = dict(st.sql("SELECT post_id, account_id FROM posts"))
    assert by_post == {f"https://evil{k}.example/users/u{k}/statuses/{100 + k}": f"acct:u{k}@evil{k}.example" for k in range(6)}
    # kept, counted and said: a note beside each record, none of them lost
    res = summary.files[0]
    assert res.stored == 6 and res.rekeyed == 6 and res.repaired == 6 and res.rejected == 0
    notes = [e for (e,) in st.sql("SELECT error FROM rejected ORDER BY line")]
    assert len(notes) == 6 and all(n.startswith("repaired, record kept: Mastodon account url 'javascript:alert(10)'") for n in notes)


def test_a_url_on_another_instance_than_the_acct_cannot_land_on_that_instances_account(tmp_path: Path) -> None:
    """An instance sends its account with the url of a real account elsewhere: the real account
    keeps its key, profile and posts; the impostor is an account of its own."""
    victim = {"id": "1", "username": "victim", "acct": "victim", "url": "https://real.social/@victim", "uri": "https://real.social/users/victim",
              "display_name": "The Victim"}
    real = _status(1, victim, "real.social")
    # each a way to claim the victim's url: another acct domain, a status of another instance,
    # a bare acct whose status is another instance's, an ActivityPub uri elsewhere
    forged = [
        _status(2, {"id": "7", "username": "sock", "acct": "sock@evil.example", "url": victim["url"], "display_name": "Sock"}, "evil.example"),
        _status(3, {"id": "8", "username": "victim", "acct": "victim@real.social", "url": victim["url"], "display_name": "Sock 2"}, "evil.example"),
        _status(4, {"id": "9", "username": "victim", "acct": "victim", "url": victim["url"], "display_name": "Sock 3"}, "evil.example"),
        _status(5, {"id": "6", "username": "victim", "acct": "victim@real.social", "url": victim["url"],
                    "uri": "https://evil.example/users/victim", "display_name": "Sock 4"}, "real.social"),
        _status(6, {"id": "5", "username": "victim", "acct": "victim@real.social", "url": "https://real.social@evil.example/@victim",
                    "display_name": "Sock 5"}, "real.social"),
    ]
    st, summary = _ingest(tmp_path, [real, *forged])
    posts = dict(st.sql("SELECT post_id, account_id FROM posts"))
    assert [a for a in posts.values() if a == victim["url"]] == [victim["url"]]
    assert dict(st.sql("SELECT display_name, count(*) FROM accounts WHERE account_id = ? GROUP BY 1", [victim["url"]])) == {"The Victim": 1}
    assert posts[forged[0]["uri"]] == "acct:sock@evil.example"
    assert posts[forged[2]["uri"]] == "acct:victim@evil.example"  # a bare acct is of the instance its status names
    assert summary.files[0].rekeyed == 5


def test_a_boost_of_a_spoofed_account_names_it_by_the_same_key_its_own_posts_have(tmp_path: Path) -> None:
    sock = {"id": "7", "username": "sock", "acct": "sock@evil.example", "url": "https://real.social/@victim", "display_name": "Sock"}
    own = _status(2, sock, "evil.example")
    booster = {"id": "1", "username": "alice", "acct": "alice", "url": "https://a.social/@alice"}
    boost = _status(3, booster, "a.social", content="", reblog=own)
    st, summary = _ingest(tmp_path, [own, boost])
    posts = {p: (a, r) for p, a, r in st.sql("SELECT post_id, account_id, ref_account_id FROM posts")}
    assert posts[own["uri"]] == ("acct:sock@evil.example", None)
    assert posts[boost["uri"]] == ("https://a.social/@alice", "acct:sock@evil.example")
    assert {a for (a,) in st.sql("SELECT account_id FROM accounts")} == {"https://a.social/@alice", "acct:sock@evil.example"}


def test_honest_accounts_keep_their_profile_url_as_key_and_their_handle(tmp_path: Path) -> None:
    """No key studies made before hold changes for an account whose url is on its instance."""
    local = {"id": "1", "username": "alice", "acct": "alice", "url": "https://a.social/@alice", "uri": "https://a.social/users/alice"}
    remote = {"id": "2", "username": "Bob", "acct": "Bob@B.Social", "url": "https://b.social/@Bob"}
    st, summary = _ingest(tmp_path, [_status(1, local, "a.social"), _status(2, remote, "b.social")])
    assert dict(st.sql("SELECT account_id, handle FROM accounts")) == {"https://a.social/@alice": "alice", "https://b.social/@Bob": "Bob@B.Social"}
    assert summary.files[0].rekeyed == 0 and summary.files[0].repaired == 0


def test_ingest_says_how_many_accounts_it_keyed_apart_and_explain_finds_one_by_its_handle(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from botwatch.cli import app

    wide_consoles(monkeypatch)
    f = tmp_path / "m.jsonl"
    f.write_text("\n".join(json.dumps(s) for s in _spoofers()) + "\n")
    study = str(tmp_path / "s.duckdb")
    res = CliRunner().invoke(app, ["ingest", study, str(f)])
    out = flat(res.output)
    assert res.exit_code == 0 and "Traceback" not in out, out
    assert "repaired 6 (6 of them rekeyed)," in out, out
    assert "6 Mastodon records named an account whose profile url (or uri) is not http/https" in out, out
    assert "stored after a repair (a lone" not in out, out  # no mended bytes to speak of
    assert CliRunner().invoke(app, ["analyze", study, "--no-election", "--only", "accounts"]).exit_code == 0
    shown = CliRunner().invoke(app, ["explain", study, "@u3@evil3.example"])
    assert shown.exit_code == 0 and "acct:u3@evil3.example" in flat(shown.output), shown.output


def test_the_collectors_filter_credits_a_status_to_the_account_ingest_keys_it_by(tmp_path: Path) -> None:
    """`collect mastodon` matched a listed handle on the author's `acct` with its profile url's
    instance, unchecked: a sender's local "victim" with the url of real.social's victim was kept as
    victim@real.social's status, which ingest credits to acct:victim@evil.example. The fake
    server's honest statuses are matched, and keyed, by their profile URLs as before."""
    from botwatch.accounts.json_shape import shown_handle
    from botwatch.collect import mastodon as md
    from botwatch.collect.core import Capture
    from botwatch.collect.fake_mastodon import timeline
    from botwatch.collect.filters import PostFilter

    def kept(status: dict[str, Any], handle: str) -> bool:
        cap = Capture(tmp_path / "c", "mastodon", "mastodon-fake", keys_of=md.keys_of, post_filter=PostFilter(handles=(handle,)))
        return not md.MastodonCollector("https://real.social", None, [])._filtered_out(cap, status, True)

    sock = _status(4, {"id": "9", "username": "victim", "acct": "victim", "url": "https://real.social/@victim"}, "evil.example")
    assert not kept(sock, "victim@real.social") and kept(sock, "victim")  # as ingest shows it: handle victim, key acct:victim@evil.example

    statuses = [s for e, s in timeline(200) if e == "update" and isinstance(s, dict)]
    st, summary = _ingest(tmp_path, statuses)
    assert summary.files[0].rekeyed == 0
    by_key = dict(st.sql("SELECT account_id, handle FROM accounts"))
    assert set(by_key) == {s["account"]["url"] for s in statuses}
    for s in statuses[:40]:
        assert kept(s, shown_handle("mastodon", by_key[s["account"]["url"]], s["account"]["url"]))


def test_an_account_of_a_unicode_named_instance_keeps_one_key_on_its_own_instance_and_elsewhere(tmp_path: Path) -> None:
    """Mastodon's API writes a remote `acct`'s domain in Unicode beside its url's punycode: the
    account was keyed `acct:hans@bawü.social` in another instance's capture and by its url in its
    own, one person as two accounts, and flagged as if its instance had forged the url."""
    seen_elsewhere = {"id": "5", "username": "hans", "acct": "hans@bawü.social", "url": "https://xn--baw-joa.social/@hans",
                      "uri": "https://xn--baw-joa.social/users/hans"}
    seen_at_home = {**seen_elsewhere, "acct": "hans"}
    st, summary = _ingest(tmp_path, [_status(1, seen_elsewhere, "xn--baw-joa.social"), _status(2, seen_at_home, "XN--BAW-JOA.social.")])
    assert {a for (a,) in st.sql("SELECT account_id FROM posts")} == {"https://xn--baw-joa.social/@hans"}
    assert summary.files[0].rekeyed == 0 and summary.files[0].repaired == 0


def test_an_account_of_a_split_domain_instance_keeps_one_key_on_its_own_instance_and_elsewhere(tmp_path: Path) -> None:
    """Mastodon's split domain serves "u@example.com" from social.example.com: seen from another
    instance its acct domain is not its url's host, and it was keyed `acct:u@example.com` there
    but by its url in its own instance's capture, one person as two accounts. An impostor whose
    acct is not above the url's host is still keyed apart."""
    elsewhere = {"id": "6", "username": "u", "acct": "u@example.com", "url": "https://social.example.com/@u", "uri": "https://social.example.com/users/u"}
    at_home = {**elsewhere, "acct": "u"}
    sock = {"id": "8", "username": "u", "acct": "u@notexample.com", "url": "https://social.example.com/@u"}
    st, summary = _ingest(tmp_path, [_status(3, elsewhere, "social.example.com"), _status(4, at_home, "social.example.com"),
                                     _status(5, sock, "social.example.com")])
    posts = dict(st.sql("SELECT post_id, account_id FROM posts"))
    assert sorted(posts.values()) == ["acct:u@notexample.com", "https://social.example.com/@u", "https://social.example.com/@u"]
    assert summary.files[0].rekeyed == 1


def _local_victim_scored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A study holding one local "victim" of evil.example sent with real.social's url (so keyed
    `acct:victim@evil.example`), its accounts scored; wide consoles for `explain`."""
    from botwatch.cli import app

    wide_consoles(monkeypatch)
    sock = _status(4, {"id": "9", "username": "victim", "acct": "victim", "url": "https://real.social/@victim"}, "evil.example")
    st, _ = _ingest(tmp_path, [sock])
    st.close()
    study = str(tmp_path / "s.duckdb")
    assert CliRunner().invoke(app, ["analyze", study, "--no-election", "--only", "accounts"]).exit_code == 0
    return study


def test_explain_finds_a_local_account_keyed_apart_by_user_at_its_instance(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A sender's local "victim" with another instance's url is keyed `acct:victim@evil.example`,
    its handle the bare "victim": `explain @victim@evil.example`, the name its key gives, said
    "no account" and listed it as one whose "instance not recorded"."""
    from botwatch.cli import app

    study = _local_victim_scored(tmp_path, monkeypatch)
    shown = CliRunner().invoke(app, ["explain", study, "@victim@evil.example"])
    assert shown.exit_code == 0 and "acct:victim@evil.example" in flat(shown.output), shown.output
    assert CliRunner().invoke(app, ["explain", study, "@victim@real.social"]).exit_code != 0  # not the url's instance


def test_a_namesake_keyed_by_user_at_instance_is_not_said_to_have_no_instance(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`explain @victim@other.example` lists the local victim keyed `acct:victim@evil.example` as
    a namesake: its key names its instance, so not "its instance not recorded"."""
    from botwatch.cli import app

    study = _local_victim_scored(tmp_path, monkeypatch)
    res = CliRunner().invoke(app, ["explain", study, "@victim@other.example"])
    out = flat(res.output)
    assert res.exit_code == 2 and "@victim (acct:victim@evil.example)" in out and "not recorded" not in out, out


def test_a_reply_to_an_account_keyed_apart_is_counted_and_noted_as_a_boost_of_one_is(tmp_path: Path) -> None:
    """The account a reply answers, named by a mention whose url is off its instance, was keyed
    `acct:` with no note in `rejected` and no count: ingest's "rekeyed" missed it."""
    mention = {"id": "7", "username": "sock", "acct": "sock@evil.example", "url": "https://real.social/@victim"}
    author = {"id": "1", "username": "alice", "acct": "alice", "url": "https://a.social/@alice"}
    reply = _status(2, author, "a.social", in_reply_to_id="55", in_reply_to_account_id="7", mentions=[mention])
    st, summary = _ingest(tmp_path, [reply])
    assert dict(st.sql("SELECT account_id, ref_account_id FROM posts")) == {"https://a.social/@alice": "acct:sock@evil.example"}
    assert summary.files[0].rekeyed == 1
    assert [e for (e,) in st.sql("SELECT error FROM rejected")] == [
        "repaired, record kept: Mastodon account url 'https://real.social/@victim', acct 'sock@evil.example': not one instance "
        "(or a url that is not http/https), so keyed acct:sock@evil.example, apart from any instance's account"]


def test_an_instance_whose_name_holds_an_eszett_keeps_one_key_on_its_own_instance_and_elsewhere(tmp_path: Path) -> None:
    """Mastodon's API writes a remote `acct`'s domain as the Unicode its punycode decodes to:
    "xn--fa-hia.social" is "faß.social". Python's "idna" codec (IDNA 2003) spells that "fass.social",
    another name, and the account was keyed `acct:` from other instances but by its url at home,
    one person as two accounts, as every IDN instance's was before hosts were compared as one
    spelling."""
    elsewhere = {"id": "5", "username": "ida", "acct": "ida@faß.social", "url": "https://xn--fa-hia.social/@ida",
                 "uri": "https://xn--fa-hia.social/users/ida"}
    at_home = {**elsewhere, "acct": "ida"}
    st, summary = _ingest(tmp_path, [_status(1, elsewhere, "xn--fa-hia.social"), _status(2, at_home, "xn--fa-hia.social")])
    assert {a for (a,) in st.sql("SELECT account_id FROM posts")} == {"https://xn--fa-hia.social/@ida"}
    assert summary.files[0].rekeyed == 0
