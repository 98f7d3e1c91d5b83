"""Error pages speak the user's language and lead back, instead of Django's bare English ones."""

import pytest
from django.test import Client, RequestFactory
from django.utils import translation
from django.views.defaults import server_error


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "heading", "lang"), [("de", "Zugriff verweigert", 'lang="de"'), ("en", "Access denied", 'lang="en"')]
)
def test_a_page_the_role_does_not_allow(client, support_user, language, heading, lang):
    client.force_login(support_user)
    response = client.get("/admin/auth/user/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 403
    page = response.content.decode()
    assert heading in page and lang in page and 'href="/"' in page


@pytest.mark.django_db
def test_a_page_that_does_not_exist(client):
    response = client.get("/gibt-es-nicht/", HTTP_ACCEPT_LANGUAGE="de")
    assert response.status_code == 404 and "Seite nicht gefunden" in response.content.decode()
    # No static files and no script: a missing manifest or a strict content policy cannot break the page.
    assert "/static/" not in response.content.decode() and "javascript:" not in response.content.decode()


@pytest.mark.django_db
def test_a_form_whose_token_expired(register):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/admin/login/", {"username": "dpo", "password": "x"}, HTTP_ACCEPT_LANGUAGE="de")
    assert response.status_code == 403
    assert (
        "Formular abgelaufen" in response.content.decode()
        and "Es wurde nichts gespeichert" in response.content.decode()
    )


def test_a_server_error_renders_without_a_request_context():
    with translation.override("en"):
        response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500 and "The error has been logged" in response.content.decode()
