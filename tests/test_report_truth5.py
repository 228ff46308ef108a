"""Report truth, fifth pass: the demo report (the bundled sample, us-2016) read sentence by
sentence for figures that say more than the data behind them.

- The seed-signal table read "acting in unison (coordination cluster) | 160 | 12 | 0" and
  "80%+ retweets | 55 | 19 | 0": none of those 12 or 19 accounts has a bot probability (the IRA
  release carries no profile facts), so "0 of which bot p ≥ 0.5" was a zero of nothing, quotable as
  "no coordinated account was automated"."""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path

from botwatch import open_study
from botwatch.report.section_accounts import accounts_section

UNISON = "acting in unison (coordination cluster)"
HANDLE = "15-character generated-looking handle"


def _words(markup: object) -> str:
    return " ".join(html.unescape(re.sub("<[^>]+>", " ", str(markup))).split())


def test_a_signal_whose_accounts_the_bot_model_could_not_score_reads_unknown_not_zero(analysed_sample_path: Path, tmp_path: Path) -> None:
    path = tmp_path / "s.duckdb"
    shutil.copy(analysed_sample_path, path)
    with open_study(path, read_only=False) as st:
        members, scored = st.sql("SELECT count(*), count(s.bot_probability) FROM (SELECT DISTINCT platform, account_id FROM cluster_members) "
                                 "JOIN account_scores s USING (platform, account_id)")[0]
        # Two of the generated-looking handles lose their probability: the rest are counted of those scored.
        st.sql("UPDATE account_scores SET bot_probability = NULL WHERE account_id IN (SELECT account_id FROM account_features "
               "WHERE handle_generated15 = 1 ORDER BY account_id LIMIT 2)")
        shown, left, bots = st.sql("SELECT count(*), count(s.bot_probability), count(*) FILTER (WHERE s.bot_probability >= 0.5) "
                                   "FROM account_features f JOIN account_scores s USING (platform, account_id) WHERE handle_generated15 = 1")[0]
        words = _words(accounts_section(st, {}).html)  # type: ignore[union-attr]
    assert members > 0 and scored == 0  # the sample's clusters are IRA accounts, none scored
    assert f"{UNISON} 160 {members} unknown (none scored)" in words, words
    assert shown > left > 0
    assert f"{HANDLE} 262 {shown} {bots} of {left} scored" in words
    assert re.search(r"more than 72 posts a day \(Three A's: activity\) [\d,]+ 0 0 ", words)  # nothing showing it: 0, as before


def test_the_most_likely_origin_table_adds_up_to_every_account_with_origin_evidence(analysed_sample_path: Path, tmp_path: Path) -> None:
    """The table listed the 12 countries with the most accounts and nothing else: on an IRA +
    gop-debate-2015 + TwiBot-20 study its rows added up to 1,772 of 1,781 accounts."""
    path = tmp_path / "s.duckdb"
    shutil.copy(analysed_sample_path, path)
    countries = ["AR", "AT", "BE", "BR", "CL", "CZ", "DK", "EE", "FI", "GR", "HU", "IS", "JP", "KE"]
    with open_study(path, read_only=False) as st:
        ids = [r[0] for r in st.sql("SELECT account_id FROM account_scores WHERE origin_country IS NOT NULL ORDER BY account_id LIMIT 15")]
        for i, aid in enumerate(ids):  # 13 countries of one account each and one of two
            st.sql("UPDATE account_scores SET origin_country = ?, origin_probability = 0.6 WHERE account_id = ?", [countries[min(i, 13)], aid])
        placed = st.sql("SELECT count(origin_country) FROM account_scores")[0][0]
        markup = str(accounts_section(st, {}).html)  # type: ignore[union-attr]
    table = markup.split("<caption>Most likely origin")[1].split("</table>")[0]
    counts = [int(n.replace(",", "")) for n in re.findall(r'<td class="num">([\d,]+)</td><td class="num">[\d,]+</td>', table)]
    assert sum(counts) == placed, (counts, placed)
    assert "other countries</td>" in table, table


def _foreign_line(pos: object, neg: object, every: object = None, **extra: object) -> str:
    from botwatch.estimates.reference import RefRow
    from botwatch.report.fmt import num, pct_ci
    from botwatch.report.sections import render

    f = RefRow("Posts by foreign-origin accounts, 30 days before polling day", "posts", 40.0, 40.0, 20.0, 60.0, 8, False)
    markup = render("parties_headline.html.j2", kind="foreign", country="US", weak=None, f=f, pos=pos, neg=neg, scaled=False, not_sample=False, rate=None,
                    scope=None, num=num, pct_ci=pct_ci, every=every, **extra)
    return _words(markup)


def test_the_foreign_origin_tone_says_it_is_the_sentiment_models_reading() -> None:
    """The demo's headline read "16% … of their party-tagged English posts were positive and 63% …
    negative" bare, where the party headlines beside it say the same model read ordinary debate
    tweets 47% negative where the crowd read 62%."""
    from botwatch.content.stance import SENTIMENT_EXTERNAL
    from botwatch.estimates.reference import RefRow
    from botwatch.report.fmt import pct

    def share(label: str, v: float | None) -> RefRow:
        return RefRow("Foreign-origin accounts' party-tagged posts, 30 days before polling day", label, v, v, None if v is None else v / 2, v, 9, True)

    caveat = "These tones are the sentiment model's reading and may be well off: on 8,816 ordinary debate tweets labelled by crowd workers it read 47% as negative where the crowd read 62%."
    said = _foreign_line(share("positive", 0.2), share("negative", 0.6), external=SENTIMENT_EXTERNAL, pct=pct)
    assert "were positive and" in said and said.endswith(caveat), said
    # No tone given (none of their party posts in English): nothing to caution about.
    said = _foreign_line(share("positive", None), share("negative", None), external=SENTIMENT_EXTERNAL, pct=pct)
    assert "not measured" in said and "sentiment model's reading" not in said, said


def test_the_demo_headline_on_foreign_origin_posts_carries_the_sentiment_check(analysed_sample_path: Path, tmp_path: Path) -> None:
    from botwatch.elections import load_election
    from botwatch.report.section_parties import parties_section

    path = tmp_path / "s.duckdb"
    shutil.copy(analysed_sample_path, path)
    with open_study(path) as st:
        sec = parties_section(st, {"election": load_election("us-2016")})
    foreign = [_words(h) for h in sec.headline if "Foreign-origin accounts" in str(h)]  # type: ignore[union-attr]
    assert len(foreign) == 1 and "These tones are the sentiment model's reading and may be well off" in foreign[0], foreign


def test_the_circadian_headline_says_how_many_accounts_each_share_is(tmp_path: Path) -> None:
    """The demo headlined "94% [74–99%] of the 18 accounts with a clear daily rhythm keep the hours …;
    11% [3–33%] fit UTC+3 ± 1 (Moscow)": 11% of 18 is 2 accounts, quotable as a tenth of them.
    The counts stand beside the shares, as the origin headline's "228 of them, 97% [93–98%]"."""
    from datetime import date
    from types import SimpleNamespace

    from botwatch.report.sections import render
    from botwatch.timeline.report import circadian_block

    st = open_study(tmp_path / "s.duckdb", read_only=False)
    try:
        st.sql("CREATE TABLE circadian (platform VARCHAR, account_id VARCHAR, best_offset INTEGER, informative BOOLEAN)")
        offsets = [3, 3, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, -5]
        st.sql("INSERT INTO circadian SELECT 'twitter', CAST(i AS VARCHAR), o, true FROM (SELECT unnest(?) AS o, unnest(range(?)) AS i)", [offsets, len(offsets)])
        circ = circadian_block(st, SimpleNamespace(polling_day=date(2016, 11, 8), timezone="America/New_York", country="US"))
    finally:
        st.close()
    assert circ is not None and circ["informative"] == 18
    text = _words(render("time_headline.html.j2", kind="circadian", c=circ))
    assert re.search(r"^17 of the 18 accounts with a clear daily rhythm, 94% \[[\d–]+%\], keep the hours", text), text
    assert re.search(r"; 2 of the 18, 11% \[[\d–]+%\], fit UTC\+3 ± 1 \(Moscow\)", text), text


def test_the_circadian_headlines_moscow_count_is_of_all_the_accounts_not_of_those_away(tmp_path: Path) -> None:
    """The uk-ge2017 demo headlined "14 of the 18 accounts … keep the hours of a human day at least 3
    hours away from … (UTC+1); 1 of them, 5.6% […], fits UTC+3 ± 1 (Moscow)": that account, at UTC+3,
    is 2 hours from home and none of the 14, and 5.6% is of the 18. The count names its whole."""
    from datetime import date
    from types import SimpleNamespace

    from botwatch.report.sections import render
    from botwatch.timeline.report import circadian_block

    st = open_study(tmp_path / "s.duckdb", read_only=False)
    try:
        st.sql("CREATE TABLE circadian (platform VARCHAR, account_id VARCHAR, best_offset INTEGER, informative BOOLEAN)")
        offsets = [-4, -2, -1, 0, 2, 3, 5, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 7]  # the uk-ge2017 demo's informative fits
        st.sql("INSERT INTO circadian SELECT 'twitter', CAST(i AS VARCHAR), o, true FROM (SELECT unnest(?) AS o, unnest(range(?)) AS i)", [offsets, len(offsets)])
        circ = circadian_block(st, SimpleNamespace(polling_day=date(2017, 6, 8), timezone="Europe/London", country="GB"))
    finally:
        st.close()
    assert circ is not None and (circ["informative"], circ["k_far"], circ["k_msk"]) == (18, 14, 1), circ
    text = _words(render("time_headline.html.j2", kind="circadian", c=circ))
    assert re.search(r"^14 of the 18 accounts with a clear daily rhythm, 78% \[[\d–]+%\], keep", text), text
    assert re.search(r"; 1 of the 18, 5\.6% \[1\.0–25\.8%\], fits UTC\+3 ± 1 \(Moscow\)", text), text
    assert "of them" not in text, text


def _circadian(tmp_path: Path, offsets: list[int], name: str = "s", informative: bool = True) -> dict:
    """`circadian_block` over fits at `offsets` (informative or not), for us-2016 (home UTC-10 to UTC-5)."""
    from datetime import date
    from types import SimpleNamespace

    from botwatch.timeline.report import circadian_block

    st = open_study(tmp_path / f"{name}.duckdb", read_only=False)
    try:
        st.sql("CREATE TABLE circadian (platform VARCHAR, account_id VARCHAR, best_offset INTEGER, informative BOOLEAN)")
        st.sql("INSERT INTO circadian SELECT 'twitter', CAST(i AS VARCHAR), o, ? FROM (SELECT unnest(?) AS o, unnest(range(?)) AS i)",
               [informative, offsets, len(offsets)])
        circ = circadian_block(st, SimpleNamespace(polling_day=date(2016, 11, 8), timezone="America/New_York", country="US"))
    finally:
        st.close()
    assert circ is not None
    return circ


def _when_paragraph(circ: dict) -> str:
    """The When section's circadian paragraph around `circ` alone."""
    from datetime import date

    from botwatch.report.sections import render

    words = _words(render("time.html.j2", circ={**circ, "groups": []}, span=(date(2016, 10, 1), date(2016, 11, 8)), span_words={"in_window": True},
                          election=None, figures=[], events=[], hours="", bursts=[], tests=[], impact=[], notes=[]))
    return words[words.index("Circadian origin"):words.index("Best-fit UTC offset")]


def test_the_when_section_says_how_many_accounts_each_circadian_share_is(tmp_path: Path) -> None:
    """The section under the headline read "Among those, 11% [3–33%] keep a human day best fitted at
    UTC+3 ± 1 … and 94% [74–99%] at least 3 hours away": 2 and 17 of 18 accounts, as the headline
    now says. With one account it gave a share of one ("100% [21–100%]")."""
    text = _when_paragraph(_circadian(tmp_path, [3, 3] + [6] * 15 + [-5]))
    assert re.search(r"Among those, 2 of 18, 11% \[[\d–]+%\], keep a human day best fitted at UTC\+3 ± 1 \(Moscow", text), text
    assert re.search(r"; 17 of 18, 94% \[[\d–]+%\], keep a human day at least 3 hours away from", text), text
    single = _when_paragraph(_circadian(tmp_path, [3] + [6] * 17, "single"))
    assert re.search(r"Among those, 1 of 18, [\d.]+% \[[\d.–]+%\], keeps a human day", single), single
    # The share away from home has its own verb, agreeing with its own count: gapped after
    # ", and" it took the Moscow clause's "keeps" (1 of 18) for all 18.
    assert re.search(r"; 18 of 18, 100% \[[\d–]+%\], keep a human day at least 3 hours away from", single), single
    far_one = _when_paragraph(_circadian(tmp_path, [3, 3, 6] + [-5] * 15, "far_one"))
    assert re.search(r"; 3 of 18, [\d.]+% \[[\d.–]+%\], keep a human day at least 3 hours away", far_one), far_one
    lone = _when_paragraph(_circadian(tmp_path, [6] + [-5] * 17, "lone"))
    assert re.search(r"; 1 of 18, [\d.]+% \[[\d.–]+%\], keeps a human day at least 3 hours away", lone), lone
    assert ", and 1 of 18" not in lone and ", and 3 of 18" not in far_one, (lone, far_one)
    one = _when_paragraph(_circadian(tmp_path, [3], "one"))
    assert "That account keeps a human day best fitted at UTC+3 ± 1 (Moscow" in one and "; it keeps its day at least 3 hours away from" in one, one
    assert "evidence. That account" in one and "%" not in one.split("On ordinary")[0], one
    # No account with a clear rhythm: no share at all ("Among those, 0 of 0, —").
    none = _when_paragraph(_circadian(tmp_path, [3], "none", informative=False))
    assert "for 0 the daily rhythm is clear enough to be evidence. So no share is given" in none and "—" not in none and "Among" not in none, none
    home = _when_paragraph(_circadian(tmp_path, [-5], "home"))
    assert "That account does not keep a human day best fitted" in home and "; it does not keep its day at least 3 hours away" in home, home


def test_the_accounts_section_counts_only_accounts_with_a_probability_as_scored(analysed_sample_path: Path, tmp_path: Path) -> None:
    """The section opened "N accounts were scored" over every row of `account_scores`, one with
    neither a bot probability nor origin evidence included: it says what each account has."""
    path = tmp_path / "s.duckdb"
    shutil.copy(analysed_sample_path, path)
    with open_study(path, read_only=False) as st:
        rows = st.sql("SELECT count(*) FROM account_scores")[0][0]
        origin = [c for c in ("origin_country", "origin_probability", "origin_probabilities") if c in st.columns("account_scores")]
        st.sql(f"UPDATE account_scores SET bot_probability = NULL, {', '.join(f'{c} = NULL' for c in origin)} WHERE account_id IN "
               "(SELECT account_id FROM account_scores WHERE bot_probability IS NOT NULL AND origin_country IS NOT NULL ORDER BY account_id LIMIT 3)")
        scored, placed = st.sql("SELECT count(bot_probability), count(origin_country) FROM account_scores")[0]
        words = _words(accounts_section(st, {}).html)  # type: ignore[union-attr]
    assert rows > scored > 0
    assert "were scored" not in words and f"{rows:,} accounts" not in words.split("had some origin evidence")[0], words[:400]
    assert words.startswith(f"{scored:,} accounts had a bot probability (profile facts the bot model can read);"), words[:400]
    assert f"{placed:,} accounts had some origin evidence" in words
    assert "3 accounts had neither a bot probability nor origin evidence." in words
    # Its own sentence: the block tag's stripped line break ran it into the one before ("gives the same 84 here.)413 accounts").
    assert " 3 accounts had neither" in words, words
