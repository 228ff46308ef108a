"""A profile with no time it was seen (TwiBot-20's profiles, a user lookup) has no account age. The
labelled accounts all have theirs, so the trees never saw it unknown, and LightGBM read the
unknown as 0, an account one day old: "account age (days) is unknown, which raised the bot score
(+0.52 log-odds)" for @kanyewest and every other profile of such a file, and no posts per day.
Such an account is now scored at each of the labelled accounts' age deciles (the model file's
`age_reference`), with the per-day rates taken again at each age, and the log-odds averaged
(docs/model-card-bot.md, "Profiles without an age")."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from botwatch.accounts.botmodel import AGE_REFERENCE_KEY, shipped_model
from botwatch.accounts.ood import age_unknown_band, assess, band_from_meta

# A well-liked, active profile of unknown age (as TwiBot-20 gives @kanyewest: likes, post count).
PROFILE = {"log_likes": np.log1p(7.0), "log_likes_per_day": np.nan, "log_age_days": np.nan, "default_profile": 0.0,
           "default_image": 0.0, "log_posts_per_day": np.nan, "self_declared_bot": 0.0, "automation_words": 0.0,
           "description_mentions": 0.0, "has_location": 0.0, "has_url": 1.0, "log_posts_count": np.log1p(1_400.0)}


def _frame(**over: float) -> pd.DataFrame:
    return pd.DataFrame([{**PROFILE, **over}])


def _at(age_log: float) -> pd.DataFrame:
    days = max(np.expm1(age_log), 1.0)
    return _frame(log_age_days=age_log, log_likes_per_day=np.log1p(7.0 / days), log_posts_per_day=np.log1p(1_400.0 / days))


def test_the_shipped_model_holds_reference_ages_and_their_measured_interval() -> None:
    model = shipped_model()
    ref = model.meta[AGE_REFERENCE_KEY]
    assert len(ref) == 9 and ref == sorted(ref) and 5.0 < ref[0] < ref[-1] < 9.5  # about 1 to 25 years
    assert age_unknown_band(model.meta) > band_from_meta(model.meta)  # measured less sure with the age unknown


def test_an_unknown_age_is_the_mean_over_the_reference_ages_not_a_one_day_old_account() -> None:
    model = shipped_model()
    ref = model.meta[AGE_REFERENCE_KEY]
    got = model.raw(_frame())[0]
    want = np.mean([model.raw(_at(a))[0] for a in ref])
    assert got == pytest.approx(want, abs=1e-9)
    one_day = model.booster.predict(_frame()[model.features].to_numpy("float64"), raw_score=True)[0]  # as LightGBM reads NaN
    assert abs(got - one_day) > 0.2
    contrib = model.contributions(_frame())
    assert contrib[0].sum() == pytest.approx(got, abs=1e-9)  # the evidence adds up to the score it explains


def test_without_the_post_count_the_rate_keeps_its_own_value() -> None:
    """The stage passes `log_posts_count` beside the model's features; a caller that does not
    leaves posts per day as given (here unknown) at every reference age."""
    model = shipped_model()
    a = model.raw(_frame().drop(columns=["log_posts_count"]))[0]
    b = model.raw(_frame())[0]
    assert a != b


def test_the_evidence_and_the_interval_say_how_it_was_scored() -> None:
    model = shipped_model()
    items = model.evidence(_frame())[0]
    unknown = [i["sentence"] for i in items if i["value"] is None]
    assert unknown and all("labelled accounts" in s for s in unknown), items
    known_age = model.evidence(_at(7.0))[0]
    assert not any("labelled accounts" in i["sentence"] for i in known_age)
    X = pd.concat([_frame(), _at(7.0)], ignore_index=True)
    p = model.predict(X)
    a = assess(model, X, p)
    widths = a["high"] - a["low"]
    assert widths[0] > widths[1] + 0.05


def test_a_model_file_without_reference_ages_reads_as_before() -> None:
    """A model trained before 2026-12-05 (a user's file) has no `age_reference`: scored as then."""
    from dataclasses import replace

    model = shipped_model()
    old = replace(model, meta={k: v for k, v in model.meta.items() if k != AGE_REFERENCE_KEY})
    as_then = model.booster.predict(_frame()[model.features].to_numpy("float64"), raw_score=True)[0]
    assert old.raw(_frame())[0] == pytest.approx(as_then)


def _profiles(path, with_age: bool):  # type: ignore[no-untyped-def]
    """Four TwiBot-20-shaped profiles (generated, for the code path): no time they were seen, so
    no age; `with_age` gives each a timed v1.1 status instead (the age known at the status)."""
    import json

    people = [("a1", "Ann", "2010-03-01", 1200, 40, 300), ("b2", "Bo", "2015-06-01", 9000, 5, 20),
              ("c3", "Cy", "2019-01-15", 50, 2, 10), ("d4", "Di", "2012-11-30", 30000, 900, 1500)]
    if with_age:
        from datetime import datetime

        rows = [{"id_str": f"9{i}", "created_at": "Fri Jun 05 12:00:00 +0000 2020", "text": "hello there",
                 "user": {"id_str": h, "screen_name": h, "name": n, "created_at": datetime.fromisoformat(c).strftime("%a %b %d %H:%M:%S +0000 %Y"),
                          "followers_count": f, "friends_count": 10, "statuses_count": s, "favourites_count": likes,
                          "default_profile": False, "default_profile_image": False, "description": "", "location": "", "url": None}}
                for i, (h, n, c, s, likes, f) in enumerate(people)]
        path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
        return path
    from datetime import datetime

    data = [{"ID": h, "profile": {"id_str": f"{h} ", "screen_name": f"{h} ", "name": f"{n} ", "followers_count": f"{f} ", "friends_count": "10 ",
                                   "statuses_count": f"{s} ", "favourites_count": f"{likes} ", "listed_count": "1 ", "verified": "False ",
                                   "created_at": datetime.fromisoformat(c).strftime("%a %b %d %H:%M:%S +0000 %Y") + " ",
                                   "default_profile": "False ", "default_profile_image": "False ", "description": " ", "location": " "},
             "tweet": None, "domain": ["Politics"]}
            for h, n, c, s, likes, f in people]
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


@pytest.mark.parametrize("with_age", [False, True])
def test_the_automation_count_says_when_it_rests_on_unknown_ages(tmp_path, with_age: bool) -> None:  # type: ignore[no-untyped-def]
    """The report's automation count on TwiBot-20's profiles (every age unknown) read as any other;
    it now says the ages are unknown, how the scores were taken and how far such scores were off
    held out. A study whose accounts have their age does not carry the sentence."""
    from typer.testing import CliRunner

    from botwatch.cli import app
    from botwatch.report.context import report_context
    from botwatch.report.headlines import key_numbers
    from botwatch.study import open_study

    src = _profiles(tmp_path / ("statuses.jsonl" if with_age else "profiles.json"), with_age)
    study = tmp_path / "s.duckdb"
    runner = CliRunner()
    r = runner.invoke(app, ["ingest", str(study), str(src)])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["analyze", str(study), "--no-election", "--only", "accounts"])
    assert r.exit_code == 0, r.output
    with open_study(study) as st:
        nums = {k.label: k for k in key_numbers(st, report_context(st), set())}
        unknown = st.sql("SELECT count(*) FROM account_features WHERE log_age_days IS NULL")[0][0]
    automated = next(v for k, v in nums.items() if k.startswith("likely automated"))
    said = "The account age of all 4 scored accounts is unknown (no time the profile was seen), so their probabilities are averaged"
    if with_age:
        assert unknown == 0 and said not in (automated.caveat or "") and "account age of" not in (automated.caveat or "")
    else:
        assert unknown == 4 and said in automated.caveat, automated.caveat
        assert "such scores were off by 0.20 on average (calibration error, 0.14 with the ages known)" in automated.caveat


def test_one_account_out_of_distribution_is_one_account(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The TwiBot-20 report's accounts section read "1 scored accounts are out of distribution …
    Their bot probability is uncertain; each has a wider plausible range"."""
    import json
    import re

    from typer.testing import CliRunner

    from botwatch.cli import app
    from botwatch.study import open_study

    src = _profiles(tmp_path / "profiles.json", with_age=False)
    data = json.loads(src.read_text(encoding="utf-8"))
    data[3]["profile"]["favourites_count"] = "900000000 "  # far above any labelled account's likes
    src.write_text(json.dumps(data), encoding="utf-8")
    study, out = tmp_path / "s.duckdb", tmp_path / "r.html"
    runner = CliRunner()
    for args in (["ingest", str(study), str(src)], ["analyze", str(study), "--no-election", "--only", "accounts"],
                 ["report", str(study), "-o", str(out)]):
        r = runner.invoke(app, args)
        assert r.exit_code == 0, r.output
    with open_study(study) as st:
        assert st.sql("SELECT count(*) FILTER (WHERE bot_ood) FROM account_scores")[0][0] == 1
    text = " ".join(re.sub(r"<[^>]+>", " ", out.read_text(encoding="utf-8")).split())
    assert "1 scored account is out of distribution" in text and "Its bot probability is uncertain: its plausible range" in text
    assert "also takes in what the model says with those facts unknown, which widens it only where that answer falls outside it" in text
    assert "wider plausible range" not in text  # not so for every such account: TwiBot-20's TeaPainUSA
    assert "1 scored accounts" not in text


@pytest.mark.parametrize("bad", ["abc", ["x"], [float("nan")], [True], {"a": 1}, None])
def test_a_hand_edited_reference_or_table_is_read_as_absent(bad: object) -> None:
    """A user's model file whose `age_reference` or `loso_age_unknown` holds something else scored
    a profile-only study to "error: ValueError: could not convert string to float: 'abc'. This is
    a bug in botwatch": such a file now scores as one without them."""
    from dataclasses import replace

    model = shipped_model()
    odd = replace(model, meta={**model.meta, AGE_REFERENCE_KEY: bad, "loso_age_unknown": [bad]})
    as_then = model.booster.predict(_frame()[model.features].to_numpy("float64"), raw_score=True)[0]
    assert odd.raw(_frame())[0] == pytest.approx(as_then)
    assert age_unknown_band(odd.meta) is None
    p = odd.predict(_frame())
    assert assess(odd, _frame(), p)["high"][0] <= p[0] + band_from_meta(odd.meta) + 1e-12


def test_the_model_card_quotes_the_shipped_unknown_age_band() -> None:
    """The card's TwiBot-20 example (@TeaPainUSA, out of range, as wide as an in-range account of
    unknown age) kept ±0.187 after the 2026-12-07 retrain, whose band is 0.184 (`explain` prints
    0.15 with 0.00 to 0.34 for it)."""
    band = age_unknown_band(shipped_model().meta)
    assert band is not None
    card = " ".join((Path(__file__).resolve().parents[1] / "docs" / "model-card-bot.md").read_text(encoding="utf-8").split())
    assert f"keeps the ±{band:.3f} of an in-range account" in card


def test_the_model_card_reads_gilani_unknown_age_from_the_shipped_rows() -> None:
    """"Profiles without an age" read Gilani's mean probability as 0.217 known and 0.107 averaged
    (the location-drop model's) beside a table giving the shipped model's 0.215 and 0.101: the
    sentence quotes the shipped file's `loso_age_unknown` row, as the table does."""
    row = next(r for r in shipped_model().meta["loso_age_unknown"] if r["held_out"] == "gilani2017")
    card = " ".join((Path(__file__).resolve().parents[1] / "docs" / "model-card-bot.md").read_text(encoding="utf-8").split())
    known, averaged = row["age_known"]["mean_p"], row["unknown_averaged"]["mean_p"]
    assert f"bot share with any age ({known:.3f} known, {averaged:.3f} averaged against" in card


def test_the_model_card_quotes_the_report_unknown_age_clause_of_the_shipped_model() -> None:
    """The card quoted the report's clause as "off by 0.18 on average (calibration error, 0.14 with
    the ages known)", the model of 2026-12-07's first retrain; with the shipped file the report
    says 0.20 (`caveats.unknown_age_clause`, as the automation-count test above reads it)."""
    meta = shipped_model().meta
    off = age_unknown_band(meta)
    assert off is not None
    card = " ".join((Path(__file__).resolve().parents[1] / "docs" / "model-card-bot.md").read_text(encoding="utf-8").split())
    assert (f"such scores were off by {off:.2f} on average (calibration error, {band_from_meta(meta):.2f} "
            "with the ages known)") in card
