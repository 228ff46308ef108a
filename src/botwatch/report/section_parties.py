"""Report section: support, opposition and sentiment per party, with 95% intervals.

Reads the `estimates` table (the estimates stage) and `post_party` / `post_labels` (the content
stage). Intervals come from the bootstrap over accounts; counts are scaled only when the study was
analysed with a sample rate. The stance rules' measured accuracy is printed beside the numbers,
because a support count is only as good as the rules that decided it.
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

from botwatch.content.stance import MEASURED, MEASURED_BY_ELECTION, MODEL_RULES, PRIOR_RULES, STANCE_RULES
from botwatch.estimates.compute import MIN_ACCOUNTS_FOR_INTERVAL, TOO_FEW
from botwatch.estimates.reference import reference_rows
from botwatch.report.fmt import num, pct, pct_ci
from botwatch.report.sections import Section, render, section
from botwatch.report.svg import hbars
from botwatch.study import Study

GROUP_LABELS = {"all": "all accounts", "likely_automated": "likely automated accounts (bot probability ≥ 0.5)", "foreign_origin": "foreign-origin accounts (probability of being run from outside the election's country ≥ 0.5)"}


def _est(study: Study, period: str, group: str) -> dict[tuple[str, str], dict[str, Any]]:
    rows = study.sql(
        "SELECT party, metric, observed, estimate, ci_low, ci_high, n_accounts FROM estimates WHERE period = ? AND account_group = ?",
        [period, group],
    )
    return {(p, m): {"observed": o, "estimate": e, "lo": lo, "hi": hi, "accounts": n} for p, m, o, e, lo, hi, n in rows}


def _too_few(v: dict[str, Any]) -> bool:
    """An estimate from too few accounts to have an interval (the estimates stage gives none)."""
    return v["lo"] is None and v.get("accounts") is not None and 0 < v["accounts"] < MIN_ACCOUNTS_FOR_INTERVAL


def _count(v: dict[str, Any] | None) -> str:
    if not v or v["estimate"] is None:
        return "—"
    ci = f" [{num(v['lo'])}–{num(v['hi'])}]" if v["lo"] is not None else (f" ({TOO_FEW})" if _too_few(v) else "")
    return f"{num(round(v['estimate']))}{ci}"


def _share(v: dict[str, Any] | None) -> str:
    if not v or v["estimate"] is None:
        return "—"
    if _too_few(v):
        return f"{pct(v['estimate'])} ({TOO_FEW})"
    return pct_ci(v["estimate"], v["lo"], v["hi"])


def _unread(posts: dict[str, Any], measured: dict[str, Any] | None) -> int:
    """Posts of a party cell whose stance was not measured (estimates made before that metric: 0)."""
    if not measured or measured["observed"] is None:
        return 0
    return int(round((posts["observed"] or 0) - measured["observed"]))


def _party_rows(est: dict, parties: list[tuple[str, str, str]]) -> list[dict[str, Any]]:
    out = []
    for key, name, colour in parties:
        posts = est.get((key, "posts"))
        if not posts or not posts["observed"]:
            continue
        out.append({
            "key": key, "name": name, "colour": colour,
            "posts": _count(posts), "observed_posts": posts["observed"],
            # Non-English posts that only name the party: their stance is not measured and the shares leave them out.
            "unread": _unread(posts, est.get((key, "stance_measured_posts"))),
            "accounts": num(est.get((key, "accounts"), {}).get("observed")),
            "support": _count(est.get((key, "support_posts"))), "oppose": _count(est.get((key, "oppose_posts"))),
            "support_share": _share(est.get((key, "support_share"))), "oppose_share": _share(est.get((key, "oppose_share"))),
            "positive": _share(est.get((key, "positive_share"))), "negative": _share(est.get((key, "negative_share"))),
            "raw": {m: est.get((key, m)) for m in ("support_posts", "oppose_posts", "support_share", "oppose_share", "positive_share", "negative_share")},
        })
    return out


def _unmatched(election: Any, shown: set[str]) -> list[dict[str, str]]:
    """The parties with no election post in the campaign window, each with why: the tables
    dropped them in silence, so an observer could not tell "no post" from "not looked for"."""
    out = []
    for p in election.parties:
        if p.key in shown:
            continue
        why = ("0 posts matched: the election file gives it no hashtags, keywords or accounts"
               + (" (its leader's name is display-only, not matched)" if p.leader else "")) if not p.matchable else \
              "0 posts matched in the campaign window"
        out.append({"key": p.key, "name": p.name, "why": why})
    return out


def _charts(rows: list[dict[str, Any]], scaled: bool, rate: float | None = None, not_sample: bool = False, population: str = "the whole platform") -> tuple[Markup, Markup]:
    labels, vals, lo, hi, colours = [], [], [], [], []
    for r in rows:
        for m, word in (("support_posts", "support"), ("oppose_posts", "oppose")):
            v = r["raw"][m]
            labels.append(f"{r['name']}: {word}")
            vals.append(v["estimate"] if v else 0)
            lo.append(v["lo"] if v else None)
            hi.append(v["hi"] if v else None)
            colours.append(r["colour"] if word == "support" else "#9a9a9a")
    what = f"posts in the study × 1/{rate:g}, not platform figures" if scaled and not_sample and rate else ("estimated posts on the platform" if population == "the whole platform" else f"estimated {population}") if scaled else "posts in the study"
    stance = hbars(labels, vals, lo=lo, hi=hi, colours=colours, share=False, title=f"Posts supporting and opposing each party ({what}), 95% intervals")
    labels, vals, lo, hi, colours = [], [], [], [], []
    for r in rows:
        for m, word, colour in (("positive_share", "positive", "#2e7d32"), ("negative_share", "negative", "#b5301f")):
            v = r["raw"][m]
            if not v or v["estimate"] is None:
                continue
            labels.append(f"{r['name']}: {word}")
            vals.append(v["estimate"])
            lo.append(v["lo"])
            hi.append(v["hi"])
            colours.append(colour)
    tone = hbars(labels, vals, lo=lo, hi=hi, colours=colours, share=True, title="Share of English posts naming each party that were positive or negative (sentiment model), 95% intervals")
    return stance, tone


def _labelled_for_another(study: Study, key: str) -> Section | None:
    """A section that says the estimates are stale when the posts were labelled since for another
    election (`analyze --only content --election OTHER`): the table would show one election's
    parties beside counts of posts matched to another's, under the other's title."""
    if "election" not in study.columns("post_labels"):
        return None
    labelled = sorted(str(r[0]) for r in study.sql("SELECT DISTINCT election FROM post_labels LIMIT 3"))
    if not labelled or labelled == [key]:
        return None
    note = Markup("<p class='note'>The party estimates were made for <strong>{}</strong>, but the posts have since been labelled for "
                  "<strong>{}</strong>, so they are not shown: run every stage of <code>botwatch analyze</code> again with one "
                  "election (its preset name or your TOML file) to make the estimates and the labels agree.</p>").format(key, ", ".join(labelled))
    return Section("parties", "Parties: support, opposition and sentiment", note, order=20, headline=[])


@section("parties", order=20)
def parties_section(study: Study, ctx: dict[str, Any]) -> Section | None:
    tables: set[str] = ctx.get("tables") or set(study.tables())
    if not {"estimates", "post_party", "post_labels"} <= tables:
        return None
    election = ctx.get("election")
    key_rows = study.sql("SELECT DISTINCT election FROM estimates LIMIT 1")
    if not key_rows:
        return None
    if election is None or getattr(election, "key", None) != key_rows[0][0]:
        from botwatch.elections.recorded import stage_election

        election = stage_election(study, "estimates")  # the election the estimates were made with, a user's own file included
        if election is None or election.key != key_rows[0][0]:
            return None
    stale = _labelled_for_another(study, election.key)
    if stale is not None:
        return stale
    parties = [(p.key, p.name, p.colour) for p in election.parties]
    rate_rows = study.sql("SELECT DISTINCT sample_rate FROM estimates")
    sample_rate = rate_rows[0][0] if rate_rows else None
    scaled = sample_rate is not None
    campaign = _est(study, "campaign", "all")
    rows = _party_rows(campaign, parties)
    unmatched = _unmatched(election, {r["key"] for r in rows})
    from botwatch.report.caveats import scaling_unsupported
    from botwatch.report.scope import scope

    not_sample = scaling_unsupported(study, sample_rate)  # an attributed archive: scaled counts are no platform figures
    # A capture through a filter estimates the filter's posts, not the platform's; a rate of 1 scales nothing.
    sc = scope(study, sample_rate)
    stance_chart, tone_chart = _charts(rows, scaled and not sc.unscaled, sample_rate, bool(not_sample), sc.population)
    groups = [g for (g,) in study.sql("SELECT DISTINCT account_group FROM estimates WHERE account_group <> 'all' ORDER BY 1")]
    from botwatch.report.section_accounts import bot_needs_text, bot_unscored

    # With no account scored by the bot model the "likely automated" group is empty because
    # automation is unknown, not because no automated account posted.
    unscored = bot_unscored(study)
    group_tables = [{"label": GROUP_LABELS.get(g, g), "rows": _party_rows(_est(study, "campaign", g), parties),
                     "unknown": bot_needs_text() if unscored and g == "likely_automated" else None} for g in groups]
    q = study.sql
    total, in_el, accounts = q("SELECT count(*), count(*) FILTER (WHERE in_election), count(DISTINCT account_id) FILTER (WHERE in_election) FROM post_labels")[0]
    not_english = q("SELECT count(*) FILTER (WHERE sentiment IS NULL), count(*) FILTER (WHERE lang_source = 'py3langid') FROM post_labels WHERE in_election")[0]
    rule_counts = q("SELECT stance_rule, stance, count(*) FROM post_party WHERE in_election GROUP BY ALL ORDER BY 3 DESC, 1, 2")
    rule_text = {(r, s): d for r, s, d in STANCE_RULES + MODEL_RULES + PRIOR_RULES}
    rules = [{"rule": r, "stance": s, "n": n, "meaning": rule_text.get((r, s), "")} for r, s, n in rule_counts]
    ref = reference_rows(study, {p[0]: p[1] for p in parties})
    # The stance rules' accuracy was measured on one election's posts; quoting it under another
    # election's headline would claim a check that was never made.
    measured_on = str(MEASURED.get("election", "us-2016"))
    measured_here = election.key == measured_on
    lab = MEASURED_BY_ELECTION.get(election.key)  # frozen test-part figures for this election, if it was labelled
    html = render(
        "parties.html.j2",
        election=election, rows=rows, stance_chart=stance_chart, tone_chart=tone_chart, group_tables=group_tables,
        total=total, in_el=in_el, accounts=accounts, no_sentiment=not_english[0], detected=not_english[1],
        rules=rules, unmatched=unmatched, unread=sum(r["unread"] for r in rows), too_few=TOO_FEW, min_accounts=MIN_ACCOUNTS_FOR_INTERVAL, measured=MEASURED, measured_here=measured_here, lab=lab, labs=MEASURED_BY_ELECTION, sample_rate=sample_rate, scaled=scaled, scope=sc, not_sample=not_sample, ref=ref, has_groups=bool(groups),
    )
    headline: list[Markup] = []
    if in_el:
        for r in sorted(rows, key=lambda r: -r["observed_posts"])[:2]:
            headline.append(render("parties_headline.html.j2", kind="stance", r=r, election=election, measured=MEASURED, measured_here=measured_here, measured_on=measured_on, lab=lab, labs=MEASURED_BY_ELECTION, pct=pct))
        if scaled and not sc.unscaled and rows and not not_sample:
            top = max(rows, key=lambda r: (r["raw"]["support_posts"] or {}).get("estimate") or 0)
            headline.append(render("parties_headline.html.j2", kind="scaled", r=top, rate=sample_rate, scope=sc))
        foreign = [x for x in ref if x.block.startswith("Posts by foreign") and not x.note]
        tone = [x for x in ref if x.block.startswith("Foreign-origin") and not x.note]
        if foreign and not foreign[0].observed:
            headline.append(render("parties_headline.html.j2", kind="foreign_none", country=election.country))
        elif foreign and len(tone) == 2:
            headline.append(render("parties_headline.html.j2", kind="foreign", country=election.country, f=foreign[0], pos=tone[0], neg=tone[1], scaled=scaled and not sc.unscaled, not_sample=not_sample, rate=sample_rate, scope=sc, num=num, pct_ci=pct_ci))
    return Section("parties", "Parties: support, opposition and sentiment", html, order=20, headline=headline)
