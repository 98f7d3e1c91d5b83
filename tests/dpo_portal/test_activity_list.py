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
