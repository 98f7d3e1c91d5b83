import datetime
import io

import pytest
from django.core.management import call_command

from retention.journal import journal_read
from retention.models import ProtocolBatch, SweepRun
from retention.replay import replay_since
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
