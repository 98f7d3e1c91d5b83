"""Whether the nightly sweep runs: a sweep that failed, was interrupted or has not run for a day and a half is
reported to the DPO (an e-mail each morning, and a notice on the admin's start page), since nobody reads the
list of runs every day and data kept past its period is a breach of Art. 5(1)(e) GDPR."""

import datetime
from dataclasses import dataclass

from django.apps import apps
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import lazy
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from dpo_portal.mail import mail_dpo

from .models import Action, SweepRun
from .reporting import run_failure_message
from .sweep import JOURNAL_NOT_WRITABLE

# The sweep runs nightly and the check each morning: a day and two hours back covers the last night's run, and a
# night without one shows the next morning (the check runs four hours after the sweep: a missed night is 28 hours old).
WINDOW = datetime.timedelta(hours=26)
# A sweep takes minutes; one still running after an hour was most likely stopped with its worker.
RUNNING_TOO_LONG = datetime.timedelta(hours=1)


@dataclass(frozen=True)
class SweepHealth:
    problem: str  # "": fine; "failed", "interrupted", "running", "missing" or "never"
    last: SweepRun | None  # the run it concerns (the latest real sweep when fine or missing)


def sweep_health(*, now: datetime.datetime | None = None) -> SweepHealth:
    """How the real sweeps of the last WINDOW went (dry runs, replays and erasures are not the nightly sweep): since
    the latest that finished cleanly, the latest that failed, was interrupted or still runs after RUNNING_TOO_LONG;
    else whether one ran at all."""
    now = now or timezone.now()
    sweeps = SweepRun.objects.filter(kind=SweepRun.Kind.SWEEP, dry_run=False).order_by("-started_at", "-pk")
    recent = list(sweeps.filter(started_at__gte=now - WINDOW))
    for run in recent:
        if run.status == SweepRun.Status.FINISHED:
            break  # what went wrong before it, it has finished
        if run.status == SweepRun.Status.FAILED:
            return SweepHealth("failed", run)
        if run.status == SweepRun.Status.INTERRUPTED:
            return SweepHealth("interrupted", run)
        if run.status == SweepRun.Status.RUNNING and run.started_at < now - RUNNING_TOO_LONG:
            return SweepHealth("running", run)
    if recent:
        return SweepHealth("", recent[0])
    last = sweeps.first()
    return SweepHealth("missing", last) if last else SweepHealth("never", None)


def health_message(health: SweepHealth) -> str:
    """The problem in one paragraph, in the active language ("" when there is none). Names no personal data: an
    error is a kind of record, an action and the class of the exception."""
    if not health.problem:
        return ""
    if health.problem == "never":
        return _("No retention sweep has run yet. Check that Celery beat and a worker are running.")
    run = health.last
    values = {"run": run.pk, "day": date_format(run.today, "SHORT_DATE_FORMAT")}
    if health.problem == "missing":
        return (
            _(
                "No retention sweep has run since %(day)s (run %(run)s): what is due stays stored. Check that Celery "
                "beat and a worker are running."
            )
            % values
        )
    if health.problem == "interrupted":
        return (
            _(
                "The retention sweep of %(day)s (run %(run)s) was interrupted. The next sweep finishes its work; nothing "
                "is done twice."
            )
            % values
        )
    if health.problem == "running":
        return _(
            "The retention sweep of %(day)s (run %(run)s) started at %(time)s and has not finished. If no worker "
            "works on it any more, the next sweep finishes its work; nothing is done twice."
        ) % {**values, "time": date_format(timezone.localtime(run.started_at), "TIME_FORMAT")}
    errors = "; ".join(describe_error(error) for error in run.errors)
    summary = ngettext(
        "The retention sweep of %(day)s (run %(run)s) reported %(count)s error: %(errors)s.",
        "The retention sweep of %(day)s (run %(run)s) reported %(count)s errors: %(errors)s.",
        len(run.errors),
    ) % {**values, "count": len(run.errors), "errors": errors}
    # What to do: the commands' words (a missing journal line needs retention_journal, a rolled-back batch nothing).
    return f"{summary} {run_failure_message(run)}"


def describe_error(error: dict) -> str:
    """ "Orders and contracts, anonymise: OperationalError" (a run stores the kind's label, the action's value)."""
    where = []
    if label := error.get("model"):
        try:
            where.append(str(capfirst(apps.get_model(label)._meta.verbose_name_plural)))
        except LookupError:  # a kind of record that no longer exists
            where.append(label)
    if action := error.get("action"):
        where.append(str(Action(action).label) if action in Action.values else action)
    what = error.get("error", "")
    if what == JOURNAL_NOT_WRITABLE:
        what = _("the replay journal cannot be written")
    return f"{', '.join(where)}: {what}" if where else what


def sweep_alert_send(*, now: datetime.datetime | None = None) -> str:
    """E-mails the DPO, in German and English, when the nightly sweep has a problem; returns the problem ("": none,
    nothing sent). Idempotent in effect: a repeat sends the same alert again and changes no data."""
    health = sweep_health(now=now)
    if not health.problem:
        return ""
    # Worded when each language's copy is rendered.
    message = lazy(health_message, str)(health)
    mail_dpo(
        subject_template="retention/email/sweep_alert_subject.txt",
        body_template="retention/email/sweep_alert.txt",
        context={"message": message},
    )
    return health.problem
