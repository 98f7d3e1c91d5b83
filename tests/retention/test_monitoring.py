"""The DPO hears of a nightly sweep that failed, was interrupted or did not run: by e-mail each morning, in German
and English, and on the admin's start page."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from retention.models import SweepRun
from retention.monitoring import sweep_alert_send, sweep_health
from retention.sweep import sweep_run
from retention.tasks import check_retention_sweep

pytestmark = pytest.mark.usefixtures("register")


def _run(**fields) -> SweepRun:
    return SweepRun.objects.create(today=timezone.localdate(), **fields)


def test_a_sweep_that_ran_tonight_sends_nothing(today, mailoutbox):
    sweep_run()
    assert check_retention_sweep() == "" and mailoutbox == []


def test_a_sweep_with_errors_is_reported_in_both_languages(today, mailoutbox, settings):
    settings.DPO_EMAIL = "dsb@example.org"
    sweep_run()
    run = _run(
        status=SweepRun.Status.FAILED,
        errors=[{"model": "subjects.Order", "action": "anonymise", "error": "OperationalError"}],
    )
    assert sweep_alert_send() == "failed"
    [mail] = mailoutbox
    assert mail.to == ["dsb@example.org"]
    assert mail.subject == "Löschlauf braucht Aufmerksamkeit / Retention sweep needs attention"
    assert (
        "Der Löschlauf vom 25.11.2026" in mail.body
        and "1 Fehler: Bestellungen und Verträge, anonymisieren: OperationalError" in mail.body
    )
    assert (
        f"The retention sweep of 25/11/2026 (run {run.pk}) reported 1 error: Orders and contracts, anonymise: Ope"
        in mail.body
    )


@pytest.mark.parametrize(
    ("setup", "problem", "words"),
    [
        ("never", "never", "Es ist noch kein Löschlauf gelaufen"),
        ("dry_run_only", "never", "Es ist noch kein Löschlauf gelaufen"),
        ("interrupted", "interrupted", "wurde unterbrochen"),
        ("two_days_ago", "missing", "Seit dem 23.11.2026"),
    ],
)
def test_an_interrupted_or_missing_sweep_is_reported(today, mailoutbox, setup, problem, words):
    if setup == "dry_run_only":
        sweep_run(dry_run=True)
    elif setup == "interrupted":
        _run(status=SweepRun.Status.INTERRUPTED)
    elif setup == "two_days_ago":
        with time_machine.travel(datetime.datetime(2026, 11, 23, 1, 30, tzinfo=datetime.UTC), tick=False):
            sweep_run()
    assert sweep_alert_send() == problem
    assert words in mailoutbox[0].body


def test_a_night_without_a_sweep_shows_the_next_morning(today):
    with time_machine.travel(datetime.datetime(2026, 11, 24, 9, 0, tzinfo=datetime.UTC), tick=False):
        sweep_run()
    assert sweep_health().problem == ""  # 25 hours ago
    now = datetime.datetime(2026, 11, 25, 12, 45, tzinfo=datetime.UTC)  # 27 hours 45 minutes after it
    assert sweep_health(now=now).problem == "missing"


def test_a_sweep_killed_with_its_worker_shows_the_same_morning(today, mailoutbox):
    started = timezone.now() - datetime.timedelta(hours=3, minutes=45)
    run = _run(status=SweepRun.Status.RUNNING, started_at=started)
    assert sweep_alert_send() == "running"
    body = " ".join(mailoutbox[0].body.split())
    assert f"(Lauf {run.pk}) begann um" in body and f"(run {run.pk}) started at" in body
    assert sweep_health(now=started + datetime.timedelta(minutes=30)).problem == ""  # still at work


def test_a_failure_is_reported_until_a_later_sweep_finished_cleanly(today):
    failed = _run(
        status=SweepRun.Status.FAILED, errors=[{"model": "subjects.Order", "action": "delete", "error": "DataError"}]
    )
    SweepRun.objects.filter(pk=failed.pk).update(started_at=timezone.now() - datetime.timedelta(hours=20))
    running = _run(status=SweepRun.Status.RUNNING)  # tonight's, at work: the failure still stands
    health = sweep_health()
    assert (health.problem, health.last.pk) == ("failed", failed.pk)
    SweepRun.objects.filter(pk=running.pk).update(status=SweepRun.Status.FINISHED)
    assert sweep_health().problem == ""


def test_a_journal_line_not_written_tells_what_to_run(today, mailoutbox):
    run = _run(
        status=SweepRun.Status.FAILED,
        errors=[{"model": "subjects.Order", "action": "delete", "error": "PermissionError", "journal": "not written"}],
    )
    sweep_alert_send()
    body = " ".join(mailoutbox[0].body.split())
    assert f"run retention_journal --run {run.pk}" in body
    assert "still stored" not in body  # the batch was processed: only its journal line is missing


@pytest.mark.parametrize(("language", "words"), [("de", "wurde unterbrochen"), ("en", "was interrupted")])
def test_the_start_page_shows_it_to_the_dpo(dpo_client, today, language, words):
    page = dpo_client.get(reverse("admin:index"), headers={"accept-language": language}).content.decode()
    assert words not in page  # no sweep yet: the embedded demo runs no beat, so no notice
    _run(status=SweepRun.Status.INTERRUPTED)
    page = dpo_client.get(reverse("admin:index"), headers={"accept-language": language}).content.decode()
    assert words in page
    sweep_run()
    page = dpo_client.get(reverse("admin:index"), headers={"accept-language": language}).content.decode()
    assert words not in page


def test_a_journal_that_cannot_be_written_is_named_in_the_reader_s_language(today, mailoutbox, settings, tmp_path):
    blocked = tmp_path / "file"
    blocked.write_text("")
    settings.RETENTION_JOURNAL_DIR = str(blocked / "journal")  # under a file: cannot be created
    assert sweep_run().status == SweepRun.Status.FAILED
    assert sweep_alert_send() == "failed"
    body = mailoutbox[0].body
    assert "1 Fehler: das Wiederholungsjournal kann nicht geschrieben werden." in body
    assert "1 error: the replay journal cannot be written." in body


@pytest.mark.parametrize(
    ("language", "words"),
    [("de", "Bestellungen und Verträge, anonymisieren: OperationalError"), ("en", "Orders and contracts, anonymise:")],
)
def test_the_run_page_lists_its_errors_in_words(dpo_client, today, language, words):
    run = _run(
        status=SweepRun.Status.FAILED,
        errors=[{"model": "subjects.Order", "action": "anonymise", "error": "OperationalError"}],
    )
    url = reverse("admin:retention_sweeprun_change", args=[run.pk])
    page = dpo_client.get(url, headers={"accept-language": language}).content.decode()
    assert words in page and '"action"' not in page
