"""Kundeservice's opening hours: weekdays and times from settings, Norwegian public holidays (moving
ones too) from the holidays library, extra closed days, and how the next opening is said."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest

from core.language import Language
from core.settings import SettingsError, load_settings
from skills.handoff.hours import OpeningHours, describe_opening
from tests.conftest import make_settings
from tests.skills.handoff.conftest import OSLO


@pytest.fixture
def hours(tmp_path) -> OpeningHours:
    return OpeningHours.from_settings(make_settings(tmp_path))


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=OSLO)


@pytest.mark.parametrize(
    ("moment", "is_open"),
    [
        (at(2026, 5, 11, 7, 59), False),  # Monday before opening
        (at(2026, 5, 11, 8, 0), True),
        (at(2026, 5, 11, 15, 29), True),
        (at(2026, 5, 11, 15, 30), False),  # closing time itself is closed
        (at(2026, 5, 16, 10, 0), False),  # Saturday
        (at(2026, 5, 17, 10, 0), False),  # Constitution Day (a Sunday in 2026)
        (at(2026, 5, 14, 10, 0), False),  # Ascension Day
        (at(2026, 5, 25, 10, 0), False),  # Whit Monday
        (at(2026, 4, 2, 10, 0), False),  # Maundy Thursday
        (at(2026, 4, 6, 10, 0), False),  # Easter Monday
        (at(2026, 4, 7, 10, 0), True),
    ],
)
def test_open_on_weekdays_in_opening_hours_except_public_holidays(hours, moment, is_open):
    assert hours.is_open(moment) is is_open


def test_holidays_have_norwegian_names(hours):
    assert hours.holiday(date(2026, 5, 14)) == "Kristi himmelfartsdag"
    assert hours.holiday(date(2026, 5, 17)) == "Grunnlovsdag"
    assert hours.holiday(date(2026, 5, 13)) is None


@pytest.mark.parametrize(
    ("moment", "opens", "said"),
    [
        (at(2026, 5, 15, 15, 30), at(2026, 5, 18, 8, 0), "mandag kl. 08:00"),  # Friday after closing
        (at(2026, 5, 11, 6, 30), at(2026, 5, 11, 8, 0), "i dag kl. 08:00"),
        (at(2026, 5, 11, 16, 0), at(2026, 5, 12, 8, 0), "i morgen kl. 08:00"),
        (at(2026, 5, 17, 12, 0), at(2026, 5, 18, 8, 0), "i morgen kl. 08:00"),
        (at(2026, 5, 13, 16, 0), at(2026, 5, 15, 8, 0), "fredag kl. 08:00"),  # over Ascension Day
        (at(2026, 5, 22, 15, 45), at(2026, 5, 26, 8, 0), "tirsdag kl. 08:00"),  # over Whit Monday
        (at(2026, 4, 1, 16, 0), at(2026, 4, 7, 8, 0), "tirsdag kl. 08:00"),  # over Easter
        (at(2026, 12, 24, 16, 0), at(2026, 12, 28, 8, 0), "mandag kl. 08:00"),  # over Christmas
    ],
)
def test_the_next_opening_and_how_it_is_said(hours, moment, opens, said):
    assert hours.next_opening(moment) == opens
    assert describe_opening(hours.next_opening(moment), moment, Language.BOKMAAL) == said


def test_the_next_opening_is_said_in_nynorsk_and_english_and_with_a_date_when_far_away(hours):
    friday = at(2026, 5, 15, 16, 0)
    assert describe_opening(hours.next_opening(friday), friday, Language.NYNORSK) == "måndag kl. 08:00"
    assert describe_opening(hours.next_opening(friday), friday, Language.ENGLISH) == "on Monday at 08:00"
    assert describe_opening(at(2026, 8, 3, 8, 0), at(2026, 7, 20, 9, 0), Language.BOKMAAL) == "mandag 3. august kl. 08:00"


def test_opening_hours_and_closed_days_are_settings(tmp_path):
    hours = OpeningHours.from_settings(make_settings(
        tmp_path, opening_time=time(9, 0), closing_time=time(14, 0), opening_weekdays=[0, 1, 2, 3],
        handoff_closed_days=["2026-12-24", "2026-12-31"],
    ))
    assert not hours.is_open(at(2026, 5, 11, 8, 30)) and hours.is_open(at(2026, 5, 11, 9, 0))
    assert not hours.is_open(at(2026, 5, 15, 10, 0))  # Friday is not an opening day here
    assert not hours.is_open(at(2026, 12, 24, 10, 0)) and not hours.is_open(at(2026, 12, 31, 10, 0))
    assert hours.next_opening(at(2026, 12, 23, 15, 0)) == at(2026, 12, 28, 9, 0)


def test_a_county_can_be_named_and_an_unknown_one_stops_the_service(tmp_path):
    in_more_og_romsdal = OpeningHours.from_settings(make_settings(tmp_path, handoff_holiday_subdivision="15"))
    assert not in_more_og_romsdal.is_open(at(2026, 5, 14, 10, 0)) and in_more_og_romsdal.is_open(at(2026, 5, 11, 10, 0))
    with pytest.raises(SettingsError, match="RAKEL_HANDOFF_HOLIDAY_SUBDIVISION"):
        load_settings(_env_file=None, handoff_holiday_subdivision="99")


def test_bad_opening_hours_stop_the_service_with_the_variables_name():
    with pytest.raises(SettingsError, match="RAKEL_CLOSING_TIME"):
        load_settings(_env_file=None, opening_time="16:00")
    with pytest.raises(SettingsError, match="RAKEL_TIMEZONE"):
        load_settings(_env_file=None, timezone="Europe/Molde")
    with pytest.raises(SettingsError, match="RAKEL_HANDOFF_HOLIDAY_COUNTRY"):
        load_settings(_env_file=None, handoff_holiday_country="XX")
