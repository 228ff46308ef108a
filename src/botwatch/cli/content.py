"""`botwatch content evaluate`: a study's party stance and post sentiment against a reader's hand
labels, as macro-F1 with bootstrap intervals (see botwatch.content.score and
docs/labelling-guide.md for what the labels mean)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer
from rich.table import Table

from botwatch.cli.common import EngineOpt, SparkMasterOpt, app, console, fail, open_or_fail, out, plain, print_json_result
from botwatch.cli.usage_line import CommandTyper
from botwatch.count_text import counted
from botwatch.elections.contest import PARTY_WORDS, contest_words, contest_words_for, current_contest_words
from botwatch.prob_text import fixed
from botwatch.shown_text import name_shown, shell_shown

if TYPE_CHECKING:
    from botwatch.elections.model import Election

content_app = CommandTyper(help="Content labels: measure them against hand labels.", no_args_is_help=True)
app.add_typer(content_app, name="content")


@content_app.command("evaluate")
def evaluate_cmd(
    study: Annotated[str, typer.Argument(metavar="STUDY", help="A study analysed with --election (it has post_party and post_labels)")],
    labels: Annotated[Path, typer.Argument(help="CSV: post_id, party, stance, sentiment [, election, part]")],
    part: Annotated[Optional[str], typer.Option(help="Score only rows whose `part` column is this (e.g. dev, test)")] = None,
    boot: Annotated[int, typer.Option(help="Bootstrap resamples for the intervals")] = 1000,
    show_errors: Annotated[int, typer.Option(min=0, help="List up to this many false and missed party matches")] = 0,
    record: Annotated[bool, typer.Option("--record/--no-record", help="Record the result in the study (the report's Parties section quotes it)")] = True,
    json_out: Annotated[bool, typer.Option("--json", help="Print one JSON object with every figure (shape in docs/labelling-guide.md) instead of the tables")] = False,
    engine: EngineOpt = None,
    spark_master: SparkMasterOpt = None,
) -> None:
    """Print stance and sentiment macro-F1 (95% bootstrap intervals), accuracy, the majority-class
    baseline, and party-matching precision and recall; record them in the study's `runs` table
    (stage `content_evaluate`) so that the report quotes them for this election."""
    from contextlib import ExitStack

    from botwatch.cli.common import boot_or_fail
    from botwatch.content.score import LabelsError, load_labels, study_predictions, unmeasured_pairs

    boot_or_fail(boot)
    with ExitStack() as reading:
        st = reading.enter_context(open_or_fail(study, read_only=True, engine=engine, master=spark_master))
        tables = st.tables()
        if "post_party" not in tables or "post_labels" not in tables:
            from botwatch.report.staleness import ELECTION_PLACEHOLDER, election_placeholder_said

            fail(f"{name_shown(study)} has no content labels yet: run `botwatch analyze {shell_shown(study)} --election {ELECTION_PLACEHOLDER}` first, "
                 f"and {election_placeholder_said()}")
        elections = [r[0] for r in st.sql("select distinct election from post_labels where election is not null")]
        election = elections[0] if len(elections) == 1 else None
        # The parties the posts were labelled for: a party key that is none of them (a typo, labels
        # made for another election) is an error naming them, not pairs scored "not matched".
        parties, aliases = _party_keys(st, election)
        other_elections: Counter = Counter()
        empty_lines: list[int] = []
        notes: list[str] = []
        try:
            rows = load_labels(labels, election=election, part=part, parties=parties, other_elections=other_elections, aliases=aliases,
                               empty_lines=empty_lines, notes=notes)
        except LabelsError as exc:
            fail(str(exc))
        for note in notes:
            (console if json_out else out).print(f"[yellow]note:[/yellow] {plain(note)}", highlight=False)
        if empty_lines:
            from botwatch.labels_encoding import empty_rows_said

            (console if json_out else out).print(f"[yellow]note:[/yellow] {empty_rows_said(empty_lines, plain(labels.name))}", highlight=False)
        if other_elections and rows:
            # Left out as the docs say, but without a word: a file meant for this election whose
            # election cell was mistyped lost those rows from every figure with exit 0.
            k = sum(other_elections.values())
            named = ", ".join(f"{plain(repr(e))} ({counted(v, 'row')})" for e, v in other_elections.most_common(5))
            (console if json_out else out).print(
                f"[yellow]note:[/yellow] {counted(k, 'row')} of {plain(labels.name)} {'names' if k == 1 else 'name'} another election than the study's "
                f"{plain(election or '')} and {'is' if k == 1 else 'are'} left out: {named}", highlight=False)
        if not rows:
            fail(f"no labels left for election {election!r}" + (f" and part {part!r}" if part else ""))
        stance, sentiment = study_predictions(st, election)
        unmeasured = unmeasured_pairs(st, election)
        # A lake stays open, so its result is recorded on the same Spark session (a second JVM
        # start would cost most of a minute); a DuckDB file is closed here, since it is opened
        # for writing below, and one process cannot hold it both ways.
        lake = st if st.engine == "spark" else None
        words = contest_words(_labelled_election(st, election)) if election else PARTY_WORDS
        if lake is None:
            reading.close()
        # A referendum's lines say "side" ("side matching on labelled posts"), as its report does.
        with contest_words_for(words):
            _score_and_show(study, labels, rows, stance, sentiment, election=election, part=part, boot=boot,
                            show_errors=show_errors, record=record, lake=lake, json_out=json_out, unmeasured=unmeasured)


def _score_and_show(study: Path | str, labels: Path, rows, stance, sentiment, *, election: str | None, part: str | None,  # type: ignore[no-untyped-def]
                    boot: int, show_errors: int, record: bool, lake, json_out: bool = False, unmeasured=None) -> None:
    """Score the predictions against the labels, print the tables and lines (or, with `json_out`,
    one JSON object on stdout and the notes on stderr), and record the result (in `lake` itself
    when the study is a lake open on Spark)."""
    from botwatch.content.score import EXPORT_IDS_AS_TEXT, NUMBER_ID, agreement, agreement_json, digits_lost, first_ids

    say = console if json_out else out
    w = current_contest_words()

    held = set(sentiment) | {pid for pid, _party in stance}
    rows = _read_back_float_ids(rows, held, labels, say)
    labelled = {r["post_id"] for r in rows}
    present = {pid for pid in labelled if pid in sentiment} | {pid for pid, _party in stance if pid in labelled}
    # A spreadsheet reads an 18-digit tweet id as a number and saves it as 1.00049E+17 (or pandas as
    # 100049039077556275.0): the digits are gone, and each such row scored as a post botwatch missed
    # (wrong), with exit 0 where some ids survived. So is a whole `12345.0` not read back because
    # `12345` is labelled too (or `12345.00` is): it names the study's post, not one botwatch missed.
    mangled = sorted(pid for pid in labelled - present if NUMBER_ID.fullmatch(pid) and (digits_lost(pid) or pid.split(".")[0] in held))
    if mangled:
        fail(f"{counted(len(mangled), 'post_id')} of {name_shown(labels.name)} {'is' if len(mangled) == 1 else 'are'} not in this study and read as numbers a spreadsheet or pandas rewrote "
             f"({first_ids(mangled)}; a long id keeps only its first 15 or so digits). "
             f"{EXPORT_IDS_AS_TEXT}; nothing scored")
    padded = _padded_ids(labelled - present, set(sentiment) | {pid for pid, _party in stance})
    if padded:
        # "none of the 150 labelled posts is in this study" was all a file of zero-padded ids got:
        # the ids are there, behind the zeros.
        fail(f"{counted(len(padded), 'post_id')} of {name_shown(labels.name)} {'is not in this study but is one of its ids' if len(padded) == 1 else 'are not in this study but are its ids'} with zeros in front "
             f"({first_ids(padded)}): write the post ids as the study has them "
             f"(`botwatch export {shell_shown(study)} posts -o posts.csv` lists them); nothing scored")
    if not present:
        # "for a 538 IRA CSV, its tweet_id column" was wrong for the by-author IRA files, which have
        # no tweet ids (the study makes `ira538-…` ones), and `export STUDY posts` without -o fails.
        example = f"such as {min(held)!r}; " if held else ""
        fail(f"none of the {len(labelled):,} labelled posts of {name_shown(labels.name)} is in this study: the labels' post_id must be the "
             f"study's post ids ({example}`botwatch export {shell_shown(study)} posts -o posts.csv` lists them); nothing to score")
    if len(present) < len(labelled):
        gone = len(labelled) - len(present)
        say.print(f"[yellow]note:[/yellow] only {len(present):,} of the {len(labelled):,} labelled posts {'is' if len(present) == 1 else 'are'} in this study; "
                  f"the labelled pairs and sentiment of the other {gone:,} count as botwatch's misses (wrong): "
                  f"{_first_ids(labelled - present)}", highlight=False)
    parts = sorted({r.get("part") or "" for r in rows} - {""})
    if part is None and len(parts) > 1:
        say.print(f"[yellow]note:[/yellow] the labels hold the parts {', '.join(map(plain, parts))} and all of them are scored together; "
                  "a model tuned or trained on some of them scores higher there than on posts it never saw: pass --part (e.g. "
                  "--part test for botwatch's frozen test part)", highlight=False)
    n_boot = max(boot, 10)
    ag = agreement(rows, stance, sentiment, n_boot=n_boot, unmeasured=unmeasured)
    if json_out:
        if record:
            _record(study, ag, election=election, labels=labels, part=part, n_boot=n_boot, lake=lake, json_out=True)
        print_json_result(agreement_json(ag, labels_file=labels.name, election=election, part=part))
        return
    t = Table(title=f"Agreement with {plain(name_shown(labels.name))}" + (f" (election {plain(election)}" + (f", part {plain(part)})" if part else ")") if election else ""))
    for c in ("", "n", "macro-F1", "95% interval", "accuracy", "majority class"):
        t.add_column(c)
    absent = []
    for name, fig, what in ((f"stance (post, {w.one})", ag.stance, "stance"), ("sentiment (post)", ag.sentiment, "sentiment")):
        if not fig.n:  # was "0 | nan | nan–nan | nan" for a file with an empty sentiment column
            absent.append(what)
            continue
        t.add_row(name, str(fig.n), f"{fig.macro_f1:.3f}", _interval(fig), f"{fig.accuracy:.3f}", f"{fig.majority:.3f}")
    out.print(t)
    for what in absent:
        out.print(f"{what}: no {what} labels in {plain(name_shown(labels.name))}, so nothing to score", highlight=False)
    from botwatch.content.score import SENTIMENTS, STANCES, classes_scored

    for what, fig, classes in (("stance", ag.stance, STANCES), ("sentiment", ag.sentiment, SENTIMENTS)):
        used = classes_scored(fig, classes)
        if fig.n and len(used) < len(classes):  # macro-F1 over fewer classes is not comparable with one over all three
            left = [c for c in classes if c not in used]
            out.print(f"{what} macro-F1 is the mean over {' and '.join(used)} only: no {'pair' if what == 'stance' else 'post'} was labelled or predicted "
                      f"{' or '.join(left)}", highlight=False)
    _show_shares(ag.shares)
    left_out = sum(1 for r in rows if r["party"] and (r["post_id"], r["party"]) in (unmeasured or set()) and (r["post_id"], r["party"]) in stance)
    if left_out:
        out.print(f"{counted(left_out, 'labelled pair')} that botwatch matched but whose stance it did not measure (not in English, and no cue "
                  f"of the {w.one}) {'is' if left_out == 1 else 'are'} in no share, as in the report's; the macro-F1 above scores {'it' if left_out == 1 else 'them'}",
                  highlight=False)
    if ag.sentiment_unscored:  # they were read as "neutral", right wherever the reader said neutral
        k = ag.sentiment_unscored
        out.print(f"{counted(k, 'labelled post')} in this study {'has' if k == 1 else 'have'} no sentiment from botwatch (not in English): "
                  f"the sentiment macro-F1 above scores {'it' if k == 1 else 'them'} wrong, as it scores a labelled pair botwatch did not match "
                  f"for stance; the shares leave {'it' if k == 1 else 'them'} out", highlight=False)
    # A file of sentiment only (every party empty) has no labelled pair, and botwatch may match no
    # party on the labelled posts: each figure then has no denominator, and "recall nan" was printed.
    precision = (f"precision {ag.match_precision:.3f} ({ag.matched_pairs - len(ag.false_pairs)} of {ag.matched_pairs} matched pairs labelled)"
                 if ag.matched_pairs else f"precision: none to measure (botwatch matched no {w.one} on the labelled posts)")
    gold_pairs = sum(1 for r in rows if r["party"])
    missed = len(ag.missed_pairs)
    # "(0 labelled pairs not matched, each scored wrong)" was said where botwatch matched them all.
    missed_said = ("every labelled pair matched" if not missed
                   else f"{counted(missed, 'labelled pair')} not matched, {'scored wrong' if missed == 1 else 'each scored wrong'}")
    recall = f"recall {ag.match_recall:.3f} ({missed_said})" if gold_pairs else f"recall: none to measure (no row of the file names a {w.one})"
    out.print(f"{w.one} matching on labelled posts: {precision}, {recall}", highlight=False)
    for what, items in (("false match", ag.false_pairs), ("missed", ag.missed_pairs)):
        for post_id, party in items[:show_errors]:
            out.print(f"  {what}: {plain(post_id)} {plain(party)}", highlight=False)
    if record:
        _record(study, ag, election=election, labels=labels, part=part, n_boot=n_boot, lake=lake)


def _read_back_float_ids(rows: list[dict], held: set[str], labels: Path, say: Any) -> list[dict]:
    """`rows` with each post id pandas wrote as a float but kept whole (`12345.0`) read as the
    study's id (12345), said once. Why: such ids were refused as "rewritten" by a spreadsheet, as
    if digits were lost, where nothing was; ids that did lose digits are still refused."""
    from botwatch.content.score import ids_read_back

    labelled = {r["post_id"] for r in rows}
    back = ids_read_back(labelled - held, held, labelled)
    if not back:
        return rows
    say.print(f"[yellow]note:[/yellow] {counted(len(back), 'post_id')} of {plain(name_shown(labels.name))} {'is' if len(back) == 1 else 'are'} written as "
              f"{'a number' if len(back) == 1 else 'numbers'} with a trailing .0 ({_first_ids(set(back))}) and {'is' if len(back) == 1 else 'are'} read as "
              f"the study's {'id' if len(back) == 1 else 'ids'} without it, since every digit was kept", highlight=False)
    return [{**r, "post_id": back.get(r["post_id"], r["post_id"])} for r in rows]


def _first_ids(ids: set[str], shown: int = 3) -> str:
    """The first few of `ids` in order, quoted and escaped for the console, so a reader can find
    the rows (a count alone located none of them)."""
    from botwatch.content.score import first_ids

    return first_ids(ids, shown, lambda x: plain(repr(x)))


def _padded_ids(absent: set[str], held: set[str]) -> list[str]:
    """The labelled ids the study lacks that are one of its ids with zeros in front (a spreadsheet
    column formatted to a fixed number of digits, or a tool that pads ids)."""
    return sorted(pid for pid in absent if pid[:1] == "0" and pid.lstrip("0") in held)


def _interval(fig) -> str:  # type: ignore[no-untyped-def]
    """The table's interval cell. A bootstrap over a few posts that all agree (or all disagree) can
    only give the same macro-F1 again: "1.000–1.000" from 2 labelled pairs read as certainty where
    the labels say little, so a zero-width interval is said to be none (`stats.degenerate_interval`,
    as the report says of its shares)."""
    from botwatch import stats

    if stats.degenerate_interval(fig.macro_f1, fig.ci[0], fig.ci[1]):
        return f"none (every resample gave {fig.ci[0]:.3f})"
    return f"{fig.ci[0]:.3f}–{fig.ci[1]:.3f}"


def _show_shares(sh) -> None:  # type: ignore[no-untyped-def]
    """The shares botwatch counted beside the reader's on the same items (`content.score.Shares`):
    what a report's shares would be off by on posts like these, which macro-F1 does not say."""
    from botwatch.content.score import SHARE_CLASSES

    if sh is None or not (sh.stance_n or sh.sentiment_n):
        return
    t = Table(title="Shares on the same items (what the report counts: matched pairs whose stance was measured, posts with a sentiment)")
    for c in ("", "items", "your labels", "botwatch", "difference [95% interval]"):
        t.add_column(c)
    for (task, classes), n in zip(SHARE_CLASSES, (sh.stance_n, sh.sentiment_n)):
        if not n:
            continue
        for c in classes:
            r, b = sh.reader[c], sh.botwatch[c]
            t.add_row(f"{c}: all {current_contest_words().many}" if task == "stance" else f"{task}: {c}", f"{n:,}", f"{fixed(r, 1, 100)}%", f"{fixed(b, 1, 100)}%", _difference_said(r, b, sh.difference_ci.get(c)))
    for party, d in sorted(sh.parties.items(), key=lambda kv: (-kv[1]["n"], kv[0])):  # the report's headlines are per party
        for c in SHARE_CLASSES[0][1]:
            r, b = d[c]
            t.add_row(f"{c}: {plain(party)}", f"{d['n']:,}", f"{fixed(r, 1, 100)}%", f"{fixed(b, 1, 100)}%", _difference_said(r, b, sh.party_difference_ci.get(party, {}).get(c)))
    out.print(t)


def _difference_said(reader: float, botwatch: float, ci: tuple[float, float] | None) -> str:
    """botwatch's share less the reader's in points with its 95% interval over posts: "+8.9 points
    on 90 pairs" stood as firm as on 9,000. A zero-width interval (a few items that all agree) is
    said to be none, as the macro-F1's is (`_interval`)."""
    from botwatch import stats

    said = f"{(botwatch - reader) * 100:+.1f} points"
    if ci is None:
        return said
    if stats.degenerate_interval(botwatch - reader, ci[0], ci[1]):
        return f"{said} (no interval: every resample gave {ci[0] * 100:+.1f})"
    return f"{said} [{ci[0] * 100:+.1f}, {ci[1] * 100:+.1f}]"


def _record(study: Path | str, ag, *, election: str | None, labels: Path, part: str | None, n_boot: int, lake=None, json_out: bool = False) -> None:  # type: ignore[no-untyped-def]
    """Record the evaluation as a `runs` row of the study, so the report's Parties section can say
    how stance did on the observer's own labels (`record_run`: a lake gets the same row); under
    `--json` the line goes to stderr."""
    from botwatch.cli.record import record_run, say_recorded
    from botwatch.content.score import EVALUATE_STAGE, evaluation_params

    if election is None:
        why = "the study's posts are labelled for no single election"
    else:
        why = record_run(study, EVALUATE_STAGE, lambda: evaluation_params(ag, election=election, labels_path=labels, part=part, n_boot=n_boot), lake)
    from botwatch.content.score import MIN_OWN_PAIRS
    from botwatch.content.stance import MEASURED_BY_ELECTION

    quoted = f"the report's {current_contest_words().Many} section quotes it for {plain(election or '')}"
    if not ag.stance.n:  # `recorded_evaluation` quotes only a check with stance figures: a sentiment-only one was said to be quoted
        quoted = "the report quotes only a check with stance labels, so not this one"
    elif election in MEASURED_BY_ELECTION and ag.stance.n < MIN_OWN_PAIRS:
        # "quotes it" was said of 2 pairs, which do not replace the shipped figures (`stance_measurement`).
        quoted = (f"with fewer than {MIN_OWN_PAIRS} labelled pairs it does not replace the shipped figures of {plain(election or '')} in the report's "
                  f"{current_contest_words().Many} section, which says it was too few; Methods gives it")
    say_recorded(console if json_out else out, study, EVALUATE_STAGE, why, quoted, json_out=json_out)


def _party_keys(st, election: str | None) -> tuple[list[str] | None, dict[str, str]]:  # type: ignore[no-untyped-def]
    """The party keys of the election the study's posts were labelled for: that election's
    parties (those no post matched too) where it is known (`_labelled_election`), else the keys in
    `post_party`; None when unknown. Beside them, the names a reader may write for a key
    (`content.score.party_aliases`), where the election is known."""
    if election is None:
        return None, {}
    from botwatch.content.score import party_aliases

    e = _labelled_election(st, election)
    if e is not None:
        return [p.key for p in e.parties], party_aliases(e.parties)
    keys = [r[0] for r in st.sql("select distinct party from post_party where election = ? order by 1", [election])]
    return keys or None, {}


def _labelled_election(st, key: str) -> Election | None:  # type: ignore[no-untyped-def]
    """The election `key` (the one `post_labels` names) as the study records it or botwatch ships
    it: the content stage's record, else the election the study's stages were last analysed with,
    else the preset of that key; None where none has that key (a user's file the study did not
    record). Why not the content stage's record only: a study whose content run recorded no
    election (an older one) lost the party keys no post matched and the name-to-key hints, though
    its labels name a preset."""
    from botwatch.elections.model import ElectionError, list_presets, load_preset
    from botwatch.elections.recorded import stage_election, study_election

    e = stage_election(st, "content")
    if e is not None and e.key == key:
        return e
    try:
        e = study_election(st)[0]
    except (ElectionError, OSError):  # stages of different elections, or one not loadable here
        e = None
    if e is not None and e.key == key:
        return e
    if key not in list_presets():
        return None
    try:
        return load_preset(key)
    except (ElectionError, OSError):
        return None
