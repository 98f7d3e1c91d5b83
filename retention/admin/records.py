"""What the retention engine adds to every kind of record's admin, and to the start page."""

from django.contrib import admin
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from dpo_portal.admin_site import register_index_notice
from subjects.admin import register_record_field, register_record_list_filter, register_records_saved

from ..models import DeletionRule
from ..monitoring import health_message, sweep_health
from ..registration import register_records
from ..selectors import (
    FORECAST_HORIZONS,
    FORECAST_WINDOWS,
    coming_due,
    why_kept,
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
            # The list a forecast figure leads to says whose figure it is.
            self.title = _("deletion forecast under %(rule)s") % {"rule": self.rule.code or "—"}

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
