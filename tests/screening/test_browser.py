"""The DPO records in a real browser that the verification letter went out (a form nested in the admin's
change form posted the change form instead)."""

import re

import pytest

from screening.models import ScreeningCase, Trigger
from screening.services import subject_screen
from tests.factories import DataSubjectFactory
from tests.requests_app.test_browser import browser_page  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_dpo_marks_a_case_as_contacted(browser_page, live_server, register, dpo_user, eu_version, ofac_version):  # noqa: F811
    from audit.models import AuditChainHead

    # An earlier transactional test's flush removes the chain head its migration created.
    AuditChainHead.objects.get_or_create(pk=1)
    subject_screen(subject=DataSubjectFactory(first_name="Daniel", last_name="Moreno"), trigger=Trigger.MANUAL)
    case = ScreeningCase.objects.get()
    url = f"{live_server.url}/admin/screening/screeningcase/{case.pk}/change/"

    page = browser_page
    page.goto(url)
    page.fill("#id_username", "dpo")
    page.fill("#id_password", "pw-for-tests-only")
    page.click("input[type=submit]")
    page.wait_for_url(re.compile(r"/change/$"))
    with page.expect_response(re.compile(r"/contacted/$"), timeout=10_000) as posted:
        page.click("input[value='Schreiben zur Identitätsprüfung versandt']")
    assert posted.value.request.method == "POST" and posted.value.status == 302
    page.wait_for_selector(".messagelist .success")

    case.refresh_from_db()
    assert case.status == ScreeningCase.Status.CONTACTED and case.letter_sent_at is not None
