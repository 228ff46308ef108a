"""The validation sets apart ordinary accounts whose own profile places them in Russia (truth unknown)."""

from botwatch.accounts.origin_labels import profile_names_russia


def test_a_place_in_russia_in_latin_or_cyrillic_counts() -> None:
    assert profile_names_russia("Moscow, Russia", None)
    assert profile_names_russia("Россия", None)
    assert profile_names_russia("London/Moscow", None)  # named among others: still set apart


def test_a_russian_time_zone_counts_without_a_place() -> None:
    assert profile_names_russia(None, "Volgograd")
    assert profile_names_russia("", "Moscow")


def test_other_profiles_do_not() -> None:
    assert not profile_names_russia("London, UK", None)
    assert not profile_names_russia(None, "Eastern Time (US & Canada)")
    assert not profile_names_russia(None, None)
    assert not profile_names_russia("", "")
