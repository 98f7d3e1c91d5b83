"""Who is to be asked for consent again, and whether someone had consented to health data, are told only to roles
that may know; the admin's autocomplete is audited like the list pages it stands for."""

import pytest
from django.urls import reverse

from audit.models import AuditEntry
from consents.models import Consent, ConsentPurpose
from consents.services import text_publish
from tests.factories import DataSubjectFactory, consent_on_paper

pytestmark = pytest.mark.usefixtures("register")


@pytest.fixture
def reconsent_due():
    """Two people whose consent to product news rests on a text before a material change."""
    people = [DataSubjectFactory(first_name="Hiltrud", last_name=f"Vormann{i}") for i in range(2)]
    for person in people:
        consent_on_paper(person, "product-news")
    purpose = ConsentPurpose.objects.get(code="product-news")
    text_publish(purpose=purpose, text_de="Neu", text_en="New", material_change=True, change_note="Telefon neu")
    return purpose


def test_the_auditor_learns_how_many_must_be_asked_again_not_who(client, auditor_user, reconsent_due):
    client.force_login(auditor_user)
    page = client.get(
        reverse("admin:consents_consentpurpose_reconsent", args=[reconsent_due.pk]), headers={"accept-language": "en"}
    )
    html = page.content.decode()
    assert page.status_code == 200
    assert "2 people need to be asked again." in html
    assert "Vormann" not in html and 'class="reconsent-row"' not in html


def test_the_dpo_sees_who_and_the_list_is_audited(dpo_client, reconsent_due):
    html = dpo_client.get(reverse("admin:consents_consentpurpose_reconsent", args=[reconsent_due.pk])).content.decode()
    assert html.count('class="reconsent-row"') == 2 and "Vormann0" in html
    entry = AuditEntry.objects.filter(object_type="consents.consent", action="view").latest("seq")
    assert sorted(entry.detail.split(": ")[1].split(",")) == sorted(str(c.pk) for c in Consent.objects.all())


@pytest.mark.parametrize("had_consent", [True, False])
def test_support_withdrawing_a_health_data_consent_learns_nothing_about_it(client, support_user, had_consent):
    person = DataSubjectFactory()
    if had_consent:
        consent_on_paper(person, "event-health-data")
    client.force_login(support_user)
    purpose = ConsentPurpose.objects.get(code="event-health-data")
    form = {"subject": person.pk, "purpose": purpose.pk, "channel": "phone", "source": "call 7"}
    page = client.post(reverse("admin:consents_consent_withdraw"), form, follow=True).content.decode()
    assert "Der Widerruf ist erfasst" in page
    assert "widerrufen." not in page and "Nichts wurde widerrufen" not in page
    if had_consent:
        assert Consent.objects.get(subject=person).withdrawn_at is not None  # withdrawn all the same


def test_the_dpo_is_told_what_a_health_data_withdrawal_found(dpo_client):
    person = DataSubjectFactory()
    consent_on_paper(person, "event-health-data")
    purpose = ConsentPurpose.objects.get(code="event-health-data")
    form = {"subject": person.pk, "purpose": purpose.pk, "channel": "phone", "source": "call 7"}
    page = dpo_client.post(reverse("admin:consents_consent_withdraw"), form, follow=True).content.decode()
    assert "1 Einwilligung widerrufen." in page


@pytest.mark.parametrize("role", ["support_user", "auditor_user"])
def test_the_admin_s_autocomplete_of_people_is_audited_by_id(client, request, role):
    people = [DataSubjectFactory(last_name=f"Quirrenbach{i}") for i in range(3)]
    client.force_login(request.getfixturevalue(role))
    url = reverse("admin:autocomplete")
    params = {"app_label": "consents", "model_name": "consent", "field_name": "subject", "term": "Quirrenbach"}
    if role == "auditor_user":
        params = {**params, "app_label": "requests_app", "model_name": "datasubjectrequest"}
    answer = client.get(url, params)
    assert answer.status_code == 200 and len(answer.json()["results"]) == 3
    entry = AuditEntry.objects.filter(object_type="subjects.datasubject", action="view").latest("seq")
    assert sorted(entry.detail.split(": ")[1].split(",")) == sorted(str(p.pk) for p in people)
    assert "Quirrenbach" not in entry.detail and entry.fields == ["__str__"]
