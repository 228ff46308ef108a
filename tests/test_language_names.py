"""The IRA files' language names: stored as codes by ingest, read as the same codes by content."""

from __future__ import annotations

import pytest

from botwatch.content.language import normalise_tag
from botwatch.ingest.csv_formats import ira_lang
from botwatch.language_names import LANGUAGE_NAMES, UNKNOWN_TAGS

# Every value of the `language` column of ../shared/data/ira/tweets.csv.gz (1,667,971 rows),
# as counted on 2026-12-04; "LANGUAGE UNDEFINED" is on 7,097 of them.
IRA_NAMES = [
    "English", "Russian", "German", "Ukrainian", "Italian", "LANGUAGE UNDEFINED", "Uzbek", "Serbian", "Bulgarian",
    "Macedonian", "French", "Spanish", "Arabic", "Norwegian", "Romanian", "Vietnamese", "Swedish", "Dutch",
    "Farsi (Persian)", "Estonian", "Catalan", "Croatian", "Albanian", "Portuguese", "Turkish", "Pushto", "Finnish",
    "Japanese", "Icelandic", "Lithuanian", "Polish", "Tagalog (Filipino)", "Latvian", "Somali", "Kurdish", "Czech",
    "Slovak", "Hungarian", "Danish", "Malay", "Indonesian", "Hebrew", "Urdu", "Hindi", "Slovenian", "Greek", "Korean",
    "Simplified Chinese", "Thai", "Gujarati", "Traditional Chinese", "Bengali",
]


@pytest.mark.parametrize("name", IRA_NAMES)
def test_every_ira_language_name_is_a_code_or_unknown_to_both(name: str) -> None:
    stored = ira_lang(name)
    if name == "LANGUAGE UNDEFINED":
        assert stored is None  # the content stage's detector then reads the post
    else:
        assert stored is not None and len(stored) == 2 and stored.isascii() and stored.islower()
    assert normalise_tag(name) == stored  # a study stored before the codes reads the same
    assert stored is None or normalise_tag(stored) == stored


def test_the_tables_agree_for_every_entry() -> None:
    for name, code in LANGUAGE_NAMES.items():
        assert ira_lang(name.upper()) == normalise_tag(name) == code
    for tag in UNKNOWN_TAGS:
        assert ira_lang(tag) is None and normalise_tag(tag) is None
