"""Restrictions the person asked for (Art. 18 GDPR) and the retention engine: what they keep, and what they
must not undo."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from requests_app.models import ART18_GROUNDS
from requests_app.services import subject_restrict, subject_restriction_lift
from retention.selectors import forecast
from retention.services import subject_erase
from retention.sweep import sweep_run
from subjects.models import AdConversion, DataSubject, RestrictionGround
from tests import factories as f

pytestmark = pytest.mark.usefixtures("register")
D = datetime.date


def _due_ads(n=3):
    return f.AdConversionFactory.create_batch(n, collected_on=D(2026, 9, 1))  # 30 days: long due


@pytest.mark.parametrize("ground", [RestrictionGround.UNLAWFUL, RestrictionGround.LEGAL_CLAIMS])
def test_a_restriction_to_keep_the_data_keeps_it_from_the_sweep(today, ground, dpo_user):
    kept, *others = _due_ads()
    subject_restrict(subject=kept.subject, ground=ground, actor=dpo_user)
    assert sweep_run(dry_run=True).total == len(others)  # registers them, so the forecast knows them
    assert sum(row["due"] for row in forecast() if row["rule"].category_id == kept.category_id) == len(others)
    run = sweep_run()
    assert run.total == len(others)
    assert list(AdConversion.objects.values_list("pk", flat=True)) == [kept.pk]
    # Lifted (the person was told), the record is due again.
    subject_restriction_lift(subject=kept.subject, told_on=today, actor=dpo_user)
    assert sweep_run().total == 1 and not AdConversion.objects.exists()


@pytest.mark.parametrize("ground", [RestrictionGround.ACCURACY_CONTESTED, RestrictionGround.OBJECTION_PENDING])
def test_other_art18_grounds_do_not_keep_data_past_its_period(today, ground, dpo_user):
    record, *_ = _due_ads()
    subject_restrict(subject=record.subject, ground=ground, actor=dpo_user)
    assert sweep_run().total == 3 and not AdConversion.objects.exists()


def test_the_art18_grounds_are_the_four_of_the_article():
    assert set(ART18_GROUNDS) == {"accuracy", "unlawful", "legal_claims", "objection"}


def test_an_art18_restriction_of_an_erased_person_does_not_keep_their_identity_forever(today, dpo_user):
    subject = f.DataSubjectFactory(last_name="Mustermann")
    order = f.OrderFactory(subject=subject, collected_on=D(2025, 2, 1), ordered_on=D(2025, 2, 1))
    subject_erase(subject=subject)  # the order stays for its tax period, and with it the name
    subject_restrict(subject=subject, ground=RestrictionGround.ACCURACY_CONTESTED, actor=dpo_user)
    subject.refresh_from_db()
    assert subject.restriction_ground == RestrictionGround.RETENTION_DUTY
    with pytest.raises(ValidationError, match="nichts nach Art. 18"):
        subject_restriction_lift(subject=subject, told_on=today, actor=dpo_user)
    type(order).objects.filter(pk=order.pk).update(deletable_from=D(2026, 1, 1))  # as if the period had ended
    sweep_run()
    assert DataSubject.objects.get(pk=subject.pk).last_name == ""


def test_lifting_an_art18_restriction_leaves_a_legal_hold_s_restriction(today, dpo_user):
    from retention.models import HoldReason
    from retention.services import hold_place
    from subjects.models import EmailAddress

    subject = f.DataSubjectFactory()
    held = f.EmailAddressFactory(subject=subject)
    hold_place(reason=HoldReason.LITIGATION, record=held)
    subject_erase(subject=subject)
    held.refresh_from_db()
    assert held.restriction_ground == RestrictionGround.LEGAL_HOLD
    other = f.PhoneNumberFactory(subject=subject)
    subject_restrict(subject=subject, ground=RestrictionGround.ACCURACY_CONTESTED, actor=dpo_user)
    subject_restriction_lift(subject=subject, told_on=today, actor=dpo_user)
    assert EmailAddress.objects.get(pk=held.pk).restriction_ground == RestrictionGround.LEGAL_HOLD
    other.refresh_from_db()
    assert other.restricted_at is None


def test_a_restriction_to_keep_the_data_takes_over_weaker_restrictions(today, dpo_user):
    contested, *_ = _due_ads(1)
    subject_restrict(subject=contested.subject, ground=RestrictionGround.ACCURACY_CONTESTED, actor=dpo_user)
    subject_restrict(subject=contested.subject, ground=RestrictionGround.LEGAL_CLAIMS, actor=dpo_user)
    contested.refresh_from_db()
    assert contested.restriction_ground == RestrictionGround.LEGAL_CLAIMS
    assert sweep_run().total == 0 and AdConversion.objects.filter(pk=contested.pk).exists()


def test_an_erasure_keeps_a_running_subscription_for_its_booking_period(today):
    from subjects.models import Order

    subject = f.DataSubjectFactory()
    running = f.OrderFactory(
        subject=subject, kind=Order.Kind.SUBSCRIPTION, ordered_on=D(2025, 3, 1), collected_on=D(2025, 3, 1)
    )
    subject_erase(subject=subject)
    running.refresh_from_db()
    assert running.subject_id == subject.pk and running.restriction_ground == RestrictionGround.RETENTION_DUTY
    assert running.contract_end == today and running.deletable_from == D(2035, 1, 1)


def test_lifting_a_restriction_to_keep_data_gives_back_the_retention_duty_s(today, dpo_user):
    from subjects.models import Order

    subject = f.DataSubjectFactory()
    order = f.OrderFactory(subject=subject, ordered_on=D(2025, 3, 1), collected_on=D(2025, 3, 1))
    subject_erase(subject=subject)  # the order stays, restricted for its booking period
    subject_restrict(subject=subject, ground=RestrictionGround.LEGAL_CLAIMS, actor=dpo_user)
    assert Order.objects.get(pk=order.pk).restriction_ground == RestrictionGround.LEGAL_CLAIMS
    subject_restriction_lift(subject=subject, told_on=today, actor=dpo_user)
    order.refresh_from_db()
    assert order.restriction_ground == RestrictionGround.RETENTION_DUTY and order.restricted_at is not None
