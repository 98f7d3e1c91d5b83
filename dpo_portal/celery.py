import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dpo_portal.settings")

app = Celery("dpo_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
