"""The portal's start page: each role lands where it works."""

from django.shortcuts import redirect


def home(request):
    """Support (logs requests, fulfils none) goes to its desk; the DPO and the auditor to the admin."""
    user = request.user
    if user.has_perm("requests_app.log_request") and not user.has_perm("requests_app.fulfil_request"):
        return redirect("requests_app:queue")
    return redirect("admin:index")
