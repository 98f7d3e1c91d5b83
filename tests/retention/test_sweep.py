import datetime
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError

from audit.models import AuditEntry
from dpo_portal.models import DataCategory
from retention.models import Action, ProtocolBatch, SweepRun
from retention.models.protocol import record_hash
from retention.selectors import protocol_hashes
from retention.services import purpose_end
from retention.sweep import sweep_run
from subjects.models import AdConversion, EmailAddress, EventHealthData, EventRegistration, Order, RestrictionGround
from tests import factories as f

pytestmark = pytest.mark.usefixtures("register")
D = datetime.date


def counts(run):
    return {(c.rule.code if c.rule_id else None, c.model_label, c.action): c.count for c in run.counts.all()}


def test_it_deletes_what_is_due_and_keeps_the_rest(today):
    due = f.AdConversionFactory(collected_on=D(2026, 10, 1))  # 30 days ended 31 Oct
    fresh = f.AdConversionFactory(collected_on=D(2026, 10, 26))  # 30 days end 25 Nov: deletable tomorrow
    run = sweep_run()
    assert run.status == SweepRun.Status.FINISHED
    assert not AdConversion.objects.filter(pk=due.pk).exists()
    assert AdConversion.objects.filter(pk=fresh.pk).exists()
    assert counts(run) == {("ad-conversion-30-days", "subjects.AdConversion", Action.DELETE): 1}
    batch = ProtocolBatch.objects.get()
    assert batch.hashes() == [record_hash("subjects.AdConversion", due.pk)]
    assert batch.legal_reference.startswith("§ 25 Abs. 1 TDDDG")


def test_it_anonymises_orders_after_eight_years_keeping_the_statistics(today):
    order = f.OrderFactory(collected_on=D(2017, 5, 2), ordered_on=D(2017, 5, 2), number="A-SECRET-1")
    kept = f.OrderFactory(collected_on=D(2018, 1, 2), ordered_on=D(2018, 1, 2))  # deletable 1 Jan 2027
    sweep_run()
    assert not Order.objects.filter(pk=order.pk).exists()  # the old id is gone with the original
    copy = Order.objects.get(anonymised_at__isnull=False)
    assert copy.subject_id is None
    assert copy.number.startswith("anon-") and "SECRET" not in copy.number
    assert (copy.total, copy.currency, copy.ordered_on, copy.description) == (
        order.total,
        order.currency,
        order.ordered_on,
        order.description,
    )
    assert Order.objects.filter(pk=kept.pk, anonymised_at=None).exists()
    # A second sweep leaves the anonymous copy alone: not processed, not registered again.
    again = sweep_run()
    assert (again.total, again.registered) == (0, 0)
    copy.refresh_from_db()
    assert (copy.retention_start, copy.deletable_from) == (None, None)


def test_it_deletes_a_record_that_cannot_be_made_anonymous():
    health = f.EventHealthDataFactory()
    assert health.registration.subject_id == health.subject_id
    from retention.records import can_anonymise

    assert not can_anonymise(EventHealthData)
    assert can_anonymise(EventRegistration)


def test_it_restricts_what_a_retention_duty_keeps_after_the_purpose_ended(today):
    order = f.OrderFactory(collected_on=D(2024, 3, 1), ordered_on=D(2024, 3, 1))
    order.purpose_ended_on = D(2026, 11, 1)
    order.save()  # a path that does not restrict at once (purpose_end does)
    run = sweep_run()
    order.refresh_from_db()
    assert order.restricted_at is not None
    assert order.restriction_ground == RestrictionGround.RETENTION_DUTY
    assert order.deletable_from == D(2033, 1, 1)
    assert counts(run) == {("order-booking-voucher", "subjects.Order", Action.RESTRICT): 1}
    assert not Order.objects.processable().filter(pk=order.pk).exists()


def test_a_dry_run_reports_exactly_what_the_real_run_does(today):
    f.AdConversionFactory.create_batch(3, collected_on=D(2026, 9, 1))
    f.EmailAddressFactory.create_batch(2, collected_on=D(2021, 4, 1))
    f.OrderFactory(collected_on=D(2016, 4, 1), ordered_on=D(2016, 4, 1))
    f.TrainingProgressFactory(collected_on=D(2020, 4, 1), started_on=D(2020, 4, 1))
    f.OrderFactory(collected_on=D(2025, 4, 1), ordered_on=D(2025, 4, 1), purpose_ended_on=D(2026, 1, 1))
    f.AdConversionFactory(collected_on=D(2026, 11, 20))
    dry = sweep_run(dry_run=True)
    assert not ProtocolBatch.objects.exists()
    assert AdConversion.objects.count() == 4
    real = sweep_run()
    assert counts(dry) == counts(real)
    assert dry.total == real.total == len(protocol_hashes()) == 8


def test_a_dry_run_counts_records_that_wait_only_for_dependants_deleted_earlier_in_the_run(today):
    # The health data of a past event goes first (its rule comes first), which frees the registration.
    health = f.EventHealthDataFactory(
        collected_on=D(2025, 1, 10), registration__event_date=D(2025, 2, 1), registration__collected_on=D(2025, 1, 10)
    )
    dry = sweep_run(dry_run=True)
    real = sweep_run()
    assert counts(dry) == counts(real)
    assert not type(health).objects.filter(pk=health.pk).exists()
    assert ("event-registrations", "subjects.EventRegistration", Action.ANONYMISE) in counts(real)


def test_it_does_nothing_twice(today):
    f.AdConversionFactory.create_batch(5, collected_on=D(2026, 9, 1))
    assert sweep_run(batch_size=2).total == 5
    assert sweep_run(batch_size=2).total == 0
    assert len(protocol_hashes()) == 5


def test_a_run_killed_mid_way_loses_nothing_and_the_next_finishes(today):
    due = f.AdConversionFactory.create_batch(7, collected_on=D(2026, 9, 1))
    from retention import sweep

    real_write = sweep.protocol_write
    calls = {"n": 0}

    def dies_in_third_batch(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt  # the worker is killed: not a database error, nothing catches it
        return real_write(*args, **kwargs)

    with mock.patch.object(sweep, "protocol_write", dies_in_third_batch), pytest.raises(KeyboardInterrupt):
        sweep_run(batch_size=2)
    killed = SweepRun.objects.get()
    assert killed.status == SweepRun.Status.RUNNING and killed.finished_at is None
    assert AdConversion.objects.count() == 3  # two batches committed, the third rolled back
    assert len(protocol_hashes()) == 4
    sweep_run(batch_size=2)
    assert AdConversion.objects.count() == 0
    hashes = protocol_hashes()
    assert sorted(hashes) == sorted(record_hash("subjects.AdConversion", r.pk) for r in due)


def test_a_database_error_rolls_the_batch_back_and_the_run_reports_it(today):
    f.AdConversionFactory.create_batch(2, collected_on=D(2026, 9, 1))
    email = f.EmailAddressFactory(collected_on=D(2020, 1, 1))
    from retention import sweep

    real_write = sweep.protocol_write

    def fails_for_ads(run, *, model_label, **kwargs):
        if model_label == "subjects.AdConversion":  # after the rows were deleted in this batch
            raise DatabaseError("deadlock detected")
        return real_write(run, model_label=model_label, **kwargs)

    with mock.patch.object(sweep, "protocol_write", fails_for_ads):
        run = sweep_run()
    assert run.status == SweepRun.Status.FAILED
    assert run.errors == [
        {
            "rule": "ad-conversion-30-days",
            "model": "subjects.AdConversion",
            "action": "delete",
            "error": "DatabaseError",
        }
    ]
    assert AdConversion.objects.count() == 2  # rolled back
    assert not EmailAddress.objects.filter(pk=email.pk).exists()  # the other rules went on
    assert not ProtocolBatch.objects.filter(model_label="subjects.AdConversion").exists()


def test_neither_protocol_nor_audit_trail_holds_a_deleted_value(today):
    email = f.EmailAddressFactory(collected_on=D(2020, 1, 1), email="geheim.person@example.org")
    ad = f.AdConversionFactory(collected_on=D(2026, 9, 1), click_id="gclid-VERYSECRET")
    order = f.OrderFactory(collected_on=D(2016, 4, 1), ordered_on=D(2016, 4, 1), number="A-HIDDEN-77")
    secrets = ["geheim.person", "VERYSECRET", "HIDDEN-77", email.subject.last_name, str(email.pk), str(ad.pk)]
    before = AuditEntry.objects.count()
    sweep_run()
    assert not EmailAddress.objects.filter(pk=email.pk).exists() and not Order.objects.filter(pk=order.pk).exists()
    protocol = [str(row) for row in ProtocolBatch.objects.values()] + protocol_hashes()
    audit = [str(row) for row in AuditEntry.objects.order_by("seq")[before:].values()]
    assert audit, "every batch leaves an audit entry"
    for text in protocol + audit:
        for secret in secrets[:4]:
            assert secret not in text
    for id_hash in protocol_hashes():
        assert id_hash not in (str(email.pk), str(ad.pk))


def test_it_registers_records_created_without_the_engine(today):
    subject = f.DataSubjectFactory()
    ad = f.AdConversionFactory.build(subject=subject, collected_on=D(2026, 9, 1))
    AdConversion.objects.bulk_create([ad])
    assert AdConversion.objects.get().retention_computed_at is None
    run = sweep_run(dry_run=True)
    record = AdConversion.objects.get()
    assert run.registered == 1
    assert record.retention_start == D(2026, 9, 1)
    assert record.deletable_from == D(2026, 10, 2)


def test_it_recomputes_a_record_whose_start_event_moved(today):
    payment = f.PaymentMethodFactory(collected_on=D(2020, 1, 1))
    sweep_run()
    payment.refresh_from_db()
    assert payment.deletable_from is None  # the contract has not ended
    payment.contract_end = D(2025, 6, 30)
    payment.save()
    run = sweep_run()
    assert counts(run) == {("payment-chargeback", "subjects.PaymentMethod", Action.DELETE): 1}


def test_an_event_registration_waits_for_its_health_data(today):
    health = f.EventHealthDataFactory(registration__event_date=D(2025, 9, 1), collected_on=D(2025, 8, 1))
    registration = health.registration
    f.LegalHoldFactory(subject=None, reason="litigation", content_type_id=_ct(EventHealthData), object_id=health.pk)
    sweep_run()
    assert EventHealthData.objects.filter(pk=health.pk).exists()  # held
    assert EventRegistration.objects.filter(pk=registration.pk, anonymised_at=None).exists()  # waits for it


def test_in_production_it_refuses_a_real_sweep_as_of_a_day_after_today(today, settings):
    settings.DEMO_MODE = False
    ad = f.AdConversionFactory(collected_on=D(2026, 11, 20))  # due from 21 December
    with pytest.raises(ValidationError, match="Tag nach heute"):
        sweep_run(today=D(2026, 11, 26))
    assert not SweepRun.objects.exists() and AdConversion.objects.filter(pk=ad.pk).exists()
    assert sweep_run(today=D(2026, 11, 25)).status == SweepRun.Status.FINISHED
    assert sweep_run(today=D(2026, 12, 25), dry_run=True).total == 1  # a forecast may look ahead


def test_in_the_demo_a_real_sweep_ahead_makes_data_come_due(today, settings):
    """CONTRACT.md's `retention_sweep --today`: how the demo and outside test suites move time without a clock."""
    settings.DEMO_MODE = True
    ad = f.AdConversionFactory(collected_on=D(2026, 11, 20))
    assert sweep_run(today=D(2026, 12, 20)).total == 0  # its 30 days end that day
    assert sweep_run(today=D(2026, 12, 21)).total == 1
    assert not AdConversion.objects.filter(pk=ad.pk).exists()


@pytest.mark.parametrize("dry_run", [True, False])
def test_it_refuses_a_sweep_more_than_a_year_ahead(today, settings, dry_run):
    settings.DEMO_MODE = True
    with pytest.raises(ValidationError, match="365"):
        sweep_run(today=D(2027, 11, 26), dry_run=dry_run)
    assert not SweepRun.objects.exists()
    assert sweep_run(today=D(2027, 11, 25), dry_run=True).status == SweepRun.Status.FINISHED


def test_purpose_end_restricts_at_once_and_the_sweep_deletes_later(today):
    subject = f.DataSubjectFactory()
    profile = f.InteractionProfileFactory(subject=subject, collected_on=D(2026, 1, 5))
    order = f.OrderFactory(subject=subject, collected_on=D(2026, 1, 5), ordered_on=D(2026, 1, 5))
    assert purpose_end(subject=subject, activity_codes=["product-news"], ended_on=D(2026, 11, 20)) == 1
    profile.refresh_from_db()
    assert profile.purpose_ended_on == D(2026, 11, 20)
    assert profile.deletable_from == D(2026, 11, 21)
    order.refresh_from_db()
    assert order.purpose_ended_on is None
    sweep_run()
    assert not type(profile).objects.filter(pk=profile.pk).exists()
    assert purpose_end(subject=subject, activity_codes=["order-processing"]) == 1
    order.refresh_from_db()
    assert order.restriction_ground == RestrictionGround.RETENTION_DUTY


def _ct(model):
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(model).pk


def test_a_business_letter_is_kept_six_years(today):
    letters = DataCategory.objects.get(code="business-correspondence")
    old = f.CommunicationFactory(category=letters, collected_on=D(2019, 12, 31), channel="email")
    young = f.CommunicationFactory(category=letters, collected_on=D(2020, 1, 1), channel="email")
    sweep_run()
    assert not type(old).objects.filter(pk=old.pk).exists()
    assert type(young).objects.filter(pk=young.pk).exists()


def test_data_without_a_retention_duty_goes_once_its_purpose_ended(today):
    from retention.services import purpose_end

    answer = f.SurveyAnswerFactory(collected_on=D(2026, 11, 1), submitted_on=D(2026, 11, 1))
    sweep_run(dry_run=True)  # registered: not due for six months
    answer.refresh_from_db()
    assert answer.deletable_from > today
    purpose_end(subject=answer.subject, activity_codes=["surveys"], ended_on=D(2026, 11, 24))  # objection upheld
    answer.refresh_from_db()
    assert answer.deletable_from == today
    run = sweep_run()
    assert ("survey-answers", "subjects.SurveyAnswer", Action.ANONYMISE) in counts(run)
    assert not type(answer).objects.filter(pk=answer.pk, subject__isnull=False).exists()


def test_data_a_retention_duty_keeps_stays_until_the_duty_ends(today):
    from retention.services import purpose_end

    order = f.OrderFactory(collected_on=D(2025, 4, 1), ordered_on=D(2025, 4, 1))
    purpose_end(subject=order.subject, activity_codes=["order-processing"])
    order.refresh_from_db()
    assert order.deletable_from == D(2034, 1, 1)
    assert order.restricted_at is not None


def test_a_sweep_dated_in_the_past_keeps_what_a_hold_placed_since_holds(today):
    """Holds as of the sweep's day alone would leave out one placed after it: it protects all the same."""
    on_subject, on_record, free = (f.AdConversionFactory(collected_on=D(2026, 9, 1)) for _ in range(3))  # due 2 Oct
    f.LegalHoldFactory(subject=on_subject.subject, starts_on=D(2026, 11, 20))
    f.LegalHoldFactory(
        subject=None, content_type_id=_ct(AdConversion), object_id=on_record.pk, starts_on=D(2026, 11, 20)
    )
    assert sweep_run(today=D(2026, 11, 1)).total == 1
    assert set(AdConversion.objects.values_list("pk", flat=True)) == {on_subject.pk, on_record.pk}
    # A whole category held since.
    f.LegalHoldFactory(subject=None, category=free.category, starts_on=D(2026, 11, 24))
    f.AdConversionFactory(collected_on=D(2026, 9, 1))
    assert sweep_run(today=D(2026, 11, 1)).total == 0
