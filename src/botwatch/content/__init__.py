"""Post labels: which posts belong to the election, which parties they are about, their language,
their sentiment (English only) and their stance toward each party, with the rule that decided it.

The work is Python by nature (regular expressions, a lexicon, a language model), so it runs over
Arrow record batches with vectorised Arrow compute kernels where possible; only VADER and the
language detector touch individual texts, and only the texts that need them.
"""

from botwatch.content.match import PartyMatcher, compile_matcher
from botwatch.content.stance import STANCE_RULES, decide_stances

__all__ = ["PartyMatcher", "compile_matcher", "STANCE_RULES", "decide_stances"]
