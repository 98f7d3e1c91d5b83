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

    def ask_to_confirm(self, *, asked: str, message: str) -> None:
        """Unless the tick confirms `asked`, sends the page back with `message` and `asked` for the next post."""
        if self.cleaned_data.get("confirm_due") and self.cleaned_data.get("confirmed_for") == asked:
            return
        self.data = self.data.copy()
        self.data[self.add_prefix("confirmed_for")] = asked
        self.data.pop(self.add_prefix("confirm_due"), None)
        self.add_error("confirm_due", message)


CONFIRMATION_FIELDS = ("confirm_due", "confirmed_for")
