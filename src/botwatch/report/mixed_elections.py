"""Whether a study's stages were last analysed with different elections, for the report's banner.

`analyze` refuses to re-run such a study without `--election`, but the report used to build from it
without a word: one stage re-run with an edited copy of the election file under the same key gave
a report whose Parties section came from one text and whose accounts section from another, and
whose reproduction line (`botwatch elections show STUDY --toml`) then failed with "different
elections". The banner names the stages and each election, and says how to make them one.
"""

from __future__ import annotations

from typing import Any


def mixed_elections(study: Any) -> str | None:
    """A sentence naming the stages and their elections when they differ; None when they agree (or
    none recorded an election)."""
    from botwatch.elections import ElectionError
    from botwatch.elections.recorded import study_election_record

    try:
        study_election_record(study)
    except ElectionError as exc:
        what = str(exc).replace("; pass --election to say which one to use", "")
        return (f"{what[0].upper()}{what[1:]}: each section describes its own stage's election. Run "
                "`botwatch analyze STUDY --election KEY_OR_FILE` to analyse every stage with one; "
                "`botwatch elections show STUDY --stage STAGE --toml` gives back a stage's election text.")
    return None
