"""The support desk at /support/: intake, bad input, roles, the queue."""

import datetime
import re

import pytest
import time_machine
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from requests_app.models import DataSubjectRequest, RequestItem, RequestType, TimelineEntry
from requests_app.services import ItemSpec, request_log
from subjects.models import DataSubject
from tests.factories import DataSubjectFactory, EmailAddressFactory, request_with
from tests.requests_app.helpers import search

pytestmark = pytest.mark.django_db

URL = reverse("requests_app:intake")

EML = (
    "From: =?utf-8?q?J=C3=BCrgen_Weber?= <J.Weber@example.org>\r\n"
    "To: info@cplus-gmbh.de\r\n"
    "Subject: Auskunft nach Art. 15\r\n"
    "Date: Mon, 03 Mar 2025 10:15:00 +0100\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "Content-Transfer-Encoding: 8bit\r\n"
    "\r\n"
    "Bitte teilen Sie mir mit, welche Daten Sie über mich speichern.\r\n"
).encode()


def post(client, **data):
    payload = {"channel": "phone", "language": "de", "identity_result": "pending", **data}
    return client.post(URL, payload)


@time_machine.travel(datetime.datetime(2025, 5, 19, 10, 0, tzinfo=datetime.UTC))
def test_it_logs_a_phone_request_with_receipt_number_and_due_date(support_client, support_user, register):
    subject = DataSubjectFactory()
    response = post(
        support_client,
        subject=subject.pk,
        requester_name="Maria Weber",
        requester_phone="+49 4102 12345",
        kinds=["access", "objection"],
        objection_activity=_marketing_activity().pk,
        description="Will wissen, was gespeichert ist, und keine Newsletter mehr.",
    )
    req = DataSubjectRequest.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("requests_app:receipt", args=[req.pk])
    assert req.receipt_number == "DSR-2025-00001"
    assert req.due_on == datetime.date(2025, 6, 19)
    assert req.logged_by == support_user
    assert sorted(req.kinds()) == ["access", "objection"]
    page = support_client.get(response.url)
    assert "DSR-2025-00001" in page.content.decode()
    assert "19.06.2025" in page.content.decode()


def _marketing_activity():
    from dpo_portal.models import ProcessingActivity

    return ProcessingActivity.objects.filter(is_marketing=True, objection_possible=True).first()


def test_it_fills_the_form_from_an_eml_and_keeps_it_as_evidence(support_client, register):
    upload = SimpleUploadedFile("anfrage.eml", EML, content_type="message/rfc822")
    response = post(support_client, kinds=["access"], eml=upload, channel="phone")
    assert response.status_code == 302, response.context["form"].errors
    req = DataSubjectRequest.objects.get()
    assert req.channel == "email"
    assert req.requester_name == "Jürgen Weber"
    assert req.requester_email == "j.weber@example.org"
    assert req.received_at == datetime.datetime(2025, 3, 3, 9, 15, tzinfo=datetime.UTC)
    assert "welche Daten" in req.description
    entry = req.timeline.get(kind=TimelineEntry.Kind.MESSAGE_IN)
    assert entry.title == "Auskunft nach Art. 15"
    with entry.attachment.open("rb") as f:
        assert f.read() == EML


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3 binary", "keine E-Mail (.eml): sie hat keinen Absender."),
        (b"Just some notes\nno headers at all", "keine E-Mail (.eml): sie hat keinen Absender."),
        (b"From: a@example.org\r\nDate: the day before yesterday\r\n\r\nbody", "Datum"),
        (b"Subject: nothing\r\nTo: x@example.org\r\n\r\nno sender", "keine E-Mail (.eml): sie hat keinen Absender."),
    ],
)
def test_it_refuses_a_bad_eml_and_saves_nothing(support_client, register, content, message):
    upload = SimpleUploadedFile("x.eml", content)
    response = post(support_client, kinds=["access"], eml=upload, requester_name="A B", requester_email="a@example.org")
    assert response.status_code == 200
    assert message in str(response.context["form"].errors["eml"])
    assert not DataSubjectRequest.objects.exists()


def test_it_refuses_a_huge_eml(support_client, register, settings):
    settings.REQUESTS_EML_MAX_BYTES = 1024
    upload = SimpleUploadedFile("big.eml", EML + b"x" * 2000)
    response = post(support_client, kinds=["access"], eml=upload)
    assert "zu groß" in str(response.context["form"].errors["eml"])
    assert not DataSubjectRequest.objects.exists()


@pytest.mark.parametrize("name", ["beleg.htm", "anfrage.eml.html", "anfrage.eml.svg", "Beleg"])
def test_it_refuses_an_upload_not_named_eml_and_stores_nothing(support_client, register, settings, name):
    # A From line made a crafted HTML page pass as an e-mail; served as text/html it ran in the DPO's session.
    crafted = b"From: a@example.org\r\n\r\n<script>alert(document.cookie)</script>"
    response = post(support_client, kinds=["access"], eml=SimpleUploadedFile(name, crafted), requester_name="A B")
    assert response.status_code == 200
    assert response.context["form"].errors["eml"] == [
        "Nur als .eml-Datei gespeicherte E-Mails können hochgeladen werden. Speichern Sie die E-Mail im "
        "Mailprogramm als .eml."
    ]
    assert 'href="#id_eml"' in response.content.decode()  # named in the error summary too
    assert not DataSubjectRequest.objects.exists()
    assert not list(settings.MEDIA_ROOT.rglob("*.*"))


def test_it_stores_the_email_under_a_random_name(support_client, register):
    upload = SimpleUploadedFile("Auskunft_Max_Mustermann.EML", EML, content_type="message/rfc822")
    response = post(support_client, kinds=["access"], eml=upload)
    assert response.status_code == 302, response.context["form"].errors
    name = TimelineEntry.objects.get().attachment.name
    assert re.fullmatch(r"requests/evidence/\d{4}/\d{2}/[0-9a-f]{32}\.eml", name)
    assert not any(part.lower() in name.lower() for part in ("Auskunft", "Max", "Mustermann"))


def test_it_requires_a_contact_detail(support_client, register):
    response = post(support_client, kinds=["access"], requester_name="Max Muster")
    assert response.status_code == 200
    assert "mindestens eine" in str(response.context["form"].errors)
    assert not DataSubjectRequest.objects.exists()


def test_it_asks_for_at_least_one_kind_of_request(support_client, register):
    response = post(support_client, requester_name="Max Muster", requester_email="max@example.org")
    assert response.context["form"].errors["kinds"] == ["Kreuzen Sie mindestens ein Anliegen der Person an."]
    assert not DataSubjectRequest.objects.exists()


def test_it_refuses_a_received_date_in_the_future(support_client, register):
    tomorrow = (timezone.localtime() + datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = post(
        support_client,
        kinds=["access"],
        requester_name="Max Muster",
        requester_email="m@example.org",
        received_at=tomorrow,
    )
    assert response.status_code == 200
    assert "Zukunft" in str(response.context["form"].errors)
    assert not DataSubjectRequest.objects.exists()


def test_it_refuses_an_unknown_subject_id(support_client, register):
    response = post(
        support_client, kinds=["access"], subject=999999, requester_name="Max Muster", requester_email="m@example.org"
    )
    assert response.status_code == 200
    assert "keine betroffene Person" in str(response.context["form"].errors["subject"])
    assert not DataSubjectRequest.objects.exists()


def test_it_requires_the_details_each_right_needs(support_client, register):
    response = post(
        support_client,
        kinds=["copy", "restriction", "rectification"],
        requester_name="Max Muster",
        requester_email="m@example.org",
        copy_recipient="controller",
        export_format="json",
        details="   ",
    )
    errors = str(response.context["form"].errors)
    assert "Verantwortlichen" in errors
    assert "Einschränkung" in errors
    assert response.context["form"].errors["details"] == [
        "Geben Sie an, welche Daten unrichtig sind und wie sie berichtigt werden sollen."
    ]
    assert not DataSubjectRequest.objects.exists()
    assert not RequestItem.objects.exists()


def test_each_right_keeps_only_its_own_details(support_client, register):
    # The form sends the copy's format and recipient with every ticked right; only the copy may keep them.
    subject = DataSubjectFactory()
    response = post(
        support_client,
        subject=subject.pk,
        kinds=["access", "copy", "restriction"],
        requester_name="Max Muster",
        requester_email="m@example.org",
        export_format="both",
        copy_recipient="person",
        restriction_ground="accuracy",
    )
    assert response.status_code == 302
    items = {i.kind: i for i in RequestItem.objects.all()}
    assert (items["copy"].export_format, items["copy"].copy_recipient) == ("both", "person")
    for kind in ("access", "restriction"):
        assert (items[kind].export_format, items[kind].copy_recipient, items[kind].copy_recipient_name) == ("", "", "")
    assert items["restriction"].restriction_ground == "accuracy"


def test_the_service_refuses_a_rectification_without_details(support_user, register):
    with pytest.raises(ValidationError) as exc:
        request_log(
            actor=support_user,
            channel="phone",
            received_at=timezone.now(),
            requester_name="Max Muster",
            requester_phone="+49 4102 12345",
            items=[ItemSpec(kind=RequestType.ACCESS), ItemSpec(kind=RequestType.RECTIFICATION)],
        )
    assert [e.code for e in exc.value.error_dict["details"]] == ["rectification_details"]
    assert not DataSubjectRequest.objects.exists()
    result = request_log(
        actor=support_user,
        channel="phone",
        received_at=timezone.now(),
        requester_name="Max Muster",
        requester_phone="+49 4102 12345",
        items=[ItemSpec(kind=RequestType.RECTIFICATION, details="Die Anschrift ist veraltet.")],
    )
    assert result.request.items.get().details == "Die Anschrift ist veraltet."


def test_each_error_shows_once_at_its_field(support_client, register):
    response = post(support_client, kinds=["objection"], requester_name="Max Muster", requester_email="m@example.org")
    message = "Wählen Sie die Verarbeitungstätigkeit, der widersprochen wird."
    assert response.status_code == 200
    assert response.context["form"].errors["objection_activity"] == [message]
    assert NON_FIELD_ERRORS not in response.context["form"].errors
    assert response.content.decode().count(message) == 1
    assert not DataSubjectRequest.objects.exists()


def test_an_error_of_the_whole_form_shows_once(support_client, register):
    response = post(support_client, kinds=["access"], requester_name="Max Muster")
    message = response.context["form"].non_field_errors()[0]
    assert "mindestens eine" in message
    assert response.content.decode().count(message) == 1


def test_it_warns_of_an_open_request_of_the_same_type(support_client, support_user, register):
    existing = request_with(RequestType.ACCESS, state=DataSubjectRequest.State.RECEIVED, logged_by=support_user)
    data = {
        "subject": existing.subject.pk,
        "kinds": ["access"],
        "requester_name": "X Y",
        "requester_email": "x@example.org",
    }
    response = post(support_client, **data)
    assert response.status_code == 200
    assert existing.receipt_number in response.content.decode()
    assert DataSubjectRequest.objects.count() == 1
    response = post(support_client, confirm_duplicate="on", **data)
    assert response.status_code == 302
    assert DataSubjectRequest.objects.count() == 2


def test_it_finds_subjects_by_email_phone_customer_number_and_name(support_client, register):
    subject = DataSubjectFactory(first_name="Maria", last_name="Weber", customer_number="K-4711")
    EmailAddressFactory(subject=subject, email="maria.weber@example.org")
    DataSubjectFactory(last_name="Schulz")
    for query in ("maria.weber@example.org", "K-4711", "Maria Weber", "weber"):
        response = search(support_client, URL, query)
        assert [s.pk for s in response.context["search_results"]] == [subject.pk], query


def test_it_creates_a_subject_when_asked(support_client, register):
    response = post(
        support_client,
        kinds=["complaint"],
        requester_name="Anna Neu",
        requester_email="a@example.org",
        create_subject="on",
    )
    assert response.status_code == 302
    subject = DataSubject.objects.get(last_name="Neu")
    assert DataSubjectRequest.objects.get().subject == subject


def test_the_auditor_cannot_use_the_support_desk(auditor_client, register):
    assert auditor_client.get(URL).status_code == 403
    assert auditor_client.get(reverse("requests_app:queue")).status_code == 403


def test_anonymous_users_are_sent_to_log_in(client, db):
    response = client.get(URL)
    assert response.status_code == 302
    assert "/login/" in response.url


def test_each_support_user_sees_only_their_own_queue(support_client, support_user, register, django_user_model):
    mine = request_with(RequestType.ACCESS, logged_by=support_user)
    other = request_with(RequestType.ACCESS, logged_by=django_user_model.objects.create_user("other"))
    page = support_client.get(reverse("requests_app:queue")).content.decode()
    assert mine.receipt_number in page
    assert other.receipt_number not in page
    assert support_client.get(reverse("requests_app:receipt", args=[other.pk])).status_code == 404


def test_the_queue_and_the_receipt_are_audited_by_id(support_client, support_user, register, django_assert_num_queries):
    from audit.models import AuditEntry

    requests = [request_with(RequestType.ACCESS, logged_by=support_user) for _ in range(3)]
    for _more in range(2):  # as many queries for 3 requests as for 6: none per row
        with django_assert_num_queries(15):  # session, user, permissions, count, page, items, one audit write
            support_client.get(reverse("requests_app:queue"))
        request_with(RequestType.ERASURE, logged_by=support_user)
    listed = AuditEntry.objects.filter(object_type="requests_app.datasubjectrequest", action="view").last()
    assert all(str(r.pk) in listed.detail for r in requests)
    support_client.get(reverse("requests_app:receipt", args=[requests[0].pk]))
    viewed = AuditEntry.objects.filter(object_id=str(requests[0].pk), action="view").last()
    assert viewed.actor_id == support_user.pk and "requester_name" in viewed.fields
    for entry in AuditEntry.objects.all():
        assert requests[0].requester_name not in f"{entry.detail} {entry.fields}"


def test_the_form_s_labels_start_with_a_capital(support_client, register):
    page = " ".join(support_client.get(URL, HTTP_ACCEPT_LANGUAGE="de").content.decode().split())
    assert "> Eingegangen" in page and "> Der Antrag in den Worten" in page
    assert "> eingegangen" not in page and "> der Antrag in den Worten" not in page


@pytest.mark.parametrize("language", ["de", "en"])
def test_the_receipt_s_labels_and_the_queue_s_headings_start_with_a_capital(
    support_client, support_user, register, language
):
    req = request_with(RequestType.ACCESS, logged_by=support_user)
    subject = req.subject
    headers = {"accept-language": language}
    pages = [
        support_client.get(reverse("requests_app:receipt", args=[req.pk]), headers=headers),
        support_client.get(reverse("requests_app:queue"), headers=headers),
        search(support_client, URL, subject.last_name, headers=headers),  # the search's result table
    ]
    labels = [
        label.strip()
        for page in pages
        for label in re.findall(r"<(?:dt|th)[^>]*>([^<]*)</(?:dt|th)>", page.content.decode())
        if label.strip()
    ]
    assert len(labels) >= 5 + 6 + 4
    assert [label for label in labels if not label[0].isupper()] == []


def test_a_failed_submit_starts_with_a_summary_linking_each_field_in_error(support_client, register):
    response = post(support_client, requester_email="max@", kinds=[])
    page = response.content.decode()
    summary = re.search(r'<div class="alert alert-danger" id="error-summary"[^>]*>(.*?)</div>', page, re.S)
    assert summary, "no error summary"
    assert "autofocus" in summary.group(0) and 'tabindex="-1"' in summary.group(0)
    links = re.findall(r'<a href="#([^"]+)">([^<]+)</a>', summary.group(1))
    assert links == [
        ("id_requester_name", "Name des Antragstellers"),
        ("id_requester_email", "E-Mail des Antragstellers"),
        ("id_kinds_0", "Was verlangt die Person?"),
    ]
    assert page.index('id="error-summary"') < page.index('id="id_channel"')  # before the first field
    assert "error-summary" not in support_client.get(URL).content.decode()


def test_an_unknown_subject_in_the_summary_links_to_the_search(support_client, register):
    page = post(support_client, kinds=["access"], subject=999999, requester_name="Max Muster").content.decode()
    assert '<a href="#id_q">' in page


def test_it_warns_of_the_same_request_again_without_a_known_subject(support_client, register):
    # The same e-mail sent twice, or the form sent again after "back": no subject to compare, the requester is.
    data = {"kinds": ["erasure"], "requester_name": "Klaus Zweimal", "requester_email": "klaus@example.org"}
    assert post(support_client, channel="email", **data).status_code == 302
    first = DataSubjectRequest.objects.get()
    for again in (data, {**data, "requester_email": "KLAUS@example.org "}, {**data, "requester_email": ""}):
        response = post(support_client, channel="email", **again)
        assert response.status_code == 200
        assert first.receipt_number in response.content.decode()
        assert DataSubjectRequest.objects.count() == 1
    assert post(support_client, **{**data, "kinds": ["access"]}).status_code == 302  # another right: no warning
    assert (
        post(
            support_client, **{**data, "requester_name": "Jana Anders", "requester_email": "j@example.org"}
        ).status_code
        == 302
    )
    assert post(support_client, confirm_duplicate="on", **data).status_code == 302
    assert DataSubjectRequest.objects.count() == 4


def test_switching_the_language_mid_form_keeps_what_was_typed(support_client, register):
    subject = DataSubjectFactory(first_name="Maria", last_name="Weber")
    typed = {
        "subject": subject.pk,
        "channel": "letter",
        "requester_name": "Maria Weber",
        "kinds": ["access", "erasure"],
        "description": "Bitte alles löschen.",
    }
    response = support_client.post(URL, {**typed, "switch_language": "en"})
    assert response.status_code == 200
    assert response.cookies["django_language"].value == "en"
    page = response.content.decode()
    assert '<html lang="en">' in page and "Log a data protection request" in page
    form = response.context["form"]
    assert not form.is_bound  # shown again, not checked: no errors for what is still to be filled in
    assert form.initial["requester_name"] == "Maria Weber" and form.initial["kinds"] == ["access", "erasure"]
    assert 'value="Maria Weber"' in page and "Bitte alles löschen." in page
    assert 'value="letter" selected' in page
    assert response.context["subject"] == subject
    assert not DataSubjectRequest.objects.exists()
    # The desk stays in English, on every page.
    assert "Requests I logged" in support_client.get(reverse("requests_app:queue")).content.decode()


def test_the_language_buttons_send_the_intake_form_along(support_client, register):
    page = support_client.get(URL).content.decode()
    buttons = re.findall(r"<button[^>]*switch_language[^>]*>", page)
    assert len(buttons) == 2 and all('form="intake-form"' in b for b in buttons)
    assert 'id="intake-form"' in page
    assert "onchange" not in page  # no select that leaves the page at the first arrow key


def _expired(client):
    # The session ran out (SESSION_COOKIE_AGE): its cookie names no session any more; the CSRF cookie stays.
    client.cookies.pop("sessionid", None)


def test_a_form_sent_after_the_session_expired_is_kept_across_logging_in(support_client, support_user, register):
    _expired(support_client)
    typed = {"kinds": ["access"], "requester_name": "Sabine Sitzung", "requester_email": "s@example.org"}
    response = post(support_client, description="Ein langer Text, der nicht verloren gehen darf.", **typed)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Ihre Sitzung ist abgelaufen" in page
    assert 'name="requester_name" value="Sabine Sitzung"' in page
    assert "Ein langer Text, der nicht verloren gehen darf." in page
    assert not DataSubjectRequest.objects.exists()
    carried = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page))
    # A wrong password: asked again, still carrying everything.
    response = support_client.post(URL, {**carried, "username": "support", "password": "wrong"})
    assert "Ihre Sitzung ist abgelaufen" in response.content.decode()
    assert "Sabine Sitzung" in response.content.decode()
    response = support_client.post(
        URL, {**carried, "kinds": ["access"], "username": "support", "password": "pw-for-tests-only"}
    )
    req = DataSubjectRequest.objects.get()
    assert response.status_code == 302 and response.url == reverse("requests_app:receipt", args=[req.pk])
    assert req.logged_by == support_user and req.requester_name == "Sabine Sitzung"
    assert req.description == "Ein langer Text, der nicht verloren gehen darf."
    assert support_client.get(reverse("requests_app:queue")).status_code == 200  # logged in again


def test_after_logging_in_again_an_uploaded_email_is_asked_for_again(support_client, register):
    _expired(support_client)
    upload = SimpleUploadedFile("anfrage.eml", EML, content_type="message/rfc822")
    page = post(support_client, kinds=["erasure"], eml=upload).content.decode()
    assert 'id="upload-lost"' in page and 'name="had_upload" value="1"' in page
    carried = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page))
    response = support_client.post(URL, {**carried, "username": "support", "password": "pw-for-tests-only"})
    assert response.status_code == 200
    assert not DataSubjectRequest.objects.exists()  # not sent without its evidence
    assert "Eine hochgeladene E-Mail muss erneut gewählt werden." in response.content.decode()
    assert response.context["form"].initial["kinds"] == ["erasure"]


def test_logging_in_again_without_the_support_role_is_refused(support_client, register, django_user_model):
    django_user_model.objects.create_user("clerk", password="pw-for-tests-only", is_staff=True)
    _expired(support_client)
    data = {"channel": "phone", "language": "de", "identity_result": "pending", "kinds": ["access"]}
    data |= {"requester_name": "A B", "requester_email": "a@example.org", "relogin": "1"}
    response = support_client.post(URL, {**data, "username": "clerk", "password": "pw-for-tests-only"})
    assert response.status_code == 200
    assert "Ihre Rolle erlaubt diese Seite nicht." in response.content.decode()
    assert "_auth_user_id" not in support_client.session  # not logged in
    assert not DataSubjectRequest.objects.exists()


def test_the_objection_activity_has_the_same_empty_choice_as_the_others(support_client, register):
    page = support_client.get(URL).content.decode()
    assert "---------" not in page
    assert re.search(r'<select name="objection_activity"[^>]*>\s*<option value="" selected>—</option>', page)


def test_the_queue_marks_overdue_requests_in_words(support_client, support_user, register):
    late = request_with(
        RequestType.ACCESS, logged_by=support_user, received_at=timezone.now() - datetime.timedelta(days=60)
    )
    on_time = request_with(RequestType.ACCESS, logged_by=support_user)
    page = support_client.get(reverse("requests_app:queue")).content.decode()
    rows = {r.receipt_number: row for r in (late, on_time) for row in page.split("<tr>") if r.receipt_number in row}
    assert "überfällig" in rows[late.receipt_number]
    assert "überfällig" not in rows[on_time.receipt_number]


def test_the_queue_links_to_its_further_pages(support_client, support_user, register):
    requests = [request_with(RequestType.ACCESS, logged_by=support_user) for _ in range(51)]
    page = support_client.get(reverse("requests_app:queue")).content.decode()
    assert 'id="queue-pages"' in page and 'href="?page=2"' in page
    last = support_client.get(reverse("requests_app:queue"), {"page": 2}).content.decode()
    shown = [r for r in requests if r.receipt_number in last]
    assert len(shown) == 1
    assert 'href="?page=1"' in last


def test_the_receipt_s_details_sit_in_a_card_of_their_own(support_client, support_user, register):
    req = request_with(RequestType.ACCESS, logged_by=support_user)
    page = support_client.get(reverse("requests_app:receipt", args=[req.pk])).content.decode()
    assert '<div class="card mb-3" id="receipt-details"><div class="card-body">\n<dl class="row mb-0">' in page


def _duplicate_of(subject, support_client):
    data = {"subject": subject.pk, "kinds": ["access"], "requester_name": "X Y", "requester_email": "x@example.org"}
    return post(support_client, **data)


def test_the_duplicate_warning_names_only_the_agent_s_own_requests(
    support_client, support_user, register, django_user_model
):
    from audit.models import AuditEntry

    colleague = django_user_model.objects.create_user("colleague")
    subject = DataSubjectFactory()
    received = DataSubjectRequest.State.RECEIVED
    mine = request_with(RequestType.ACCESS, state=received, subject=subject, logged_by=support_user)
    theirs = [
        request_with(RequestType.ACCESS, state=received, subject=subject, logged_by=colleague),
        request_with(RequestType.ACCESS, state=received, subject=subject),  # logged in the admin
    ]
    response = _duplicate_of(subject, support_client)
    page = response.content.decode()
    assert mine.receipt_number in page
    assert [r.receipt_number for r in theirs if r.receipt_number in page] == []  # their receipts are 404 here too
    assert "2 offene Anträge, von anderen erfasst" in page
    assert DataSubjectRequest.objects.count() == 3
    warnings = AuditEntry.objects.filter(detail__startswith="support intake duplicate warning").order_by("seq")
    named, counted = warnings
    assert named.detail == f"support intake duplicate warning, named: {mine.pk}"
    assert named.fields == ["items", "received_at", "receipt_number", "state"]
    assert counted.detail == f"support intake duplicate warning, counted only: {theirs[0].pk},{theirs[1].pk}"
    assert counted.fields == ["items", "state"] and "receipt_number" not in counted.fields
    assert {named.subject_id, counted.subject_id} == {subject.pk}
    assert {named.actor_id, counted.actor_id} == {support_user.pk}


def test_a_colleague_s_open_request_is_only_counted(support_client, register, django_user_model):
    colleague = django_user_model.objects.create_user("colleague")
    theirs = request_with(RequestType.ACCESS, state=DataSubjectRequest.State.RECEIVED, logged_by=colleague)
    response = _duplicate_of(theirs.subject, support_client)
    page = response.content.decode()
    warning = re.search(r'<div class="alert alert-warning" id="duplicate-warning".*?</div>', page, re.S).group(0)
    assert "1 offener Antrag, von jemand anderem erfasst" in warning
    assert theirs.receipt_number not in page and theirs.get_state_display() not in warning
    assert theirs.received_at.astimezone().strftime("%d.%m.%Y") not in warning
    assert 'name="confirm_duplicate"' in warning  # still logged only when confirmed
    data = {"channel": "phone", "language": "de", "identity_result": "pending", "kinds": ["access"]}
    data |= {"subject": theirs.subject.pk, "requester_name": "X Y", "requester_email": "x@example.org"}
    english = support_client.post(URL, data, headers={"accept-language": "en"})
    assert "1 open request logged by someone else" in english.content.decode()


def test_whoever_fulfils_requests_sees_them_all_named(dpo_client, register, django_user_model):
    colleague = django_user_model.objects.create_user("colleague")
    theirs = request_with(RequestType.ACCESS, state=DataSubjectRequest.State.RECEIVED, logged_by=colleague)
    page = _duplicate_of(theirs.subject, dpo_client).content.decode()
    assert theirs.receipt_number in page and "von anderen erfasst" not in page
    assert dpo_client.get(reverse("requests_app:receipt", args=[theirs.pk])).status_code == 200


def test_a_log_in_refused_for_the_role_is_audited_under_that_user(support_client, register, django_user_model):
    from audit.models import AuditEntry

    clerk = django_user_model.objects.create_user("clerk", password="pw-for-tests-only", is_staff=True)
    _expired(support_client)
    data = {"channel": "phone", "language": "de", "identity_result": "pending", "kinds": ["access"]}
    data |= {"requester_name": "Anna Bauer", "requester_email": "anna.bauer@example.org", "relogin": "1"}
    response = support_client.post(URL, {**data, "username": "clerk", "password": "pw-for-tests-only"})
    assert "Ihre Rolle erlaubt diese Seite nicht." in response.content.decode()
    entry = AuditEntry.objects.get(action=AuditEntry.Action.DENIED)
    assert (entry.actor_id, entry.actor_name) == (clerk.pk, "clerk")
    assert entry.detail == "support desk re-login refused at /support/new/: lacks requests_app.log_request"
    assert entry.fields == [] and entry.subject_id is None
    # A wrong password is a failed log-in (audited as such, without the name typed), not a refusal.
    support_client.post(URL, {**data, "username": "clerk", "password": "wrong"})
    assert AuditEntry.objects.filter(action=AuditEntry.Action.DENIED).count() == 1
    assert AuditEntry.objects.filter(action=AuditEntry.Action.LOGIN_FAILED).count() == 1
