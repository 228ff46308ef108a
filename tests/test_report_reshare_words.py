"""The report says what the study's platform calls a passed-on post: every reader stores a Mastodon
boost and a Bluesky repost with the kind "retweet", and a Mastodon study's report read "80%+
retweets", "accounts only retweeted or looked up" and "A retweet counts as a post by the
retweeter", words its users and readers do not use."""

from __future__ import annotations

import json
from pathlib import Path

from botwatch.ingest.runner import ingest
from botwatch.report.context import report_context
from botwatch.report.headlines import posting_split
from botwatch.report.section_accounts import _signal_counts
from botwatch.report.section_coordination import unnamed_words
from botwatch.report.section_overview import overview
from botwatch.reshare_words import reshare_words
from botwatch.study import open_study


def test_each_platform_has_its_word_and_a_mixed_study_names_each() -> None:
    assert reshare_words([]).noun == "retweet" and reshare_words(["twitter"]).nouns == "retweets" and reshare_words(["x"]).done == "retweeted"
    assert reshare_words(["mastodon"]).nouns == "boosts" and reshare_words(["bluesky"]).done == "reposted"
    assert reshare_words(["telegram"]).noun == "repost"  # a platform botwatch has no word for: the neutral one
    assert reshare_words(["bluesky", "twitter", "mastodon"]).noun == "retweet/boost/repost"
    assert reshare_words(["bluesky", "telegram"]).nouns == "reposts"  # one word, not "reposts/reposts"
    assert unnamed_words(1, 10, "boosts") == "whom its members amplified most cannot be read from the data: only 1 of their 10 boosts and quotes names the account shared"


def _mastodon_study(tmp_path: Path):
    acct = {"id": "1", "username": "alice", "acct": "alice", "url": "https://example.social/@alice", "created_at": "2017-04-01T00:00:00.000Z",
            "followers_count": 10, "following_count": 3, "statuses_count": 99}
    s1 = {"id": "111", "uri": "https://example.social/users/alice/statuses/111", "created_at": "2017-05-20T10:00:00.000Z",
          "content": "<p>Vote #GE2017</p>", "language": "en", "account": acct, "reblog": None, "tags": [{"name": "ge2017"}]}
    s2 = {"id": "112", "uri": "https://example.social/users/bob/statuses/112", "created_at": "2017-05-20T10:05:00.000Z", "content": "",
          "account": dict(acct, id="2", username="bob", acct="bob", url="https://example.social/@bob"), "reblog": s1, "tags": []}
    carol = dict(acct, id="3", username="carol", acct="carol@other.social", url="https://other.social/@carol")
    s3 = {"id": "113", "uri": "https://example.social/users/bob/statuses/113", "created_at": "2017-05-20T10:06:00.000Z", "content": "",
          "account": s2["account"], "reblog": dict(s1, account=carol, uri="https://other.social/users/carol/statuses/9"), "tags": []}
    f = tmp_path / "masto.jsonl"
    f.write_text("\n".join(json.dumps(s) for s in (s1, s2, s3)) + "\n")
    st = open_study(tmp_path / "s.duckdb", read_only=False)
    ingest(st, [str(f)])
    return st


def test_a_mastodon_report_says_boost_not_retweet(tmp_path: Path) -> None:
    st = _mastodon_study(tmp_path)
    ctx = report_context(st, {"election": None})
    assert ctx["reshare"].noun == "boost"
    html = " ".join(str(overview(st, ctx).html).split())
    assert "including those only boosted, quoted, mentioned or looked up" in html and "<td>boost</td>" in html
    assert "retweet" not in html
    # an account scored from a profile seen only as the author of a boosted post
    st.sql("CREATE TABLE account_scores AS SELECT platform, account_id, 0.9 AS bot_probability FROM accounts")
    st.sql("INSERT INTO account_scores VALUES ('mastodon', 'https://other.social/@carol', 0.9)")
    assert "seen only as boosted, quoted, mentioned or looked up" in posting_split(st, "bot_probability IS NOT NULL", "bot_probability >= 0.5", "likely automated")
    st.sql("CREATE TABLE account_features AS SELECT platform, account_id, NULL::DOUBLE AS handle_generated15, false AS english_female_name, "
           "false AS created_after_trigger, false AS in_unison, false AS activity_over_72, false AS activity_over_144, false AS anonymous, "
           "false AS amplifier FROM accounts")
    assert "80%+ boosts (Three A's: amplification)" in [s["label"] for s in _signal_counts(st, set(st.tables()))]


def test_a_mastodon_reports_stance_rules_say_boost(tmp_path: Path) -> None:
    """The stance rules' table of a Mastodon study read "a retweet of the party's official or
    allied account" for the boosts of a party's account (the rules' meanings are worded once)."""
    import csv

    from typer.testing import CliRunner

    from botwatch.cli import app
    from botwatch.report.section_parties import parties_section

    cols = ("post_id", "account_id", "handle", "created_at", "text", "kind", "ref_post_id", "ref_account_id", "ref_handle", "lang")
    src = tmp_path / "m.csv"
    with src.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(cols)
        for i in range(6):
            w.writerow([f"m{i}", f"a{i}", f"u{i}", f"2017-05-2{i}T10:00:00Z", "Vote Labour on Thursday #GE2017", "retweet", f"o{i}",
                        "https://social.example/@UKLabour", "UKLabour", "en"])
    # A party's Mastodon account, listed as user@server (a preset's Twitter handles name no Mastodon account).
    election = tmp_path / "uk.toml"
    election.write_text('key = "uk-m"\nname = "UK general election 2017"\ncountry = "GB"\ntimezone = "Europe/London"\n'
                        'trigger_date = 2017-04-18\npolling_day = 2017-06-08\nhashtags = ["GE2017"]\n\n'
                        '[[parties]]\nkey = "lab"\nname = "Labour"\nkeywords = ["labour"]\nofficial_accounts = ["UKLabour@social.example"]\n')
    study = tmp_path / "m.duckdb"
    runner = CliRunner()
    res = runner.invoke(app, ["ingest", str(study), str(src), "--platform", "mastodon", "--columns", ",".join(f"{c}={c}" for c in cols)])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["analyze", str(study), "-e", str(election), "--only", "content", "--only", "estimates"])
    assert res.exit_code == 0, res.output
    with open_study(study) as st:
        section = parties_section(st, report_context(st, {"election": None}))
    assert section is not None
    html = " ".join(str(section.html).split())
    assert "<td><code>retweets_party_account</code></td><td>support</td><td>a boost of the party&#39;s official or allied account</td>" in html
    assert "retweet" not in html.replace("<code>retweets_party_account</code>", ""), html
