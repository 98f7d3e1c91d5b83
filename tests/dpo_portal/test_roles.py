"""The role matrix: each role × admin page and action, allowed or forbidden."""

import pytest
from django.urls import reverse

from consents.models import ConsentPurpose
from dpo_portal.models import ProcessingActivity
from tests.factories import EventHealthDataFactory, PaymentMethodFactory, subject_with_everything

OK, FORBIDDEN = 200, 403

# (role, url name, args key, expected status)
MATRIX = [
    # The register
    ("dpo", "admin:dpo_portal_processingactivity_changelist", None, OK),
    ("dpo", "admin:dpo_portal_processingactivity_change", "activity", OK),
    ("dpo", "admin:dpo_portal_processingactivity_add", None, OK),
    ("dpo", "admin:dpo_portal_processingactivity_delete", "activity", OK),
    ("auditor", "admin:dpo_portal_processingactivity_changelist", None, OK),
    ("auditor", "admin:dpo_portal_processingactivity_change", "activity", OK),
    ("auditor", "admin:dpo_portal_processingactivity_add", None, FORBIDDEN),
    ("auditor", "admin:dpo_portal_processingactivity_delete", "activity", FORBIDDEN),
    ("support", "admin:dpo_portal_processingactivity_changelist", None, FORBIDDEN),
    ("support", "admin:dpo_portal_processingactivity_change", "activity", FORBIDDEN),
    # Data subjects
    ("dpo", "admin:subjects_datasubject_changelist", None, OK),
    ("dpo", "admin:subjects_datasubject_change", "subject", OK),
    # Personal data leaves only through the erasure workflow and the sweep, for the DPO too.
    ("dpo", "admin:subjects_datasubject_delete", "subject", FORBIDDEN),
    ("dpo", "admin:subjects_paymentmethod_delete", "payment", FORBIDDEN),
    ("dpo", "admin:subjects_eventhealthdata_delete", "health", FORBIDDEN),
    ("auditor", "admin:subjects_datasubject_changelist", None, OK),
    ("auditor", "admin:subjects_datasubject_change", "subject", OK),
    ("auditor", "admin:subjects_datasubject_add", None, FORBIDDEN),
    ("auditor", "admin:subjects_datasubject_delete", "subject", FORBIDDEN),
    ("support", "admin:subjects_datasubject_changelist", None, OK),
    ("support", "admin:subjects_datasubject_change", "subject", OK),
    ("support", "admin:subjects_datasubject_add", None, OK),
    ("support", "admin:subjects_datasubject_delete", "subject", FORBIDDEN),
    # Payment data and special categories
    ("dpo", "admin:subjects_paymentmethod_change", "payment", OK),
    ("auditor", "admin:subjects_paymentmethod_change", "payment", OK),
    ("support", "admin:subjects_paymentmethod_changelist", None, FORBIDDEN),
    ("support", "admin:subjects_paymentmethod_change", "payment", FORBIDDEN),
    ("dpo", "admin:subjects_eventhealthdata_change", "health", OK),
    ("auditor", "admin:subjects_eventhealthdata_changelist", None, FORBIDDEN),
    ("auditor", "admin:subjects_eventhealthdata_change", "health", FORBIDDEN),
    ("support", "admin:subjects_eventhealthdata_change", "health", FORBIDDEN),
    # Audit trail
    ("dpo", "admin:audit_auditentry_changelist", None, OK),
    ("auditor", "admin:audit_auditentry_changelist", None, OK),
    ("support", "admin:audit_auditentry_changelist", None, FORBIDDEN),
    # Exports
    ("dpo", "admin:dpo_portal_register_export", "csv", OK),
    ("auditor", "admin:dpo_portal_register_export", "csv", OK),
    ("support", "admin:dpo_portal_register_export", "csv", FORBIDDEN),
    # Consents: the auditor gets the proof (histories), not the lists of people to contact
    ("dpo", "admin:consents_consentpurpose_audience", "purpose", OK),
    ("auditor", "admin:consents_consentpurpose_audience", "purpose", FORBIDDEN),
    ("support", "admin:consents_consentpurpose_audience", "purpose", FORBIDDEN),
    ("dpo", "admin:consents_consentpurpose_history_csv", "purpose", OK),
    ("auditor", "admin:consents_consentpurpose_history_csv", "purpose", OK),
    ("support", "admin:consents_consentpurpose_history_csv", "purpose", FORBIDDEN),
]


@pytest.fixture
def objects(register):
    subject = subject_with_everything()
    return {
        "activity": [ProcessingActivity.objects.get(code="surveys").pk],
        "subject": [subject.pk],
        "payment": [PaymentMethodFactory(subject=subject).pk],
        "health": [EventHealthDataFactory(subject=subject).pk],
        "csv": ["csv", "de"],
        "purpose": [ConsentPurpose.objects.get(code="product-news").pk],
    }


@pytest.fixture
def users(dpo_user, support_user, auditor_user):
    return {"dpo": dpo_user, "support": support_user, "auditor": auditor_user}


@pytest.mark.parametrize(("role", "url_name", "args_key", "expected"), MATRIX)
def test_role_matrix(client, objects, users, role, url_name, args_key, expected):
    client.force_login(users[role])
    response = client.get(reverse(url_name, args=objects[args_key] if args_key else None))
    assert response.status_code == expected


def test_the_auditor_cannot_download_a_re_consent_list(client, objects, users):
    url = reverse("admin:consents_consentpurpose_reconsent", args=objects["purpose"]) + "?format=csv"
    client.force_login(users["auditor"])
    assert client.get(url).status_code == FORBIDDEN
    client.force_login(users["dpo"])
    assert client.get(url).status_code == OK


@pytest.mark.parametrize("role", ["auditor", "support"])
def test_read_only_roles_cannot_change_a_subject_by_post(client, objects, users, role):
    client.force_login(users[role])
    url = reverse("admin:subjects_datasubject_change", args=objects["subject"])
    response = client.post(url, {"last_name": "Geändert"})
    assert response.status_code == FORBIDDEN


@pytest.mark.parametrize("role", ["dpo", "auditor", "support"])
def test_no_role_deletes_subjects_in_bulk(client, objects, users, role):
    client.force_login(users[role])
    response = client.post(
        reverse("admin:subjects_datasubject_changelist"),
        {"action": "delete_selected", "_selected_action": objects["subject"], "post": "yes"},
    )
    from subjects.models import DataSubject

    assert DataSubject.objects.filter(pk=objects["subject"][0]).exists()
    assert response.status_code in (200, 302, 403)


def test_the_subject_page_offers_no_deletion_of_records(client, objects, users):
    assert not users["dpo"].has_perm("subjects.delete_order") and users["dpo"].has_perm("subjects.change_order")
    client.force_login(users["dpo"])
    response = client.get(reverse("admin:subjects_datasubject_change", args=objects["subject"]))
    formsets = [fs.formset for fs in response.context["inline_admin_formsets"]]
    assert formsets and not any(fs.can_delete for fs in formsets)
    assert '-DELETE"' not in response.content.decode()
    assert "delete_selected" not in client.get(reverse("admin:subjects_datasubject_changelist")).content.decode()


def test_subject_page_shows_health_data_only_to_the_dpo(client, objects, users):
    for role, visible in (("dpo", True), ("auditor", False), ("support", False)):
        client.force_login(users[role])
        page = client.get(reverse("admin:subjects_datasubject_change", args=objects["subject"])).content.decode()
        assert ("Rollstuhl" in page) is visible, role


def test_subject_page_shows_payment_data_to_dpo_masked_to_auditor_and_not_to_support(client, objects, users):
    expectations = {"dpo": (True, True), "auditor": (True, False), "support": (False, False)}
    for role, (masked_visible, iban_visible) in expectations.items():
        client.force_login(users[role])
        page = client.get(reverse("admin:subjects_datasubject_change", args=objects["subject"])).content.decode()
        assert ("DE89 •••• 3000" in page) is masked_visible, role
        assert ("DE89370400440532013000" in page) is iban_visible, role


def test_the_overview_counts_health_data_only_for_the_dpo(client, objects, users):
    for role, visible in (("dpo", True), ("auditor", False)):
        client.force_login(users[role])
        response = client.get(
            reverse("admin:subjects_datasubject_change", args=objects["subject"]), HTTP_ACCEPT_LANGUAGE="en"
        )
        kinds = {held.kind for held in response.context["data_overview"]}
        assert ("health data for events" in kinds) is visible, role
        assert "orders and contracts" in kinds


def test_each_role_starts_where_it_works(client, users):
    for role, start in (("support", "/support/"), ("dpo", "/admin/"), ("auditor", "/admin/")):
        client.force_login(users[role])
        assert client.get("/").url == start, role
    client.force_login(users["support"])
    assert client.get(reverse("admin:index")).url == "/support/"
    subjects = client.get(reverse("admin:subjects_datasubject_changelist")).content.decode()
    assert f'href="{reverse("requests_app:intake")}">Support</a>' in subjects


def test_admin_headings_start_with_a_capital(client, objects, users):
    client.force_login(users["dpo"])
    page = client.get(reverse("admin:subjects_datasubject_change", args=objects["subject"])).content.decode()
    assert "<h1>Betroffene Person ändern</h1>" in page and "| Betroffene Person ändern |" in page


def test_support_lands_on_its_desk_after_logging_in(client, users, support_user):
    response = client.get("/")
    assert response.url == "/admin/login/?next=/"
    support_user.set_password("pw-landing")
    support_user.save()
    for login_url in ("/admin/login/?next=/", "/admin/login/"):
        client.logout()
        response = client.post(login_url, {"username": support_user.username, "password": "pw-landing"}, follow=True)
        assert response.redirect_chain[-1][0] == "/support/", login_url
