"""`botwatch evaluate-accounts`: the bot probability and origin against the observer's own labels.

Why: every shipped account-model figure was measured on other people's labelled accounts; the
figure a researcher needs is the one on theirs. The command measures it on the study as analysed,
records it, and the report quotes it. Labels here are written for the code paths (the bundled
sample has no labels); nothing is fitted to them. The real-data check (the botwiki + verified pair
through ingest, AUC 0.998 as `scripts/labelled_via_ingest.py` prints) is in docs/model-card-bot.md.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from botwatch.accounts.evaluate import AccountLabelsError, auc, bot_figures, load_account_labels, recorded_evaluation
from botwatch.cli import app
from testsupport.csv_files import write_rows
from testsupport.study_copies import copy_study


def test_labels_read_ids_handles_and_the_usual_spellings(tmp_path: Path) -> None:
    f = write_rows(tmp_path / "l.csv", ["Handle", "user_id", "bot", "country"],
               [["@Some_One", "", "yes", ""], ["", "123", "human", "ru"], ["x", "", "", "GB"], ["y", "", "TRUE", "us"], ["z", "", "0.0", ""]])
    got = load_account_labels(f)
    assert [(g.handle, g.account_id, g.bot, g.country) for g in got] == [
        ("some_one", None, 1, None), (None, "123", 0, "RU"), ("x", None, None, "GB"), ("y", None, 1, "US"), ("z", None, 0, None)]


@pytest.mark.parametrize("header,rows,words", [
    (["name", "bot"], [["a", "1"]], "names no account"),
    (["handle", "note"], [["a", "x"]], "has no label"),
    (["handle", "bot"], [["a", "maybe"], ["b", "2"]],
     "2 rows give a bot label that is not one of 1/0, true/false, yes/no, bot/human, 1.0/0.0, t/f or y/n (in any case): 'maybe' (line 2), '2' (line 3)"),
    # Counted by the word written, as the country item is, not one identical error per row.
    (["handle", "bot"], [[h, "Maybe"] for h in "abcd"] + [["e", "?"]],
     "l.csv: 5 rows give a bot label that is not one of 1/0, true/false, yes/no, bot/human, 1.0/0.0, t/f or y/n (in any case): 'maybe' (4 rows, lines 2, 3, 4, …), '?' (line 6)"),
    (["handle", "country"], [["a", "Russia"]], "1 row gives a country that is not a two-letter ISO code (RU, US, GB, …): 'Russia' (line 2; write 'RU')"),
    # A three-letter ISO code, as researchers' files often write, is refused with the two-letter one to write.
    (["handle", "country"], [["a", "RUS"], ["b", "deu"]],
     "2 rows give a country that is not a two-letter ISO code (RU, US, GB, …): 'RUS' (line 2; write 'RU'), 'deu' (line 3; write 'DE')"),
    # Counted by the value written, not one identical error per row.
    (["handle", "country"], [[h, "United Kingdom"] for h in "abcd"] + [["e", "Narnia"]],
     "l.csv: 5 rows give a country that is not a two-letter ISO code (RU, US, GB, …): 'United Kingdom' (4 rows, lines 2, 3, 4, …; write 'GB'), 'Narnia' (line 6)"),
    (["handle", "bot"], [["", "1"]], "line 2: no account_id and no handle"),
    # An account not labelled yet refused the file saying what was missing, not what to do.
    (["handle", "bot", "country"], [["a", "", ""]], "line 2: neither a bot label nor a country (give the row one, or delete it)"),
    (["handle", "bot"], [], "holds no labelled account"),
    # Rows a spreadsheet saved as ",": said as `content evaluate` says it, not only "no account".
    (["handle", "bot"], [["", ""], ["", ""]], "l.csv holds no labelled account: every row below the header is empty"),
])
def test_a_bad_labels_file_is_one_error_naming_its_lines(tmp_path: Path, header: list[str], rows: list[list[object]], words: str) -> None:
    f = write_rows(tmp_path / "l.csv", header, rows)
    with pytest.raises(AccountLabelsError, match=None) as exc:
        load_account_labels(f)
    assert words in str(exc.value)


def test_every_country_the_origin_model_names_has_its_three_letter_code() -> None:
    # A country added to countries.tsv without its alpha-3 code would be refused without the hint.
    from botwatch.accounts.gazetteer import ALPHA3, countries

    assert sorted(ALPHA3.values()) == sorted(countries())
    assert all(len(k) == 3 and k.isupper() for k in ALPHA3)


@pytest.mark.parametrize("sep, said", [(";", "separated by semicolons (;)"), ("\t", "separated by tabs")])
def test_a_semicolon_separated_file_says_so(tmp_path: Path, sep: str, said: str) -> None:
    """A spreadsheet set to a European locale saves "handle;bot": the file was refused as naming no
    account, with its one column listed and not a word of the separator."""
    f = tmp_path / "l.csv"
    f.write_text(f"handle{sep}bot\nalice{sep}1\n", encoding="utf-8")
    with pytest.raises(AccountLabelsError) as exc:
        load_account_labels(f)
    assert "names no account" in str(exc.value) and said in str(exc.value) and 'save it as "CSV (comma delimited)"' in str(exc.value)


def test_rows_a_spreadsheet_left_empty_are_skipped_with_their_lines(tmp_path: Path) -> None:
    """Excel saves rows it once formatted as ",,": each was "no account_id and no handle" and the
    whole file was refused, though a blank line (which the csv reader skips) is no more empty."""
    f = tmp_path / "l.csv"
    f.write_text("handle,bot\r\nalice,1\r\n,\r\n , \r\n", encoding="utf-8")
    lines: list[int] = []
    got = load_account_labels(f, empty_lines=lines)
    assert [(a.handle, a.bot) for a in got] == [("alice", 1)] and lines == [3, 4]


def test_bot_labels_under_another_column_name_are_said_not_dropped(tmp_path: Path) -> None:
    """A spreadsheet's "Bot?" column beside a country column was not read, and the file scored on
    countries alone without a word of the missing bot figures; without a country, each row was
    "neither a bot label nor a country", the column never named."""
    f = write_rows(tmp_path / "l.csv", ["handle", "Bot?", "country"], [["a", "bot", "RU"], ["b", "human", "GB"]])
    notes: list[str] = []
    got = load_account_labels(f, notes=notes)
    assert [(g.handle, g.bot, g.country) for g in got] == [("a", None, "RU"), ("b", None, "GB")]
    assert notes == ["l.csv has no bot column (bot, is_bot, label), so no bot label is read; its other columns, not read: bot?. "
                     "If one holds your bot labels (1/0, bot/human), name it bot"]
    bare = write_rows(tmp_path / "b.csv", ["handle", "type", "country"], [["a", "bot", ""], ["b", "human", "GB"]])
    with pytest.raises(AccountLabelsError) as exc:
        load_account_labels(bare)
    assert "line 2: neither a bot label nor a country" in str(exc.value) and "its other columns, not read: type" in str(exc.value)
    # Countries alone, with nothing else in the file, are a file meant so: no note.
    only = write_rows(tmp_path / "c.csv", ["handle", "country"], [["a", "RU"]])
    notes = []
    load_account_labels(only, notes=notes)
    assert notes == []


def test_the_command_says_the_bot_column_it_did_not_find(scored: Path, tmp_path: Path) -> None:
    handle = _scored_accounts(scored)[0][1]
    labels = write_rows(tmp_path / "l.csv", ["handle", "Bot?", "country"], [[handle, "bot", "US"]])
    r = CliRunner().invoke(app, ["evaluate-accounts", str(scored), str(labels), "--boot", "20", "--no-record"])
    assert r.exit_code == 0 and "note: l.csv has no bot column (bot, is_bot, label)" in " ".join(r.output.split())


def test_the_columns_the_note_names_are_shown_not_obeyed(scored: Path, tmp_path: Path) -> None:
    """The note quotes the file's own header: an ESC in a column name reached the terminal raw
    (markup was escaped, control characters were not)."""
    handle = _scored_accounts(scored)[0][1]
    labels = write_rows(tmp_path / "l.csv", ["handle", "\x1b[2J[red]Bot?", "country"], [[handle, "bot", "US"]])
    r = CliRunner().invoke(app, ["evaluate-accounts", str(scored), str(labels), "--boot", "20", "--no-record"], env={"COLUMNS": "300"})
    assert r.exit_code == 0 and "\x1b" not in r.output, repr(r.output)
    assert "its other columns, not read: \\x1b[2j[red]bot?" in r.output, r.output


def test_auc_is_sklearns_with_ties() -> None:
    from sklearn.metrics import roc_auc_score

    rng = np.random.default_rng(3)
    y = rng.integers(0, 2, 300)
    p = np.round(rng.random(300) * 0.6 + y * 0.3, 1)  # rounded: many ties
    assert auc(y, p) == pytest.approx(roc_auc_score(y, p), abs=1e-12)
    assert np.isnan(auc(np.ones(5, int), np.linspace(0, 1, 5)))


def test_bot_figures_count_and_calibrate() -> None:
    y = np.array([1, 1, 0, 0, 0])
    p = np.array([0.9, 0.4, 0.6, 0.1, 0.2])
    b = bot_figures(y, p, boot=50)
    assert (b.n, b.bots, b.counted) == (5, 2, 2)
    assert b.auc == pytest.approx(5 / 6)  # one of six bot-human pairs out of order
    assert b.f1 == pytest.approx(0.5) and b.balanced_accuracy == pytest.approx((0.5 + 2 / 3) / 2)
    assert b.brier == pytest.approx(np.mean((p - y) ** 2))
    assert sum(r["n"] for r in b.reliability) == 5


@pytest.fixture()
def scored(scored_us_sample_path: Path, tmp_path: Path) -> Path:
    dst = tmp_path / "s.duckdb"
    copy_study(scored_us_sample_path, dst)
    return dst


def _scored_accounts(path: Path) -> list[tuple[str, str, float, str | None]]:
    from botwatch import open_study

    with open_study(path, read_only=True) as st:
        return [(str(a), str(h), float(p), c) for a, h, p, c in st.sql(
            "SELECT s.account_id, a.handle, s.bot_probability, s.origin_country FROM account_scores s JOIN accounts a USING (platform, account_id) "
            "WHERE s.bot_probability IS NOT NULL AND a.handle IS NOT NULL ORDER BY s.account_id")]


def test_the_command_measures_records_and_the_report_quotes_it(scored: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from sklearn.metrics import roc_auc_score

    import botwatch.accounts.training_accounts as ta
    from botwatch import open_study
    from botwatch.report.section_accounts import accounts_section

    # A few of the sample's accounts trained the shipped models (the next test reads that case).
    monkeypatch.setattr(ta, "account_training", lambda platform, aid, handle, own=None: {"origin": False, "bot": False})

    accts = _scored_accounts(scored)
    assert len(accts) >= 10
    # Labels for the code path: every third account called a bot whatever its score, so the AUC is
    # some middling number the test recomputes; half of them named by handle, with an "@".
    rows, y, p = [], [], []
    for i, (aid, handle, prob, origin) in enumerate(accts):
        bot = int(i % 3 == 0)
        rows.append([aid if i % 2 else "", f"@{handle.upper()}" if not i % 2 else "", bot, "RU" if i % 4 else (origin or "US")])
        y.append(bot)
        p.append(prob)
    rows.append(["no-such-account", "", 1, ""])
    labels = write_rows(tmp_path / "mine.csv", ["account_id", "handle", "bot", "country"], rows)
    r = CliRunner().invoke(app, ["evaluate-accounts", str(scored), str(labels), "--boot", "50"])
    assert r.exit_code == 0, r.output
    text = " ".join(r.output.split())
    want = roc_auc_score(y, p)
    assert f"{len(accts) + 1} labelled accounts, {len(accts)} found among the study's scored accounts" in text
    assert f"AUC [95% interval] │ {want:.3f}" in text and f"your labels: {sum(y)} bots" in text
    assert "Most likely origin against your labels" in text and "recorded in s.duckdb (stage accounts_evaluate)" in text
    with open_study(scored, read_only=False) as st:
        own = recorded_evaluation(st)
        sec = accounts_section(st, {})
    assert own is not None and own["bot"]["auc"] == round(want, 4) and own["bot"]["n"] == len(accts)
    head = " ".join(str(h) for h in sec.headline)
    assert f"which your own labels checked: on {len(accts)} labelled accounts of this study (mine.csv," in head
    assert f"where your labels name {sum(y)} bots" in head
    html = " ".join(str(sec.html).split())
    assert "Checked against your own labelled accounts" in html and "with <code>botwatch evaluate-accounts</code>" in html


def test_the_reproduction_block_gives_the_command_back(scored: Path, tmp_path: Path) -> None:
    from botwatch import open_study
    from botwatch.report.reproduce import reproduction

    accts = _scored_accounts(scored)
    labels = write_rows(tmp_path / "my labels.csv", ["account_id", "bot"], [[a, i % 2] for i, (a, *_r) in enumerate(accts)])
    assert CliRunner().invoke(app, ["evaluate-accounts", str(scored), str(labels), "--boot", "20"]).exit_code == 0
    with open_study(scored, read_only=True) as st:
        steps = reproduction(st, "s.duckdb")["steps"]
    assert "botwatch evaluate-accounts s.duckdb 'my labels.csv' --boot 20" in steps  # the resamples its intervals came from


def test_no_label_found_is_one_line_and_nothing_recorded(scored: Path, tmp_path: Path) -> None:
    from botwatch import open_study

    labels = write_rows(tmp_path / "l.csv", ["handle", "bot"], [["nobody_here_1", 1], ["nobody_here_2", 0]])
    r = CliRunner().invoke(app, ["evaluate-accounts", str(scored), str(labels)])
    assert r.exit_code == 2 and "none of the 2 labelled accounts of l.csv is among the study's scored accounts" in " ".join(r.output.split())
    assert f"as `botwatch export {scored} accounts_scored -o accounts.csv` lists them" in " ".join(r.output.split()), r.output
    assert "Traceback" not in r.output
    with open_study(scored, read_only=True) as st:
        assert recorded_evaluation(st) is None


def test_a_later_accounts_run_retires_the_evaluation(scored: Path, tmp_path: Path) -> None:
    """Scored again (perhaps by another model), the study's scores are no longer the ones measured."""
    from botwatch import open_study

    accts = _scored_accounts(scored)
    labels = write_rows(tmp_path / "l.csv", ["account_id", "bot"], [[a, i % 2] for i, (a, *_r) in enumerate(accts)])
    assert CliRunner().invoke(app, ["evaluate-accounts", str(scored), str(labels), "--boot", "20"]).exit_code == 0
    with open_study(scored, read_only=True) as st:
        assert recorded_evaluation(st) is not None
    assert CliRunner().invoke(app, ["analyze", str(scored), "--election", "us-2016", "--only", "accounts"]).exit_code == 0
    with open_study(scored, read_only=True) as st:
        assert recorded_evaluation(st) is None


@pytest.mark.parametrize("bot", [{"n": "5"}, {"n": 5, "bots": 2, "ece": 0.1, "counted": 2, "auc": 0.7, "auc_ci": [0.5]}, "x"])
def test_a_damaged_record_is_not_quoted(scored: Path, bot: object) -> None:
    from botwatch import open_study
    from botwatch.accounts.evaluate import EVALUATE_STAGE

    with open_study(scored, read_only=False) as st:
        with st.run(EVALUATE_STAGE, {"labels_file": "x.csv", "bot": bot}) as info:
            info["rows_written"] = 0
        assert recorded_evaluation(st) is None
        with st.run(EVALUATE_STAGE, {"labels_file": "x.csv", "bot": {"n": 5, "bots": 5, "ece": 0.1, "counted": 4, "auc": None, "auc_ci": [None, None]}}) as info:
            info["rows_written"] = 0
        got = recorded_evaluation(st)
    assert got is not None and got["bot"]["auc"] is None  # one class: no AUC, the rest quoted
    assert json.dumps(got)


@pytest.mark.spark
def test_a_lake_is_measured_and_records_as_a_duckdb_study(spark: object, scored: Path, tmp_path: Path) -> None:
    """The same labels give the same figures on a lake of the study, and the row is recorded there."""
    from botwatch import open_study
    from botwatch.engines.lake import lake_from_study

    accts = _scored_accounts(scored)
    hostile = [["x' OR '1'='1", 1, "RU"], ["a\\\\'b", 0, ""]]  # bound as values on Spark too
    labels = write_rows(tmp_path / "l.csv", ["handle", "bot", "country"], [[h, i % 2, "RU"] for i, (_a, h, *_r) in enumerate(accts)] + hostile)
    with open_study(scored, read_only=False) as st:
        lake_from_study(st, tmp_path / "lake", spark=spark).close()
    on_lake = CliRunner().invoke(app, ["evaluate-accounts", str(tmp_path / "lake"), str(labels), "--boot", "20"])
    on_duck = CliRunner().invoke(app, ["evaluate-accounts", str(scored), str(labels), "--boot", "20"])
    assert on_lake.exit_code == 0 and on_duck.exit_code == 0, on_lake.output + on_duck.output
    assert "recorded in lake (stage accounts_evaluate)" in on_lake.output
    assert f"{len(accts) + 2} labelled accounts, {len(accts)} found" in " ".join(on_lake.output.split())
    with open_study(tmp_path / "lake", spark=spark) as lk, open_study(scored) as duck:
        got = recorded_evaluation(lk)
        assert got is not None and {k: v for k, v in got.items() if k != "date"} == {k: v for k, v in recorded_evaluation(duck).items() if k != "date"}


def test_labelled_training_accounts_are_left_out_of_the_quoted_figures(scored: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A labelled account the model was fitted on is no test of it: the command says how many, gives
    the figures over the others, and the report quotes those, saying so."""
    from sklearn.metrics import roc_auc_score

    import botwatch.accounts.training_accounts as ta
    from botwatch import open_study
    from botwatch.report.section_accounts import accounts_section

    accts = _scored_accounts(scored)
    trained = {a for i, (a, *_r) in enumerate(accts) if i % 3 == 1}  # a third "trained" the model
    monkeypatch.setattr(ta, "account_training", lambda platform, aid, handle, own=None: {"origin": False, "bot": aid in trained})
    y = [int(i % 2 == 0) for i in range(len(accts))]
    labels = write_rows(tmp_path / "l.csv", ["account_id", "bot"], [[a, y[i]] for i, (a, *_r) in enumerate(accts)])
    r = CliRunner().invoke(app, ["evaluate-accounts", str(scored), str(labels), "--boot", "20"])
    assert r.exit_code == 0, r.output
    held = [(y[i], p) for i, (a, _h, p, _c) in enumerate(accts) if a not in trained]
    want = roc_auc_score([t for t, _ in held], [p for _, p in held])
    text = " ".join(r.output.split())
    assert f"{len(trained)} of these labelled accounts were among the bot model's training accounts" in text
    assert f"over the other {len(held)} ({sum(t for t, _ in held)} bots): AUC {want:.3f}" in text
    with open_study(scored, read_only=False) as st:
        head = " ".join(str(h) for h in accounts_section(st, {}).headline)
    assert f"on {len(held)} labelled accounts of this study (l.csv," in head
    assert f"(leaving out the {len(trained)} labelled accounts the bot model was trained on)" in head


def test_a_hostile_key_matches_nothing_and_breaks_no_query(scored: Path, tmp_path: Path) -> None:
    """Keys reach the engine as bound parameters: a quote, a backslash (an escape in Spark's SQL
    text) or a control character is a value like any other and matches no account here."""
    accts = _scored_accounts(scored)
    rows = [[accts[0][0], "", 1], ["", "x' OR '1'='1", 0], ["a\\\\'b", "", 1], ["", "tab\there", 0], ["", accts[1][1], 0]]
    labels = write_rows(tmp_path / "l.csv", ["account_id", "handle", "bot"], rows)
    r = CliRunner().invoke(app, ["evaluate-accounts", str(scored), str(labels), "--boot", "20", "--no-record"])
    assert r.exit_code == 0, r.output
    assert "5 labelled accounts, 2 found among the study's scored accounts" in " ".join(r.output.split())


def test_a_public_labelled_sets_own_columns_and_gzip_are_read(tmp_path: Path) -> None:
    """`id`, `screen_name` and `label` (TwiBot-20, the bot repository's files), gzipped as they ship."""
    import gzip

    f = tmp_path / "profiles.csv.gz"
    with gzip.open(f, "wt", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "label", "screen_name", "name"])
        w.writerow(["11", "1", "Feed_Bot", "x"])
        w.writerow(["12", "0", "someone", "y"])
    got = load_account_labels(f)
    assert [(g.account_id, g.handle, g.bot) for g in got] == [("11", "feed_bot", 1), ("12", "someone", 0)]
    bad = tmp_path / "cut.csv.gz"
    bad.write_bytes(f.read_bytes()[:20])
    with pytest.raises(AccountLabelsError, match="cannot read"):
        load_account_labels(bad)


def test_json_prints_every_figure_alone_on_stdout(scored: Path, tmp_path: Path) -> None:
    """`--json`: one object on stdout (the recording line goes to stderr), the figures the tables show."""
    from sklearn.metrics import roc_auc_score

    accts = _scored_accounts(scored)
    y = [i % 2 for i in range(len(accts))]
    labels = write_rows(tmp_path / "l.csv", ["account_id", "bot", "country"], [[a, y[i], "RU"] for i, (a, *_r) in enumerate(accts)])
    r = CliRunner().invoke(app, ["evaluate-accounts", str(scored), str(labels), "--boot", "20", "--json"])
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert "recorded in s.duckdb" in r.stderr
    assert d["labelled"] == d["found"] == len(accts) and d["bot"]["n"] + (d["bot_held_out"] or {}).get("n", 0) >= 1
    assert d["bot"]["auc"] == round(roc_auc_score(y, [p for _a, _h, p, _c in accts]), 4)
    assert d["origin"]["n"] == len(accts) and d["origin"]["by_country"][0]["country"] == "RU"
    assert sum(b["n"] for b in d["bot"]["reliability"]) == d["bot"]["n"]



def test_json_blocks_without_labels_of_their_kind_are_null_keys_kept(scored: Path, tmp_path: Path) -> None:
    """docs/model-card-bot.md gave `bot` and `origin` as objects, but a file of countries alone
    prints `"bot": null` (and bot labels alone `"origin": null`): a script reading
    `d["bot"]["auc"]` as the page read stopped on a TypeError. The page now says when each is
    null; every key is still there."""
    accts = _scored_accounts(scored)[:6]
    labels = write_rows(tmp_path / "c.csv", ["account_id", "country"], [[a, "RU"] for a, *_r in accts])
    r = CliRunner().invoke(app, ["evaluate-accounts", str(scored), str(labels), "--boot", "20", "--json", "--no-record"])
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert d["bot_scored"] == 0 and d["bot"] is None and d["bot_held_out"] is None and d["origin"]["n"] == len(accts)
    doc = " ".join((Path(__file__).resolve().parents[1] / "docs" / "model-card-bot.md").read_text(encoding="utf-8").split())
    assert "`bot` (null where `bot_scored` is 0" in doc and "`origin` (null where no account found has a country label)" in doc


class _Tables:
    """Just the two tables `match_labels` reads, in memory (a study's `sql(query, params)`)."""

    def __init__(self, rows: list[tuple[str, str, str, float]]) -> None:
        import duckdb

        self.con = duckdb.connect()
        self.con.execute("CREATE TABLE accounts (platform VARCHAR, account_id VARCHAR, handle VARCHAR)")
        self.con.execute("CREATE TABLE account_scores (platform VARCHAR, account_id VARCHAR, bot_probability DOUBLE, "
                         "origin_country VARCHAR, origin_probabilities VARCHAR)")
        for platform, aid, handle, p in rows:
            self.con.execute("INSERT INTO accounts VALUES (?, ?, ?)", [platform, aid, handle])
            self.con.execute("INSERT INTO account_scores VALUES (?, ?, ?, NULL, NULL)", [platform, aid, p])

    def sql(self, query: str, params: list[object] | None = None) -> list[tuple[object, ...]]:
        return self.con.execute(query, params or []).fetchall()


def test_a_mastodon_account_is_found_by_its_full_address(tmp_path: Path) -> None:
    """A Mastodon account collected on its own instance is stored with its local handle ("alice");
    labelled "@alice@example.social", as such accounts are written elsewhere (and as `botwatch
    explain` finds it), it matched nothing and was left out of every figure."""
    from botwatch.accounts.evaluate import match_labels

    study = _Tables([("mastodon", "https://example.social/@alice", "alice", 0.2), ("mastodon", "https://other.social/@bob", "bob@other.social", 0.9),
                     ("mastodon", "https://elsewhere.social/@alice", "alice@elsewhere.social", 0.7)])
    labels = load_account_labels(write_rows(tmp_path / "l.csv", ["handle", "bot"],
                                            [["@Alice@Example.social", "0"], ["@bob@other.social", "1"], ["@carol@example.social", "1"]]))
    m = match_labels(study, labels)
    assert [r and r["account_id"] for r in m.rows] == ["https://example.social/@alice", "https://other.social/@bob", None]
    assert m.ambiguous == 0


def test_a_label_whose_id_names_no_account_is_found_by_its_handle(tmp_path: Path) -> None:
    """A spreadsheet writes 18-digit ids as "7.35E+17": every row then matched nothing, and the
    error asked for the handles the file already held."""
    from botwatch.accounts.evaluate import match_labels

    study = _Tables([("twitter", "735185696030359557", "ArsLongVitaBrev", 0.9), ("twitter", "836897939461144577", "bankedits", 0.8)])
    labels = load_account_labels(write_rows(tmp_path / "l.csv", ["account_id", "handle", "bot"],
                                            [["7.35E+17", "arslongvitabrev", "1"], ["836897939461144577", "someone_else", "1"], ["8.37E+17", "", "1"]]))
    m = match_labels(study, labels)
    assert [r and r["account_id"] for r in m.rows] == ["735185696030359557", "836897939461144577", None]


def test_a_country_labelled_uk_is_gb(tmp_path: Path) -> None:
    """"UK" (and the EU's "EL" for Greece) passed as two letters and could never be placed, since
    the origin model names the country GB; every other place a user gives a country reads it so."""
    got = load_account_labels(write_rows(tmp_path / "l.csv", ["handle", "country"], [["a", "uk"], ["b", " EL "], ["c", "ru"]]))
    assert [g.country for g in got] == ["GB", "GR", "RU"]


def test_f1_is_not_measured_without_a_labelled_bot() -> None:
    """Labels naming humans only, none scored 0.5 or more: the table said "F1 at 0.5: 0.000", a
    failing mark for a model that made no mistake; with no bot F1 has nothing to measure."""
    b = bot_figures(np.zeros(6, int), np.array([0.1, 0.2, 0.05, 0.3, 0.4, 0.1]), boot=10)
    assert np.isnan(b.f1) and b.counted == 0
    assert bot_figures(np.array([1, 0, 0]), np.array([0.2, 0.1, 0.3]), boot=10).f1 == 0.0  # a bot, missed: F1 is 0


def test_a_field_too_large_to_read_is_located(tmp_path: Path) -> None:
    """The csv module's "field larger than field limit (131072)" refused the file and named no row."""
    f = tmp_path / "l.csv"
    f.write_text("handle,bot\nx,1\ny,0\n" + "a" * 140_000 + ",1\nb,0\n", encoding="utf-8")
    before = csv.field_size_limit(131_072)  # the csv module's default; ingest, run earlier in this process, raises it
    try:
        with pytest.raises(AccountLabelsError, match=r"line 4: field larger than field limit"):
            load_account_labels(f)
    finally:
        csv.field_size_limit(before)


def test_figures_whose_training_accounts_are_unknown_say_so() -> None:
    """A user's model that scored the study, its file since moved: which labelled accounts it was
    trained on cannot be read, and the figures were printed, recorded and quoted as out of sample."""
    from botwatch.accounts.evaluate import AccountLabel, Matched, evaluate, quoted

    labels = [AccountLabel(i + 2, str(i), None, i % 2, None) for i in range(6)]
    rows = [{"platform": "twitter", "account_id": str(i), "handle": f"h{i}", "bot_probability": 0.2 + 0.1 * i} for i in range(6)]
    ev = evaluate(Matched(labels, rows), boot=10, own_bot_model={})  # {}: a user's model botwatch cannot find
    assert (ev.bot_training, ev.bot_training_unknown, ev.bot_held_out) == (0, 6, None)
    own = quoted({"labels_file": "l.csv", "date": "", "bot": {"n": 6}, "bot_training": 0, "bot_training_unknown": 6, "origin": None})
    assert own is not None and "trained on is unknown" in own["bot_note"] and "may be no out-of-sample figure" in own["bot_note"]
    assert evaluate(Matched(labels, rows), boot=10).bot_training_unknown == 0  # the shipped list says which


def test_labelled_counts_accounts_not_rows(tmp_path: Path) -> None:
    """`--json`'s `labelled`, `bot_labelled` and `country_labelled` counted the file's rows while
    `found` and `bot_scored` count accounts: an account on two rows, found or not, was two."""
    from botwatch.accounts.evaluate import evaluate, evaluation_json, match_labels

    study = _Tables([("twitter", "1", "alice", 0.9), ("twitter", "2", "bob", 0.1)])
    labels = load_account_labels(write_rows(tmp_path / "l.csv", ["handle", "bot", "country"],
                                            [["alice", "1", ""], ["@Alice", "1", "RU"], ["ghost", "0", ""], ["ghost", "0", "US"], ["bob", "0", ""]]))
    d = evaluation_json(evaluate(match_labels(study, labels), boot=10), "l.csv")
    assert (d["label_rows"], d["labelled"], d["found"], d["bot_labelled"], d["bot_scored"], d["country_labelled"]) == (5, 3, 2, 3, 2, 2)


def test_one_account_on_two_rows_not_found_is_one_account(scored: Path, tmp_path: Path) -> None:
    labels = write_rows(tmp_path / "l.csv", ["handle", "bot"], [["nobody_here", 1], ["@Nobody_Here", 1]])
    r = CliRunner().invoke(app, ["evaluate-accounts", str(scored), str(labels), "--json"])
    assert r.exit_code == 2 and "none of the 1 labelled account of l.csv is among" in " ".join(r.output.split())


def test_a_recorded_evaluations_unknown_training_note_names_both_causes() -> None:
    """The note blamed a model file not at hand, where an evaluation of a study that does not
    record its bot model has unknown training flags for that reason instead."""
    from botwatch.accounts.evaluate import quoted

    got = quoted({"bot": {"auc": 0.8, "auc_ci": [0.7, 0.9], "n": 40, "bots": 20}, "bot_training": 0, "bot_training_unknown": 3})
    assert got is not None and "or the study does not record which model scored it" in got["bot_note"], got
