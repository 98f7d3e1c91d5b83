"""For any record the portal says why it is still kept (R1): purpose, basis, rule, first deletable day, holds."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from dpo_portal.models import DataCategory
from requests_app.services import subject_restrict
from retention.models import HoldReason, LegalHold
from retention.selectors import why_kept
from retention.services import hold_place, subject_erase
from retention.sweep import sweep_run
from subjects.models import Order, RestrictionGround
from tests import factories as f
from tests.screening.conftest import eu_version, ofac_version  # noqa: F401 (fixtures)

pytestmark = pytest.mark.usefixtures("register")
D = datetime.date


def test_it_says_why_each_record_is_kept(today, dpo_user):
    order = f.OrderFactory(ordered_on=D(2025, 2, 1), collected_on=D(2025, 2, 1))
    assert why_kept(order).deletable_from == D(2034, 1, 1)  # worked out now, before any registration
    sweep_run(dry_run=True)
    why = why_kept(order)
    assert why.rule.code == "order-booking-voucher" and why.deletable_from == D(2034, 1, 1)
    assert why.verdict == "Für seinen Zweck aufbewahrt; löschbar ab 01.01.2034."
    assert "Art. 6 Abs. 1 lit. b" in why.legal_basis

    ad = f.AdConversionFactory(collected_on=D(2026, 9, 1))
    sweep_run(dry_run=True)
    assert why_kept(ad).verdict.startswith("Fällig")

    hold_place(reason=HoldReason.TAX_AUDIT, record=ad, reference="Bp 2026")
    why = why_kept(ad)
    assert [h.reference for h in why.holds] == ["Bp 2026"] and why.verdict.startswith("Frist abgelaufen")
    hold_place(reason=HoldReason.LITIGATION, record=order, reference="3 O 1/26")
    assert why_kept(order).verdict.startswith("Unter einer Löschsperre")  # not due: no "beyond its period"

    claims = f.AdConversionFactory(collected_on=D(2026, 9, 1))
    subject_restrict(subject=claims.subject, ground=RestrictionGround.LEGAL_CLAIMS, actor=dpo_user)
    assert why_kept(claims).verdict.startswith("Auf Wunsch der Person eingeschränkt")
    contested = f.OrderFactory(ordered_on=D(2025, 2, 1), collected_on=D(2025, 2, 1))
    subject_restrict(subject=contested.subject, ground=RestrictionGround.ACCURACY_CONTESTED, actor=dpo_user)
    assert why_kept(contested).verdict.startswith("Verarbeitung eingeschränkt (Richtigkeit bestritten")

    LegalHold.objects.update(lifted_at=timezone.now())

    LegalHold.objects.update(lifted_at=timezone.now())
    subject_erase(subject=order.subject)
    why = why_kept(Order.objects.get(pk=order.pk))
    assert why.verdict == "Zweck entfallen; eingeschränkt aufbewahrt, nur für die Aufbewahrungspflicht bis 31.12.2033."


def test_a_new_order_moves_the_contact_details_at_once(today):
    email = f.EmailAddressFactory(collected_on=D(2020, 3, 1))
    sweep_run(dry_run=True)
    assert why_kept(email).verdict == "Fällig: der nächste Löschlauf löscht diesen Datensatz."
    f.OrderFactory(subject=email.subject, ordered_on=today, collected_on=today)
    assert why_kept(email).deletable_from == D(2030, 1, 1)  # before any sweep registers it again


def test_running_contracts_and_their_people_s_details_say_so(today):
    subscription = f.OrderFactory(kind=Order.Kind.SUBSCRIPTION, ordered_on=D(2024, 1, 5), collected_on=D(2024, 1, 5))
    email = f.EmailAddressFactory(subject=subscription.subject, collected_on=D(2020, 3, 1))
    assert why_kept(subscription).verdict.startswith("Aufbewahrt, solange der Vertrag oder das Abonnement läuft")
    assert why_kept(email).verdict.startswith("Aufbewahrt, solange ein Vertrag, ein Abonnement oder eine Einwilligung")
    assert why_kept(subscription).legal_basis.count("Art. 6 Abs. 1 lit. b") == 1  # the basis once, with its details


def test_a_category_without_a_rule_is_named(today):
    record = f.EmailAddressFactory()
    record.category = DataCategory.objects.create(code="neu", name_de="Neu", name_en="New")
    record.save()
    assert "keine Löschregel" in why_kept(record).verdict


@pytest.mark.parametrize(
    ("language", "words", "reference"),
    [("de", "Warum noch gespeichert", "§ 257 Abs. 1 Nr. 4"), ("en", "Why it is still kept", "§ 257(1) no. 4")],
)
def test_the_record_page_shows_it(dpo_client, today, language, words, reference):
    order = f.OrderFactory(ordered_on=D(2025, 2, 1), collected_on=D(2025, 2, 1))
    sweep_run(dry_run=True)
    page = dpo_client.get(
        reverse("admin:subjects_order_change", args=[order.pk]), HTTP_ACCEPT_LANGUAGE=language
    ).content.decode()
    assert words in page and reference in page and "order-booking-voucher" in page


def test_consents_objections_and_screening_cases_say_it_too(dpo_client, today, eu_version, ofac_version):  # noqa: F811
    from consents.services import objection_record
    from screening.models import ScreeningCase, Trigger
    from screening.services import subject_screen

    consent, _events = f.consent_on_paper(f.DataSubjectFactory(), "affiliate-transfer")
    objection = objection_record(subject=consent.subject, activity_code="surveys", channel="email")
    subject_screen(subject=f.DataSubjectFactory(first_name="Daniel", last_name="Moreno"), trigger=Trigger.MANUAL)
    pages = [
        reverse("admin:consents_consent_change", args=[consent.pk]),
        reverse("admin:consents_objection_change", args=[objection.pk]),
        reverse("admin:screening_screeningcase_change", args=[ScreeningCase.objects.get().pk]),
    ]
    for url in pages:
        page = dpo_client.get(url).content.decode()
        assert "Warum noch gespeichert" in page, url


def test_an_anonymous_record_shows_no_one_else_s_holds(today):
    from subjects.models import Order

    order = f.OrderFactory(ordered_on=D(2015, 2, 1), collected_on=D(2015, 2, 1))
    other = f.OrderFactory(ordered_on=D(2025, 2, 1), collected_on=D(2025, 2, 1))
    sweep_run()  # anonymises the old order
    anonymous = Order.objects.get(anonymised_at__isnull=False)
    hold_place(reason=HoldReason.LITIGATION, record=other, reference="Az. eines anderen")
    assert order.pk != anonymous.pk and why_kept(anonymous).holds == []


def test_a_withdrawn_consent_is_kept_as_proof_from_its_withdrawal(today):
    from consents.models import Consent
    from consents.services import consent_withdraw

    consent, _token = f.consent_on_paper(f.DataSubjectFactory(), "affiliate-transfer")
    assert why_kept(consent).deletable_from is None  # in force: its purpose has not ended
    consent_withdraw(subject=consent.subject, purpose_code="affiliate-transfer", channel="paper")
    assert why_kept(consent).deletable_from == D(2030, 1, 1)
    sweep_run(dry_run=True)
    assert Consent.objects.get(pk=consent.pk).deletable_from == D(2030, 1, 1)
