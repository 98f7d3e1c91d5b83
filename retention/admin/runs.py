"""Sweep runs, their counts, the deletion protocol and the deletion certificate: history, read-only."""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Count, OuterRef, Subquery, Sum
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone, translation
from django.utils.html import format_html, format_html_join
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from audit.admin_mixins import audit_export
from dpo_portal.admin_mixins import ReadOnlyAdminMixin
from dpo_portal.kinds import KindListFilter

from ..certificate import GDPR_APPLIES_FROM, certificate_pdf, certificate_period_check, reference_for_reader
from ..models import DeletionRule, DeletionRuleVersion, ProtocolBatch, SweepRun, SweepRunCount
from ..monitoring import describe_error
from ..selectors import (
    protocol_batches_holding,
    protocol_digests_for,
)


class ReadOnlyAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """History: nobody adds, changes or deletes it in the admin."""


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
    list_display = (
        "started_at",
        "kind",
        "today",
        "dry_run",
        "status",
        "processed",
        "registered",
        "finished_at",
        "error_count",
    )
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
        "processed",
        "protocol",
        "registered",
        "error_list",
    )
    inlines = (SweepRunCountInline,)
    date_hierarchy = "started_at"

    def get_queryset(self, request):
        # What each run did, summed in the query (a list of runs read "0 records registered" and nothing else).
        counts = SweepRunCount.objects.filter(run=OuterRef("pk")).values("run").annotate(total=Sum("count"))
        batches = ProtocolBatch.objects.filter(run=OuterRef("pk")).values("run").annotate(n=Count("pk"))
        return (
            super()
            .get_queryset(request)
            .annotate(processed_total=Subquery(counts.values("total")), batch_total=Subquery(batches.values("n")))
        )

    @admin.display(description=_("records processed"), ordering="processed_total")
    def processed(self, obj):
        return obj.processed_total or 0

    @admin.display(description=_("deletion protocol"))
    def protocol(self, obj):
        if obj.dry_run:
            return _("none: a dry run only counts")
        if not obj.batch_total:
            return "—"
        url = f"{reverse('admin:retention_protocolbatch_changelist')}?run__id__exact={obj.pk}"
        label = ngettext("%(n)s protocol batch", "%(n)s protocol batches", obj.batch_total) % {"n": obj.batch_total}
        return format_html('<a href="{}">{}</a>', url, label)

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
    fields = readonly_fields = ("run", "at", "kind", "rule_then", "reference", "action", "count", "hash_list")
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

    @staticmethod
    def _version(obj) -> DeletionRuleVersion | None:
        # The rule as it stood when the batch was processed, read once per page (the rule and the reference use it)
        # and kept on the batch: the admin itself is shared by every request.
        if not hasattr(obj, "rule_version_then"):
            obj.rule_version_then = DeletionRuleVersion.in_force([obj.rule_id], obj.at).get(obj.rule_id)
        return obj.rule_version_then

    @admin.display(description=_("deletion rule"))
    def rule_then(self, obj):
        # As the rule stood when the batch was processed: a period changed since must not rewrite the protocol.
        return rule_as_then(obj.rule, self._version(obj))

    @admin.display(description=ProtocolBatch._meta.get_field("legal_reference").verbose_name)
    def reference(self, obj):
        # As written when the batch was processed, cited in the page's language (an English page reads the English
        # citation of that same reference, as the deletion certificate does).
        cited = self._version(obj) or obj.rule
        if cited is None:
            return obj.legal_reference
        return reference_for_reader(
            obj.legal_reference,
            current=cited.legal_reference,
            current_en=cited.legal_reference_en,
            language=translation.get_language(),
        )

    @admin.display(description=_("hashed record ids"))
    def hash_list(self, obj):
        hashes = obj.hashes()
        return format_html(
            '<textarea readonly rows="{}" cols="66" class="vLargeTextField">{}</textarea>',
            min(len(hashes), 20),
            "\n".join(hashes),
        )
