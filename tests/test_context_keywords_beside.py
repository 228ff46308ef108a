"""What a `keywords_context` word needs beside it, as docs/elections.md says: a `context_cues` word
anywhere in the post's text, or any other term of the file naming a party in the same post. A
user's EU-referendum file listing "leave" as Leave's context word read the docs ("count only beside
a context_cues word") as if "Please my dear don't leave." tagged #VoteRemain could not name Leave;
it does, through Remain's tag, and the docs now say so."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from botwatch.content.match import compile_matcher, match_batch, party_mask
from botwatch.elections.model import election_from_text

ELECTION = """
key = "test-referendum"
name = "A referendum"
country = "GB"
timezone = "Europe/London"
trigger_date = 2016-02-20
polling_day = 2016-06-23
context_cues = ["eu"]

[[parties]]
key = "leave"
name = "Leave"
keywords_context = ["leave"]

[[parties]]
key = "remain"
name = "Remain"
hashtags_pro = ["VoteRemain"]
"""


def test_a_context_word_counts_beside_a_cue_or_another_partys_term() -> None:
    m = compile_matcher(election_from_text(ELECTION, "t.toml"))
    rows = [("Please my dear don't leave.", ["VoteRemain"]), ("Please my dear don't leave.", []),
            ("Time to leave, said nobody about the EU", []), ("The EU: time to go", [])]
    batch = pa.table({"text": [t for t, _ in rows], "kind": ["original"] * len(rows), "hashtags": pa.array([h for _, h in rows], pa.list_(pa.string())),
                      "mentions": pa.array([[]] * len(rows), pa.list_(pa.string())), "ref_handle": pa.array([None] * len(rows), pa.string()),
                      "handle": pa.array([None] * len(rows), pa.string())})
    named = party_mask(m, match_batch(m, batch))
    assert named.tolist() == np.array([[True, True], [False, False], [True, False], [False, False]]).tolist()
