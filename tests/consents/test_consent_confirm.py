import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from consents.models import ConsentEvent
from consents.services import consent_confirm, consent_withdraw


def _code(exc) -> str:
    return next(iter(exc.value.error_dict.values()))[0].code if hasattr(exc.value, "error_dict") else exc.value.code


def test_it_confirms_by_the_token_from_the_link(person, give):
    consent, token = give(subject=person, email="anna@example.org")
    confirmed = consent_confirm(token=token, ip="203.0.113.200")
    assert confirmed.pk == consent.pk
    consent.refresh_from_db()
    assert consent.status == "valid" and consent.confirmed_at is not None
    assert consent.confirmed_ip_network == "203.0.113.0/24"
    assert list(consent.events.values_list("kind", flat=True)) == ["given", "confirmed"]


def test_it_refuses_an_expired_token(person, give):
    consent, token = give(subject=person, email="anna@example.org")
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=73)):
        with pytest.raises(ValidationError) as exc:
            consent_confirm(token=token)
        consent.refresh_from_db()
        assert consent.confirmed_at is None and consent.status == "expired"
    assert _code(exc) == "token_expired"
    assert ConsentEvent.objects.filter(kind="confirmed").count() == 0


def test_it_refuses_an_unknown_token_a_second_click_and_a_withdrawn_consent(person, give):
    with pytest.raises(ValidationError) as exc:
        consent_confirm(token="made-up")
    assert _code(exc) == "unknown_token"
    _, token = give(subject=person, email="anna@example.org")
    consent_confirm(token=token)
    with pytest.raises(ValidationError) as exc:
        consent_confirm(token=token)
    assert _code(exc) == "already_confirmed"
    _, other = give(subject=person, email="anna@example.org")
    consent_withdraw(subject=person, purpose_code="product-news", channel="email")
    with pytest.raises(ValidationError) as exc:
        consent_confirm(token=other)
    assert _code(exc) == "withdrawn"
