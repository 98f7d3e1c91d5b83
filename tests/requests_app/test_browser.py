"""Support logs a request in a real browser and reads out the receipt number and the due date."""

import os
import re
from pathlib import Path

import pytest

from requests_app.models import DataSubjectRequest

CHROMIUM = Path("/usr/bin/chromium")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser_page(monkeypatch):
    if not CHROMIUM.exists():
        message = f"needs Chromium at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("REQUIRE_SERVICES", "") not in ("", "0"):
            pytest.fail(message)
        pytest.skip(message)
    playwright = pytest.importorskip("playwright.sync_api")
    # Playwright's sync API runs an event loop; Django must allow its ORM calls from the test thread.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = browser.new_page(locale="de-DE")
        yield page
        browser.close()
        from django.db import connections

        # The ORM calls made while Playwright ran opened a connection of their own; left open, it would keep the
        # test database from being dropped at the end of the session.
        connections.close_all()


def test_support_logs_a_request_and_sees_receipt_number_and_due_date(browser_page, live_server, register):
    from django.contrib.auth.models import Group, User

    from audit.models import AuditChainHead
    from dpo_portal.roles import SUPPORT
    from tests.factories import DataSubjectFactory, EmailAddressFactory

    # An earlier transactional test's flush removes the chain head its migration created.
    AuditChainHead.objects.get_or_create(pk=1)
    user = User.objects.create_user("support", "s@example.org", "pw-for-tests-only", is_staff=True)
    user.groups.add(Group.objects.get(name=SUPPORT))
    subject = DataSubjectFactory(first_name="Maria", last_name="Weber")
    EmailAddressFactory(subject=subject, email="maria.weber@example.org")

    page = browser_page
    page.goto(f"{live_server.url}/support/new/")
    page.fill("#id_username", "support")
    page.fill("#id_password", "pw-for-tests-only")
    page.click("input[type=submit]")
    page.wait_for_url(re.compile(r"/support/new/"))
    page.fill("#id_q", "maria.weber@example.org")
    page.click("button:has-text('Suchen')")
    page.click("a:has-text('Wählen')")
    page.wait_for_selector("#chosen-subject")
    page.select_option("#id_channel", "phone")
    page.check("input[name=kinds][value=access]")
    page.fill("#id_description", "Möchte wissen, was gespeichert ist.")
    page.click("input[name=save]")
    page.wait_for_selector("#receipt-number")

    req = DataSubjectRequest.objects.get()
    assert page.inner_text("#receipt-number") == req.receipt_number
    assert req.due_on.strftime("%d.%m.%Y") in page.inner_text("#due-date")
    assert req.subject == subject and req.logged_by == user
