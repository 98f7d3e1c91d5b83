import random
from html.parser import HTMLParser

import html5lib
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from screening.demo import load_demo
from screening.models import ScreeningCase, Trigger
from screening.services import list_import, list_parse, subject_screen, subjects_screen
from subjects.models import DataSubject
from subjects.services import subject_create
from tests.factories import DataSubjectFactory

from .conftest import EU_XML

pytestmark = pytest.mark.django_db


@pytest.fixture
def lists(register, eu_version, ofac_version):
    return eu_version, ofac_version


def _cases(n: int) -> None:
    for _ in range(n):
        subject = DataSubjectFactory(first_name="Daniel", last_name="Moreno")
        subject_screen(subject=subject, trigger=Trigger.MANUAL)


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def _more_list_versions(tmp_path) -> None:
    for i in range(3):
        path = tmp_path / f"eu{i}.xml"
        path.write_bytes(EU_XML.read_bytes().replace(b"Leo Manzi", f"Leo Manzi {i}".encode()))
        list_import(parsed=list_parse(path=path, fmt="eu-xml"))


def _more_runs(tmp_path) -> None:
    for _ in range(10):
        subjects_screen(subject_ids=[], trigger=Trigger.MANUAL)


@pytest.mark.parametrize(
    ("url_name", "grow"),
    [
        ("admin:screening_screeningcase_changelist", lambda tmp_path: _cases(18)),
        ("admin:screening_listentry_changelist", _more_list_versions),
        ("admin:screening_listversion_changelist", _more_list_versions),
        ("admin:screening_screeningrun_changelist", _more_runs),
    ],
)
def test_list_pages_use_a_constant_number_of_queries(lists, dpo_client, tmp_path, url_name, grow):
    _cases(2)
    _more_runs(tmp_path)
    few = _queries(dpo_client, reverse(url_name))
    grow(tmp_path)
    assert _queries(dpo_client, reverse(url_name)) == few


def test_the_case_page_shows_candidates_and_decision_buttons(lists, dpo_client):
    _cases(1)
    case = ScreeningCase.objects.get()
    url = reverse("admin:screening_screeningcase_change", args=[case.pk])
    response = dpo_client.get(url)
    assert response.status_code == 200
    content = response.content.decode()
    assert "MORENO, Daniel" in content
    assert reverse("admin:screening_case_decide", args=[case.pk, "clear"]) in content
    assert reverse("admin:screening_case_letter", args=[case.pk, "de"]) in content


def test_a_candidate_s_score_is_written_in_the_page_s_language(lists, dpo_client):
    from django.utils import translation

    _cases(1)
    candidate = ScreeningCase.objects.get().candidates.first()
    candidate.score = 0.876
    with translation.override("de"):
        assert str(candidate).endswith("(0,88)")
    with translation.override("en"):
        assert str(candidate).endswith("(0.88)")


def test_opening_the_decision_page_is_audited_under_the_person(lists, dpo_client):
    from audit.models import AuditEntry

    _cases(1)
    case = ScreeningCase.objects.get()
    assert dpo_client.get(reverse("admin:screening_case_decide", args=[case.pk, "confirm"])).status_code == 200
    entry = AuditEntry.objects.filter(action="view").latest("seq")
    assert (entry.object_id, entry.subject_id, entry.detail) == (
        str(case.pk),
        case.subject_id,
        "decision page (confirm)",
    )


def test_the_dpo_clears_a_case_in_the_admin(lists, dpo_client):
    _cases(1)
    case = ScreeningCase.objects.get()
    url = reverse("admin:screening_case_decide", args=[case.pk, "clear"])
    assert dpo_client.get(url).status_code == 200
    assert dpo_client.post(url, {"reason": ""}).status_code == 200  # the form asks for a reason
    case.refresh_from_db()
    assert case.status == "open"
    dpo_client.post(reverse("admin:screening_case_contacted", args=[case.pk]))
    response = dpo_client.post(url, {"reason": "ID card checked: different person."})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == "cleared"
    assert not DataSubject.objects.get(pk=case.subject_id).is_blocked


class _NestedForms(HTMLParser):
    """Counts <form> tags opened inside another form, as written (a browser drops them silently)."""

    def __init__(self):
        super().__init__()
        self.open = self.nested = 0

    def handle_starttag(self, tag, attrs):
        if tag == "form":
            self.nested += self.open > 0
            self.open += 1

    def handle_endtag(self, tag):
        if tag == "form":
            self.open -= 1


def _form_of(page: str, label: str):
    """The form a browser submits with the button labelled `label`: its `form` attribute, else the enclosing form."""
    tree = html5lib.parse(page, treebuilder="lxml", namespaceHTMLElements=False)
    [button] = tree.xpath(
        "//*[(self::input or self::button) and (@value=$label or normalize-space()=$label)]", label=label
    )
    if button.get("form"):
        [form] = tree.xpath("//form[@id=$id]", id=button.get("form"))
        return form
    return next(button.iterancestors("form"))


def test_the_verification_letter_button_posts_its_own_form(lists, dpo_client):
    _cases(1)
    case = ScreeningCase.objects.get()
    page = dpo_client.get(reverse("admin:screening_screeningcase_change", args=[case.pk])).content.decode()
    nesting = _NestedForms()
    nesting.feed(page)
    assert nesting.nested == 0
    form = _form_of(page, "Schreiben zur Identitätsprüfung versandt")
    action = reverse("admin:screening_case_contacted", args=[case.pk])
    assert (form.get("method"), form.get("action")) == ("post", action)
    fields = {i.get("name"): i.get("value") for i in form.iter("input") if i.get("name")}
    assert "csrfmiddlewaretoken" in fields
    response = dpo_client.post(action, fields)
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == "contacted" and case.letter_sent_at is not None
    page = dpo_client.get(reverse("admin:screening_screeningcase_change", args=[case.pk])).content.decode()
    assert 'form="screening-case-contacted"' not in page and 'id="screening-case-contacted"' not in page


def test_the_letter_is_a_pdf(lists, dpo_client):
    _cases(1)
    case = ScreeningCase.objects.get()
    response = dpo_client.get(reverse("admin:screening_case_letter", args=[case.pk, "en"]))
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


@pytest.mark.parametrize("user_fixture", ["support_user", "auditor_user"])
def test_only_the_dpo_decides(lists, client, request, user_fixture):
    _cases(1)
    case = ScreeningCase.objects.get()
    client.force_login(request.getfixturevalue(user_fixture))
    response = client.post(reverse("admin:screening_case_decide", args=[case.pk, "confirm"]), {"reason": "x"})
    assert response.status_code == 403
    assert client.post(reverse("admin:screening_case_contacted", args=[case.pk])).status_code == 403
    case.refresh_from_db()
    assert case.status == "open"


def test_support_does_not_see_cases(lists, client, support_user):
    client.force_login(support_user)
    assert client.get(reverse("admin:screening_screeningcase_changelist")).status_code == 403


def test_list_data_cannot_be_changed_in_the_admin(lists, dpo_client):
    assert dpo_client.get(reverse("admin:screening_listversion_add")).status_code == 403


def test_the_demo_shows_a_case(register):
    subjects = [subject_create(first_name="Erika", last_name=f"Muster{i}") for i in range(5)]
    load_demo(subjects=subjects, rng=random.Random(1), log=lambda msg: None)
    assert ScreeningCase.objects.filter(status="open").count() == 2
    assert DataSubject.objects.filter(is_blocked=True).count() == 2


def test_the_letter_names_how_to_reach_the_data_protection_officer(lists):
    from screening.services import case_letter

    _cases(1)
    html = case_letter(case=ScreeningCase.objects.get(), as_pdf=False, language="en")
    assert "Data protection officer: info@cplus-gmbh.de" in " ".join(html.split())


@pytest.mark.parametrize(
    ("language", "objection", "authority"),
    [
        (
            "de",
            "widersprechen (Art. 21 DSGVO)",
            "Die für uns zuständige Aufsichtsbehörde ist: Unabhängiges Landeszentrum",
        ),
        ("en", "object to it on grounds relating to your particular situation (Art. 21 GDPR)", "competent for us is: "),
    ],
)
def test_the_letter_names_the_right_to_object_and_the_competent_authority(lists, language, objection, authority):
    from screening.services import case_letter

    _cases(1)
    letter = " ".join(case_letter(case=ScreeningCase.objects.get(), as_pdf=False, language=language).split())
    assert objection in letter and authority in letter


def test_an_english_letter_writes_the_salutation_in_english(lists):
    from screening.services import case_letter

    _cases(1)
    case = ScreeningCase.objects.get()
    DataSubject.objects.filter(pk=case.subject_id).update(salutation="Frau")
    case.refresh_from_db()
    english = " ".join(case_letter(case=case, as_pdf=False, language="en").split())
    german = " ".join(case_letter(case=case, as_pdf=False, language="de").split())
    assert "Dear Ms Daniel Moreno," in english and "Frau" not in english
    assert "Frau Daniel Moreno" in german


def test_the_german_letter_goes_on_in_lower_case_after_the_salutation(lists):
    """In German the sentence after "Guten Tag …," continues in lower case; in English it starts a new one."""
    from screening.services import case_letter

    _cases(1)
    case = ScreeningCase.objects.get()
    german = " ".join(case_letter(case=case, as_pdf=False, language="de").split())
    english = " ".join(case_letter(case=case, as_pdf=False, language="en").split())
    assert "Daniel Moreno,</p> <p>bevor wir mit jemandem Geschäfte machen" in german
    assert "Bevor wir" not in german
    assert "Daniel Moreno,</p> <p>Before we do business" in english


def test_the_case_s_history_shows_the_letter_and_the_decision(lists, dpo_client):
    _cases(1)
    case = ScreeningCase.objects.get()
    dpo_client.post(reverse("admin:screening_case_contacted", args=[case.pk]))
    dpo_client.post(reverse("admin:screening_case_decide", args=[case.pk, "confirm"]), {"reason": "Passport checked."})
    history = dpo_client.get(reverse("admin:screening_screeningcase_history", args=[case.pk])).content.decode()
    assert "Schreiben zur Identitätsprüfung versandt" in history
    assert "Begründung der Entscheidung" in history
    assert "Passport checked" not in history  # names the fields, never their values


def test_a_decided_case_offers_no_second_decision(lists, dpo_client):
    _cases(1)
    case = ScreeningCase.objects.get()
    url = reverse("admin:screening_case_decide", args=[case.pk, "clear"])
    dpo_client.post(url, {"reason": "ID card checked: different person."})
    response = dpo_client.get(reverse("admin:screening_case_decide", args=[case.pk, "confirm"]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("admin:screening_screeningcase_change", args=[case.pk])
    assert "Über diesen Fall ist bereits entschieden." in response.content.decode()


def test_the_letter_is_addressed_to_the_person_s_postal_address(lists):
    from screening.services import case_letter
    from tests.factories import PostalAddressFactory

    _cases(1)
    case = ScreeningCase.objects.get()
    PostalAddressFactory(subject=case.subject, street="Alte Straße 9", postal_code="10115", city="Berlin")
    PostalAddressFactory(
        subject=case.subject, street="Rue de Rivoli 1", postal_code="75001", city="Paris", country="FR"
    )
    html = " ".join(case_letter(case=case, as_pdf=False, language="de").split())
    assert "Daniel Moreno<br>Rue de Rivoli 1<br>75001 Paris<br>Frankreich</p>" in html


def test_without_a_postal_address_the_letter_names_the_e_mail_address(lists):
    from screening.services import case_letter
    from tests.factories import EmailAddressFactory

    _cases(1)
    case = ScreeningCase.objects.get()
    EmailAddressFactory(subject=case.subject, email="d.moreno@example.org")
    html = " ".join(case_letter(case=case, as_pdf=False, language="en").split())
    assert "Daniel Moreno<br>d.moreno@example.org</p>" in html


def test_screening_runs_name_the_list_versions_they_screened_against(lists, dpo_client):
    eu, ofac = lists
    run = subjects_screen(subject_ids=[], trigger=Trigger.MANUAL)
    page = dpo_client.get(reverse("admin:screening_screeningrun_changelist")).content.decode()
    assert f"{eu}; {ofac}" in page and f">{eu.pk},{ofac.pk}<" not in page
    page = dpo_client.get(reverse("admin:screening_screeningrun_change", args=[run.pk])).content.decode()
    assert f"{eu}; {ofac}" in page


@pytest.mark.django_db(transaction=True)
def test_the_export_permission_is_named_for_what_it_allows():
    from django.contrib.auth.models import Permission
    from django.db.migrations.executor import MigrationExecutor

    before, after = [("screening", "0003_rescreen_progress")], [("screening", "0004_export_permission_name")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    Permission.objects.filter(codename="export_screeningcase").update(name="Can export confirmed screening cases")
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(after)
    assert Permission.objects.get(codename="export_screeningcase").name == "Can export screening cases (CSV)"
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())  # the newest schema for the tests after this one


def test_the_person_s_page_names_the_block_in_the_page_s_language(lists, client, auditor_user):
    """The reason is stored in German for the systems that read it; the English page read "Möglicher Treffer"."""
    _cases(1)
    case = ScreeningCase.objects.get()
    assert case.subject.blocked_reason.startswith("Möglicher Treffer")
    client.force_login(auditor_user)
    url = reverse("admin:subjects_datasubject_change", args=[case.subject_id])
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f"Possible sanctions list match, screening case {case.pk}" in english
    assert "Möglicher Treffer" not in english
    german = client.get(url, HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert f"Möglicher Treffer auf einer Sanktionsliste, Prüffall {case.pk}" in german
