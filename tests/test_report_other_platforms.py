"""The automation count says when scored accounts come from a platform the bot model never learned
from: on Mastodon statuses of June 2017 every Mastodon account was counted likely automated, led by
its young age (the network began in October 2016), and nothing said the model knew only Twitter."""

from __future__ import annotations

from pathlib import Path

from botwatch.report.caveats import bot_blind_spot, other_platform_clause
from botwatch.study import open_study


def test_scored_accounts_of_another_platform_are_said_to_be_unmeasured(tmp_path: Path) -> None:
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        st.sql("CREATE TABLE account_scores (platform VARCHAR, account_id VARCHAR, bot_probability DOUBLE)")
        st.sql("INSERT INTO account_scores VALUES ('twitter', '1', 0.2), ('mastodon', 'a', 0.9), ('mastodon', 'b', 0.7), ('bluesky', 'd', NULL)")
        said = other_platform_clause(st)
        assert said is not None and said.startswith("The bot model learned from Twitter accounts only; 2 Mastodon accounts scored here come from a platform it never saw")
        assert "Bluesky" not in said  # its account has no bot probability (no profile looked up), nothing to qualify; scored ones are named
        # How many of the automation count it qualifies: a mixed study's headline held 5 Mastodon accounts, unsaid.
        assert said.endswith("; 2 of them have a bot probability of 0.5 or more and are counted likely automated.")
        st.sql("UPDATE account_scores SET bot_probability = 0.1 WHERE account_id = 'b'")
        assert (other_platform_clause(st) or "").endswith("; 1 of them has a bot probability of 0.5 or more and is counted likely automated.")
        st.sql("UPDATE account_scores SET bot_probability = 0.1 WHERE platform = 'mastodon'")
        assert (other_platform_clause(st) or "").endswith("so their probabilities are not measured figures.")
        st.sql("UPDATE account_scores SET bot_probability = 0.9 WHERE account_id = 'a'")
        st.sql("UPDATE account_scores SET bot_probability = 0.7 WHERE account_id = 'b'")
        assert said in (bot_blind_spot(st, [], {}) or "")
        assert said not in (bot_blind_spot(st, [], {}, scored_by="own") or "")  # a user's own model may have learned from Mastodon
        unknown = bot_blind_spot(st, [], {}, scored_by="unrecorded") or ""  # no model recorded: neither asserted nor silent
        assert said not in unknown and "does not record which bot model scored it" in unknown and "2 Mastodon accounts" in unknown
        st.sql("DELETE FROM account_scores WHERE platform <> 'twitter'")
        assert other_platform_clause(st) is None


def test_one_scored_account_of_another_platform_is_said_in_the_singular(tmp_path: Path) -> None:
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        st.sql("CREATE TABLE account_scores (platform VARCHAR, account_id VARCHAR, bot_probability DOUBLE)")
        st.sql("INSERT INTO account_scores VALUES ('mastodon', 'a', 0.9)")
        assert other_platform_clause(st) == ("The bot model learned from Twitter accounts only; 1 Mastodon account scored here comes from a platform "
                                             "it never saw, whose accounts' ages, counts and habits it reads as Twitter's, so its probability is "
                                             "not a measured figure; it has a bot probability of 0.5 or more and is counted likely automated.")


def test_scaled_counts_of_a_mastodon_archive_are_no_platform_figures(tmp_path: Path) -> None:
    """Mastodon has no platform-wide stream: a rate scales, at most, to the timelines collected."""
    import json

    from botwatch.ingest.runner import ingest
    from botwatch.report.caveats import scaling_unsupported

    acct = {"id": "1", "username": "alice", "acct": "alice", "url": "https://example.social/@alice"}
    status = {"id": "11", "uri": "https://example.social/users/alice/statuses/11", "created_at": "2017-05-20T10:00:00.000Z",
              "content": "<p>Vote #GE2017</p>", "account": acct}
    f = tmp_path / "masto.jsonl"
    f.write_text(json.dumps(status) + "\n")
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        ingest(st, [str(f)])
        said = scaling_unsupported(st, 0.5)
        assert said is not None and "Mastodon has no platform-wide stream to sample" in said and said.endswith("are not platform figures.")
        assert scaling_unsupported(st, 1.0) is None and scaling_unsupported(st, None) is None  # nothing scaled
    bsky = {"did": "did:plc:a", "time_us": 1495274400000000, "kind": "commit", "commit": {"operation": "create", "collection": "app.bsky.feed.post",
            "rkey": "r1", "record": {"text": "Vote #GE2017", "createdAt": "2017-05-20T10:00:00Z"}}}
    f.write_text(json.dumps(bsky) + "\n")
    with open_study(tmp_path / "b.duckdb", read_only=False) as st:  # Bluesky's firehose is the whole network's
        ingest(st, [str(f)])
        assert scaling_unsupported(st, 0.5) is None


def test_the_foreign_headline_of_an_unscalable_archive_gives_no_attributed_accounts_reason() -> None:
    """Counts not scaled because the archive is no sample (a Mastodon archive is one since the
    scaling guard names it) were said to be "an archive holding attributed accounts"."""
    from types import SimpleNamespace

    from botwatch.report.fmt import num, pct_ci
    from botwatch.report.sections import render

    f = SimpleNamespace(estimate=20.0, ci_low=12.0, ci_high=30.0, n_accounts=8, observed=20)
    share = SimpleNamespace(estimate=0.2, ci_low=0.1, ci_high=0.3)
    text = " ".join(str(render("parties_headline.html.j2", kind="foreign", country="GB", f=f, pos=share, neg=share, scaled=True,
                               not_sample="Mastodon has no platform-wide stream", rate=0.5, scope=SimpleNamespace(filtered=None),
                               num=num, pct_ci=pct_ci)).split())
    assert "attributed" not in text
    assert "in the study (not scaled to the platform: this archive is no sample of it, as the Parties section says)" in text


def test_x_is_the_platform_the_bot_model_learned_from(tmp_path: Path) -> None:
    """X is Twitter renamed: a study collected from X (stored as platform "x") or mapped with
    `--platform x` was told the bot model "never saw" its platform, in the report and in `explain`."""
    from botwatch.report.caveats import other_platform_account

    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        st.sql("CREATE TABLE account_scores (platform VARCHAR, account_id VARCHAR, bot_probability DOUBLE)")
        st.sql("INSERT INTO account_scores VALUES ('x', '1', 0.2), ('twitter', '2', 0.9)")
        assert other_platform_clause(st) is None
        st.sql("INSERT INTO account_scores VALUES ('mastodon', 'a', 0.9)")
        said = other_platform_clause(st)
        assert said is not None and "1 Mastodon account scored here comes from a platform it never saw" in said and " X " not in said
    assert other_platform_account("x") is None and other_platform_account("twitter") is None
    assert other_platform_account("mastodon") is not None


def test_the_explorer_links_an_x_account_to_its_profile(tmp_path: Path) -> None:
    """The explorer linked a Twitter account's profile and not an X one's (platform "x"), though
    its handle is a Twitter handle; a Mastodon account gets no Twitter link."""
    from botwatch.report.section_explorer import _details

    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        st.sql("INSERT INTO accounts (account_id, platform, handle) VALUES ('1', 'x', 'alice'), ('2', 'twitter', 'bob'), ('3', 'mastodon', 'carol')")
        got = [d["profile"] for d in _details(st, [("x", "1"), ("twitter", "2"), ("mastodon", "3")])]
    assert got == ["https://x.com/alice", "https://twitter.com/bob", None]


def test_a_mastodon_stream_capture_is_named_for_what_it_is(tmp_path: Path) -> None:
    """Mastodon streaming events (the WebSocket envelopes ingest reads) were "input format
    mastodon-stream-event …: its collection method is not known to botwatch" in the report's
    provenance, though the reader knows it for a Mastodon stream of the instance collected."""
    import json

    from botwatch.ingest.runner import ingest
    from botwatch.report.caveats import collection_unknown, data_provenance

    acct = {"id": "1", "username": "alice", "acct": "alice", "url": "https://example.social/@alice"}
    status = {"id": "11", "uri": "https://example.social/users/alice/statuses/11", "created_at": "2017-05-20T10:00:00.000Z",
              "content": "<p>Vote #GE2017</p>", "account": acct}
    f = tmp_path / "stream.jsonl"
    f.write_text(json.dumps({"stream": ["hashtag", "ge2017"], "event": "update", "payload": json.dumps(status)}) + "\n")
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        ingest(st, [str(f)])
        (prov,) = data_provenance(st)
    assert prov.format == "mastodon-stream-event" and prov.posts == 1
    assert prov.what == "Mastodon streaming API events" and "not known" not in prov.implies and "instances and streams" in prov.implies
    assert not collection_unknown([prov])


def test_origins_of_another_platform_are_said_to_be_unmeasured_beside_the_foreign_count(tmp_path: Path) -> None:
    """The origin model learned from, and was measured on, Twitter accounts alone: a mixed study's
    Mastodon and Bluesky accounts read "GB 0.93" with the held-out figures beside the foreign count
    and nothing saying they were Twitter accounts' figures."""
    from botwatch.report.caveats import origin_check, other_platform_origin_account, other_platform_origin_clause

    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        st.sql("CREATE TABLE account_scores (platform VARCHAR, account_id VARCHAR, bot_probability DOUBLE, origin_country VARCHAR, "
               "origin_probability DOUBLE, origin_probabilities VARCHAR)")
        st.sql("""INSERT INTO account_scores VALUES ('twitter', '1', 0.2, 'GB', 0.9, '{"GB": 0.9, "RU": 0.1}'),
                  ('mastodon', 'a', NULL, 'GB', 0.93, '{"GB": 0.93, "RU": 0.07}'), ('mastodon', 'b', NULL, 'RU', 0.8, '{"RU": 0.8, "GB": 0.2}'),
                  ('bluesky', 'c', NULL, 'US', 0.6, '{"US": 0.6, "GB": 0.4}'), ('bluesky', 'd', NULL, NULL, NULL, NULL)""")
        said = other_platform_origin_clause(st, "GB") or ""
        assert said == ("The origin model learned from Twitter accounts only; 2 Mastodon and 1 Bluesky accounts with origin evidence here come "
                        "from a platform it never saw, whose accounts' languages, words and posting hours it reads as Twitter's, so their "
                        "origin probabilities are not measured figures; 2 of them are counted foreign-origin.")
        assert (other_platform_origin_clause(st) or "").endswith("not measured figures.")  # no election: no foreign count to qualify
        assert said in origin_check(st, "GB")  # beside the held-out figures the foreign headline and key number quote
        assert other_platform_origin_account("twitter") is None and other_platform_origin_account("x") is None
        assert (other_platform_origin_account("bluesky") or "").startswith("The origin model learned from Twitter accounts only; this Bluesky account")
        st.sql("DELETE FROM account_scores WHERE platform <> 'twitter'")
        assert other_platform_origin_clause(st, "GB") is None and "origin model learned" not in origin_check(st, "GB")
