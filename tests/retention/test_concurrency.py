"""Two sweeps at once on PostgreSQL: every record is processed by exactly one of them."""

import datetime
import threading

import pytest
from django.db import connections

from retention.models import SweepRun
from retention.models.protocol import record_hash
from retention.selectors import protocol_hashes
from retention.sweep import sweep_run
from subjects.models import AdConversion
from tests import factories as f

D = datetime.date


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_never_take_the_same_record(require_postgres, register, today):
    due = f.AdConversionFactory.create_batch(60, collected_on=D(2026, 9, 1))
    barrier = threading.Barrier(2)
    results, errors = [], []

    def worker():
        try:
            barrier.wait()
            results.append(sweep_run(batch_size=5))
        except Exception as exc:  # noqa: BLE001  (reported by the assertion below)
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    assert AdConversion.objects.count() == 0
    hashes = protocol_hashes()
    assert len(hashes) == len(set(hashes)) == 60
    assert set(hashes) == {record_hash("subjects.AdConversion", r.pk) for r in due}
    assert sum(r.total for r in results) == 60
    assert all(r.status == SweepRun.Status.FINISHED for r in results)
