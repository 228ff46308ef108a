"""`botwatch elections list|show|check`: the election presets and user TOML files."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from botwatch.cli.common import EngineOpt, SparkMasterOpt, app, console, controls_shown, election_or_fail, fail, open_or_fail, out, plain, warn
from botwatch.cli.usage_line import CommandTyper
from botwatch.elections.contest import contest_words
from botwatch.shown_text import name_shown, terminal_shown

elections_app = CommandTyper(
    help="Election presets: list, show and check them. For an election without a preset, start from "
    "`botwatch elections show uk-ge2017 --toml > my.toml`, give it its own key and check it (docs/elections.md).",
    no_args_is_help=True,
)
app.add_typer(elections_app, name="elections")


@elections_app.command("list")
def elections_list() -> None:
    """List the shipped election presets, each with its window: the local days whose posts are
    the election's (`elections show` gives the day it was called and the rest)."""
    from botwatch.elections.model import list_presets, load_preset

    # Padded columns, not tabs: a tab after "uk-ge2017" and one after "us-2016" lined up differently.
    rows = [(name, load_preset(name)) for name in list_presets()]
    kw = max((len(n) for n, _ in rows), default=0)
    nw = max((len(e.name) for _, e in rows), default=0)
    for name, e in rows:
        # The window, not the day the election was called: "called 2015-06-16" for us-2016 invited
        # studies of 2015 primary debates, whose posts all lie outside its 2016-09-01 window.
        out.print(f"{name:<{kw}}  {e.name:<{nw}}  window {e.window_start} to {e.window_end} ({e.timezone} days), polling day {e.polling_day}",
                  highlight=False, markup=False)


def _is_study(ref: str) -> bool:
    """Whether `ref` names a study (a DuckDB file or a lake folder) rather than a preset or TOML file.

    Other commands take a study of any name, so the file itself is sniffed (a DuckDB file carries
    "DUCK" at bytes 8-11): `elections show /path/study` used to be read as a TOML file and failed
    with "too large for a election file" or a TOML parse error."""
    from botwatch.engines.lake import is_lake_path
    from botwatch.study import is_duckdb_file

    p = Path(ref)
    if p.suffix.lower() == ".toml":
        return False
    # An unreadable file is no study here: the election loader's own error says why.
    return p.suffix.lower() == ".duckdb" or is_lake_path(ref) or is_duckdb_file(p)


def _recorded_or_fail(ref: str, stage: str | None, engine: str | None = None, master: str | None = None):  # type: ignore[no-untyped-def]
    """The election a study was analysed with, rebuilt from its `runs` record (a user's file from
    the text the study keeps): the report said "<1,396 characters recorded>" and no command gave
    the text back, so a reader could not re-run the study with the same election."""
    from botwatch.elections import ElectionError
    from botwatch.elections.recorded import recorded_stage_election, study_election

    with open_or_fail(ref, read_only=True, engine=engine, master=master) as st:
        try:
            e = recorded_stage_election(st, stage) if stage else study_election(st)[0]
        except ElectionError as exc:
            _fail_recorded(exc)
    if e is None:
        fail(f"{name_shown(ref)} was not analysed with an election" + (f" in stage {stage}" if stage else ""), code=1)
    return e


def _fail_recorded(exc: Exception) -> None:
    """Say why a study's recorded election cannot be shown, in this command's terms."""
    msg = controls_shown(str(exc))
    # Only stages that recorded different elections are answered by --stage (pick one);
    # an election that cannot be loaded here is not, and this command has no --election.
    if "different elections" in msg:
        msg = msg.replace("pass --election to say which one to use", "pass --stage to say which stage's election to show")
    else:
        msg = msg.replace("; pass --election", "")
    fail(msg)


def _recorded_text_or_fail(ref: str, stage: str | None, engine: str | None = None, master: str | None = None) -> str:
    """The TOML text of the election a study was analysed with, as the study stored it (a preset's:
    the preset's text). A recorded text that no longer loads (botwatch's election format has moved
    on, or the record was edited) is still printed, with a warning on stderr saying why: the user
    gets the text to correct, where before the only way to it was `botwatch export STUDY runs`."""
    from botwatch.elections import ElectionError
    from botwatch.elections.recorded import NO_ELECTION, recorded_election, recorded_pair, stage_run_params, study_election_record

    with open_or_fail(ref, read_only=True, engine=engine, master=master) as st:
        try:
            pair = recorded_pair(stage_run_params(st, stage)) if stage else study_election_record(st)
        except ElectionError as exc:
            _fail_recorded(exc)
            raise  # unreachable: fail exits
    if pair is None or pair == NO_ELECTION:
        fail(f"{name_shown(ref)} was not analysed with an election" + (f" in stage {stage}" if stage else "") + (" (last analysed with --no-election)" if pair else ""), code=1)
        raise AssertionError  # unreachable: fail exits
    key, text = pair
    if text is None:  # a preset's key: the preset's text (or why it cannot be loaded), as before
        return str(_recorded_or_fail(ref, stage, engine, master).text)
    try:
        recorded_election({"election": key, "election_toml": text})
    except ElectionError as exc:
        why = controls_shown(exc).replace("; pass --election with a corrected copy of it", "")
        warn(f"{why}; the text below is as the study recorded it: correct a copy before passing it to --election")
    return text


@elections_app.command("show")
def elections_show(
    ref: Annotated[str, typer.Argument(help="Preset name, TOML file, or a study (STUDY.duckdb): the election it was analysed with")],
    toml: Annotated[bool, typer.Option("--toml", help="Print the election's TOML text: a preset to copy and edit for a new election, or the exact text a study recorded (`> election.toml` to re-run with it)")] = False,
    stage: Annotated[Optional[str], typer.Option("--stage", help="With a study: the election this stage's latest run recorded (when stages differ)")] = None,
    engine: EngineOpt = None,
    spark_master: SparkMasterOpt = None,
) -> None:
    """Show an election: parties, hashtags, official accounts, events."""
    study = _is_study(ref)  # (one sniff of the file: each question below asked it again)
    if stage and not study:
        fail("--stage goes with a study (STUDY.duckdb), not a preset or TOML file")
    if engine and not study:  # the option every study command has; a preset is read without one
        fail(f"--engine goes with a study (a DuckDB file or a lake), and {name_shown(ref)} is read as a preset or TOML file: leave --engine out")
    if toml and study:  # the text as the study stored it, whether it still loads or not
        _write_toml(_recorded_text_or_fail(ref, stage, engine, spark_master))
        return
    e = _recorded_or_fail(ref, stage, engine, spark_master) if study else election_or_fail(ref)
    if toml:  # an installed preset lives inside site-packages: this is how a user gets a copy to edit
        _write_toml(e.text)
        return
    # Every field but the dates is text from the file, which may come from anyone (an election file
    # passed on, or the copy a shared study recorded): a TOML escape such as "\u001b" or "\u202e" in
    # a name or label is shown as such, never sent to the terminal to obey.
    say = lambda line: out.print(controls_shown(line), highlight=False, markup=False)  # noqa: E731
    out.print(f"[bold]{plain(e.name)}[/bold] {plain(f'({e.key}, {e.country})')}; called {e.trigger_date}; polling day {e.polling_day}; window {e.window_start} … {e.window_end}; tz {plain(e.timezone)}", highlight=False)
    say("election hashtags: " + _listed(e.hashtags, "#"))  # a dash for none, as the parties' lines: it ended in a bare space
    say("election keywords: " + _listed(e.keywords))
    # Every field that changes what matches is shown: a party's context-only names were left out,
    # so a referendum file's "leave" and "remain" could not be seen to have been read at all.
    if e.contest != "parties":  # shown only where the file set it: a preset's lines read as before
        say(f"contest: {e.contest} (the report calls its options {contest_words(e).many})")
    if e.context_cues:
        say("context cues (for context-only names): " + _listed(e.context_cues))
    if e.exclude_phrases:
        say("phrases blanked before matching: " + _listed(e.exclude_phrases))
    for p in e.parties:
        # A party with no leader shows none, as its TOML (`show --toml`) has no leader key: "leader ?"
        # read as a leader the file had but could not be read.
        lead = f"leader {p.leader}; " if p.leader else ""
        out.print(f"[bold]{plain(p.key)}[/bold]: " + plain(f"{p.name} ({lead}colour {p.colour})"), highlight=False)
        say(f"    pro {_listed(p.hashtags_pro, '#')} | {_listed(p.keywords_pro)}")
        say(f"    anti {_listed(p.hashtags_anti, '#')} | {_listed(p.keywords_anti)}")
        say(f"    topic {_listed(p.hashtags, '#')} | {_listed(p.keywords)}")
        say(f"    official {_listed(p.official_accounts, '@')}; allied {_listed(p.allied_accounts, '@')}")
        if p.keywords_context:
            # "another side's name" for a referendum, as the "contest:" line above calls its options
            say(f"    context-only (beside a context cue or another {contest_words(e).one}'s name) {_listed(p.keywords_context)}")
        if p.tag_fragments:
            say(f"    inside hashtags {_listed(p.tag_fragments)}")
    say("events (UTC):" + ("" if e.events else " —"))
    for ev in e.events:
        span = f" … {ev.end}" if ev.end else ""
        say(f"  {ev.at}{span}  {ev.label} ({ev.kind})")
    say("sources: " + ("; ".join(e.sources) or "— (none listed: say where the dates and accounts come from)"))


def toml_output(text: str, terminal: bool) -> tuple[str, int]:
    """The text `show --toml` writes, and how many characters it had to show as escapes.

    Into a file or a pipe: the election's text exactly as read (it parsed, so it is valid TOML, and
    `--election` loads the copy back as the same election, whatever its strings hold). On a
    terminal: characters that could repaint the screen or reorder and hide what is shown (an
    election file may come from anyone) are shown as escapes instead, and the caller says so."""
    text = text if text.endswith("\n") else text + "\n"
    if not terminal:
        return text, 0
    return terminal_shown(text)  # what a terminal would obey or hide, tab and line breaks kept (TOML holds them as such)


def _write_toml(text: str) -> None:
    """Write the election's TOML to stdout as bytes: Rich expanded a tab inside a string to spaces
    and dropped a CR, so a copy made with `> my.toml` held other values than the file shown."""
    write_text_out(text, "my.toml")


def write_text_out(text: str, example: str) -> None:
    """Write text a user saves with `> FILE` (an election's TOML, a reproduction script) to stdout
    as bytes, exact into a file or pipe and with what a terminal would obey shown as escapes on a
    terminal (`toml_output`); `example` is the file name the note on a terminal suggests."""
    data, shown = toml_output(text, sys.stdout.isatty())
    sys.stdout.flush()
    sys.stdout.buffer.write(data.encode("utf-8"))
    sys.stdout.flush()
    if shown:
        console.print(f"note: {shown} character(s) that a terminal would obey or hide are shown as escapes above; "
                      f"redirect to a file (> {example}) for the exact text", highlight=False, markup=False)


def _listed(items: list[str], mark: str = "") -> str:
    """Items with their mark (# or @), or a bare dash for none (it read "#—" and "@—")."""
    return ", ".join(mark + i for i in items) or "—"


@elections_app.command("check")
def elections_check(path: Annotated[Path, typer.Argument(help="An election TOML file to validate")]) -> None:
    """Validate an election file; exits non-zero with the field at fault."""
    e = election_or_fail(str(path))
    cw = contest_words(e)  # "2 sides" for a referendum file
    out.print(f"ok: {e.key} with {_n(len(e.parties), cw.one, cw.many)} and {_n(len(e.events), 'event', 'events')}", markup=False)
    from botwatch.origin_rule import home_known, unknown_home_note

    if not home_known(e.country):
        warn(unknown_home_note(e.country))
    if e.timezone_note():
        warn(controls_shown(e.timezone_note()))
    # A valid file can still measure nothing for a party: every one of its figures would be a
    # silent zero (a party given only a name and a leader passed as "ok").
    for p in e.parties:
        if not p.matchable:
            warn(controls_shown(p.unmatchable_note(cw.one)))  # "side leave has no ..." under "2 sides"
    for line in matching_slip_lines(e):
        warn(controls_shown(line))
    for ev in e.events_outside_window():
        warn(controls_shown(f"event {ev.label!r} at {ev.at:%Y-%m-%d %H:%M} UTC lies outside the window {e.window_start} … {e.window_end} "
                            f"({e.timezone}): the study's charts of the window do not show it; check its date"))
    from datetime import timezone
    from zoneinfo import ZoneInfo

    for ev in e.events:
        local = ev.at.replace(tzinfo=timezone.utc).astimezone(ZoneInfo(e.timezone)).date()
        if ev.kind == "polling" and local != e.polling_day:
            warn(controls_shown(f"event {ev.label!r} is of kind polling but falls on {local} ({e.timezone}), not polling day {e.polling_day}"))


def matching_slip_lines(e: Any) -> list[str]:
    """Every warning about how the file's hashtags, keywords and accounts will match posts (a tag
    listed twice, one listed for two parties, a keyword or account shared, a tag no post can carry),
    in one list: `elections check` prints them, and `analyze` prints them again for a user's file
    where its counts are made. Why one list: `analyze` kept its own copy of the calls and left out
    the tag one party lists twice, so a user who never ran `check` never saw that warning. Each
    names the options in the file's words (`contest_words`: "side leave" for a referendum), as the
    line "ok: … with 2 sides" above them does."""
    return repeated_tag_lines(e) + shared_tag_lines(e) + shared_keyword_lines(e) + shared_account_lines(e) + broken_tag_lines(e)


def repeated_tag_lines(e: Any) -> list[str]:
    """A hashtag one party (or the election) lists twice as the matcher reads tags
    (`normalize.norm_tag`: case, '_' and '-' ignored, umlauts spelt out): "#MerkelMussWeg" and
    "#Merkelmussweg", or "#Grüne" and "#Gruene", are one tag. Why: the file's writer meant two
    tags and has one (a German file listed both spellings and `elections check` said "ok"). One
    tag under pro and under anti, in any spelling, never reaches here: the file is refused
    (`elections.model`, "listed as both pro and anti"). Named with the tags as written."""
    from botwatch.content.normalize import norm_tag

    lines = []
    one = contest_words(e).one
    lists = [("the election", [("hashtags", e.hashtags)])] + [
        (f"{one} {p.key}", [("hashtags_pro", p.hashtags_pro), ("hashtags_anti", p.hashtags_anti), ("hashtags", p.hashtags)]) for p in e.parties]
    for who, named in lists:
        seen: dict[str, list[tuple[str, str]]] = {}
        for field, tags in named:
            for t in tags:
                seen.setdefault(norm_tag(t), []).append((field, t))
        for listed in seen.values():
            if len(listed) < 2:
                continue
            as_written = ", ".join(f"#{t} ({f})" for f, t in listed)
            lines.append(f"{who} lists one hashtag {len(listed)} times: {as_written} are one tag to the matcher (case, '_', '-' "
                         "and umlauts spelt ae, oe, ue, ss are ignored); keep one")
    return lines


def shared_tag_lines(e: Any) -> list[str]:
    """A hashtag listed both for the election and for a party, or for two parties: every post
    carrying it names the party (or both), so an archive collected with it names the party in
    nearly every post (a user's EU-referendum file listed #Brexit for the referendum and for Vote
    Leave, and Leave was named in 83% of the brexit-2016 scrape). Compared as the matcher compares
    tags (`normalize.norm_tag`)."""
    from botwatch.content.normalize import norm_tag

    w = contest_words(e)
    own = {norm_tag(t): t for t in e.hashtags}
    parties: dict[str, list[str]] = {}
    written: dict[str, list[str]] = {}  # each party's spelling, in party order
    lines = []
    for p in e.parties:
        tags: dict[str, str] = {}
        for t in p.all_hashtags:
            tags.setdefault(norm_tag(t), t)
        for k, t in tags.items():
            parties.setdefault(k, []).append(p.key)
            written.setdefault(k, []).append(t)
            if k in own:
                lines.append(f"hashtag #{t} is listed for the election and for {w.one} {p.key}: every post carrying it names the {w.one}, "
                             f"so an archive collected with it names the {w.one} in nearly every post; keep a collection hashtag in the "
                             "election's own hashtags only")
    for k, keys in parties.items():
        if len(keys) > 1:
            spellings = list(dict.fromkeys(written[k]))
            if len(spellings) == 1:
                lines.append(f"hashtag #{spellings[0]} is listed for {w.many} {', '.join(keys)}: every post carrying it names each of them")
            else:  # "#Grüne" for one and "#Gruene" for another: one tag to the matcher, so say both as written
                as_written = ", ".join(f"#{t} ({key})" for key, t in zip(keys, written[k]))
                lines.append(f"hashtag {as_written} is one tag listed for {w.many} {', '.join(keys)} (the matcher ignores case, '_', '-' "
                             "and umlauts spelt ae, oe, ue, ss): every post carrying it names each of them")
    return lines


def shared_keyword_lines(e: Any) -> list[str]:
    """A keyword listed for two parties, as `shared_tag_lines` says of a hashtag: every post using
    it names each of them (a German file with "grüne" for the Greens and, by a slip, for the AfD
    made every post about the Greens one about the AfD too, with "ok"). Compared as the matcher
    compares words (`normalize.fold`)."""
    from botwatch.content.normalize import fold

    parties: dict[str, list[str]] = {}
    written: dict[str, str] = {}
    for p in e.parties:
        words = {fold(w.strip()): w.strip() for w in (*p.keywords, *p.keywords_pro, *p.keywords_anti, *p.keywords_context)}
        for k, w in words.items():
            parties.setdefault(k, []).append(p.key)
            written.setdefault(k, w)
    many = contest_words(e).many
    return [f"keyword {written[k]!r} is listed for {many} {', '.join(keys)}: every post using it names each of them"
            for k, keys in parties.items() if len(keys) > 1]


def shared_account_lines(e: Any) -> list[str]:
    """An account listed (official or allied) for two parties, as `shared_tag_lines` says of a
    hashtag: a post by it, or one retweeting, quoting or mentioning it, names each of them, and a
    retweet of it counts as support for each. A referendum file with one side's campaign account
    pasted under the other side's accounts too said "ok", and every retweet of that account then
    supported both sides. Compared as the matcher compares handles (`party_handle_key`: the
    platform its form names, without '@', case folded)."""
    from botwatch.elections.model import party_handle_key

    parties: dict[str, list[str]] = {}
    written: dict[str, str] = {}
    for p in e.parties:
        for h in dict.fromkeys(party_handle_key(a) for a in p.accounts):
            parties.setdefault(h, []).append(p.key)
        for a in p.accounts:
            written.setdefault(party_handle_key(a), a.lstrip("@"))
    w = contest_words(e)
    return [f"account @{written[h]} is listed for {w.many} {', '.join(keys)}: every post by, retweeting or mentioning it names "
            f"each of them, and a retweet of it counts as support for each; list it for one {w.one}"
            for h, keys in parties.items() if len(keys) > 1]


def broken_tag_lines(e: Any) -> list[str]:
    """A hashtag no post can carry: a tag is letters, digits and '_' (with their combining marks),
    so one holding '/', '.', '!' or an apostrophe ("CDU/CSU") is cut there in every post (#CDU),
    and the file's tag matched nothing without a word. ('-' is fine: tags are compared without it.)"""
    from botwatch.content.normalize import norm_tag
    from botwatch.ingest.csv_formats import _HASHTAG

    lines = []
    one = contest_words(e).one
    for who, tags in [("the election", e.hashtags)] + [(f"{one} {p.key}", p.all_hashtags) for p in e.parties]:
        for t in dict.fromkeys(tags):
            if not _HASHTAG.fullmatch("#" + norm_tag(t)):
                lines.append(f"hashtag #{t} of {who} can match no post: a hashtag holds only letters, digits and '_', so a post's "
                             f"#{t} is a shorter tag; list the tag as posts carry it, or put the words in keywords")
    return lines


def _n(count: int, one: str, many: str) -> str:
    """"1 party", "2 parties": it said "with 1 parties"."""
    return f"{count} {one if count == 1 else many}"
