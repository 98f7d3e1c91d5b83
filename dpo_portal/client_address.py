"""Who sent a request, as failed logins are counted: the consents API's and staff logins' (django-axes)."""

from django.conf import settings


def client_address(request) -> str | None:
    """The caller's address, or None where there is none (a test client's force_login, a job).

    Behind reverse proxies REMOTE_ADDR is the nearest proxy's, shared by every caller. With
    settings.API_TRUSTED_PROXIES = n > 0, each of the n proxies appends the address it saw to
    X-Forwarded-For, so the n-th entry from the right is the client as the outermost proxy saw
    it; entries further left are whatever the client sent and are not trusted. A shorter header
    is not from our proxies: REMOTE_ADDR is used.
    """
    if request is None:
        return None
    trusted = settings.API_TRUSTED_PROXIES
    if trusted > 0:
        hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        if len(hops) >= trusted and hops[-trusted]:
            return hops[-trusted]
    return request.META.get("REMOTE_ADDR") or None
