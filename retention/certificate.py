"""The deletion certificate (Löschbescheinigung): what was deleted, anonymised or restricted in a period, as PDF."""

import datetime

from django.db.models import Max, Min, Sum
from django.utils import timezone, translation

from dpo_portal.models import Organisation
from dpo_portal.pdf import render_pdf

from .models import ProtocolBatch, SweepRun


def certificate_context(*, start: datetime.date, end: datetime.date) -> dict:
    """Counts per rule, kind of record and action from the protocol of real runs between `start` and `end`."""
    batches = ProtocolBatch.objects.filter(at__date__gte=start, at__date__lte=end).exclude(run__dry_run=True)
    rows = list(
        batches.values("rule__code", "legal_reference", "model_label", "action")
        .annotate(count=Sum("count"), first=Min("at"), last=Max("at"))
        .order_by("rule__code", "model_label", "action")
    )
    runs = SweepRun.objects.filter(dry_run=False, started_at__date__gte=start, started_at__date__lte=end)
    return {
        "start": start,
        "end": end,
        "rows": rows,
        "total": sum(r["count"] for r in rows),
        "runs": runs.count(),
        "failed_runs": runs.exclude(status=SweepRun.Status.FINISHED).count(),
        "controller": Organisation.objects.filter(role=Organisation.Role.CONTROLLER).first(),
        "generated_at": timezone.now(),
    }


def certificate_pdf(*, start: datetime.date, end: datetime.date, language: str) -> bytes:
    with translation.override(language):
        return render_pdf(
            "retention/certificate.html", {**certificate_context(start=start, end=end), "language": language}
        )
