"""Legal holds: placed, changed and lifted through the hold services, lifting asks first where it releases data."""

import datetime

from django.contrib import admin, messages
from django.contrib.admin.models import CHANGE
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from audit.admin_log import field_labels, log_by_id
from audit.admin_mixins import AuditedAdminMixin

from ..models import LegalHold
from ..models.holds import record_kinds
from ..selectors import (
    next_sweep_day,
    released_by_lifting,
)
from ..services import hold_change, hold_lift, hold_place
from .confirmation import CHANGE_FORM_TEMPLATE, CONFIRMATION_FIELDS, ConfirmedChangeForm, prepare_confirmation


class LegalHoldForm(ConfirmedChangeForm):
    """A hold's form. Ending an existing hold by the next sweep asks first, as lifting it does (see _post_clean)."""

    def _post_clean(self):
        super()._post_clean()
        hold = self.instance
        if self.errors or not hold.pk or "ends_on" not in self.changed_data or hold.lifted_at or not hold.ends_on:
            return
        previous = LegalHold.objects.get(pk=hold.pk).ends_on
        if previous is not None and hold.ends_on >= previous:
            return  # kept longer: nothing is released earlier than it would have been
        # Counted for the first sweep after the hold's last day (the next one, for an end already past).
        day = max(next_sweep_day(), hold.ends_on + datetime.timedelta(days=1))
        if released := released_by_lifting([hold.pk], today=day):
            message = ngettext(
                "When the hold ends, %(count)s record is due whose period has ended by then: the sweep of %(day)s "
                "processes it. Confirm to save the change.",
                "When the hold ends, %(count)s records are due whose period has ended by then: the sweep of %(day)s "
                "processes them. Confirm to save the change.",
                released,
            ) % {"count": number_format(released, force_grouping=True), "day": date_format(day, "SHORT_DATE_FORMAT")}
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
    change_form_template = CHANGE_FORM_TEMPLATE
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

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        prepare_confirmation(context)
        return super().render_change_form(request, context, add, change, form_url, obj)

    # What is held, why, under which reference and for how long, then its history: the admin would put the fields
    # that became read-only (what is held and why) last, below "created".
    FIELD_ORDER = (*LegalHoldForm.Meta.fields, "lifted_at", "created_at")

    def get_fields(self, request, obj=None):
        fields = [f for f in super().get_fields(request, obj) if f not in CONFIRMATION_FIELDS]
        order = self.FIELD_ORDER
        fields.sort(key=lambda name: order.index(name) if name in order else len(order))
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
        released = released_by_lifting((h.pk for h in holds), today=next_sweep_day())
        # The "yes" stands for the number it was shown: if more came due since, the page asks again.
        if released and request.POST.get("confirmed_released") != str(released):
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
