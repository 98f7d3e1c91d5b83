"""A form whose change may let the next sweep delete records for good asks the user to confirm it first."""

from django import forms
from django.utils.translation import gettext_lazy as _


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

    @property
    def changed_data(self):
        # The tick is no change of the object: the admin's history and the audit trail name the object's fields only.
        return [name for name in super().changed_data if name not in CONFIRMATION_FIELDS]

    def ask_to_confirm(self, *, asked: str, message: str) -> None:
        """Unless the tick confirms `asked`, sends the page back with `message` and `asked` for the next post."""
        if self.cleaned_data.get("confirm_due") and self.cleaned_data.get("confirmed_for") == asked:
            return
        self.data = self.data.copy()
        self.data[self.add_prefix("confirmed_for")] = asked
        self.data.pop(self.add_prefix("confirm_due"), None)
        self.add_error("confirm_due", message)


CONFIRMATION_FIELDS = ("confirm_due", "confirmed_for")


# The change form of an admin whose form asks (it says "confirm" where only a confirmation is missing).
CHANGE_FORM_TEMPLATE = "admin/retention/confirmed_change_form.html"


def prepare_confirmation(context) -> None:
    """For render_change_form: a page sent back only to confirm says so instead of "Please correct the error
    below"; a page sent back for other errors leaves the confirmation out (a tick there would confirm nothing)."""
    adminform = context["adminform"]
    if "confirm_due" in adminform.form.errors:
        if set(adminform.form.errors) == {"confirm_due"}:
            context.update(errors=[], asking_to_confirm=True)
        return
    fieldsets = []
    for name, options in adminform.fieldsets:
        fields = [f for f in options.get("fields", ()) if f not in CONFIRMATION_FIELDS]
        if fields:
            fieldsets.append((name, {**options, "fields": fields}))
    adminform.fieldsets = fieldsets
