"""Stance toward each party a post names: support, oppose or neutral, and the rule that decided.

Rules are tried in order; the first that fires decides. They go from the most direct evidence
(the party's own account, a retweet of it, a pro or anti hashtag) to the weakest (the overall
sentiment of a post that names only this party). A post that names several parties and carries
no cue stays neutral: VADER scores the whole post, and which party the feeling is about cannot be
told from a lexicon score. Every row keeps its rule so an analyst can drop the weak ones.

A party's pro hashtag or slogan, or a not-negative quote of its account, decides only where the post
carries no rival party's pro cue (its pro hashtag or slogan, a post by, retweet of or not-negative
quote of its account). Both at once is hedging, tagging the
other camp to reach its readers (a Leave post tagged #StrongerIn) or mocking its slogan; the
labelling guide reads the first as neutral ("both sides in balance") and the others by their words,
which a cue list cannot tell apart. Such a pair is neutral by `rival_cues_cancel`, a decisive rule:
the trained model is not asked, since no labelled pair it learned from carries two rivals' pro cues
and on the EU-referendum example it read most such pairs as support for both sides again (it leans
on the same hashtags), nor is the account prior, built from the same hashtags. Support for both
sides of a referendum at once cannot be right for both. No hand-labelled development pair carries
two rivals' pro cues, so the rule rests on the guide, not on a measured gain (docs/methods.md,
"Rival campaigns' pro cues in one post").

Accuracy on a hand-labelled sample of real posts is measured in tests/test_content_stance.py.
"""

from __future__ import annotations

import numpy as np

from botwatch.content.match import PartyMatcher, party_mask, signal

SUPPORT, OPPOSE, NEUTRAL = "support", "oppose", "neutral"
SENTIMENT_THRESHOLD = 0.5  # |compound| needed before a single-party post's tone is read as stance

# (rule, stance it gives, what it means) in the order the rules are tried.
STANCE_RULES: tuple[tuple[str, str, str], ...] = (
    ("own_account", SUPPORT, "posted by the party's official or allied account"),
    ("retweets_party_account", SUPPORT, "a retweet of the party's official or allied account"),
    ("pro_hashtag", SUPPORT, "a pro-party hashtag, no anti-party cue and no rival party's pro cue"),
    ("pro_keyword", SUPPORT, "a pro-party slogan, no anti-party cue and no rival party's pro cue"),
    ("anti_hashtag", OPPOSE, "an anti-party hashtag and no pro-party cue"),
    ("anti_keyword", OPPOSE, "an anti-party slogan and no pro-party cue"),
    ("rival_cues_cancel", NEUTRAL, "pro cues for this party and for a rival party (a pro hashtag or slogan, a post by, retweet of or not-negative quote of its account) in one post: they cancel"),
    ("quotes_party_account", SUPPORT, "a quote of the party's account whose text is not negative"),
    ("rival_pro_cue", OPPOSE, "names the party while carrying another party's pro cue, or posted or retweeted from another party's account"),
    ("sentiment_single_party", SUPPORT, "names only this party; VADER compound >= +0.5 (English)"),
    ("sentiment_single_party", OPPOSE, "names only this party; VADER compound <= -0.5 (English)"),
    ("conflicting_cues", NEUTRAL, "both pro and anti cues, and nothing else decided"),
    ("no_cue", NEUTRAL, "named, but no rule fired"),
)
# Rules whose cue is explicit enough to stand even where the trained model runs; where the model
# runs (English posts, model shipped), every other rule's answer is replaced by the model's.
DECISIVE_RULES = ("own_account", "retweets_party_account", "pro_hashtag", "pro_keyword", "anti_hashtag", "anti_keyword", "rival_cues_cancel")
# The rules that decide from the election file's own cue lists for the party (its pro and anti
# hashtags and slogans). A pair they decide is counted from which hashtags the file lists, not read
# from the post's words: where they decide most of a party's pairs, its support share restates the
# file (the report says so). `rival_pro_cue` is left out: it also fires on another party's account.
FILE_CUE_RULES = ("pro_hashtag", "pro_keyword", "anti_hashtag", "anti_keyword")
MODEL_RULES: tuple[tuple[str, str, str], ...] = (
    ("model", SUPPORT, "trained model: the words around the party's name, the post's tone and cues (evidence lists the strongest features)"),
    ("model", OPPOSE, "trained model: the words around the party's name, the post's tone and cues (evidence lists the strongest features)"),
    ("model", NEUTRAL, "trained model: the words around the party's name, the post's tone and cues (evidence lists the strongest features); "
                       "also where the party is found only inside a topic hashtag and the post's tone does not lean the model's way"),
)

# Where a post's own answer is not decisive, the account's other posts, or its retweet neighbours,
# can decide (botwatch.content.propagate; weights fitted on the dev labels only).
PRIOR_RULES: tuple[tuple[str, str, str], ...] = tuple(
    (rule, s, f"{what} lean {s} (the largest share of the account's answers for this party, above a threshold fitted on labelled posts); this post's own cue was not decisive")
    for rule, what in (("account_prior", "the account's other posts"), ("retweet_neighbours", "with its retweet neighbours, the account's posts"))
    for s in (SUPPORT, OPPOSE, NEUTRAL)
)


def decide_stances(
    m: PartyMatcher,
    hits: np.ndarray,
    sentiment: np.ndarray,
    english: np.ndarray,
    threshold: float = SENTIMENT_THRESHOLD,
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Per party: (stance, rule) string arrays over all rows (meaningful where the party is named).

    `sentiment` is VADER compound with NaN where not scored; `english` flags English rows.
    """
    named = party_mask(m, hits)
    n_named = named.sum(axis=1)
    pro = {p: signal(m, hits, p, "pro_tag") | signal(m, hits, p, "pro_kw") for p in m.parties}
    anti = {p: signal(m, hits, p, "anti_tag") | signal(m, hits, p, "anti_kw") for p in m.parties}
    with np.errstate(invalid="ignore"):
        positive = english & (sentiment >= threshold)
        negative = english & (sentiment <= -threshold)
        not_negative = ~(english & (sentiment < -0.05))
    out: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    # A not-negative quote of a party's account counts as its pro cue for the cancel (it is support by
    # `quotes_party_account` otherwise): a quote of @vote_leave tagged #StrongerIn read as support for both.
    quoted = {p: signal(m, hits, p, "quote_account") & not_negative for p in m.parties}
    for p in m.parties:
        rival_pro = np.zeros(len(hits), dtype=bool)
        rival_quoted = np.zeros(len(hits), dtype=bool)
        for q in m.parties:
            if q != p:
                rival_pro |= pro[q] | signal(m, hits, q, "own_account") | signal(m, hits, q, "retweet_account")
                rival_quoted |= quoted[q]
        rival_any = rival_pro | rival_quoted
        conds = [
            signal(m, hits, p, "own_account"),
            signal(m, hits, p, "retweet_account"),
            signal(m, hits, p, "pro_tag") & ~anti[p] & ~rival_any,
            signal(m, hits, p, "pro_kw") & ~anti[p] & ~rival_any,
            signal(m, hits, p, "anti_tag") & ~pro[p],
            signal(m, hits, p, "anti_kw") & ~pro[p],
            (pro[p] & rival_any) | (quoted[p] & rival_any),
            quoted[p],
            rival_pro & ~pro[p],
            (n_named == 1) & positive,
            (n_named == 1) & negative,
            pro[p] & anti[p],
        ]
        rules = [r for r, _, _ in STANCE_RULES]
        stances = [s for _, s, _ in STANCE_RULES]
        rule = np.select(conds, rules[:-1], default=rules[-1]).astype(object)
        stance = np.select(conds, stances[:-1], default=stances[-1]).astype(object)
        out[p] = (stance, rule)
    return out

# Measured on the frozen test part of the hand labels in tests/fixtures/content/ira_stance_labels.csv
# (labelled from docs/labelling-guide.md before any rule was tuned; never used to fit or choose),
# per election, in the evaluation study of scripts/build_stance_eval_study.py: the test posts
# among up to 400 other posts of each of their accounts (real IRA posts, as in a whole study), so
# the account prior and retweet neighbours (content.propagate) have something to learn from.
# Macro-F1 over (post, party) pairs, a labelled pair botwatch did not match counting as wrong;
# intervals from a bootstrap over posts. tests/test_content_quality.py (shared data) recomputes
# them and fails on drift. Before the prior: UK stance 0.576 [0.45-0.66], US 0.657 [0.58-0.73]
# (sentiment unchanged). Before the training draw and the CV-chosen settings (MEASURED_MODEL): UK
# stance 0.563, US 0.731, UK sentiment 0.613, US sentiment 0.551. Before the second training draw
# (hashtag words, three more UK cues, prior refitted): 0.568, 0.761, 0.591, 0.580; the changes
# were chosen by CV on training labels and the test part did not confirm them (docs/methods.md).
# Before the third training draw (471 more pairs, stance balance 0.5, sentiment C 1): 0.535, 0.697,
# 0.582, 0.589 (same evaluation study); every change lies inside its paired interval. Before the
# fifth round (uk-ge2017 preset: 'parliament' cue, more 'labour' noun exclusions; model retrained
# on the 1,628 pairs that matcher finds): 0.530, 0.729, 0.558, 0.545. Before the fourth training
# draw (785 more matched pairs, 650 more posts; same settings): 0.525, 0.729, 0.564, 0.560 (the
# study rebuilt without the draw's texts, one other post fewer; the previous model scored the same).
# Before the word vectors and the fifth training draw (content.embed; eighth round): 0.527, 0.714,
# 0.612, 0.602 (0.707 US stance on the study without the fifth draw's posts, which this one is);
# paired changes +0.004, +0.018, -0.028, +0.032, each inside its interval (docs/methods.md).
# Before the gated tree blend (content_trees.json, thirteenth round: the gbm40 trees averaged in
# where the linear model's top probability is below 0.7): 0.531, 0.725, 0.585, 0.634; paired
# changes +0.009, +0.007, +0.025, -0.013, each inside its interval (docs/methods.md).
# Before the party term left topic-hashtag pairs and sentiment (features.PARTY_*; "Party base
# rate" in docs/methods.md): 0.540, 0.732, 0.609, 0.620; paired changes -0.019, -0.006, -0.005,
# +0.009, each inside its interval (2 of 117 and 1 of 159 stance answers changed).
# Before the refit of 2026-12-03 (same settings and labels; texts with `&amp; &lt; &gt;` decoded at
# ingest): 0.521, 0.727, 0.605, 0.629; test part read once after the refit.
# The fifteenth round's tone gate (features.topic_tone_gate: pairs found only inside a topic hashtag)
# changed none of the labelled test answers, so these figures stand (read once more after it).
# Before the IRA reader's fix of 2026-12-04 (quote rows stored as quotes, not retweets; "RT name: "
# copies as retweets of that account; both content files refitted on the texts as now stored):
# 0.525, 0.732, 0.598, 0.615; changes +0.008, -0.013, -0.004, -0.002, each inside its interval.
# Before FiveThirtyEight's spreadsheet quotes came off the IRA texts (2026-12-06: `'@user …'` stored
# as `@user …`; both content files refitted on the texts as now stored): 0.533, 0.719, 0.594, 0.613;
# changes -0.007, 0.000, +0.010, +0.011, each inside its interval.
# Two independent readers agree at kappa 0.78 (stance) and 0.79 (sentiment) on the first draw.
# `shares` (content.score.Shares, read with the same test-part reading, 2026-12-05; nothing refitted):
# on the labelled pairs botwatch matched and the labelled posts it gave a sentiment, class ->
# [the reader's share, botwatch's], and per party for stance. The report sets them beside its own
# shares (report/share_check.py): a party's own where it has enough pairs, else all together.
MEASURED_BY_ELECTION: dict[str, dict[str, object]] = {
    "uk-ge2017": {"pairs": 117, "stance_f1": 0.526, "stance_ci": (0.39, 0.63), "stance_accuracy": 0.607,
                  "stance_majority": 0.641, "sentiment_f1": 0.604, "sentiment_ci": (0.51, 0.69),
                  "shares": {"stance_n": 111, "sentiment_n": 138, "support": [0.1261, 0.0991], "oppose": [0.2342, 0.1802],
                             "positive": [0.1377, 0.1884], "negative": [0.5362, 0.413],
                             "parties": {"conservative": {"n": 35, "support": [0.0286, 0.0], "oppose": [0.2571, 0.2286]},
                                         "labour": {"n": 41, "support": [0.0244, 0.0732], "oppose": [0.3659, 0.1951]},
                                         "libdem": {"n": 5, "support": [0.0, 0.0], "oppose": [0.2, 0.4]},
                                         "snp": {"n": 3, "support": [0.0, 0.0], "oppose": [0.0, 0.0]},
                                         "ukip": {"n": 27, "support": [0.4444, 0.2963], "oppose": [0.037, 0.0741]}}}},
    "us-2016": {"pairs": 159, "stance_f1": 0.719, "stance_ci": (0.65, 0.79), "stance_accuracy": 0.723,
                "stance_majority": 0.440, "sentiment_f1": 0.624, "sentiment_ci": (0.52, 0.71),
                "shares": {"stance_n": 156, "sentiment_n": 131, "support": [0.25, 0.3654], "oppose": [0.4359, 0.4167],
                           "positive": [0.2061, 0.1832], "negative": [0.6412, 0.5573],
                           "parties": {"democrat": {"n": 66, "support": [0.0303, 0.0], "oppose": [0.7121, 0.8485]},
                                       "republican": {"n": 90, "support": [0.4111, 0.6333], "oppose": [0.2333, 0.1]}}}},
}

# Post sentiment on ordinary accounts' tweets, not IRA posts: the first 2015 Republican primary debate
# (../shared/data/ordinary/gop-debate-2015, crowd workers' sentiment of each tweet, CrowdFlower
# "Data for Everyone"), analysed under us-2016 with the shipped files and tuned on nothing
# (`python scripts/gop_crowd_check.py STUDY TWEETS`, docs/methods.md "Party base rate"). Accuracy
# below always answering the crowd's commonest label ("negative"), and shares 11-15 points off:
# the report quotes it so that a sentiment share of an ordinary archive is not read as measured
# by the IRA test part alone. tests/test_content_party_prior.py recomputes it.
SENTIMENT_EXTERNAL: dict[str, object] = {
    "source": "ordinary tweets of the first 2015 Republican primary debate, labelled by crowd workers",
    # A post given no sentiment (222, not in English) is a wrong answer since 2026-12-05 (it was read
    # as neutral: macro-F1 0.465, accuracy 0.516); the shares, over the posts given one, stand.
    # The refit of 2026-12-06 (MEASURED_MODEL) moved them from macro-F1 0.456, accuracy 0.504,
    # positive 0.271, negative 0.466.
    "posts": 9038, "macro_f1": 0.458, "accuracy": 0.509, "majority": 0.611,
    "scored": 8816, "positive": (0.163, 0.265), "negative": (0.618, 0.472),  # (crowd, botwatch) over the posts given a sentiment
}

# The shipped weights (content_model.json) that MEASURED_BY_ELECTION was measured with, and what they
# were trained on: scripts/train_content_model.py with its defaults, on the dev part of
# ira_stance_labels.csv plus the training draw train_stance_labels.csv (`new_pairs` of its pairs),
# settings chosen by 5-fold grouped CV on those labels only ("cv": per election, out-of-fold
# macro-F1, accuracy, majority-class accuracy; stance with the decisive cues first, as the stage
# does). tests/test_content_training.py fails when the file or these inputs change without this.
# Refit of 2026-12-03 ("Fitting the shipped files again" in docs/methods.md): the same settings and
# labels, refitted because ingest now decodes `&amp; &lt; &gt;` in the labelled and weakly labelled
# texts (the files before it, 98e3c7c4… and 5d6bb54c…, were fitted on the escaped texts and could
# no longer be fitted again). Dev CV moved by at most 0.001; 20 of 3,805 dev stance answers and 10
# of 3,545 dev sentiment answers changed. The frozen test part was read once with the refitted
# files (2026-12-03, docs/methods.md): MEASURED_BY_ELECTION holds those figures.
# Refit of 2026-12-04: the same settings and labels, refitted because the IRA reader now stores a
# quote row as a quote (the files flag every quote as a retweet too) and a text starting "RT name: "
# as a retweet of that account without the prefix (ingest/csv_formats.py). Dev CV: stance UK
# 0.582 -> 0.585, US 0.713 -> 0.706; sentiment UK 0.600 -> 0.594, US 0.621 -> 0.619 (the files
# before: 934229bb… and 06909155…). The frozen test part was read once after it.
# Refit of 2026-12-05: the uk-ge2017 preset reads a bare "theresa" only beside a UK cue; the
# refit's training items and every weight and tree came back the same, only the files' `fit`
# record changed (the preset's sha256; the files before: c35ceb3e… and 50af56b4…), so the
# test-part figures stand (tests/test_content_quality.py recomputes them under the new preset).
# The same again later that day for us-2016, whose bare "stein" now needs a US election word (the
# files before: 29fd0abb… and 5bf95dc2…): weights and trees the same, only the `fit` record.
# Refit of 2026-12-06: the same settings and labels, refitted because the IRA reader now takes off
# the quotes FiveThirtyEight wrap around a text starting with @ = + - (68,743 IRA texts; the quote
# had fused into features such as the bigram `'_cnn`). Dev CV: stance UK 0.585 -> 0.588, US
# 0.706 -> 0.708; sentiment UK 0.594 -> 0.594, US 0.619 -> 0.620 (the files before: 2ad7fadf… and
# a0469090…). The frozen test part was read once after it.
MEASURED_MODEL: dict[str, object] = {
    "sha256": "336e41fe1e6a1c728c494aee81107d2a0f1ad4cf694abb2dd2f960ea57128b8e",
    # content_trees.json (the gated tree blend, thirteenth round): the figures above were read
    # with these trees too, so a change to either file means measuring the test part again.
    "trees_sha256": "ec33c61742bf3b2fcc0e57219e803474c6c61c2e3269f6d960bbc81bd0b17b12",
    # The files MEASURED_BY_ELECTION (the frozen test part) was read with. While they are not the
    # shipped ones, tests/test_content_quality.py's checks of the test-part figures are expected to
    # fail (xfail, naming this): whoever reads the test part once updates the figures and sets these
    # to the shipped hashes.
    "test_part_read_with": {"sha256": "336e41fe1e6a1c728c494aee81107d2a0f1ad4cf694abb2dd2f960ea57128b8e",
                            "trees_sha256": "ec33c61742bf3b2fcc0e57219e803474c6c61c2e3269f6d960bbc81bd0b17b12"},
    # 614 of the first two training draws + 471 of the third + 803 of the fourth (us_train4,
    # uk_brexit16_4) + 1,328 of the fifth (us_train5, uk_brexit16_5), trained on since the word
    # vectors (content.embed; docs/methods.md, eighth round): under paired grouped CV the draw and
    # the vectors together beat the previous model on all four figures.
    "new_pairs": 3216,
    # Pools of train_stance_labels.csv labelled after these weights were trained (not in `new_pairs`).
    "untrained_pools": (),
    "stance": {"settings": {"C": 0.3, "weak_weight": 0.3, "balance": 0.5, "n": 3720, "n_weak": 2278},
               "cv": {"uk-ge2017": [0.588, 0.711, 0.623], "us-2016": [0.708, 0.711, 0.388]}},
    "sentiment": {"settings": {"C": 1.0, "weak_weight": 0.0, "balance": 1.0, "n": 3545, "n_weak": 0},
                  "cv": {"uk-ge2017": [0.594, 0.657, 0.557], "us-2016": [0.62, 0.697, 0.637]}},
}


# Measured on two hand-labelled samples of IRA (post, party) pairs, us-2016 preset, labelled by an
# earlier reader with an earlier guideline and never used to fit or tune the issue-14 model: the
# first (170 pairs) and a held-out one (100 pairs). Cue rules first, the trained model for the
# rest (English posts). tests/test_content_stance.py recomputes every figure and fails on drift.
# The cue rules and sentiment rule alone, before the trained model: 61.5% [55.6-67.1%] over the 270.
MEASURED = {
    "sample": "270 hand-labelled (post, party) pairs of IRA tweets, us-2016 preset (170 + 100 held out)",
    "n": 270,
    # 95% Wilson interval for 203 of 270 with the gated tree blend (thirteenth round; 0.756
    # [0.701-0.803], 204 of 270, before it); 0.730 [0.674-0.779] before the fourth training draw, 0.707
    # [0.651-0.758] before the third. Five of the 270 texts have a near-copy in the training draws
    # (two in us_train3, one in us_train4, and held-out items 12 and 20 in us_train5: the sampler
    # checks the frozen test part, not this set). Both us_train5 items were already answered right
    # by the model trained without us_train5, so the held-out rise below is not those copies.
    # Refit of 2026-12-03 (texts with `&amp;` decoded; MEASURED_MODEL): 202 of 270 (one of the first
    # 170 changed, 125 -> 124 right; held-out unchanged); 0.752 [0.697-0.8], 203, before it.
    # Refit of 2026-12-04 (the IRA reader's quotes and "RT name: " copies): 203 of 270 (the first
    # 170: 124 -> 125 right; held-out unchanged); 0.748 [0.693-0.796], 202, before it.
    # Refit of 2026-12-06 (FiveThirtyEight's spreadsheet quotes taken off the IRA texts): 205 of 270
    # (the first 170: 125 -> 127 right; held-out unchanged); 0.752 [0.697-0.8], 203, before it.
    "accuracy": 0.759,
    "accuracy_ci": (0.705, 0.806),
    "majority_baseline": 0.444,
    # Since rival_cues_cancel (2026-12-07) three of the 270 pairs carry two rivals' pro cues and are
    # neutral by it, one of them right (the cues were right 66 times in 70 before it); the accuracy,
    # 205 of 270, did not change.
    "cue_correct": 66,
    "cue_n": 71,
    "heldout_n": 100,
    # 0.76 [0.668-0.833] before the word vectors and the fifth draw (overall 0.756 both before and after);
    # 0.79 [0.7-0.858] before the gated tree blend (the first 170: 125 right both before and after).
    "heldout_accuracy": 0.78,
    "heldout_ci": (0.689, 0.85),
}
