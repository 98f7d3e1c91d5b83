"""The deletion certificate (Löschbestätigung): what was deleted, anonymised or restricted in a period, as PDF."""

import datetime

from django.core.exceptions import ValidationError
from django.db.models import Max, Min, OuterRef, Subquery, Sum
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from dpo_portal.kinds import kind_name
from dpo_portal.models import Organisation
from dpo_portal.pdf import render_pdf

from .defaults import RETIRED_REFERENCES
from .models import Action, DeletionRuleVersion, ProtocolBatch, SweepRun

ACTION_LABELS = dict(Action.choices)

# The GDPR applies from this day (Art. 99(2)); a certificate attests deletions under it, never before.
GDPR_APPLIES_FROM = datetime.date(2018, 5, 25)


def reference_for_reader(written: str, *, current: str, current_en: str, language: str | None) -> str:
    """The legal reference a protocol batch was processed under (`written`), as a reader of `language` cites it: in
    English the rule's English citation (`current_en`) of that same reference (`current`, the rule's, or the version's
    in force then; an earlier default's words of it count as the same), else the reference as written."""
    if not (language or "de").startswith("en") or not current_en:
        return written
    return current_en if current == RETIRED_REFERENCES.get(written, written) else written


def certificate_period_check(*, start: datetime.date, end: datetime.date) -> None:
    """Raises ValidationError, by field (`start`, `end`), for a period a certificate cannot cover: one that starts
    before the GDPR applied, ends after today (a certificate attests what happened) or ends before it starts."""
    errors = {}
    if start < GDPR_APPLIES_FROM:
        errors["start"] = ValidationError(
            _("The period cannot start before %(day)s, the day from which the GDPR applies.")
            % {"day": date_format(GDPR_APPLIES_FROM)},
            code="before_gdpr",
        )
    today = timezone.localdate()
    if end > today:
        errors["end"] = ValidationError(
            _("The period cannot end after today (%(day)s).") % {"day": date_format(today)}, code="future"
        )
    elif end < start:
        errors["end"] = ValidationError(_("The period cannot end before it starts."), code="backwards")
    if errors:
        raise ValidationError(errors)


def certificate_context(*, start: datetime.date, end: datetime.date) -> dict:
    """Counts per rule, kind of record and action from the protocol of real runs between `start` and `end`.

    Each row carries its codes (rule__code, model_label, action, for scripts) and their labels for the
    reader: `kind` (the model's verbose name) and `action_label`, both lazy, so they render in the
    language active when the template is rendered.
    """
    batches = ProtocolBatch.objects.filter(at__date__gte=start, at__date__lte=end).exclude(run__dry_run=True)
    # The version of its rule a batch was processed under: a rule changed later still shows its period then.
    in_force = DeletionRuleVersion.objects.filter(rule=OuterRef("rule"), valid_from__lte=OuterRef("at"))
    batches = batches.annotate(version=Subquery(in_force.order_by("-valid_from", "-pk").values("pk")[:1]))
    rows = list(
        batches.values(
            "rule__code",
            "version",
            "legal_reference",
            "model_label",
            "action",
            "rule__legal_reference",
            "rule__legal_reference_en",
        )
        .annotate(count=Sum("count"), first=Min("at"), last=Max("at"))
        .order_by("rule__code", "first", "model_label", "action")
    )
    kinds = {label: kind_name(label) for label in {r["model_label"] for r in rows}}
    versions = DeletionRuleVersion.objects.in_bulk({r["version"] for r in rows} - {None})
    language = translation.get_language()
    for r in rows:
        # The protocol keeps the reference a batch was deleted under; an English reader gets the rule's English
        # citation of that same reference.
        r["legal_reference"] = reference_for_reader(
            r["legal_reference"],
            current=r.pop("rule__legal_reference"),
            current_en=r.pop("rule__legal_reference_en"),
            language=language,
        )
        r["kind"] = kinds[r["model_label"]]
        version = versions.get(r.pop("version"))
        r["period"] = version.as_then().describe_period() if version else ""
        r["action_label"] = ACTION_LABELS.get(r["action"], r["action"])
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
    """The certificate for the period, in `language`; raises ValidationError for a period it cannot cover."""
    certificate_period_check(start=start, end=end)
    with translation.override(language):
        return render_pdf(
            "retention/certificate.html", {**certificate_context(start=start, end=end), "language": language}
        )
