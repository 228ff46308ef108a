"""`botwatch coordination STUDY`: build the tested co-action network, estimate or sweep the window,
and export the network (GraphML, CSV). Runs the `coordination` stage through the pipeline runner."""

from __future__ import annotations

import os
import re
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from rich.table import Table

from botwatch.cli.common import (
    ElectionOpt, EngineOpt, SparkMasterOpt, StudyArg, app, console, election_choice_or_fail, election_or_fail, fail, finite, local_output, no_posts_line, open_or_fail, out, plain, record_plain, refuse_to_overwrite, warn,
    wide_when_piped,
)
from botwatch.coordination.behaviour_names import BEHAVIOURS, DEFAULT_BEHAVIOURS
from botwatch.shown_text import name_shown, shell_shown

BEHAVIOUR_HELP = f"{', '.join(BEHAVIOURS)} (repeatable; default: {' '.join(DEFAULT_BEHAVIOURS)})"

_UNITS = {"": 1, "s": 1, "m": 60, "min": 60, "h": 3600, "d": 86400}


def parse_duration(text: str) -> int:
    """'60s', '5m', '1h', '90' → seconds (a plain number means seconds)."""
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(s|m|min|h|d)?\s*", text.lower())
    if not m:
        raise ValueError(f"cannot read {text!r} as a duration: use e.g. 30s, 5m, 1h")
    seconds = float(m.group(1)) * _UNITS[m.group(2) or ""]
    if seconds < 1:
        raise ValueError(f"window {text!r} is under a second")
    return int(round(seconds))


def _check_ranges(*, min_repeats: int, max_trace_accounts: int, max_trace_pairs: int, null_replicates: int, memory_mb: int,
                  max_fdr: float, fast_seconds: int) -> None:
    """Raise ValueError for a setting outside what the test means: `--max-fdr 2` ran and the report
    then said each pair beat chance "at a 200% false discovery rate"; negative counts ran silently."""
    if not 0 < max_fdr < 1:
        raise ValueError(f"--max-fdr must be between 0 and 1 (0.05 is 5%), got {max_fdr:g}")
    for name, value, least in (("--min-repeats", min_repeats, 1), ("--max-trace-pairs", max_trace_pairs, 1), ("--null-replicates", null_replicates, 1),
                               ("--fast-seconds", fast_seconds, 1), ("--max-trace-accounts", max_trace_accounts, 0), ("--memory-mb", memory_mb, 0)):
        if value < least:
            raise ValueError(f"{name} must be at least {least}, got {value}")


@app.command()
def coordination(
    study: StudyArg,
    behaviour: Annotated[Optional[list[str]], typer.Option("--behaviour", "-b", help=BEHAVIOUR_HELP)] = None,
    window: Annotated[str, typer.Option(help="Co-action window, e.g. 60s, 5m (or 'auto': estimated from the data)")] = "60s",
    min_repeats: Annotated[int, typer.Option(help="Co-actions a pair needs before it is tested")] = 2,
    max_trace_accounts: Annotated[int, typer.Option(help="Set aside items shared by more accounts than this (0: none; popular items are thinned instead)")] = 0,
    max_trace_pairs: Annotated[int, typer.Option(help="Pair budget per item: above it, an item's accounts are sampled (the rate is reported)")] = 250_000,
    null_model: Annotated[str, typer.Option(help="account-swap (default, exact expectation), item-swap, day-shuffle or trace-permute")] = "account-swap",
    null_unit: Annotated[Optional[str], typer.Option(help="The null's stratum: D (UTC day) or h (hour); default: the model's own (account-swap D, item-swap h)")] = None,
    null_replicates: Annotated[int, typer.Option(help="Null-model runs (the test itself for the simulated models; the report's curve for account-swap)")] = 1,
    memory_mb: Annotated[int, typer.Option(help="DuckDB memory limit for the stage in MB; above it DuckDB spills to disk (0: DuckDB's default)")] = 500,
    max_fdr: Annotated[float, typer.Option(callback=finite(expect="a share between 0 and 1 (0.05 is 5%)"), help="False discovery rate for keeping an edge")] = 0.05,
    fast_seconds: Annotated[int, typer.Option(help="fast-retweet: at most this many seconds after the original")] = 30,
    seed: Annotated[int, typer.Option(help="Seed of the null model and of Leiden")] = 7,
    election: ElectionOpt = None,
    sweep: Annotated[Optional[str], typer.Option(help="Only report pairs/edges for these windows, e.g. 10s,60s,10m,1h (writes nothing)")] = None,
    graphml: Annotated[Optional[Path], typer.Option(callback=local_output, help="Also write the network as GraphML here")] = None,
    edges_csv: Annotated[Optional[Path], typer.Option("--csv", callback=local_output, help="Also write the edge list to this .csv file (and its accounts to <name>_nodes.csv)")] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace files --graphml or --csv would write that already exist")] = False,
    engine: EngineOpt = None,
    spark_master: SparkMasterOpt = None,
) -> None:
    """Find accounts that act in unison: co-action network tested against chance, Leiden clusters.
    'Foreign origin' in the cluster summaries is measured against the country of the election the
    accounts were scored with (else this election's; default: the one the study was analysed with,
    or none when it was last analysed with --no-election)."""
    from botwatch.coordination.behaviours import DEFAULT_BEHAVIOURS, check_behaviours
    from botwatch.coordination.edges import NULL_MODELS
    from botwatch.coordination.network import MINUTE_S, NetworkOptions, estimate_window, minute_stamped, sweep as run_sweep
    from botwatch.pipeline import Context, PipelineError, analyze as run_stages

    try:
        behaviours = tuple(check_behaviours(behaviour or DEFAULT_BEHAVIOURS))
        if null_model not in NULL_MODELS:
            raise ValueError(f"unknown null model {null_model!r}; known: {', '.join(NULL_MODELS)}")
        if null_unit is not None and null_unit not in ("D", "h"):
            raise ValueError(f"unknown null unit {null_unit!r}: use D (day) or h (hour)")
        _check_ranges(min_repeats=min_repeats, max_trace_accounts=max_trace_accounts, max_trace_pairs=max_trace_pairs,
                      null_replicates=null_replicates, memory_mb=memory_mb, max_fdr=max_fdr, fast_seconds=fast_seconds)
        if sweep is not None and not sweep.strip():
            # Taken for no --sweep: the stage ran with these options and replaced the study's network.
            raise ValueError("--sweep is empty: give the windows to compare, e.g. --sweep 10s,60s,10m (a sweep writes nothing)")
        if sweep and (graphml or edges_csv):
            # They were ignored: the sweep's table, exit 0, and no file, with no word of why.
            asked = " and ".join(o for o, v in (("--graphml", graphml), ("--csv", edges_csv)) if v)
            raise ValueError(f"--sweep compares windows and writes nothing, so {asked} would write no file: "
                             f"leave out {asked}, or drop --sweep to run the stage and write {'them' if ' and ' in asked else 'it'}")
        win = None if window.strip().lower() == "auto" else parse_duration(window)
        windows = [parse_duration(w) for w in sweep.split(",")] if sweep else None
    except ValueError as exc:
        fail(str(exc))
        return
    if not sweep:
        outputs = _outputs(graphml, edges_csv)
        if graphml and any(os.path.abspath(graphml) == os.path.abspath(p) for p in outputs[1:]):
            # The edge list was written over the GraphML just written, and both said "wrote".
            fail(f"--graphml and --csv name the same file ({name_shown(graphml)}): give each its own")
        for p in outputs:  # with --force the study was replaced by the edge list or the GraphML, and lost
            if os.path.abspath(p) == os.path.abspath(study) or (p.exists() and os.path.exists(study) and os.path.samefile(p, study)):
                fail(f"{name_shown(p)} is the study itself: name another file for --graphml or --csv")
        if edges_csv and edges_csv.suffix.lower() != ".csv":
            # `--csv edges.tsv` wrote comma-separated text into the .tsv (and its nodes into
            # edges_nodes.csv); `--csv edges` a file with no extension. As `export`, the name says the format.
            fail(f"--csv {name_shown(edges_csv.name)}: name a .csv file, e.g. {name_shown(edges_csv.with_suffix('.csv').name)} "
                 f"(its accounts go beside it, in {name_shown(edges_csv.stem + '_nodes.csv')})")
        refuse_to_overwrite(outputs, force)
    elect = election_or_fail(election)
    with open_or_fail(study, engine=engine, master=spark_master) as st:
        if "posts" not in st.tables() or st.count("posts") == 0:
            fail(no_posts_line(study, "to find networks in"), code=1)  # README: exit 1, a study with no posts to analyze
        minutes = minute_stamped(st)
        if win is None:
            est = estimate_window(st, behaviours=("co-retweet",))
            win = int(est["window_s"])
            console.print(
                f"window estimated from {est['later_shares']:,} later shares: the quickest {est['quantile']:.0%} follow the first within {win:,} s "
                f"(median {est['median_delay_s']} s)",
                highlight=False,
            )
            if minutes["sources"] and win < MINUTE_S:
                # On whole-minute stamps (the IRA release) an estimate under a minute is an artefact of
                # the rounding: it was used anyway, behind a warning that it was below the resolution.
                console.print(f"window raised to {MINUTE_S} s: some posts' times are whole minutes, so a shorter window cannot be measured",
                              highlight=False)
                win = MINUTE_S
        opts = NetworkOptions(
            behaviours=behaviours, window_s=win, min_repeats=min_repeats, max_trace_accounts=max_trace_accounts, max_trace_pairs=max_trace_pairs,
            null_model=null_model, null_unit=null_unit, null_replicates=null_replicates, max_fdr=max_fdr, seed=seed, fast_seconds=fast_seconds, memory_mb=memory_mb,
        )
        if minutes["sources"]:
            # Whole-minute timestamps (the IRA release): a window under a minute cannot be measured there.
            names = ", ".join(f"{f} ({n:,} posts)" for f, n in minutes["sources"])
            short = sorted({w for w in (windows or [win]) if w < MINUTE_S})
            warn(f"{names}: timestamps are whole minutes, so co-actions are timed no closer than {MINUTE_S} s"
                 + (f"; {', '.join(f'{w:,} s' for w in short)} is below that resolution and only catches posts stamped in the same minute" if short else ""))
        if windows:
            t = Table(title=f"Window sweep ({', '.join(behaviours)})")
            cols = ("window (s)", "pairs co-acting", "pairs tested", "edges kept", "accounts", "min co-actions kept")
            for c in cols:
                t.add_column(c, justify="right")
            if minutes["sources"]:
                t.add_column("note")
            for r in run_sweep(st, windows, opts):
                row = [f"{r['window_s']:,}", f"{r['pairs']:,}", f"{r['tested']:,}", f"{r['edges']:,}", f"{r['accounts']:,}", str(r["min_co_actions"])]
                if minutes["sources"]:
                    row.append(f"below {MINUTE_S} s resolution" if r["window_s"] < MINUTE_S else "")
                t.add_row(*row)
            wide_when_piped().print(t)  # in a pipe, the note column is not cut to "below…"
            return
        # The one runner, as `analyze --only coordination` with these options (and one `runs` row).
        # Without --election, the study's own choice, as `analyze` takes it: a run that recorded
        # neither the election nor --no-election wore the record down, so that a study last analysed
        # with --no-election no longer said so once its stages had been re-run one by one.
        elect, none_on_purpose = election_choice_or_fail(st, elect)
        options: dict = {"cli": True, **{f"coordination_{k}": v for k, v in vars(opts).items()}}
        if none_on_purpose:
            options["no_election"] = True
        ctx = Context(election=elect, options=options,
                      log=lambda m: console.print(m, highlight=False, markup=False))
        try:
            # accounts_clusters after it: each cluster member's evidence names its cluster, and a
            # report after `botwatch coordination` alone said the accounts' evidence was out of date.
            scored = {"accounts", "account_features", "account_scores", "account_evidence"} <= set(st.tables())
            (_, _, edges), *_ = run_stages(st, ctx, only=["coordination", *(["accounts_clusters"] if scored else [])])
        except PipelineError as exc:
            fail(str(exc))
            return
        from botwatch.report.staleness import behind_inputs

        behind = behind_inputs(st)  # the timeline's cluster groups still the old clusters: said after the table
        clusters = st.sql("SELECT cluster_id, size, edges, density, array_to_string(behaviours, ','), label, first_at, last_at, peak_day, peak_day_co_actions, "
                          "posts_first_at, posts_last_at FROM clusters ORDER BY cluster_id LIMIT 15")
        n_clusters = st.count("clusters")
        if n_clusters:
            from botwatch.coordination.peak_days import tied_peak_days

            table = clusters_table(clusters, f"Clusters (window {win:,} s; {edges or 0:,} edges beat chance at FDR {max_fdr})", tied_peak_days(st))
            if n_clusters > len(clusters):
                # The table stopped at 15 rows without a word, so 18 clusters read as 15.
                table.caption = (f"the {len(clusters):,} largest of {n_clusters:,} clusters; all of them: "
                                 f"botwatch export {plain(shell_shown(study))} clusters -o clusters.csv")
            wide_when_piped().print(table)
        else:
            # The table's header alone, under its title, read as output cut off or a failure.
            out.print(f"no clusters (window {win:,} s; {edges or 0:,} edges beat chance at FDR {max_fdr}): the coordination "
                      "lines above count the pairs that co-acted and were tested", highlight=False)
        if graphml:
            from botwatch.cli.study import graphml_or_fail

            out.print(f"wrote {plain(name_shown(graphml_or_fail(st, graphml)))}")
        if edges_csv:
            out.print(f"wrote {' and '.join(plain(name_shown(p)) for p in _csv_or_fail(st, study, edges_csv))}")
        if behind is not None:
            warn(behind.sentence(str(study)))


def _csv_or_fail(st: Any, study: Path | str, edges_csv: Path) -> tuple[Path, Path]:
    """`coordination.export.export_csv`, with a file that cannot be written (a read-only folder, a
    full disk) said in one line naming it, as --graphml does: it ended in "IOException: ... This is
    a bug in botwatch" (exit 1), though the fault is the path the user gave. The network itself is
    in the study by then, so the line says how to get the files without running the stage again."""
    import duckdb

    from botwatch.coordination.export import export_csv
    from botwatch.table_export import _reason

    try:
        return export_csv(st, edges_csv)
    except (OSError, duckdb.Error) as exc:
        why = _reason(exc)
        why = why.rsplit('": ', 1)[-1] if ".part" in why else why  # DuckDB names the hidden .part file, not the user's
        from botwatch.out_path import in_the_way_said

        said = in_the_way_said(edges_csv) or f"could not write {name_shown(edges_csv)}: {why}"
        fail(f"{said}. The network is stored in the study: "
             f"`botwatch export {shell_shown(study)} coordination_edges cluster_members -o FOLDER --format csv` writes it without running the stage again")
        raise  # unreachable: fail exits


def _outputs(graphml: Path | None, edges_csv: Path | None) -> list[Path]:
    """Every file --graphml and --csv would write (--csv writes `<name>_nodes.csv` beside its file)."""
    paths = [graphml] if graphml else []
    if edges_csv:
        paths += [edges_csv, edges_csv.with_name(edges_csv.stem + "_nodes.csv")]
    return paths


def clusters_table(clusters: list[tuple], title: str, tied: dict[int, list[date]] | None = None) -> Table:
    """The clusters found, one row each, with when each was active (first and last co-action, the
    UTC day with the most co-actions, and its members' first and last posts: the review found no
    way to tell from this output when a network acted); the label is the most central account's
    handle, which its owner wrote, so it is shown as text (`[/x]` in a handle made Rich raise MarkupError),
    its backslashes doubled (`record_plain`: a typed `\\x07` is not a BEL). The busiest day is in
    the report's words, ties included (`tied`: cluster -> days at the peak, `tied_peak_days`): this
    table printed "2016-11-01 (36)" where the report said 2016-11-15 had 36 co-actions too."""
    from botwatch.coordination.peak_days import peak_words

    t = Table(title=title)
    for c in ("cluster", "accounts", "edges", "density", "behaviours", "co-acting (UTC)", "busiest day (UTC)", "members' posts (UTC)", "most central"):
        t.add_column(c)
    for cid, size, e, d, b, label, first, last, peak, peak_n, p_first, p_last in clusters:
        busiest = peak_words({"peak_day": peak, "peak_day_co_actions": peak_n}, (tied or {}).get(int(cid), []))
        t.add_row(str(cid), f"{size:,}", f"{e:,}", "" if d is None else f"{d:.2f}", plain(b or ""), _span(first, last),
                  busiest, _span(p_first, p_last), record_plain(label or ""))
    return t


def _span(first: object, last: object) -> str:
    """'2016-10-01 12:00 – 2016-10-09 08:30' (empty when unknown)."""
    if first is None or last is None:
        return ""
    return f"{first:%Y-%m-%d %H:%M} – {last:%Y-%m-%d %H:%M}"
