"""`count_text.values_said`: the grouped "value (N rows, lines …)" items of the labels-file errors.
A cell is whatever the file's writer put there, so a value is quoted cut, never whole."""

from __future__ import annotations

from botwatch.count_text import VALUE_CUT, values_said


def test_values_are_grouped_in_file_order_with_their_lines_and_hint() -> None:
    said = values_said({"maybe": [3, 4, 5, 9], "?": [2]}, hint=lambda v: "write 1 or 0" if v == "maybe" else "")
    assert said == "'?' (line 2), 'maybe' (4 rows, lines 3, 4, 5, …; write 1 or 0)"


def test_a_long_value_is_quoted_cut_not_whole() -> None:
    said = values_said({"x" * 1_000_000: [7]})
    assert len(said) < VALUE_CUT + 40, said[:200]
    assert said.startswith("'" + "x" * (VALUE_CUT - 1) + "'…") and said.endswith("(line 7)")


def test_values_past_those_shown_are_counted() -> None:
    said = values_said({f"v{i}": [i + 2] for i in range(7)}, shown=5, other="other word")
    assert said.endswith(", and 2 other words") and said.count("(line ") == 5
