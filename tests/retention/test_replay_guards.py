"""A replay after a restore acts only on the rows its protocol recorded, not on newer rows that reuse their ids."""

import datetime
import io

import pytest
import time_machine
from django.core.management import call_command

from retention.models import ProtocolBatch, SweepRun
from retention.replay import replay_since
from retention.services import subject_erase
from retention.sweep import sweep_run
from subjects.models import AdConversion, DataSubject
from tests import factories as f

pytestmark = [pytest.mark.usefixtures("register"), pytest.mark.django_db(transaction=True)]
D = datetime.date


def at(day: int, hour: int):
    """A fixed moment in November 2026 (UTC), time frozen."""
    return time_machine.travel(datetime.datetime(2026, 11, day, hour, tzinfo=datetime.UTC), tick=False)


def lose_protocol():
    """The restore takes the database back to the backup, protocol included."""
    ProtocolBatch.objects.all().delete()
    SweepRun.objects.all().delete()


def test_a_newer_record_that_reuses_a_deleted_records_id_is_skipped():
    with at(20, 9):  # before the backup
        restored = f.AdConversionFactory(collected_on=D(2026, 9, 1))
    with at(23, 9):  # after the backup: lost by the restore
        lost = f.AdConversionFactory(collected_on=D(2026, 9, 1))
    backup = AdConversion.objects.get(pk=restored.pk)
    with at(25, 10):
        sweep_run()
    assert not AdConversion.objects.filter(pk__in=[restored.pk, lost.pk]).exists()
    lose_protocol()
    with at(20, 9):  # the restored row, with its id and creation time (auto_now_add)
        AdConversion.objects.bulk_create([backup])
    with at(26, 8):  # the sequence went back: a new record takes the lost one's id
        newcomer = f.AdConversionFactory(pk=lost.pk, collected_on=D(2026, 11, 26))
    out = io.StringIO()
    with at(26, 9):
        call_command("retention_replay", "--since", "2026-11-25", stdout=out)
    assert not AdConversion.objects.filter(pk=restored.pk).exists()
    assert AdConversion.objects.get(pk=lost.pk).click_id == newcomer.click_id
    assert "subjects.AdConversion: 1 Datensatz nach seinem Protokolleintrag angelegt" in out.getvalue()
    run = SweepRun.objects.get(kind=SweepRun.Kind.REPLAY)
    assert run.total == 1


def test_a_newer_data_subject_that_reuses_an_anonymised_subjects_id_keeps_its_identity():
    with at(20, 9):
        restored = f.DataSubjectFactory(first_name="Anna", last_name="Alt")
    with at(23, 9):
        lost = f.DataSubjectFactory(first_name="Lena", last_name="Verloren")
    backup = DataSubject.objects.get(pk=restored.pk)
    with at(25, 10):  # erasure without records left: the identity is anonymised at once
        subject_erase(subject=restored)
        subject_erase(subject=lost)
    assert DataSubject.objects.filter(pk__in=[restored.pk, lost.pk], last_name="").count() == 2
    lose_protocol()
    backup.save()
    DataSubject.objects.filter(pk=lost.pk).delete()
    with at(26, 8):
        f.DataSubjectFactory(pk=lost.pk, first_name="Nina", last_name="Neu")
    with at(26, 9):
        run = replay_since(since=D(2026, 11, 25))
    assert DataSubject.objects.get(pk=restored.pk).last_name == ""
    newcomer = DataSubject.objects.get(pk=lost.pk)
    assert (newcomer.first_name, newcomer.last_name) == ("Nina", "Neu")
    assert run.skipped == {"subjects.DataSubject": 1}
    assert run.total == 1
    with at(26, 10):  # identities already blank are not blanked, nor protocolled, again
        assert replay_since(since=D(2026, 11, 25)).total == 0
