"""Report section for account intelligence: who looks automated, where accounts seem to be run
from, on what evidence, and what these scores cannot say."""

from __future__ import annotations

import json
import math
from typing import Any

from markupsafe import Markup

from botwatch.accounts.json_shape import shown_handle
from botwatch.accounts.prior_lead import study_prior_lead
from botwatch.chart_table import figures_table
from botwatch.report.fmt import num, pct_ci, wilson
from botwatch.prob_text import plausible_range
from botwatch.report.training_share import training_clause
from botwatch.report.sections import Section, render, section
from botwatch.reshare_words import report_reshare, study_reshare
from botwatch.study import Study

BINS = 10


def bot_needs_text() -> str:
    """The profile facts without which the bot model gives no probability at all (an account
    needs at least one: `accounts.scoring.REQUIRED_ANY`), named as the evidence names them. An
    IRA-only study has follower and post counts for some accounts but none of these; the report
    said "no profile counts (followers, following, posts)", which those accounts contradict."""
    from botwatch.accounts.botmodel import _DESCRIBE
    from botwatch.accounts.scoring import REQUIRED_ANY

    names = [_DESCRIBE.get(c, (c, ""))[0].removesuffix(" (days)") for c in REQUIRED_ANY]
    return ", ".join(names[:-1]) + " or " + names[-1] if len(names) > 1 else names[0]


def bot_unscored(study: Study) -> bool:
    """True when the accounts were scored but the bot model could score none of them: automation
    is then unknown for every account, and a count of zero likely automated accounts (or of their
    posts) would read as a finding of absence."""
    if "account_scores" not in set(study.tables()):
        return False
    n, k = study.sql("SELECT count(*), count(bot_probability) FROM account_scores")[0]
    return bool(n) and not k


def _histogram_svg(counts: list[int], *, width: int = 420, height: int = 140, title: str = "") -> Markup:
    """Bars for 10 probability bins (0–0.1 … 0.9–1); numbers only, labels are our own."""
    top = max(counts) or 1
    bw = width / len(counts)
    bars = []
    for i, c in enumerate(counts):
        h = (c / top) * (height - 24)
        colour = "#cc0000" if i >= BINS // 2 else "#3465a4"
        bars.append(f"<rect x='{i * bw + 1:.1f}' y='{height - 14 - h:.1f}' width='{bw - 2:.1f}' height='{h:.1f}' fill='{colour}'><title>{i / BINS:.1f}–{(i + 1) / BINS:.1f}: {c:,}</title></rect>")
    axis = "".join(f"<text x='{i * bw:.1f}' y='{height}' font-size='10'>{i / BINS:.1f}</text>" for i in range(0, BINS, 2))
    return Markup(
        f"<svg class='chart' role='img' viewBox='0 0 {width} {height + 4}' aria-label='{title}'><title>{title}</title>"
        f"<text x='2' y='10' font-size='10'>max {top:,}</text>{''.join(bars)}{axis}</svg>"
        + str(figures_table(title or "Chart", ("bot probability", "accounts"), [(f"{i / BINS:.1f}–{(i + 1) / BINS:.1f}", f"{c:,}") for i, c in enumerate(counts)]))
    )


def _reliability(meta: dict[str, Any]) -> Markup | None:
    from botwatch.accounts.reliability_svg import reliability_svg

    curves = []
    if meta.get("reliability"):
        curves.append(("labelled accounts, out-of-fold", meta["reliability"]))
    for c in meta.get("cross_curves", []):
        curves.append((f"train {c['train']} → test {c['test']}", c["curve"]))
    if not curves:
        return None
    title = "Bot model reliability (labelled data)"
    # The SVG is also a standalone file (the model card's figure): its figures' table goes beside it here.
    rows = [(f"{label}, predicted {r['predicted']:.2f}", f"{r['observed']:.2f}", f"{r['n']:,}") for label, pts in curves for r in pts]
    return Markup(reliability_svg(curves, title=title) + str(figures_table(title, ("curve and predicted probability", "observed bot share", "accounts"), rows)))


def held_out_lines(meta: dict[str, Any]) -> list[str]:
    """One sentence per leave-one-source-out row of the model file: the held-out AUC with its 95%
    interval (`caveats.held_out_auc`, which the automation caveat quotes too), balanced accuracy
    and calibration error.

    Why: these AUCs were printed as bare points beside figures that all carry an interval."""
    from botwatch.report.caveats import held_out_auc, held_out_rows

    lines = []
    for r in held_out_rows(meta):
        rest = "".join(f", {name} {r[key]:.{d}f}" for key, name, d in (("balanced_accuracy", "balanced accuracy", 2), ("ece", "calibration error", 3))
                       if isinstance(r.get(key), (int, float)))
        lines.append(f"Trained without {r.get('held_out')} and tested on it: AUC {held_out_auc(r)}{rest}.")
    return lines


def _unison_stale(study: Study) -> bool:
    """`staleness.cluster_evidence_stale`: the accounts' evidence lists lack the current clusters."""
    from botwatch.report.staleness import cluster_evidence_stale

    return cluster_evidence_stale(study)


def _home_country(study: Study, ctx: dict[str, Any]) -> str | None:
    """The country the accounts were scored for, else the report's election's (`origin_rule.measured_home`)."""
    from botwatch.origin_rule import home_known, measured_home

    home = measured_home(study, ctx.get("election"))
    # A home the origin model cannot name gives no foreign figure (the key number says why).
    return home if home_known(home) else None


def _top_accounts(study: Study) -> list[dict[str, Any]]:
    """The 20 accounts most likely automated, with their first evidence sentences."""
    # The plausible range `explain` gives beside the probability (NULL in a study scored before the
    # columns existed): the table showed a bare "Bot p" where `explain` said how sure it is.
    has_range = {"bot_probability_low", "bot_probability_high"} <= set(study.columns("account_scores"))
    bounds = "s.bot_probability_low, s.bot_probability_high" if has_range else "NULL, NULL"
    top = study.sql(
        # n_posts is 0 for an account known only as retweeted or looked up (NULL in a study scored
        # before 2026-12-05): it posted 0 times in the study, not an unknown number ("—").
        "SELECT s.account_id, a.handle, s.bot_probability, s.origin_country, s.origin_probability, coalesce(s.n_posts, 0), s.bot_evidence, s.origin_evidence, s.platform, "
        f"{bounds} "
        "FROM account_scores s JOIN accounts a USING (platform, account_id) WHERE s.bot_probability IS NOT NULL "
        "ORDER BY s.bot_probability DESC, s.n_posts DESC NULLS LAST, s.account_id LIMIT 20"
    )
    from botwatch.accounts.training_accounts import account_training, study_bot_training_meta

    # Which of these accounts a model was fitted on: the headline and Methods said "1 of the study's
    # 26 accounts is among the bot model's own training accounts" and this table showed @UKLabour's
    # 0.06 unmarked, where `botwatch explain` says it is not a held-out estimate.
    own = study_bot_training_meta(study)
    return [
        {
            "trained": account_training(platform, aid, h, own),
            # No handle: the id is shown as one, never as "@<id>" (someone else's handle could be those
            # digits). A Mastodon local handle with its instance ("alice@a.social", `shown_handle`).
            "id": aid, "handle": shown_handle(platform, h, aid),
            "p": bp, "range": plausible_range(lo, hi), "origin": oc, "op": op, "posts": n,
            "bot_evidence": [s for s in json.loads(be or "[]")][:3],
            "origin_evidence": _origin_lines(json.loads(oe or "[]")),
        }
        for aid, h, bp, oc, op, n, be, oe, platform, lo, hi in top
    ]


def _origin_lines(evidence: list[str]) -> list[str]:
    """The origin cell's evidence: the two strongest items after the "most likely X (p=…)" line,
    which the cell already says as "X (p)". Where that line says the lead is mostly the prior's
    (`origin_prior.prior_clause`), that is kept first: @KeeleyMP read "GB (0.93)" over "profile
    time zone 'Amsterdam' is in NL" alone, as if that evidence had placed it in GB, where
    `botwatch explain` and the explorer say the 0.93 is mostly the study's prior. So is the study's
    Russia prior where it alone made Russia more likely than not (`prior_lead.study_prior_lead`)."""
    lines = [str(s) for s in evidence]
    head = lines[0] if lines else ""
    at = head.find(", mostly the ")
    lead = [head[at + 2:]] if head.startswith("most likely") and at >= 0 else []
    lead += [t for t in [study_prior_lead(lines)] if t]
    return lead + lines[1:3]


# The study prior's evidence sentence (`origin_prior.StudyPrior.sentence`): its estimate and its move.
def _signal_counts(study: Study, tables: set[str]) -> list[dict[str, Any]]:
    """Per documented signal: accounts where it is known, where it fires, how many of those have a
    bot probability (`k_scored`) and how many of those are likely automated. Without `k_scored` the
    demo read "acting in unison | 160 | 12 | 0", as if the 12 cluster members had been found not
    automated, where the bot model could score none of them (the IRA release has no profile facts)."""
    q = study.sql
    signal_cols = [
        ("handle_generated15", "15-character generated-looking handle", "handle_generated15 = 1"),
        ("english_female_name", "English woman's first name as display name", "english_female_name"),
        # known only for accounts that posted in the election window, as in the creation comparison
        ("created_after_trigger", "created after the election was called (of accounts that posted in the election window)", "created_after_trigger"),
        ("in_unison", "acting in unison (coordination cluster)", "in_unison"),
        ("activity_over_72", "more than 72 posts a day (Three A's: activity)", "activity_over_72"),
        ("activity_over_144", "more than 144 posts a day", "activity_over_144"),
        ("anonymous", "anonymous profile (Three A's: anonymity)", "anonymous"),
        ("amplifier", f"80%+ {study_reshare(study).nouns} (Three A's: amplification)", "amplifier"),
    ]
    signals = []
    for col, label, cond in signal_cols:
        if col == "in_unison" and "cluster_members" in tables:
            # Coordination runs after this stage, so read its clusters directly here. Known only
            # for accounts that posted: one seen only as retweeted or looked up has no trace to
            # co-act with (@UKLabour's May 2017 week read "known for 26" where 1 posted).
            known, k, k_scored, k_bot = q(
                "SELECT count(p.account_id), count(m.account_id), count(s.bot_probability) FILTER (WHERE m.account_id IS NOT NULL), "
                "count(*) FILTER (WHERE m.account_id IS NOT NULL AND s.bot_probability >= 0.5) "
                "FROM account_scores s LEFT JOIN (SELECT DISTINCT platform, account_id FROM cluster_members) m USING (platform, account_id) "
                "LEFT JOIN (SELECT DISTINCT platform, account_id FROM posts) p ON p.platform = s.platform AND p.account_id = s.account_id"
            )[0]
            signals.append({"label": label, "known": known, "k": k, "k_scored": k_scored, "k_bot": k_bot})
            continue
        known, k, k_scored, k_bot = q(
            f"SELECT count(f.{col}), count(*) FILTER (WHERE {cond}), count(s.bot_probability) FILTER (WHERE {cond}), "
            f"count(*) FILTER (WHERE {cond} AND s.bot_probability >= 0.5) "
            "FROM account_features f JOIN account_scores s USING (platform, account_id)"
        )[0]
        signals.append({"label": label, "known": known, "k": k, "k_scored": k_scored, "k_bot": k_bot})
    return signals


def beside_sum(k: int, expected: float) -> dict[str, bool]:
    """How the count at 0.5 stands beside the sum of the probabilities as the headline prints it
    (`num`, whole accounts). Compared unrounded, @UKLabour's week of May 2017 read "about 0
    foreign-origin accounts …; 0 of them … are more likely than not run from outside GB, fewer
    than the sum of the probabilities" (the sum was 0.4): where the two print alike, no rider."""
    shown = float(num(expected).replace(",", ""))
    return {"above": k > shown, "same": k == shown}


ORIGIN_ROWS = 12  # countries the "Most likely origin" table lists by name


def _top_origins(rows: list[tuple[Any, ...]]) -> tuple[list[tuple[Any, ...]], tuple[int, int, int] | None]:
    """The table's rows (the `ORIGIN_ROWS` countries with the most accounts) and the rest as one
    row (countries, accounts, of which p >= 0.5), or None. Why: the table listed 12 countries and
    nothing else, so on an IRA + gop-debate-2015 + TwiBot-20 study its rows added up to 1,772 of
    the 1,781 accounts with origin evidence the paragraph above it counts."""
    rest = rows[ORIGIN_ROWS:]
    if not rest:
        return list(rows), None
    return list(rows[:ORIGIN_ROWS]), (len(rest), sum(int(r[1]) for r in rest), sum(int(r[2]) for r in rest))


@section("accounts", order=30)
def accounts_section(study: Study, ctx: dict[str, Any]) -> Section | None:
    tables = set(study.tables())
    if "account_scores" not in tables or "account_features" not in tables:
        return None
    q = study.sql
    # Every row of `account_scores` is not a scored account: one may have neither a bot probability
    # nor origin evidence, and "N accounts were scored" counted it. The section says each count apart.
    n_acc, n_scored, n_origin, n_neither, expected, var = q(
        "SELECT count(*), count(bot_probability), count(origin_country), count(*) FILTER (WHERE bot_probability IS NULL AND origin_country IS NULL), "
        "sum(bot_probability), sum(bot_probability * (1 - bot_probability)) FROM account_scores"
    )[0]
    n_likely = q("SELECT count(*) FROM account_scores WHERE bot_probability >= 0.5")[0][0]
    # Accounts unlike any labelled account (studies scored by an older botwatch lack the column).
    n_ood = q("SELECT count(*) FILTER (WHERE bot_ood) FROM account_scores")[0][0] if "bot_ood" in study.columns("account_scores") else None
    hist = [0] * BINS
    for b, c in q("SELECT least(CAST(floor(bot_probability * 10) AS INTEGER), 9), count(*) FROM account_scores WHERE bot_probability IS NOT NULL GROUP BY 1"):
        hist[int(b)] = int(c)
    every_origin = q(
        "SELECT origin_country, count(*) AS n, count(*) FILTER (WHERE origin_probability >= 0.5) AS confident FROM account_scores "
        "WHERE origin_country IS NOT NULL GROUP BY 1 ORDER BY n DESC, 1"
    )
    origins, origins_rest = _top_origins(every_origin)
    home = _home_country(study, ctx)
    foreign = None
    fc: dict[str, Any] | None = None
    if home and "origin_probabilities" in set(study.columns("account_scores")):
        from botwatch.origin_rule import foreign_counts

        fc = foreign_counts(study, home, checked=False)
        foreign = fc["k"]
    top_rows = _top_accounts(study)
    signals = _signal_counts(study, tables)
    from botwatch.report.headlines import posting_split
    from botwatch.report.caveats import cross_tested, held_out_counts
    from botwatch.accounts.evaluate import quoted, recorded_evaluation
    from botwatch.model_used import bot_model_used

    used = bot_model_used(study)  # the recorded model's figures, or none (never another model's)
    meta = used.meta
    own = quoted(recorded_evaluation(study))  # the observer's own labelled accounts (`botwatch evaluate-accounts`)
    share, lo, hi = wilson(n_likely, n_scored) if n_scored else (None, None, None)
    sd = math.sqrt(var or 0.0)
    headline = []
    needs = bot_needs_text()
    if n_acc and not n_scored:
        headline.append(render("accounts_headline.html.j2", kind="unscored", n_acc=n_acc, needs=needs))
    if n_scored:
        headline.append(render(
            "accounts_headline.html.j2", kind="bot", n_likely=n_likely, n_scored=n_scored, share=pct_ci(share, lo, hi),
            posting=posting_split(study, "bot_probability IS NOT NULL", "bot_probability >= 0.5", "likely automated"),
            expected=num(expected or 0), lo=num(max(0.0, (expected or 0) - 1.96 * sd)), hi=num((expected or 0) + 1.96 * sd),
            training=training_clause(study, "bot", n_scored),
            tested=cross_tested(meta),  # a user's model has no cross-dataset test to cite
            held_out=held_out_counts(meta), own=own,
            # An earlier release's shipped model, or a user's file gone or changed: its figures are
            # not here, which is not the same as its never having been tested on another source.
            not_at_hand=used.kind == "missing",
        ))
    if fc is not None and fc["n"]:
        from botwatch.origin_counted import counted

        f_share, f_lo, f_hi = wilson(fc["k"], fc["n"])
        from botwatch.report.caveats import origin_check

        c = counted(study, home)  # what placed the counted accounts: no share of them when it is home or language alone
        # The headline is what is quoted: it carried neither what its bracket is (the key number
        # says "the spread of the model's probabilities taken as exact, not its error") nor the
        # held-out check, which is of Russia alone (the demo: 157 of its 232 counted placed in GB).
        headline.append(render(
            "accounts_headline.html.j2", kind="origin", foreign=fc["k"], n_origin=fc["n"], home=home, share=pct_ci(f_share, f_lo, f_hi),
            expected=num(fc["expected"]), lo=num(fc["lo"]), hi=num(fc["hi"]), weak=c.weak(), why=c.clause(home),
            # "overstates" only where the count at 0.5 is above the sum of the probabilities: IRA
            # tweets beside Brexit ones read "1,134 of them … a count that overstates" beside 1,433.
            **beside_sum(fc["k"], fc["expected"]),
            training=training_clause(study, "origin", fc["n"]),
            checked=origin_check(study, fc["home"], ctx), own=own,
        ))
    html = render(
        "accounts.html.j2",
        rs=report_reshare(study, ctx),
        n_acc=n_acc, n_scored=n_scored, n_origin=n_origin, n_neither=n_neither, n_likely=n_likely, expected=expected or 0.0, sd=sd,
        hist=_histogram_svg(hist, title="Accounts per bot-probability bin"), origins=origins, origins_rest=origins_rest, home=home, foreign=foreign,
        top=top_rows, signals=signals, fc=fc, reliability=_reliability(meta), meta=meta, model=used, loso_lines=held_out_lines(meta),
        unison_known="cluster_members" in tables, unison_stale=_unison_stale(study), n_ood=n_ood, needs=needs, own=own,
    )
    return Section("accounts", "Accounts: automation and origin", html, order=30, headline=headline)
