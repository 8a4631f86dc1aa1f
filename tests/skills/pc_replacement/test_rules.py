"""The replacement rule and how ages are written."""

from datetime import date

from core.language import Language
from core.settings import Settings
from skills.pc_replacement.rules import DueRule, age_text, long_date


def test_by_default_a_pc_is_due_when_older_than_six_years_not_on_the_day_it_turns_six():
    rule = DueRule.of(Settings(_env_file=None).pc_max_age_years, Settings(_env_file=None).pc_due_rule)
    assert rule == DueRule(6, older_than=True)
    assert not rule.is_due(date(2019, 3, 3), date(2025, 3, 3))  # exactly six years old: not yet
    assert rule.is_due(date(2019, 3, 2), date(2025, 3, 3))
    assert rule.due_date(date(2019, 3, 3)) == date(2025, 3, 4)
    assert rule.due_date(date(2020, 2, 29)) == date(2026, 3, 1)  # no 29 February in 2026


def test_the_at_age_rule_counts_the_day_it_turns_six():
    rule = DueRule.of(6, "at_age")
    assert rule.is_due(date(2019, 3, 3), date(2025, 3, 3))
    assert not rule.is_due(date(2019, 3, 4), date(2025, 3, 3))
    assert rule.due_date(date(2020, 2, 29)) == date(2026, 2, 28)


def test_long_dates():
    assert long_date(date(2025, 11, 3), Language.BOKMAAL) == "3. november"
    assert long_date(date(2025, 11, 3), Language.ENGLISH) == "3 November"


def test_ages_read_naturally_in_each_language():
    assert age_text(date(2018, 2, 14), date(2025, 3, 3), Language.BOKMAAL) == "7 år"
    assert age_text(date(2018, 9, 2), date(2025, 3, 3), Language.BOKMAAL) == "6 år og 6 måneder"
    assert age_text(date(2019, 2, 3), date(2025, 3, 3), Language.NYNORSK) == "6 år og 1 måned"
    assert age_text(date(2018, 9, 2), date(2025, 3, 3), Language.NYNORSK) == "6 år og 6 månader"
    assert age_text(date(2018, 9, 2), date(2025, 3, 3), Language.ENGLISH) == "6 years and 6 months"
