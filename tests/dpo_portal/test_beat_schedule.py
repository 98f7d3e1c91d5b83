"""Every scheduled job names a task a worker knows: a typo in a task's name would fail silently, every night."""

from django.conf import settings

from dpo_portal.celery import app


def test_it_schedules_only_registered_tasks():
    app.loader.import_default_modules()  # what a worker does at start-up: every app's tasks.py
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert scheduled - set(app.tasks) == set()
    assert {"retention.tasks.run_retention_sweep", "requests_app.tasks.delete_evidence_orphans"} <= scheduled
