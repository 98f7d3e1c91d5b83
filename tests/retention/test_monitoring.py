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


def test_a_day_without_a_sweep_is_not_yet_missing(today):
    with time_machine.travel(datetime.datetime(2026, 11, 24, 1, 30, tzinfo=datetime.UTC), tick=False):
        sweep_run()
    assert sweep_health().problem == ""


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
