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


@pytest.fixture
def logged_in(browser_page, live_server, register):
    """The browser, logged in at the support desk as a support user (returns the page and the server's URL)."""
    from django.contrib.auth.models import Group, User

    from audit.models import AuditChainHead
    from dpo_portal.roles import SUPPORT

    # An earlier transactional test's flush removes the chain head its migration created.
    AuditChainHead.objects.get_or_create(pk=1)
    user = User.objects.create_user("support", "s@example.org", "pw-for-tests-only", is_staff=True)
    user.groups.add(Group.objects.get(name=SUPPORT))
    page = browser_page
    page.goto(f"{live_server.url}/support/new/")
    page.fill("#id_username", "support")
    page.fill("#id_password", "pw-for-tests-only")
    page.click("input[type=submit]")
    page.wait_for_url(re.compile(r"/support/new/"))
    return page, live_server.url


def test_support_logs_a_request_and_sees_receipt_number_and_due_date(logged_in):
    from django.contrib.auth.models import User

    from tests.factories import DataSubjectFactory, EmailAddressFactory

    user = User.objects.get(username="support")
    subject = DataSubjectFactory(first_name="Maria", last_name="Weber")
    EmailAddressFactory(subject=subject, email="maria.weber@example.org")

    page, _url = logged_in
    page.fill("#id_q", "maria.weber@example.org")
    page.click("button:has-text('Suchen')")
    page.wait_for_selector("a:has-text('Wählen')")
    assert page.url.endswith("/support/new/")  # sent by POST: the address stays out of the URL and the history
    page.click("a:has-text('Wählen')")
    page.wait_for_selector("#chosen-subject")
    assert page.url.endswith(f"/support/new/?subject={subject.pk}")
    page.select_option("#id_channel", "phone")
    page.check("input[name=kinds][value=access]")
    page.fill("#id_description", "Möchte wissen, was gespeichert ist.")
    page.click("input[name=save]")
    page.wait_for_selector("#receipt-number")

    req = DataSubjectRequest.objects.get()
    assert page.inner_text("#receipt-number") == req.receipt_number
    assert req.due_on.strftime("%d.%m.%Y") in page.inner_text("#due-date")
    assert req.subject == subject and req.logged_by == user


def test_a_keyboard_user_lands_on_the_error_summary_and_follows_it_to_the_field(logged_in):
    page, _url = logged_in
    page.fill("#id_requester_email", "max@")
    page.focus("input[name=save]")
    page.keyboard.press("Enter")
    page.wait_for_selector("#error-summary")
    assert page.evaluate("document.activeElement.id") == "error-summary"
    page.keyboard.press("Tab")  # the summary's first link
    assert page.evaluate("document.activeElement.textContent") == "Name des Antragstellers"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    page.keyboard.press("Shift+Tab")
    assert page.evaluate("document.activeElement.id") == "id_requester_name"


def test_switching_the_language_mid_form_keeps_what_was_typed(logged_in):
    page, _url = logged_in
    page.fill("#id_requester_name", "Hans Müller")
    page.check("input[name=kinds][value=erasure]")
    page.fill("#id_description", "Bitte alles löschen.")
    page.click("button[name=switch_language][value=en]")
    page.wait_for_selector("html[lang=en]")
    assert page.inner_text("h1") == "Log a data protection request"
    assert page.input_value("#id_requester_name") == "Hans Müller"
    assert page.input_value("#id_description") == "Bitte alles löschen."
    assert page.is_checked("input[name=kinds][value=erasure]")
    assert page.locator(".invalid-feedback").count() == 0
    assert not DataSubjectRequest.objects.exists()


def test_an_overdue_deadline_shows_in_red_and_in_words(logged_in):
    import datetime

    from django.contrib.auth.models import User
    from django.utils import timezone

    from requests_app.models import RequestType
    from tests.factories import request_with

    page, url = logged_in
    request_with(
        RequestType.ACCESS,
        logged_by=User.objects.get(username="support"),
        received_at=timezone.now() - datetime.timedelta(days=60),
    )
    page.goto(f"{url}/support/")
    cell = page.locator("td.overdue")
    assert "überfällig" in cell.inner_text()
    # Bootstrap's striped table paints its cells' colour itself; the desk's red must win over it.
    assert cell.evaluate("e => getComputedStyle(e).color") == "rgb(176, 0, 32)"


def test_a_session_that_expired_mid_form_logs_the_request_after_logging_in_again(logged_in):
    page, _url = logged_in
    page.fill("#id_requester_name", "Sabine Sitzung")
    page.fill("#id_requester_email", "sabine@example.org")
    page.check("input[name=kinds][value=access]")
    page.fill("#id_description", "Ein langer Text, der nicht verloren gehen darf.")
    cookies = [c for c in page.context.cookies() if c["name"] != "sessionid"]
    page.context.clear_cookies()
    page.context.add_cookies(cookies)
    page.click("input[name=save]")
    page.wait_for_selector("#relogin-form")
    assert not DataSubjectRequest.objects.exists()
    page.fill("#id_username", "support")
    page.fill("#id_password", "pw-for-tests-only")
    page.click("#relogin-form button[type=submit]")
    page.wait_for_selector("#receipt-number")
    req = DataSubjectRequest.objects.get()
    assert page.inner_text("#receipt-number") == req.receipt_number
    assert req.description == "Ein langer Text, der nicht verloren gehen darf."
