"""The request page in the admin (/admin/requests_app/datasubjectrequest/<id>/change/), as the DPO reads it."""

import re
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

import requests_app
from requests_app.models import RequestType
from tests.factories import request_with

pytestmark = pytest.mark.django_db


def _page(client, req) -> str:
    response = client.get(reverse("admin:requests_app_datasubjectrequest_change", args=[req.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_it_shows_no_template_comment(dpo_client, register):
    req = request_with(RequestType.ACCESS)
    done = request_with(RequestType.ACCESS)
    done.items.update(done_at=timezone.now(), outcome="fulfilled")  # "Access report again"
    for page in (_page(dpo_client, req), _page(dpo_client, done)):
        assert "{#" not in page and "#}" not in page
        assert "POST only" not in page


def test_no_template_of_the_app_has_a_comment_django_would_print():
    # {# … #} ends at the end of its line: a comment over several lines needs {% comment %}.
    templates = Path(requests_app.__file__).parent / "templates"
    unclosed = [
        f"{path.relative_to(templates)}:{number}"
        for path in templates.rglob("*.*")
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if re.search(r"\{#(?!.*#\})", line)
    ]
    assert unclosed == []
