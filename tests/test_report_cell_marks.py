"""A per-party figure's reason for having no interval is a mark on screen and words to a screen
reader (`report.cell_marks`), and an input file's path breaks after its folders (`fmt.path_breaks`):
the layout these give is measured in test_report_browser_findings."""

from __future__ import annotations

from botwatch.report.cell_marks import mark_key, marked_cell, marks_used
from botwatch.report.fmt import path_breaks


def test_a_reason_in_words_becomes_a_mark_with_the_words_kept_for_a_screen_reader() -> None:
    few = str(marked_cell("100% (too few accounts)"))
    assert few == "100%<span aria-hidden='true'>*</span><span class='visually-hidden'> (too few accounts)</span>"
    flat = str(marked_cell("0 (every resample of the accounts gave 0: no interval)"))
    assert flat.startswith("0<span aria-hidden='true'>†</span>") and "> (every resample of the accounts gave 0: no interval)</span>" in flat
    assert marks_used(["3 [1–5]", "0 (every resample of the accounts gave 0: no interval)", "100% (too few accounts)"]) == ["*", "†"]
    assert mark_key(["*", "†"]) == "* too few accounts for a 95% interval; † no interval: every resample of the accounts gave the same figure"
    assert marks_used(["3 [1–5]", "—"]) == [] and mark_key([]) == ""


def test_an_interval_stays_whole_and_text_is_escaped() -> None:
    assert str(marked_cell("3,170 [1,944–4,442]")) == "3,170 <span class='nowrap'>[1,944–4,442]</span>"
    assert str(marked_cell("0% [0–23%, exact]")) == "0% <span class='nowrap'>[0–23%, exact]</span>"
    assert str(marked_cell("<b>1</b> [<i>–2]")) == "&lt;b&gt;1&lt;/b&gt; <span class='nowrap'>[&lt;i&gt;–2]</span>"


def test_a_path_breaks_after_its_folders_and_stays_text() -> None:
    assert str(path_breaks("data/in/<x>.jsonl")) == "data/<wbr>in/<wbr>&lt;x&gt;.jsonl"
    assert str(path_breaks("C:\\in\\a.csv")) == "C:\\<wbr>in\\<wbr>a.csv"
    assert "⟨U+202E⟩" in str(path_breaks("a\u202etxt.exe"))  # a hidden control is shown, as user_text shows it


def test_the_key_names_only_the_marks_of_columns_the_table_shows() -> None:
    """A mark in a column the table leaves out (no "Read for stance" where every post was read; a
    group table has no shares) is keyed nowhere: the key said "†" over a table showing none."""
    from botwatch.report.section_parties import _mark_key

    flat = "0 (every resample of the accounts gave 0: no interval)"
    row = {k: "1 [0–2]" for k in ("posts", "support", "oppose", "read_shown", "support_share", "oppose_share", "english_shown", "positive", "negative")}
    assert _mark_key([{**row, "read_shown": flat}], {"stance": False, "english": True}) == ""
    assert _mark_key([{**row, "read_shown": flat}], {"stance": True, "english": True}).startswith("† no interval")
    assert _mark_key([{**row, "support_share": "100% (too few accounts)"}], {"stance": True, "english": True}, group=True) == ""
    assert _mark_key([{**row, "positive": "100% (too few accounts)"}], {"stance": False, "english": False}, group=True).startswith("* too few")
