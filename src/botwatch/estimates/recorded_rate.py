"""The sample rate a study's estimates were last made with, reused as `analyze` reuses its election.

`analyze --sample-rate 0.01` scaled the estimates; a later plain `botwatch estimate` (or `analyze
--only estimates`) ran with no rate and rewrote them unscaled, saying only "no sample rate given",
and the report then said both "run with a sample rate of 1.00%" (Methods, from the merged run
records) and "No sample rate was given" (Parties, from the table). The rate is part of what the
estimates mean, as the election is: a run without `--sample-rate` now takes the rate recorded by
the latest successful `estimates` run (its `runs` record), and says so. `--sample-rate 1` counts
posts as observed and is then what later runs keep. With no such record the rate a capture
manifest gives (`collect.study_link.recorded_sample_rate`) applies, as before.
"""

from __future__ import annotations

from typing import Any

from botwatch.runs_table import latest_of_stage


def recorded_estimates_rate(study: Any) -> float | None:
    """The sample rate the latest successful `estimates` run recorded (None: none recorded, or not a rate in (0, 1])."""
    run = latest_of_stage(study, "estimates")
    rate = (run.params or {}).get("sample_rate") if run is not None else None
    if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0 < rate <= 1:
        return None
    return float(rate)


def study_sample_rate(study: Any) -> tuple[float | None, str]:
    """(rate, line to tell the user) for a run given no `--sample-rate`: the estimates' recorded
    rate, else a capture manifest's (`recorded_sample_rate`), else (None, "")."""
    from botwatch.collect.study_link import recorded_sample_rate

    rate = recorded_estimates_rate(study)
    if rate is not None:
        captured, why = recorded_sample_rate(study)
        if captured is None and why and _stored_since_estimates(study):
            # A study of one capture at 0.5, analysed (0.5 recorded), then given a capture at 0.1:
            # the next plain run scaled the 0.1 posts by 1/0.5 while `status` said "no single rate".
            return None, (f"not using the sample rate this study's estimates were last made with ({rate:g}): "
                          f"inputs ingested since leave no single rate; {why}")
        # An override of the captures' rate was warned once, when given; the runs that inherit it
        # went on with "using the sample rate … 0.01" alone, on a capture taken at 0.5.
        other = (f"; every capture in this study recorded rate {captured:g} (botwatch collect --sample), which scales counts by "
                 f"1/{captured:g}{', where these are counted as observed' if rate >= 1 else f', not 1/{rate:g}'}: --sample-rate {captured:g} uses it"
                 ) if captured is not None and given_rate_conflict(study, rate) else ""
        return rate, (f"using the sample rate this study's estimates were last made with: {rate:g}; "
                      f"pass --sample-rate to use another (--sample-rate 1 counts posts as observed){other}")
    return recorded_sample_rate(study)


def warning_rate(study: Any, given: float | None) -> float | None:
    """The sample rate the content stage's warnings read (`party_coverage.unmatched_lines`): the
    one given, else the study's recorded one (`study_sample_rate`), as a full `analyze` uses it.

    `analyze --only content` (and `api.analyze` without the estimates stage) looks no rate up, so on
    a `collect --sample` study a party the sample missed was blamed on its hashtags, where the full
    run said how many posts a sample at that rate can miss."""
    return given if given is not None else study_sample_rate(study)[0]


def _stored_since_estimates(study: Any) -> bool:
    """Whether an input that stored posts was ingested after the latest successful `estimates` run.
    The two small tables are read at the driver on either engine (`driver_arrow`: on a local lake
    Arrow reads them with no Spark job), as the rate check's other reads are; the query was Spark
    SQL over both."""
    if "sources" not in study.tables() or "runs" not in study.tables():
        return False
    from botwatch.runs_table import sort_values

    finished = study.driver_arrow("runs", ["finished_at"], {"status": "ok", "stage": "estimates"}).column("finished_at")
    read = study.driver_arrow("sources", ["posts_stored", "ingested_at"])
    at = read.column("ingested_at")
    # Times of one type compared as integers: a time past year 9999 (a hand edit) has no Python datetime.
    values = sort_values if finished.type == at.type else (lambda c: c.to_pylist())
    done = [v for v in values(finished) if v is not None]
    if not done:  # max() of none is NULL, and no row is after NULL
        return False
    latest = max(done)
    return any(n is not None and n > 0 and t is not None and t > latest for n, t in zip(read.column("posts_stored").to_pylist(), values(at)))


def given_rate_conflict(study: Any, given: float | None) -> str | None:
    """What to warn when a `--sample-rate` given on the command line is not the rate every capture
    in the study recorded (None: no such conflict). `analyze --sample-rate 0.01` on a study of one
    capture taken at 0.5 scaled its counts by 100 instead of 2 without a word: the capture's rate
    is a fact botwatch recorded, so an override is used, as asked, but said."""
    if not given:
        return None
    from botwatch.collect.study_link import recorded_sample_rate

    captured, _ = recorded_sample_rate(study)
    if captured is None or abs(captured - given) <= 1e-12 * max(captured, given):
        return None
    done = "counts posts as observed" if given >= 1 else f"scales counts by 1/{given:g}"
    return (f"--sample-rate {given:g} {done}, as asked, but every capture in this study recorded rate {captured:g} "
            f"(botwatch collect --sample), which scales them by 1/{captured:g}; --sample-rate {captured:g} uses the captures' rate")

