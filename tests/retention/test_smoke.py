import datetime

from retention.models import DeletionRule, ProtocolEntry
from retention.sweep import sweep_run
from tests import factories as f


def test_it_sweeps(register, today):
    assert DeletionRule.objects.active().count() == 16
    old = f.AdConversionFactory(collected_on=today - datetime.timedelta(days=40))
    fresh = f.AdConversionFactory(collected_on=today - datetime.timedelta(days=5))
    dry = sweep_run(dry_run=True)
    run = sweep_run()
    print([str(c) for c in dry.counts.all()], [str(c) for c in run.counts.all()], run.errors)
    assert not type(old).objects.filter(pk=old.pk).exists()
    assert type(fresh).objects.filter(pk=fresh.pk).exists()
    assert ProtocolEntry.objects.count() == 1
