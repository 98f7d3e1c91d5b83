"""Screening cases: a possible match, the person's block, identity verification and the DPO's decision."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce, TruncDate
from django.utils import formats, timezone
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from subjects.models import PersonalRecord

from .lists import ListEntry, Source


class InvalidTransition(Exception):
    """A decision that the case's state does not allow (e.g. clearing a confirmed case)."""


class Trigger(models.TextChoices):
    CREATED = "created", _("person created")
    IDENTITY_CHANGED = "identity", _("identity data changed")
    LIST_UPDATED = "list", _("sanctions list updated")
    WEEKLY = "weekly", _("weekly re-screening")
    MANUAL = "manual", _("started by hand")


class ScreeningCase(PersonalRecord):
    """A possible sanctions list match of one data subject, from opening to the DPO's decision.

    A personal record (category "screening", activity "sanctions-screening") so that the
    retention engine deletes it under its own rule once the case is closed and its period ends.
    """

    default_category = "screening"
    default_activity = "sanctions-screening"

    class Status(models.TextChoices):
        OPEN = "open", _("open: blocked, identity to be verified")
        CONTACTED = "contacted", _("person asked to verify identity")
        CLEARED = "cleared", _("false positive: cleared")
        CONFIRMED = "confirmed", _("confirmed match")

    OPEN_STATES = (Status.OPEN, Status.CONTACTED)

    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN)
    trigger = models.CharField(_("raised by"), max_length=20, choices=Trigger.choices)
    opened_at = models.DateTimeField(_("opened"), default=timezone.now)
    best_score = models.FloatField(_("best score"))
    subject_fingerprint = models.CharField(
        _("identity fingerprint"),
        max_length=64,
        help_text=_("Salted hash of the identity data screened; a cleared case holds while it is unchanged."),
    )
    contact_due = models.DateField(_("contact the person by"))
    letter_sent_at = models.DateTimeField(_("verification letter sent"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decision_reason = models.TextField(_("reason for the decision"), blank=True)

    class Meta(PersonalRecord.Meta):
        verbose_name = _("screening case")
        verbose_name_plural = _("screening cases")
        ordering = ["-opened_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["subject"],
                condition=Q(status__in=["open", "contacted"]),
                name="screening_one_open_case_per_subject",
            )
        ]
        indexes = [
            *PersonalRecord.Meta.indexes,
            models.Index(fields=["status", "opened_at"], name="screening_case_status_idx"),
        ]
        permissions = [
            ("decide_screeningcase", _("Can clear or confirm a screening case")),
            ("export_screeningcase", _("Can export screening cases (CSV)")),
        ]

    def __str__(self) -> str:
        return str(_("Screening case %(id)s") % {"id": self.pk})

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATES

    def mark_contacted(self, *, at=None) -> None:
        if self.status != self.Status.OPEN:
            raise InvalidTransition(_("Only an open case can be marked as contacted."))
        self.status = self.Status.CONTACTED
        self.letter_sent_at = at or timezone.now()

    def _decide(self, status: str, *, user, reason: str) -> None:
        if not self.is_open:
            raise InvalidTransition(_("This case has already been decided."))
        if not reason.strip():
            raise InvalidTransition(_("Give a reason for the decision."))
        self.status = status
        self.decided_at = timezone.now()
        self.decided_by = user
        self.decision_reason = reason.strip()
        self.last_contact = timezone.localdate()

    @classmethod
    def retention_start_expression(cls, start_event: str):
        # A case ends with its decision (the local day): its rule (sanctions-screening) counts from the end of the
        # relationship, and an open case has none, so it never comes due.
        if start_event == "contract_end":
            return Coalesce("contract_end", TruncDate("decided_at"))
        return super().retention_start_expression(start_event)

    @classmethod
    def retention_start_note(cls, start_event: str) -> str:
        if start_event == "contract_end":
            return _(
                "the end of the customer relationship where it has ended, otherwise the day the case was decided; "
                "an undecided case of a running relationship never comes due"
            )
        return super().retention_start_note(start_event)

    def clear(self, *, user, reason: str) -> None:
        """False positive: the person is not the listed party."""
        self._decide(self.Status.CLEARED, user=user, reason=reason)

    def confirm(self, *, user, reason: str) -> None:
        """The person is the listed party: they stay blocked."""
        self._decide(self.Status.CONFIRMED, user=user, reason=reason)


class CaseCandidate(models.Model):
    """One list entry a case was raised on, with the scores at the time.

    Source, id and fingerprint are copied so that the candidate still says what it matched when
    the list version is gone, and so that a clearance can name exactly that state of the entry.
    """

    case = models.ForeignKey(ScreeningCase, on_delete=models.CASCADE, related_name="candidates")
    entry = models.ForeignKey(
        ListEntry, verbose_name=_("list entry"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source = models.CharField(_("list"), max_length=10, choices=Source.choices)
    external_id = models.CharField(_("id in the list"), max_length=64)
    entry_fingerprint = models.CharField(_("entry fingerprint"), max_length=64)
    matched_name = models.CharField(_("matched list name"), max_length=500)
    is_weak_alias = models.BooleanField(_("weak alias"), default=False)
    name_score = models.FloatField(_("name score"))
    # How well the name matched (Trefferwert), not a training result.
    score = models.FloatField(pgettext_lazy("screening", "score"))
    found_at = models.DateTimeField(_("found"), default=timezone.now)

    class Meta:
        verbose_name = _("candidate entry")
        verbose_name_plural = _("candidate entries")
        ordering = ["-score"]
        constraints = [
            models.UniqueConstraint(fields=["case", "source", "external_id"], name="screening_candidate_unique")
        ]

    def __str__(self) -> str:
        # In the language's own notation ("0,98" in German), as the score fields show it.
        return f"{self.matched_name} ({formats.number_format(round(self.score, 2), 2)})"

    @property
    def audit_subject_id(self) -> int | None:
        # The audit trail files a candidate under its case's person, so that searching a person finds the match.
        return self.case.subject_id


class ScreeningRun(models.Model):
    """One screening job: what started it, how many people it screened, how many cases it opened.

    Shows the DPO that screening runs (and against which list versions); holds no personal data.
    """

    trigger = models.CharField(_("raised by"), max_length=20, choices=Trigger.choices)
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    versions = models.CharField(_("list versions"), max_length=100, blank=True)
    subjects_screened = models.PositiveIntegerField(_("persons screened"), default=0)
    cases_opened = models.PositiveIntegerField(_("cases opened or extended"), default=0)
    # A list-update batch: which version and which batch, so that the version's re-screening
    # counts as finished only when every batch has finished (a repeated batch counts once).
    version = models.ForeignKey(
        "screening.ListVersion",
        verbose_name=_("list version"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    batch = models.PositiveIntegerField(_("batch"), null=True, blank=True)

    class Meta:
        verbose_name = _("screening run")
        verbose_name_plural = _("screening runs")
        ordering = ["-started_at", "-pk"]

    def __str__(self) -> str:
        moment = date_format(timezone.localtime(self.started_at), "SHORT_DATETIME_FORMAT")
        return f"{capfirst(self.get_trigger_display())} {moment}"

    @property
    def version_ids(self) -> list[int]:
        """The list versions screened against (`versions` holds their ids, comma-separated)."""
        return [int(pk) for pk in self.versions.split(",") if pk.strip().isdigit()]
