"""Reads of the register that span relations, with a fixed number of queries."""

from django.db.models import Prefetch, QuerySet

from .models import DataCategory, ProcessingActivity, Recipient, System


def register_activities(*, include_inactive: bool = False) -> QuerySet[ProcessingActivity]:
    qs = ProcessingActivity.objects.select_related("controller").prefetch_related(
        Prefetch("data_categories", queryset=DataCategory.objects.order_by("name_de")),
        Prefetch("recipients", queryset=Recipient.objects.order_by("name")),
        Prefetch("systems", queryset=System.objects.select_related("operator").order_by("name")),
        "joint_controllers",
    )
    return qs if include_inactive else qs.active()
