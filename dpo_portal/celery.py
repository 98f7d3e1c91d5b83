import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dpo_portal.settings")

app = Celery("dpo_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.setup_logging.connect
def use_django_logging(loglevel=None, **kwargs) -> None:
    """Workers and beat log through settings.LOGGING, which withholds the values PostgreSQL quotes in errors
    (dpo_portal.log_redaction), instead of Celery's own handlers. LOG_LEVEL, when set, is the level; otherwise
    `-l/--loglevel` (Celery's default when it is left out: WARNING)."""
    import logging
    import os
    from logging.config import dictConfig

    from django.conf import settings

    dictConfig(settings.LOGGING)
    if loglevel and "LOG_LEVEL" not in os.environ:
        logging.getLogger().setLevel(loglevel)
