"""The files of data-subject requests under the retention engine: registered at intake, deleted with their
items, timeline and evidence three years after the end of the year they were closed in; never while open,
never while held, and never by another request (they prove how requests were handled)."""

import datetime
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from requests_app.defaults import file_defaults, load_defaults
from requests_app.models import DataSubjectRequest, RequestItem, RequestType, TimelineEntry
from requests_app.records import rights_record_models
from requests_app.services.intake import ItemSpec, request_log
from retention.models import HoldReason, ProtocolBatch
from retention.models.protocol import record_hash
from retention.selectors import forecast
from retention.services import hold_place, subject_erase
from retention.sweep import sweep_run
from tests import factories as f

pytestmark = pytest.mark.usefixtures("register")
D = datetime.date
LABEL = "requests_app.DataSubjectRequest"
State = DataSubjectRequest.State


def _at(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(11, 0)))


RECEIVED = D(2022, 5, 2)


def _request(*, closed_on=None, received_on=RECEIVED, subject=None, evidence=False) -> DataSubjectRequest:
    state = State.COMPLETED if closed_on else State.IN_PROGRESS
    extra = {"subject": subject} if subject else {}
    request = f.request_with(RequestType.ACCESS, state=state, received_at=_at(received_on), **file_defaults(), **extra)
    DataSubjectRequest.objects.filter(pk=request.pk).update(
        collected_on=received_on, closed_at=_at(closed_on) if closed_on else None
    )
    entry = TimelineEntry.objects.create(request=request, at=_at(received_on), kind=TimelineEntry.Kind.MESSAGE_IN)
    if evidence:
        entry.attachment.save("anfrage.eml", ContentFile(b"From: erika@example.org\n\nBitte um Auskunft."))
    return request


def _processed(run) -> int:
    return sum(c.count for c in run.counts.all() if c.model_label == LABEL)


@pytest.mark.django_db(transaction=True)  # the evidence file goes on commit
def test_a_closed_request_s_file_goes_three_years_after_the_end_of_its_year(today, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    due = _request(closed_on=D(2022, 6, 1), evidence=True)  # end of 2022 + 3 years: deletable from 1.1.2026
    kept = _request(closed_on=D(2023, 2, 1))  # deletable from 1.1.2027
    still_open = _request(received_on=D(2019, 3, 4))  # an open request never comes due
    evidence = Path(due.timeline.get().attachment.path)
    assert evidence.exists()

    dry = sweep_run(today=today, dry_run=True)
    assert _processed(dry) == 1 and DataSubjectRequest.objects.filter(pk=due.pk).exists()
    run = sweep_run(today=today)

    assert _processed(run) == 1 and run.status == "finished"
    assert set(DataSubjectRequest.objects.values_list("pk", flat=True)) == {kept.pk, still_open.pk}
    assert not RequestItem.objects.filter(request_id=due.pk).exists()
    assert not TimelineEntry.objects.filter(request_id=due.pk).exists()
    assert not evidence.exists()
    [batch] = ProtocolBatch.objects.filter(model_label=LABEL)
    assert batch.rule.code == "request-files" and batch.hashes() == [record_hash(LABEL, due.pk)]
    kept.refresh_from_db()
    assert kept.deletable_from == D(2027, 1, 1)
    assert sweep_run(today=today).total == 0  # nothing twice


@pytest.mark.django_db(transaction=True)
def test_an_evidence_file_that_cannot_be_deleted_stops_nothing(today, settings, tmp_path, monkeypatch, caplog):
    from django.core.files.storage import FileSystemStorage

    from retention.journal import journal_read

    settings.MEDIA_ROOT = str(tmp_path / "media")
    due = _request(closed_on=D(2022, 6, 1), evidence=True)
    entry = due.timeline.get()

    def refuse(storage, name):
        raise PermissionError(13, "Permission denied", f"{storage.location}/{name}")

    monkeypatch.setattr(FileSystemStorage, "delete", refuse)
    run = sweep_run(today=today)

    assert run.status == "finished" and not run.errors and _processed(run) == 1
    # The journal line still went out (a restore replays the deletion), and the log names the entry, not the file.
    journaled = [e["id_hash"] for e in journal_read(since=today) if e["model"] == LABEL]
    assert journaled == [record_hash(LABEL, due.pk)]
    assert f"timeline entry {entry.pk}" in caplog.text and "anfrage" not in caplog.text


def test_an_open_request_never_comes_due_whatever_its_rule_counts_from(today):
    from retention.models import DeletionRule, StartEvent
    from retention.services import rule_save

    still_open = _request(received_on=D(2019, 3, 4))
    _request(received_on=D(2019, 3, 4), closed_on=D(2019, 4, 1))  # closed: comes due
    rule = DeletionRule.objects.get(code="request-files")
    rule.start_event = StartEvent.COLLECTION  # the DPO counts from receipt instead
    rule_save(rule=rule)

    assert _processed(sweep_run(today=today)) == 1
    assert list(DataSubjectRequest.objects.values_list("pk", flat=True)) == [still_open.pk]
    still_open.refresh_from_db()
    assert still_open.retention_start is None and still_open.deletable_from is None


def test_intake_registers_the_file_in_the_register(today):
    result = request_log(
        channel="email",
        received_at=timezone.now(),
        requester_name="Erika Mustermann",
        requester_email="erika@example.org",
        items=[ItemSpec(kind=RequestType.ACCESS)],
        actor=None,
    )
    request = result.request
    assert (request.category.code, request.activity.code) == ("data-subject-requests", "data-subject-requests")
    assert request.collected_on == today
    sweep_run(today=today)
    request.refresh_from_db()
    assert request.retention_computed_at is not None and request.deletable_from is None  # open: no end yet


def test_a_held_subject_s_request_file_stays(today):
    subject = f.DataSubjectFactory()
    request = _request(closed_on=D(2021, 5, 1), subject=subject)
    hold_place(subject=subject, reason=HoldReason.LITIGATION, starts_on=D(2026, 1, 1))
    assert _processed(sweep_run(today=today)) == 0
    assert DataSubjectRequest.objects.filter(pk=request.pk).exists()


def test_an_erasure_leaves_the_request_files_to_their_rule(today):
    subject = f.DataSubjectFactory()
    request = _request(closed_on=D(2026, 3, 1), received_on=D(2026, 2, 1), subject=subject)
    assert DataSubjectRequest not in rights_record_models()  # nor restrictions, rectification, Art. 19
    outcome = subject_erase(subject=subject)
    assert LABEL not in outcome.deleted and LABEL not in outcome.anonymised
    request.refresh_from_db()
    assert request.restricted_at is None and request.requester_name  # the proof of the erasure itself


def test_the_person_s_access_report_shows_their_request_files(today):
    from requests_app.access_report import access_report_data

    subject = f.DataSubjectFactory()
    request = _request(closed_on=D(2026, 3, 1), received_on=D(2026, 2, 1), subject=subject)
    assert request.source == request.channel  # from the requester, by the channel it came in
    data = access_report_data(subject, language="de")
    [kind] = [k for k in data["records"] if k["kind"] == "datasubjectrequest"]
    [record] = kind["records"]
    assert record["category"] == "data-subject-requests" and record["source"] == "Telefon"
    names = {f["name"] for f in record["fields"]}
    assert "requester_email" in names and "logged_by" not in names  # staff accounts are not the person's data
    [activity] = [a for a in data["activities"] if a["code"] == "data-subject-requests"]
    assert activity["legal_basis"].startswith("Art. 6 Abs. 1 lit. c DSGVO")
    [period] = [
        r["period"] for r in activity["retention"] if r["category"] == "Vorgänge zu Anträgen betroffener Personen"
    ]
    assert "3 Jahre" in period


def test_the_forecast_shows_request_files_coming_due(today):
    _request(closed_on=D(2023, 2, 1))  # deletable from 1.1.2027: within 90 days of 25.11.2026
    sweep_run(today=today, dry_run=True)  # registers
    [row] = [r for r in forecast(today=today) if r["rule"].code == "request-files"]
    assert row["due"] == 0 and row["next_90"] == 1


def test_load_register_gives_older_request_files_their_register_entries(today):
    older = f.request_with(RequestType.ACCESS, state=State.COMPLETED)
    DataSubjectRequest.objects.filter(pk=older.pk).update(closed_at=_at(D(2022, 1, 10)))
    assert older.category_id is None
    load_defaults()
    older.refresh_from_db()
    assert older.category.code == "data-subject-requests" and older.retention_computed_at is None
    assert _processed(sweep_run(today=today)) == 1


def test_the_request_page_says_how_long_its_file_is_kept(today, dpo_client):
    from django.urls import reverse

    request = _request(closed_on=D(2023, 2, 1))
    sweep_run(today=today, dry_run=True)  # registers
    page = dpo_client.get(reverse("admin:requests_app_datasubjectrequest_change", args=[request.pk]))
    text = " ".join(page.content.decode().split())
    assert "Aufbewahrung dieses Vorgangs" in text and "Vorgänge zu Anträgen betroffener Personen" in text
    assert "1. Januar 2027" in text


def test_the_rule_says_what_a_request_file_counts_from():
    from retention.models import DeletionRule

    rule = DeletionRule.objects.get(code="request-files")
    # Read in the person's access report: a request has no contract; its purpose ends when it is closed.
    assert "purpose ended" in rule.describe("en") and "contract" not in rule.describe("en")
    assert "Zweck" in rule.describe("de") and "Vertrag" not in rule.describe("de")
