"""Lifting legal holds that keep data past its period asks the DPO to confirm first: the next sweep then deletes,
anonymises or restricts that data for good."""

import datetime

import pytest
from django.urls import reverse

from retention.models import HoldReason, LegalHold
from retention.selectors import released_by_lifting
from retention.services import hold_place
from retention.sweep import sweep_run
from tests import factories as f

pytestmark = pytest.mark.usefixtures("register")
D = datetime.date


def _lift(client, holds, language="de", **extra):
    return client.post(
        reverse("admin:retention_legalhold_changelist"),
        {"action": "lift_holds", "_selected_action": [h.pk for h in holds], **extra},
        headers={"accept-language": language},
    )


def _in_force(hold) -> bool:
    return LegalHold.objects.get(pk=hold.pk).lifted_at is None


@pytest.mark.parametrize(
    ("language", "warning"),
    [
        ("de", "Die Aufhebung macht sofort 2 Datensätze fällig"),
        ("en", "Lifting makes 2 records due at once"),
    ],
)
def test_lifting_holds_that_keep_due_data_asks_first(dpo_client, today, language, warning):
    due = f.OrderFactory(collected_on=D(2016, 6, 1), ordered_on=D(2016, 6, 1))  # due since 1 Jan 2025
    f.OrderFactory(subject=due.subject, collected_on=D(2015, 6, 1), ordered_on=D(2015, 6, 1))
    f.OrderFactory(collected_on=D(2025, 6, 1), ordered_on=D(2025, 6, 1))  # not due
    hold = hold_place(reason=HoldReason.TAX_AUDIT, category=due.category, reference="Bp 2026/17")
    sweep_run(dry_run=True)  # registers

    response = _lift(dpo_client, [hold], language)

    assert response.status_code == 200 and warning in response.content.decode()
    assert _in_force(hold)
    assert _lift(dpo_client, [hold], language, confirmed_released="2").status_code == 302
    assert not _in_force(hold)
    assert sweep_run(dry_run=True).total == 2


def test_a_hold_that_releases_nothing_is_lifted_at_once(dpo_client, today):
    order = f.OrderFactory(collected_on=D(2016, 6, 1), ordered_on=D(2016, 6, 1))
    on_category = hold_place(reason=HoldReason.TAX_AUDIT, category=order.category, reference="Bp 2026/17")
    on_person = hold_place(reason=HoldReason.LITIGATION, subject=order.subject, reference="LG Kiel 3 O 12/26")
    sweep_run(dry_run=True)
    assert released_by_lifting([on_category.pk]) == 0  # the person's hold still keeps the order
    assert released_by_lifting([on_category.pk, on_person.pk]) == 1
    assert _lift(dpo_client, [on_category]).status_code == 302
    assert not _in_force(on_category)


def test_lifting_holds_that_are_no_longer_in_force_says_nothing_was_lifted(dpo_client, today):
    hold = hold_place(reason=HoldReason.LITIGATION, subject=f.DataSubjectFactory(), reference="LG Kiel 3 O 12/26")
    assert _lift(dpo_client, [hold]).status_code == 302
    dpo_client.get(reverse("admin:retention_legalhold_changelist"))  # shows, and so clears, the first message
    response = dpo_client.post(
        reverse("admin:retention_legalhold_changelist"),
        {"action": "lift_holds", "_selected_action": [hold.pk]},
        headers={"accept-language": "de"},
        follow=True,
    )
    assert [str(m) for m in response.context["messages"]] == [
        "Keine der ausgewählten Löschsperren war in Kraft: nichts aufgehoben."
    ]


def test_the_certificate_calls_the_reference_a_legal_reference_not_a_legal_basis(today):
    from django.template.loader import render_to_string
    from django.utils import translation

    from retention.certificate import certificate_context

    with translation.override("de"):
        html = render_to_string("retention/certificate.html", certificate_context(start=D(2026, 11, 1), end=today))
    assert "Rechtsvorschrift" in html and "Rechtsgrundlage" not in html


@pytest.mark.parametrize(
    ("language", "warning"),
    [
        (
            "de",
            "Wenn die Löschsperre endet, ist 1 Datensatz fällig, dessen Frist bis dahin abgelaufen ist: "
            "Der Löschlauf vom 26.11.2026",
        ),
        ("en", "When the hold ends, 1 record is due whose period has ended by then: the sweep of 26/11/2026"),
    ],
)
def test_ending_a_hold_asks_first(dpo_client, language, warning):
    import time_machine

    with time_machine.travel(datetime.datetime(2026, 11, 1, 10, tzinfo=datetime.UTC), tick=False):
        ad = f.AdConversionFactory(collected_on=D(2026, 9, 1))  # due since 2 October
        hold = hold_place(reason=HoldReason.LITIGATION, subject=ad.subject, reference="LG Kiel 3 O 12/26")
    with time_machine.travel(datetime.datetime(2026, 11, 25, 10, tzinfo=datetime.UTC), tick=False):
        sweep_run(dry_run=True)
        url = reverse("admin:retention_legalhold_change", args=[hold.pk])
        form = {"ends_on": "2026-11-24", "reference": "LG Kiel 3 O 12/26", "note": ""}

        response = dpo_client.post(url, form, headers={"accept-language": language})

        assert response.status_code == 200
        [error] = response.context["adminform"].form.errors["confirm_due"]
        assert error.startswith(warning), error
        assert _in_force(hold)
        asked = response.context["adminform"].form.data["confirmed_for"]
        assert dpo_client.post(url, {**form, "confirm_due": "on", "confirmed_for": asked}).status_code == 302
        assert LegalHold.objects.get(pk=hold.pk).ends_on == D(2026, 11, 24)


def test_a_hold_without_end_or_with_an_end_beyond_the_calendar_asks_nothing(dpo_client, today):
    ad = f.AdConversionFactory(collected_on=D(2026, 9, 1))
    hold = hold_place(reason=HoldReason.LITIGATION, subject=ad.subject, reference="LG Kiel 3 O 12/26")
    sweep_run(dry_run=True)
    url = reverse("admin:retention_legalhold_change", args=[hold.pk])
    form = {"ends_on": "2027-06-30", "reference": "LG Kiel 3 O 12/26", "note": ""}
    assert dpo_client.post(url, {**form, "ends_on": ""}).status_code == 302  # no end at all
    # "9999-12-31" meant "no end": refused with a word, not counted (the count would run past the calendar).
    response = dpo_client.post(url, {**form, "ends_on": "9999-12-31"}, headers={"accept-language": "en"})
    assert response.context["adminform"].form.errors["ends_on"] == ["Leave the end empty for a hold without an end."]


def test_lifting_counts_the_identity_of_an_erased_person_the_hold_kept(today):
    from retention.services import subject_erase
    from subjects.models import DataSubject

    person = f.DataSubjectFactory(last_name="Gehalten")
    hold = hold_place(reason=HoldReason.LITIGATION, subject=person, reference="LG Kiel 3 O 12/26")
    subject_erase(subject=person)
    assert DataSubject.objects.get(pk=person.pk).last_name == "Gehalten"  # kept for the hold
    assert released_by_lifting([hold.pk]) == 1


def test_an_erasure_keeps_the_identity_of_a_person_under_a_hold_even_without_records(today):
    from retention.services import subject_erase

    person = f.DataSubjectFactory(last_name="Gehalten")
    hold_place(reason=HoldReason.LITIGATION, subject=person, reference="LG Kiel 3 O 12/26")
    outcome = subject_erase(subject=person)
    assert not outcome.subject_anonymised
    assert [(k.category, k.kept_until) for k in outcome.kept] == [("Identitätsdaten", None)]
    assert sweep_run().total == 0  # the sweep keeps it too, while the hold stands


def test_a_yes_for_fewer_records_than_are_due_now_asks_again(dpo_client, today):
    due = f.OrderFactory(collected_on=D(2016, 6, 1), ordered_on=D(2016, 6, 1))
    hold = hold_place(reason=HoldReason.TAX_AUDIT, category=due.category, reference="Bp 2026/17")
    sweep_run(dry_run=True)
    assert _lift(dpo_client, [hold]).context["released"] == 1
    f.OrderFactory(collected_on=D(2015, 6, 1), ordered_on=D(2015, 6, 1))  # due meanwhile
    sweep_run(dry_run=True)
    response = _lift(dpo_client, [hold], confirmed_released="1")
    assert response.status_code == 200 and response.context["released"] == 2
    assert _in_force(hold)
