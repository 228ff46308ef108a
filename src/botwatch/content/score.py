"""How far a study's stance and sentiment agree with a reader's hand labels.

The user's labels are a CSV with one row per (post, party) pair: `post_id`, `party`, `stance`
(support/oppose/neutral) and `sentiment` of the post (positive/negative/neutral); optional
`election` (rows of another election are left out) and `part` (to score one part only). A row
with an empty party is a post that names no party of the election: it adds no stance pair but its
sentiment counts, and any party botwatch matched on it is a false match.

Scoring is strict where the issue asks it: a labelled pair botwatch did not match counts as a
wrong answer (predicted "(not matched)"), and a labelled post missing from `post_labels`, or held
there without a sentiment (not in English: predicted "(not scored)"), counts as wrong too. Intervals are percentile bootstraps over posts (pairs of one post move together), with
a fixed seed so a re-run prints the same figures.
"""

from __future__ import annotations

import csv
import gzip
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from botwatch.recorded_numbers import is_json_number, json_figure
from botwatch.shown_text import name_shown
from botwatch.userfile import os_error_said

STANCES = ("support", "oppose", "neutral")
SENTIMENTS = ("positive", "negative", "neutral")
MISSING = "(not matched)"
# A labelled post botwatch holds but gave no sentiment (NULL: not in English, as `content.sentiment`
# leaves such posts): wrong, as an unmatched pair is, and no class of its own. It was read as
# "neutral", so a reader's neutral post in Russian counted as a right answer botwatch never gave.
NOT_SCORED = "(not scored)"
POSITIVE, NEGATIVE = 0.05, -0.05  # VADER's conventional cut points for the compound score


class LabelsError(ValueError):
    """The labels file cannot be used (message says why and where)."""


# A post id a spreadsheet or pandas turned into a number: scientific notation (1.00049E+17) or a
# float's ".0"; no platform's post id is written so.
NUMBER_ID = re.compile(r"[0-9](?:\.[0-9]+)?[eE][+]?[0-9]+|[0-9]+\.0+")
# A double keeps any number of up to 15 significant digits exactly; past that a float may have
# changed the last ones, as scientific notation drops them.
EXACT_DIGITS = 15


def digits_lost(post_id: str) -> bool:
    """Whether an id NUMBER_ID matches may have lost digits (scientific notation, or more than 15
    significant digits). Why: `12345.0` is pandas writing a float whose every digit survived, and
    was refused as "rewritten" as 1.00049E+17 is; only the second cannot be read back."""
    return "e" in post_id.casefold() or len(post_id.split(".")[0].lstrip("0")) > EXACT_DIGITS


def ids_read_back(absent: Iterable[str], held: set[str], labelled: set[str]) -> dict[str, str]:
    """The labelled ids the study lacks that are one of its ids with a float's trailing `.0`
    (`12345.0` for 12345) and every digit kept, each to the id it is. Left out: an id whose plain
    form is labelled too, or that two such ids share, as reading either back would label one post
    twice."""
    plain: dict[str, list[str]] = {}
    for pid in absent:
        if NUMBER_ID.fullmatch(pid) and not digits_lost(pid):
            plain.setdefault(pid.split(".")[0], []).append(pid)
    return {ids[0]: p for p, ids in plain.items() if len(ids) == 1 and p in held and p not in labelled}


# What to do about such ids, said wherever they are found (`load_labels`, `content evaluate`).
EXPORT_IDS_AS_TEXT = ("Export the labels again with the post_id column formatted as text (in Excel: import it with the column's "
                      "type set to Text), or read it with pandas' dtype={'post_id': str}")


def first_ids(ids: Iterable[str], shown: int = 3, show: Callable[[str], str] = repr) -> str:
    """The first `shown` of `ids` in order, each as `show` writes it, and ", …" where there are more:
    how a message names the labelled post ids it is about, so a reader can find the rows."""
    first = sorted(ids)
    return ", ".join(show(x) for x in first[:shown]) + (", …" if len(first) > shown else "")


def sentiment_class(score: float | None) -> str:
    """A compound score in [-1, 1] as the three classes a reader labels (NULL = neutral; the
    agreement with hand labels reads NULL as no answer instead: `sentiment_answer`)."""
    if score is None or score != score:
        return "neutral"
    return "positive" if score >= POSITIVE else "negative" if score <= NEGATIVE else "neutral"


def sentiment_answer(predicted_sentiment: dict[str, float | None], post_id: str) -> str:
    """botwatch's sentiment answer for a labelled post, as `agreement` scores it: its class,
    `MISSING` when the post is not in the study, `NOT_SCORED` when it holds no score (both wrong)."""
    if post_id not in predicted_sentiment:
        return MISSING
    score = predicted_sentiment[post_id]
    return NOT_SCORED if score is None or score != score else sentiment_class(score)


def macro_f1(gold: list[str], pred: list[str], classes: tuple[str, ...]) -> float:
    """Mean F1 over those of `classes` present in the labels or the predictions (scikit-learn's
    `f1_score(average="macro", labels=...)` with `labels` the classes that occur). A class absent
    from both says nothing about agreement: counted as F1 = 0 it made 12 correct labels of one
    class read "macro-F1 0.333". A prediction outside `classes`, such as "(not matched)", is only
    wrong: it brings no class of its own."""
    names = _answer_names(gold, pred, classes)
    code = {c: i for i, c in enumerate(names)}
    table = np.zeros((len(names), len(names)), dtype=np.int64)
    for g, p in zip(gold, pred):
        table[code[g], code[p]] += 1
    return _table_macro_f1(table, len(classes))


def _answer_names(gold: list[str], pred: list[str], classes: tuple[str, ...]) -> list[str]:
    """The rows and columns of a confusion table: `classes` first, then any other answer ("(not
    matched)", a NULL stance) in first-seen order, not sorted: None beside a string cannot be."""
    return list(classes) + [x for x in dict.fromkeys([*gold, *pred]) if x not in classes]


def _table_macro_f1(table: np.ndarray, n_classes: int) -> float:
    """`macro_f1` of a confusion table ([gold, pred], the first `n_classes` rows and columns the
    classes): per class present in the labels or the predictions, 2tp / (2tp + fp + fn), as the
    row count and the column count of a class are tp + fn and tp + fp. One rule for the figure and
    its bootstrap (`_bootstrap_macro_f1`), which sums tables rather than reading rows."""
    f1s = []
    for c in range(n_classes):
        tp, in_gold, in_pred = int(table[c, c]), int(table[c].sum()), int(table[:, c].sum())
        if in_gold or in_pred:
            f1s.append(2 * tp / (in_gold + in_pred) if tp else 0.0)
    return float(np.mean(f1s)) if f1s else float("nan")


@dataclass
class Figure:
    """One agreement figure with its bootstrap interval and the baselines it must beat."""

    n: int
    macro_f1: float
    ci: tuple[float, float]
    accuracy: float
    majority: float  # accuracy of always answering the commonest human label
    confusion: Counter = field(default_factory=Counter)  # (human, predicted) → count


def classes_scored(fig: Figure, classes: tuple[str, ...]) -> list[str]:
    """Those of `classes` that `fig`'s macro-F1 averaged over: the ones in its labels or its
    predictions (`macro_f1`), in `classes`' order."""
    seen = {c for pair in fig.confusion for c in pair}
    return [c for c in classes if c in seen]


@dataclass
class Agreement:
    stance: Figure
    sentiment: Figure
    match_precision: float  # of the parties botwatch matched on labelled posts, share the reader gave
    match_recall: float  # of the labelled pairs, share botwatch matched
    matched_pairs: int
    false_pairs: list[tuple[str, str]]  # (post_id, party) botwatch matched that the reader did not
    missed_pairs: list[tuple[str, str]]
    shares: "Shares | None" = None
    sentiment_unscored: int = 0  # labelled posts in the study without a sentiment (NOT_SCORED: wrong)


def party_aliases(parties: "Any") -> dict[str, str]:
    """What a reader may write in the party column instead of a key, casefolded, → that key: the
    party's name with and without its bracket ("Republicans (Trump)", "Republicans") and its
    leader's name, whole and last word ("Donald Trump", "Trump"), and the words the preset names it
    by (`keywords`: "GOP", "Tories", "Dems", the names docs/labelling-guide.md itself uses; a reader
    who wrote them was shown the keys alone). A name two parties share is left
    out. Used only to suggest the key (`load_labels`): the file is still refused, since a reader
    who wrote "Trump" may have meant the man, not his party."""
    seen: dict[str, set[str]] = {}
    for party in parties:
        names = [party.name, re.sub(r"\s*\(.*\)\s*$", "", party.name), *party.keywords]
        leader = re.sub(r"\s*\(.*\)\s*$", "", party.leader or "")
        if leader and " and " not in leader:  # "Caroline Lucas and Jonathan Bartley (co-leaders)" names no one
            names += [leader, leader.split()[-1]]
        for name in names:
            if name.strip():
                seen.setdefault(name.strip().casefold(), set()).add(party.key)
    return {alias: next(iter(keys)) for alias, keys in seen.items() if len(keys) == 1}


# The classes whose shares the report and the estimates print: stance of a party, post sentiment.
SHARE_CLASSES = (("stance", ("support", "oppose")), ("sentiment", ("positive", "negative")))


@dataclass
class Shares:
    """The shares a study counts, set beside the reader's on the same labelled items.

    Why: macro-F1 says how often single answers are right; a reader of the report quotes shares
    ("36% of the posts naming the party supported it"), and errors that do not cancel move a share
    however good the F1. Counted over the items the study's shares are counted over: the labelled
    pairs botwatch matched (an unmatched pair is in no share) and the labelled posts it gave a
    sentiment (a post in another language has none)."""

    stance_n: int
    sentiment_n: int
    reader: dict[str, float]  # class → the reader's share (NaN with no items)
    botwatch: dict[str, float]  # class → botwatch's share of the same items
    # Per party: its matched labelled pairs and, for support and oppose, [reader, botwatch] shares
    # of them (the report's headline is per party: a party's own pairs say more than all together).
    parties: dict[str, dict[str, Any]] = field(default_factory=dict)
    # The 95% interval of botwatch's share less the reader's, in shares (not points): class →
    # (low, high), and per party its support and oppose (`difference_intervals`); absent: none.
    # Not in `as_dict`: that is what the record and the shipped `MEASURED_BY_ELECTION` hold.
    difference_ci: dict[str, tuple[float, float]] = field(default_factory=dict)
    party_difference_ci: dict[str, dict[str, tuple[float, float]]] = field(default_factory=dict)

    def difference_json(self) -> dict[str, Any]:
        """The difference intervals as `content evaluate --json` gives them under `shares`:
        `difference_ci` class → [low, high] and `parties_difference_ci` party → class → [low, high]."""
        def pair(ci: tuple[float, float]) -> list[float | None]:
            return [json_figure(ci[0]), json_figure(ci[1])]

        return {"difference_ci": {c: pair(ci) for c, ci in self.difference_ci.items()},
                "parties_difference_ci": {q: {c: pair(ci) for c, ci in d.items()} for q, d in sorted(self.party_difference_ci.items())}}

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready, as `runs.params` and `MEASURED_BY_ELECTION` hold it: class → [reader, botwatch],
        rounded to 4 places (None for a share of no items); `parties`: party → {"n", "support",
        "oppose"} alike."""
        out: dict[str, Any] = {"stance_n": self.stance_n, "sentiment_n": self.sentiment_n}
        for _task, classes in SHARE_CLASSES:
            for c in classes:
                out[c] = [json_figure(self.reader[c]), json_figure(self.botwatch[c])]
        out["parties"] = {q: {"n": d["n"], **{c: [json_figure(d[c][0]), json_figure(d[c][1])] for c in SHARE_CLASSES[0][1]}} for q, d in sorted(self.parties.items())}
        return out


def shares(labels: list[dict[str, str]], predicted_stance: dict[tuple[str, str], str],
           predicted_sentiment: dict[str, float | None], unmeasured: "set[tuple[str, str]] | None" = None,
           n_boot: int = 1000, seed: int = 14) -> Shares:
    """`Shares` of `labels` against a study's answers (`study_predictions`). A matched pair in
    `unmeasured` (`unmeasured_pairs`: its stance is no reading of the post) is in no share, as in
    the report's: its "neutral" counted in botwatch's shares beside the reader's label of the post.
    Each difference gets its interval from `n_boot` resamples over posts (`difference_intervals`)."""
    skip = unmeasured or set()
    matched = [r for r in labels if r["party"] and (r["post_id"], r["party"]) in predicted_stance and (r["post_id"], r["party"]) not in skip]
    pairs = [(r["stance"], predicted_stance[(r["post_id"], r["party"])]) for r in matched]
    per: dict[str, list[tuple[str, str]]] = {}
    for r, pair in zip(matched, pairs):
        per.setdefault(r["party"], []).append(pair)
    parties = {q: {"n": len(items), **{c: (sum(g == c for g, _ in items) / len(items), sum(b == c for _, b in items) / len(items))
                                       for c in SHARE_CLASSES[0][1]}} for q, items in per.items()}
    posts: dict[str, tuple[str, str]] = {}
    for r in labels:
        score = predicted_sentiment.get(r["post_id"])
        if r["sentiment"] and score is not None and score == score:
            posts.setdefault(r["post_id"], (r["sentiment"], sentiment_class(score)))
    reader: dict[str, float] = {}
    got: dict[str, float] = {}
    for (task, classes), items in zip(SHARE_CLASSES, (pairs, list(posts.values()))):
        n = len(items)
        for c in classes:
            reader[c] = sum(g == c for g, _ in items) / n if n else float("nan")
            got[c] = sum(p == c for _, p in items) / n if n else float("nan")
    stance_items = [(r["post_id"], r["party"], g, b) for r, (g, b) in zip(matched, pairs)]
    all_ci, party_ci = difference_intervals(stance_items, SHARE_CLASSES[0][1], n_boot, seed)
    sentiment_ci, _ = difference_intervals([(i, "", g, b) for i, (g, b) in posts.items()], SHARE_CLASSES[1][1], n_boot, seed)
    return Shares(len(pairs), len(posts), reader, got, parties, {**all_ci, **sentiment_ci}, party_ci)


def difference_intervals(items: list[tuple[str, str, str, str]], classes: tuple[str, ...], n_boot: int,
                         seed: int) -> tuple[dict[str, tuple[float, float]], dict[str, dict[str, tuple[float, float]]]]:
    """95% percentile intervals of botwatch's share less the reader's for each of `classes`, over
    all `items` (post_id, party, reader's label, botwatch's) and per party, from resamples over
    posts drawn as the macro-F1's are (`_post_resamples`: a post's pairs move together). Why: "+8.9
    points on 90 pairs" stood as firm as on 9,000. A resample without a party's posts gives it no
    difference and is left out of its interval; none with no items."""
    keys = sorted({post for post, *_ in items})
    if not keys:
        return {}, {}
    at = {k: i for i, k in enumerate(keys)}
    columns = [("", c) for c in classes] + [(q, c) for q in sorted({q for _, q, *_ in items if q}) for c in classes]
    col = {key: j for j, key in enumerate(columns)}
    diff = np.zeros((len(keys), len(columns)))  # per post: botwatch's items of the class less the reader's
    count = np.zeros((len(keys), len(columns)))  # per post: its items in that column's share
    for post, party, g, b in items:
        for q in ("", party) if party else ("",):
            for c in classes:
                diff[at[post], col[(q, c)]] += (b == c) - (g == c)
                count[at[post], col[(q, c)]] += 1
    draws = []
    for drawn in _post_resamples(len(keys), n_boot, seed):
        w = np.bincount(drawn, minlength=len(keys))
        with np.errstate(invalid="ignore", divide="ignore"):
            draws.append((w @ diff) / (w @ count))
    got = np.array(draws).reshape(-1, len(columns))
    out: dict[str, tuple[float, float]] = {}
    per: dict[str, dict[str, tuple[float, float]]] = {}
    for (q, c), j in col.items():
        kept = got[:, j][~np.isnan(got[:, j])]
        if not len(kept):
            continue
        ci = (float(np.percentile(kept, 2.5)), float(np.percentile(kept, 97.5)))
        if q:
            per.setdefault(q, {})[c] = ci
        else:
            out[c] = ci
    return out, per


PARTIES_SHOWN = 5  # names of no party listed before "and N other names"
# Words a reader writes for a label, and the label they mean: said beside the refusal, never read
# as that label (a file's "pro" may be another scheme's, so the reader decides).
WORD_MEANT = {
    "stance": {"pro": "support", "for": "support", "supports": "support", "supportive": "support", "favour": "support", "favor": "support",
               "against": "oppose", "anti": "oppose", "con": "oppose", "opposed": "oppose", "opposes": "oppose", "opposition": "oppose",
               "none": "neutral", "neither": "neutral", "neu": "neutral"},
    # A reader's own numeric scheme (1/0/-1), not botwatch's score (`_is_score`).
    "sentiment": {"pos": "positive", "neg": "negative", "neu": "neutral", "none": "neutral", "1": "positive", "+1": "positive", "-1": "negative", "0": "neutral",
                  "1.0": "positive", "-1.0": "negative", "0.0": "neutral"},
}
ERROR_CAP = 20  # errors listed before "and N more": enough to fix a file in one pass, short enough to read


def _pair_again(line: int, row: dict[str, str], first_line: int, first_stance: str) -> str:
    """The bad-row words for a (post, party) pair labelled a second time, saying whether the two
    rows agree: a row copied twice (delete one) and two readers' different stances (decide which
    holds) are different work, and both were "labelled on line N already"."""
    said = f"line {line}: post {row['post_id']!r} and party {row['party']!r} were labelled on line {first_line} already"
    if row["stance"] == first_stance:
        return f"{said} (the same stance {first_stance!r}: delete one of the two rows)"
    return f"{said} (stance {first_stance!r} there, {row['stance']!r} here: keep the row you mean)"


def _label_rows(reader: Any, header: list[str]) -> list[tuple[int, dict[str, str], str | None]]:
    """The rows below a labels file's header (`reader`, a `csv.reader` past it), blank lines skipped:
    (line, cells by column name, stripped; None), or for a row with fewer fields than the header,
    or more that hold something, (line, {}, what is wrong). Trailing empty fields (a spreadsheet
    export's trailing comma) are read as absent, as `evaluate-accounts` reads them: every such row
    was refused as "5 fields where the header has 4", though nothing was lost with them. Not
    `csv.DictReader`, whose dict per row was then walked for missing cells and built again stripped: about a fifth of the 11 s 500,000 rows took. A column
    named twice keeps its last cell, and a short row names the columns it lacks, as `DictReader` gave them."""
    from botwatch.labels_encoding import blank_row

    width = len(header)
    out: list[tuple[int, dict[str, str], str | None]] = []
    for cells in reader:
        if blank_row(cells):  # a blank line, or one of spaces alone, skipped as pandas skips both (`train-bot-model`)
            continue
        line = reader.line_num  # type: ignore[attr-defined]
        if len(cells) == width:
            out.append((line, dict(zip(header, map(str.strip, cells))), None))
        elif len(cells) > width:
            out.append(_long_row(line, header, cells))
        else:
            got = dict(zip(header, cells))
            got.update(dict.fromkeys(header[len(cells):]))  # None, as `DictReader` fills a short row
            short = [k for k in header if got.get(k) is None]
            out.append((line, {}, f"line {line}: {width - len(short)} field(s) where the header has {width} (no {', '.join(short)})"))
    return out


def _long_row(line: int, header: list[str], cells: list[str]) -> tuple[int, dict[str, str], str | None]:
    """`_label_rows`' item for a row with more fields than the header: read without its trailing
    empty ones, or refused with the cells beyond the header, in `evaluate-accounts`' words
    (`labels_encoding.extra_cells_said`), where any of them holds something."""
    from botwatch.labels_encoding import extra_cells, extra_cells_said

    if extra := extra_cells(cells, len(header)):
        return line, {}, extra_cells_said(line, len(header), extra)
    return line, dict(zip(header, map(str.strip, cells))), None


def load_labels(path: str | Path, election: str | None = None, part: str | None = None,
                parties: "tuple[str, ...] | list[str] | None" = None, other_elections: "Counter | None" = None,
                aliases: "dict[str, str] | None" = None, empty_lines: "list[int] | None" = None,
                notes: "list[str] | None" = None) -> list[dict[str, str]]:
    """Rows of a labels CSV, checked; rows of another election or part are dropped. `other_elections`,
    when given, is added the rows left out for naming another election, by the election they name
    (so that a caller can say how many were: they were dropped without a word). `empty_lines`, when
    given, is added the lines of rows whose every field is empty (`,,,`), which are skipped.
    `notes`, when given, is added what the caller should say of a file read (`EXPORTED_LABELS`).

    Every bad row is found in one pass (a row with fields missing or too many, an empty post_id, a
    stance or sentiment word not in the lists, a stance with no party, a party key not among `parties`,
    with the key meant where `aliases` (`party_aliases`) knows the name written) and all are raised
    together, up to ERROR_CAP, each with its line (rows of a party not among `parties` counted in one
    item that lists the keys once, `_unknown_parties_said`): fixing one line per run was slow, and rows read
    leniently (a lone post_id taken as "names no party") gave wrong figures with exit 0. Party
    keys, stance and sentiment words and the election column are matched case-insensitively."""
    from botwatch.labels_encoding import HEADER_AGAIN, LinedReader, blank_file_said, header_again, header_row

    p = Path(path)
    try:
        # Gzipped as `evaluate-accounts` reads it: a .csv.gz was refused as "not UTF-8 text (byte
        # 0x8b …): another code page, such as Windows-1252?", which sent the reader to re-save it.
        opener = gzip.open if p.name.endswith(".gz") else open
        with opener(p, "rt", newline="", encoding="utf-8-sig") as f:
            reader = LinedReader(f)  # its `line_num` the file's line as `grep -n` counts it, as the other label commands say it
            # Column names in any case and with spaces around them ("Post_ID", " stance"), as a
            # spreadsheet's header may have them and `evaluate-accounts` takes them: the file was
            # refused as lacking every column it has.
            # Blank lines above the header skipped (`header_row`), the rows' lines still the file's.
            first = header_row(reader)
            header = [h.strip().casefold() for h in (first or [])]
            rows = _label_rows(reader, header)
    except UnicodeDecodeError as exc:
        from botwatch.labels_encoding import undecodable_reason

        raise LabelsError(f"cannot read {name_shown(p)}: {undecodable_reason(p, exc)}") from None
    except csv.Error as exc:  # with its line, as `evaluate-accounts` says it: "field larger than field limit (131072)" named no row
        raise LabelsError(f"cannot read {name_shown(p)}: line {reader.line_num:,}: {exc}") from None
    except (OSError, EOFError) as exc:
        # An OSError's own text repeated the path ("[Errno 2] No such file or directory: 'x.csv'");
        # its strerror says it once, as `train-bot-model` does.
        why = os_error_said(exc)
        raise LabelsError(f"cannot read {name_shown(p)}: {why}") from None
    if first is None:
        raise LabelsError(blank_file_said(name_shown(p), "post_id,party,stance,sentiment"))
    need = {"post_id", "party", "stance", "sentiment"}
    twice = sorted({h for h in header if h in need | {"election", "part"} and header.count(h) > 1})
    if twice:  # csv.DictReader keeps the last of two such columns without a word
        raise LabelsError(f"{name_shown(p)} names the column(s) {', '.join(twice)} more than once (column names are read in any case)")
    missing = need - set(header)
    if header and missing:
        from botwatch.accounts.evaluate import columns_listed
        from botwatch.labels_encoding import separator_hint

        hint = separator_hint(header)
        # Its own columns too, as `evaluate-accounts` lists them: a spreadsheet's "Post ID" or "id"
        # was refused as lacking post_id, the column the reader thought was there never shown.
        raise LabelsError(f"{name_shown(p)} lacks the column(s) {', '.join(sorted(missing))}; it needs post_id, party, stance, sentiment "
                          f"(its columns: {columns_listed(header)}){hint}")
    if not rows:
        raise LabelsError(f"{name_shown(p)} has no rows")
    if notes is not None and EXPORT_ONLY_COLUMNS & set(header):
        notes.append(f"{name_shown(p.name)} {EXPORTED_LABELS}")
    keys = {k.casefold(): k for k in parties} if parties else None
    errors: list[str] = []
    out = []
    left_elections: Counter = Counter()
    other_parts: Counter = Counter()  # rows left out by `part`, by the part they have
    # Where each (post, party) pair and each post's sentiment was first labelled. Why: a pair
    # labelled twice counted twice in the stance figures, and a second, different sentiment for a
    # post was dropped without a word (the first kept), both with exit 0.
    pair_line: dict[tuple[str, str], tuple[int, str]] = {}  # (post, party) → (line, stance) where first labelled
    sentiment_at: dict[str, tuple[str, int]] = {}
    empty: list[int] = []  # lines of rows with every field empty
    merged: set[str] = set()  # ids rewritten as numbers (NUMBER_ID) that now name two labelled posts
    unknown_party: dict[str, list[int]] = {}  # a party written that is no key of `parties` → its lines
    party_meant: dict[str, str] = {}  # such a party → the key `aliases` says it means
    bad_words: dict[str, dict[str, list[int]]] = {"stance": {}, "sentiment": {}}  # a label word not in the list → its lines
    for line, r, fault in rows:
        if fault:
            errors.append(fault)
            continue
        if header_again(r, header):
            # Two files joined with both header rows kept: the row was refused as a party, a
            # stance and a sentiment not known, where the other label commands say what it is.
            errors.append(f"line {line}: {HEADER_AGAIN} (delete it)")
            continue
        if not any(r.values()):
            # A spreadsheet saves rows it once formatted as ",,,": as empty as a blank line (which
            # the csv reader skips), they refused the whole file as bad rows.
            empty.append(line)
            continue
        if election and r.get("election") and r["election"].casefold() != election.casefold():
            left_elections[r["election"]] += 1
            continue
        if part and r.get("part", "").casefold() != part.casefold():  # in any case, as the election column: "Test" rows were dropped without a word
            other_parts[r.get("part", "")] += 1
            continue
        r["stance"] = r["stance"].lower()
        r["sentiment"] = r["sentiment"].lower()
        if keys is not None and r["party"]:
            if r["party"].casefold() in keys:
                r["party"] = keys[r["party"].casefold()]
            else:
                meant = (aliases or {}).get(r["party"].casefold())
                # "Trump" or "Republicans" refused with no word of the key meant. Conditional: a
                # reader who wrote "Trump" may have meant the man, not the party (`party_aliases`).
                unknown_party.setdefault(r["party"], []).append(line)
                if meant:
                    party_meant[r["party"]] = meant
        if r["party"] and r["stance"] not in STANCES:
            bad_words["stance"].setdefault(r["stance"], []).append(line)
        elif not r["party"] and r["stance"]:
            # A stance toward no party (the party cell left empty by mistake) was dropped without a
            # word: the row counted as a post naming no party, and any party botwatch matched on it
            # as a false match.
            errors.append(f"line {line}: stance {r['stance']!r} but no party (leave the stance empty for a post that names no party of the election)")
        if r["sentiment"] and r["sentiment"] not in SENTIMENTS:
            bad_words["sentiment"].setdefault(r["sentiment"], []).append(line)
        if not r["post_id"]:
            errors.append(f"line {line}: empty post_id")
        elif NUMBER_ID.fullmatch(r["post_id"]) and (
                (r["party"] and (r["post_id"], r["party"]) in pair_line)
                or (r["sentiment"] and sentiment_at.get(r["post_id"], (r["sentiment"],))[0] != r["sentiment"])):
            # 1.00001E+17 is the id of every post from 100001000000000000 on: distinct posts now
            # share it, and each was listed as "labelled on line 2 already", hiding the cause.
            merged.add(r["post_id"])
        elif r["party"] and (r["post_id"], r["party"]) in pair_line:
            errors.append(_pair_again(line, r, *pair_line[(r["post_id"], r["party"])]))
        elif r["sentiment"] and sentiment_at.get(r["post_id"], (r["sentiment"],))[0] != r["sentiment"]:
            first, at = sentiment_at[r["post_id"]]
            errors.append(f"line {line}: sentiment {r['sentiment']!r} of post {r['post_id']!r} differs from {first!r} on line {at}")
        if r["post_id"] and r["party"]:
            pair_line.setdefault((r["post_id"], r["party"]), (line, r["stance"]))
        if r["post_id"] and r["sentiment"]:
            sentiment_at.setdefault(r["post_id"], (r["sentiment"], line))
        out.append(r)
    said = []  # the file's faults, the cause of most first: one message, so that one pass fixes them all
    if merged:
        from botwatch.count_text import counted

        # Only what is known: the id is a number's spelling and two rows share it. "Shared by posts
        # that had different ids" was said of `12345.0` (all its digits kept) on a row copied twice.
        said.append(f"{counted(len(merged), 'post_id')} written as numbers by a spreadsheet or pandas, {'now' if len(merged) == 1 else 'each now'} shared by two or more rows "
                    f"({first_ids(merged)}): a number keeps only a long id's first 15 or so "
                    f"digits, so they may be posts that had different ids, or one row copied twice. {EXPORT_IDS_AS_TEXT}")
    if unknown_party:
        said.append(_unknown_parties_said(unknown_party, party_meant, election, parties or ()))
    said += [_bad_words_said(what, words, allowed) for (what, words), allowed in zip(bad_words.items(), (STANCES, SENTIMENTS)) if words]
    if errors:
        # One line, rows split by "; ": the CLI's error line shows a newline as a literal `\x0a`
        # (it escapes every control character), which ran the rows together unreadably.
        more = f"; … and {len(errors) - ERROR_CAP:,} more" if len(errors) > ERROR_CAP else ""
        said.append(f"{len(errors):,} bad row(s): " + "; ".join(errors[:ERROR_CAP]) + more)
    if said:
        raise LabelsError(f"{name_shown(p)}: " + "; ".join(said))
    if other_elections is not None:
        other_elections.update(left_elections)
    if empty_lines is not None:
        empty_lines.extend(empty)
    if not out and empty and not left_elections and not other_parts:
        from botwatch.labels_encoding import ALL_ROWS_EMPTY

        raise LabelsError(f"{name_shown(p)} has no rows: {ALL_ROWS_EMPTY}")
    if not out and left_elections and not other_parts:
        # Only where no row of this election was read: rows of it in other parts (the shipped file
        # holds both elections) sent the reader to the election column for a --part the file lacks.
        from botwatch.count_text import counted

        named = ", ".join(f"{k!r} ({counted(v, 'row')})" for k, v in left_elections.most_common(5))  # "(1 rows)" was said
        raise LabelsError(f"{name_shown(p)}: no labels for election {election!r}: the file's election column names {named}")
    if not out and other_parts:
        # "no labels left for election 'us-2016' and part 'test'" sent a reader to the election
        # column when the file has no part column, or names its parts otherwise.
        if "part" not in header:
            raise LabelsError(f"{name_shown(p)} has no part column, so --part {part} selects none of its rows: leave --part out to score them all")
        from botwatch.count_text import counted

        named = ", ".join(f"{k!r} ({counted(v, 'row')})" if k else f"empty ({counted(v, 'row')})" for k, v in other_parts.most_common(5))
        # `other_parts` counts this election's rows only: where rows of another election were set
        # aside, "the file's part column holds 'dev'" denied the 'test' a reader saw on those rows.
        whose = f"the part column of its rows for election {election!r}" if left_elections else "the file's part column"
        raise LabelsError(f"{name_shown(p)}: no labels in part {part!r}: {whose} holds {named}")
    return out


def _unknown_parties_said(unknown: dict[str, list[int]], meant: dict[str, str], election: str | None, parties: Iterable[str]) -> str:
    """The rows whose party is no key of the election, counted, by the name written (the first few
    with their lines, and the key meant where known), and the election's keys once. Why: each such
    row was its own error repeating the whole list of keys, so a file that wrote "Trump" on 500 rows
    listed 20 of them, each with every key, and said nothing of how many there were."""
    from botwatch.count_text import counted, values_said

    def hint(party: str) -> str:
        return f"if the party is meant, write {meant[party]!r}" if party in meant else ""

    n = sum(len(lines) for lines in unknown.values())
    return (f"{counted(n, 'row')} {'names' if n == 1 else 'name'} no party of {election or 'the election'}: "
            f"{values_said(unknown, hint, PARTIES_SHOWN, 'other name')}; its parties: {', '.join(parties)}")


# Columns of `botwatch export STUDY post_party` that no labels file needs: a file holding them is
# that export, whose stance is botwatch's own answer unless the reader replaced every one. Why:
# scored as it was, it measured botwatch against itself (stance macro-F1 1.000), and the report
# quoted that as the check on "your hand-labelled pairs".
EXPORT_ONLY_COLUMNS = frozenset({"stance_rule", "stance_evidence"})
EXPORTED_LABELS = ("holds a column of botwatch's own (stance_rule or stance_evidence): it looks like `botwatch export STUDY post_party` output, whose stance "
                   "is botwatch's answer. Unless you replaced every stance with your own reading, the figures compare botwatch with itself: "
                   "label into a file of your own (post_id, party, stance, sentiment)")


def _bad_words_said(what: str, words: dict[str, list[int]], allowed: tuple[str, ...]) -> str:
    """The rows whose `what` ("stance", "sentiment") is no word of `allowed`, counted by the word
    written (the first few with their lines, and the label meant where `WORD_MEANT` knows it).
    Why: each row was its own error, so a file that wrote "pro" on 500 rows listed 20 of them, each
    repeating the list, never said how many there were, nor that "pro" is written `support`."""
    from botwatch.count_text import counted, values_said

    def hint(word: str) -> str:
        meant = WORD_MEANT[what].get(word)
        return f"if {meant} is meant, write {meant!r}" if meant else ""

    n = sum(len(lines) for lines in words.values())
    said = (f"{counted(n, 'row')} {'gives' if n == 1 else 'give'} a {what} that is not one of {', '.join(allowed)}: "
            f"{values_said(words, hint, PARTIES_SHOWN, 'other word')}")
    if what == "sentiment" and any(_is_score(w) for w in words):
        # The guide has the reader label rows of `export STUDY post_party`, whose sentiment column
        # holds botwatch's own score: each number was refused as a word, not said to be that.
        said += (" (a number is botwatch's own sentiment score, as `botwatch export STUDY post_party` writes it: "
                 "put your own label there, or leave the cell empty to score stance only)")
    return said


def _is_score(word: str) -> bool:
    """Whether a label cell holds a fraction, as botwatch's sentiment score is written (-0.2623).
    A whole number (1, -1.0) is not taken for it, nor "nan": a reader's own 1/0/-1 (or a 1-5 scale,
    or pandas' 1.0) was said to be botwatch's score, which it never was."""
    try:
        f = float(word)
    except ValueError:
        return False
    return math.isfinite(f) and not f.is_integer()


def _bootstrap_macro_f1(gold: list[str], pred: list[str], groups: list[str], classes: tuple[str, ...], n_boot: int, seed: int) -> list[float]:
    """`macro_f1` of `n_boot` resamples over posts (`groups`: a post's pairs move together).

    Why not `macro_f1` on each resample's rows: that is a Python loop over every row per resample,
    and a labels file of 500,000 rows took minutes per hundred resamples. A resample's confusion
    counts are the sum of its posts' counts, each post taken as often as it was drawn, and posts
    fall into few kinds (one pair, right; two pairs, one missed; …), so they are the draws counted
    per kind times each kind's counts. The draws are the same as before
    (`rng.integers` over the sorted post ids), so the figures are too."""
    names = _answer_names(gold, pred, classes)  # "(not matched)", a NULL stance: wrong, no class
    code = {c: i for i, c in enumerate(names)}
    k = len(names)
    cells: dict[str, list[int]] = {}  # a post's rows as cells of the confusion table, [gold, pred] → gold * k + pred
    for g, a, b in zip(groups, gold, pred):
        cells.setdefault(g, []).append(code[a] * k + code[b])
    keys = sorted(cells)
    # Posts with the same cells (one pair, right; one pair, missed; …) are few kinds: draw counts
    # are summed per kind, so a resample costs one pass over the draws, not over every row.
    kind_ids: dict[tuple[int, ...], int] = {}
    kind_of = np.array([kind_ids.setdefault(tuple(sorted(cells[key])), len(kind_ids)) for key in keys])
    kinds = np.zeros((len(kind_ids), k * k), dtype=np.int64)
    for sig, i in kind_ids.items():
        for c in sig:
            kinds[i, c] += 1
    out = []
    for draw in _post_resamples(len(keys), n_boot, seed):
        drawn = np.bincount(kind_of[draw], minlength=len(kinds))
        out.append(_table_macro_f1((drawn @ kinds).reshape(k, k), len(classes)))  # [gold, pred]
    return out


def _post_resamples(n_posts: int, n_boot: int, seed: int) -> Iterator[np.ndarray]:
    """`n_boot` bootstrap draws of `n_posts` posts (indices into their sorted ids), from `seed`:
    one stream for the macro-F1's intervals and the shares' differences, so a re-run gives the same."""
    rng = np.random.default_rng(seed)
    for _ in range(n_boot):
        yield rng.integers(0, n_posts, n_posts)


def _figure(gold: list[str], pred: list[str], groups: list[str], classes: tuple[str, ...], n_boot: int, seed: int) -> Figure:
    n = len(gold)
    if n == 0:
        return Figure(0, float("nan"), (float("nan"), float("nan")), float("nan"), float("nan"))
    f1 = macro_f1(gold, pred, classes)
    acc = sum(g == p for g, p in zip(gold, pred)) / n
    majority = Counter(gold).most_common(1)[0][1] / n
    stats = _bootstrap_macro_f1(gold, pred, groups, classes, n_boot, seed)
    lo, hi = (float(x) for x in np.percentile(stats, [2.5, 97.5]))
    return Figure(n, f1, (lo, hi), acc, majority, Counter(zip(gold, pred)))


def agreement(
    labels: list[dict[str, str]],
    predicted_stance: dict[tuple[str, str], str],
    predicted_sentiment: dict[str, float | None],
    n_boot: int = 1000,
    seed: int = 14,
    unmeasured: "set[tuple[str, str]] | None" = None,
) -> Agreement:
    """Compare hand labels with what a study predicted.

    `predicted_stance` maps (post_id, party) → stance for every pair botwatch matched on any post;
    `predicted_sentiment` maps post_id → the post's sentiment score (absent = not labelled). A
    labelled pair botwatch did not match, and a labelled post it gave no sentiment (None), count
    as wrong answers.
    """
    pairs = [r for r in labels if r["party"]]
    gold_s = [r["stance"] for r in pairs]
    pred_s = [predicted_stance.get((r["post_id"], r["party"]), MISSING) for r in pairs]
    stance = _figure(gold_s, pred_s, [r["post_id"] for r in pairs], STANCES, n_boot, seed)

    posts: dict[str, str] = {}
    for r in labels:
        if r["sentiment"]:
            posts.setdefault(r["post_id"], r["sentiment"])
    ids = sorted(posts)
    gold_t = [posts[i] for i in ids]
    pred_t = [sentiment_answer(predicted_sentiment, i) for i in ids]
    sentiment = _figure(gold_t, pred_t, ids, SENTIMENTS, n_boot, seed)

    labelled_posts = {r["post_id"] for r in labels}
    gold_pairs = {(r["post_id"], r["party"]) for r in pairs}
    got_pairs = {k for k in predicted_stance if k[0] in labelled_posts}
    hit = gold_pairs & got_pairs
    return Agreement(
        stance=stance,
        sentiment=sentiment,
        match_precision=len(hit) / len(got_pairs) if got_pairs else float("nan"),
        match_recall=len(hit) / len(gold_pairs) if gold_pairs else float("nan"),
        matched_pairs=len(got_pairs),
        false_pairs=sorted(got_pairs - gold_pairs),
        missed_pairs=sorted(gold_pairs - got_pairs),
        shares=shares(labels, predicted_stance, predicted_sentiment, unmeasured, n_boot, seed),
        sentiment_unscored=sum(p == NOT_SCORED for p in pred_t),
    )


def study_predictions(study, election: str | None = None) -> tuple[dict[tuple[str, str], str], dict[str, float | None]]:  # type: ignore[no-untyped-def]
    """(post_id, party) → stance and post_id → sentiment from a study's content tables."""
    where = " where election = ?" if election else ""
    args = [election] if election else []
    stance = {(p, q): s for p, q, s in study.sql(f"select post_id, party, stance from post_party{where}", args)}
    sent = {p: s for p, s in study.sql(f"select post_id, sentiment from post_labels{where}", args)}
    return stance, sent


def unmeasured_pairs(study, election: str | None = None) -> set[tuple[str, str]]:  # type: ignore[no-untyped-def]
    """The (post_id, party) pairs of `post_party` whose stance was not measured
    (`estimates.relational.stance_measured`: a post in another language than English that only
    names the party), which the report's stance shares and the timeline's leave out."""
    from botwatch.estimates.relational import post_party_measured

    pp = study.table("post_party")
    if election:
        pp = pp.filter(pp.election == election)
    got = study.expr_arrow(pp.filter(~post_party_measured(pp)).select("post_id", "party"))
    return set(zip(got.column("post_id").to_pylist(), got.column("party").to_pylist()))


# -- recording an evaluation in the study -----------------------------------------------------------
# `botwatch content evaluate` records what it measured as a `runs` row of this stage, so that the
# report can say how stance did on the observer's own election (MEASURED_BY_ELECTION only holds the
# shipped frozen-test figures of the elections botwatch was labelled on). It is no analysis stage:
# the reproduction block gives it back as the command that repeats it.
EVALUATE_STAGE = "content_evaluate"


def evaluation_params(agreement_: Agreement, *, election: str | None, labels_path: str | Path, part: str | None, n_boot: int) -> dict[str, Any]:
    """The `runs.params` of one evaluation: where the labels came from (file name and SHA-256, so a
    later report can say which file it was and a reader can tell an edited file from the one
    scored) and the figures the report quotes."""
    import hashlib

    p = Path(labels_path)
    digest = hashlib.sha256(p.read_bytes()).hexdigest()
    # Not `election`: every reader of the stages' records (the study's one election, the report's
    # merged parameters, the reproduction's election files) takes that key as "analysed with", and
    # an evaluation naming the preset key of a study analysed with the user's own file of it would
    # read as a second election.
    out: dict[str, Any] = {"evaluated_election": election, "labels_file": p.name, "labels_sha256": digest, "labels_part": part, "evaluate_boot": n_boot}
    for what, fig in (("stance", agreement_.stance), ("sentiment", agreement_.sentiment)):
        out[f"{what}_n"] = int(fig.n)
        out[f"{what}_f1"] = json_figure(fig.macro_f1) if fig.n else None
        out[f"{what}_ci"] = [json_figure(fig.ci[0]), json_figure(fig.ci[1])] if fig.n else None
        out[f"{what}_accuracy"] = json_figure(fig.accuracy) if fig.n else None
        out[f"{what}_majority"] = json_figure(fig.majority) if fig.n else None
    if agreement_.shares is not None:
        out["shares"] = agreement_.shares.as_dict()
    return out


# A task with no labels in the file: every key of a figure, null (it was {"n": 0}, and a script
# reading `sentiment["macro_f1"]` of a stance-only file stopped on a KeyError).
def _no_figure() -> dict[str, Any]:
    return {"n": 0, "macro_f1": None, "ci": [None, None], "ci_degenerate": None, "accuracy": None, "majority": None, "classes": []}


def agreement_json(ag: Agreement, *, labels_file: str, election: str | None, part: str | None) -> dict[str, Any]:
    """What `content evaluate --json` prints: every figure of its tables and lines in one object
    (NaN as null; the false and missed party matches as [post_id, party] pairs; `classes`: those
    the macro-F1 averaged over). `ci` is the bootstrap's ends as computed; `ci_degenerate` says
    where they are one value, every resample giving the same macro-F1 (a few labels that all agree),
    which the text output says is no interval ("none (every resample gave 1.000)"): `"ci": [1.0,
    1.0]` alone read as certainty from three labels."""
    from botwatch import stats

    figs = {what: ({"n": int(f.n), "macro_f1": json_figure(f.macro_f1), "ci": [json_figure(f.ci[0]), json_figure(f.ci[1])],
                    "ci_degenerate": stats.degenerate_interval(f.macro_f1, f.ci[0], f.ci[1]), "accuracy": json_figure(f.accuracy),
                    "majority": json_figure(f.majority), "classes": classes_scored(f, cls)} if f.n else _no_figure())
            for what, f, cls in (("stance", ag.stance, STANCES), ("sentiment", ag.sentiment, SENTIMENTS))}
    return {"labels_file": labels_file, "election": election, "part": part, **figs, "sentiment_unscored": ag.sentiment_unscored,
            "matching": {"precision": json_figure(ag.match_precision), "recall": json_figure(ag.match_recall), "matched_pairs": ag.matched_pairs,
                         "false_pairs": [list(x) for x in ag.false_pairs], "missed_pairs": [list(x) for x in ag.missed_pairs]},
            "shares": {**ag.shares.as_dict(), **ag.shares.difference_json()} if ag.shares is not None else None}


def read_shares(d: object) -> dict[str, Any] | None:
    """A `Shares.as_dict` as recorded (or quoted in `MEASURED_BY_ELECTION`), checked: counts as
    whole numbers, each class's pair of shares in [0, 1] or None. Anything else (an older record
    without it, a hand-edited one) is None, and the report then quotes no shares."""
    if not isinstance(d, dict):
        return None
    out: dict[str, Any] = {}
    for k in ("stance_n", "sentiment_n"):
        v = d.get(k)
        if not isinstance(v, int) or isinstance(v, bool) or v < 0:
            return None
        out[k] = v
    for _task, classes in SHARE_CLASSES:
        for c in classes:
            pair = d.get(c)
            if not isinstance(pair, (list, tuple)) or len(pair) != 2:
                return None
            vals = []
            for x in pair:
                if x is not None and not _number_01(x):
                    return None
                vals.append(None if x is None else float(x))
            out[c] = tuple(vals)
    out["parties"] = _read_party_shares(d.get("parties"))
    return out


def _read_party_shares(d: object) -> dict[str, dict[str, Any]]:
    """The per-party part of a recorded `Shares.as_dict`; a party entry that is not whole (or none,
    as in records made before it) is left out, so the report falls back on all parties together."""
    out: dict[str, dict[str, Any]] = {}
    for party, e in (d.items() if isinstance(d, dict) else ()):
        if not isinstance(e, dict) or not isinstance(e.get("n"), int) or isinstance(e.get("n"), bool) or e["n"] < 1:
            continue
        pairs = [e.get(c) for c in SHARE_CLASSES[0][1]]
        if all(isinstance(x, (list, tuple)) and len(x) == 2 and all(_number_01(v) for v in x) for x in pairs):
            out[str(party)] = {"n": e["n"], **{c: (float(x[0]), float(x[1])) for c, x in zip(SHARE_CLASSES[0][1], pairs)}}
    return out


def _number_01(v: object) -> bool:
    return is_json_number(v) and 0 <= v <= 1  # type: ignore[operator]


# From this many labelled pairs on, the observer's own check is quoted in place of the shipped
# frozen test part's figures of the same election (as `report.share_check.MIN_PARTY_PAIRS` quotes a
# party's own pairs). Fewer say more about the handful than about the model: 3 pairs botwatch got
# right took away uk-ge2017's "no better than a guess" (measured on 117 held-out pairs: accuracy 61%
# against 64% for the commonest label), and 2 pairs, one right, put it on us-2016 (72% against 44%).
MIN_OWN_PAIRS = 20


def stance_measurement(study: Any, election: str) -> dict[str, Any] | None:
    """What the figures of `election`'s stance are quoted from: the observer's own check (`botwatch
    content evaluate`, recorded in the study), which measured these posts' election against their
    readers, else the shipped frozen test part (`stance.MEASURED_BY_ELECTION`); None when neither.
    An own check of fewer than `MIN_OWN_PAIRS` pairs replaces no shipped figures: those are quoted,
    with the check under `own_too_few` (the report says it was too few)."""
    from botwatch.content.stance import MEASURED_BY_ELECTION

    own = recorded_evaluation(study, election)
    shipped = MEASURED_BY_ELECTION.get(election)
    if own is not None and shipped is not None and own["pairs"] < MIN_OWN_PAIRS:
        return {**shipped, "own_too_few": own, "own_min": MIN_OWN_PAIRS}
    return own or shipped


def recorded_evaluation(study: Any, election: str) -> dict[str, Any] | None:
    """The latest recorded `content evaluate` of `election` that scored stance, shaped like a
    `MEASURED_BY_ELECTION` entry (`pairs`, `stance_f1`, `stance_ci`, `stance_accuracy`,
    `stance_majority`, `sentiment_f1`, `sentiment_ci`) plus `labels_file`, `date` and `part`;
    None when there is none (older studies, or a record that is not readable or complete). An
    evaluation older than the latest content stage run measured labels the study no longer holds
    (the posts were labelled again since, perhaps with other models): it is not quoted."""
    from botwatch.runs_table import evaluations_since  # the one reader of runs.params

    for p, finished in evaluations_since(study, EVALUATE_STAGE, "content"):
        if not p or p.get("evaluated_election") != election or not p.get("stance_n"):
            continue
        try:
            ci = p["stance_ci"]
            # Cast as the stance interval is: a damaged one ("sentiment_ci": [0.5]) reached the
            # report's `f1_ci` unchecked and failed the build there.
            sci = p.get("sentiment_ci") or [None, None]
            sci = (None, None) if sci[0] is None and sci[1] is None else (float(sci[0]), float(sci[1]))
            return {
                "pairs": int(p["stance_n"]), "stance_f1": float(p["stance_f1"]), "stance_ci": (float(ci[0]), float(ci[1])),
                "stance_accuracy": float(p["stance_accuracy"]), "stance_majority": float(p["stance_majority"]),
                "sentiment_f1": None if p.get("sentiment_f1") is None else float(p["sentiment_f1"]),
                "sentiment_ci": sci, "labels_file": str(p.get("labels_file") or "your labels file"),
                "date": str(finished)[:10] if finished is not None else "", "part": p.get("labels_part"), "own": True,
                "shares": read_shares(p.get("shares")),
            }
        except (KeyError, TypeError, ValueError, IndexError):
            continue  # a damaged record: the next older one, else none
    return None
