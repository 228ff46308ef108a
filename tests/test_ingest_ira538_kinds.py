"""FiveThirtyEight's IRA files as released: quotes, copied posts and expanded links.

The rows below are written for this test in the layout of FiveThirtyEight's
`IRAhandle_tweets_N.csv` (github.com/fivethirtyeight/russian-troll-tweets: 21 columns, US dates,
`tweet_id`, `tco1_step1` … `tco3_step1`) and of the by-author re-cut in ../shared/data/ira
(`post_type` R / Q); the handles, texts and ids are made up. What each test guards:
- every quote row of both layouts has `retweet` = 1 (in ../shared/data/ira: 21,869 of 21,869), and
  the reader used to store them all as retweets, so a quote's own comment was not the account's
  own text (origin's language-transfer signal, the bot model's retweet share, co-post);
- the IRA's tools copied other accounts' posts as "RT RealJamesWoods: text", without the @
  (47,154 rows of the shared file): the words are the named account's;
- t.co links are unique to each post, so without the files' expanded links no two accounts ever
  share a link (co-link coordination) and the report shows only t.co.
"""

from __future__ import annotations

from pathlib import Path

from botwatch import open_study
from botwatch.ingest.runner import ingest
from testsupport.csv_files import write_rows

RELEASED = ["external_author_id", "author", "content", "region", "language", "publish_date", "harvested_date", "following",
            "followers", "updates", "post_type", "account_type", "retweet", "account_category", "new_june_2018",
            "alt_external_id", "tweet_id", "article_url", "tco1_step1", "tco2_step1", "tco3_step1"]


def _released_row(tweet_id: str, content: str, post_type: str, retweet: str, tco: tuple[str, str, str] = ("", "", "")) -> list[str]:
    return ["906000000000000000", "Some_Troll", content, "Unknown", "English", "10/1/2017 19:58", "10/1/2017 19:59", "1052",
            "9636", "253", post_type, "Right", retweet, "RightTroll", "0", "905874659358453761", tweet_id,
            f"http://twitter.com/905874659358453761/statuses/{tweet_id}", *tco]


def _posts(tmp_path: Path, f: Path) -> dict[str, tuple]:
    with open_study(tmp_path / "s.duckdb", read_only=False) as study:
        ingest(study, [str(f)], workers=1)
        rows = study.sql("SELECT post_id, kind, ref_handle, text, urls FROM posts")
    return {r[0]: tuple(r[1:]) for r in rows}


def test_the_released_layout_reads_quotes_copied_posts_and_expanded_links(tmp_path: Path) -> None:
    f = write_rows(tmp_path / "IRAhandle_tweets_1.csv", RELEASED, [
        _released_row("11", "I doubt it. Our politicians are too busy. https://t.co/Iq74R2NPf2", "QUOTE_TWEET", "1",
                      ("https://twitter.com/someone/status/914310901855129601", "", "")),
        _released_row("12", "Daughter of a sailor speaks #BoycottNFL https://t.co/qDlFBGMeag", "RETWEET", "1",
                      ("https://twitter.com/some_troll/status/913231923715198976/video/1", "", "")),
        _released_row("13", "RT RealJamesWoods: Please do... https://t.co/CQbs0RCrD2", "", "0"),
        _released_row("14", "Read it: https://t.co/aaaaaaaaaa and https://t.co/bbbbbbbbbb then https://example.org/x", "", "0",
                      ("http://www.cnn.com/2017/09/27/us/story.html", "", "")),
        _released_row("15", "RT @GOP: Vote on Tuesday", "", "0"),
    ])
    posts = _posts(tmp_path, f)
    assert posts["11"][:3] == ("quote", None, "I doubt it. Our politicians are too busy. https://t.co/Iq74R2NPf2")
    assert posts["11"][3] == ["https://twitter.com/someone/status/914310901855129601"]
    assert posts["12"][:2] == ("retweet", None)
    assert posts["12"][3] == ["https://twitter.com/some_troll/status/913231923715198976/video/1"]
    assert posts["13"][:3] == ("retweet", "RealJamesWoods", "Please do... https://t.co/CQbs0RCrD2")
    assert posts["13"][3] == ["https://t.co/CQbs0RCrD2"]  # no expanded link given: kept as written
    # The first t.co link takes tco1_step1; the second has none; a link that is not t.co stays.
    assert posts["14"][0] == "original"
    assert posts["14"][3] == ["http://www.cnn.com/2017/09/27/us/story.html", "https://t.co/bbbbbbbbbb", "https://example.org/x"]
    assert posts["15"][:3] == ("retweet", "GOP", "Vote on Tuesday")


def test_the_re_cut_layout_reads_quotes_as_quotes(tmp_path: Path) -> None:
    header = ["author_id", "content", "region", "language", "publish_date", "harvested_date", "following", "followers", "updates",
              "post_type", "retweet"]
    rows = [["sometroll", "Pretty much sums it up. Sigh. https://t.co/smg2R7liYj", "United States", "English", "2017-01-01 10:00:00",
             "2017-01-01 10:00:00", "1", "2", "3", "Q", "1"],
            ["sometroll", "Ain't nothing. https://t.co/Sg1gflLXWO", "United States", "English", "2017-01-01 11:00:00",
             "2017-01-01 11:00:00", "1", "2", "3", "R", "1"],
            ["sometroll", "RT LizCrokin: Expect more and more people", "United States", "English", "2017-01-01 12:00:00",
             "2017-01-01 12:00:00", "1", "2", "3", "Q", "1"]]
    posts = sorted(_posts(tmp_path, write_rows(tmp_path / "ira.csv", header, rows)).values(), key=lambda p: p[2])
    assert [p[:2] for p in posts] == [("retweet", None), ("retweet", "LizCrokin"), ("quote", None)]


def test_an_rt_word_that_cannot_be_a_handle_is_the_posters_own_text(tmp_path: Path) -> None:
    """A handle has at most 15 letters, digits or underscores; 'RT' followed by anything else (or
    with no space after the colon) is left as the poster's words."""
    texts = ["RT ThisIsFarTooLongForAHandle: words", "RT Two words: here", "RT Name:nospace"]
    f = write_rows(tmp_path / "IRAhandle_tweets_2.csv", RELEASED, [_released_row(str(20 + i), t, "", "0") for i, t in enumerate(texts)])
    assert {p[:3] for p in _posts(tmp_path, f).values()} == {("original", None, t) for t in texts}


def test_a_re_cut_key_that_is_no_handle_takes_the_authors_files_handle(tmp_path: Path) -> None:
    """The re-cut keys 13 handles that had several `external_author_id`s as handle + id
    (../shared/data/ira: "Politkach2329889815", "realTEN_GOP901000000000000000"). That key was
    stored as the account's handle, and the authors file (undated) never replaced it: exports and
    the report named an account no one can look up."""
    header = ["author_id", "content", "region", "language", "publish_date", "harvested_date", "following", "followers", "updates",
              "post_type", "retweet"]
    tweets = write_rows(tmp_path / "tweets.csv", header, [
        ["Politkach2329889815", "Привет", "Unknown", "Russian", "2015-05-13 12:46:00", "2015-05-13 12:46:00", "1", "9689", "2133", "", "0"],
        ["some_troll", "Hello", "United States", "English", "2016-01-01 10:00:00", "2016-01-01 10:00:00", "1", "2", "3", "", "0"]])
    authors = write_rows(tmp_path / "authors.csv", ["author_id", "author", "external_author_id", "account_type", "account_category",
                                                     "new_june_2018"],
                         [["Politkach2329889815", "Politkach", "2329889815", "Russian", "NonEnglish", "0"],
                          ["some_troll", "some_troll", "123", "Right", "RightTroll", "0"]])
    with open_study(tmp_path / "s.duckdb", read_only=False) as study:
        ingest(study, [str(tweets)], workers=1)
        before = dict(study.sql("SELECT account_id, handle FROM accounts"))
        ingest(study, [str(authors)], workers=1)
        after = dict(study.sql("SELECT account_id, handle FROM accounts"))
    assert before == {"politkach2329889815": None, "some_troll": "some_troll"}  # a handle as written is kept
    assert after == {"politkach2329889815": "Politkach", "some_troll": "some_troll"}


RE_CUT = ["author_id", "content", "region", "language", "publish_date", "harvested_date", "following", "followers", "updates",
          "post_type", "retweet"]


def test_the_spreadsheet_guard_around_a_text_is_taken_off_and_ids_stay(tmp_path: Path, monkeypatch) -> None:
    """FiveThirtyEight wrap a text that starts with @ = + - in quotes, so a spreadsheet does not
    read it as a formula (../shared/data/ira: 68,743 texts, none of the four bare at the start).
    Stored as written, the quotes were shown and read by the models, and the closing one stuck to a
    last link. A text that opens a quotation of its own keeps it. Ids are made from the text as
    the file has it, so a study read before keeps its ids and reading again stores nothing new."""
    from botwatch.ingest import csv_formats

    texts = ["'@Marines4MAGA Thank you! https://t.co/abcdefghij'", "'== BREAKING == news'", "'- Алло. - Да'", "'+++ FLASH +++'",
             "'@realDonaldTrump's plans are sensible. https://t.co/EZ8R5V9NNs", "'Hello' she said", "''Tis the season'", "'@'"]
    rows = [["sometroll", t, "United States", "English", f"2016-01-01 10:0{i}:00", "2016-01-01 10:00:00", "1", "2", "3", "", "0"]
            for i, t in enumerate(texts)]
    f = write_rows(tmp_path / "ira.csv", RE_CUT, rows)
    (tmp_path / "old").mkdir()
    with monkeypatch.context() as m:  # the reader as it was: texts kept as written
        m.setattr(csv_formats, "unguard_538", lambda t: t)
        old = _posts(tmp_path / "old", f)
    posts = _posts(tmp_path, f)
    assert set(posts) == set(old)  # the same ids
    by_time = [p[2] for _, p in sorted(posts.items(), key=lambda kv: texts.index(old[kv[0]][2]))]
    assert by_time == ["@Marines4MAGA Thank you! https://t.co/abcdefghij", "== BREAKING == news", "- Алло. - Да", "+++ FLASH +++",
                       "'@realDonaldTrump's plans are sensible. https://t.co/EZ8R5V9NNs", "'Hello' she said", "''Tis the season'", "@"]
    assert posts[next(k for k, p in posts.items() if p[2].startswith("@Marines"))][3] == ["https://t.co/abcdefghij"]
    with open_study(tmp_path / "old" / "s.duckdb", read_only=False) as study:  # the old study read again with the new reader
        again = ingest(study, [str(f)], force=True, workers=1)
        assert study.sql("SELECT count(*) FROM posts")[0][0] == len(texts)
    assert again.files[0].stored == 0 and again.files[0].duplicates == len(texts)


def test_a_link_in_text_is_stored_without_the_punctuation_after_it() -> None:
    """Links are read from the text up to the next space, so the sentence's full stop, ellipsis,
    bracket or quote after a link was stored as part of it (../shared/data/ira: about 7,500 links):
    a link that does not open and never equals the same link in another post."""
    from botwatch.ingest.csv_formats import text_entities

    text = ("see https://t.co/aaaaaaaaaa. and (https://t.co/bbbbbbbbbb) or \"https://t.co/cccccccccc…\" "
            "https://en.wikipedia.org/wiki/Foo_(bar) https://x.org/a?b=1 cut http://…")
    assert text_entities(text)[2] == ["https://t.co/aaaaaaaaaa", "https://t.co/bbbbbbbbbb", "https://t.co/cccccccccc",
                                      "https://en.wikipedia.org/wiki/Foo_(bar)", "https://x.org/a?b=1", "http://…"]
