import datetime

import pytest

from audit.models import AuditEntry
from retention.models import HoldReason, ProtocolBatch, SweepRun
from retention.models.protocol import record_hash
from retention.services import hold_place, subject_erase
from retention.sweep import sweep_run
from subjects.models import DataSubject, EmailAddress, Order, RestrictionGround
from tests import factories as f

pytestmark = pytest.mark.usefixtures("register")
D = datetime.date


def test_it_erases_what_nothing_keeps_and_restricts_what_a_duty_keeps(today):
    subject = f.subject_with_everything(first_name="Erika", last_name="Mustermann")
    order = Order.objects.get(subject=subject)
    outcome = subject_erase(subject=subject)
    assert outcome.deleted["subjects.EmailAddress"] == 1
    assert outcome.deleted["subjects.AdConversion"] == 1
    assert "subjects.Order" not in outcome.deleted
    assert outcome.anonymised.get("subjects.TrainingProgress") == 1
    [kept] = outcome.kept
    assert kept.category == "Bestell- und Vertragsdaten"
    assert kept.legal_reference.startswith("§ 257 Abs. 1 Nr. 4")
    assert kept.kept_until == D(2034, 12, 31)  # collected in 2026, 8 years from the end of 2026
    order.refresh_from_db()
    assert order.restriction_ground == RestrictionGround.RETENTION_DUTY
    subject.refresh_from_db()
    assert subject.erased_at is not None
    assert subject.restriction_ground == RestrictionGround.RETENTION_DUTY
    assert subject.last_name == "Mustermann"  # the kept invoice still needs the name
    assert SweepRun.objects.get(kind=SweepRun.Kind.ERASURE).batches.count() == ProtocolBatch.objects.count()
    # Nothing personal in the audit trail of the erasure.
    for row in AuditEntry.objects.values():
        assert "Mustermann" not in str(row) and "Erika" not in str(row)


def test_it_anonymises_the_identity_when_nothing_is_kept(today):
    subject = f.DataSubjectFactory(last_name="Musterfrau", birth_date=D(1980, 1, 1))
    f.EmailAddressFactory(subject=subject)
    outcome = subject_erase(subject=subject)
    assert outcome.kept == [] and outcome.subject_anonymised
    subject.refresh_from_db()
    assert (subject.last_name, subject.birth_date, subject.customer_number, subject.restricted_at) == (
        "",
        None,
        None,
        None,
    )
    assert subject.erased_at is not None
    # The blanked identity is in the erasure's protocol, for the certificate and a replay after a restore.
    batch = ProtocolBatch.objects.get(model_label="subjects.DataSubject")
    assert (batch.run.kind, batch.action, batch.hashes()) == (
        SweepRun.Kind.ERASURE,
        "anonymise",
        [record_hash("subjects.DataSubject", subject.pk)],
    )


def test_the_sweep_anonymises_the_identity_once_the_last_kept_record_is_gone(today):
    subject = f.DataSubjectFactory(last_name="Spät")
    f.OrderFactory(subject=subject, collected_on=D(2025, 2, 1), ordered_on=D(2025, 2, 1))
    subject_erase(subject=subject)
    assert sweep_run(today=D(2026, 11, 25)).total == 0
    Order.objects.filter(subject=subject).update(deletable_from=D(2026, 1, 1))  # as if eight years had passed
    run = sweep_run()
    counts = {(c.model_label, c.action) for c in run.counts.all()}
    assert ("subjects.Order", "anonymise") in counts
    assert ("subjects.DataSubject", "anonymise") in counts
    subject.refresh_from_db()
    assert subject.last_name == "" and subject.restricted_at is None


def test_held_records_are_kept_and_named(today):
    subject = f.DataSubjectFactory()
    email = f.EmailAddressFactory(subject=subject)
    hold_place(reason=HoldReason.LITIGATION, record=email)
    outcome = subject_erase(subject=subject)
    [kept] = outcome.kept
    assert kept.kept_until is None and kept.legal_reference == "Anhängiger Rechtsstreit"
    email.refresh_from_db()
    assert email.restriction_ground == RestrictionGround.LEGAL_HOLD
    assert EmailAddress.objects.filter(pk=email.pk).exists()


def test_a_hold_on_the_subject_keeps_everything(today):
    subject = f.subject_with_everything()
    hold_place(reason=HoldReason.LEGAL_CLAIMS, subject=subject)
    outcome = subject_erase(subject=subject)
    assert outcome.deleted == {} and outcome.anonymised == {}
    assert sum(k.count for k in outcome.kept) == 12
    assert DataSubject.objects.get(pk=subject.pk).restriction_ground == RestrictionGround.LEGAL_HOLD


def test_a_dry_run_counts_the_identities_the_real_run_finishes(today):
    """The real run anonymises an erased subject's identity once its last kept record went in the same run."""
    subject = f.DataSubjectFactory(last_name="Spät")
    f.OrderFactory(subject=subject, collected_on=D(2025, 2, 1), ordered_on=D(2025, 2, 1))
    subject_erase(subject=subject)
    Order.objects.filter(subject=subject).update(deletable_from=D(2026, 1, 1))  # the duty has run out

    def counts(run):
        return sorted((c.model_label, c.action, c.count) for c in run.counts.all())

    dry = sweep_run(dry_run=True)
    real = sweep_run()
    assert counts(dry) == counts(real) == [("subjects.DataSubject", "anonymise", 1), ("subjects.Order", "anonymise", 1)]
    subject.refresh_from_db()
    assert subject.last_name == ""


def test_an_erasure_reads_holds_and_categories_once_not_per_record(today):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def erase_with_held(n: int) -> int:
        subject = f.DataSubjectFactory()
        for email in f.EmailAddressFactory.create_batch(n, subject=subject):
            hold_place(reason=HoldReason.LITIGATION, record=email)
        with CaptureQueriesContext(connection) as queries:
            outcome = subject_erase(subject=subject)
        assert sum(k.count for k in outcome.kept) == n
        return len(queries)

    assert erase_with_held(2) == erase_with_held(5)
