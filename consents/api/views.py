"""The four endpoints: record a consent, confirm a double opt-in, record a withdrawal, ask may_contact.

Views only parse, call one service or selector and report. Requests are not wrapped in the
request transaction (each service is atomic on its own), so that a refused attempt can be
audited even though nothing of the attempt itself is stored.
"""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions, serializers, status
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from audit.context import Actor, set_actor
from audit.services import Action, audit_record
from subjects.models import DataSubject

from .. import selectors, services
from .security import ApiTokenAuthentication, JSONOnly, LimitedJSONParser, MayQuery, MayRecord, TokenRateThrottle
from .serializers import ConfirmIn, ConsentIn, MayContactIn, WithdrawIn


class UnknownPerson(exceptions.NotFound):
    # Lazy: translated per request (Accept-Language), not once at import.
    default_detail = gettext_lazy("No data subject with this e-mail address or customer number.")
    default_code = "unknown_person"


def _first_code(detail) -> str:
    """The first error code of a DRF error detail (nested dicts and lists)."""
    if isinstance(detail, dict):
        for value in detail.values():
            return _first_code(value)
    if isinstance(detail, list) and detail:
        return _first_code(detail[0])
    return getattr(detail, "code", "") or "invalid"


def _first_message(detail) -> str:
    if isinstance(detail, dict):
        for value in detail.values():
            return _first_message(value)
    if isinstance(detail, list) and detail:
        return _first_message(detail[0])
    return str(detail)


# The codes of DRF's field validation that clients meet, as docs/api.md names them: a missing value is
# "required" however it is missing, any other malformed value "invalid" (DRF's own codes, e.g. "invalid_choice"
# or "min_value", are not part of the API).
INPUT_CODES = {"required": "required", "blank": "required", "null": "required", "missing_subject": "missing_subject"}


def _django_error(exc: DjangoValidationError) -> exceptions.ValidationError:
    if hasattr(exc, "error_dict"):
        detail = {
            name: [exceptions.ErrorDetail(str(m), code=e.code or "invalid") for e in errors for m in e.messages]
            for name, errors in exc.error_dict.items()
        }
    else:
        detail = {
            "non_field_errors": [
                exceptions.ErrorDetail(str(m), code=e.code or "invalid") for e in exc.error_list for m in e.messages
            ]
        }
    return exceptions.ValidationError(detail)


def exception_response(exc, context):
    """DRF's default handler without its set_rollback(): these views run outside the request
    transaction (nothing to roll back), and the audit entry of the refusal must be kept."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    if not isinstance(exc, exceptions.APIException):
        return None
    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait))
    data = exc.detail if isinstance(exc.detail, (list, dict)) else {"detail": exc.detail}
    return Response(data, status=exc.status_code, headers=headers)


class ConsentsApiView(APIView):
    authentication_classes = [ApiTokenAuthentication]
    throttle_classes = [TokenRateThrottle]
    parser_classes = [LimitedJSONParser]
    renderer_classes = [JSONRenderer]
    content_negotiation_class = JSONOnly
    # The name refused attempts are audited under.
    action_name = ""
    # The serializer of the request body; its field names are the ones the audit trail may name.
    input_class: type[serializers.Serializer]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        # Audit entries written by the services name the API client as actor.
        set_actor(Actor(None, f"api:{request.auth.name}"[:150]))

    def get_exception_handler(self):
        return exception_response

    def handle_exception(self, exc):
        # A service's errors name fields of the server's own (model fields); the parser's may
        # name whatever keys the client sent.
        from_service = isinstance(exc, DjangoValidationError)
        if from_service:
            exc = _django_error(exc)
        response = super().handle_exception(exc)
        detail = response.data
        names = set(detail) - {"detail"} if isinstance(detail, dict) else set()
        # Unknown field names are the client's text and may be personal data (an address sent as
        # a key): the audit trail gets the known names and a count of the others.
        known = names if from_service else set(self.input_class().fields) | {"non_field_errors"}
        fields = sorted(names & known)
        unknown = len(names - known)
        code = _first_code(exc.detail) if isinstance(exc, exceptions.APIException) else "error"
        if isinstance(exc, exceptions.ValidationError) and not from_service:
            code = INPUT_CODES.get(code, "invalid")
        if isinstance(detail, dict) and set(detail) == {"detail"}:
            body = {"error": code, "message": str(detail["detail"])}
        else:
            body = {"error": code, "message": _first_message(detail) or _("The request is invalid."), "fields": detail}
        response.data = body
        token = getattr(self.request, "_auth", None) if hasattr(self.request, "_auth") else None
        client = f"token {token.pk}" if token is not None else "no token"
        # Field names and codes only: the values may be personal data.
        audit_record(
            None,
            Action.DENIED,
            fields=fields,
            detail=f"consents api {self.action_name}: {response.status_code} {code} ({client})"
            + (f", {unknown} unknown field(s)" if unknown else ""),
            actor=Actor(None, f"api:{token.name}"[:150] if token is not None else "api:anonymous"),
        )
        return response

    def parsed(self):
        if self.request.data is None:  # a body of `null`: DRF's own message for it is not translated
            raise exceptions.ValidationError(
                {"non_field_errors": [exceptions.ErrorDetail(_("Send the data as a JSON object."), code="invalid")]}
            )
        serializer = self.input_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    @staticmethod
    def subject_for(data) -> DataSubject | None:
        """The person named by customer number or e-mail address; UnknownPerson if nobody is."""
        if data.get("customer_number"):
            subject = DataSubject.objects.filter(
                customer_number=data["customer_number"], erased_at__isnull=True
            ).first()
            if subject is None:
                raise UnknownPerson()
            return subject
        return None


class ConsentCreate(ConsentsApiView):
    permission_classes = [MayRecord]
    input_class = ConsentIn
    action_name = "record consent"

    def post(self, request):
        data = self.parsed()
        consent, token = services.consent_give(
            subject=self.subject_for(data),
            purpose_code=data["purpose"],
            text_version=data["text_version"],
            channel=data["channel"],
            origin=data["source"],
            email=data.get("email", ""),
            evidence=data["evidence"],
            ip=data.get("ip", ""),
            language=data["language"],
            given_at=data.get("given_at"),
            first_name=data["first_name"],
            last_name=data["last_name"],
        )
        body = {
            "consent_id": consent.pk,
            "purpose": consent.purpose.code,
            "text_version": consent.text.version,
            "status": consent.status,
            "given_at": consent.given_at,
        }
        if token:
            body["confirmation_token"] = token
            body["confirmation_expires_at"] = consent.doi_expires_at
        return Response(body, status=status.HTTP_201_CREATED)


class ConsentConfirm(ConsentsApiView):
    permission_classes = [MayRecord]
    input_class = ConfirmIn
    action_name = "confirm double opt-in"

    def post(self, request):
        data = self.parsed()
        consent = services.consent_confirm(token=data["token"], ip=data.get("ip", ""))
        return Response({"consent_id": consent.pk, "status": consent.status, "confirmed_at": consent.confirmed_at})


class ConsentWithdraw(ConsentsApiView):
    permission_classes = [MayRecord]
    input_class = WithdrawIn
    action_name = "withdraw consent"

    def post(self, request):
        data = self.parsed()
        subject = self.subject_for(data)
        if subject is not None:
            subjects = [subject]
        else:
            subjects = list(
                DataSubject.objects.filter(emailaddress__email=data["email"].lower(), erased_at__isnull=True).distinct()
            )
        if not subjects:
            raise UnknownPerson()
        withdrawn = []
        for person in subjects:
            withdrawn += services.consent_withdraw(
                subject=person,
                purpose_code=data["purpose"],
                channel=data["channel"],
                source=data["source"] or f"api:{request.auth.name}",
                at=data.get("at"),
            )
        return Response(
            {"purpose": data["purpose"], "withdrawn": len(withdrawn), "consent_ids": [c.pk for c in withdrawn]}
        )


class MayContact(ConsentsApiView):
    permission_classes = [MayQuery]
    input_class = MayContactIn
    action_name = "may_contact"

    def post(self, request):
        data = self.parsed()
        purpose, channel = data["purpose"], data["channel"]
        if data.get("emails"):
            decisions = selectors.may_contact_many(purpose_code=purpose, channel=channel, emails=data["emails"])
            return Response(
                {
                    "purpose": purpose,
                    "channel": channel,
                    "results": {e: {"allowed": d.allowed, "reasons": d.reasons} for e, d in decisions.items()},
                }
            )
        subject = self.subject_for(data)
        decision = selectors.may_contact(
            purpose_code=purpose, channel=channel, subject=subject, email=data.get("email")
        )
        return Response(
            {"purpose": purpose, "channel": channel, "allowed": decision.allowed, "reasons": decision.reasons}
        )


def not_found(request, *args, **kwargs):
    """Unknown API paths answer in JSON too."""
    return JsonResponse({"error": "not_found", "message": _("No such API endpoint.")}, status=404)
