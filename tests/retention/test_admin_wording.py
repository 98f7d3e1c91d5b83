"""What the retention admin's pages say, in German and English: runs, their counts, the protocol, legal holds."""

import datetime
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from retention.models import Action, HoldReason, LegalHold, ProtocolBatch, SweepRunCount
from retention.services import hold_place
from retention.sweep import sweep_run
from tests import factories as f

pytestmark = pytest.mark.usefixtures("register")
D = datetime.date


def page(client, url, language, **params):
    response = client.get(url, params, headers={"accept-language": language})
    assert response.status_code == 200, response.content[:500]
    return response.content.decode()


def readonly(body: str, name: str) -> str:
    """The text of the read-only field `name` on an admin change page."""
    match = re.search(rf'class="form-row field-{name}".*?<div class="readonly">(.*?)</div>', body, re.S)
    assert match, f"no read-only field {name}"
    return match.group(1).strip()


def cells(body: str, name: str) -> list[str]:
    """The texts of the column `name` in an admin list or tabular inline."""
    return [
        re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(rf'<td class="field-{name}">(.*?)</td>', body, re.S)
    ]


@pytest.mark.parametrize(
    ("dry_run", "language", "reads"),
    [
        (True, "en", "yes – only counted, nothing changed"),
        (True, "de", "ja – nur gezählt, nichts verändert"),
        (False, "en", "no"),
        (False, "de", "nein"),
    ],
)
def test_it_says_only_counted_only_on_a_dry_run(dpo_client, today, dry_run, language, reads):
    run = sweep_run(dry_run=dry_run)
    body = page(dpo_client, reverse("admin:retention_sweeprun_change", args=[run.pk]), language)
    assert readonly(body, "dry_run_label") == reads
    if not dry_run:
        assert "Only counted" not in body and "Nur gezählt" not in body
    assert 'class="form-row field-dry_run"' not in body  # the bare field and its help text are gone


KINDS = [("en", "ad conversion", "delete"), ("de", "Anzeigen-Conversion", "löschen")]


@pytest.mark.parametrize(("language", "kind", "action"), KINDS)
def test_it_names_a_runs_counts_by_kind_of_record_and_action_in_words(dpo_client, today, language, kind, action):
    f.AdConversionFactory.create_batch(2, collected_on=D(2026, 9, 1))
    run = sweep_run()
    SweepRunCount.objects.create(run=run, model_label="gone.Record", action=Action.DELETE, count=1)
    body = page(dpo_client, reverse("admin:retention_sweeprun_change", args=[run.pk]), language)
    assert f"ad-conversion-30-days {kind} {action}: 2" in body  # the row's title
    assert sorted(cells(body, "kind")) == sorted([kind, "gone.Record"])
    assert f"— gone.Record {action}: 1" in body  # a kind that no longer exists keeps its label
    assert "subjects.AdConversion" not in body


@pytest.mark.parametrize(("language", "kind", "action"), KINDS)
def test_it_names_the_protocols_kinds_of_record_in_words_in_its_column_filter_and_page(
    dpo_client, today, language, kind, action
):
    f.AdConversionFactory.create_batch(2, collected_on=D(2026, 9, 1))
    run = sweep_run()
    gone = ProtocolBatch.objects.create(
        run=run, at=run.started_at, model_label="gone.Record", legal_reference="—", action=Action.DELETE, count=1
    )
    url = reverse("admin:retention_protocolbatch_changelist")
    body = page(dpo_client, url, language)
    assert sorted(cells(body, "kind")) == sorted([kind, "gone.Record"])
    assert f'<a href="?model_label=subjects.AdConversion">{kind}</a>' in body  # the filter
    assert '<a href="?model_label=gone.Record">gone.Record</a>' in body
    assert ">subjects.AdConversion<" not in body
    filtered = page(dpo_client, url, language, model_label="subjects.AdConversion")
    assert cells(filtered, "kind") == [kind]
    batch = ProtocolBatch.objects.get(model_label="subjects.AdConversion")
    body = page(dpo_client, reverse("admin:retention_protocolbatch_change", args=[batch.pk]), language)
    assert f"{kind} {action} (2)" in body  # the page's title
    assert readonly(body, "kind") == kind
    assert "subjects.AdConversion" not in body
    body = page(dpo_client, reverse("admin:retention_protocolbatch_change", args=[gone.pk]), language)
    assert readonly(body, "kind") == "gone.Record"


def hold_form(**fields):
    """The legal hold's add form as the admin posts it."""
    data = {"subject": "", "content_type": "", "object_id": "", "category": "", "reason": HoldReason.LITIGATION}
    return {**data, "reference": "Az. 4", "note": "", "starts_on": "2026-11-25", "ends_on": "", **fields}


def test_a_hold_offers_only_the_kinds_of_personal_record_by_name(dpo_client, today):
    from subjects.selectors import record_models

    for language in ("de", "en"):
        response = dpo_client.get(reverse("admin:retention_legalhold_add"), headers={"accept-language": language})
        field = response.context["adminform"].form.fields["content_type"]
        offered = [label for value, label in field.choices if value]
        with translation.override(language):
            assert offered == sorted((str(m._meta.verbose_name) for m in record_models()), key=str.lower)
    assert "e-mail address" in offered and "session" not in offered and "user" not in offered
    assert {kind.model_class() for kind in field.queryset} == set(record_models())


@pytest.mark.parametrize("model", ["sessions.session", "auth.user", "retention.sweeprun", "audit.auditentry"])
def test_a_hold_on_a_kind_that_is_no_personal_record_is_refused_in_the_form_and_the_model(dpo_client, today, model):
    from django.contrib.contenttypes.models import ContentType

    kind = ContentType.objects.get_by_natural_key(*model.split("."))
    # Without a record id as well: the kind is what is wrong first.
    response = dpo_client.post(reverse("admin:retention_legalhold_add"), hold_form(content_type=kind.pk))
    assert response.status_code == 200
    assert dict(response.context["adminform"].form.errors) == {
        "content_type": ["Nur Datensätze mit personenbezogenen Daten können gesperrt werden."]
    }
    hold = LegalHold(reason=HoldReason.LITIGATION, content_type=kind)
    with pytest.raises(ValidationError) as exc:
        hold.full_clean()
    assert exc.value.message_dict == {
        "content_type": ["Nur Datensätze mit personenbezogenen Daten können gesperrt werden."]
    }
    assert not LegalHold.objects.exists()


@pytest.mark.parametrize(
    ("language", "message"),
    [("de", "Geben Sie den Grund der Löschsperre an."), ("en", "State the reason for the legal hold.")],
)
def test_a_hold_without_a_reason_says_so_once(dpo_client, today, language, message):
    response = dpo_client.post(
        reverse("admin:retention_legalhold_add"),
        hold_form(subject=f.DataSubjectFactory().pk, reason=""),
        headers={"accept-language": language},
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["reason"] == [message]
    with translation.override(language), pytest.raises(ValidationError) as exc:
        hold_place(reason="", subject=f.DataSubjectFactory())
    assert exc.value.message_dict["reason"] == [message]


@pytest.mark.parametrize(
    ("language", "holds", "message"),
    [
        ("de", 1, "1 Löschsperre aufgehoben."),
        ("de", 2, "2 Löschsperren aufgehoben."),
        ("en", 1, "1 legal hold lifted."),
        ("en", 2, "2 legal holds lifted."),
    ],
)
def test_lifting_holds_counts_them_in_words(dpo_client, today, language, holds, message):
    held = [hold_place(reason=HoldReason.LITIGATION, subject=f.DataSubjectFactory()) for _ in range(holds)]
    response = dpo_client.post(
        reverse("admin:retention_legalhold_changelist"),
        {"action": "lift_holds", "_selected_action": [h.pk for h in held]},
        headers={"accept-language": language},
        follow=True,
    )
    assert [str(m) for m in response.context["messages"]] == [message]


def lift(client, holds, language="de"):
    return client.post(
        reverse("admin:retention_legalhold_changelist"),
        {"action": "lift_holds", "_selected_action": [h.pk for h in holds]},
        headers={"accept-language": language},
    )


@pytest.mark.parametrize(
    ("language", "changed"), [("de", "Bis und aufgehoben geändert."), ("en", "Changed until and lifted.")]
)
def test_a_hold_lifted_by_the_action_shows_in_its_history(dpo_client, dpo_user, today, language, changed):
    from django.contrib.admin.models import CHANGE, LogEntry

    hold = hold_place(reason=HoldReason.LITIGATION, subject=f.DataSubjectFactory())
    assert lift(dpo_client, [hold], language).status_code == 302
    entry = LogEntry.objects.get()
    assert (entry.object_id, entry.action_flag, entry.user_id) == (str(hold.pk), CHANGE, dpo_user.pk)
    assert entry.content_type.model_class() is LegalHold
    body = page(dpo_client, reverse("admin:retention_legalhold_history", args=[hold.pk]), language)
    assert changed in body


def test_lifting_holds_writes_their_history_in_one_go(dpo_client, today):
    from django.contrib.admin.models import LogEntry
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from dpo_portal.models import DataCategory
    from retention.services import hold_lift

    categories = list(DataCategory.objects.order_by("pk")[:7])
    record = f.AdConversionFactory()
    # Holds on a category and on a record: both name themselves by a related row.
    holds = [hold_place(reason=HoldReason.AUTHORITY, category=c) for c in categories]
    holds += [hold_place(reason=HoldReason.LITIGATION, record=record)]
    lift(dpo_client, holds[:1])  # warms the session and content type caches
    with CaptureQueriesContext(connection) as one_lift:
        hold_lift(hold=holds[1])
    with CaptureQueriesContext(connection) as two:
        lift(dpo_client, holds[2:4])
    with CaptureQueriesContext(connection) as four:
        lift(dpo_client, holds[4:])
    assert len(four) - len(two) == 2 * len(one_lift)  # nothing per hold but the lift itself
    writes = [q["sql"] for q in four.captured_queries if q["sql"].startswith('INSERT INTO "django_admin_log"')]
    assert len(writes) == 1
    assert sorted(LogEntry.objects.values_list("object_id", flat=True)) == sorted(
        str(h.pk) for h in holds if h != holds[1]
    )
    # Named by id: the hold's title ("pending litigation – …") would stay in the language it was written in.
    assert {e.object_repr for e in LogEntry.objects.filter(object_id=str(holds[-1].pk))} == {f"#{holds[-1].pk}"}


def test_the_rule_page_reads_in_the_page_s_language(dpo_client):
    from retention.models import DeletionRule

    rule = DeletionRule.objects.get(code="order-booking-voucher")
    url = reverse("admin:retention_deletionrule_change", args=[rule.pk])
    english = dpo_client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "8 years from the end of the calendar year" in english and "8 Jahre ab Ende" not in english
    changelist = dpo_client.get(reverse("admin:retention_deletionrule_changelist"), HTTP_ACCEPT_LANGUAGE="en")
    assert "By counting from the year end" in changelist.content.decode()
    certificate = dpo_client.get(reverse("admin:retention_sweeprun_certificate"), HTTP_ACCEPT_LANGUAGE="en")
    assert ">From:</label>" in certificate.content.decode()


def test_english_lists_cite_and_name_in_english(dpo_client):
    rules = dpo_client.get(reverse("admin:retention_deletionrule_changelist"), HTTP_ACCEPT_LANGUAGE="en")
    assert "§ 257(1) no. 4" in rules.content.decode() and "Abs. 1 Nr. 4" not in rules.content.decode()
    recipients = dpo_client.get(reverse("admin:dpo_portal_recipient_changelist"), HTTP_ACCEPT_LANGUAGE="en")
    assert "Payment service provider" in recipients.content.decode()
