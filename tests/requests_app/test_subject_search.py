"""The support desk's search for a data subject: umlauts and "ß" however typed, either word order, typos."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from audit.models import AuditEntry
from requests_app.models import DataSubjectRequest
from requests_app.selectors import subject_search
from tests.factories import DataSubjectFactory
from tests.requests_app.helpers import search

pytestmark = pytest.mark.django_db

URL = reverse("requests_app:intake")


@pytest.fixture
def people(register):
    return {
        "koester": DataSubjectFactory(first_name="Myriam", last_name="Köster", company=""),
        "hess": DataSubjectFactory(first_name="Lotte", last_name="Heß", company=""),
        "weiss": DataSubjectFactory(first_name="Jürgen", last_name="Weiss", company=""),
        "oezdemir": DataSubjectFactory(first_name="Ayşe", last_name="Özdemir", company=""),
        "weber": DataSubjectFactory(first_name="Maria", last_name="Weber", company=""),
    }


@pytest.mark.parametrize(
    ("query", "who"),
    [
        ("Koester", "koester"),  # umlaut written out
        ("KÖSTER", "koester"),  # upper-case umlaut (SQLite's LIKE folds ASCII only)
        ("Köster, Myriam", "koester"),  # surname first, with a comma
        ("Myriam Koester", "koester"),
        ("Hess", "hess"),  # ß typed as ss
        ("Lotte Hess", "hess"),
        ("Weiß", "weiss"),  # and the other way round
        ("Jürgen Weiß", "weiss"),
        ("Oezdemir", "oezdemir"),  # an umlaut as the first letter
        ("Ozdemir", "oezdemir"),
    ],
)
def test_it_finds_a_name_however_umlauts_and_sharp_s_are_typed(people, query, who):
    found = subject_search(query)
    assert [s.pk for s in found.subjects] == [people[who].pk], query
    assert not found.similar


@pytest.mark.parametrize(("query", "who"), [("Kster", "koester"), ("Myriam Kösetr", "koester"), ("Webre", "weber")])
def test_it_offers_names_a_typo_away_when_nobody_matches_as_typed(people, query, who):
    found = subject_search(query)
    assert [s.pk for s in found.subjects] == [people[who].pk], query
    assert found.similar


def test_it_offers_no_typo_matches_beside_real_ones(people):
    DataSubjectFactory(first_name="Ina", last_name="Webe", company="")  # one letter from "Weber"
    found = subject_search("Weber")
    assert [s.pk for s in found.subjects] == [people["weber"].pk]
    assert not found.similar


def test_it_does_not_find_erased_people_by_a_similar_name(people):
    from django.utils import timezone

    type(people["hess"]).objects.filter(pk=people["hess"].pk).update(erased_at=timezone.now())
    assert subject_search("Hess").subjects == []
    assert subject_search("Hes").subjects == []


def test_the_page_says_when_it_shows_similar_names(support_client, people):
    page = search(support_client, URL, "Myriam Kster").content.decode()
    assert "Niemand mit genau diesem Namen. Ähnlich geschriebene Namen:" in page
    assert "Köster" in page
    page = search(support_client, URL, "Koester").content.decode()
    assert "Ähnlich geschriebene Namen" not in page and "Köster" in page


def test_a_search_too_short_to_run_does_not_say_nobody_was_found(support_client, people):
    page = search(support_client, URL, "K").content.decode()
    assert "mindestens 2 Zeichen" in page
    assert "Niemand gefunden" not in page
    assert "Niemand gefunden" in search(support_client, URL, "Xyzzy").content.decode()


# --- what the desk shows of a chosen person is audited -------------------------------------------------------


@pytest.mark.parametrize("desk_page", ["intake", "contact_check"])
def test_showing_a_chosen_person_is_audited_once_per_page_without_values(support_client, support_user, desk_page):
    person = DataSubjectFactory(first_name="Myriam", last_name="Köster", customer_number="K-4711")
    url = reverse(f"requests_app:{desk_page}")
    page = support_client.get(url, {"subject": person.pk}).content.decode()
    assert 'id="chosen-subject"' in page and "Köster" in page and "K-4711" in page
    entry = AuditEntry.objects.filter(action=AuditEntry.Action.VIEW, subject_id=person.pk).get()  # one per page
    assert {"first_name", "last_name", "customer_number"} <= set(entry.fields)
    assert entry.actor_id == support_user.pk and entry.object_id == str(person.pk)
    assert "Köster" not in entry.detail and "K-4711" not in entry.detail and "Myriam" not in entry.detail
    # Each look is one more entry: trying ids one after the other leaves a trace per person and page.
    support_client.get(url, {"subject": person.pk})
    assert AuditEntry.objects.filter(action=AuditEntry.Action.VIEW, subject_id=person.pk).count() == 2
    support_client.get(url, {"subject": 999999})
    assert not AuditEntry.objects.filter(detail__contains="999999").exists()


def test_the_chosen_person_shown_again_after_a_check_is_audited(support_client, register):
    person = DataSubjectFactory(last_name="Köster")
    support_client.post(reverse("requests_app:contact_check"), {"subject": person.pk, "channel": "email"})
    shown = AuditEntry.objects.filter(subject_id=person.pk, detail__startswith="support chosen subject").get()
    assert shown.fields == ["customer_number", "first_name", "last_name"]


# --- the search is sent by POST ------------------------------------------------------------------------------


def _search_form(page: str) -> str:
    return re.search(r'<form[^>]*role="search".*?</form>', page, re.S).group(0)


@pytest.mark.parametrize("desk_page", ["intake", "contact_check"])
def test_the_search_is_sent_by_post_and_its_query_never_in_the_url(support_client, people, desk_page):
    url = reverse(f"requests_app:{desk_page}")
    form = _search_form(support_client.get(url).content.decode())
    assert 'method="post"' in form and f'action="{url}"' in form
    assert 'name="csrfmiddlewaretoken"' in form and 'name="search" value="1"' in form
    # A query in the URL (an old bookmark, a link) runs no search: nothing found, nothing shown.
    response = support_client.get(url, {"q": "Koester"})
    assert response.context["search_results"] == [] and "Köster" not in response.content.decode()
    response = search(support_client, url, "Koester")
    assert [s.pk for s in response.context["search_results"]] == [people["koester"].pk]
    # Choosing a result puts only the person's id into the URL.
    page = response.content.decode()
    assert f'href="?subject={people["koester"].pk}"' in page
    assert "Koester" not in "".join(re.findall(r'href="([^"]*)"', page))


@pytest.mark.parametrize("desk_page", ["intake", "contact_check"])
def test_a_search_without_the_csrf_token_is_refused(support_user, people, desk_page):
    client = Client(enforce_csrf_checks=True)
    client.force_login(support_user)
    url = reverse(f"requests_app:{desk_page}")
    assert search(client, url, "Koester").status_code == 403
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', _search_form(client.get(url).content.decode()))
    response = client.post(url, {"csrfmiddlewaretoken": token.group(1), "search": "1", "q": "Koester"})
    assert response.status_code == 200 and "Köster" in response.content.decode()


def test_a_search_is_not_taken_for_the_intake_form(support_client, people):
    response = search(support_client, URL, "Koester")
    assert response.status_code == 200
    assert not response.context["form"].is_bound  # no "required" errors for the empty request
    assert "error-summary" not in response.content.decode()
    assert not DataSubjectRequest.objects.exists()


def test_a_search_is_not_taken_for_the_contact_check(support_client, people):
    response = search(support_client, reverse("requests_app:contact_check"), "Koester")
    assert not response.context["form"].is_bound and "decision" not in response.context
    assert not AuditEntry.objects.filter(detail__startswith="support contact check").exists()


def test_the_results_stay_when_the_intake_form_comes_back_in_another_language(support_client, people):
    page = search(support_client, URL, "Koester").content.decode()
    intake_form = page.split('id="intake-form"')[1]
    assert '<input type="hidden" name="q" value="Koester">' in intake_form  # carried in the body, not the URL
    response = support_client.post(URL, {"q": "Koester", "requester_name": "Myriam", "switch_language": "en"})
    assert [s.pk for s in response.context["search_results"]] == [people["koester"].pk]
    assert (
        'value="Myriam"' in response.content.decode() and "Log a data protection request" in response.content.decode()
    )


def test_a_search_sent_after_the_session_expired_runs_after_logging_in(support_client, people):
    support_client.cookies.pop("sessionid", None)
    page = search(support_client, URL, "Koester").content.decode()
    assert "Ihre Sitzung ist abgelaufen" in page and "Köster" not in page
    carried = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page))
    assert carried["q"] == "Koester" and carried["search"] == "1"
    response = support_client.post(URL, {**carried, "username": "support", "password": "pw-for-tests-only"})
    assert [s.pk for s in response.context["search_results"]] == [people["koester"].pk]
    assert not response.context["form"].is_bound and not DataSubjectRequest.objects.exists()
