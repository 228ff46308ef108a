"""A share's "too few accounts" rule counts the accounts its own denominator rests on.

A cell got no interval when fewer than 5 accounts named the party, but its shares are of fewer
posts: sentiment of the English ones, stance of those read for stance. Ten accounts naming the
Conservatives, two of them in English, gave the positive and support shares a bootstrap interval
from those two accounts, and `estimate` and the report printed it as any other."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pyarrow as pa
import pytest
from typer.testing import CliRunner

from botwatch.elections import load_election
from botwatch.estimates.compute import EstimateOptions, bootstrap_cells
from botwatch.estimates.relational import ALL

UK = load_election("uk-ge2017")
SHARES = ("support_share", "oppose_share", "positive_share", "negative_share")


def per_account(n_party: int, n_english: int) -> pa.Table:
    """`account_cells` rows: 30 accounts with an election post; the first `n_party` name the
    Conservatives in three posts, which only the first `n_english` wrote in English (scored, read
    for stance)."""
    rows = []
    for i in range(30):
        base = dict(period="campaign", account_group="all", platform="twitter", account_id=f"a{i}")
        rows.append({**base, "party": ALL, "posts": 1, "support": 0, "oppose": 0, "neutral": 0, "scored": 1, "positive": i % 2, "negative": 0, "measured": 0})
        if i < n_party:
            en = i < n_english
            rows.append({**base, "party": "conservative", "posts": 3, "support": int(en), "oppose": 0, "neutral": 2 * en, "scored": 3 * en,
                         "positive": 2 * en * (i % 2), "negative": int(en and i == 0), "measured": 3 * en})
    return pa.Table.from_pylist(rows)


def cells(n_party: int, n_english: int) -> dict[str, dict]:
    got = bootstrap_cells(per_account(n_party, n_english), UK, [("campaign", None, None)], EstimateOptions(reps=300, seed=5))
    return {r["metric"]: r for r in got.to_pylist() if r["party"] == "conservative" and r["account_group"] == "all"}


def test_a_share_from_two_english_accounts_gets_no_interval_though_ten_name_the_party() -> None:
    c = cells(10, 2)
    assert c["posts"]["n_accounts"] == 10 and c["posts"]["ci_low"] is not None  # the counts rest on the cell's ten
    for m in SHARES:
        assert c[m]["ci_low"] is None and c[m]["ci_high"] is None, c[m]
        assert c[m]["n_accounts"] == 2, c[m]
        assert "too few accounts (2 with" in c[m]["method"], c[m]["method"]
    # Six English accounts of ten: the shares have their interval, over those six.
    c = cells(10, 6)
    for m in SHARES:
        assert c[m]["ci_low"] is not None and c[m]["n_accounts"] == 6, c[m]
    # None in English: no share, and no "too few" said of accounts that wrote nothing it counts.
    c = cells(10, 0)
    assert c["positive_share"]["estimate"] is None and c["positive_share"]["n_accounts"] == 0
    assert "no account with an English post" in c["positive_share"]["method"]


@pytest.fixture(scope="module")
def two_english_of_ten(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A study: ten accounts name the Conservatives in three posts each, two of them in English."""
    return _ten_naming(tmp_path_factory.mktemp("share_accounts"), 2)


def _ten_naming(tmp: Path, n_english: int, cue: bool = False) -> Path:
    """Ten accounts naming the Conservatives in three posts each, `n_english` of them in English;
    with `cue` every post carries #VoteConservative (a stance cue read in any language)."""
    from botwatch.ingest.runner import ingest
    from botwatch.pipeline import Context, analyze
    from botwatch.study import open_study

    lines = []
    for i in range(10):
        en = i < n_english
        for k in range(3):
            text = "Vote Tory, great strong leadership #GE2017 #conservatives" if en else "Wahl heute in Grossbritannien #GE2017 #conservatives"
            lines.append({"id_str": f"{i}{k}", "full_text": f"{text} {k}", "created_at": f"Sat May 20 1{k}:0{i}:00 +0000 2017",
                          "user": {"id_str": f"u{i}", "screen_name": f"fan{i}", "location": "London"}, "lang": "en" if en else "de",
                          **({"entities": {"hashtags": [{"text": "VoteConservative"}]}} if cue else {})})
    (tmp / "t.jsonl").write_text("\n".join(json.dumps(x) for x in lines) + "\n")
    with open_study(tmp / "s.duckdb", read_only=False) as st:
        ingest(st, [str(tmp / "t.jsonl")])
        analyze(st, Context(election=UK, log=lambda m: None, options={"bootstrap_reps": 50}), only=["content", "estimates"])
    return tmp / "s.duckdb"


def test_the_report_and_the_cli_say_too_few_accounts_for_such_a_share(two_english_of_ten: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from botwatch.cli import app, common
    from botwatch.report.section_parties import parties_section
    from botwatch.study import open_study

    path = tmp_path / "s.duckdb"
    shutil.copy(two_english_of_ten, path)
    with open_study(path, read_only=True) as st:
        assert st.sql("SELECT n_accounts FROM estimates WHERE period='campaign' AND account_group='all' AND party='conservative' AND metric='accounts'")[0][0] == 10
        sec = parties_section(st, {"election": UK})
    assert sec is not None
    text = re.sub(r"\s+", " ", re.sub("<[^>]+>", " ", str(sec.html)))
    start = text.index("Conservatives 30")
    row = text[start:text.index("Labour", start)]
    assert row.count("(too few accounts)") == 4, row
    assert "A share marked * (too few accounts) rests on the accounts with a post in its own denominator" in text
    assert "a share from fewer than 5 accounts with English posts has none (too few accounts)" in str(sec.html)
    heads = re.sub(r"\s+", " ", " ".join(re.sub("<[^>]+>", " ", str(h)) for h in sec.headline))
    assert "from 2 accounts: too few for 95% intervals" in heads, heads

    monkeypatch.setattr(common.out, "width", 400)
    res = CliRunner().invoke(app, ["estimate", str(path), "--election", "uk-ge2017", "--reps", "50", "--table", "parties"])
    assert res.exit_code == 0, res.output
    tory = next(ln for ln in res.output.splitlines() if ln.startswith("│ Conservatives"))
    assert [c.strip() for c in tory.split("│")[5:8]] == ["100.0% *", "0.0% *", "10"], tory
    assert "* too few accounts (fewer than 5; for a positive or negative share, accounts with an English post with a sentiment score)" in res.output
    res = CliRunner().invoke(app, ["estimate", str(path), "--election", "uk-ge2017", "--reps", "50"])
    assert res.exit_code == 0, res.output
    pos = next(ln for ln in res.output.splitlines() if "party-tagged positive" in ln)
    assert [c.strip() for c in pos.split("│")[4:6]] == ["too few accounts", "2"], pos


def test_the_note_is_given_where_only_a_group_table_holds_such_a_share(tmp_path: Path) -> None:
    """Twelve accounts name the Conservatives, eight in English; six are foreign-origin, two of
    them in English. The table of all accounts has its intervals; the foreign-origin table printed
    "100% (too few accounts)" beside "Accounts 6" with no word on why."""
    from botwatch.ingest.runner import ingest
    from botwatch.pipeline import Context, analyze
    from botwatch.report.section_parties import parties_section
    from botwatch.study import open_study

    lines = []
    for i in range(12):
        en = i < 8
        text = "Vote Tory, great strong leadership #GE2017 #conservatives" if en else "Wahl heute in Grossbritannien #GE2017 #conservatives"
        lines += [{"id_str": f"{i}-{k}", "full_text": f"{text} {k}", "created_at": f"Sat May 20 1{k}:{i:02d}:00 +0000 2017",
                   "user": {"id_str": f"u{i}", "screen_name": f"fan{i}"}, "lang": "en" if en else "de"} for k in range(3)]
    (tmp_path / "t.jsonl").write_text("\n".join(json.dumps(x) for x in lines) + "\n")
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        ingest(st, [str(tmp_path / "t.jsonl")])
        st.sql("CREATE TABLE account_scores (platform VARCHAR, account_id VARCHAR, bot_probability DOUBLE, origin_country VARCHAR, origin_probability DOUBLE, "
               "origin_probabilities VARCHAR)")
        for (a,) in st.sql("SELECT DISTINCT account_id FROM posts"):
            d = {"RU": 0.9, "GB": 0.1} if int(a[1:]) >= 6 else {"GB": 0.9, "RU": 0.1}
            st.sql("INSERT INTO account_scores VALUES ('twitter', ?, 0.1, ?, 0.9, ?)", [a, max(d, key=d.__getitem__), json.dumps(d)])
        analyze(st, Context(election=UK, log=lambda m: None, options={"bootstrap_reps": 50}), only=["content", "estimates"])
        sec = parties_section(st, {"election": UK})
    assert sec is not None
    text = re.sub(r"\s+", " ", re.sub("<[^>]+>", " ", str(sec.html)))
    main = text[text.index("Per party, campaign window, all accounts"):text.index("Per party: foreign-origin")]
    assert "too few accounts" not in main.split("Labour")[0], main
    foreign = text[text.index("Per party: foreign-origin"):]
    assert "100% * (too few accounts) 0% * (too few accounts)" in foreign.split("Labour")[0], foreign
    assert "A share marked * (too few accounts) rests on the accounts with a post in its own denominator" in text


def test_a_share_of_no_english_post_is_said_so_in_the_cli_table(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ten accounts naming the Conservatives, all in German: no sentiment share to give, and
    `estimate --table parties` printed "— [—]", an interval gone missing."""
    from botwatch.cli import app, common

    path = _ten_naming(tmp_path, 0)
    monkeypatch.setattr(common.out, "width", 400)
    res = CliRunner().invoke(app, ["estimate", str(path), "--election", "uk-ge2017", "--reps", "50", "--table", "parties"])
    assert res.exit_code == 0, res.output
    tory = next(ln for ln in res.output.splitlines() if ln.startswith("│ Conservatives"))
    assert [c.strip() for c in tory.split("│")[5:7]] == ["— (none in English)"] * 2, tory
    assert "[—]" not in res.output


def test_the_headline_says_nothing_was_read_where_no_post_is_in_english(tmp_path: Path) -> None:
    """The same study's headline read "only 0 could be read for stance …: of those 0, — supported
    the party and — opposed it (95% intervals from a bootstrap over accounts; …); — of those in
    English read as positive and — as negative": intervals claimed for shares that do not exist."""
    from botwatch.report.section_parties import parties_section
    from botwatch.study import open_study

    with open_study(_ten_naming(tmp_path, 0), read_only=True) as st:
        sec = parties_section(st, {"election": UK})
    assert sec is not None
    heads = re.sub(r"\s+", " ", " ".join(re.sub("<[^>]+>", " ", str(h)) for h in sec.headline))
    assert ("Of the 30 election posts in the study naming Conservatives, none could be read: all 30 are not in English and carry no party cue, "
            "and stance and sentiment are read in English only, so neither support for Conservatives nor the tone toward Conservatives is measured here.") in heads, heads
    assert "of those 0" not in heads and "95% intervals" not in heads and "—" not in heads, heads


def test_the_headline_says_no_sentiment_was_read_where_stance_was_read_from_cues_alone(tmp_path: Path) -> None:
    """All ten accounts in German, each post with #VoteConservative: stance is read from the cue,
    sentiment from nothing, and the headline read "— of those in English read as positive and —
    as negative"."""
    from botwatch.report.section_parties import parties_section
    from botwatch.study import open_study

    with open_study(_ten_naming(tmp_path, 0, cue=True), read_only=True) as st:
        sec = parties_section(st, {"election": UK})
    assert sec is not None
    heads = re.sub(r"\s+", " ", " ".join(re.sub("<[^>]+>", " ", str(h)) for h in sec.headline))
    assert "supported Conservatives" in heads, heads
    assert "; none of them is in English, so the tone toward Conservatives is not measured (sentiment is read in English only)." in heads, heads
    assert "— of those in English" not in heads, heads
