"""API tokens: created here, shown once, stored as a digest, revoked (never edited)."""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_permission_codename
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from dpo_portal.admin_mixins import titled

from ..models import ApiToken
from ..services import api_token_create, api_token_revoke


class ApiTokenForm(forms.ModelForm):
    class Meta:
        model = ApiToken
        fields = ("name", "may_record", "may_query")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "prefix", "may_record", "may_query", "created_at", "last_used_at", "revoked_at")
    list_filter = ("may_record", "may_query", ("revoked_at", titled(admin.EmptyFieldListFilter, _("revocation"))))
    search_fields = ("name", "=prefix")
    list_select_related = ("created_by",)
    readonly_fields = (
        "name",
        "prefix",
        "may_record",
        "may_query",
        "created_at",
        "created_by",
        "last_used_at",
        "revoked_at",
    )
    form = ApiTokenForm
    actions = ["revoke"]

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.readonly_fields

    def get_fields(self, request, obj=None):
        return ("name", "may_record", "may_query") if obj is None else self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        return False  # revoke instead: the audit trail keeps naming the token

    def has_change_permission(self, request, obj=None):
        # A token is never edited (its page is read-only, a POST to it is refused); revoking is
        # the action below, under the model's change permission.
        return False

    def has_revoke_permission(self, request):
        opts = self.opts
        return request.user.has_perm(f"{opts.app_label}.{get_permission_codename('change', opts)}")

    def save_model(self, request, obj, form, change):
        # Only reached when adding (no change permission): every save creates a new token.
        token, raw = api_token_create(
            name=form.cleaned_data["name"],
            may_record=form.cleaned_data["may_record"],
            may_query=form.cleaned_data["may_query"],
            created_by=request.user,
        )
        obj.pk = token.pk
        request._new_api_token = raw

    def response_add(self, request, obj, post_url_continue=None):
        # The raw token is rendered once into this page and never stored or sent in a cookie.
        context = {
            **self.admin_site.each_context(request),
            "title": _("API token created"),
            "opts": self.model._meta,
            "token": obj,
            "raw_token": request._new_api_token,
        }
        return TemplateResponse(request, "admin/consents/token_created.html", context)

    @admin.action(description=_("Revoke the selected tokens"), permissions=["revoke"])
    def revoke(self, request, queryset):
        for token in queryset:
            api_token_revoke(token=token)
        messages.success(request, _("Tokens revoked."))
