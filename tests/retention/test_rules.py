import datetime

import pytest
from django.core.checks import run_checks
from django.core.exceptions import ValidationError

from dpo_portal.models import DataCategory, ProcessingActivity
from retention.defaults import RULES
from retention.models import DeletionRule, DeletionRuleVersion
from retention.selectors import forecast, rule_for_category
from retention.services import rule_save
from retention.sweep import sweep_run
from subjects.models import Order
from tests import factories as f

pytestmark = pytest.mark.usefixtures("register")
D = datetime.date


def new_rule(**fields) -> DeletionRule:
    defaults = {"start_event": "collection", "action": "delete", "legal_reference": "§ 1 Test"}
    return DeletionRule(**{**defaults, "description_de": "Test", "description_en": "Test", **fields})


def test_every_category_of_the_register_has_exactly_one_active_rule():
    for category in DataCategory.objects.all():
        assert rule_for_category(category) is not None, category.code
    assert len(RULES) == DataCategory.objects.count()


def test_the_booking_voucher_rule_is_the_current_one():
    rule = rule_for_category(DataCategory.objects.get(code="order"))
    assert (rule.years, rule.from_year_end, rule.retention_duty) == (8, True, True)
    assert rule.legal_reference.startswith("§ 257 Abs. 1 Nr. 4, Abs. 4 HGB; § 147 Abs. 1 Nr. 4, Abs. 3 AO")
    assert rule.deletable_from(D(2025, 3, 10)) == D(2034, 1, 1)


def test_it_describes_a_rule_in_german_and_english():
    rule = rule_for_category(DataCategory.objects.get(code="order"))
    assert rule.describe("de").startswith("8 Jahre ab Ende des Kalenderjahres der Erhebung (§ 257 Abs. 1 Nr. 4")
    assert rule.describe("en").startswith("8 years from the end of the calendar year of the collection (§ 257")
    ads = rule_for_category(DataCategory.objects.get(code="ad-conversion"))
    assert ads.describe("de").startswith("30 Tage ab der Erhebung (§ 25")
    profile = rule_for_category(DataCategory.objects.get(code="interaction-profile"))
    assert profile.describe("en").startswith("immediately after the end of purpose")


def test_the_rules_fill_the_register():
    activity = ProcessingActivity.objects.get(code="order-processing")
    assert "8 Jahre ab Ende des Kalenderjahres" in activity.retention_de
    assert "10 years from the end of the calendar year" in activity.retention_en
    assert ProcessingActivity.objects.get(code="google-ads-conversion").retention_de.count("\n") == 0


def test_loading_again_is_idempotent_and_keeps_a_dpo_rule():
    from retention.defaults import load_defaults

    ads = rule_for_category(DataCategory.objects.get(code="ad-conversion"))
    ads.is_active = False
    rule_save(rule=ads)
    rule_save(rule=new_rule(code="my-ads", category=ads.category, days=20))
    count = DeletionRule.objects.count()
    load_defaults()
    assert DeletionRule.objects.count() == count
    assert rule_for_category(ads.category).code == "my-ads"


def test_loading_again_keeps_the_dpos_period_and_reset_restores_it(today):
    """load_register runs on every deploy: it must not move deletion days behind the DPO's back."""
    from dpo_portal.services import register_load

    ad = f.AdConversionFactory(collected_on=D(2026, 9, 1))
    rule = rule_for_category(ad.category)
    rule.days = 90
    rule_save(rule=rule)
    register_load()
    ad.refresh_from_db()
    assert (rule_for_category(ad.category).days, ad.deletable_from) == (90, D(2026, 12, 1))
    register_load(reset=True)
    ad.refresh_from_db()
    assert (rule_for_category(ad.category).days, ad.deletable_from) == (30, D(2026, 10, 2))


def test_shortening_a_rule_makes_records_due_at_once(today):
    order = f.OrderFactory(collected_on=D(2016, 6, 1), ordered_on=D(2016, 6, 1))
    rule = rule_for_category(order.category)
    rule.years = 10
    rule_save(rule=rule)
    order.refresh_from_db()
    assert order.deletable_from == D(2027, 1, 1)
    assert sweep_run(dry_run=True).total == 0
    rule.years = 8
    rule_save(rule=rule)
    order.refresh_from_db()
    assert order.deletable_from == D(2025, 1, 1)
    assert sweep_run().total == 1
    assert not Order.objects.filter(pk=order.pk).exists()


def test_a_rule_change_recomputes_set_based(today):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    rule = rule_for_category(DataCategory.objects.get(code="order"))
    f.OrderFactory.create_batch(3, collected_on=D(2020, 6, 1), ordered_on=D(2020, 6, 1))
    rule.years = 7
    with CaptureQueriesContext(connection) as few:
        rule_save(rule=rule)
    f.OrderFactory.create_batch(30, collected_on=D(2020, 6, 1), ordered_on=D(2020, 6, 1))
    rule.years = 6
    with CaptureQueriesContext(connection) as many:
        rule_save(rule=rule)
    assert len(many) == len(few)  # independent of the number of records
    assert set(Order.objects.values_list("deletable_from", flat=True)) == {D(2027, 1, 1)}


def test_changing_the_start_event_recomputes(today):
    email = f.EmailAddressFactory(collected_on=D(2020, 6, 1), last_contact=D(2025, 2, 1))
    rule = rule_for_category(email.category)
    sweep_run(dry_run=True)
    email.refresh_from_db()
    assert email.deletable_from == D(2029, 1, 1)
    rule.start_event = "collection"
    rule_save(rule=rule)
    email.refresh_from_db()
    assert email.deletable_from == D(2024, 1, 1)


def test_making_a_rule_a_retention_duty_recomputes(today):
    """Without a duty, data goes the day after its purpose ended; with one, it stays until the period ends."""
    email = f.EmailAddressFactory(
        collected_on=D(2026, 1, 10), last_contact=D(2026, 6, 1), purpose_ended_on=D(2026, 7, 1)
    )
    rule = rule_for_category(email.category)
    assert not rule.retention_duty
    sweep_run(dry_run=True)
    email.refresh_from_db()
    assert email.deletable_from == D(2026, 7, 2)
    rule.retention_duty = True
    rule_save(rule=rule)
    email.refresh_from_db()
    assert email.deletable_from == D(2030, 1, 1)  # 3 years from the end of the year of the last contact


@pytest.mark.parametrize(("field", "value"), [("years", -1), ("years", 31), ("months", 400), ("days", 20000)])
def test_a_negative_or_absurd_period_is_refused(field, value):
    rule = rule_for_category(DataCategory.objects.get(code="order"))
    setattr(rule, field, value)
    with pytest.raises(ValidationError):
        rule_save(rule=rule)
    rule.refresh_from_db()
    assert rule.years == 8


def test_it_refuses_a_period_too_long_in_total():
    rule = rule_for_category(DataCategory.objects.get(code="order"))
    rule.years, rule.months = 30, 1
    with pytest.raises(ValidationError, match="30"):
        rule_save(rule=rule)


def test_it_refuses_a_second_active_rule_for_a_category():
    existing = rule_for_category(DataCategory.objects.get(code="order"))
    with pytest.raises(ValidationError):
        rule_save(rule=new_rule(code="order-2", category=existing.category, years=1))


def test_a_restrict_rule_needs_a_retention_duty():
    rule = rule_for_category(DataCategory.objects.get(code="survey"))
    rule.action = "restrict"
    with pytest.raises(ValidationError) as exc:
        rule_save(rule=rule)
    assert "action" in exc.value.message_dict


def test_a_restrict_rule_restricts_what_is_due(today):
    rule = rule_for_category(DataCategory.objects.get(code="order"))
    rule.action = "restrict"
    rule_save(rule=rule)
    order = f.OrderFactory(collected_on=D(2016, 6, 1), ordered_on=D(2016, 6, 1))
    assert sweep_run().total == 1
    order.refresh_from_db()
    assert order.restricted_at is not None
    assert sweep_run().total == 0
    [row] = [r for r in forecast() if r["rule"].pk == rule.pk]
    assert row["due"] == 0  # restricted is done, not due for ever


def test_the_system_check_reports_a_category_without_rule(db):
    DataCategory.objects.create(code="new-kind", name_de="Neu", name_en="New")
    messages = run_checks(databases=["default"])
    assert [m.id for m in messages if m.id.startswith("retention.")] == ["retention.W001"]
    assert "new-kind" in messages[0].msg or any("new-kind" in m.msg for m in messages)


def test_the_system_check_is_quiet_when_every_category_has_a_rule():
    assert not [m for m in run_checks(databases=["default"]) if m.id.startswith("retention.")]


def test_a_retention_duty_with_no_period_is_refused_and_changes_nothing(today):
    from audit.models import AuditEntry

    order = f.OrderFactory(collected_on=D(2025, 3, 10), ordered_on=D(2025, 3, 10))
    rule = rule_for_category(order.category)
    assert rule.retention_duty
    sweep_run(dry_run=True)
    order.refresh_from_db()
    before = (order.deletable_from, AuditEntry.objects.count())
    rule.years = rule.months = rule.days = 0
    with pytest.raises(ValidationError) as exc:
        rule_save(rule=rule)
    assert exc.value.message_dict == {
        "years": [
            "Daten, die eine gesetzliche Aufbewahrungspflicht oder Rechtsansprüche halten, brauchen eine "
            "Aufbewahrungsfrist: Geben Sie sie in Jahren, Monaten oder Tagen an."
        ]
    }
    rule.refresh_from_db()
    order.refresh_from_db()
    assert rule.years == 8
    assert (order.deletable_from, AuditEntry.objects.count()) == before
    assert sweep_run().total == 0


def test_a_rule_without_retention_duty_may_act_immediately():
    rule = rule_for_category(DataCategory.objects.get(code="interaction-profile"))
    assert not rule.retention_duty and rule.period == {"years": 0, "months": 0, "days": 0}
    rule.full_clean()
    rule.retention_duty = True
    with pytest.raises(ValidationError) as exc:
        rule.full_clean()
    assert list(exc.value.message_dict) == ["years"]


def test_the_system_check_reports_a_retention_duty_saved_without_a_period():
    rule = rule_for_category(DataCategory.objects.get(code="order"))
    DeletionRule.objects.filter(pk=rule.pk).update(years=0)  # as saved before clean() refused it
    messages = run_checks(databases=["default"])
    [problem] = [m for m in messages if m.id.startswith("retention.")]
    assert problem.id == "retention.E002" and "order-booking-voucher" in problem.msg


def test_every_default_note_has_its_english_words():
    from retention.defaults import NOTES_EN

    assert {code for code, *_rest, note in RULES if note} == set(NOTES_EN)


def test_load_register_gives_english_notes_to_rules_loaded_before_them_and_keeps_the_dpo_s_own():
    from retention.defaults import NOTES_EN, load_defaults

    DeletionRule.objects.update(note_en="")
    own = DeletionRule.objects.get(code="survey-answers")
    DeletionRule.objects.filter(pk=own.pk).update(note="Eigene Notiz.")
    versions = DeletionRuleVersion.objects.count()
    load_defaults()
    assert DeletionRule.objects.get(code="ad-conversion-30-days").note_en == NOTES_EN["ad-conversion-30-days"]
    assert DeletionRule.objects.get(code="survey-answers").note_en == ""  # the DPO's note: not ours to translate
    assert DeletionRuleVersion.objects.count() == versions
