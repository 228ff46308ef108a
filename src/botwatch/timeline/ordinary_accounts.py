"""Which accounts the ordinary circadian reference (`timeline.report.ORDINARY_FITS`) was measured on.

Why: the circadian section sets a study's shares beside what ordinary Brexit tweets of 2016 gave on
the same test, and tests whether the study's are above. A study that holds posts of that archive
itself (a user who ingested ../shared/data/ordinary/brexit-2016, or part of it) shares accounts with
the reference, so the comparison was partly of those accounts with themselves and the exact test,
which takes the two sets to be apart, no longer held. Each of the reference's accounts with a clear
daily rhythm is kept here as a short hash of its key, with whether its fit fell in the Moscow band
and at least 3 hours from home, so the report can leave the accounts the study also holds out of
the reference's counts. Hashes, not the keys: the shipped file names no one's account.

The file is written by `scripts/ordinary_fit_accounts.py` from a study of the whole archive.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path
from typing import Iterable

from botwatch.platform_names import TWITTER_PLATFORMS

FILE = Path(__file__).resolve().parent / "data" / "ordinary_fit_accounts.tsv"


def account_hash(platform: str, account_id: str) -> str:
    """A short, stable hash of an account key (platform and id), as the reference file stores it.
    Twitter's other name ("x", `platform_names.TWITTER_PLATFORMS`) hashes as "twitter", the name the
    reference was stored under: the archive ingested with `--platform x` holds the same accounts,
    and was set against itself again."""
    platform = TWITTER_PLATFORMS[0] if platform in TWITTER_PLATFORMS else platform
    return hashlib.blake2b(f"{platform}\x1f{account_id}".encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()


@lru_cache(maxsize=1)
def reference_accounts() -> dict[str, tuple[bool, bool]]:
    """{account hash: (in the Moscow band, at least 3 hours from home)} for every informative fit
    behind `ORDINARY_FITS`; empty when the file is missing (an install without it compares as before)."""
    if not FILE.exists():
        return {}
    out: dict[str, tuple[bool, bool]] = {}
    for line in FILE.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            key, msk, far = line.split("\t")
            out[key] = (msk == "1", far == "1")
    return out


def shared_with_reference(keys: Iterable[tuple[str, str]]) -> dict[str, int]:
    """How many of the (platform, account_id) `keys` (a study's informative fits) are reference
    accounts: {"n": all of them, "k_msk": those whose reference fit was in the Moscow band, "k_far":
    those at least 3 hours from home}, the counts to take out of the reference's."""
    ref = reference_accounts()
    out = {"n": 0, "k_msk": 0, "k_far": 0}
    for platform, account_id in keys:
        flags = ref.get(account_hash(str(platform), str(account_id)))
        if flags is not None:
            out["n"] += 1
            out["k_msk"] += flags[0]
            out["k_far"] += flags[1]
    return out
