"""Invisible characters beyond the controls and bidi marks: a display name of Hangul fillers looks
blank, a soft hyphen or a tag character hides inside a name or hashtag (tag characters can carry a
whole hidden ASCII string), so the terminal, the exports and the report show each one marked. The
flags of England, Scotland and Wales are made of tag characters after 🏴 and stay flags."""

from __future__ import annotations

import json

from botwatch.shown_text import controls_shown, has_hidden, json_shown, shown_in_page

SCOTLAND = "\U0001f3f4\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f"


def test_fillers_soft_hyphens_and_tag_strings_are_shown_marked() -> None:
    assert controls_shown("\u3164\u3164") == "\\u3164\\u3164"
    assert controls_shown("Lab\u00adour") == "Lab\\xadour"
    hidden = "vote" + "".join(chr(0xE0000 + ord(c)) for c in "spam")  # "spam" in tag characters
    assert controls_shown(hidden) == "vote\\U000e0073\\U000e0070\\U000e0061\\U000e006d"
    assert shown_in_page(hidden) == "vote⟨U+E0073⟩⟨U+E0070⟩⟨U+E0061⟩⟨U+E006D⟩"
    doc = json_shown(json.dumps({"name": hidden}, ensure_ascii=False))
    assert "\U000e0073" not in doc and json.loads(doc) == {"name": hidden}  # a surrogate pair escape: the same value
    for ch in "\u034f\u115f\u1160\u17b4\u17b5\u180e\uffa0\ufff9":
        assert has_hidden(f"a{ch}b"), hex(ord(ch))


def test_subdivision_flags_stay_flags() -> None:
    text = f"Vote SNP {SCOTLAND}!"
    assert controls_shown(text) == text and shown_in_page(text) == text and not has_hidden(text)
    # Without the black flag before them, or without the cancel tag after, the same tags are hidden.
    assert controls_shown(SCOTLAND[1:]) != SCOTLAND[1:]
    assert controls_shown(SCOTLAND[:-1]) == "\U0001f3f4\\U000e0067\\U000e0062\\U000e0073\\U000e0063\\U000e0074"
