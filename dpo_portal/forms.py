"""Admin forms of the register."""

from django import forms
from django.core.exceptions import ValidationError

from .models import ProcessingActivity


class ProcessingActivityForm(forms.ModelForm):
    class Meta:
        model = ProcessingActivity
        fields = "__all__"  # noqa: DJ007  (the admin's fieldsets choose the fields)

    def clean(self):
        cleaned = super().clean()
        # The M2M is saved after the activity, too late for a form error: check the submitted categories here.
        categories = cleaned.get("data_categories")
        if categories is not None and "special_category_basis" in cleaned:
            probe = ProcessingActivity(special_category_basis=cleaned["special_category_basis"])
            try:
                probe.validate_special_categories(categories)
            except ValidationError as exc:
                self.add_error(None, exc)
        return cleaned
