"""Authentication, scopes, rate limits, body limit and content negotiation of the consents API."""

import json

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import JSONParser
from rest_framework.permissions import BasePermission
from rest_framework.throttling import SimpleRateThrottle

from dpo_portal.client_address import client_address

from ..hashing import token_digest
from ..models import ApiToken

# last_used_at is written at most this often per token, not on every request.
LAST_USED_RESOLUTION = 60


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = _("The request body is too large.")
    default_code = "too_large"


def _parse_rate(rate: str) -> tuple[int, int]:
    count, period = rate.split("/")
    return int(count), {"s": 1, "m": 60, "h": 3600, "d": 86400}[period[0]]


def _failure_key(request) -> str:
    return f"consents-api-auth-failures:{client_address(request) or 'unknown'}"


def _too_many_failures(request) -> bool:
    limit, _period = _parse_rate(settings.CONSENTS_API_FAILED_AUTH_RATE)
    return (cache.get(_failure_key(request)) or 0) >= limit


def _count_failure(request) -> None:
    # A fixed window: the first failure opens it, later ones count within it.
    _limit, period = _parse_rate(settings.CONSENTS_API_FAILED_AUTH_RATE)
    key = _failure_key(request)
    cache.add(key, 0, timeout=period)
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=period)


class ApiTokenAuthentication(BaseAuthentication):
    """`Authorization: Bearer <token>`; the token is looked up by its SHA-256 digest.

    Every client address gets a few failed attempts per minute, then 429. A valid token is
    looked at first and never refused by that lockout: otherwise anyone sending bad tokens from
    behind the same proxy would lock out the website and the newsletter tool. Tokens carry 256
    bits of randomness (hashing.new_token), so the lockout is not what stops guessing them.
    """

    def authenticate(self, request):
        header = get_authorization_header(request).split()
        if len(header) != 2 or header[0].lower() != b"bearer":
            self._fail(request)
            raise exceptions.NotAuthenticated(_("Send the API token as: Authorization: Bearer <token>."))
        try:
            raw = header[1].decode("ascii")
        except UnicodeDecodeError:
            raw = ""
        token = ApiToken.objects.filter(digest=token_digest(raw), revoked_at__isnull=True).first() if raw else None
        if token is None:
            self._fail(request)
            raise exceptions.AuthenticationFailed(_("Invalid or revoked API token."))
        now = timezone.now()
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token, token

    @staticmethod
    def _fail(request) -> None:
        """Counts a failed attempt, or refuses it with 429 once the address is over the limit."""
        if _too_many_failures(request):
            raise exceptions.Throttled(detail=_("Too many failed attempts. Try again later."))
        _count_failure(request)

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


class MayRecord(BasePermission):
    message = _("This API token may not record consents.")

    def has_permission(self, request, view):
        return isinstance(request.auth, ApiToken) and request.auth.may_record


class MayQuery(BasePermission):
    message = _("This API token may not ask may_contact.")

    def has_permission(self, request, view):
        return isinstance(request.auth, ApiToken) and request.auth.may_query


class TokenRateThrottle(SimpleRateThrottle):
    """Requests per token (settings.CONSENTS_API_RATE), counted in the cache (Redis in production)."""

    scope = "consents_api"

    def get_rate(self):
        return settings.CONSENTS_API_RATE

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}


class LimitedJSONParser(JSONParser):
    """JSON only, at most settings.CONSENTS_API_MAX_BODY bytes, read no further than that."""

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.CONSENTS_API_MAX_BODY
        request = parser_context["request"]
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        if declared > limit:
            raise PayloadTooLarge()
        body = stream.read(limit + 1) if stream is not None else b""
        if len(body) > limit:
            raise PayloadTooLarge()
        try:
            return json.loads(body.decode("utf-8"))
        except (ValueError, RecursionError):
            raise exceptions.ParseError(_("The request body is not valid JSON.")) from None


class JSONOnly(BaseContentNegotiation):
    """Answers in JSON whatever the Accept header says: errors must stay machine-readable."""

    def select_parser(self, request, parsers):
        for parser in parsers:
            if request.content_type.split(";")[0].strip() == parser.media_type:
                return parser
        return None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type
