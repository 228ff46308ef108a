"""`train-bot-model` refusing too few labels names every class that is short, and by how much.

Walk: 6 bots and 6 humans were refused with "add labelled humans to the file"; a team that added
humans alone was refused again for its bots."""

from __future__ import annotations

import pytest

from botwatch.cli.accounts import too_few_labels_said


@pytest.mark.parametrize(("bots", "humans", "asked"), [
    (6, 6, "add at least 4 more labelled bots and 4 more labelled humans to the file"),
    (9, 3, "add at least 1 more labelled bot and 7 more labelled humans to the file"),
    (40, 7, "add at least 3 more labelled humans to the file"),
    (2, 500, "add at least 8 more labelled bots to the file"),
])
def test_each_short_class_is_named_with_how_many_more(bots: int, humans: int, asked: str) -> None:
    said = too_few_labels_said(bots, humans)
    assert said.startswith(f"need at least 10 bots and 10 humans to train and calibrate; got {bots} bots and {humans} humans: ")
    assert said.endswith(asked), said
