"""Scheduled retention jobs (the beat entry is in settings.CELERY_BEAT_SCHEDULE)."""

from celery import shared_task

from .sweep import sweep_run


@shared_task(name="retention.tasks.run_retention_sweep", acks_late=True)
def run_retention_sweep(today: str | None = None) -> dict:
    """The nightly sweep. Idempotent: a second run on the same day finds nothing left to do, and
    two workers at once share the work (each batch is claimed by exactly one)."""
    import datetime

    run = sweep_run(today=datetime.date.fromisoformat(today) if today else None)
    return {"run": run.pk, "status": run.status, "total": run.total, "errors": len(run.errors)}


@shared_task(name="retention.tasks.check_retention_sweep")
def check_retention_sweep() -> str:
    """Each morning: tells the DPO when the nightly sweep failed, was interrupted or did not run."""
    from .monitoring import sweep_alert_send

    return sweep_alert_send()
