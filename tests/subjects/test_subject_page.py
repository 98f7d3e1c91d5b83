import pytest
from django.urls import reverse

from tests.factories import subject_with_everything


@pytest.mark.django_db
def test_the_subject_page_shows_every_kind_of_data_including_other_apps(register, dpo_client):
    subject = subject_with_everything()
    response = dpo_client.get(reverse("admin:subjects_datasubject_change", args=[subject.pk]))
    shown = {fs.opts.model._meta.label_lower for fs in response.context["inline_admin_formsets"]}
    assert {
        "subjects.emailaddress",
        "subjects.order",
        "subjects.paymentmethod",
        "subjects.eventhealthdata",
        "subjects.adconversion",
        "consents.consent",
        "consents.objection",
        "screening.screeningcase",
    } <= shown
