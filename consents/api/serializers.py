"""Strict validation of API input: unknown fields, wrong types and malformed values are refused."""

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from ..models import ConsentChannel, ContactChannel

MAX_BULK = 1000


class StrictSerializer(serializers.Serializer):
    """Refuses fields it does not know: a typo must not silently drop data."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({name: [_("Unknown field.")] for name in unknown})
        return super().to_internal_value(data)


class AwareDateTimeField(serializers.DateTimeField):
    """A time with its time zone (docs/api.md): DRF would read one without as the server's local time."""

    def to_internal_value(self, value):
        try:
            parsed = parse_datetime(value) if isinstance(value, str) else None
        except ValueError:  # well formed but no such time (30 February): DRF's own parsing says it is invalid
            parsed = None
        if parsed is not None and parsed.tzinfo is None:
            raise serializers.ValidationError(_("Give the time with its time zone."), code="invalid")
        return super().to_internal_value(value)


class PersonFields(StrictSerializer):
    """A person is named by e-mail address or customer number."""

    email = serializers.EmailField(max_length=254, required=False)
    customer_number = serializers.CharField(max_length=30, required=False)

    def validate(self, attrs):
        if not attrs.get("email") and not attrs.get("customer_number"):
            raise serializers.ValidationError(
                {"email": [_("Give the e-mail address or the customer number.")]}, code="missing_subject"
            )
        return attrs


class ConsentIn(PersonFields):
    purpose = serializers.SlugField(max_length=60)
    text_version = serializers.IntegerField(min_value=1)
    channel = serializers.ChoiceField(choices=ConsentChannel.choices)
    source = serializers.CharField(max_length=200, help_text="form, campaign or staff member")
    evidence = serializers.CharField(max_length=300, required=False, default="")
    ip = serializers.IPAddressField(required=False)
    language = serializers.ChoiceField(choices=[("de", "de"), ("en", "en")], default="de")
    given_at = AwareDateTimeField(required=False)
    first_name = serializers.CharField(max_length=100, required=False, default="")
    last_name = serializers.CharField(max_length=100, required=False, default="")


class ConfirmIn(StrictSerializer):
    token = serializers.CharField(max_length=100)
    ip = serializers.IPAddressField(required=False)


class WithdrawIn(PersonFields):
    purpose = serializers.SlugField(max_length=60)
    channel = serializers.ChoiceField(choices=ConsentChannel.choices)
    source = serializers.CharField(max_length=200, required=False, default="")
    at = AwareDateTimeField(required=False)


class MayContactIn(StrictSerializer):
    purpose = serializers.SlugField(max_length=60)
    channel = serializers.ChoiceField(choices=ContactChannel.choices)
    email = serializers.EmailField(max_length=254, required=False)
    customer_number = serializers.CharField(max_length=30, required=False)
    emails = serializers.ListField(
        child=serializers.CharField(max_length=254), required=False, max_length=MAX_BULK, allow_empty=False
    )

    def validate(self, attrs):
        given = [k for k in ("email", "customer_number", "emails") if attrs.get(k)]
        if len(given) != 1 and set(given) != {"email", "customer_number"}:
            raise serializers.ValidationError(
                {"email": [_("Give an e-mail address, a customer number, or a list of addresses (emails).")]},
                code="missing_subject",
            )
        return attrs
