"""The `coordination` stage of `botwatch analyze`: tested co-action network, then clusters.

Options come from the pipeline context (`coordination_window_s`, `coordination_behaviours`, …;
see `NetworkOptions`), so `botwatch coordination` and `analyze` share one code path. The stage
needs only `posts`; with `account_scores` (the accounts stage) and an election it also reports each
cluster's share of likely automated and foreign-origin members, and says so when it cannot.
"""

from __future__ import annotations

import json
from typing import Any

from botwatch.coordination.clusters import build_clusters
from botwatch.coordination.network import NetworkOptions, NetworkResult, build_network
from botwatch.count_text import counted
from botwatch.pipeline import Context, register
from botwatch.runs_table import DIGESTS_KEY
from botwatch.shown_text import shell_shown
from botwatch.study import Study, utcnow

TABLES = ("coordination_edges", "coordination_evidence", "clusters", "cluster_members")
# The stage's tables made from posts alone: the accounts' scores join only `clusters` and
# `cluster_members` (bot probability, origin, share automated), so a changed bot or origin model
# leaves these as they are, and `export` warns of it only for the other two.
SCORE_FREE_TABLES = ("coordination_edges", "coordination_evidence", "coordination_null", "coordination_summary")


def run_coordination(study: Study, opts: NetworkOptions, *, country: str | None = None, log=print) -> NetworkResult:  # type: ignore[no-untyped-def]
    """Build the network, cluster it and record a one-row `coordination_summary` for the report."""
    before = _previous_clusters(study)
    res = build_network(study, opts, log)
    n_clusters = build_clusters(study, seed=opts.seed, country=country)
    summary = res.summary()
    summary.update(
        clusters=n_clusters,
        country=country,
        scores_available="account_scores" in study.tables(),
        built_at=utcnow().isoformat(timespec="seconds"),
    )
    study.sql("CREATE OR REPLACE TABLE coordination_summary (summary VARCHAR)")
    study.sql("INSERT INTO coordination_summary VALUES (?)", [json.dumps(summary, default=str, sort_keys=True)])
    # Counted with their nouns: a study with one network read "1 edges kept …, 1 clusters".
    # Edges are kept by the test against chance, not by a count: "threshold 30 co-actions" (the
    # fewest co-actions of any kept edge) read as a cut-off that had dropped pairs with fewer.
    if res.null is None:
        least = ""
    elif res.edges:
        least = f" (the fewest co-actions of a kept edge: {res.null.threshold:,})"
    else:
        least = f" (pairs need {counted(res.null.threshold, 'co-action')} to be tested)"
    log(f"coordination: {counted(res.edges, 'edge')} kept{least}, {counted(n_clusters, 'cluster')}")
    if before is not None:
        line = cluster_change_line(before, _previous_clusters(study) or ({}, {}), shell_shown(study.path))
        if line:
            log(line)
    return res


# Settings that change how the stage runs but not which clusters it finds.
_NOT_RESULT_OPTIONS = frozenset({"memory_mb", "temp_directory"})


def _previous_clusters(study: Study) -> tuple[dict[tuple[str, str], int], dict[str, Any]] | None:
    """The study's clusters as they stand ((platform, account_id) -> cluster_id) and the options of
    the run that made them; None before any coordination run.

    Why: after `botwatch coordination --window 5m`, a plain `analyze --only coordination` ran at
    the default 60 s and renumbered every cluster without a word (IRA, September 2016: 29 clusters
    became 37), so the cluster numbers a user had noted from `explain` or the report named other
    groups."""
    tables = study.tables()
    if "cluster_members" not in tables or "coordination_summary" not in tables:
        return None
    members = {(str(p), str(a)): int(c) for p, a, c in study.sql("SELECT platform, account_id, cluster_id FROM cluster_members")}
    rows = study.sql("SELECT summary FROM coordination_summary")
    options = (json.loads(rows[0][0]).get("options") or {}) if rows and rows[0][0] else {}
    return members, options


def _flag(key: str, value: Any) -> str:
    """An option as `botwatch coordination` takes it (`--window 300s`, `-b co-link -b co-post`);
    an option left unset (`--null-unit`: the model's own) as its absence, since "--null-unit None"
    is no value the command takes."""
    if value is None:
        return f"no --{key.replace('_', '-')}"
    if key == "behaviours":
        return " ".join(f"-b {b}" for b in value or [])
    if key == "window_s":
        return f"--window {value}s"
    return f"--{key.replace('_', '-')} {value}"


def _earlier_flags(old_opts: dict[str, Any], keys: list[str]) -> str:
    """The flags that rerun the earlier settings: those that differ now (`keys`) and every other
    the earlier run set away from the command's defaults. Why: with only the differing ones, runs
    at `--seed 3 --window 60s` then `--seed 3 --window 5m` were told `--window 60s`, which runs at
    seed 7 and does not give the earlier clusters. Unset options are left out (the default)."""
    from dataclasses import asdict

    defaults = json.loads(json.dumps(asdict(NetworkOptions()), default=str))  # as the summary stores them: tuples as lists
    wanted = set(keys) | {k for k, v in old_opts.items() if k not in _NOT_RESULT_OPTIONS and k in defaults and v != defaults[k]}
    return " ".join(_flag(k, old_opts.get(k)) for k in sorted(wanted) if old_opts.get(k) is not None)


def cluster_change_line(before: tuple[dict[tuple[str, str], int], dict[str, Any]],
                        after: tuple[dict[tuple[str, str], int], dict[str, Any]], study_word: str = "STUDY") -> str | None:
    """One log line when this run's clusters number accounts otherwise than the previous run's:
    how many accounts changed cluster, and the settings that differ with the command that gives
    the earlier clusters back. None when every account keeps its cluster number."""
    old, old_opts = before
    new, new_opts = after
    moved = sum(1 for k, c in old.items() if new.get(k) != c)
    joined = sum(1 for k in new if k not in old)
    if not moved:  # accounts new to the clusters alone (more posts ingested) leave every noted number naming its group
        return None
    what = f"{moved:,} of the {counted(len(old), 'account')} clustered before are in another cluster or none now"
    if joined:
        what += f", {joined:,} clustered now were in none"
    keys = sorted(k for k in set(old_opts) | set(new_opts) if k not in _NOT_RESULT_OPTIONS and old_opts.get(k) != new_opts.get(k))
    settings = ""
    if keys and old_opts:
        changes = "; ".join(f"{_flag(k, old_opts.get(k))} then, {_flag(k, new_opts.get(k))} now" for k in keys)
        command = " ".join(x for x in ("botwatch coordination", study_word, _earlier_flags(old_opts, keys)) if x)
        settings = f" The settings differ ({changes}): run `{command}` to have the earlier clusters again."
    return (f"coordination: the cluster numbers changed since the previous run: {what}, so a cluster number noted "
            f"from the earlier run may name another group now.{settings}")


@register("coordination", needs=("posts",), optional=("account_scores",), writes=TABLES + ("coordination_null", "coordination_summary"),
          options=NetworkOptions.option_keys())
def coordination(study: Study, ctx: Context) -> int:
    """Accounts that act in unison: co-action network tested against a null model, Leiden clusters."""
    opts = NetworkOptions.from_options(ctx.options)
    given = getattr(ctx.election, "country", None)
    from botwatch.origin_rule import no_election_note, scored_without_election

    if given and "account_scores" in study.tables() and scored_without_election(study):
        ctx.log(f"coordination: members' foreign origin not counted: {no_election_note()}")
        country = None  # no home prior went to `given`: its P(outside) would not be measured
    else:
        country = scored_country(study, ctx.log, given) or given
    res = run_coordination(study, opts, country=country, log=ctx.log)
    digest = members_digest(study)
    if digest is not None:  # what `report.staleness.behind_inputs` compares; none recorded reads as changed
        ctx.run_params[DIGESTS_KEY] = {"cluster_members": digest}
    return res.edges


def members_digest(study: Study) -> str | None:
    """SHA-256 of the study's cluster membership ((platform, account_id, cluster_id), sorted), the
    part of `cluster_members` the timeline reads. Why: after `analyze --only coordination` gave the
    very same clusters, the timeline and every stage after it were still called stale, since only
    the times of the runs were compared; the digest tells a rewrite that changed nothing apart. None
    where the run left no `cluster_members` table (then no digest is recorded, as before digests).

    The rows come over as Arrow and Arrow sorts them (text by its UTF-8 bytes, which is code point
    order, as Python orders `str`); they are hashed a batch at a time, as the very bytes
    `json.dumps(sorted rows, separators=(",", ":"))` gave, so digests recorded before still
    compare equal. Why: every member as a Python list, sorted and dumped whole, took several
    times the CPU and memory (benchmarks/members_digest.py, docs/performance.md). Not an ORDER BY:
    on a lake Spark's global sort is two more jobs (its sample, then the sort) than the read."""
    import hashlib
    from json.encoder import encode_basestring_ascii as quoted  # json.dumps's own string form

    import pyarrow as pa

    if "cluster_members" not in study.tables():  # a run that wrote no clusters table: nothing to compare, so later stages stay behind it
        return None
    # One read on either engine (`driver_arrow`: on a local lake Arrow reads the Parquet parts,
    # where Spark's read was a job), given the Python form's text and types here. str(None) read
    # "None" in the Python form: the same text here, though no member lacks either.
    held = study.driver_arrow("cluster_members", ["platform", "account_id", "cluster_id"])
    read = pa.table({"p": _text(held.column("platform")), "a": _text(held.column("account_id")), "c": held.column("cluster_id").cast(pa.int64())})
    rows = read.sort_by([("p", "ascending"), ("a", "ascending"), ("c", "ascending")])
    digest = hashlib.sha256(b"[")
    sep = ""
    for batch in rows.to_batches(max_chunksize=_DIGEST_BATCH):
        if not batch.num_rows:
            continue
        ps, accs, cs = (batch.column(i).to_pylist() for i in range(3))
        digest.update((sep + ",".join(f"[{quoted(p)},{quoted(a)},{c}]" for p, a, c in zip(ps, accs, cs))).encode())
        sep = ","
    digest.update(b"]")
    return digest.hexdigest()


_DIGEST_BATCH = 100_000  # members turned into text at a time by `members_digest`


def _text(column: Any) -> Any:
    """An Arrow column as text, a NULL as "None" (what str(None) gave in the Python form). Filled
    only where a NULL is there: the first `fill_null` of a process cost some 0.3 CPU-s
    (benchmarks/members_digest.py), and members lack neither."""
    import pyarrow as pa
    import pyarrow.compute as pc

    text = column.cast(pa.string())
    return pc.fill_null(text, "None") if text.null_count else text


def scored_country(study: Study, log=print, given: str | None = None) -> str | None:  # type: ignore[no-untyped-def]
    """The country the stored account scores were made for (None without scores or a record of
    one), which the members' foreign flag is measured against, whatever election this run has
    (`origin_rule.measured_home`, the report's rule); said in the log when it is not `given`, the
    country of this run's election.

    Why: foreign origin is 1 - P(home) of `account_scores`, whose origin prior gave the election's
    country its share, so the scores already belong to that election. Re-running the network
    alone (`botwatch coordination STUDY --window 5m`, `analyze --only coordination`) without
    repeating `--election` used to turn every cluster's foreign share into "not scored" in the
    report of a study analysed with one; with another election (`analyze -e uk-ge2017 --only
    coordination` on a study scored for us-2016) members 90% likely American were counted foreign
    against GB."""
    if "account_scores" not in study.tables():
        return None
    from botwatch.elections.recorded import stage_election

    election = stage_election(study, "accounts")
    country = getattr(election, "country", None)
    if country and country.upper() != (given or "").upper():
        log(f"coordination: foreign origin measured against {country}, the country of {election.key}, which the accounts were scored with")
    return country
