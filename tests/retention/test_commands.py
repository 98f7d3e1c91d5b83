import datetime
import io

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.utils import translation

from retention.models import SweepRun
from retention.tasks import run_retention_sweep
from subjects.models import AdConversion
from tests import factories as f

pytestmark = pytest.mark.usefixtures("register")
D = datetime.date


def sweep(*args):
    out = io.StringIO()
    call_command("retention_sweep", *args, stdout=out)
    return out.getvalue()


def test_it_prints_what_a_dry_run_would_do_and_then_does_it(today):
    f.AdConversionFactory.create_batch(3, collected_on=D(2026, 9, 1))
    dry = sweep("--dry-run")
    assert "Probelauf: nichts geändert" in dry
    assert "ad-conversion-30-days" in dry and "delete" in dry and "Summe (würde): 3" in dry
    assert AdConversion.objects.count() == 3
    real = sweep()
    assert "Summe (erledigt): 3" in real
    assert AdConversion.objects.count() == 0


def test_its_columns_fit_the_longest_kind_of_record(today):
    from requests_app.defaults import file_defaults
    from requests_app.models import DataSubjectRequest, RequestType

    f.AdConversionFactory(collected_on=D(2026, 9, 1))
    request = f.request_with(RequestType.ACCESS, state=DataSubjectRequest.State.COMPLETED, **file_defaults())
    DataSubjectRequest.objects.filter(pk=request.pk).update(
        closed_at=datetime.datetime(2021, 3, 1, tzinfo=datetime.UTC)
    )
    rows = [line for line in sweep("--dry-run").splitlines() if "delete" in line]
    assert len(rows) == 2
    # The counts stand in one column, right-aligned, after a space.
    assert len({len(line) for line in rows}) == 1
    assert any(" requests_app.DataSubjectRequest " in line for line in rows)


def test_it_sweeps_as_of_a_given_day(today):
    f.AdConversionFactory(collected_on=D(2026, 11, 20))  # due from 20 December
    assert "Summe (erledigt): 0" in sweep()
    with time_machine.travel(datetime.datetime(2026, 12, 21, 10, tzinfo=datetime.UTC), tick=False):
        assert "Summe (erledigt): 0" in sweep("--today", "2026-12-19")
        with translation.override("en"):
            assert "total (did): 1" in sweep("--today", "2026-12-21")


@pytest.mark.parametrize("day", ["2026-11-26", "2027-11-20", "2028-01-01"])
def test_in_production_it_refuses_a_real_sweep_as_of_a_day_after_today(today, settings, day):
    settings.DEMO_MODE = False
    f.AdConversionFactory(collected_on=D(2026, 11, 20))  # due from 21 December
    with pytest.raises(CommandError, match=f"Ein Löschlauf zum {day}, einem Tag nach heute"):
        sweep("--today", day)
    with translation.override("en"), pytest.raises(CommandError, match="Only a dry run may look ahead"):
        sweep("--today", day)
    assert not SweepRun.objects.exists() and AdConversion.objects.count() == 1


def test_a_dry_run_looks_up_to_a_year_ahead(today):
    f.AdConversionFactory(collected_on=D(2026, 11, 20))
    assert "Summe (würde): 1" in sweep("--dry-run", "--today", "2027-11-20")
    assert AdConversion.objects.count() == 1
    with pytest.raises(CommandError, match="365"):
        sweep("--dry-run", "--today", "2027-11-26")
    assert SweepRun.objects.count() == 1


def test_it_exits_non_zero_when_a_batch_failed(today, monkeypatch):
    from django.db import DatabaseError

    from retention import sweep as sweep_module

    f.AdConversionFactory(collected_on=D(2026, 9, 1))

    def broken(*args, **kwargs):
        raise DatabaseError("boom")

    monkeypatch.setattr(sweep_module, "protocol_write", broken)
    with pytest.raises(CommandError, match="zurückgerollt"):
        sweep()


def test_the_task_runs_the_same_sweep(today):
    f.AdConversionFactory.create_batch(2, collected_on=D(2026, 9, 1))
    result = run_retention_sweep.delay().get()
    assert result["total"] == 2 and result["status"] == "finished"
    assert run_retention_sweep.delay().get()["total"] == 0


def test_in_production_the_task_refuses_a_day_after_today_too(today, settings):
    settings.DEMO_MODE = False
    f.AdConversionFactory(collected_on=D(2026, 11, 20))
    with pytest.raises(ValidationError):
        run_retention_sweep.delay("2026-12-21").get()
    assert AdConversion.objects.count() == 1 and not SweepRun.objects.filter(today=D(2026, 12, 21)).exists()


@pytest.mark.parametrize("size", ["0", "-5"])
def test_it_refuses_a_batch_size_below_one(today, size):
    f.AdConversionFactory(collected_on=D(2026, 9, 1))
    with pytest.raises(CommandError, match="mindestens 1"):
        sweep("--batch-size", size)
    assert not SweepRun.objects.exists() and AdConversion.objects.count() == 1


def test_it_touches_nothing_when_the_journal_cannot_be_written(today, settings, tmp_path):
    (tmp_path / "a-file").write_text("")
    settings.RETENTION_JOURNAL_DIR = str(tmp_path / "a-file" / "journal")
    f.AdConversionFactory(collected_on=D(2026, 9, 1))
    with translation.override("en"), pytest.raises(CommandError, match="replay journal directory"):
        sweep()
    assert AdConversion.objects.count() == 1
    assert SweepRun.objects.get().status == SweepRun.Status.FAILED


@pytest.mark.django_db(transaction=True)  # the journal is written on commit
def test_it_stops_when_a_journal_line_cannot_be_written(register, today, monkeypatch):
    from retention import protocol
    from retention.journal import journal_read
    from retention.models import ProtocolBatch
    from retention.selectors import protocol_hashes

    f.AdConversionFactory.create_batch(3, collected_on=D(2026, 9, 1))
    written = []

    def append_once(line, *, at):
        if written:
            raise PermissionError("journal")
        written.append(line)

    monkeypatch.setattr(protocol, "journal_append", append_once)
    with pytest.raises(CommandError, match="retention_journal --run"):
        sweep("--batch-size", "1")
    run = SweepRun.objects.get()
    # Two batches committed (the second one's line failed), the third was not started.
    assert (run.status, ProtocolBatch.objects.count(), AdConversion.objects.count()) == (SweepRun.Status.FAILED, 2, 1)
    assert run.errors == [
        {
            "rule": "ad-conversion-30-days",
            "model": "subjects.AdConversion",
            "action": "delete",
            "error": "PermissionError",
            "journal": "not written",
        }
    ]
    # Once the directory is writable again, the run's missing lines are written from the protocol, once.
    monkeypatch.undo()
    out = io.StringIO()
    call_command("retention_journal", "--run", str(run.pk), stdout=out)
    assert "2 Journalzeilen für Löschlauf" in out.getvalue()
    call_command("retention_journal", "--run", str(run.pk), stdout=out)
    assert "0 Journalzeilen" in out.getvalue()
    hashes = sorted(e["id_hash"] for e in journal_read(since=D(2026, 11, 25)))
    assert hashes == sorted(protocol_hashes(ProtocolBatch.objects.all()))
