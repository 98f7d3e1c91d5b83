import re

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from audit.models import AuditEntry
from consents.models import ApiToken, Consent, ConsentPurpose, ContactChannel, Objection
from consents.services import api_token_create, consent_give, objection_record
from dpo_portal.roles import SUPPORT, role_permissions
from subjects.models import DataSubject
from tests.factories import DataSubjectFactory, EmailAddressFactory


def _consents(n: int) -> None:
    for _ in range(n):
        subject = DataSubjectFactory()
        EmailAddressFactory(subject=subject, email=f"=cmd{subject.pk}@example.org")
        consent_give(
            subject=subject,
            purpose_code="product-news",
            text_version=1,
            channel="paper",
            origin="-form",
            evidence="scan",
        )


def test_the_purpose_page_shows_the_chart_and_its_tools(register, dpo_client):
    _consents(3)
    purpose = ConsentPurpose.objects.get(code="product-news")
    response = dpo_client.get(reverse("admin:consents_consentpurpose_change", args=[purpose.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<svg" in html and "<rect" in html and "<script" not in html.split("<svg")[1].split("</svg>")[0]
    assert reverse("admin:consents_consentpurpose_reconsent", args=[purpose.pk]) in html


def test_consent_history_cannot_be_changed_or_deleted(register, dpo_client):
    _consents(1)
    consent = Consent.objects.get()
    url = reverse("admin:consents_consent_change", args=[consent.pk])
    assert dpo_client.get(url).status_code == 200
    dpo_client.post(url, {"origin": "rewritten"})
    consent.refresh_from_db()
    assert consent.origin == "-form"
    assert (
        dpo_client.post(reverse("admin:consents_consent_delete", args=[consent.pk]), {"post": "yes"}).status_code == 403
    )
    assert Consent.objects.count() == 1


def test_list_pages_need_the_same_queries_for_2_and_20_rows(register, dpo_client):
    counts = []
    for n in (2, 18):
        _consents(n)
        with CaptureQueriesContext(connection) as ctx:
            assert dpo_client.get(reverse("admin:consents_consent_changelist")).status_code == 200
        counts.append(len(ctx))
    assert counts[0] == counts[1]


def test_the_subject_inline_is_read_only_with_constant_queries(register, rf, dpo_user):
    from django.contrib import admin

    from consents.admin import ConsentHistoryInline

    _consents(3)
    subject = Consent.objects.first().subject
    inline = ConsentHistoryInline(DataSubject, admin.site)
    request = rf.get("/")
    request.user = dpo_user
    assert not inline.has_add_permission(request, subject) and not inline.has_delete_permission(request, subject)
    queryset = inline.get_queryset(request)
    with CaptureQueriesContext(connection) as ctx:
        rows = [(c.purpose.code, inline.text_version(c), inline.status_display(c)) for c in queryset]
    assert len(ctx) == 1 and len(rows) == 3


def test_exports_are_neutralised_and_audited(register, dpo_client):
    _consents(2)
    purpose = ConsentPurpose.objects.get(code="product-news")
    response = dpo_client.get(reverse("admin:consents_consentpurpose_history_csv", args=[purpose.pk]))
    text = response.content.decode("utf-8-sig")
    assert response.status_code == 200 and "'-form" in text and "\n-form" not in text
    audience = dpo_client.get(reverse("admin:consents_consentpurpose_audience", args=[purpose.pk])).content.decode(
        "utf-8-sig"
    )
    assert "'=cmd" in audience
    subject = Consent.objects.first().subject
    per_subject = dpo_client.get(reverse("admin:consents_consent_history_csv") + f"?subject={subject.pk}")
    assert per_subject.status_code == 200
    assert AuditEntry.objects.filter(action="export").count() == 3


def test_publishing_a_material_change_fills_the_reconsent_report(register, dpo_client):
    _consents(2)
    purpose = ConsentPurpose.objects.get(code="product-news")
    url = reverse("admin:consents_consentpurpose_publish", args=[purpose.pk])
    response = dpo_client.post(
        url, {"text_de": "Neu", "text_en": "New", "material_change": "on", "change_note": "Telefon neu"}
    )
    assert response.status_code == 302
    purpose.refresh_from_db()
    assert purpose.reconsent_from_version == 2 and purpose.texts.count() == 2
    report = dpo_client.get(reverse("admin:consents_consentpurpose_reconsent", args=[purpose.pk]))
    assert report.content.decode().count('class="reconsent-row"') == 2
    csv = dpo_client.get(reverse("admin:consents_consentpurpose_reconsent", args=[purpose.pk]) + "?format=csv")
    assert len(csv.content.decode("utf-8-sig").strip().splitlines()) == 3
    import re

    # Times in local time with their offset, to the second.
    assert re.search(r",\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0[12]:00", csv.content.decode("utf-8-sig"))
    assert not re.search(r"\d\d:\d\d:\d\d\.\d+", csv.content.decode("utf-8-sig"))
    # Asked again and consented to version 2: off the list.
    subject = Consent.objects.first().subject
    consent_give(
        subject=subject, purpose_code="product-news", text_version=2, channel="paper", origin="f", evidence="scan 2"
    )
    report = dpo_client.get(reverse("admin:consents_consentpurpose_reconsent", args=[purpose.pk]))
    assert report.content.decode().count('class="reconsent-row"') == 1


def test_an_unchanged_text_is_not_published_again(register, dpo_client):
    purpose = ConsentPurpose.objects.get(code="product-news")
    current = purpose.current_text()
    url = reverse("admin:consents_consentpurpose_publish", args=[purpose.pk])
    response = dpo_client.post(url, {"text_de": current.text_de + "  ", "text_en": current.text_en})
    assert response.status_code == 200
    assert "Der Text ist gegenüber Version 1 unverändert" in response.content.decode()
    assert purpose.texts.count() == 1


def test_the_english_purpose_list_shows_english_names(register, dpo_client):
    purpose = ConsentPurpose.objects.get(code="product-news")
    response = dpo_client.get(reverse("admin:consents_consentpurpose_changelist"), HTTP_ACCEPT_LANGUAGE="en")
    page = response.content.decode()
    assert purpose.name_en in page and purpose.name_de not in page


def test_a_token_is_shown_once_and_stored_hashed(register, dpo_client):
    response = dpo_client.post(reverse("admin:consents_apitoken_add"), {"name": "website", "may_record": "on"})
    assert response.status_code == 200
    raw = re.search(r"user-select:all\">([^<]+)</code>", response.content.decode()).group(1)
    token = ApiToken.objects.get()
    assert token.digest != raw and raw.startswith(token.prefix) and token.may_record and not token.may_query
    page = dpo_client.get(reverse("admin:consents_apitoken_change", args=[token.pk])).content.decode()
    assert raw not in page


def test_objections_are_recorded_and_decided_through_the_services(register, dpo_client):
    subject = DataSubjectFactory()
    from dpo_portal.models import ProcessingActivity

    surveys = ProcessingActivity.objects.get(code="surveys")
    response = dpo_client.post(
        reverse("admin:consents_objection_add"),
        {"subject": subject.pk, "objected_activity": surveys.pk, "channel": "phone", "note": "bitte nicht"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    objection = Objection.objects.get()
    assert objection.status == "pending" and objection.activity.code == "consent-records"
    # The objection's own page (read-only) shows the decide buttons.
    page = dpo_client.get(reverse("admin:consents_objection_change", args=[objection.pk]))
    assert page.status_code == 200
    url = reverse("admin:consents_objection_decide", args=[objection.pk, "reject"])
    assert url in page.content.decode()
    response = dpo_client.post(url, {"reasons": "Qualitätsaudit"}, follow=True)
    assert response.status_code == 200 and response.redirect_chain
    objection.refresh_from_db()
    assert objection.status == "rejected" and objection.reasons == "Qualitätsaudit"


def test_support_may_record_withdrawals_and_objections_and_see_purposes_only(register, client, support_user):
    assert role_permissions()[SUPPORT] >= {
        "consents.record_withdrawal",
        "consents.add_objection",
        "consents.view_consentpurpose",
    }
    perms = {p.codename for p in Group.objects.get(name=SUPPORT).permissions.filter(content_type__app_label="consents")}
    assert perms == {"record_withdrawal", "add_objection", "view_consentpurpose"}
    _consents(1)
    subject = Consent.objects.get().subject
    client.force_login(support_user)
    assert client.get(reverse("admin:consents_consent_changelist")).status_code == 403
    assert client.get(reverse("admin:consents_consentpurpose_changelist")).status_code == 200
    purpose = ConsentPurpose.objects.get(code="product-news")
    assert client.get(reverse("admin:consents_consentpurpose_history_csv", args=[purpose.pk])).status_code == 403
    response = client.post(
        reverse("admin:consents_consent_withdraw"),
        {"subject": subject.pk, "purpose": purpose.pk, "channel": "phone", "source": "call 12"},
    )
    assert response.status_code == 302
    assert Consent.objects.get().withdrawal_origin == "call 12"


def test_support_lands_on_its_desk_after_recording_a_withdrawal(register, client, support_user):
    """Support may not read consents: the withdrawal used to end on the consent list's "access denied" page."""
    _consents(1)
    consent = Consent.objects.get()
    client.force_login(support_user)
    form = {"subject": consent.subject_id, "purpose": consent.purpose_id, "channel": "phone", "source": "call 12"}
    response = client.post(reverse("admin:consents_consent_withdraw"), form, follow=True)
    page = response.content.decode()
    assert response.status_code == 200 and response.redirect_chain[-1][0] == reverse("requests_app:queue")
    assert '<div class="alert alert-success">1 Einwilligung widerrufen.</div>' in page
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None


def test_the_withdrawal_form_finds_the_person_by_name(register, client, support_user):
    _consents(1)
    subject = Consent.objects.get().subject
    client.force_login(support_user)
    page = client.get(reverse("admin:consents_consent_withdraw")).content.decode()
    assert 'data-ajax--url="/admin/autocomplete/"' in page and 'type="number"' not in page
    assert 'data-allow-clear="false"' in page  # required: no cross that empties it
    found = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "consents", "model_name": "consent", "field_name": "subject", "term": subject.last_name},
    )
    assert found.status_code == 200 and str(subject.pk) in [r["id"] for r in found.json()["results"]]
    english = client.get(reverse("admin:consents_consent_withdraw"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "select2/i18n/en.js" in english and "select2/i18n/de.js" not in english


@pytest.mark.parametrize(
    "name", ["consentpurpose", "consenttext", "consent", "objection", "suppressionentry", "apitoken"]
)
def test_every_list_page_renders(register, dpo_client, name):
    _consents(1)
    assert dpo_client.get(reverse(f"admin:consents_{name}_changelist")).status_code == 200


def test_a_token_cannot_be_changed_only_revoked(register, dpo_client, auditor_user):
    """Saving a token's page gave a 500 and would have created a second token (regression)."""
    token, _raw = api_token_create(name="newsletter", may_record=False, may_query=True)
    # Revoking needs the model's change permission, which a read-only role lacks.
    auditor = Client()
    auditor.force_login(auditor_user)
    auditor.post(reverse("admin:consents_apitoken_changelist"), {"action": "revoke", "_selected_action": [token.pk]})
    token.refresh_from_db()
    assert token.revoked_at is None
    url = reverse("admin:consents_apitoken_change", args=[token.pk])
    page = dpo_client.get(url)
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert dpo_client.post(url, {"name": "renamed", "may_record": "on", "_save": "Save"}).status_code == 403
    assert list(ApiToken.objects.values_list("name", "may_record", "revoked_at")) == [("newsletter", False, None)]
    response = dpo_client.post(
        reverse("admin:consents_apitoken_changelist"), {"action": "revoke", "_selected_action": [token.pk]}
    )
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None and ApiToken.objects.count() == 1


def test_an_objection_is_named_by_its_activity_in_the_page_language(register, dpo_client):
    from django.contrib.admin.models import LogEntry

    from dpo_portal.models import ProcessingActivity

    subject = DataSubjectFactory()
    marketing = ProcessingActivity.objects.get(code="existing-customer-marketing")
    response = dpo_client.post(
        reverse("admin:consents_objection_add"),
        {"subject": subject.pk, "objected_activity": marketing.pk, "channel": "phone", "note": ""},
        follow=True,
    )
    page = response.content.decode()
    assert "„Bestandskundenwerbung (stattgegeben)“" in page and "existing-customer-marketing (" not in page
    surveys = objection_record(subject=subject, activity_code="surveys", channel="phone")
    url = reverse("admin:consents_objection_change", args=[surveys.pk])
    assert "<h2>Fragebögen und Umfragen (ausstehend)</h2>" in dpo_client.get(url).content.decode()
    english = dpo_client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "<h2>Questionnaires and surveys (pending)</h2>" in english
    # Django's admin history still names the objection by its id, never by what the person objected to.
    added = Objection.objects.get(objected_activity=marketing)
    assert list(LogEntry.objects.values_list("object_repr", flat=True)) == [f"#{added.pk}"]


def test_a_withdrawal_with_nothing_to_withdraw_says_so(register, dpo_client):
    _consents(1)
    consent = Consent.objects.get()
    url = reverse("admin:consents_consent_withdraw")
    form = {"subject": consent.subject_id, "purpose": consent.purpose_id, "channel": "phone", "source": "call 12"}
    page = dpo_client.post(url, form, follow=True).content.decode()
    assert '<li class="success">1 Einwilligung widerrufen.</li>' in page
    page = dpo_client.post(url, form, follow=True).content.decode()
    assert '<li class="warning">Es wurde nichts widerrufen:' in page and "0 Einwilligung" not in page


def test_the_form_pages_labels_start_with_a_capital(register, dpo_client):
    withdraw = dpo_client.get(reverse("admin:consents_consent_withdraw")).content.decode()
    assert '<label for="id_subject">Betroffene Person:</label>' in withdraw
    assert '<label for="id_source">Herkunft:</label>' in withdraw
    purpose = ConsentPurpose.objects.get(code="product-news")
    publish = dpo_client.get(reverse("admin:consents_consentpurpose_publish", args=[purpose.pk])).content.decode()
    assert '<label for="id_material_change">Wesentliche Änderung:</label>' in publish


def test_the_suppression_list_counts_entries(register, dpo_client):
    from consents.services import suppression_add

    suppression_add(emails=["a@example.org", "b@example.org"], reason="request call 3")
    url = reverse("admin:consents_suppressionentry_changelist")
    assert "2 Sperrlisteneinträge" in dpo_client.get(url).content.decode()
    assert "2 suppression list entries" in dpo_client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_the_token_filter_names_what_a_token_may_ask(register, dpo_client):
    api_token_create(name="newsletter", may_record=False, may_query=True)
    page = dpo_client.get(reverse("admin:consents_apitoken_changelist")).content.decode()
    assert "Nach darf die Kontakterlaubnis abfragen" in page and "may_contact" not in page


LINKS = ("publish", "reconsent", "history_csv", "audience")


@pytest.mark.parametrize(
    ("user", "links"),
    [
        ("dpo_user", set(LINKS)),
        ("auditor_user", {"reconsent", "history_csv"}),  # no publishing, no lists of people to contact
        ("support_user", set()),
    ],
)
def test_the_purpose_page_links_only_what_the_user_may_open(request, register, client, user, links):
    client.force_login(request.getfixturevalue(user))
    purpose = ConsentPurpose.objects.get(code="product-news")
    html = client.get(reverse("admin:consents_consentpurpose_change", args=[purpose.pk])).content.decode()
    urls = {name: reverse(f"admin:consents_consentpurpose_{name}", args=[purpose.pk]) for name in LINKS}
    assert {name for name, url in urls.items() if url in html} == links
    assert all(client.get(urls[name]).status_code == 200 for name in links)


def test_the_auditor_reads_the_channels_by_name(register, client, auditor_user):
    client.force_login(auditor_user)
    purpose = ConsentPurpose.objects.get(code="product-news")
    html = client.get(reverse("admin:consents_consentpurpose_change", args=[purpose.pk])).content.decode()
    with translation.override("de"):
        labels = dict(ContactChannel.choices)
        names = ", ".join(str(labels[c]) for c in purpose.channels)
    assert names in html
    assert "&quot;email&quot;" not in html and '"email"' not in html


def test_support_reads_the_purpose_s_activity_without_a_link_it_may_not_open(register, client, support_user):
    client.force_login(support_user)
    purpose = ConsentPurpose.objects.get(code="product-news")
    html = client.get(reverse("admin:consents_consentpurpose_change", args=[purpose.pk])).content.decode()
    assert purpose.activity.name in html and "/admin/dpo_portal/processingactivity/" not in html


def test_the_consent_history_speaks_the_language_of_its_header(register, dpo_client):
    """A German history read "given", "paper", "False" under German column names."""
    import csv
    import io

    _consents(1)
    purpose = ConsentPurpose.objects.get(code="product-news")
    url = reverse("admin:consents_consentpurpose_history_csv", args=[purpose.pk])

    def rows(**headers):
        return list(csv.reader(io.StringIO(dpo_client.get(url, **headers).content.decode("utf-8-sig"))))

    header, row = rows()
    german = dict(zip(header, row, strict=True))
    assert (german["Ereignis"], german["Kanal"], german["Sprache des angezeigten Textes"]) == (
        "erteilt",
        "Papier",
        "Deutsch",
    )
    assert german["Double-Opt-in erforderlich"] == "Nein"
    header, row = rows(HTTP_ACCEPT_LANGUAGE="en")
    english = dict(zip(header, row, strict=True))
    assert (english["event"], english["channel"], english["language of the text shown"]) == ("given", "paper", "German")
    assert english["double opt-in required"] == "no"


def test_the_reconsent_list_leaves_out_whoever_may_not_be_contacted(register, dpo_client):
    """Asking for consent again is a contact: not to a person who objected to direct marketing or asked for none."""
    from consents.services import suppression_add, text_publish

    _consents(3)
    purpose = ConsentPurpose.objects.get(code="product-news")
    text_publish(purpose=purpose, text_de="Neu", text_en="New", material_change=True, change_note="Telefon neu")
    objecting, suppressed, asked = (c.subject for c in Consent.objects.order_by("pk"))
    objection_record(subject=objecting, activity_code="existing-customer-marketing", channel="phone")
    suppression_add(subject=suppressed, reason="request call 7")
    url = reverse("admin:consents_consentpurpose_reconsent", args=[purpose.pk])
    report = dpo_client.get(url).content.decode()
    assert report.count('class="reconsent-row"') == 1 and str(asked) in report
    lines = dpo_client.get(url + "?format=csv").content.decode("utf-8-sig").strip().splitlines()
    assert len(lines) == 2 and lines[1].startswith(f"{asked.pk},")


def test_without_a_material_change_the_reconsent_report_says_so(register, dpo_client):
    purpose = ConsentPurpose.objects.get(code="product-news")
    url = reverse("admin:consents_consentpurpose_reconsent", args=[purpose.pk])
    page = dpo_client.get(url).content.decode()
    assert "vor Version 1" not in page and "?format=csv" not in page
    assert "als wesentliche Änderung veröffentlicht" in page
    english = dpo_client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "published as a material change" in english and "before version 1" not in english


@pytest.mark.django_db
def test_the_auditor_is_offered_no_decision_on_a_pending_objection(client, auditor_user, register):
    """Uphold and Reject led the auditor to "access denied": they see the status, not the buttons."""
    objection = objection_record(subject=DataSubjectFactory(), activity_code="surveys", channel="email")
    client.force_login(auditor_user)
    page = client.get(reverse("admin:consents_objection_change", args=[objection.pk])).content.decode()
    assert objection.status == Objection.Status.PENDING
    assert reverse("admin:consents_objection_decide", args=[objection.pk, "uphold"]) not in page
    assert client.get(reverse("admin:consents_objection_decide", args=[objection.pk, "uphold"])).status_code == 403


@pytest.mark.django_db
def test_a_token_that_may_do_nothing_is_refused_in_words():
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="--record, --query oder beides"):
        call_command("create_api_token", "website")
