"""The DPO's retention back office: rules (with a forecast), legal holds, sweep runs and their protocol."""

import datetime

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.models import CHANGE
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone, translation
from django.utils.formats import date_format, number_format
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext

from audit.admin_log import field_labels, log_by_id
from audit.admin_mixins import AuditedAdminMixin, audit_export
from dpo_portal.admin_site import register_index_notice
from dpo_portal.kinds import KindListFilter
from subjects.admin import register_record_field, register_record_list_filter, register_records_saved

from .certificate import GDPR_APPLIES_FROM, certificate_pdf, certificate_period_check
from .models import Action, DeletionRule, DeletionRuleVersion, LegalHold, ProtocolBatch, SweepRun, SweepRunCount
from .models.holds import record_kinds
from .models.rules import TIMING_FIELDS
from .monitoring import describe_error, health_message, sweep_health
from .registration import register_records
from .selectors import (
    FORECAST_HORIZONS,
    FORECAST_WINDOWS,
    coming_due,
    forecast,
    newly_due,
    protocol_batches_holding,
    protocol_digests_for,
    released_by_lifting,
    why_kept,
)
from .services import hold_change, hold_lift, hold_place, rule_save, timing_changes


class YearEndFilter(admin.BooleanFieldListFilter):
    """Django titles a filter "By <field name>": "By from the end of the calendar year" reads badly."""

    def __init__(self, field, request, params, model, model_admin, field_path):
        super().__init__(field, request, params, model, model_admin, field_path)
        self.title = _("counting from the year end")


class ConfirmedChangeForm(forms.ModelForm):
    """A form whose change may let the next sweep delete records for good (a period typed as 1 year instead of 10
    would wipe nine years of books): it is saved only once the user ticked the confirmation for exactly what the
    page showed; other values typed in afterwards ask again."""

    confirm_due = forms.BooleanField(
        label=_("Yes, the next sweep may process them"),
        required=False,
        help_text=_("Needed only when the next sweep would process records at once after a change."),
    )
    # What the tick confirms: the values and the count shown.
    confirmed_for = forms.CharField(required=False, widget=forms.HiddenInput)

    def ask_to_confirm(self, *, asked: str, message: str) -> None:
        """Unless the tick confirms `asked`, sends the page back with `message` and `asked` for the next post."""
        if self.cleaned_data.get("confirm_due") and self.cleaned_data.get("confirmed_for") == asked:
            return
        self.data = self.data.copy()
        self.data[self.add_prefix("confirmed_for")] = asked
        self.data.pop(self.add_prefix("confirm_due"), None)
        self.add_error("confirm_due", message)


CONFIRMATION_FIELDS = ("confirm_due", "confirmed_for")


class DeletionRuleForm(ConfirmedChangeForm):
    """The rule's form; DeletionRuleAdmin supplies its model and fields. A change that has the next sweep process
    records at once asks first (see _post_clean)."""

    def _post_clean(self):
        super()._post_clean()
        if self.errors:
            return
        rule = self.instance
        previous = DeletionRule.objects.filter(pk=rule.pk).first() if rule.pk else None
        if previous is not None and not timing_changes(previous, rule) and previous.action == rule.action:
            return
        if due := newly_due(rule):
            details = "; ".join(
                f"{capfirst(d.model._meta.verbose_name_plural)}: {number_format(d.count, force_grouping=True)} "
                f"({Action(d.action).label})"
                for d in due
            )
            total = sum(d.count for d in due)
            message = ngettext(
                "After this change the next sweep processes %(count)s record at once: %(details)s. "
                "Confirm to save the change.",
                "After this change the next sweep processes %(count)s records at once: %(details)s. "
                "Confirm to save the change.",
                total,
            ) % {"count": number_format(total, force_grouping=True), "details": details}
            values = [str(getattr(rule, f)) for f in (*TIMING_FIELDS, "action")]
            self.ask_to_confirm(
                asked="|".join([*values, *(f"{d.model._meta.label}={d.count}" for d in due)]), message=message
            )


@admin.register(DeletionRule)
class DeletionRuleAdmin(admin.ModelAdmin):
    form = DeletionRuleForm
    list_display = ("category", "code", "period", "action", "retention_duty", "reference", "is_active")
    list_filter = ("is_active", "action", "start_event", "retention_duty", ("from_year_end", YearEndFilter))
    search_fields = ("code", "legal_reference", "legal_reference_en", "category__name_de", "category__name_en", "note")
    list_select_related = ("category",)
    autocomplete_fields = ("category",)
    readonly_fields = ("updated_at", "summary", "history")
    fieldsets = (
        (None, {"fields": ("code", "category", "is_active", "summary")}),
        (_("Period"), {"fields": ("start_event", ("years", "months", "days"), "from_year_end")}),
        (_("Action"), {"fields": ("action", "retention_duty")}),
        (
            _("Legal source"),
            {
                "fields": (
                    "legal_reference",
                    "legal_reference_en",
                    "description_de",
                    "description_en",
                    "note",
                    "updated_at",
                )
            },
        ),
        (_("Versions"), {"fields": ("history",)}),
    )

    def get_fieldsets(self, request, obj=None):
        # The confirmation shows only on a page sent back with errors (a successful save redirects).
        if request.method == "POST":
            return ((_("Confirmation"), {"fields": CONFIRMATION_FIELDS}), *self.fieldsets)
        return self.fieldsets

    @admin.display(description=_("period"))
    def period(self, obj):
        return obj.describe()

    @admin.display(description=_("legal reference"), ordering="legal_reference")
    def reference(self, obj):
        return obj.reference_in(translation.get_language())

    @admin.display(description=_("which period applied when"))
    def history(self, obj):
        # A table in a read-only field, not an inline: the rule's form posts no formset for history nobody edits.
        versions = list(obj.versions.all()) if obj.pk else []
        if not versions:
            return "—"
        head = format_html(
            "<tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>",
            capfirst(_("valid from")),
            capfirst(_("period")),
            capfirst(pgettext("retention", "action")),
            capfirst(_("changed by")),
        )
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    date_format(timezone.localtime(v.valid_from), "SHORT_DATETIME_FORMAT"),
                    v.describe(),
                    "" if v.is_active else format_html(" ({})", _("inactive")),
                    v.get_action_display(),
                    pgettext("actor", "system") if v.changed_by == "system" else (v.changed_by or "—"),
                )
                for v in versions
            ),
        )
        return format_html("<table>{}{}</table>", head, rows)

    @admin.display(description=_("in the register"))
    def summary(self, obj):
        return obj.register_line(translation.get_language() or "de") if obj.pk else "—"

    def save_model(self, request, obj, form, change):
        # The service recomputes the category's deletion dates at once and refreshes the register.
        rule_save(rule=obj)

    def has_delete_permission(self, request, obj=None):
        return False  # deactivate instead: the protocol refers to rules

    def get_urls(self):
        extra = [
            path("forecast/", self.admin_site.admin_view(self.forecast_view), name="retention_deletionrule_forecast")
        ]
        return extra + super().get_urls()

    def forecast_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        today = timezone.localdate()
        rows = forecast(today=today)
        for row in rows:
            for kind in row["kinds"]:
                kind["name"] = capfirst(kind["model"]._meta.verbose_name_plural)
                kind["links"] = self._due_links(request, kind["model"], row["rule"])
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Forecast: what becomes due"),
            "today": today,
            "rows": rows,
        }
        return TemplateResponse(request, "admin/retention/deletionrule/forecast.html", context)

    def _due_links(self, request, model, rule) -> dict[str, str]:
        """Per figure of the forecast, the list of those records (where the reader may see that kind's list)."""
        model_admin = self.admin_site._registry.get(model)
        if model_admin is None or not model_admin.has_view_permission(request):
            return {}
        if ComingDueFilter not in model_admin.get_list_filter(request):
            return {}
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        keys = ("due", *(f"next_{days}" for days in FORECAST_HORIZONS))
        return {
            key: f"{url}?{urlencode({'due': w, 'due_rule': rule.pk})}"
            for key, w in zip(keys, FORECAST_WINDOWS, strict=True)
        }


class LegalHoldForm(ConfirmedChangeForm):
    """A hold's form. Ending an existing hold by the next sweep asks first, as lifting it does (see _post_clean)."""

    def _post_clean(self):
        super()._post_clean()
        hold = self.instance
        if self.errors or not hold.pk or "ends_on" not in self.changed_data or hold.lifted_at:
            return
        if hold.is_active_on(timezone.localdate() + datetime.timedelta(days=1)):
            return  # still in force when the next sweep runs
        if released := released_by_lifting([hold.pk]):
            message = ngettext(
                "Ending the hold makes %(count)s record due at once whose period has already ended: the next sweep "
                "processes it. Confirm to save the change.",
                "Ending the hold makes %(count)s records due at once whose period has already ended: the next sweep "
                "processes them. Confirm to save the change.",
                released,
            ) % {"count": number_format(released, force_grouping=True)}
            self.ask_to_confirm(asked=f"{hold.ends_on}|{released}", message=message)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "content_type" in self.fields:  # read-only once the hold exists
            # Only the kinds of personal record, by name in the page's language (a content type reads "app | model").
            field = self.fields["content_type"]
            field.queryset = record_kinds()
            kinds = sorted(((kind.pk, kind.name) for kind in field.queryset), key=lambda choice: choice[1].lower())
            field.choices = [("", field.empty_label), *kinds]

    class Meta:
        model = LegalHold
        fields = (
            "subject",
            "content_type",
            "object_id",
            "category",
            "reason",
            "reference",
            "note",
            "starts_on",
            "ends_on",
        )
        error_messages = {
            "content_type": {"invalid_choice": _("Only personal records can be held.")},
            # The model's words for a blank reason (LegalHold.reason): the form and a service say the same.
            "reason": {"required": _("State the reason for the legal hold.")},
        }


@admin.register(LegalHold)
class LegalHoldAdmin(AuditedAdminMixin, admin.ModelAdmin):
    # Holds name the people they hold: their pages are audited, and the admin history names holds by id and
    # stores changed fields by their msgids (read in any language). Saves are audited by the hold services.
    form = LegalHoldForm
    list_display = ("target", "reason", "reference", "starts_on", "ends_on", "lifted_at", "in_force")
    list_filter = ("reason", ("lifted_at", admin.EmptyFieldListFilter), "starts_on")
    search_fields = ("reference", "=subject__customer_number", "subject__last_name", "category__code")
    list_select_related = ("subject", "category", "content_type")
    autocomplete_fields = ("subject", "category")
    readonly_fields = ("lifted_at", "created_at")
    actions = ("lift_holds",)

    @admin.display(description=_("held"))
    def target(self, obj):
        if obj.subject_id:
            return str(obj.subject)
        return obj.target_label

    @admin.display(description=_("in force"), boolean=True)
    def in_force(self, obj):
        return obj.is_active_on(timezone.localdate())

    def get_fields(self, request, obj=None):
        fields = [f for f in super().get_fields(request, obj) if f not in CONFIRMATION_FIELDS]
        # The confirmation shows only on a page sent back with errors (a successful save redirects).
        return [*CONFIRMATION_FIELDS, *fields] if request.method == "POST" and obj is not None else fields

    def get_readonly_fields(self, request, obj=None):
        # A hold's target and reason are history once it exists; only its end and note may change.
        if obj is not None:
            lifted = ("ends_on",) if obj.lifted_at else ()  # a lifted hold's end is history
            return (
                *self.readonly_fields,
                "subject",
                "content_type",
                "object_id",
                "category",
                "reason",
                "starts_on",
                *lifted,
            )
        return self.readonly_fields

    def save_model(self, request, obj, form, change):
        if change:
            hold_change(hold=obj, fields=list(form.changed_data))
            return
        record = None
        if obj.content_type_id:
            record = obj.content_type.get_object_for_this_type(pk=obj.object_id)
        saved = hold_place(
            reason=obj.reason,
            subject=obj.subject,
            record=record,
            category=obj.category,
            starts_on=obj.starts_on,
            ends_on=obj.ends_on,
            reference=obj.reference,
            note=obj.note,
        )
        obj.pk = saved.pk

    def has_delete_permission(self, request, obj=None):
        return False  # lift it instead: the hold is history

    @admin.action(description=_("Lift the selected legal holds"), permissions=["change"])
    def lift_holds(self, request, queryset):
        holds = list(queryset.filter(lifted_at__isnull=True))
        # What a hold kept past its period goes in the next sweep, for good: the DPO confirms that first.
        if request.POST.get("confirm") != "yes" and (released := released_by_lifting(h.pk for h in holds)):
            context = {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": _("Lift legal holds"),
                "holds": holds,
                "released": released,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            }
            return TemplateResponse(request, "admin/retention/legalhold/lift_confirmation.html", context)
        lifted = []
        for hold in holds:
            try:
                lifted.append(hold_lift(hold=hold))
            except ValidationError as exc:
                self.message_user(request, " ".join(exc.messages), messages.ERROR)
        # The holds' history pages show the lift (one write, by id), as they show a change made in the form.
        log_by_id(
            request.user.pk, lifted, CHANGE, [{"changed": {"fields": field_labels(LegalHold, LegalHold.LIFT_FIELDS)}}]
        )
        n = len(lifted)
        if not n:
            self.message_user(
                request, _("None of the selected legal holds was in force: nothing lifted."), messages.WARNING
            )
            return None
        self.message_user(
            request, ngettext("%(n)d legal hold lifted.", "%(n)d legal holds lifted.", n) % {"n": n}, messages.SUCCESS
        )


class ReadOnlyAdmin(admin.ModelAdmin):
    """History: nobody adds, changes or deletes it in the admin."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class KindOfRecordColumn:
    """The protocol's kind of record by its verbose name in the page's language, not its model label."""

    @admin.display(description=_("kind of record"), ordering="model_label")
    def kind(self, obj):
        return obj.kind


class KindOfRecordFilter(KindListFilter):
    """The kinds of record in the protocol, by their verbose names (a kind that no longer exists by its label)."""

    title = _("kind of record")
    parameter_name = "model_label"


def rule_as_then(rule: DeletionRule | None, version: DeletionRuleVersion | None) -> str:
    """A rule as it stood when a run or batch processed records (its current words before its first version)."""
    if rule is None:
        return "—"
    return version.describe_with_category() if version else str(rule)


class SweepRunCountInline(KindOfRecordColumn, admin.TabularInline):
    model = SweepRunCount
    fields = ("rule_then", "kind", "action", "count")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("rule", "rule__category", "run")

    @admin.display(description=_("deletion rule"))
    def rule_then(self, obj):
        # The rule as the run found it: a period changed since must not rewrite what the run did. The inline is made
        # per request, so the versions of all of the run's rules are read once, on the first row.
        if getattr(self, "_versions_for", None) != obj.run_id:
            rule_ids = SweepRunCount.objects.filter(run_id=obj.run_id).values_list("rule_id", flat=True)
            self._versions = DeletionRuleVersion.in_force(rule_ids, obj.run.started_at)
            self._versions_for = obj.run_id
        return rule_as_then(obj.rule, self._versions.get(obj.rule_id))

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class DateInput(forms.DateInput):
    """The browser's date picker: it sends and needs ISO dates, whatever the page's language."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class CertificateForm(forms.Form):
    start = forms.DateField(label=capfirst(_("from")), widget=DateInput)
    end = forms.DateField(label=capfirst(_("until")), widget=DateInput)
    language = forms.ChoiceField(label=capfirst(_("language")), choices=(("de", _("German")), ("en", _("English"))))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bounds = {"min": GDPR_APPLIES_FROM.isoformat(), "max": timezone.localdate().isoformat()}
        for name in ("start", "end"):
            self.fields[name].widget.attrs.update(bounds)
        self.fields["language"].initial = translation.get_language()

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end"):
            certificate_period_check(start=data["start"], end=data["end"])
        return data


@admin.register(SweepRun)
class SweepRunAdmin(ReadOnlyAdmin):
    list_display = ("started_at", "kind", "today", "dry_run", "status", "registered", "finished_at", "error_count")
    list_filter = ("kind", "status", "dry_run", "today")
    search_fields = ("=id",)
    list_select_related = True
    fields = readonly_fields = (
        "kind",
        "status",
        "dry_run_label",
        "today",
        "started_at",
        "finished_at",
        "registered",
        "error_list",
    )
    inlines = (SweepRunCountInline,)
    date_hierarchy = "started_at"

    @admin.display(description=_("dry run"))
    def dry_run_label(self, obj):
        return _("yes – only counted, nothing changed") if obj.dry_run else _("no")

    @admin.display(description=_("errors"))
    def error_count(self, obj):
        return len(obj.errors)

    @admin.display(description=_("errors"))
    def error_list(self, obj):
        # Kind of record, action and exception in the reader's language, not the stored JSON.
        if not obj.errors:
            return "—"
        return format_html(
            "<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((describe_error(e),) for e in obj.errors))
        )

    def changelist_view(self, request, extra_context=None):
        can_certify = request.user.has_perm("retention.export_certificate")
        extra_context = {**(extra_context or {}), "certificate_form": CertificateForm() if can_certify else None}
        return super().changelist_view(request, extra_context)

    def get_urls(self):
        extra = [
            path(
                "certificate/",
                self.admin_site.admin_view(self.certificate_view),
                name="retention_sweeprun_certificate",
            )
        ]
        return extra + super().get_urls()

    def certificate_view(self, request):
        if not request.user.has_perm("retention.export_certificate"):
            raise PermissionDenied
        form = CertificateForm(request.GET or None)
        if not form.is_valid():
            # A wrong period comes back as a form in the admin, as any form with errors (and empty when none was asked).
            context = {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": _("Deletion certificate"),
                "form": form,
                "has_view_permission": self.has_view_permission(request),
            }
            return TemplateResponse(request, "admin/retention/sweeprun/certificate.html", context)
        start, end, language = form.cleaned_data["start"], form.cleaned_data["end"], form.cleaned_data["language"]
        pdf = certificate_pdf(start=start, end=end, language=language)
        audit_export(None, detail=f"deletion certificate {start:%Y-%m-%d}..{end:%Y-%m-%d} {language}")
        response = HttpResponse(pdf, content_type="application/pdf")
        prefix = "loeschbestaetigung" if language == "de" else "deletion-certificate"
        name = f"{prefix}-{start:%Y%m%d}-{end:%Y%m%d}.pdf"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


@admin.register(ProtocolBatch)
class ProtocolBatchAdmin(KindOfRecordColumn, ReadOnlyAdmin):
    list_display = ("at", "kind", "action", "rule_code", "count", "run")
    list_filter = ("action", KindOfRecordFilter, "run__kind")
    list_select_related = ("rule", "run")
    fields = readonly_fields = ("run", "at", "kind", "rule_then", "legal_reference", "action", "count", "hash_list")
    date_hierarchy = "at"
    show_full_result_count = False
    search_fields = ("id_hashes",)  # shows the search box; get_search_results does the searching
    search_help_text = _("A hashed record id (64 hex digits), or the id of a record: which batch processed it?")

    def get_queryset(self, request):
        # The hashes are read only on a batch's own page (one query more there), never for the list.
        return super().get_queryset(request).defer("id_hashes")

    def get_search_results(self, request, queryset, search_term):
        if not search_term.strip():
            return queryset, False
        return protocol_batches_holding(protocol_digests_for(search_term), queryset), False

    @admin.display(description=_("deletion rule"), ordering="rule__code")
    def rule_code(self, obj):
        return obj.rule.code if obj.rule_id else "—"

    @admin.display(description=_("deletion rule"))
    def rule_then(self, obj):
        # As the rule stood when the batch was processed: a period changed since must not rewrite the protocol.
        return rule_as_then(obj.rule, DeletionRuleVersion.in_force([obj.rule_id], obj.at).get(obj.rule_id))

    @admin.display(description=_("hashed record ids"))
    def hash_list(self, obj):
        hashes = obj.hashes()
        return format_html(
            '<textarea readonly rows="{}" cols="66" class="vLargeTextField">{}</textarea>',
            min(len(hashes), 20),
            "\n".join(hashes),
        )


@register_record_list_filter(permission="retention.view_deletionrule")
class ComingDueFilter(admin.SimpleListFilter):
    """On every kind of record's list: what the forecast counts as due now or coming due, optionally under one rule
    (`due_rule`, as the forecast's figures link here)."""

    title = _("deletion forecast")
    parameter_name = "due"

    def __init__(self, request, params, model, model_admin):
        rule = params.pop("due_rule", [None])[-1]
        self.rule = None
        if rule not in (None, ""):
            # A rule that does not exist (or no number at all) lists nothing, rather than what is due under every rule.
            number = int(rule) if rule.isascii() and rule.isdigit() and len(rule) < 19 else 0
            self.rule = DeletionRule.objects.filter(pk=number).first() or DeletionRule(pk=0)
        super().__init__(request, params, model, model_admin)
        if rule not in (None, ""):
            self.used_parameters["due_rule"] = rule

    def expected_parameters(self):
        return [self.parameter_name, "due_rule"]

    def lookups(self, request, model_admin):
        return [
            ("now", _("due now")),
            *((str(days), _("due within %(days)s days") % {"days": days}) for days in FORECAST_HORIZONS),
        ]

    def queryset(self, request, queryset):
        if self.value() not in FORECAST_WINDOWS:
            return queryset
        return coming_due(queryset, window=self.value(), rule=self.rule)


@register_index_notice
def sweep_notice(request) -> str:
    """On the start page, for whoever reads the runs: the nightly sweep failed, was interrupted or stopped running
    (not before the first sweep ever: the embedded demo runs no beat)."""
    if not request.user.has_perm("retention.view_sweeprun"):
        return ""
    health = sweep_health()
    return health_message(health) if health.problem != "never" else ""


# A date edited by hand moves the record's first deletable day at once (the forecast, the sweep).
register_records_saved(register_records)


@register_record_field(permission="retention.view_deletionrule")
@admin.display(description=_("why it is still kept"))
def why_kept_field(record):
    """On every record's page: its purpose and basis, its rule, and what keeps it longer (R1)."""
    why = why_kept(record)
    lines = [format_html("<strong>{}</strong>", why.verdict)]
    lines.append(format_html("{}: {} – {}", capfirst(_("processing activity")), why.activity, why.legal_basis))
    if why.rule is not None:
        lines.append(format_html("{}: {} ({})", capfirst(_("deletion rule")), why.rule.describe(), why.rule.code))
        lines.append(
            format_html(
                "{}: {} · {}: {}",
                capfirst(_("period starts with")),
                date_format(why.retention_start, "SHORT_DATE_FORMAT") if why.retention_start else "—",
                _("deletable from"),
                date_format(why.deletable_from, "SHORT_DATE_FORMAT") if why.deletable_from else "—",
            )
        )
    for hold in why.holds:
        lines.append(format_html("{}: {} {}", capfirst(_("legal hold")), hold.get_reason_display(), hold.reference))
    if why.restriction:
        lines.append(format_html("{}: {}", capfirst(_("restricted")), why.restriction))
    return format_html_join(mark_safe("<br>"), "{}", ((line,) for line in lines))
