"""Rules and the working calendar are data an administrator changes."""

from __future__ import annotations

import importlib
import io
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from binhyen.accounts.models import User
from binhyen.clocks.models import CalendarDay, ClockRule
from binhyen.clocks.services import calendar_load, clock_start, rule_get
from binhyen.clocks.tests.factories import T0, midnight_after, open_case
from binhyen.lib.clocks import DEFAULT_RULES
from binhyen.testing import World

SEEDS = [
    importlib.import_module(f"binhyen.clocks.migrations.{name}")
    for name in ("0002_seed_default_rules", "0003_seed_answer_rule")
]
REWORDED = importlib.import_module("binhyen.clocks.migrations.0004_citations_without_review_note")


def _reworded(field: str, value: object) -> object:
    if field in ("citation_vi", "citation_en") and isinstance(value, str):
        for note in REWORDED.NOTES:
            value = value.replace(note, "")
    return value


def test_the_seeding_migrations_copy_the_default_rules_in_code() -> None:
    in_code = {r.code: ClockRule.fields_from_rule(r) for r in DEFAULT_RULES}
    frozen = {
        row["code"]: {k: _reworded(k, v) for k, v in row.items() if k != "code"}
        for seed in SEEDS
        for row in seed.RULES
    }
    assert frozen == in_code


@pytest.mark.django_db
def test_the_database_starts_with_every_default_rule() -> None:
    for rule in DEFAULT_RULES:
        assert rule_get(rule.code).to_rule() == rule


@pytest.mark.django_db
def test_a_default_rule_missing_from_the_table_is_put_back() -> None:
    ClockRule.objects.filter(code="classify").delete()
    assert rule_get("classify").amount == 24


def test_an_edited_rule_changes_clocks_started_afterwards_only(world: World) -> None:
    before = open_case(world)
    old = clock_start(case=before, rule_code="classify", at=T0)
    ClockRule.objects.filter(code="classify").update(amount=12)
    after = open_case(world)
    new = clock_start(case=after, rule_code="classify", at=T0)
    assert old is not None and new is not None
    old.refresh_from_db()
    assert old.due_at == T0 + timedelta(hours=24) and old.amount == 24
    assert new.due_at == T0 + timedelta(hours=12) and new.amount == 12


def test_a_switched_off_rule_starts_no_clock(world: World) -> None:
    ClockRule.objects.filter(code="commune_check").update(active=False)
    assert clock_start(case=open_case(world), rule_code="commune_check", at=T0) is None


def test_a_government_working_saturday_entered_by_an_administrator_counts(world: World) -> None:
    CalendarDay.objects.create(
        date=date(2026, 3, 7), kind=CalendarDay.Kind.WORKING_DAY, note="làm bù"
    )
    thursday = T0 + timedelta(days=3)
    clock = clock_start(case=open_case(world), rule_code="receipt_notice", at=thursday)
    assert clock is not None and clock.due_at == midnight_after("2026-03-09")


def test_an_extra_day_off_entered_by_an_administrator_is_skipped(world: World) -> None:
    CalendarDay.objects.create(date=date(2026, 3, 3), kind=CalendarDay.Kind.DAY_OFF)
    assert not calendar_load().is_working_day(date(2026, 3, 3))
    clock = clock_start(case=open_case(world), rule_code="receipt_notice", at=T0)
    assert clock is not None and clock.due_at == midnight_after("2026-03-06")


@pytest.mark.django_db
def test_hours_rules_cannot_be_set_to_skip_days_off() -> None:
    rule = rule_get("classify")
    rule.roll_to_working_day = True
    with pytest.raises(ValidationError):
        rule.full_clean()


@pytest.mark.django_db
def test_a_new_rule_without_a_family_is_its_own_family() -> None:
    rule = ClockRule(
        code="answer_question",
        kind="operational",
        amount=3,
        unit="working_days",
        end_of_day=True,
        citation_vi="Chỉ tiêu nghiệp vụ",
        description_vi="Trả lời câu hỏi thủ tục",
    )
    rule.full_clean()
    assert rule.family == "answer_question"


def test_administrators_can_see_and_edit_rules_and_days(world: World, client: Client) -> None:

    User.objects.create_superuser(username="admin.clocks", password="x-password-123")
    client.login(username="admin.clocks", password="x-password-123")
    rule = rule_get("resolve")
    CalendarDay.objects.create(date=date(2027, 2, 11), kind=CalendarDay.Kind.DAY_OFF)
    clock_start(case=open_case(world), rule_code="resolve", at=T0)
    for url in (
        reverse("admin:clocks_clockrule_changelist"),
        reverse("admin:clocks_clockrule_change", args=[rule.pk]),
        reverse("admin:clocks_calendarday_changelist"),
        reverse("admin:clocks_calendarday_add"),
        reverse("admin:clocks_caseclock_changelist"),
    ):
        assert client.get(url).status_code == 200, url


@pytest.mark.django_db
def test_the_clocks_command_lists_a_years_days_off() -> None:
    out = io.StringIO()
    call_command("clocks", "calendar", "2026", stdout=out)
    text = out.getvalue()
    assert "Sat 22/08/2026  ngày làm việc bù" in text
    assert "Tue 17/02/2026  Tết Nguyên Đán" in text
