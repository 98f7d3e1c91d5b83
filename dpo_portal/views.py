"""The portal's start page: each role lands where it works; the page a locked login gets."""

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect, render

from .roles import starts_at_support_desk


def home(request):
    """Support goes to its desk; the DPO and the auditor to the admin; anyone else logs in first, then comes back."""
    if not request.user.is_authenticated:
        return redirect_to_login("/")
    if starts_at_support_desk(request.user):
        return redirect("requests_app:queue")
    return redirect("admin:index")


def locked_out(request, original_response=None, credentials=None):
    """What a login gets after AXES_FAILURE_LIMIT failures by one user name from one address (django-axes calls it):
    how long to wait, in the page's language, with 429."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "dpo_portal/locked_out.html", {"lockout_minutes": minutes}, status=429)
