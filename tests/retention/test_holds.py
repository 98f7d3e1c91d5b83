import datetime

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError

from dpo_portal.models import DataCategory
from retention.models import HoldReason, LegalHold
from retention.services import hold_change, hold_lift, hold_place
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
    with time_machine.travel(datetime.datetime(2026, 1, 1, 10, tzinfo=datetime.UTC), tick=False):  # placed then
        hold_place(reason=HoldReason.LITIGATION, subject=held.subject, ends_on=D(2026, 11, 24))
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


def test_a_hold_cannot_start_more_than_a_year_ahead(today):
    subject = f.DataSubjectFactory()
    with pytest.raises(ValidationError) as exc:
        hold_place(reason=HoldReason.LITIGATION, subject=subject, starts_on=D(9999, 12, 31))
    assert exc.value.message_dict == {
        "starts_on": [
            "Eine Löschsperre kann nicht mehr als ein Jahr im Voraus beginnen (nach dem 25.11.2027): Bis dahin würde "
            "sie nichts schützen. Lassen Sie sie heute beginnen oder legen Sie sie an, wenn sie beginnen soll."
        ]
    }
    with pytest.raises(ValidationError, match="starts_on"):
        hold_place(reason=HoldReason.LITIGATION, subject=subject, starts_on=D(2027, 11, 26))
    assert not LegalHold.objects.exists()
    assert hold_place(reason=HoldReason.LITIGATION, subject=subject, starts_on=D(2027, 11, 25)).pk


def test_a_new_hold_cannot_end_before_today(today):
    subject = f.DataSubjectFactory()
    with pytest.raises(ValidationError) as exc:
        hold_place(reason=HoldReason.LITIGATION, subject=subject, starts_on=D(1800, 1, 1), ends_on=D(1800, 1, 2))
    assert exc.value.message_dict == {
        "ends_on": [
            "Eine neue Löschsperre kann nicht vor heute (25.11.2026) enden: Sie würde nichts schützen. Geben Sie "
            "heute oder einen späteren Tag an oder lassen Sie das Ende leer."
        ]
    }
    with pytest.raises(ValidationError, match="ends_on"):
        hold_place(reason=HoldReason.LITIGATION, subject=subject, starts_on=D(2026, 1, 1), ends_on=D(2026, 11, 24))
    assert not LegalHold.objects.exists()
    hold = hold_place(reason=HoldReason.LITIGATION, subject=subject, starts_on=D(1800, 1, 1), ends_on=D(2026, 11, 25))
    assert hold.is_active_on(D(2026, 11, 25))


def test_a_hold_whose_end_has_passed_can_still_be_changed(today):
    with time_machine.travel(datetime.datetime(2026, 1, 5, 10, tzinfo=datetime.UTC), tick=False):
        hold = hold_place(reason=HoldReason.LITIGATION, subject=f.DataSubjectFactory(), ends_on=D(2026, 6, 30))
    hold.note = "Verfahren abgeschlossen"
    assert hold_change(hold=hold, fields=["note"]).note == "Verfahren abgeschlossen"
