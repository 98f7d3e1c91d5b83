"""One live objection per person and processing; none for an erased person, neither on the admin page nor in the service."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from consents.models import Objection
from consents.services import objection_decide, objection_record
from dpo_portal.models import ProcessingActivity
from tests.factories import DataSubjectFactory


def _post(client, subject, language="de"):
    activity = ProcessingActivity.objects.get(code="surveys")
    data = {"subject": subject.pk, "objected_activity": activity.pk, "channel": "phone", "note": ""}
    return client.post(reverse("admin:consents_objection_add"), data, HTTP_ACCEPT_LANGUAGE=language)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "message"),
    [
        (
            "de",
            "Ein Widerspruch dieser betroffenen Person gegen diese Verarbeitung ist bereits ausstehend oder ihm wurde stattgegeben.",
        ),
        ("en", "This data subject&#x27;s objection to this processing is already pending or upheld."),
    ],
)
def test_it_refuses_a_second_objection_on_the_admin_page(register, dpo_client, language, message):
    subject = DataSubjectFactory()
    assert _post(dpo_client, subject).status_code == 302
    response = _post(dpo_client, subject, language)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Objection.objects.count() == 1


@pytest.mark.django_db
def test_the_service_refuses_an_objection_while_one_is_pending_or_upheld_but_not_after_a_rejection(register):
    subject = DataSubjectFactory()
    first = objection_record(subject=subject, activity_code="surveys", channel="phone")
    with pytest.raises(ValidationError) as exc:
        objection_record(subject=subject, activity_code="surveys", channel="phone")
    assert exc.value.error_dict["objected_activity"][0].code == "objection_exists"
    objection_decide(objection=first, upheld=False, reasons="Gesetzliche Pflicht zur Qualitätssicherung")
    objection_record(subject=subject, activity_code="surveys", channel="phone")
    assert Objection.objects.count() == 2


@pytest.mark.django_db
def test_an_erased_person_cannot_object(register, dpo_client):
    subject = DataSubjectFactory(erased_at=timezone.now())
    response = _post(dpo_client, subject)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["subject"]
    with pytest.raises(ValidationError) as exc:
        objection_record(subject=subject, activity_code="surveys", channel="phone")
    assert exc.value.error_dict["subject"][0].code == "subject_erased"
    assert not Objection.objects.exists()


@pytest.mark.django_db
def test_the_autocomplete_for_an_objection_offers_no_erased_person(register, dpo_client):
    DataSubjectFactory(last_name="Weber")
    DataSubjectFactory(last_name="Weber", erased_at=timezone.now())
    params = {"term": "Weber", "app_label": "consents", "model_name": "objection", "field_name": "subject"}
    results = dpo_client.get(reverse("admin:autocomplete"), params).json()["results"]
    assert len(results) == 1
    params["model_name"] = "order"
    params["app_label"] = "subjects"
    assert len(dpo_client.get(reverse("admin:autocomplete"), params).json()["results"]) == 2
