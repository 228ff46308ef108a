"""Which validation labels say less than they seem to: ordinary accounts whose own profile is in Russia.

The origin model estimates where an account is run from. Its validation (`scripts/validate_origin.py`)
labels the IRA handles "run from Russia" and every account of the ordinary election archives "not
run from Russia". The second label is what the archive knows (the account is not an IRA handle),
not where it is run from: a brexit-2016 account whose profile says "Moscow, Russia", "Россия" or
the time zone "Volgograd" may well be run from Russia, and placing it there is then right, not a
false alarm. Measured on the development part: 15 of the 23 ordinary accounts in the reliability
bin P(Russia) 0.80-0.95, and 23 of the 45 ordinary accounts given Russia as most likely origin,
name a place in Russia in their own profile (docs/methods.md).

Such accounts are *set apart* in the validation, not relabelled: their truth is unknown, so they
count neither for nor against the model in the second reliability table, and the false-alarm
shares are reported with and without them. The model never reads this (it already reads the same
profile fields as evidence); nothing is fitted to it.
"""

from __future__ import annotations

from botwatch.accounts.gazetteer import countries_in_location, country_of_time_zone


def profile_names_russia(location: str | None, time_zone: str | None) -> bool:
    """Whether an account's own profile places it in Russia: its location names a place in Russia
    (alone or with others, as in "London/Moscow"), or its v1.1 time zone is a Russian one."""
    if location and "RU" in countries_in_location(location):
        return True
    return bool(time_zone) and country_of_time_zone(time_zone) == "RU"
