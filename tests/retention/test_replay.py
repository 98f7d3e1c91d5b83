import datetime
import io

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.utils import translation

from retention.journal import journal_append, journal_dir, journal_line, journal_read
from retention.models import ProtocolBatch, SweepRun
from retention.models.protocol import record_digest
from retention.replay import replay_since
from retention.selectors import protocol_hashes
from retention.sweep import sweep_run
from subjects.models import AdConversion, Order
from tests import factories as f

pytestmark = pytest.mark.usefixtures("register")
D = datetime.date


@pytest.mark.django_db(transaction=True)
def test_it_applies_recorded_deletions_again_after_a_restore(today):
    ads = f.AdConversionFactory.create_batch(2, collected_on=D(2026, 9, 1))
    order = f.OrderFactory(collected_on=D(2016, 5, 1), ordered_on=D(2016, 5, 1))
    keep = f.AdConversionFactory(collected_on=D(2026, 11, 20))
    # The backup, as the database held it before the sweep.
    backup = {
        AdConversion: list(AdConversion.objects.filter(pk__in=[a.pk for a in ads])),
        Order: [Order.objects.get(pk=order.pk)],
    }
    sweep_run()
    assert len(list(journal_read(since=D(2026, 11, 1)))) == 3
    # The restore: the rows come back, and the protocol in the database is lost with it.
    ProtocolBatch.objects.all().delete()
    SweepRun.objects.all().delete()
    Order.objects.filter(anonymised_at__isnull=False).delete()
    for model, rows in backup.items():
        model.objects.bulk_create(rows)
    assert AdConversion.objects.count() == 3
    out = io.StringIO()
    call_command("retention_replay", "--since", "2026-11-25", stdout=out)
    assert set(AdConversion.objects.values_list("pk", flat=True)) == {keep.pk}
    assert not Order.objects.filter(pk=order.pk).exists()
    assert Order.objects.filter(anonymised_at__isnull=False).count() == 1
    # Idempotent: nothing left to do.
    again = replay_since(since=D(2026, 11, 25))
    assert again.total == 0


def test_a_replay_since_a_later_day_leaves_earlier_deletions_alone(today):
    f.AdConversionFactory(collected_on=D(2026, 9, 1))
    sweep_run()
    assert list(journal_read(since=D(2026, 11, 26))) == []


def test_journals_written_one_line_per_record_are_still_read(tmp_path):
    old = tmp_path / "2026-11.jsonl"
    line = '{"at": "2026-11-20T02:30:00+00:00", "run": 4, "model": "subjects.Order", "action": "delete", "rule": "x"'
    old.write_text(f'{line}, "id_hash": "{"a" * 64}"}}\n', encoding="utf-8")
    assert list(journal_read(since=D(2026, 11, 1), directory=tmp_path)) == [
        {
            "at": "2026-11-20T02:30:00+00:00",
            "run": 4,
            "model": "subjects.Order",
            "action": "delete",
            "rule": "x",
            "id_hash": "a" * 64,
        }
    ]


def _journal_batch(at: datetime.datetime) -> None:
    digests = record_digest("subjects.Order", 7)
    journal_append(
        journal_line(at=at, run=1, model="subjects.Order", action="delete", rule="x", digests=digests), at=at
    )


def test_a_batch_in_the_first_hour_of_a_local_day_belongs_to_that_day():
    # 00:30 in Berlin on 25 November is 23:30 UTC the day before.
    _journal_batch(datetime.datetime(2026, 11, 24, 23, 30, tzinfo=datetime.UTC))
    assert len(list(journal_read(since=D(2026, 11, 25)))) == 1
    assert list(journal_read(since=D(2026, 11, 26))) == []


def test_a_batch_in_the_first_hour_of_a_local_month_is_in_that_months_file():
    # 00:30 in Berlin on 1 December is 23:30 UTC on 30 November.
    _journal_batch(datetime.datetime(2026, 11, 30, 23, 30, tzinfo=datetime.UTC))
    assert [p.name for p in journal_dir().iterdir()] == ["2026-12.jsonl"]
    assert len(list(journal_read(since=D(2026, 12, 1)))) == 1
    assert list(journal_read(since=D(2026, 12, 2))) == []


def test_journals_named_by_the_utc_month_are_still_read_from_the_first_local_hour(tmp_path):
    # Written before files were named by the local month: 00:30 in Berlin on 1 December went to November's.
    line = '{"at": "2026-11-30T23:30:00+00:00", "run": 4, "model": "subjects.Order", "action": "delete", "rule": "x"'
    (tmp_path / "2026-11.jsonl").write_text(f'{line}, "id_hashes": "{"a" * 64}"}}\n', encoding="utf-8")
    assert [e["id_hash"] for e in journal_read(since=D(2026, 12, 1), directory=tmp_path)] == ["a" * 64]
    assert list(journal_read(since=D(2026, 12, 2), directory=tmp_path)) == []


@pytest.mark.django_db(transaction=True)
def test_a_replay_since_a_day_finds_the_sweep_of_its_first_hour():
    with time_machine.travel(datetime.datetime(2026, 11, 20, 9, tzinfo=datetime.UTC), tick=False):
        ad = f.AdConversionFactory(collected_on=D(2026, 9, 1))
        backup = AdConversion.objects.get(pk=ad.pk)
    # The nightly sweep at 00:30 Berlin time on 25 November (23:30 UTC on the 24th).
    with time_machine.travel(datetime.datetime(2026, 11, 24, 23, 30, tzinfo=datetime.UTC), tick=False):
        sweep_run()
    ProtocolBatch.objects.all().delete()
    SweepRun.objects.all().delete()
    with time_machine.travel(datetime.datetime(2026, 11, 20, 9, tzinfo=datetime.UTC), tick=False):
        AdConversion.objects.bulk_create([backup])
    call_command("retention_replay", "--since", "2026-11-25", stdout=io.StringIO())
    assert not AdConversion.objects.filter(pk=ad.pk).exists()


def test_a_line_cut_short_by_a_failed_write_does_not_block_the_journal(tmp_path, settings):
    settings.RETENTION_JOURNAL_DIR = str(tmp_path)
    at = datetime.datetime(2026, 11, 25, 9, tzinfo=datetime.UTC)
    digests = [bytes([n]) * 32 for n in (1, 2)]
    journal_append(
        journal_line(at=at, run=1, model="subjects.AdConversion", action="delete", rule="r", digests=digests[0]), at=at
    )
    with (tmp_path / "2026-11.jsonl").open("a", encoding="utf-8") as out:
        out.write('{"at": "2026-11-25T09:00:00+00:00", "run": 1, "mod')  # the disk ran full
    journal_append(
        journal_line(at=at, run=2, model="subjects.AdConversion", action="delete", rule="r", digests=digests[1]), at=at
    )
    assert [e["id_hash"] for e in journal_read(since=datetime.date(2026, 11, 25))] == [d.hex() for d in digests]


def _restored_after_a_sweep() -> AdConversion:
    """An ad conversion the sweep deleted (journalled) and the restore brought back with the old protocol."""
    ad = f.AdConversionFactory(collected_on=D(2026, 9, 1))
    backup = AdConversion.objects.get(pk=ad.pk)
    sweep_run()
    ProtocolBatch.objects.all().delete()
    SweepRun.objects.all().delete()
    AdConversion.objects.bulk_create([backup])
    return ad


def replay(*args: str) -> str:
    out = io.StringIO()
    call_command("retention_replay", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("journal", "message"),
    [
        ("missing", "Das Verzeichnis des Wiederholungsjournals .*missing existiert nicht"),
        ("2026-11.jsonl", "2026-11.jsonl ist kein Verzeichnis"),
    ],
)
def test_a_journal_that_is_missing_or_a_file_is_refused_and_nothing_is_written(today, tmp_path, journal, message):
    ad = _restored_after_a_sweep()
    (tmp_path / "2026-11.jsonl").write_text("")
    with pytest.raises(CommandError, match=message):
        replay("--since", "2026-11-25", "--journal", str(tmp_path / journal))
    assert not SweepRun.objects.exists()
    assert AdConversion.objects.filter(pk=ad.pk).exists()
    replay("--since", "2026-11-25")  # the journal directory the sweep wrote
    assert not AdConversion.objects.filter(pk=ad.pk).exists()


def test_a_replay_date_after_today_is_refused_and_nothing_is_written(today):
    journal_dir().mkdir(parents=True)
    with translation.override("en"), pytest.raises(CommandError, match=r"The replay date 2026-11-26 is after today"):
        replay("--since", "2026-11-26")
    assert not SweepRun.objects.exists()


def test_a_default_journal_directory_that_does_not_exist_is_refused(today):
    with translation.override("en"), pytest.raises(CommandError, match="does not exist"):
        replay("--since", "2026-11-25")
    assert not SweepRun.objects.exists()


def test_an_empty_journal_directory_is_nothing_to_replay(today):
    journal_dir().mkdir(parents=True)
    with translation.override("en"):
        assert "total (did): 0" in replay("--since", "2026-11-25")
    assert SweepRun.objects.get().status == SweepRun.Status.FINISHED


def test_reading_a_journal_that_is_not_a_directory_fails_rather_than_finding_nothing(tmp_path):
    with pytest.raises(NotADirectoryError):
        list(journal_read(since=D(2026, 11, 1), directory=tmp_path / "missing"))


@pytest.mark.django_db(transaction=True)
def test_damaged_journal_lines_are_skipped_and_reported_and_the_others_replayed(today, caplog):
    ad = _restored_after_a_sweep()
    head = '{"at": "2026-11-25T09:00:00+00:00", "run": 9, "model": "subjects.Order", "rule": "x"'
    damaged = [
        f'{head}, "action": "delete", "id_hashes": "zz", "note": "Erika Mustermann"}}',  # not hex
        f'{head}, "action": "delete"}}',  # no hashes at all
        f'{head}, "action": "delete", "id_hashes": "{"ab" * 31}"}}',  # a hash cut short
        f'{head}, "action": "shred", "id_hashes": "{"ab" * 32}"}}',  # an action the replay does not know
        '{"run": 9, "model": "subjects.Order", "action": "delete", "id_hashes": ""}',  # no time
        '["Erika Mustermann"]',  # no JSON object
        '{"at": "2026-11-25T09:00:00+00:00", "run": 9, "mod',  # cut short by a failed write
    ]
    with (journal_dir() / "2026-11.jsonl").open("a", encoding="utf-8") as out:
        out.write("\n".join(damaged) + "\n")
    out = io.StringIO()
    with pytest.raises(CommandError, match="Wiederholung mit Fehlern beendet"):
        call_command("retention_replay", "--since", "2026-11-25", stdout=out)
    assert not AdConversion.objects.filter(pk=ad.pk).exists()  # the intact line still counts
    run = SweepRun.objects.get()
    assert (run.status, run.total) == (SweepRun.Status.FAILED, 1)
    lines = list(range(2, 9))
    assert run.errors == [{"journal": "2026-11.jsonl", "lines": lines, "count": 7, "error": "damaged lines"}]
    assert "2026-11.jsonl: 7 Journalzeilen können nicht gelesen werden" in out.getvalue()
    assert "Mustermann" not in out.getvalue() + caplog.text


@pytest.mark.parametrize("error", [RuntimeError, KeyboardInterrupt])
def test_a_replay_that_dies_is_marked_failed_not_left_running(today, monkeypatch, error):
    from retention import replay as replay_module

    f.OrderFactory(pk=7)  # restored
    _journal_batch(datetime.datetime(2026, 11, 25, 10, tzinfo=datetime.UTC))  # its deletion, journalled

    def dies(*args, **kwargs):
        raise error("Erika Mustermann")

    monkeypatch.setattr(replay_module, "_replay_batch", dies)
    if error is KeyboardInterrupt:
        with pytest.raises(KeyboardInterrupt):
            replay_since(since=D(2026, 11, 25))
    else:
        with pytest.raises(CommandError, match="Wiederholung mit Fehlern beendet"):
            replay("--since", "2026-11-25")
    run = SweepRun.objects.get()
    assert (run.status, run.errors) == (SweepRun.Status.FAILED, [{"error": error.__name__}])
    assert run.finished_at is not None


@pytest.mark.django_db(transaction=True)
def test_a_cut_line_whose_batch_was_written_again_is_no_error(today):
    """The disk ran full in the middle of a batch's line; once `retention_journal --run` has written the batch again
    whole, the cut line is no loss, and a replay must not report it for ever."""
    from retention.journal import journal_write_run

    f.AdConversionFactory.create_batch(2, collected_on=D(2026, 9, 1))
    run = sweep_run()
    path = journal_dir() / "2026-11.jsonl"
    whole = path.read_text(encoding="utf-8")
    path.write_text(whole[: whole.index('"id_hashes": "') + len('"id_hashes": "') + 74], encoding="utf-8")
    skipped = []
    list(journal_read(since=D(2026, 11, 25), skipped=lambda name, number: skipped.append(number)))
    assert skipped == [1]  # the batch is missing from the journal: reported
    assert journal_write_run(run) == 1
    skipped.clear()
    hashes = [
        e["id_hash"] for e in journal_read(since=D(2026, 11, 25), skipped=lambda n, number: skipped.append(number))
    ]
    assert skipped == [] and sorted(hashes) == sorted(protocol_hashes(run.batches.all()))
    # A cut line of another batch, never written again, is still reported.
    with path.open("a", encoding="utf-8") as out:
        out.write(whole.replace(f'"run": {run.pk}', f'"run": {run.pk + 1}')[:200] + "\n")
    list(journal_read(since=D(2026, 11, 25), skipped=lambda name, number: skipped.append(number)))
    assert skipped == [3]
