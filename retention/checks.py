"""System checks: every data category has exactly one active deletion rule; no rule keeps data under a
retention duty for no time (saved before DeletionRule.clean refused it).

It reads the database, so it is tagged `database` and runs with `manage.py check --database default`
(and in the test suite), not on every `runserver`.
"""

from django.core.checks import Error, Tags, Warning, register
from django.db import DatabaseError
from django.db.models import Count, Q


@register(Tags.database)
def check_one_active_rule_per_category(app_configs=None, databases=None, **kwargs):
    if not databases:
        return []
    from dpo_portal.models import DataCategory

    try:
        categories = list(
            DataCategory.objects.annotate(active=Count("deletion_rules", filter=Q(deletion_rules__is_active=True)))
            .filter(~Q(active=1))
            .values_list("code", "active")
        )
    except DatabaseError:
        return []  # not migrated yet
    problems = []
    for code, active in categories:
        if active == 0:
            problems.append(
                Warning(
                    f"Data category {code!r} has no active deletion rule: its records are never deleted.",
                    hint="Add one in the admin (Retention > Deletion rules) or run `load_register`.",
                    id="retention.W001",
                )
            )
        else:
            problems.append(
                Error(
                    f"Data category {code!r} has {active} active deletion rules; exactly one may be active.",
                    id="retention.E001",
                )
            )
    return problems


@register(Tags.database)
def check_retention_duties_have_a_period(app_configs=None, databases=None, **kwargs):
    if not databases:
        return []
    from .models import DeletionRule

    try:
        codes = list(
            DeletionRule.objects.active()
            .filter(retention_duty=True, years=0, months=0, days=0)
            .values_list("code", flat=True)
        )
    except DatabaseError:
        return []  # not migrated yet
    return [
        Error(
            f"Deletion rule {code!r} keeps data under a retention duty for no time: the next sweep processes "
            "it at once.",
            hint="Enter the retention period in the admin (Retention > Deletion rules).",
            id="retention.E002",
        )
        for code in codes
    ]


@register(Tags.security, deploy=True)
def check_backup_period_stated(app_configs=None, **kwargs):
    from django.conf import settings

    days = settings.BACKUP_RETENTION_DAYS
    if days is not None and days > 0:
        return []
    if days is not None:
        return [Error(f"BACKUP_RETENTION_DAYS is {days}: it must be a number of days above 0.", id="retention.E003")]
    return [
        Warning(
            "BACKUP_RETENTION_DAYS is not set: the deletion concept cannot say how long backups keep data the "
            "sweeps deleted.",
            hint="Set it to the number of days database backups are kept before they are deleted as a whole.",
            id="retention.W002",
        )
    ]
