import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError

from dpo_portal.models import DataCategory
from retention.models import HoldReason, LegalHold
from retention.services import hold_lift, hold_place
from retention.sweep import sweep_run
from subjects.models import AdConversion
from tests import factories as f

pytestmark = pytest.mark.usefixtures("register")
D = datetime.date


def ads(n=2):
    return f.AdConversionFactory.create_batch(n, collected_on=D(2026, 9, 1))


def test_a_hold_on_the_subject_keeps_all_their_data(today):
    held, _free = ads()
    hold_place(reason=HoldReason.LITIGATION, subject=held.subject, reference="3 O 12/26")
    run = sweep_run()
    assert list(AdConversion.objects.values_list("pk", flat=True)) == [held.pk]
    assert run.total == 1


def test_a_hold_on_one_record_keeps_only_that_record(today):
    held, _free = ads()
    hold_place(reason=HoldReason.AUTHORITY, record=held)
    sweep_run()
    assert list(AdConversion.objects.values_list("pk", flat=True)) == [held.pk]


def test_a_hold_on_a_category_keeps_the_whole_category(today):
    ads(3)
    hold_place(reason=HoldReason.TAX_AUDIT, category=DataCategory.objects.get(code="ad-conversion"))
    dry = sweep_run(dry_run=True)
    run = sweep_run()
    assert dry.total == run.total == 0
    assert AdConversion.objects.count() == 3


def test_a_held_record_is_not_restricted_either(today):
    order = f.OrderFactory(collected_on=D(2025, 1, 1), ordered_on=D(2025, 1, 1), purpose_ended_on=D(2026, 1, 1))
    hold_place(reason=HoldReason.LEGAL_CLAIMS, record=order)
    sweep_run()
    order.refresh_from_db()
    assert order.restricted_at is None


def test_a_held_category_is_not_restricted_when_a_purpose_ends(today):
    from retention.services import purpose_end

    order = f.OrderFactory(collected_on=D(2025, 1, 1), ordered_on=D(2025, 1, 1))
    hold_place(reason=HoldReason.TAX_AUDIT, category=order.category)
    purpose_end(subject=order.subject, activity_codes=[order.activity.code])
    order.refresh_from_db()
    assert order.purpose_ended_on == D(2026, 11, 25) and order.restricted_at is None


def test_lifting_a_hold_makes_what_is_due_due_again(today):
    held, _free = ads()
    hold = hold_place(reason=HoldReason.LITIGATION, subject=held.subject)
    sweep_run()
    assert AdConversion.objects.count() == 1
    hold_lift(hold=hold)
    assert sweep_run().total == 1
    assert AdConversion.objects.count() == 0


def test_a_hold_that_ended_no_longer_holds(today):
    (held,) = ads(1)
    hold_place(reason=HoldReason.LITIGATION, subject=held.subject, starts_on=D(2026, 1, 1), ends_on=D(2026, 11, 24))
    assert sweep_run().total == 1


def test_a_future_hold_does_not_hold_yet(today):
    (held,) = ads(1)
    hold_place(reason=HoldReason.LITIGATION, subject=held.subject, starts_on=D(2026, 12, 1))
    assert sweep_run().total == 1


def test_a_hold_without_reason_is_refused(today):
    subject = f.DataSubjectFactory()
    with pytest.raises(ValidationError) as exc:
        hold_place(reason="", subject=subject)
    assert "reason" in exc.value.message_dict
    assert not LegalHold.objects.exists()


def test_a_hold_needs_exactly_one_target(today):
    subject = f.DataSubjectFactory()
    with pytest.raises(ValidationError, match="genau eine"):
        hold_place(reason=HoldReason.LITIGATION, subject=subject, category=DataCategory.objects.first())
    with pytest.raises(ValidationError, match="genau eine"):
        hold_place(reason=HoldReason.LITIGATION)


def test_a_hold_cannot_end_before_it_starts(today):
    with pytest.raises(ValidationError):
        hold_place(
            reason=HoldReason.LITIGATION, subject=f.DataSubjectFactory(), starts_on=D(2026, 5, 1), ends_on=D(2026, 4, 1)
        )


def test_a_hold_on_a_record_that_does_not_exist_is_refused(today):
    content_type = ContentType.objects.get_for_model(AdConversion)
    hold = LegalHold(reason=HoldReason.LITIGATION, content_type=content_type, object_id=999)
    with pytest.raises(ValidationError, match="gibt es nicht"):
        hold.full_clean()


def test_a_hold_is_lifted_once(today):
    hold = hold_place(reason=HoldReason.LITIGATION, subject=f.DataSubjectFactory())
    hold_lift(hold=hold)
    with pytest.raises(ValidationError):
        hold_lift(hold=hold)


def test_a_hold_without_target_that_ends_before_it_starts_names_both_problems_once(today):
    with pytest.raises(ValidationError) as exc:
        hold_place(reason=HoldReason.LITIGATION, starts_on=D(2026, 5, 1), ends_on=D(2026, 4, 1))
    assert exc.value.message_dict == {
        "__all__": [
            "Eine Löschsperre gilt für genau eine betroffene Person, einen Datensatz oder eine Datenkategorie."
        ],
        "ends_on": ["Eine Löschsperre kann nicht vor ihrem Beginn enden."],
    }
    assert not LegalHold.objects.exists()


def test_the_constraints_speak_the_language_of_the_page(today):
    """Where clean() does not run first (validate_constraints alone), the constraints say what is wrong, not
    which constraint failed."""
    from django.utils import translation

    hold = LegalHold(reason=HoldReason.LITIGATION, starts_on=D(2026, 5, 1), ends_on=D(2026, 4, 1))
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        hold.validate_constraints()
    assert sorted(exc.value.messages) == [
        "A legal hold applies to exactly one data subject, one record or one data category.",
        "A legal hold cannot end before it starts.",
    ]
    assert {e.code for e in exc.value.error_dict["__all__"]} == {"legal_hold_target", "legal_hold_ends_before_start"}
