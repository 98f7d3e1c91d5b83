"""The portal's start page: each role lands where it works."""

from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect

from .roles import starts_at_support_desk


def home(request):
    """Support goes to its desk; the DPO and the auditor to the admin; anyone else logs in first, then comes back."""
    if not request.user.is_authenticated:
        return redirect_to_login("/")
    if starts_at_support_desk(request.user):
        return redirect("requests_app:queue")
    return redirect("admin:index")
