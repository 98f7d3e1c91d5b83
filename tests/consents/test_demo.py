import random

from consents.demo import load_demo
from consents.models import Consent, ConsentEvent, Objection, SuppressionEntry
from consents.selectors import purpose_event_counts
from tests.factories import DataSubjectFactory, EmailAddressFactory


def test_it_gives_the_demo_consents_objections_and_suppressed_addresses(register):
    subjects = []
    for _ in range(60):
        subject = DataSubjectFactory()
        EmailAddressFactory(subject=subject)
        subjects.append(subject)
    counts = load_demo(subjects=subjects, rng=random.Random(4), log=lambda msg: None)
    assert counts["consents"] == Consent.objects.count() > 20
    assert ConsentEvent.objects.filter(kind="withdrawn").exists()
    assert ConsentEvent.objects.filter(kind="confirmed").exists()
    assert Objection.objects.exists() and SuppressionEntry.objects.exists()
    # The portal's reasons for a marketing objection, in both languages as the service writes them.
    assert set(Objection.objects.filter(is_marketing=True).values_list("reasons", "reasons_en")) == {
        ("Widerspruch gegen Direktwerbung (Art. 21 Abs. 3 DSGVO).", "Objection to direct marketing (Art. 21(3) GDPR).")
    }
    for consent in Consent.objects.all():
        consent.full_clean()
    rows = purpose_event_counts(purpose=Consent.objects.first().purpose)
    assert len(rows) == 12 and sum(r["given"] for r in rows) > 0
