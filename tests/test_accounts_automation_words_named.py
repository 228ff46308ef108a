"""The automation-words evidence names the words its description matched: "automation words in
the description (automated, feed, every hour, made by ...) 1" told the reader a count, never which
word counted."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from botwatch.accounts.botmodel import EvidenceColumns, sentence
from botwatch.accounts.profile import automation_matches
from botwatch.accounts.scoring import _name_automation_words


def _items(values: list[float]) -> EvidenceColumns:
    features = ["automation_words", "log_likes"] * (len(values) // 2)
    contribution = [1.21, -0.3] * (len(values) // 2)
    return EvidenceColumns(
        row=np.repeat(np.arange(len(values) // 2), 2), rank=np.tile([0, 1], len(values) // 2), feature=features, value=values,
        contribution=contribution, sentence=pa.array([sentence(f, v, c) for f, v, c in zip(features, values, contribution)], pa.string()))


def test_the_sentence_names_the_matched_words_and_leaves_the_rest() -> None:
    accounts = pd.DataFrame({"description": ["teacher", "Automated RSS feed, made by @someone. feed", "<b>alerts</b> every hour", "no match"]})
    items = _items([4.0, 2.0, 2.0, 1.0, 2.0, 0.0])  # accounts 1, 2, 3 (known_idx), the last counted elsewhere
    out = _name_automation_words(items, accounts, np.array([1, 2, 3])).sentence.to_pylist()
    assert out[0] == 'automation words in the description 4 ("Automated", "RSS", "feed", "made by"): raised the bot score (+1.21 log-odds)'
    assert out[2] == 'automation words in the description 2 ("alerts", "every hour"): raised the bot score (+1.21 log-odds)'
    # The description holds none the Python rule finds: the sentence stays as the model wrote it.
    assert out[4] == sentence("automation_words", 2.0, 1.21)
    assert out[1::2] == items.sentence.to_pylist()[1::2]  # other features untouched


def test_zero_and_no_automation_items_are_unchanged() -> None:
    items = _items([0.0, 3.0])
    assert _name_automation_words(items, pd.DataFrame({"description": ["feed"]}), np.array([0])) is items


def test_many_words_are_cut_and_a_long_handle_shortened() -> None:
    words = automation_matches("automated feed rss hourly alerts unofficial, by @" + "x" * 80)
    assert words[:6] == ["automated", "feed", "rss", "hourly", "alerts", "unofficial"]
    assert len(words[-1]) == 40 and words[-1].endswith("…")
    items = _items([7.0, 0.0])
    text = _name_automation_words(items, pd.DataFrame({"description": ["automated feed rss hourly alerts unofficial Feed"]}), np.array([0])).sentence[0].as_py()
    assert text.startswith('automation words in the description 7 ("automated", "feed", "rss", "hourly", "alerts", …): ')


def test_the_stage_writes_the_words_into_the_evidence(sample_data) -> None:  # type: ignore[no-untyped-def]
    """On the sample study, every stored automation-words item with a count names the words of
    that account's own description, in the rows and in the bot_evidence cell alike."""
    import copy
    import json

    from botwatch.accounts.botmodel import shipped_model
    from botwatch.accounts.scoring import score
    from testsupport.accounts_reference import origin_results

    data = copy.deepcopy(sample_data)
    scores, evidence = score(data, shipped_model(), "US", study_prior=False, origins=origin_results(data, "US"))
    desc = dict(zip(zip(data.accounts["platform"], data.accounts["account_id"]), data.accounts["description"]))
    rows = evidence[(evidence["feature"] == "automation_words") & (evidence["value"] >= 1)]
    assert len(rows) > 0
    cells = dict(zip(zip(scores["platform"], scores["account_id"]), scores["bot_evidence"]))
    for p, a, text in zip(rows["platform"], rows["account_id"], rows["sentence"]):
        words = automation_matches(desc[(p, a)])
        assert words and f'("{words[0]}"' in text, text
        assert text in json.loads(cells[(p, a)])
