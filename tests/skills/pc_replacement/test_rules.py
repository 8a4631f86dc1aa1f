"""The replacement rule and how ages are written."""

from datetime import date

from core.language import Language
from skills.pc_replacement.rules import age_text, due_date, is_due


def test_a_pc_is_due_on_the_day_it_turns_six():
    assert is_due(date(2019, 3, 3), date(2025, 3, 3), 6)
    assert not is_due(date(2019, 3, 4), date(2025, 3, 3), 6)
    assert due_date(date(2020, 2, 29), 6) == date(2026, 2, 28)  # no 29 February in 2026


def test_ages_read_naturally_in_each_language():
    assert age_text(date(2018, 2, 14), date(2025, 3, 3), Language.BOKMAAL) == "7 år"
    assert age_text(date(2018, 9, 2), date(2025, 3, 3), Language.BOKMAAL) == "6 år og 6 måneder"
    assert age_text(date(2019, 2, 3), date(2025, 3, 3), Language.NYNORSK) == "6 år og 1 måned"
    assert age_text(date(2018, 9, 2), date(2025, 3, 3), Language.NYNORSK) == "6 år og 6 månader"
    assert age_text(date(2018, 9, 2), date(2025, 3, 3), Language.ENGLISH) == "6 years and 6 months"
