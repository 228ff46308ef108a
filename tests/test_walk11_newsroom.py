"""What a newsroom data desk met running botwatch on the shared real archives from the README and
docs alone: mistakes a new user makes, and lines that did not say what to do next."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from botwatch.cli import app

FIX = Path(__file__).resolve().parent / "fixtures" / "ingest"
GOP_MAP = "account_id=author,handle=author,created_at=created_at,text=text,is_retweet=is_retweet"
runner = CliRunner()


def _said(res) -> str:  # type: ignore[no-untyped-def]
    return " ".join(res.output.split())


def test_a_column_map_given_to_an_archive_of_a_known_format_beside_a_mapped_csv_says_to_split_the_command(tmp_path: Path) -> None:
    """`ingest S ira.csv gop.csv --columns ...` (the IRA file botwatch knows, the gop file it needs
    the map for) said only that the IRA file lacks the mapped columns: nothing told the user that
    one map covers every input, so the two need two commands."""
    study = tmp_path / "s.duckdb"
    res = runner.invoke(app, ["ingest", str(study), str(FIX / "ira_tweets.csv"), str(FIX / "gop_debate_2015_tweets.csv"),
                              "--columns", GOP_MAP], env={"COLUMNS": "400"})
    assert res.exit_code == 2 and not study.exists(), res.output
    said = _said(res)
    assert "ira_tweets.csv: the column map names columns this file lacks" in said
    assert ("the map applies to every input of the command and 1 other input has its columns: ingest files of another "
            "layout in a separate command, without the map if botwatch knows their format") in said, said


def test_a_column_map_no_input_fits_is_not_told_to_split_the_command(tmp_path: Path) -> None:
    """With no input readable under the map the map itself is wrong: no hint about other layouts."""
    res = runner.invoke(app, ["ingest", str(tmp_path / "s.duckdb"), str(FIX / "ira_tweets.csv"), "--columns", GOP_MAP],
                        env={"COLUMNS": "400"})
    assert res.exit_code == 2 and "this file lacks" in _said(res) and "applies to every input" not in _said(res), res.output


def test_a_labelled_accounts_csv_given_to_ingest_is_pointed_at_evaluate_accounts(tmp_path: Path) -> None:
    """The stclab labelled set (`id`, `screen_name`, ..., `bot`), a natural first thing to ingest,
    was told only to name its columns with --columns, as if its rows were posts; the commands
    that read it as it is were not named."""
    labels = tmp_path / "bots_data.csv"
    labels.write_text("id,id_str,screen_name,location,description,url,followers_count,bot\n"
                      "1,1,newsfeedbot,,hourly news,,10,1\n", encoding="utf-8")
    res = runner.invoke(app, ["ingest", str(tmp_path / "s.duckdb"), str(labels)], env={"COLUMNS": "400"})
    assert res.exit_code == 1, res.output
    said = _said(res)
    assert "not a known CSV header (first columns: id, id_str, screen_name, location, description, url)" in said
    assert ("it looks like labelled accounts (an account column and a bot label, no post text), which ingest does not store: "
            "give it to `botwatch evaluate-accounts STUDY FILE`") in said, said


def test_a_csv_of_posts_with_a_label_column_is_not_called_labelled_accounts(tmp_path: Path) -> None:
    """A posts export with a sentiment `label` beside its text is posts: only --columns is said."""
    posts = tmp_path / "posts.csv"
    posts.write_text("id,user,time,text,label\n1,a,2017-05-01 10:00:00,hello,positive\n", encoding="utf-8")
    res = runner.invoke(app, ["ingest", str(tmp_path / "s.duckdb"), str(posts)], env={"COLUMNS": "400"})
    assert "not a known CSV header" in _said(res) and "labelled accounts" not in _said(res), res.output


def test_a_mistyped_preset_name_is_answered_with_the_closest_preset(tmp_path: Path) -> None:
    """`--election ge2017` and `us2016` were refused with the preset list alone; the line now
    names the preset meant, and a name like none of them gets no guess."""
    from botwatch.elections.model import ElectionError, load_election

    for typed, meant in (("ge2017", "uk-ge2017"), ("uk2017", "uk-ge2017"), ("us2016", "us-2016")):
        try:
            load_election(typed)
        except ElectionError as exc:
            assert str(exc).startswith(f"no preset named {typed!r} (did you mean {meant!r}?); presets: "), exc
        else:
            raise AssertionError(f"{typed} was loaded")
    try:
        load_election("bundestag")
    except ElectionError as exc:
        assert "did you mean" not in str(exc) and "no preset named 'bundestag'; presets: " in str(exc), exc
    res = runner.invoke(app, ["analyze", str(tmp_path / "s.duckdb"), "--election", "ge2017"])
    assert res.exit_code == 2 and "(did you mean 'uk-ge2017'?)" in res.output, res.output


def test_coordination_with_no_cluster_says_so_instead_of_an_empty_table(tmp_path: Path) -> None:
    """`botwatch coordination` on the GE2017 sample (one account) printed the clusters table's
    header alone: no row, no word that none was found."""
    study = tmp_path / "s.duckdb"
    assert runner.invoke(app, ["ingest", str(study), str(FIX / "v1_uklabour.jsonl")]).exit_code == 0
    res = runner.invoke(app, ["coordination", str(study), "--election", "uk-ge2017"], env={"COLUMNS": "300"})
    assert res.exit_code == 0, res.output
    said = _said(res)
    assert ("no clusters (window 60 s; 0 edges beat chance at FDR 0.05): the coordination lines above count the pairs that "
            "co-acted and were tested") in said, said
    assert "┃ cluster ┃" not in res.output, res.output


def test_nothing_read_from_a_folder_of_data_sets_names_each_file_apart(tmp_path: Path) -> None:
    """`ingest S ordinary/` (brexit-2016/tweets.csv.gz and gop-debate-2015/tweets.csv.gz, both
    needing --columns) ended "nothing could be read from the inputs (tweets.csv.gz: ...;
    tweets.csv.gz: ...)", naming neither file; files of distinct names keep their short names."""
    import shutil

    for name, fixture in (("brexit-2016", "brexit_2016_tweets.csv"), ("gop-debate-2015", "gop_debate_2015_tweets.csv")):
        (tmp_path / "ordinary" / name).mkdir(parents=True)
        shutil.copy(FIX / fixture, tmp_path / "ordinary" / name / "tweets.csv")
    res = runner.invoke(app, ["ingest", str(tmp_path / "s.duckdb"), str(tmp_path / "ordinary")], env={"COLUMNS": "2000"})
    assert res.exit_code == 1, res.output
    said = _said(res)
    error = said[said.index("error: nothing could be read"):]
    for name in ("brexit-2016", "gop-debate-2015"):
        assert f"{tmp_path / 'ordinary' / name / 'tweets.csv'}: unreadable input" in error, error
    from botwatch.cli.ingest import short_names

    assert short_names(["a/x.csv", "b/y.csv"]) == {"a/x.csv": "x.csv", "b/y.csv": "y.csv"}


def test_a_file_named_with_a_trailing_slash_is_a_usage_error_that_says_so(tmp_path: Path) -> None:
    """`ingest S ira/tweets.csv.gz/` said "failed ...: no such file" (exit 1) about a file the user
    could list; it is a usage error naming the slash, and no study is made."""
    import shutil

    shutil.copy(FIX / "ira_tweets.csv", tmp_path / "tweets.csv")
    study = tmp_path / "s.duckdb"
    res = runner.invoke(app, ["ingest", str(study), str(tmp_path / "tweets.csv") + "/"], env={"COLUMNS": "400"})
    assert res.exit_code == 2 and not study.exists(), res.output
    assert f"error: {tmp_path / 'tweets.csv'}/ ends in / but {tmp_path / 'tweets.csv'} is a file, not a folder: drop the trailing /" in _said(res)


def test_explain_reads_a_pasted_twitter_profile_link_as_its_handle(tmp_path: Path) -> None:
    """A desk checking an account pastes its profile address: `explain S https://twitter.com/UKLabour`
    said "no account ... in the study" for an account the study holds."""
    study = tmp_path / "s.duckdb"
    assert runner.invoke(app, ["ingest", str(study), str(FIX / "v1_uklabour.jsonl")]).exit_code == 0
    assert runner.invoke(app, ["analyze", str(study), "--election", "uk-ge2017", "--only", "accounts"]).exit_code == 0
    for link in ("https://twitter.com/UKLabour", "https://x.com/uklabour/", "twitter.com/UKLabour?lang=en"):
        res = runner.invoke(app, ["explain", str(study), link], env={"COLUMNS": "300"})
        assert res.exit_code == 0 and "@UKLabour (twitter 14291684)" in res.output, res.output
        assert "read the profile link as @" in _said(res), res.output
    res = runner.invoke(app, ["explain", str(study), "https://example.com/UKLabour"])
    assert res.exit_code == 2 and "no account" in res.output, res.output


def test_a_twitter_link_never_explains_another_platforms_namesake() -> None:
    """A Twitter link was read as a handle on any platform: in a study whose only "alice" is on
    Mastodon, `explain S https://twitter.com/alice` explained the Mastodon account. With namesakes on
    both platforms the link now names the Twitter account (its handle on its platform)."""
    from botwatch.accounts.account_key import from_profile_link as _from_profile_link

    from testsupport.account_rows import AccountRows as Study

    mastodon_only = Study([("mastodon", "https://m.social/@alice", "alice")])
    assert _from_profile_link(mastodon_only, "https://twitter.com/alice") is None
    both = Study([("mastodon", "https://m.social/@alice", "alice"), ("twitter", "42", "alice")])
    assert _from_profile_link(both, "https://twitter.com/alice") == ("alice", "twitter")
    assert _from_profile_link(Study([("twitter", "42", "alice")]), "https://x.com/alice") == ("alice", "twitter")
