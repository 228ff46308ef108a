"""The `estimates` stage (last in the pipeline): counts and shares per party, group and window,
scaled by `--sample-rate` with bootstrap intervals over accounts."""

from __future__ import annotations

from botwatch.estimates.compute import DEFAULT_REPS, ESTIMATES_VERSION, ESTIMATES_VERSION_KEY, DEFAULT_SEED, EstimateOptions, compute_estimates, parse_window, write_estimates
from botwatch.pipeline import Context, register
from botwatch.study import Study
from botwatch.timeline.labelled import require_labels_for


def options_from(ctx: Context) -> EstimateOptions:
    o = ctx.options
    return EstimateOptions(
        sample_rate=o.get("sample_rate"),
        # `or` took a seed of 0 (and 0 replicates) for "not given": the default seed ran while `runs`
        # recorded 0, so seed=0 gave seed 2017's intervals under another name.
        reps=int(DEFAULT_REPS if o.get("bootstrap_reps") is None else o["bootstrap_reps"]),
        seed=int(DEFAULT_SEED if o.get("seed") is None else o["seed"]),
        extra_windows=[parse_window(w) for w in o.get("windows") or []],
    )


@register("estimates", needs=("post_labels", "post_party"), optional=("account_scores",), writes=("estimates",), needs_election=True,
          options=("sample_rate", "bootstrap_reps", "seed", "windows"), check=require_labels_for)
def estimates(study: Study, ctx: Context) -> int:
    """Posts, accounts, support/opposition and sentiment shares per party, group and window, with intervals."""
    require_labels_for(study, ctx, "estimates")  # another election's labels: the user's mix-up, said in one line
    ctx.run_params[ESTIMATES_VERSION_KEY] = ESTIMATES_VERSION  # what `report.staleness.outdated_estimates` reads
    table = compute_estimates(study, ctx.election, options_from(ctx), log=ctx.log)
    return write_estimates(study, table)
