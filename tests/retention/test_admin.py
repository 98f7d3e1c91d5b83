import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from retention.models import HoldReason, LegalHold, ProtocolBatch, SweepRun
from retention.models.protocol import record_hash
from retention.registration import register_pending
from retention.services import hold_change, hold_place
from retention.sweep import sweep_run
from tests import factories as f

pytestmark = pytest.mark.usefixtures("register")
D = datetime.date


def queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, response.content[:500]
    return len(ctx.captured_queries), response


def test_the_forecast_shows_what_comes_due_in_constant_queries(dpo_client, today):
    f.AdConversionFactory(collected_on=D(2026, 9, 1))
    f.AdConversionFactory(collected_on=D(2026, 11, 20))
    register_pending(batch_size=100)  # the forecast sees registered records
    url = reverse("admin:retention_deletionrule_forecast")
    dpo_client.get(url)  # warms the content type and session caches
    few, response = queries(dpo_client, url)
    body = response.content.decode()
    assert "Vorschau" in body and "Conversion-Tracking-Daten" in body
    row = next(r for r in response.context["rows"] if r["rule"].code == "ad-conversion-30-days")
    assert (row["due"], row["next_30"], row["next_90"]) == (1, 1, 1)
    f.AdConversionFactory.create_batch(20, collected_on=D(2026, 10, 1))
    f.OrderFactory.create_batch(5, collected_on=D(2018, 3, 1), ordered_on=D(2018, 3, 1))
    sweep_run(dry_run=True)  # registers them
    many, _response = queries(dpo_client, url)
    assert many == few


def test_the_forecast_leaves_out_held_data(dpo_client, today):
    ad = f.AdConversionFactory(collected_on=D(2026, 9, 1))
    hold_place(reason=HoldReason.LITIGATION, subject=ad.subject)
    sweep_run(dry_run=True)
    _n, response = queries(dpo_client, reverse("admin:retention_deletionrule_forecast"))
    row = next(r for r in response.context["rows"] if r["rule"].code == "ad-conversion-30-days")
    assert row["due"] == 0


@pytest.mark.parametrize("name", ["deletionrule", "legalhold", "sweeprun", "protocolbatch"])
def test_the_list_pages_do_not_grow_with_rows(dpo_client, today, name):
    url = reverse(f"admin:retention_{name}_changelist")
    for _ in range(2):
        hold_place(reason=HoldReason.LITIGATION, subject=f.DataSubjectFactory())
    f.AdConversionFactory.create_batch(2, collected_on=D(2026, 9, 1))
    sweep_run()
    dpo_client.get(url)  # warms the content type and session caches
    few, _r = queries(dpo_client, url)
    for _ in range(10):
        hold_place(reason=HoldReason.LITIGATION, subject=f.DataSubjectFactory())
    f.AdConversionFactory.create_batch(10, collected_on=D(2026, 9, 1))
    sweep_run()
    sweep_run(dry_run=True)
    many, _r = queries(dpo_client, url)
    assert many == few


def test_runs_and_protocol_are_read_only(dpo_client, today):
    f.AdConversionFactory(collected_on=D(2026, 9, 1))
    run = sweep_run()
    batch = ProtocolBatch.objects.get()
    _n, response = queries(dpo_client, reverse("admin:retention_sweeprun_change", args=[run.pk]))
    assert b'name="_save"' not in response.content
    assert dpo_client.post(reverse("admin:retention_protocolbatch_delete", args=[batch.pk])).status_code == 403
    assert dpo_client.post(reverse("admin:retention_sweeprun_delete", args=[run.pk])).status_code == 403
    assert SweepRun.objects.filter(pk=run.pk).exists()


def test_the_dpo_downloads_a_deletion_certificate(dpo_client, today):
    f.AdConversionFactory.create_batch(3, collected_on=D(2026, 9, 1))
    sweep_run()
    url = reverse("admin:retention_sweeprun_certificate")
    for language, name in (("de", "loeschbestaetigung"), ("en", "deletion-certificate")):
        response = dpo_client.get(url, {"start": "2026-11-01", "end": "2026-11-25", "language": language})
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"] == f'attachment; filename="{name}-20261101-20261125.pdf"'
        assert response.content.startswith(b"%PDF")


def test_a_certificate_may_cover_all_from_the_gdpr_until_today(dpo_client, today):
    url = reverse("admin:retention_sweeprun_certificate")
    response = dpo_client.get(url, {"start": "2018-05-25", "end": "2026-11-25", "language": "de"})
    assert response["Content-Disposition"] == 'attachment; filename="loeschbestaetigung-20180525-20261125.pdf"'


@pytest.mark.parametrize(
    ("start", "end", "field", "german", "english"),
    [
        ("2026-11-30", "2026-11-01", "end", "Der Zeitraum kann nicht vor seinem Beginn enden.", "cannot end before"),
        ("2026-13-45", "2026-11-20", "start", "Bitte ein gültiges Datum eingeben.", "Enter a valid date."),
        ("0001-01-01", "2026-11-20", "start", "nicht vor dem 25. Mai 2018 beginnen", "before 25 May 2018"),
        ("2026-12-01", "2026-12-31", "end", "nicht nach dem heutigen Tag (25. November 2026)", "(25 Nov 2026)"),
        ("2026-11-01", "", "end", "Dieses Feld ist zwingend erforderlich.", "This field is required."),
    ],
)
def test_a_period_a_certificate_cannot_cover_is_refused_in_the_admin_page(
    dpo_client, today, start, end, field, german, english
):
    from audit.models import AuditEntry

    url = reverse("admin:retention_sweeprun_certificate")
    exports = AuditEntry.objects.count()
    for language, message in (("de", german), ("en", english)):
        response = dpo_client.get(
            url, {"start": start, "end": end, "language": language}, headers={"accept-language": language}
        )
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/html")
        assert "admin/retention/sweeprun/certificate.html" in [t.name for t in response.templates]
        form = response.context["form"]
        [error] = form.errors[field]
        assert message in error
        body = response.content.decode()
        assert 'class="errornote"' in body and 'id="content-main"' in body and "breadcrumbs" in body
        assert f'name="start" value="{start}"' in body  # the form comes back as it was sent
    assert AuditEntry.objects.count() == exports  # nothing was exported


def test_the_certificate_page_without_a_period_asks_for_one(dpo_client, today):
    response = dpo_client.get(reverse("admin:retention_sweeprun_certificate"))
    assert response.status_code == 200
    assert not response.context["form"].errors
    body = response.content.decode()
    assert "Löschbestätigung" in body and 'class="errornote"' not in body
    assert 'min="2018-05-25"' in body and 'max="2026-11-25"' in body


def test_the_certificate_service_refuses_a_period_in_the_future(today):
    from django.core.exceptions import ValidationError

    from retention.certificate import certificate_pdf

    with pytest.raises(ValidationError) as exc:
        certificate_pdf(start=D(2026, 12, 1), end=D(2026, 12, 31), language="en")
    assert list(exc.value.message_dict) == ["end"]


def test_support_cannot_see_rules_or_certificates(client, support_user):
    client.force_login(support_user)
    assert client.get(reverse("admin:retention_deletionrule_forecast")).status_code == 403
    assert client.get(reverse("admin:retention_sweeprun_certificate")).status_code == 403


def test_the_auditor_may_download_certificates(client, auditor_user, today):
    client.force_login(auditor_user)
    url = reverse("admin:retention_sweeprun_certificate")
    response = client.get(url, {"start": "2026-11-01", "end": "2026-11-25", "language": "en"})
    assert response.status_code == 200


def _rule_form(rule, **changes):
    """The rule's change form as the admin posts it (a booking-voucher rule: year end and retention duty ticked)."""
    data = {
        "code": rule.code,
        "category": rule.category_id,
        "is_active": "on",
        "start_event": rule.start_event,
        "years": rule.years,
        "months": rule.months,
        "days": rule.days,
        "from_year_end": "on",
        "action": rule.action,
        "retention_duty": "on",
        "legal_reference": rule.legal_reference,
        "description_de": rule.description_de,
        "description_en": rule.description_en,
        "note": rule.note,
    }
    return {**data, **changes}


def test_a_rule_saved_in_the_admin_recomputes(dpo_client, today):
    from retention.selectors import rule_for_category

    order = f.OrderFactory(collected_on=D(2017, 6, 1), ordered_on=D(2017, 6, 1))
    rule = rule_for_category(order.category)
    url = reverse("admin:retention_deletionrule_change", args=[rule.pk])
    data = _rule_form(rule, years=9)
    response = dpo_client.post(url, data)
    assert response.status_code == 302, response.content[:2000]
    order.refresh_from_db()
    assert order.deletable_from == D(2027, 1, 1)
    data["years"] = -3
    assert dpo_client.post(url, data).status_code == 200  # the form shows the error
    rule.refresh_from_db()
    assert rule.years == 9


def test_a_retention_duty_without_a_period_is_refused_in_the_admin(dpo_client, today):
    from audit.models import AuditEntry
    from retention.selectors import rule_for_category

    order = f.OrderFactory(collected_on=D(2025, 3, 10), ordered_on=D(2025, 3, 10))
    rule = rule_for_category(order.category)
    order.refresh_from_db()
    before = (order.deletable_from, AuditEntry.objects.count())
    url = reverse("admin:retention_deletionrule_change", args=[rule.pk])
    for language, message in (
        ("de", "Daten, die eine gesetzliche Aufbewahrungspflicht oder Rechtsansprüche halten, brauchen"),
        ("en", "Data kept under a statutory retention duty or for legal claims needs a retention period"),
    ):
        response = dpo_client.post(
            url, _rule_form(rule, years=0, months=0, days=0), headers={"accept-language": language}
        )
        assert response.status_code == 200
        [error] = response.context["adminform"].form.errors["years"]
        assert error.startswith(message)
    rule.refresh_from_db()
    order.refresh_from_db()
    assert (rule.years, rule.months, rule.days) == (8, 0, 0)
    assert (order.deletable_from, AuditEntry.objects.count()) == before
    assert sweep_run().total == 0


def test_the_dpo_finds_the_batch_that_processed_a_record_by_its_id_or_hash(dpo_client, today):
    gone, other = f.AdConversionFactory.create_batch(2, collected_on=D(2026, 9, 1))
    order = f.OrderFactory(collected_on=D(2016, 4, 1), ordered_on=D(2016, 4, 1))
    sweep_run()
    ad_batch = ProtocolBatch.objects.get(model_label="subjects.AdConversion")
    order_batch = ProtocolBatch.objects.get(model_label="subjects.Order")
    url = reverse("admin:retention_protocolbatch_changelist")

    def found(term):
        _n, response = queries(dpo_client, f"{url}?q={term}")
        return list(response.context["cl"].result_list)

    assert found(record_hash("subjects.AdConversion", other.pk)) == [ad_batch]
    assert found(record_hash("subjects.Order", order.pk).upper()) == [order_batch]
    # An id is hashed under every kind of record: the order's batch too, where the order has the same id.
    assert set(found(str(gone.pk))) == {ad_batch} | ({order_batch} if order.pk == gone.pk else set())
    assert found(record_hash("subjects.AdConversion", 999_999)) == []
    assert found("Mustermann") == []  # nothing personal to search for
    assert found("²") == found("9" * 5000) == []  # not ids: nothing found, no error
    _n, response = queries(dpo_client, reverse("admin:retention_protocolbatch_change", args=[ad_batch.pk]))
    body = response.content.decode()
    assert all(h in body for h in ad_batch.hashes()) and len(ad_batch.hashes()) == 2


def test_changing_a_hold_in_the_admin_is_audited(dpo_client, today):
    from audit.models import AuditEntry

    hold = hold_place(reason=HoldReason.LITIGATION, subject=f.DataSubjectFactory(), reference="Az. 1")
    url = reverse("admin:retention_legalhold_change", args=[hold.pk])
    response = dpo_client.post(url, {"ends_on": "2026-12-31", "reference": "Az. 1", "note": ""})
    assert response.status_code == 302, response.content[:800]
    hold.refresh_from_db()
    assert hold.ends_on == D(2026, 12, 31)
    entry = AuditEntry.objects.filter(object_type="retention.legalhold", object_id=str(hold.pk)).latest("seq")
    assert (entry.action, entry.fields) == (AuditEntry.Action.CHANGE, ["ends_on"])
    # An end before the start is refused and changes nothing.
    response = dpo_client.post(url, {"ends_on": "2020-01-01", "reference": "Az. 1", "note": ""})
    assert response.status_code == 200
    hold.refresh_from_db()
    assert hold.ends_on == D(2026, 12, 31)


def test_the_holds_list_and_page_are_audited_by_id(dpo_client, today):
    from audit.models import AuditEntry

    subject = f.DataSubjectFactory(last_name="Haltbar")
    hold = hold_place(reason=HoldReason.LITIGATION, subject=subject, reference="Az. 2")
    assert "Haltbar" in dpo_client.get(reverse("admin:retention_legalhold_changelist")).content.decode()
    listed = AuditEntry.objects.filter(object_type="retention.legalhold", action="view").latest("seq")
    assert str(hold.pk) in listed.detail and "Haltbar" not in str(listed.fields) + listed.detail
    dpo_client.get(reverse("admin:retention_legalhold_change", args=[hold.pk]))
    assert AuditEntry.objects.filter(object_type="retention.legalhold", object_id=str(hold.pk), action="view").exists()


def test_a_hold_lifted_while_its_form_was_open_stays_lifted(dpo_client, today):
    from retention.services import hold_lift

    hold = hold_place(reason=HoldReason.LITIGATION, subject=f.DataSubjectFactory(), reference="Az. 2")
    url = reverse("admin:retention_legalhold_change", args=[hold.pk])
    hold_lift(hold=hold)  # by someone else, after the DPO opened the form
    response = dpo_client.post(url, {"ends_on": "2027-12-31", "reference": "Az. 2", "note": "x"})
    assert response.status_code == 302  # the note is saved; the end of a lifted hold is read-only
    hold.refresh_from_db()
    assert hold.lifted_at is not None and hold.ends_on == D(2026, 11, 25) and hold.note == "x"
    # The service refuses it as well, and a note may still change without touching the lift.
    stale = LegalHold.objects.get(pk=hold.pk)
    stale.lifted_at, stale.ends_on, stale.note = None, D(2027, 12, 31), "Vermerk"
    hold_change(hold=stale, fields=["note"])
    hold.refresh_from_db()
    assert (hold.lifted_at is not None, hold.ends_on, hold.note) == (True, D(2026, 11, 25), "Vermerk")


def _hold_form(**fields):
    data = {"subject": "", "content_type": "", "object_id": "", "category": "", "reason": HoldReason.LITIGATION}
    return {**data, "reference": "Az. 3", "note": "", "starts_on": "2026-11-25", "ends_on": "", **fields}


def test_a_hold_without_target_ending_before_it_starts_shows_both_errors_in_words(dpo_client, today):
    url = reverse("admin:retention_legalhold_add")
    response = dpo_client.post(url, _hold_form(starts_on="2026-11-25", ends_on="2026-11-01"))
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.non_field_errors() == [
        "Eine Löschsperre gilt für genau eine betroffene Person, einen Datensatz oder eine Datenkategorie."
    ]
    assert form.errors["ends_on"] == ["Eine Löschsperre kann nicht vor ihrem Beginn enden."]
    assert set(form.errors) == {"__all__", "ends_on"}
    body = response.content.decode()
    assert "Bedingung" not in body and "legal_hold_" not in body
    assert not LegalHold.objects.exists()


def test_a_hold_on_a_kind_of_record_without_its_id_names_the_id(dpo_client, today):
    from django.contrib.contenttypes.models import ContentType

    from subjects.models import AdConversion

    content_type = ContentType.objects.get_for_model(AdConversion)
    response = dpo_client.post(reverse("admin:retention_legalhold_add"), _hold_form(content_type=content_type.pk))
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert dict(form.errors) == {"object_id": ["Geben Sie die ID des zu sperrenden Datensatzes an."]}
    assert not LegalHold.objects.exists()


def test_a_hold_with_two_targets_is_refused_in_english(dpo_client, today):
    from dpo_portal.models import DataCategory

    subject = f.DataSubjectFactory()
    category = DataCategory.objects.get(code="ad-conversion")
    response = dpo_client.post(
        reverse("admin:retention_legalhold_add"),
        _hold_form(subject=subject.pk, category=category.pk),
        headers={"accept-language": "en"},
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors() == [
        "A legal hold applies to exactly one data subject, one record or one data category."
    ]
    assert not LegalHold.objects.exists()


def test_a_hold_that_starts_in_the_far_future_or_ended_long_ago_is_refused_in_english(dpo_client, today):
    subject = f.DataSubjectFactory()
    url = reverse("admin:retention_legalhold_add")
    english = {"accept-language": "en"}
    response = dpo_client.post(url, _hold_form(subject=subject.pk, starts_on="9999-12-31"), headers=english)
    assert response.context["adminform"].form.errors["starts_on"] == [
        "A legal hold cannot start more than a year ahead (after 25/11/2027): until then it would protect nothing. "
        "Place it from today, or when it is due."
    ]
    form = _hold_form(subject=subject.pk, starts_on="1800-01-01", ends_on="1800-01-02")
    response = dpo_client.post(url, form, headers=english)
    assert response.context["adminform"].form.errors["ends_on"] == [
        "A new legal hold cannot end before today (25/11/2026): it would protect nothing. Enter today or a later "
        "day, or leave the end empty."
    ]
    assert not LegalHold.objects.exists()


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("de", "Diese Datenkategorie hat bereits eine aktive Löschregel"),
        ("en", "This data category already has an active deletion rule"),
    ],
)
def test_a_second_active_rule_for_a_category_is_refused_in_words_not_by_constraint_name(
    dpo_client, today, language, message
):
    from retention.models import DeletionRule
    from retention.selectors import rule_for_category

    rule = rule_for_category(f.OrderFactory().category)
    rules = DeletionRule.objects.count()
    data = _rule_form(rule, code="second-rule-for-orders")
    response = dpo_client.post(reverse("admin:retention_deletionrule_add"), data, HTTP_ACCEPT_LANGUAGE=language)
    page = response.content.decode()
    assert response.status_code == 200 and message in page
    assert "one_active_deletion_rule_per_category" not in page and DeletionRule.objects.count() == rules
