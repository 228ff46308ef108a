"""Methods and caveats: how each number in the report was made, what it cannot tell, the sample
rate and scaling, what the data covers and what was rejected at ingest, and which stage runs
(with which parameters and version) produced the tables.

Each method is described only when its table exists; a missing one is named as not computed, so
a reader never mistakes "not measured" for "none found".
"""

from __future__ import annotations

import shlex
from datetime import date, timedelta
from typing import Any

from botwatch.accounts.training_accounts import methods_sentences as training_sentences, recorded_counts
from botwatch.content.score import MIN_OWN_PAIRS
from botwatch.content.stance import MEASURED_BY_ELECTION
from botwatch.ingest.stream_limits import warned_sentence, withheld_sentence
from botwatch.report.caveats import report_scaling_unsupported
from botwatch.shown_text import not_an_option
from botwatch.report.context import study_label
from botwatch.report.reproduce import CODE_DIFFERS, LAKE_SPARK_SAID, LIBRARIES_DIFFER, PAGE_STEP_CHARS, RelativePaths, paths_sentence, reproduction
from botwatch.report.section_overview import study_summary
from botwatch.report.scope import scope
from botwatch.report.sections import Section, render, section
from botwatch.reshare_words import report_reshare
from botwatch.runs_table import BOOKKEEPING, parse_params
from botwatch.study import Study

# (table that shows the method ran, key used by the template)
METHOD_TABLES: list[tuple[str, str]] = [
    ("post_labels", "labels"),
    ("post_party", "stance"),
    ("account_scores", "bot"),
    ("coordination_edges", "coordination"),
    ("clusters", "clusters"),
    ("estimates", "estimates"),
]


def coverage(study: Study, election: Any) -> dict[str, Any]:
    """Days with posts, days without, and how much of the election window the data covers.

    Every day here is a calendar day of the election's time zone (UTC without an election), named
    in `timezone`: the study's span was counted in UTC days while the window's days with posts,
    and the "no post in the window" line's span, were the election's local days, so one report
    gave two day counts for the same posts."""
    from botwatch.timeline import zones

    t_first, t_last, posts = study.sql("SELECT min(created_at), max(created_at), count(*) FROM posts")[0]
    tz = (getattr(election, "timezone", None) or "UTC") if election is not None else "UTC"
    out: dict[str, Any] = {"first": None, "last": None, "posts": posts, "empty_days": 0, "days": 0, "window": None, "timezone": tz}
    if t_first is None:
        return out
    first, last = zones.local_date(election, t_first), zones.local_date(election, t_last)
    with_posts = zones.local_days_with_posts(study, election, t_first, t_last + timedelta(minutes=1))
    out.update(first=first, last=last, days=(last - first).days + 1)
    out["empty_days"] = out["days"] - len(with_posts)
    if election is not None:
        # The window as the creation stage and the "no post in the window" line take it
        # (zones.window_utc: whole days of the election's zone), so the three agree at its edges.
        ws, we = election.window_start, election.window_end
        lo, hi = zones.window_utc(election)  # type: ignore[misc]
        t0, t1, inside = study.sql(
            "SELECT min(created_at), max(created_at), count(*) FILTER (WHERE created_at >= ? AND created_at < ?) FROM posts", [lo, hi],
        )[0]
        # Local days with posts: the same count the When section's event-test note prints.
        days_with = len(zones.local_days_with_posts(study, election, lo, hi))
        out["window"] = {
            "start": ws,
            "end": we,
            "timezone": getattr(election, "timezone", None) or "UTC",
            "days": (we - ws).days + 1,
            "days_with_posts": days_with,
            "posts_inside": inside,
            "share_inside": inside / posts if posts else None,
            "overlaps": not (t1 < lo or t0 >= hi),
        }
    return out


def provenance(study: Study, paths: RelativePaths | None = None) -> list[dict[str, Any]]:
    """The latest run of each stage: version, time, status, rows and parameters (input paths
    relative to `paths`' folder when given, as the reproduction block shows them)."""
    rows = study.sql(
        "SELECT stage, version, finished_at, status, rows_written, params, message, started_at FROM runs "
        "QUALIFY row_number() OVER (PARTITION BY stage ORDER BY coalesce(finished_at, started_at) DESC) = 1 ORDER BY finished_at"
    )
    from botwatch.study import NEVER_ENDED_WHY, RUNNING

    out = []
    live = getattr(study, "running_now", None)
    for stage, version, fin, status, n, params, msg, started in rows:
        # A record that is not a JSON object shows no parameters; the command id is bookkeeping.
        p = {k: v for k, v in (parse_params(params) or {}).items() if k not in BOOKKEEPING}
        if paths is not None:
            p = paths.params(p) or {}
        if isinstance(p.get("election_toml"), str):  # a user's election file: its size, not its text
            p["election_toml"] = f"<{len(p['election_toml']):,} characters recorded: botwatch elections show STUDY --toml>"
        # Model hashes in full are in the reproduction paragraph: here, enough to tell them apart.
        p = {k: (f"{v[:12]}…" if k.endswith("_sha256") and isinstance(v, str) and len(v) > 12 else v) for k, v in p.items()}
        shown = ", ".join(f"{k}={v}" for k, v in sorted(p.items()) if v is not None)
        if status == RUNNING and live is not None and live(started):  # a lake read while its writer runs
            status, msg = "running", "still running when this was read"
        elif status == RUNNING:  # no reader of a DuckDB file sees a live run's row: this one's process died (the banner says so too)
            status, msg = "never finished", NEVER_ENDED_WHY
        out.append({"stage": stage, "version": version, "finished": "—" if fin is None else str(fin)[:19], "status": status, "rows": n,
                    "params": shown, "message": msg})
    return out


def measured_for(election: Any) -> dict[str, Any] | None:
    """The stance and sentiment models' frozen test-part figures for `election` when it is one of
    the hand-labelled elections, else None: an election file of one's own is not matched to a
    preset (nothing records which one it was copied from), so the report quotes every measured
    election and says this one was not measured."""
    key = getattr(election, "key", None)
    return MEASURED_BY_ELECTION.get(key) if key else None


def _own_evaluation(study: Study, election: Any, tables: set[str]) -> dict[str, Any] | None:
    """The observer's recorded `botwatch content evaluate` of this study's election, or None. The
    Parties section quotes it in place of the shipped figures; Methods quoted only the shipped
    ones, so the two sections gave different accuracies with nothing saying why. Methods quotes
    both, each named for what it is."""
    key = getattr(election, "key", None)
    if not key or "runs" not in tables:
        return None
    from botwatch.content.score import recorded_evaluation

    return recorded_evaluation(study, key)


def _home_unknown(home: str | None) -> str | None:
    """The shared "foreign origin is not measured" sentence for a home country (`_home`) the
    origin model cannot name (None otherwise): Methods then defines no foreign-origin rule that
    no account could meet."""
    from botwatch.origin_rule import home_known, unknown_home_note

    return unknown_home_note(home) if home and not home_known(home) else None


def _home(study: Study, election: Any) -> str | None:
    """The country foreign origin is measured against (`origin_rule.measured_home`): the one the
    account scores were made for. A study scored for us-2016 whose report took uk-ge2017 from a
    later `--only coordination` run read "outside the election's country (GB)" in Methods, while
    every figure of the report was measured against the US."""
    from botwatch.origin_rule import measured_home

    return measured_home(study, election)


def _home_election(study: Study, election: Any, tables: set[str]) -> Any:
    """The election `_home`'s country is that of: the one the accounts stage scored with, else
    `election`. Scored with an Estonian file, then `analyze -e uk-ge2017 --only coordination`,
    Methods said "For UK general election 2017, foreign origin is not measured: the origin model
    does not know EE"."""
    from botwatch.elections.recorded import stage_election

    return (stage_election(study, "accounts") if "runs" in tables else None) or election


def _scored_by_own_bot_model(study: Study) -> bool:
    """Whether a user's bot model (BOTWATCH_BOT_MODEL) scored the study: then the training-account
    sentence is about that model, not the shipped one and its card."""
    from botwatch.model_used import bot_model_used

    return bot_model_used(study).kind in ("own", "missing")


def bot_calibration_held_out(study: Study) -> dict[str, Any] | None:
    """The bot model's calibration error on labelled sources it was not trained on (its
    leave-one-source-out figures: lowest, highest and the source of the highest), or None when
    the model that scored the study has none. Methods said "The profile model is calibrated"
    as a fact of the study, where those sources put the error at 0.04-0.23."""
    from botwatch.model_used import bot_model_used

    loso = [c for c in (bot_model_used(study).meta or {}).get("loso", []) if isinstance(c, dict) and c.get("ece") is not None]
    if not loso:
        return None
    worst = max(loso, key=lambda c: c["ece"])
    return {"lo": min(c["ece"] for c in loso), "hi": worst["ece"], "worst": worst.get("held_out")}


_TENS = ("none", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


def bot_near_eight_tenths(study: Study) -> str | None:
    """How many in ten of the labelled accounts the scoring model put near 0.8 were automated, out
    of fold, in words, from that model's own reliability curve (the bin whose mean prediction is
    nearest 0.8, within 0.1, of 30 accounts or more); None when its file has none. Methods said
    "about eight in ten", the shipped model's figure, of any model, a user's own included, and of
    one whose file could not be found and whose figures are not quoted."""
    from botwatch.model_used import bot_model_used

    rel = (bot_model_used(study).meta or {}).get("reliability")
    bins = [b for b in rel if isinstance(b, dict) and all(isinstance(b.get(k), (int, float)) for k in ("predicted", "observed", "n"))
            and b["n"] >= 30] if isinstance(rel, list) else []
    if not bins:
        return None
    near = min(bins, key=lambda b: abs(b["predicted"] - 0.8))
    if abs(near["predicted"] - 0.8) > 0.1 or not 0 <= near["observed"] <= 1:
        return None
    return _TENS[int(round(near["observed"] * 10))]


def _labelled_election(study: Study, election: Any) -> Any:
    """The election the posts' stance and sentiment were made for: the report's `election`, or,
    when the stages were analysed with different elections, the content stage's. A study analysed
    with us-2016, then `-e uk-ge2017 --only coordination`, quoted the UK test part's figures
    ("117 hand-labelled pairs of this election ... macro-F1 0.53") in Methods, beside a Parties
    section whose stances were made, and measured, for the US election (159 pairs, 0.72)."""
    from botwatch.report.mixed_elections import election_groups

    if election_groups(study) is None:
        return election
    from botwatch.elections.recorded import stage_election

    return stage_election(study, "content")


def _windows(study: Study, election: Any, cov: dict[str, Any]) -> list[dict[str, Any]]:
    """The election windows the Data coverage paragraph checks: the report's election's, or, when
    the stages were analysed with different elections, each one's with its stages. A study analysed
    with us-2016, then with uk-ge2017 for coordination alone, said only "The election window of UK
    general election 2017 runs ...: 0.4% of all posts fall inside it" beside Parties, accounts and
    timelines made for the US election, whose window held the rest."""
    from botwatch.report.mixed_elections import election_groups

    groups = election_groups(study)
    if groups is None:
        return [{"election": election, "stages": None, "cov": cov}] if cov.get("window") else []
    out = []
    for _, e, stages in groups:
        c = coverage(study, e) if e is not None else None
        if c is not None and c.get("window"):
            out.append({"election": e, "stages": stages, "cov": c})
    return out


def _span_coverage(study: Study, election: Any, cov: dict[str, Any]) -> dict[str, Any]:
    """The study span's days as the When section counts them: in the zone of the election the
    timeline was built with (`timeline_election`) when the stages were analysed with different
    elections, else `cov`. A study analysed with us-2016, then `-e uk-ge2017 --only coordination`,
    gave its span in "days in Europe/London", the newest run's zone, beside a timeline, bursts and
    event test counted in America/New_York's days."""
    from botwatch.report.mixed_elections import election_groups
    from botwatch.timeline.report import timeline_election

    if election_groups(study) is None:
        return cov
    own = timeline_election(study, None)
    return cov if own is None else coverage(study, own)


def rate_recorded(study: Study, shown: float | None) -> str:
    """Where no estimates give the report a rate (`shown` None: none were made), the rate the study
    holds and where from, as `botwatch status` says it ("scale-up: …", `study_sample_rate`); "" when
    it holds none. Methods said "No sample rate was given" beside `status`'s "sample rate 1 from the
    study's capture manifest" for the same study analysed with no election. "" too where the study
    holds estimates (made with no rate, the archive taken as complete): its sentence says no
    estimates were made, which was said beside the estimates the report shows."""
    if shown or "estimates" in study.tables():
        return ""
    from botwatch.estimates.recorded_rate import study_sample_rate

    rate, why = study_sample_rate(study)
    return "" if not why else why if rate is not None else f"no single rate; {why}"


def capture_gaps(study: Study, paths: RelativePaths | None = None) -> list[dict[str, Any]]:
    """Each recorded capture with the spans its runs could not fetch (`gaps` in its manifest: a
    search re-run beyond X's recent reach, the X stream's disconnections), as `botwatch status` says them; folders in order.
    Recorded by the collector and said by `status`, they were in no report: Data coverage read as
    if every day between the first and last post had been fetched."""
    from botwatch.collect.study_link import recorded_runs
    from botwatch.collect.x import merged_gaps

    out = []
    for folder, runs in sorted(recorded_runs(study)):
        gaps = merged_gaps([g for r in runs if isinstance(r.get("gaps"), list) for g in r["gaps"] if isinstance(g, dict)])
        if gaps:
            out.append({"folder": paths.path(folder) if paths is not None else folder, "gaps": gaps})
    return out


def capture_frames_aside(study: Study, paths: RelativePaths | None = None) -> list[dict[str, Any]]:
    """Each recorded capture whose runs kept frames aside (`malformed` and `unknown` in its
    manifest: what the server sent that could not be used), with how many; folders in order.
    `botwatch status` counted them, but the report said only ingest's rejections, then "Nothing is
    dropped silently", as if everything the server sent had reached the study."""
    from botwatch.collect.study_link import frames_aside, recorded_runs

    out = []
    for folder, runs in sorted(recorded_runs(study)):
        aside = frames_aside(runs)  # None: a manifest edited by hand, no count to give
        if aside is not None and aside > 0:
            out.append({"folder": paths.path(folder) if paths is not None else folder, "frames": aside})
    return out


# A Mastodon `delete` names a status by its id on the instance streamed, while posts are stored by
# URI. A status written on that instance has the URI `https://<instance>/users/<name>/statuses/<id>`,
# which ends in that id: the notice names it. A status from another server, streamed there too, has
# its own server's URI and id, which the notice's id is not: such a notice names no stored post.
_MASTODON_STATUS_ID = "regexp_extract(p.post_id, '/statuses/([0-9]+)$', 1)"
_DELETED_POSTS = ("SELECT p.platform, p.post_id FROM posts p JOIN deletions d ON d.platform = p.platform AND d.post_id = p.post_id "
                  "UNION SELECT p.platform, p.post_id FROM posts p JOIN deletions d ON p.platform = 'mastodon' AND d.platform = 'mastodon' "
                  f"AND d.post_id = {_MASTODON_STATUS_ID}")


def deleted_posts(study: Study, tables: set[str]) -> int | None:
    """How many stored posts the study's delete notices (`deletions`) name: deleted later by their
    authors, a known sign of campaign clean-up (a Mastodon notice by the id its status's URI ends
    in). None when no input held a notice (no table), so Methods says nothing rather than "0 were
    deleted" of a capture that could not have shown it."""
    if "deletions" not in tables:
        return None
    return int(study.sql(f"SELECT count(*) FROM ({_DELETED_POSTS})")[0][0])


def unmatched_mastodon_deletions(study: Study, tables: set[str]) -> int:
    """How many Mastodon delete notices name no stored post: a status from another server than the
    one streamed (its URI holds that server's id, not the streamed instance's), or one the capture
    never stored. "0 of the stored posts were deleted later" beside them alone read as though none
    of a capture's deletes were of its posts."""
    if "deletions" not in tables:
        return 0
    return int(study.sql("SELECT count(*) FROM deletions d WHERE d.platform = 'mastodon' AND NOT EXISTS "
                         "(SELECT 1 FROM posts p WHERE p.platform = d.platform AND p.post_id = d.post_id) "
                         f"AND d.post_id NOT IN (SELECT {_MASTODON_STATUS_ID} FROM posts p WHERE p.platform = 'mastodon')")[0][0])


def read_figures(study: Study, tables: set[str]) -> dict[str, int]:
    """What the inputs' records were, each record of a file and each repeat in it counted once
    (a re-read, `ingest --force` or a grown file, adds only what its previous read did not give):
    the duplicates, the records and response pages read (with how many files of pages), and of
    the records that were no post, the delete and limit notices, the edits of posts and the rest
    ("not posts"). Methods' sentence on the inputs says these."""
    from botwatch.ingest.formats import PAGE_FORMATS
    from botwatch.ingest.cut_short import NOT_POSTS_SQL, not_posts_sql, notices_sql
    from botwatch.ingest.rereads import FIRST_READS, GROWN_READS, grown_reads

    # A twarc2 response page is one record of up to 100 posts: counted apart, so "5,118 records
    # read, 5,515 posts stored" does not read as posts made from nothing (the CLI says "5,099 + 19 pages").
    pages_in = ", ".join("'" + f.replace("'", "''") + "'" for f in sorted(PAGE_FORMATS)) or "NULL"
    dup = study.sql(f"""SELECT coalesce(sum(duplicates), 0), coalesce(sum(records_read) FILTER (WHERE format IS NULL OR format NOT IN ({pages_in})), 0),
                               coalesce(sum(records_read) FILTER (WHERE format IN ({pages_in})), 0), count(*) FILTER (WHERE format IN ({pages_in}))
                        FROM {FIRST_READS}""")[0]  # a re-read (ingest --force, a grown file) is not another input, nor its repeats duplicates
    # A grown file's re-read adds the records beyond what its previous read gave.
    grown = study.sql(f"""SELECT coalesce(sum(duplicates), 0), coalesce(sum(records) FILTER (WHERE format NOT IN ({pages_in})), 0),
                                 coalesce(sum(records) FILTER (WHERE format IN ({pages_in})), 0) FROM {GROWN_READS}""")[0]
    dup = (dup[0] + grown[0], dup[1] + grown[1], dup[2] + grown[2], dup[3])
    # Records that were no post (profile rows, account and identity events: `counts.not_posts`):
    # "282 records were read ..., giving 280 stored posts; 0 were duplicates ... and 0 could not be
    # read" left two unaccounted for. A grown file's re-read adds those beyond its previous read's,
    # its new notices and edits said as such (`rereads.grown_reads`), as one read of the file says them.
    # The delete and limit notices among them are said apart (`cut_short.not_posts_sql`), as the
    # ingest line does: "4 were not posts" stood beside "delete notices 2, limit notices 2" there.
    # So are edits of posts, kept beside the first text (the ingest line's "edits kept").
    not_posts, noticed, edits = study.sql(f"""SELECT coalesce(sum(n), 0), coalesce(sum(k), 0), coalesce(sum(all_n - n - k), 0) FROM (
                                 SELECT format, n, all_n, least({notices_sql(tables, 'f')}, all_n) AS k FROM (
                                   SELECT *, {not_posts_sql(tables, 'f')} AS n, {NOT_POSTS_SQL} AS all_n FROM {FIRST_READS} f) f
                                 UNION ALL SELECT format, not_posts - notices - edits, not_posts, notices FROM {grown_reads(tables)})
                                 WHERE format IS NOT NULL AND format NOT IN ({pages_in})""")[0]
    return {"duplicates": dup[0], "records": dup[1], "pages": dup[2], "page_files": dup[3], "not_posts": not_posts, "notices": noticed, "edits": edits}


@section("methods", order=900)
def methods(study: Study, ctx: dict[str, Any]) -> Section:
    """Always present: even a study with only ingested posts has coverage and rejects to explain."""
    tables: set[str] = ctx.get("tables") or set(study.tables())
    election = ctx.get("election")
    s = study_summary(study)
    from botwatch.ingest.cut_short import BROKE_OFF, UNREADABLE

    fig = read_figures(study, tables)
    # Inputs whose read broke off (a cut or corrupt .gz): each keeps one `rejected` row for the break,
    # which is no record (`study_summary` leaves it out of "rejected"). Counted as one more record that
    # "could not be read", the sentence added up to one more than the records read, and never said
    # the file ended early, its rest unread.
    breaks, cut_files = s["breaks"], s["cut_files"]
    # `report --paths-relative-to DIR`: input paths under DIR shown relative to it (the default: as stored)
    paths = RelativePaths(ctx["paths_relative_to"]) if ctx.get("paths_relative_to") else None
    repro = reproduction(study, study_label(study.path)[1], relative_to=paths)
    html = render(
        "methods.html.j2",
        rs=report_reshare(study, ctx),
        s=s,
        has={key: table in tables for table, key in METHOD_TABLES},
        election=election,
        unloaded=ctx.get("election_unloaded"),
        # Last analysed with --no-election: no estimates (the Parties section is not shown), so
        # Methods neither describes an older election's estimates table nor scales anything.
        no_election=bool(ctx.get("no_election")),
        sample_rate=ctx.get("sample_rate"),
        rate_recorded=rate_recorded(study, ctx.get("sample_rate")),
        not_sample=report_scaling_unsupported(study, ctx.get("sample_rate")),
        scope=scope(study, ctx.get("sample_rate")),
        lab=measured_for(labelled := _labelled_election(study, election)),
        own_lab=_own_evaluation(study, labelled, tables), own_min=MIN_OWN_PAIRS,
        # Under mixed elections "pairs of this election" read as the newest run's (the kicker names several).
        labelled_name=getattr(labelled, "name", None) if labelled is not election else None,
        home_unknown=_home_unknown(home := _home(study, election)),
        home=home,
        home_election=_home_election(study, election, tables),
        labs=MEASURED_BY_ELECTION,
        cov=(cov := coverage(study, election)),
        span=_span_coverage(study, election, cov),
        windows=_windows(study, election, cov),
        capture_gaps=capture_gaps(study, paths),
        capture_aside=capture_frames_aside(study, paths),
        duplicates=fig["duplicates"],
        records=fig["records"],
        pages=fig["pages"],
        page_files=fig["page_files"],
        not_posts=fig["not_posts"],
        notices=fig["notices"],
        edits=fig["edits"],
        deleted=deleted_posts(study, tables),
        deleted_unmatched=unmatched_mastodon_deletions(study, tables),
        stream_warned=warned_sentence(study, tables),  # the stream warned it was falling behind: posts may be missing
        stream_withheld=withheld_sentence(study, tables),  # a v1.1 stream that hit its cap: counts are lower bounds
        breaks=breaks,
        cut_files=cut_files,
        broke_off=BROKE_OFF,
        unreadable=UNREADABLE,  # an unreadable file's row: a failed input, no record (`cut_short.NOT_A_RECORD_SQL`)
        runs=provenance(study, paths),
        bot_cal=bot_calibration_held_out(study) if "account_scores" in tables else None,
        bot_near=bot_near_eight_tenths(study) if "account_scores" in tables else None,
        training=training_sentences(recorded_counts(study), own_bot=_scored_by_own_bot_model(study)),
        repro=repro,
        libraries_differ_said=LIBRARIES_DIFFER,
        lake_spark_said=LAKE_SPARK_SAID,
        code_differs_said=CODE_DIFFERS,
        paths_sentence=paths_sentence(repro) if paths is not None else None,
        step_chars=PAGE_STEP_CHARS,
        study_q=shlex.quote(not_an_option(study_label(study.path)[1])),
        exports=ctx.get("exports") or [],
        export_dir=ctx.get("export_dir"),
        posts_not_exported=ctx.get("posts_not_exported", 0),
        study_name=study_label(study.path)[1],
        today=date.today(),
    )
    return Section("methods", "Methods and caveats", html, order=900)
