"""The `content` stage: label every post (election match, parties, language, sentiment) and
write one row per (post, party) with its stance.

Posts are read in Arrow record batches from a second cursor and labelled batch by batch; the
results (no text, so small) are written once at the end, replacing the previous tables, so a
re-run gives the same tables.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from botwatch.content import embed
from botwatch.content.evidence_words import contest_evidence, reshare_evidence
from botwatch.content.features import TONE_GATE_EVIDENCE, topic_tone_gate
from botwatch.content.language import is_english, languages
from botwatch.content.match import ELECTION, SIGNALS, PartyMatcher, compile_matcher, match_batch, party_mask
from botwatch.content.relational import label_input
from botwatch.content.rules_version import CONTENT_RULES_VERSION, CONTENT_RULES_VERSION_KEY
from botwatch.content.sentiment import SentimentScorer
from botwatch.content.modelrun import ContentModelError, ContentModelInputs, LinearModel, TreeBlend, is_uk, shipped_files_sha256, shipped_models, shipped_trees
from botwatch.content.party_coverage import listed_bluesky_accounts
from botwatch.content.pool import LabelPool, OneBatchLate, gc_paused, needs_detector
from botwatch.content.features import PartyNames
from botwatch.content.prior_engine import propagate_in_engine
from botwatch.content.stance import DECISIVE_RULES, decide_stances
from botwatch.content.tables import POST_LABELS, POST_PARTY
from botwatch.count_text import counted
from botwatch.elections.contest import contest_words, in_contest_words
from botwatch.exact_round import round_scalar
from botwatch.forkpool import worker_count
from botwatch.pipeline import Context, register
from botwatch.study import Study

BATCH_ROWS = 50_000
VIA_NAMES = ("election_hashtag", "election_keyword", "party_hashtag", "party_keyword", "party_account")


def lists_from_mask(mask: np.ndarray, names: Sequence[str]) -> pa.Array:
    """Per row, the names whose column is True: a list<string> array built without a Python loop
    over rows (np.nonzero walks the matrix row by row, so values come out grouped by row)."""
    mask = np.asarray(mask, dtype=bool)
    offsets = np.zeros(mask.shape[0] + 1, dtype=np.int32)
    np.cumsum(mask.sum(axis=1), out=offsets[1:])
    _rows, cols = np.nonzero(mask)
    values = pa.array(np.asarray(names, dtype=object)[cols] if len(cols) else [], pa.string())
    return pa.ListArray.from_arrays(pa.array(offsets), values)


@dataclass
class Labeller:
    """Everything one run needs, built once: the compiled preset and the sentiment cache."""

    matcher: PartyMatcher
    window: tuple[datetime, datetime]
    scorer: SentimentScorer = field(default_factory=SentimentScorer)
    names: PartyNames | None = None
    use_model: bool = True
    # Retweets repeat texts: the model's answers are kept per text (sentiment) and per text,
    # party and cues (stance), bounded like the lexicon cache.
    _post_cache: dict = field(default_factory=dict)
    _pair_cache: dict = field(default_factory=dict)
    _base_cache: dict = field(default_factory=dict)  # post_base per text (ContentModelInputs.base)
    max_cache: int = 500_000
    # The tree blends of the shipped content model (`modelrun.shipped_trees`: per task, the
    # LightGBM trees averaged with the linear model's probabilities), or None: the linear models alone.
    blend: "dict[str, TreeBlend] | None" = None

    @classmethod
    def for_election(cls, election, use_model: bool = True) -> "Labeller":  # type: ignore[no-untyped-def]
        return cls(compile_matcher(election), election.window_utc(), names=PartyNames.of(election), use_model=use_model,
                   blend=shipped_trees() if use_model else None)

    def label(self, batch: pa.RecordBatch | pa.Table) -> tuple[pa.Table, pa.Table]:
        """(post_labels rows, post_party rows) for one batch of `label_input` rows."""
        with gc_paused():
            labels, party_rows, _rows = self.label_rows(batch)
        return labels, party_rows

    def label_rows(self, batch: pa.RecordBatch | pa.Table) -> tuple[pa.Table, pa.Table, np.ndarray]:
        """`label`, and for each post_party row the batch row it belongs to (the worker pool
        puts rows labelled apart back in order with it)."""
        m = self.matcher
        t = pa.Table.from_batches([batch]) if isinstance(batch, pa.RecordBatch) else batch
        n = t.num_rows
        hits = match_batch(m, t)
        named = party_mask(m, hits)
        election_tag = hits[:, m.slot(ELECTION, "topic_tag")]
        election_kw = hits[:, m.slot(ELECTION, "topic_kw")]
        topic = election_tag | election_kw | named.any(axis=1)
        in_window = self._in_window(t.column("created_at"))
        in_election = topic & in_window

        lang, lang_source, lang_prob = languages(t.column("lang").combine_chunks(), t.column("text").combine_chunks())
        english = is_english(lang)
        sentiment = self.scorer.batch(t.column("text").combine_chunks(), english)
        sent_np = np.asarray(pc.fill_null(sentiment, np.nan).to_numpy(zero_copy_only=False), dtype=float)

        match_via = self._match_via(hits, election_tag, election_kw)
        parties = lists_from_mask(named, m.parties)

        election_key = m.election.key
        labels = pa.table(
            {
                "platform": t.column("platform"),
                "post_id": t.column("post_id"),
                "account_id": t.column("account_id"),
                "created_at": t.column("created_at"),
                "in_election": pa.array(in_election),
                "parties": parties,
                "lang": lang,
                "lang_source": lang_source,
                "sentiment": sentiment,
                "election": pa.array([election_key] * n, pa.string()),
                "topic_match": pa.array(topic),
                "in_window": pa.array(in_window),
                "match_via": match_via,
                "lang_probability": lang_prob,
                "kind": t.column("kind"),
            },
            schema=POST_LABELS,
        )

        stances = decide_stances(m, hits, sent_np, english)
        # Evidence: the rule's name, or (where the model decides) its strongest features.
        evidence: dict[str, np.ndarray] = {p: stances[p][1].copy() for p in m.parties}
        models = shipped_models() if self.use_model else None
        if models is not None and self.names is not None:
            sentiment = self._apply_models(models, t, hits, named, english, topic, stances, evidence, sentiment)
            labels = labels.set_column(labels.schema.get_field_index("sentiment"), "sentiment", sentiment)
        party_rows, party_row = self._party_rows(t, hits, named, stances, evidence, sentiment, in_election, lang)
        return labels, party_rows, party_row

    def _in_window(self, created: pa.ChunkedArray) -> np.ndarray:
        """Posts written inside the election's window (unknown times count as outside)."""
        start, end = self.window
        inside = pc.and_(pc.greater_equal(created, pa.scalar(start, created.type)), pc.less(created, pa.scalar(end, created.type)))
        return np.asarray(pc.fill_null(inside, False).to_numpy(zero_copy_only=False), dtype=bool)

    def _match_via(self, hits: np.ndarray, election_tag: np.ndarray, election_kw: np.ndarray) -> pa.Array:
        """Which kinds of signal matched, per post (for auditing the election match)."""
        m, n, k = self.matcher, hits.shape[0], len(SIGNALS)
        tag_any = np.zeros(n, bool)
        kw_any = np.zeros(n, bool)
        acct_any = np.zeros(n, bool)
        for j in range(len(m.parties)):
            block = hits[:, 2 + j * k : 2 + (j + 1) * k]
            tag_any |= block[:, 0:3].any(axis=1)
            kw_any |= block[:, 3:6].any(axis=1)
            acct_any |= block[:, 6:].any(axis=1)
        via = np.column_stack([election_tag, election_kw, tag_any, kw_any, acct_any]) if n else np.zeros((0, 5), bool)
        return lists_from_mask(via, VIA_NAMES)

    def _party_rows(self, t, hits, named, stances, evidence, sentiment, in_election, lang) -> tuple[pa.Table, np.ndarray]:  # type: ignore[no-untyped-def]
        """`post_party` rows: one per (post, party it names), with stance, rule, evidence and
        signals; party by party, each party's rows in batch order. Also each one's batch row."""
        m, k, election_key = self.matcher, len(SIGNALS), self.matcher.election.key
        words = contest_words(m.election)  # a referendum's evidence says "[side]", as its report does
        pieces, at = [], []
        for j, p in enumerate(m.parties):
            rows = np.flatnonzero(named[:, j])
            if not len(rows):
                continue
            idx = pa.array(rows)
            at.append(rows)
            stance, rule = stances[p]
            sigs = lists_from_mask(hits[rows, 2 + j * k : 2 + (j + 1) * k], SIGNALS)
            pieces.append(
                pa.table(
                    {
                        "platform": t.column("platform").take(idx),
                        "post_id": t.column("post_id").take(idx),
                        "account_id": t.column("account_id").take(idx),
                        "created_at": t.column("created_at").take(idx),
                        "party": pa.array([p] * len(rows), pa.string()),
                        "stance": pa.array(stance[rows].tolist(), pa.string()),
                        "stance_rule": pa.array(rule[rows].tolist(), pa.string()),
                        "stance_evidence": contest_evidence(reshare_evidence(pa.array(evidence[p][rows].tolist(), pa.string()), t.column("platform").take(idx)), words),
                        "sentiment": sentiment.take(idx),
                        "election": pa.array([election_key] * len(rows), pa.string()),
                        "in_election": pa.array(in_election[rows]),
                        "kind": t.column("kind").take(idx),
                        "lang": lang.take(idx),
                        "signals": sigs,
                    },
                    schema=POST_PARTY,
                )
            )
        if not pieces:
            return POST_PARTY.empty_table(), np.zeros(0, np.int64)
        return pa.concat_tables(pieces), np.concatenate(at)

    def _apply_models(self, models, t, hits, named, english, topic, stances, evidence, sentiment):  # type: ignore[no-untyped-def]
        """The trained models on English posts of the election talk: post sentiment (a score whose
        sign is the predicted class: +/-(0.05 + margin) or 0.0 for neutral, so the usual ±0.05
        cut points read the model's answer) and stance where no decisive cue rule fired."""
        stance_model, sentiment_model = models
        if self.names.vocab is None:  # build only the n-grams the models read
            self.names.use_vocab((k for model in models for k in model.index), len(self.matcher.parties))
        if self.names.folded is None:  # the vector features as these (folded) models read them
            self.names.use_folded(stance_model.folded, sentiment_model.folded)
        inputs = ContentModelInputs(self.matcher, self.names, [], [], hits, named, self.scorer.score, parts=self.scorer.parts,
                                    base_cache=self._base_cache)
        rows = np.flatnonzero(english & topic)
        if not len(rows):
            return sentiment
        texts = t.column("text").to_pylist()
        kinds = t.column("kind").to_pylist()
        inputs.texts = [texts[i] or "" if english[i] and topic[i] else "" for i in range(len(texts))]
        inputs.kinds = kinds
        scores = sentiment.to_pylist()
        rules = {p: stances[p][1] for p in self.matcher.parties}
        job = (self, inputs, models, rules)
        workers = self.scorer.workers
        if len(rows) >= MODEL_PARALLEL_MIN and workers > 1:
            results = _model_parallel(job, [int(i) for i in rows], workers)
        else:
            results = _model_rows(job, [int(i) for i in rows])
        for i, score, answers in results:
            scores[i] = score
            for p, stance, ev in answers:
                stances[p][0][i] = stance
                stances[p][1][i] = "model"
                evidence[p][i] = ev
        return pa.array(scores, pa.float64())


POOL_MIN = 20_000  # posts in a study before whole batches are labelled in forked workers (content.pool)
MODEL_PARALLEL_MIN = 5_000  # rows of a batch before the model runs in forked workers


MODEL_STEP = 2_048  # rows whose features are gathered before one batched call of each model


def _model_rows(job: tuple, rows: list[int]) -> list[tuple[int, float, list[tuple[str, str, str]]]]:
    """Per row: the post's sentiment score and, for each named party no decisive cue decided,
    (party, stance, evidence). Answers are cached per text (retweets repeat texts).

    Rows go in steps of MODEL_STEP: features of the rows whose answer is not cached are gathered
    in row order, each model runs once over the step (`LinearModel.predict_many`), then the
    answers are cached and handed out. A text met twice in one step is answered from its first
    row, as a row-by-row loop with the same cache would."""
    out: list[tuple[int, float, list[tuple[str, str, str]]]] = []
    for s in range(0, len(rows), MODEL_STEP):
        out += _model_step(job, rows[s : s + MODEL_STEP])
    return out


def _model_step(job: tuple, rows: list[int]) -> list[tuple[int, float, list[tuple[str, str, str]]]]:
    lab, inputs, (stance_model, sentiment_model), rules = job
    pos, neg = sentiment_model.classes.index("positive"), sentiment_model.classes.index("negative")
    post_cache, pair_cache = lab._post_cache, lab._pair_cache
    # An answer is a cached value or the index of a feature set still to be run; `*_new` holds
    # what a row-by-row loop would already have put into the cache.
    post_feats: list[dict[str, float]] = []
    pair_feats: list[dict[str, float]] = []
    post_new: dict = {}
    pair_new: dict = {}
    plan = []
    blend = lab.blend
    if blend is not None:  # the trees read the vector ids the features look up
        inputs.names.kept_ids = kept = {"stance": [], "sentiment": []}
    try:
        for i in rows:
            text, kind = inputs.texts[i], inputs.kinds[i]
            # The post's features read the matched parties too (mentions, the retweeted account: the
            # hit row), not the text alone; keyed on text only, two retweets of one text with
            # different hits took whichever was scored first, and parallel runs disagreed.
            hit_row = inputs.hits[i].tobytes()
            key = (text, kind, hit_row)
            cached = post_cache.get(key)
            if cached is not None:
                got: tuple = ("cached", cached)
            else:
                at = post_new.get(key)
                if at is None:
                    at = len(post_feats)
                    post_feats.append(inputs.post_features(i))
                    if len(post_cache) + len(post_new) < lab.max_cache:
                        post_new[key] = at
                got = ("new", at)
            answers = []
            for p in inputs.named_parties(i):  # the named parties, in the matcher's order
                if rules[p][i] in DECISIVE_RULES:
                    continue
                pkey = (text, kind, p, hit_row)
                hit = pair_cache.get(pkey)
                if hit is not None:
                    answers.append((p, ("cached", hit)))
                    continue
                at = pair_new.get(pkey)
                if at is None:
                    at = len(pair_feats)
                    pair_feats.append(inputs.pair_features(i, p))
                    if len(pair_cache) + len(pair_new) < lab.max_cache:
                        pair_new[pkey] = at
                answers.append((p, ("new", at)))
            plan.append((i, got, answers))
    finally:
        # Keep nothing outside a step, also when building a feature set fails: the lists must
        # not stay on the (reused) PartyNames, growing with every later feature set built.
        if blend is not None:
            inputs.names.kept_ids = None

    if blend is not None:
        post_scores, pair_answers = _blended_answers(lab, blend, kept, post_feats, pair_feats, stance_model, sentiment_model)
    else:
        post_scores = []
        # (`item` gives the two probabilities as Python floats, whose difference is numpy's.)
        for k, pr, _top in sentiment_model.predict_many(post_feats, 0):
            post_scores.append(_post_score(k, pr.item(pos) - pr.item(neg), pos, neg))
        pair_answers = [(stance_model.classes[c], "; ".join(dict.fromkeys(map(embed.in_words, top)))) for c, _p, top in stance_model.predict_many(pair_feats)]
    pair_answers = _tone_gated(pair_feats, pair_answers)
    for key, at in post_new.items():
        post_cache[key] = post_scores[at]
    for key, at in pair_new.items():
        pair_cache[key] = pair_answers[at]

    out = []
    for i, got, answers in plan:
        score = post_scores[got[1]] if got[0] == "new" else got[1]
        done = []
        for p, (how, ans) in answers:
            stance, ev = pair_answers[ans] if how == "new" else ans
            done.append((p, stance, ev))
        out.append((i, score, done))
    return out


def _tone_gated(pair_feats: list[dict[str, float]], answers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """`answers` (stance, evidence) with `features.topic_tone_gate` applied: a pair whose party is
    found only inside a topic hashtag keeps a support or oppose answer only where the post's tone
    leans that way (the linear and the blended answers alike)."""
    out = list(answers)
    for j, (stance, _ev) in enumerate(answers):
        if stance != "neutral" and topic_tone_gate(pair_feats[j], stance):
            out[j] = ("neutral", TONE_GATE_EVIDENCE.format(stance=stance))
    return out


def _post_score(k: int, margin: float, pos: int, neg: int) -> float:
    """A post's sentiment score from its class `k` and its margin (positive minus negative
    probability), one formula for the linear and the blended answers so they cannot drift:
    at least 0.05 for positive, at most -0.05 for negative, 0 for neutral, 4 decimals. (A margin
    lies in [-1, 1], where `round_scalar` is `round` without its decimal conversion.)"""
    if k == pos:
        return round_scalar(max(0.05, margin), 4)
    if k == neg:
        return round_scalar(min(-0.05, margin), 4)
    return 0.0


TREE_BLEND = "tree blend"  # opens the stance evidence where the blend picks another class than the linear model


def _overruled(stance_model: LinearModel, feats: dict[str, float], linear: int, chosen: int) -> str:
    """The evidence of a pair whose class the tree blend changed: that the trees decided, what the
    linear model said, and the pair's features that lean toward the blend's class in the linear
    model, if any. Why: a reader checking a label should see that no single cue decided it, and
    which cues point the way it went (`LinearModel.toward`)."""
    classes = stance_model.classes
    cues = "; ".join(dict.fromkeys(map(embed.in_words, stance_model.toward(feats, chosen))))
    toward = f"; cues toward {classes[chosen]}: {cues}" if cues else ""
    return f"{TREE_BLEND} (the linear model said {classes[linear]}{toward})"


def _blended_answers(lab: Labeller, blend: "dict[str, TreeBlend]", kept: "dict[str, list]", post_feats: list[dict[str, float]],
                     pair_feats: list[dict[str, float]], stance_model: LinearModel,
                     sentiment_model: LinearModel) -> tuple[list[float], list[tuple[str, str]]]:
    """`_model_step`'s post scores and pair answers with each linear model's probabilities
    blended with its trees' where the linear model is unsure (`modelrun.TreeBlend`, its `gate`):
    the class is the blend's argmax, the sentiment margin the blend's. The evidence stays the
    linear model's words where the blend keeps the linear model's class; where it picks another,
    the evidence opens with "tree blend" and says what the linear model said and which cues lean
    the blend's way (`_overruled`). Blend weight 0
    gives `_model_step`'s own answers."""
    if len(kept["stance"]) != len(pair_feats) or len(kept["sentiment"]) != len(post_feats):
        # `trees_from_dict` refuses trees without folded vector features when it reads them; this
        # is only reached when the features change after (e.g. `embed.STANCE` switched off).
        raise ContentModelError("the tree blend needs the vector ids of every feature set, and the features built kept "
                                f"{len(kept['stance'])} of {len(pair_feats)} (stance) and {len(kept['sentiment'])} of {len(post_feats)} (sentiment)")
    uk = is_uk(lab.matcher.election)
    pos, neg = sentiment_model.classes.index("positive"), sentiment_model.classes.index("negative")
    post_scores: list[float] = []
    if post_feats:
        got: list[np.ndarray] = []
        sentiment_model.predict_many(post_feats, 0, got)
        p = blend["sentiment"].blend(got[0], post_feats, kept["sentiment"], uk)
        margins = (p[:, pos] - p[:, neg]).tolist()
        for k, margin in zip(p.argmax(axis=1).tolist(), margins):
            post_scores.append(_post_score(k, margin, pos, neg))
    pair_answers: list[tuple[str, str]] = []
    if pair_feats:
        got = []
        lin = stance_model.predict_many(pair_feats, 3, got)
        p = blend["stance"].blend(got[0], pair_feats, kept["stance"], uk)
        classes = stance_model.classes
        for (c, _pr, top), k, feats in zip(lin, p.argmax(axis=1).tolist(), pair_feats):
            pair_answers.append((classes[k], "; ".join(dict.fromkeys(map(embed.in_words, top))) if k == c else _overruled(stance_model, feats, c, k)))
    return post_scores, pair_answers


def _model_parallel(job: tuple, rows: list[int], workers: int) -> list[tuple[int, float, list[tuple[str, str, str]]]]:
    """The model over `rows` in forked workers (the model is pure Python; fork shares the inputs,
    `job` included: `forkpool.fork_map`, where a worker that dies raises `WorkerFailed` instead
    of leaving the stage waiting)."""
    from botwatch.forkpool import fork_map

    size = max(1, -(-len(rows) // (workers * 4)))
    chunks = [rows[i : i + size] for i in range(0, len(rows), size)]
    parts = fork_map(lambda chunk: _model_rows(job, chunk), chunks, workers, "content model")
    return [r for part in parts for r in part]


def run_content(study: Study, election, *, batch_rows: int = BATCH_ROWS, log=print, workers: int | None = None) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    """Label every post of `study` for `election`; returns (post_labels rows, post_party rows).

    Labelling is Python by nature (matching, language id, VADER, the stance model), so it runs
    through `study.map_arrow`: in-process over streamed batches on DuckDB, on the executors
    (`mapInArrow`) on a lake. Only the labels (no text) are written. `workers`: the processes
    that label on DuckDB (None: `forkpool.default_workers()`; 1: this one; never more than the
    cores, `forkpool.worker_count`), the same labels."""
    labeller = Labeller.for_election(election)
    if note := _know_bluesky_dids(study, labeller.matcher):
        log(note)
    if workers is not None:
        labeller.scorer.workers = worker_count(workers)
    outputs = {"post_labels": POST_LABELS, "post_party": POST_PARTY}
    expr = label_input(study.table("posts"), study.table("accounts"))
    t0 = time.perf_counter()
    workers = labeller.scorer.workers
    if study.engine != "duckdb":
        labeller.scorer.workers = 1  # the executors are the parallelism; no forked pools inside them
        # The posts read, of how many, for the lake's progress line where it has one (no count otherwise).
        read_count = {"count_as": "posts", "total": study.count("posts")} if getattr(study, "progress", None) is not None else {}
        counts = study.map_arrow(expr, labeller.label, outputs, batch_rows=batch_rows, **read_count)
    elif workers > 1 and (posts := study.count("posts")) >= POOL_MIN:
        langs = [r[0] for r in study.sql("SELECT DISTINCT lang FROM posts")]
        # One batch late: this process writes and reads while the workers label; on one DuckDB
        # thread meanwhile, as the workers hold both cores (a second thread only waited for them).
        threads = study.sql("SELECT current_setting('threads')")[0][0]
        study.sql("SET threads = 1")
        try:
            with LabelPool(labeller, workers, load_detector=needs_detector(langs)) as pool:
                counts = study.map_arrow(expr, OneBatchLate(pool), outputs, batch_rows=batch_rows,
                                         count_as="posts", total=posts)
        finally:
            study.sql(f"SET threads = {int(threads)}")
    else:
        counts = study.map_arrow(expr, labeller.label, outputs, batch_rows=batch_rows, count_as="posts", total=study.count("posts"))
    # The account's other posts and its retweet neighbours: a whole-study step over the party rows,
    # run by the engine (content.prior_engine); nothing but counts reaches the driver.
    propagate_in_engine(study, batch_rows=batch_rows)
    secs = time.perf_counter() - t0
    n, n_party = counts["post_labels"], counts["post_party"]
    # The scorer's count lives where the batches ran: in this process only on DuckDB (the worker
    # pool adds up its workers'). It counts VADER passes, not posts: each distinct English post
    # text, and in a post naming several parties the clause on each party (`features.pair_features`),
    # once per worker that meets it (workers share no cache; a text goes to a worker by its raw
    # form, so two posts whose links differ may meet two). It said "78,668 distinct English texts
    # scored" of a study of 78,217 posts, and 78,660 on a re-run of the same data.
    scored = f"; VADER scored {counted(labeller.scorer.scored, 'text')} (English post texts and, in posts naming several parties, the clause on each)" \
        if study.engine == "duckdb" else ""
    # "post-side rows" for a referendum, as the rest of its analyze lines say (elections.contest).
    pairs = f"post-{contest_words(election).one} row"
    scored = in_contest_words(scored, contest_words(election))
    log(f"content: {counted(n, 'post')} labelled in {secs:.1f} s ({n / max(secs, 1e-9):,.0f} posts/s); {counted(n_party, pairs)}{scored}")
    return n, n_party


def _know_bluesky_dids(study: Study, matcher: PartyMatcher) -> str | None:
    """Give `matcher` the DIDs of the study's Bluesky accounts whose handle the election lists
    (known from identity events), by which Bluesky posts mention them. Returns a note to log when
    the election lists Bluesky handles and the study holds Bluesky posts but knows none of those
    handles (`party_coverage.listed_bluesky_accounts`, whose check the report's Parties section
    shares): every Bluesky cue by account then matches nothing, which was said nowhere."""
    known, unknown = listed_bluesky_accounts(study, matcher.listed_bluesky_handles())
    if known is not None:
        matcher.know_bluesky_dids(known.column("account_id"), known.column("handle"))
    if not unknown:
        return None
    n = len(unknown)
    return (f"content: note: the election lists {n:,} Bluesky handle{'' if n == 1 else 's'} and the study knows the DID of none: "
            "Bluesky posts name accounts by DID, and a DID's handle comes only from identity events (kept by `collect bluesky` "
            "only in a capture with no filter and no sample), so no Bluesky post is matched to a party's account, its own posts included")


@register("content", needs=("posts", "accounts"), writes=("post_labels", "post_party"), needs_election=True, options=("workers",))
def content(study: Study, ctx: Context) -> int:
    """Election match, parties, language, sentiment (English) and per-party stance for every post."""
    # The labels depend on the model files: record both (the trees' as None where none ship).
    ctx.run_params.update(shipped_files_sha256())
    # ... and on the rules in code (`report.staleness.content_model_changed` reads it, on both engines).
    ctx.run_params[CONTENT_RULES_VERSION_KEY] = CONTENT_RULES_VERSION
    n, _ = run_content(study, ctx.election, log=ctx.log, workers=ctx.options.get("workers"))
    return n
