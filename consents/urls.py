"""Mounted at /api/ by dpo_portal.urls."""

from django.db import transaction
from django.urls import path, re_path

from .api import views


def _view(cls):
    # Not inside the request transaction: services are atomic themselves, and a refused
    # attempt must stay in the audit trail although the request fails.
    return transaction.non_atomic_requests(cls.as_view())


app_name = "consents_api"
urlpatterns = [
    path("consents/", _view(views.ConsentCreate), name="consent-create"),
    path("consents/confirm/", _view(views.ConsentConfirm), name="consent-confirm"),
    path("consents/withdraw/", _view(views.ConsentWithdraw), name="consent-withdraw"),
    path("may-contact/", _view(views.MayContact), name="may-contact"),
    re_path(r"^.*$", views.not_found),
]
