"""The subject page in a real browser: wide tables of records scroll inside the page, which stays as wide as
the window (a person with long orders and messages made it 1,634 px wide in a 1,400 px window)."""

import re

import pytest

from tests.factories import CommunicationFactory, OrderFactory, subject_with_everything
from tests.requests_app.test_browser import browser_page  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_subject_page_is_no_wider_than_the_window(browser_page, live_server, register, dpo_user):  # noqa: F811
    from audit.models import AuditChainHead

    AuditChainHead.objects.get_or_create(pk=1)  # an earlier transactional test's flush removed it
    subject = subject_with_everything()
    for _n in range(3):
        OrderFactory(subject=subject, description="Jahreslizenz Finanzbuchhaltung mit Anbindung " * 3)
        CommunicationFactory(subject=subject, subject_line="Rückfrage zur Rechnung und zum Vertrag " * 3)
    page = browser_page
    page.set_viewport_size({"width": 1400, "height": 900})
    page.goto(f"{live_server.url}/admin/subjects/datasubject/{subject.pk}/change/")
    page.fill("#id_username", "dpo")
    page.fill("#id_password", "pw-for-tests-only")
    page.click("input[type=submit]")
    page.wait_for_url(re.compile(r"/change/$"))
    assert page.evaluate("document.documentElement.scrollWidth") <= 1400
