"""Bad input on the request page's workflow buttons and the intake is refused, translated, and changes nothing."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from dpo_portal.models import Recipient
from requests_app.models import DataSubjectRequest, IdentityResult, RecipientNotification, RequestType
from subjects.models import DataSubject
from tests.factories import DataSubjectFactory, DataSubjectRequestFactory, request_with, subject_with_everything

from .helpers import intake, item_url, step_url

pytestmark = pytest.mark.django_db
State = DataSubjectRequest.State


def _errors(response) -> list[str]:
    return [str(m) for m in response.context["messages"] if m.level_tag == "error"]


def test_a_too_long_legal_reference_is_refused(dpo_client, register):
    req = DataSubjectRequestFactory(identity_result=IdentityResult.VERIFIED)
    data = {"action": "reject", "reason": "exception", "reference": "x" * 250}
    response = dpo_client.post(step_url(req, "transition"), data, follow=True)
    assert _errors(response) == ["Die Rechtsvorschrift darf höchstens 200 Zeichen haben (sie hat 250)."]
    req.refresh_from_db()
    assert (req.state, req.rejection_reason, req.rejection_reference) == (State.RECEIVED, "", "")
    response = dpo_client.post(step_url(req, "transition"), data, follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert "at most 200 characters (it has 250)" in _errors(response)[0]


def test_a_legal_reference_of_200_characters_is_kept(dpo_client, register):
    req = DataSubjectRequestFactory(identity_result=IdentityResult.VERIFIED)
    data = {"action": "reject", "reason": "exception", "reference": "x" * 200}
    dpo_client.post(step_url(req, "transition"), data)
    req.refresh_from_db()
    assert (req.state, req.rejection_reference) == (State.REJECTED, "x" * 200)


def test_a_note_with_an_unknown_channel_is_refused(dpo_client, register):
    req = DataSubjectRequestFactory()
    before = req.timeline.count()
    data = {"kind": "in", "text": "Anruf", "channel": "x" * 150}
    response = dpo_client.post(step_url(req, "note"), data, follow=True)
    assert _errors(response) == ["Wählen Sie einen Kanal aus der Liste."]
    assert req.timeline.count() == before
    response = dpo_client.post(step_url(req, "note"), data, follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert _errors(response) == ["Choose a channel from the list."]
    dpo_client.post(step_url(req, "note"), {**data, "channel": "email"})
    assert req.timeline.latest("pk").channel == "email"


def _notification(req, **kwargs):
    return RecipientNotification.objects.create(
        request=req, recipient=Recipient.objects.order_by("pk").first(), kind=RequestType.ERASURE, **kwargs
    )


@pytest.mark.parametrize("day", ["0001-01-01", "received-1", "tomorrow", ""])
def test_a_recipient_tick_off_on_an_impossible_day_is_refused(dpo_client, register, day):
    req = DataSubjectRequestFactory()
    notification = _notification(req)
    days = {
        "received-1": req.received_on - datetime.timedelta(days=1),
        "tomorrow": timezone.localdate() + datetime.timedelta(days=1),
    }
    data = {"notification": notification.pk, "notified_on": str(days.get(day, day))}
    response = dpo_client.post(step_url(req, "notified"), data, follow=True)
    assert _errors(response) == [
        "Geben Sie den Tag an, an dem der Empfänger unterrichtet wurde (nicht in der Zukunft, nicht vor dem Eingang "
        "des Antrags)."
    ]
    notification.refresh_from_db()
    assert notification.notified_on is None
    response = dpo_client.post(step_url(req, "notified"), data, follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert _errors(response) == [
        "Enter the day the recipient was told (not in the future, not before the request was received)."
    ]


def test_a_recipient_tick_off_with_a_too_long_note_is_refused(dpo_client, register):
    req = DataSubjectRequestFactory()
    notification = _notification(req)
    data = {"notification": notification.pk, "notified_on": str(req.received_on), "note": "x" * 400}
    response = dpo_client.post(step_url(req, "notified"), data, follow=True)
    assert _errors(response) == ["Die Notiz darf höchstens 300 Zeichen haben (sie hat 400)."]
    notification.refresh_from_db()
    assert (notification.notified_on, notification.note) == (None, "")
    response = dpo_client.post(step_url(req, "notified"), data, follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert _errors(response) == ["The note can have at most 300 characters (it has 400)."]
    dpo_client.post(step_url(req, "notified"), {**data, "note": "x" * 300})
    notification.refresh_from_db()
    assert (notification.notified_on, notification.note) == (req.received_on, "x" * 300)


def test_a_recipient_already_ticked_off_is_not_ticked_again(dpo_client, dpo_user, register):
    req = DataSubjectRequestFactory()
    told = req.received_on
    notification = _notification(req, notified_on=told, notified_by=dpo_user, note="per Brief")
    data = {"notification": notification.pk, "notified_on": str(timezone.localdate()), "note": "neu"}
    response = dpo_client.post(step_url(req, "notified"), data, follow=True)
    assert _errors(response) == ["Dieser Empfänger wurde bereits abgehakt."]
    response = dpo_client.post(step_url(req, "notified"), data, follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert _errors(response) == ["This recipient has already been ticked off."]
    notification.refresh_from_db()
    assert (notification.notified_on, notification.note) == (told, "per Brief")


@pytest.mark.parametrize("day", ["0001-01-01", "received-1"])
def test_lifting_a_restriction_told_before_the_receipt_is_refused(dpo_client, register, day):
    subject = subject_with_everything()
    req = request_with({"kind": RequestType.RESTRICTION, "restriction_ground": "accuracy"}, subject=subject)
    dpo_client.post(item_url(req.items.get(), "restriction"))
    told_on = str(req.received_on - datetime.timedelta(days=1)) if day == "received-1" else day
    response = dpo_client.post(step_url(req, "lift"), {"told_on": told_on}, follow=True)
    assert _errors(response) == [
        "Geben Sie den Tag an, an dem die betroffene Person über die Aufhebung der Einschränkung unterrichtet wurde "
        "(nicht in der Zukunft, nicht vor dem Eingang des Antrags)."
    ]
    subject.refresh_from_db()
    assert subject.restricted_at is not None
    response = dpo_client.post(step_url(req, "lift"), {"told_on": told_on}, follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert "(not in the future, not before the request was received)" in _errors(response)[0]
    dpo_client.post(step_url(req, "lift"), {"told_on": str(req.received_on)})
    subject.refresh_from_db()
    assert subject.restricted_at is None


@pytest.mark.parametrize(
    ("language", "label", "message"),
    [("de", "Betroffene Person", "keine betroffene Person"), ("en", "Data subject", "no data subject")],
)
def test_an_erased_subject_at_intake_is_named_and_explained(support_client, register, language, label, message):
    subject = DataSubjectFactory()
    DataSubject.objects.filter(pk=subject.pk).update(erased_at=timezone.now())
    support_client.defaults["HTTP_ACCEPT_LANGUAGE"] = language
    response = intake(support_client, kinds=["access"], subject=subject.pk)
    page = response.content.decode()
    summary = page[page.index('id="error-summary"') : page.index("</ul>", page.index('id="error-summary"'))]
    assert f'<a href="#id_q">{label}</a>' in summary
    errors = page[page.index('id="subject-errors"') :]
    assert message in errors[: errors.index("</div>")]
    assert page.index('id="subject-errors"') < page.index('id="intake-form"')  # up where the person is chosen
    assert not DataSubjectRequest.objects.exists()


def _admin_change(client, req, **changes):
    """Posts the request's admin change page as shown, with `changes`."""
    url = reverse("admin:requests_app_datasubjectrequest_change", args=[req.pk])
    page = client.get(url).context
    forms = [page["adminform"].form]
    data = {}
    for inline in page["inline_admin_formsets"]:
        formset = inline.formset
        forms += [formset.management_form, *formset.forms]
    for form in forms:
        for name in form.fields:
            value = form[name].value()
            data[form.add_prefix(name)] = "" if value is None else value
    return client.post(url, {**data, **changes})


@pytest.mark.parametrize(("language", "message"), [("de", "keine Telefonnummer"), ("en", "not a phone number")])
def test_intake_refuses_a_phone_number_that_is_none(support_client, register, language, message):
    support_client.defaults["HTTP_ACCEPT_LANGUAGE"] = language
    response = intake(support_client, kinds=["access"], requester_phone="abc")
    assert message in str(response.context["form"].errors["requester_phone"])
    assert not DataSubjectRequest.objects.exists()


def test_the_admin_refuses_a_phone_number_that_is_none(dpo_client, register):
    req = DataSubjectRequestFactory(requester_email="", requester_phone="+49 4102 12345")
    response = _admin_change(dpo_client, req, requester_phone="abc")
    assert response.status_code == 200
    assert "keine Telefonnummer" in str(response.context["adminform"].form.errors["requester_phone"])
    req.refresh_from_db()
    assert req.requester_phone == "+49 4102 12345"
    assert _admin_change(dpo_client, req, requester_phone="+49 4102 54321").status_code == 302
    req.refresh_from_db()
    assert req.requester_phone == "+49 4102 54321"


def test_the_admin_refuses_an_erased_person_as_the_subject(dpo_client, register):
    req = DataSubjectRequestFactory()
    linked = req.subject_id
    erased = DataSubjectFactory()
    DataSubject.objects.filter(pk=erased.pk).update(erased_at=timezone.now())
    response = _admin_change(dpo_client, req, subject=erased.pk)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["subject"]
    assert errors == ["Wählen Sie eine betroffene Person, die nicht gelöscht wurde."]
    req.refresh_from_db()
    assert req.subject_id == linked
    # The person already linked stays, erased or not: the request can still be saved.
    DataSubject.objects.filter(pk=linked).update(erased_at=timezone.now())
    assert _admin_change(dpo_client, req, requester_name="Erika M.").status_code == 302


def test_the_autocomplete_for_a_requests_person_offers_no_erased_person(dpo_client, register):
    DataSubjectFactory(last_name="Weber")
    DataSubjectFactory(last_name="Weber", erased_at=timezone.now())
    params = {"term": "Weber", "app_label": "requests_app", "model_name": "datasubjectrequest", "field_name": "subject"}
    assert len(dpo_client.get(reverse("admin:autocomplete"), params).json()["results"]) == 1
