"""Tampered query strings and form values get a 404 or a form error, never a 500."""

import pytest
from django.urls import reverse

from consents.models import ConsentPurpose
from tests.factories import DataSubjectFactory

TAMPERED_IDS = ["abc", "1.5", "-1", str(2**63), str(2**64)]


@pytest.mark.django_db
@pytest.mark.parametrize("subject", TAMPERED_IDS)
def test_the_history_export_answers_404_to_a_tampered_subject(register, dpo_client, subject):
    response = dpo_client.get(reverse("admin:consents_consent_history_csv"), {"subject": subject})
    assert response.status_code == 404


@pytest.mark.django_db
def test_the_history_export_still_exports_a_person(register, dpo_client):
    subject = DataSubjectFactory()
    response = dpo_client.get(reverse("admin:consents_consent_history_csv"), {"subject": str(subject.pk)})
    assert response.status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("subject", TAMPERED_IDS)
def test_the_withdrawal_page_answers_404_to_a_tampered_subject(register, dpo_client, subject):
    response = dpo_client.get(reverse("admin:consents_consent_withdraw"), {"subject": subject})
    assert response.status_code == 404


@pytest.mark.django_db
def test_the_withdrawal_page_still_takes_a_person_from_the_link(register, dpo_client):
    subject = DataSubjectFactory()
    response = dpo_client.get(reverse("admin:consents_consent_withdraw"), {"subject": str(subject.pk)})
    assert response.status_code == 200
    assert response.context["form"].initial["subject"] == subject.pk
    assert dpo_client.get(reverse("admin:consents_consent_withdraw")).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("channels", ["5", '"email"', '{"email": 1}', "[[1]]", '["email", 5]'])
@pytest.mark.parametrize(("language", "message"), [("de", "Wählen Sie"), ("en", "Choose one or more of")])
def test_the_purpose_page_refuses_channels_that_are_not_a_list_of_channels(
    register, dpo_client, channels, language, message
):
    purpose = ConsentPurpose.objects.get(code="product-news")
    before = purpose.channels
    url = reverse("admin:consents_consentpurpose_change", args=[purpose.pk])
    page = dpo_client.get(url)
    form = page.context["adminform"].form
    data = {name: ("" if form[name].value() is None else form[name].value()) for name in form.fields}
    for fs in page.context["inline_admin_formsets"]:
        data.update({f"{fs.formset.prefix}-TOTAL_FORMS": 0, f"{fs.formset.prefix}-INITIAL_FORMS": 0})
    data["channels"] = channels
    response = dpo_client.post(url, data, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["channels"]
    assert message in str(response.context["adminform"].form.errors["channels"])
    purpose.refresh_from_db()
    assert purpose.channels == before
