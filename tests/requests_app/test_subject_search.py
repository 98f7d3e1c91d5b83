"""The support desk's search for a data subject: umlauts and "ß" however typed, either word order, typos."""

import pytest
from django.urls import reverse

from requests_app.selectors import subject_search
from tests.factories import DataSubjectFactory

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
    page = support_client.get(URL, {"q": "Myriam Kster"}).content.decode()
    assert "Niemand mit genau diesem Namen. Ähnlich geschriebene Namen:" in page
    assert "Köster" in page
    page = support_client.get(URL, {"q": "Koester"}).content.decode()
    assert "Ähnlich geschriebene Namen" not in page and "Köster" in page


def test_a_search_too_short_to_run_does_not_say_nobody_was_found(support_client, people):
    page = support_client.get(URL, {"q": "K"}).content.decode()
    assert "mindestens 2 Zeichen" in page
    assert "Niemand gefunden" not in page
    assert "Niemand gefunden" in support_client.get(URL, {"q": "Xyzzy"}).content.decode()
