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
    rate = recorded_estimates_rate(study)
    if rate is not None:
        return rate, (f"using the sample rate this study's estimates were last made with: {rate:g}; "
                      "pass --sample-rate to use another (--sample-rate 1 counts posts as observed)")
    from botwatch.collect.study_link import recorded_sample_rate

    return recorded_sample_rate(study)
