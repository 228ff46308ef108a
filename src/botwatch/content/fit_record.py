"""What the shipped content model was fitted from, so that a researcher can fit it again.

Why: the model file alone recorded its settings, not its inputs, and refitting it with those
settings on a later checkout gave other weights without saying why (the cause was an ingest change
that decoded `&amp; &lt; &gt;` in the labelled and weakly labelled texts after the fit). So
`scripts/train_content_model.py` writes a `fit` block into the model file with

- `inputs`: the sha256 of every file the fit reads (the hand labels and their posts, the word
  vectors, the election presets, and the shared IRA archive the weak labels come from);
- `items_sha256`: the sha256 of the training items themselves (features and labels as the fit
  saw them), which changes when the code that turns those files into features changes (ingest,
  matcher, features) even though no input file did;
- `versions`: the libraries the fit ran with; `command`: the command that fits it again.

`tests/test_content_fit_record.py` fails when a recorded repository file no longer matches the
model file's record; `scripts/refit_content_model.py` refits and compares (minutes, not a test).
Nothing here is read at run time.
"""

from __future__ import annotations

import hashlib
import json
import platform
from importlib import metadata
from pathlib import Path

from botwatch.ingest.source import file_sha256

# Repository files the fit reads, relative to the project root.
REPO_INPUTS: tuple[str, ...] = (
    "tests/fixtures/content/ira_stance_posts.csv",
    "tests/fixtures/content/ira_stance_labels.csv",
    "tests/fixtures/content/train_stance_posts.csv",
    "tests/fixtures/content/train_stance_labels.csv",
    "src/botwatch/content/word_vectors.npz",
    "src/botwatch/elections/presets/uk-ge2017.toml",
    "src/botwatch/elections/presets/us-2016.toml",
)
# Shared data files (the weak labels), relative to the shared data folder (../shared/data).
SHARED_INPUTS: tuple[str, ...] = ("ira/tweets.csv.gz", "ira/authors.csv.gz")
# Libraries whose version can change the fitted numbers (the fit, the features, the ingest).
LIBRARIES: tuple[str, ...] = ("scikit-learn", "numpy", "scipy", "vaderSentiment", "duckdb", "pyarrow", "lightgbm")


def input_hashes(root: Path, shared: Path) -> dict[str, str | None]:
    """sha256 of every input file, keyed `repo:PATH` or `shared:PATH`; None for an absent file
    (the shared data is absent on most checkouts: then the fit has no weak labels)."""
    out: dict[str, str | None] = {}
    for prefix, base, names in (("repo", root, REPO_INPUTS), ("shared", shared, SHARED_INPUTS)):
        for name in names:
            p = base / name
            out[f"{prefix}:{name}"] = file_sha256(p) if p.is_file() else None
    return out


def items_sha256(items: "list[tuple[dict[str, float], str]]", groups: "list[str] | None" = None) -> str:
    """sha256 of training items (features, label) in their order, and of their groups (the folds
    are grouped by post). Floats are written by `json` as their shortest exact repr, so two builds
    hash alike only when every feature value is the same double."""
    h = hashlib.sha256()
    for k, (feats, label) in enumerate(items):
        h.update(json.dumps([sorted(feats.items()), label, None if groups is None else groups[k]]).encode("utf-8"))
        h.update(b"\n")
    return h.hexdigest()


def library_versions() -> dict[str, str | None]:
    """Python's and each library's installed version (None where it is not installed)."""
    out: dict[str, str | None] = {"python": platform.python_version()}
    for name in LIBRARIES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    out["blas"] = blas_threads()
    return out


def blas_threads() -> list[str]:
    """Each BLAS library loaded, with its kernel architecture and thread count: the stance fit's
    last rounded digit (1e-5) depends on them (one OpenBLAS thread against two moved 679 against
    215 of 18,546 weights by 1e-5 from the shipped file, fitted on the same items; docs/methods.md)."""
    try:
        from threadpoolctl import threadpool_info

        import numpy  # noqa: F401  (loads its BLAS)
        import scipy.linalg  # noqa: F401
    except ImportError:
        return []
    return sorted(f"{i.get('internal_api')} {i.get('version')} {i.get('architecture')} threads={i.get('num_threads')}"
                  for i in threadpool_info() if i.get("user_api") == "blas")


def changed_inputs(recorded: dict[str, str | None], now: dict[str, str | None], repo_only: bool = False) -> list[str]:
    """One line per input whose sha256 differs from the record ('absent' for a missing file);
    with `repo_only`, repository files only (the shared data is not on every checkout)."""
    lines = []
    for key in sorted(set(recorded) | set(now)):
        if repo_only and not key.startswith("repo:"):
            continue
        a, b = recorded.get(key), now.get(key)
        if a != b:
            lines.append(f"{key}: recorded {a or 'absent'}, now {b or 'absent'}")
    return lines
