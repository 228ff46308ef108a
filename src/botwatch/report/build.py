"""Assembling the report: every registered section, headline findings first, one HTML file, and
the exports beside it.

The file is self-contained (styles and scripts inlined, no network) and carries a strict Content
Security Policy: only scripts with this report's nonce (a hash of the page, report/page_nonce.py) may run, so even a payload that slipped
past escaping could not execute. Sections get the nonce, the election, the sample rate and the
list of exports through `ctx`.

What a section finds in `ctx` (all optional to use):

- `tables`: names of the study's tables and views; `params`: the merged parameters of the runs;
- `election`: the Election the analysis ran with (or None); `sample_rate`: float or None;
- `nonce`: this report's CSP nonce, for a `<script type="application/json" nonce=...>` data block;
- `scripts`: a list to append trusted script text to (our own code, never data); it is inlined
  once at the end of the body with the nonce, so the DOM is ready when it runs;
- `exports` / `export_dir`: what was written beside the report (to link a table's file).

Template filters for every section: `num`, `pct`, `pct_ci`, `interval` (report/fmt.py) for numbers
and `user_text`, `safe_url` for attacker-written text and links; link to accounts in the explorer
with `section_explorer.explorer_href(q=..., cluster=...)`.

A section that fails does not take the report down with it: the report says which section could
not be built and why (unless `strict`, which tests use), because a reader is better served by the
other findings plus an honest gap than by no report.
"""

from __future__ import annotations

import os
import shlex
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

from markupsafe import Markup

from botwatch.report.context import study_label
from botwatch.report.fmt import FILTERS
from botwatch.report.mixed_elections import election_groups, kicker_elections, mixed_elections
from botwatch.report.sections import ENV, Section, all_sections
from botwatch.report.study_key import study_key
from botwatch.report.swap import ReportPaths
from botwatch.code_identity import version_label
from botwatch.report.page_nonce import fill, placeholder
from botwatch.study import Study, utcnow
from botwatch.shown_text import not_an_option

ENV.filters.update(FILTERS)


def json_for_script(obj: Any) -> str:
    """JSON that is safe inside a <script> element: '<', '>' and '&' are written as unicode escapes,
    so a post containing `</script>` cannot close the element."""
    import orjson

    text = orjson.dumps(obj, default=str).decode()
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


@dataclass
class SectionFailure:
    """A section that raised while building: named in the report instead of silently missing."""

    name: str
    error: str


def _asset(name: str) -> str:
    return (resources.files("botwatch.report") / "templates" / name).read_text(encoding="utf-8")


def export_folder(out: Path) -> Path:
    """Where the exports of `out` go: `<report stem>-data/` beside it."""
    return out.parent / f"{out.stem}-data"


def export_href(file: str | os.PathLike[str], page_folder: str | os.PathLike[str]) -> str:
    """The link from the report to one of its export files: the relative path, percent-encoded.

    Written as it was, a report named `rapport #2.html` linked `rapport #2-data/accounts.csv`, which
    a browser reads as the page `rapport ` and the fragment `2-data/...` (a `?` starts a query, a
    `%` an escape, `x:` a scheme): every export link of the page was dead. The name's bytes are
    encoded (a byte that is not UTF-8 included), so the link opens the file the folder holds."""
    from urllib.parse import quote

    return quote(os.fsencode(os.path.relpath(file, page_folder).replace(os.sep, "/")), safe="/")


def build_report(
    study: Study,
    out: str | Path,
    *,
    title: str | None = None,
    ctx: dict[str, Any] | None = None,
    exports: bool = True,
    strict: bool = False,
    export_posts: bool = False,
    on_step: Callable[[str], None] | None = None,
    on_placed: Callable[[], None] | None = None,
    on_exports_placed: Callable[[], None] | None = None,
) -> Path:
    """Write the report for `study` to `out` (and its exports beside it) and return its path.
    `study` is an open study or a path (opened read-only for the call, as `api.foreign_counts`).
    Folders of `out` that do not exist are made, as `export` makes an output's (`botwatch report`
    names the one it made: `out_path.first_missing_folder`).
    `on_placed` is called once the new report and exports are in place, `on_exports_placed` once
    the exports are, before the HTML (`swap.ReportPaths.move_into_place`).

    A lake is read through `engines.lake_report.reading`: its small tables are queried at the
    driver by DuckDB instead of a Spark job per statement (the same report, in seconds)."""
    from botwatch.engines.lake_report import reading
    from botwatch.report.caveats import carriers_held

    if isinstance(study, (str, os.PathLike)):
        # A notebook passing the path, as to every `botwatch.api` call: "AttributeError: 'str'
        # object has no attribute 'tables'".
        from botwatch.study import open_study

        with open_study(study) as st:
            return build_report(st, out, title=title, ctx=ctx, exports=exports, strict=strict, export_posts=export_posts, on_step=on_step,
                                on_placed=on_placed, on_exports_placed=on_exports_placed)
    with reading(study) as view, carriers_held(view):  # the posts do not change while the report is built
        return _build_report(view, out, title=title, ctx=ctx, exports=exports, strict=strict, export_posts=export_posts, on_step=on_step,
                             on_placed=on_placed, on_exports_placed=on_exports_placed)


def _build_report(
    study: Study,
    out: str | Path,
    *,
    title: str | None,
    ctx: dict[str, Any] | None,
    exports: bool,
    strict: bool,
    export_posts: bool,
    on_step: Callable[[str], None] | None,
    on_placed: Callable[[], None] | None = None,
    on_exports_placed: Callable[[], None] | None = None,
) -> Path:
    """Build into temporary siblings of `out` and its exports folder, then move both into place."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    paths = ReportPaths.beside(out, export_folder(out))
    try:
        from botwatch.elections.contest import contest_words
        from botwatch.report.context import report_context
        from botwatch.report.sections import contest_words_for

        ctx = report_context(study, ctx)  # read once here: the contest's words hold for every section
        with contest_words_for(contest_words(_options_election(study, ctx))):
            _write_report(study, paths, title=title, ctx=ctx, exports=exports, strict=strict, export_posts=export_posts, on_step=on_step)
        paths.move_into_place(with_exports=exports, on_placed=on_placed, on_exports_placed=on_exports_placed)
    except BaseException:  # Ctrl-C or a failure: the earlier report stays as it was, its exports too unless swapped (`on_exports_placed`)
        paths.discard()
        raise
    return out


def _options_election(study: Study, ctx: dict[str, Any]) -> Any:
    """The election whose options the report's words name ("sides" for a referendum): the one the
    estimates (else the labels) were made with, as the Parties section reads it. The newest run's
    (`ctx["election"]`) may be another: after `analyze --only accounts --election uk-ge2017` on a
    referendum study the section of Leave and Remain was titled "Parties". None (no election, or
    `--no-election` last) keeps the default words."""
    if ctx.get("election") is None:
        return None
    from botwatch.elections.recorded import stage_election

    return stage_election(study, "estimates") or stage_election(study, "content") or ctx["election"]


def _write_report(
    study: Study,
    paths: ReportPaths,
    *,
    title: str | None,
    ctx: dict[str, Any] | None,
    exports: bool,
    strict: bool,
    export_posts: bool,
    on_step: Callable[[str], None] | None,
) -> None:
    """Build the report into `paths`' temporary HTML file and exports folder; links and the
    folder's name in the page are those of the final places (`swap.ReportPaths`)."""
    from botwatch.report.context import report_context
    from botwatch.elections.recorded import stage_election
    from botwatch.report.caveats import accounts_selection, attributed_only, data_provenance, no_election_posts, outside_election_window
    from botwatch.report.headlines import gather_headlines, key_numbers
    from botwatch.model_used import bot_model_changed
    from botwatch.report.staleness import (ELECTION_PLACEHOLDER, account_models_changed, behind_inputs, content_model_changed, cut_off_stages, election_placeholder_said,
                                           outdated_estimates, stale_analysis)

    out = paths.out
    ctx = report_context(study, ctx)
    ctx.setdefault("scripts", [])
    # The nonce is a placeholder until the page is built, then a hash of the page (page_nonce):
    # the same study gives the same file but for its generation time. A caller's own nonce stays.
    given_nonce = "nonce" in ctx
    nonce = ctx.setdefault("nonce", placeholder())
    stamp = placeholder()
    if exports:
        from botwatch.report.exports import write_exports

        if on_step:
            on_step("report: exports")
        written = write_exports(study, paths.data, include_posts=export_posts)
        for e in written:
            e.files = {fmt: paths.final(p) for fmt, p in e.files.items()}
            e.hrefs = {fmt: export_href(p, out.parent) for fmt, p in e.files.items()}
        ctx["exports"] = written
        ctx["export_dir"] = os.path.relpath(paths.folder, out.parent)
        ctx["posts_not_exported"] = 0 if export_posts or "posts" not in ctx["tables"] else study.count("posts")
    # Said first: a study without posts (an ingest stopped early) gave a page of empty sections.
    no_posts = "posts" not in ctx["tables"] or study.count("posts") == 0
    built: list[Section] = []
    failures: list[SectionFailure] = []
    for name, fn in all_sections():
        if on_step:
            on_step(f"report: section {name}")
        try:
            sec = fn(study, ctx)
        except Exception as exc:
            if strict:
                raise
            failures.append(SectionFailure(name, f"{type(exc).__name__}: {exc}"[:500]))
            ctx.setdefault("section_tracebacks", []).append(traceback.format_exc())
            continue
        if sec is not None:
            built.append(sec)
    built.sort(key=lambda s: s.order)
    ids = {s.id for s in built}
    lead, more = gather_headlines(built)
    provenance = data_provenance(study)
    groups = election_groups(study)
    if no_posts:
        outside = None
    elif groups is None:
        outside = outside_election_window(study, ctx.get("election"))
    else:  # each election's window, for the stages analysed with it, not the newest run's for every section
        outside = " ".join(t for _, e, stages in groups if (t := outside_election_window(study, e, stages))) or None
    # The posts were labelled by the content stage, for its own election: under mixed elections the
    # newest run's (another stage's) has no labels, and the line went unsaid; nor does another
    # election's window without posts say it (that banner speaks of its own stages).
    labelled_for = ctx.get("election") if groups is None else stage_election(study, "content")
    if groups is not None and not no_posts:
        outside_labelled = outside_election_window(study, labelled_for) is not None
    else:
        outside_labelled = outside is not None
    labelled_none = None if no_posts or outside_labelled else no_election_posts(study, labelled_for)
    # Our own stylesheet and scripts are trusted text for raw-text elements, where HTML entities
    # would not be decoded; data reaches scripts only through `json_for_script`.
    html = ENV.get_template("report.html.j2").render(
        title=title or study_label(study.path)[0],
        generated=stamp,
        version=version_label(),
        study_name=study_label(study.path)[1],
        study_q=shlex.quote(not_an_option(study_label(study.path)[1])),  # in a command the page shows
        # The empty report's command: the one placeholder every message uses for an election, said once.
        election_placeholder=ELECTION_PLACEHOLDER,
        election_placeholder_said=election_placeholder_said(),
        study_key=study_key(study.path),
        election=ctx.get("election"),
        sections=built,
        headlines=lead,
        more_headlines=more,
        key_numbers=key_numbers(study, ctx, ids),
        provenance=provenance,
        attributed_only=attributed_only(provenance),
        accounts_selection=accounts_selection(study) if provenance and not attributed_only(provenance) else None,
        failures=failures,
        no_posts=no_posts,
        outside_window=outside,
        no_election=labelled_none,
        mixed_elections=mixed_elections(study),
        kicker_elections=kicker_elections(study),
        stale=_election_relative(stale_analysis(study), ctx),
        cut_off=_election_relative(cut_off_stages(study), ctx),
        behind=_election_relative(behind_inputs(study), ctx),
        model_changed=bot_model_changed(study),
        outdated_estimates=outdated_estimates(study),
        content_model_changed=_election_relative(content_model_changed(study), ctx),
        account_models_changed=_election_relative(account_models_changed(study), ctx),
        exports=ctx.get("exports") or [],
        css=Markup(_asset("report.css")),
        scripts=[Markup(js) for js in [_asset("report.js"), *ctx["scripts"]]],
        nonce=nonce,
    )
    generated = utcnow().strftime("%Y-%m-%d %H:%M")
    html = html.replace(stamp, generated) if given_nonce else fill(html, nonce, stamp, generated)
    paths.html.write_text(html, encoding="utf-8")


_Renewal = TypeVar("_Renewal")


def _election_relative(found: _Renewal, ctx: dict[str, Any]) -> _Renewal:
    """`found` (a banner's `StaleAnalysis`, `CutOffStages`, `BehindInputs`, `ContentModelChanged` or
    `AccountModelsChanged`, or None) with the election file its renew command names shown relative
    to `report --paths-relative-to`'s folder, as the stage table and the reproduction block show
    it. Why: the study records the file by its
    absolute path, so the banner's command named the author's folders on a page said to name none,
    and the same file two ways."""
    election = getattr(found, "election", None)
    if not ctx.get("paths_relative_to") or not isinstance(election, str):
        return found
    from dataclasses import replace

    from botwatch.report.reproduce import RelativePaths

    return replace(found, election=RelativePaths(ctx["paths_relative_to"]).path(election))  # type: ignore[type-var]
