"""The list of processing activities, in German and English."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.usefixtures("register")


def test_it_names_the_activities_in_the_page_language(dpo_client):
    url = reverse("admin:dpo_portal_processingactivity_changelist")
    english = dpo_client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Order processing and performance of contracts</a>" in english
    assert "Bestellabwicklung und Vertragsdurchführung" not in english
    assert "Name (German)" not in english
    german = dpo_client.get(url).content.decode()
    assert "Bestellabwicklung und Vertragsdurchführung</a>" in german
    assert "Order processing and performance of contracts" not in german


def test_it_filters_the_activities_that_transfer_data_outside_the_eea(client, auditor_user):
    """ "Which processing happens outside the EEA?": the list answers it, with the transfer basis in the row."""
    from dpo_portal.models import ProcessingActivity

    client.force_login(auditor_user)
    url = reverse("admin:dpo_portal_processingactivity_changelist")
    outside = client.get(url, {"third_country": "yes"}, HTTP_ACCEPT_LANGUAGE="en")
    listed = {a.code for a in outside.context["cl"].result_list}
    assert listed == set(ProcessingActivity.objects.with_third_country().values_list("code", flat=True))
    assert "google-ads-conversion" in listed
    assert "EU-U.S. Data Privacy Framework" in outside.content.decode()
    inside = {a.code for a in client.get(url, {"third_country": "no"}).context["cl"].result_list}
    assert inside and not inside & listed
    assert len(inside | listed) == ProcessingActivity.objects.count()
