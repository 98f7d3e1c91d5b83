"""Decided cases end with their decision (ScreeningCase._decide sets contract_end since this release): cases
decided before get the local date of their decision, and are registered with the retention engine again."""

from django.db import migrations
from django.utils import timezone


def forwards(apps, schema_editor):
    ScreeningCase = apps.get_model("screening", "ScreeningCase")
    cases = list(ScreeningCase.objects.filter(decided_at__isnull=False, contract_end__isnull=True).only("decided_at"))
    for case in cases:
        case.contract_end = timezone.localdate(case.decided_at)
        case.retention_computed_at = None
    ScreeningCase.objects.bulk_update(cases, ["contract_end", "retention_computed_at"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [("screening", "0003_rescreen_progress")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
