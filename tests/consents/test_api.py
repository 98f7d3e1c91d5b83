import json
import re
from pathlib import Path

import pytest
from django.core.cache import cache

from audit.models import AuditEntry
from consents.models import ApiToken, Consent, ConsentEvent
from consents.services import api_token_create, api_token_revoke
from subjects.models import DataSubject

CONSENT = {
    "purpose": "product-news",
    "text_version": 1,
    "channel": "web_form",
    "source": "newsletter form",
    "email": "new@example.org",
    "ip": "203.0.113.9",
}


@pytest.fixture
def api(register, client):
    _token, raw = api_token_create(name="website", may_record=True, may_query=True)

    def post(path, body, *, token=raw, raw_body=None, **extra):
        data = raw_body if raw_body is not None else json.dumps(body)
        headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
        return client.post(
            f"/api/{path}", data, content_type=extra.pop("content_type", "application/json"), **headers, **extra
        )

    return post


def _denied():
    return list(AuditEntry.objects.filter(action="denied").order_by("seq"))


def test_it_records_confirms_answers_and_withdraws(api):
    response = api("consents/", CONSENT)
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "unconfirmed" and body["text_version"] == 1
    token = body["confirmation_token"]
    assert api("may-contact/", {"purpose": "product-news", "channel": "email", "email": "new@example.org"}).json()[
        "reasons"
    ] == ["consent_not_confirmed"]
    confirmed = api("consents/confirm/", {"token": token, "ip": "203.0.113.10"})
    assert confirmed.status_code == 200 and confirmed.json()["status"] == "valid"
    answer = api("may-contact/", {"purpose": "product-news", "channel": "email", "email": "NEW@example.org"}).json()
    assert answer == {"purpose": "product-news", "channel": "email", "allowed": True, "reasons": []}
    withdrawn = api("consents/withdraw/", {"purpose": "product-news", "channel": "email", "email": "new@example.org"})
    assert withdrawn.status_code == 200 and withdrawn.json()["withdrawn"] == 1
    answer = api("may-contact/", {"purpose": "product-news", "channel": "email", "email": "new@example.org"}).json()
    assert answer["allowed"] is False and answer["reasons"] == ["consent_withdrawn"]
    assert _denied() == []
    # The audit trail names the API client, never the address.
    entries = AuditEntry.objects.filter(actor_name="api:website")
    assert entries.exists()
    assert not any("new@example.org" in (e.detail + json.dumps(e.fields)) for e in AuditEntry.objects.all())


def test_bulk_may_contact(api):
    api("consents/", {**CONSENT, "channel": "paper", "evidence": "scan 1", "email": "p@example.org"})
    response = api(
        "may-contact/", {"purpose": "product-news", "channel": "email", "emails": ["p@example.org", "x@example.org"]}
    )
    results = response.json()["results"]
    assert results["p@example.org"] == {"allowed": True, "reasons": []}
    assert results["x@example.org"]["reasons"] == ["unknown_person"]


def test_by_customer_number(api, person):
    body = {**CONSENT, "customer_number": person.customer_number, "channel": "phone", "evidence": "call 17"}
    del body["email"]
    assert api("consents/", body).status_code == 201
    answer = api(
        "may-contact/", {"purpose": "product-news", "channel": "email", "customer_number": person.customer_number}
    )
    assert answer.json()["allowed"] is True
    missing = api("may-contact/", {"purpose": "product-news", "channel": "email", "customer_number": "K-0"})
    assert missing.status_code == 404 and missing.json()["error"] == "unknown_person"


BAD = [
    ({**CONSENT, "purpose": "nope"}, 400, "unknown_purpose"),
    ({**CONSENT, "text_version": 9}, 400, "unknown_version"),
    ({**CONSENT, "email": "not-an-address"}, 400, "invalid"),
    ({**CONSENT, "channel": "phone"}, 400, "missing_evidence"),
    ({**CONSENT, "text_version": "one"}, 400, "invalid"),
    ({**CONSENT, "unexpected": 1}, 400, "invalid"),
    ({k: v for k, v in CONSENT.items() if k != "source"}, 400, "required"),
    (["a", "list"], 400, "invalid"),
]


@pytest.mark.parametrize(("body", "status", "code"), BAD)
def test_bad_input_gets_a_json_4xx_stores_nothing_and_is_audited(api, body, status, code):
    subjects = DataSubject.objects.count()
    response = api("consents/", body)
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"] == code and response.json()["message"]
    assert Consent.objects.count() == 0 and ConsentEvent.objects.count() == 0
    assert DataSubject.objects.count() == subjects
    [entry] = _denied()
    assert entry.detail.startswith("consents api record consent: 400") and entry.actor_name == "api:website"
    assert "example.org" not in entry.detail


def test_an_outdated_text_version(api):
    from consents.models import ConsentPurpose
    from consents.services import text_publish

    text_publish(
        purpose=ConsentPurpose.objects.get(code="product-news"),
        text_de="v2",
        text_en="v2",
        material_change=True,
        change_note="adds phone",
    )
    response = api("consents/", CONSENT)
    assert response.status_code == 400 and response.json()["error"] == "outdated_version"


def test_malformed_huge_and_wrong_type_bodies(api, settings):
    assert api("consents/", None, raw_body="{not json").json()["error"] == "parse_error"
    big = api("consents/", {**CONSENT, "source": "x" * (settings.CONSENTS_API_MAX_BODY + 10)})
    assert big.status_code == 413 and big.json()["error"] == "too_large"
    deep = api("consents/", None, raw_body="[" * 5000 + "]" * 5000)
    assert deep.status_code == 400
    form = api("consents/", None, raw_body="a=b", content_type="application/x-www-form-urlencoded")
    assert form.status_code == 415 and form.json()["error"] == "unsupported_media_type"
    assert Consent.objects.count() == 0
    assert len(_denied()) == 4


def test_an_expired_or_unknown_confirmation_token(api):
    import datetime

    import time_machine
    from django.utils import timezone

    token = api("consents/", CONSENT).json()["confirmation_token"]
    with time_machine.travel(timezone.now() + datetime.timedelta(days=4)):
        response = api("consents/confirm/", {"token": token})
    assert response.status_code == 400 and response.json()["error"] == "token_expired"
    assert api("consents/confirm/", {"token": "guess"}).json()["error"] == "unknown_token"
    assert Consent.objects.get().confirmed_at is None
    assert len(_denied()) == 2


def test_authentication_scopes_and_revocation(api, register):
    assert api("may-contact/", {}, token=None).status_code == 401
    assert api("may-contact/", {}, token="wrong").status_code == 401
    reader, raw = api_token_create(name="newsletter", may_record=False, may_query=True)
    assert api("consents/", CONSENT, token=raw).status_code == 403
    assert (
        api("may-contact/", {"purpose": "surveys", "channel": "email", "email": "a@example.org"}, token=raw).status_code
        == 200
    )
    api_token_revoke(token=reader)
    assert (
        api("may-contact/", {"purpose": "surveys", "channel": "email", "email": "a@example.org"}, token=raw).status_code
        == 401
    )
    assert len(_denied()) == 4
    assert ApiToken.objects.get(pk=reader.pk).digest != raw


def test_rate_limits(api, settings):
    cache.clear()
    settings.CONSENTS_API_RATE = "3/min"
    query = {"purpose": "surveys", "channel": "email", "email": "a@example.org"}
    codes = [api("may-contact/", query).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    settings.CONSENTS_API_FAILED_AUTH_RATE = "2/min"
    codes = [api("may-contact/", query, token="guess").status_code for _ in range(3)]
    assert codes == [401, 401, 429]
    cache.clear()


def test_unknown_paths_answer_in_json(api):
    response = api("nothing-here/", {})
    assert response.status_code == 404 and response.json()["error"] == "not_found"


def test_withdrawal_for_an_unknown_address(api):
    response = api("consents/withdraw/", {"purpose": "product-news", "channel": "email", "email": "x@example.org"})
    assert response.status_code == 404 and response.json()["error"] == "unknown_person"


QUERY = {"purpose": "surveys", "channel": "email", "email": "a@example.org"}


@pytest.fixture
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


def test_failed_attempts_never_lock_out_a_valid_token(api, fresh_cache):
    """Behind the reverse proxy every caller has the proxy's address: bad tokens must not lock
    out the website and the newsletter tool (regression)."""
    assert [api("may-contact/", {}, token="wrong").status_code for _ in range(10)] == [401] * 10
    assert api("may-contact/", QUERY).status_code == 200
    assert api("may-contact/", QUERY, token="wrong").status_code == 429
    assert api("may-contact/", QUERY, token=None).status_code == 429
    assert api("may-contact/", QUERY).status_code == 200


def test_the_failure_count_trusts_x_forwarded_for_only_behind_configured_proxies(api, settings, fresh_cache):
    settings.CONSENTS_API_FAILED_AUTH_RATE = "2/min"

    def wrong(forwarded):
        return api("may-contact/", QUERY, token="wrong", HTTP_X_FORWARDED_FOR=forwarded).status_code

    # No trusted proxy (the default): the header is the client's text, REMOTE_ADDR counts.
    assert settings.API_TRUSTED_PROXIES == 0
    assert [wrong("198.51.100.1"), wrong("198.51.100.2"), wrong("198.51.100.3")] == [401, 401, 429]
    cache.clear()
    # One proxy: the entry it appended (rightmost) counts; what the client put before it does not.
    settings.API_TRUSTED_PROXIES = 1
    assert [wrong("10.0.0.1, 198.51.100.1"), wrong("10.0.0.2, 198.51.100.1")] == [401, 401]
    assert wrong("198.51.100.1") == 429
    assert wrong("198.51.100.1, 198.51.100.2") == 401
    # Two proxies: the second entry from the right.
    settings.API_TRUSTED_PROXIES = 2
    assert wrong("198.51.100.1, 203.0.113.5") == 429


def test_unknown_field_names_never_reach_the_audit_trail(api):
    """An unknown key is the client's text, e.g. an address: only a count is audited (regression)."""
    response = api(
        "may-contact/",
        {"purpose": "product-news", "channel": "email", "email": "x@example.org", "erika.mustermann@example.org": 1},
    )
    assert response.status_code == 400 and response.json()["error"] == "invalid"
    [entry] = _denied()
    assert "erika" not in json.dumps(entry.fields) + entry.detail
    assert entry.fields == [] and entry.detail.endswith("1 unknown field(s)")
    api("consents/", {**CONSENT, "x-secret": 1, "y": 2})
    entry = _denied()[-1]
    assert entry.fields == [] and entry.detail.endswith("2 unknown field(s)") and "secret" not in entry.detail
    # Known field names are still named, from the serializer and from the services.
    api("consents/", {**CONSENT, "email": "not-an-address"})
    api("consents/", {**CONSENT, "purpose": "nope"})
    assert [e.fields for e in _denied()[-2:]] == [["email"], ["purpose"]]
    assert "unknown field" not in _denied()[-1].detail


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "No data subject with this e-mail address or customer number."),
        ("de", "Keine betroffene Person mit dieser E-Mail-Adresse oder Kundennummer."),
    ],
)
def test_the_unknown_person_error_speaks_the_requested_language(api, language, message):
    """The message was fixed at import time in German (regression)."""
    body = {"purpose": "product-news", "channel": "email", "customer_number": "K-0"}
    for path in ("may-contact/", "consents/withdraw/"):
        response = api(path, body, HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 404
        assert response.json() == {"error": "unknown_person", "message": message}


def test_every_error_code_is_documented(api):
    """Clients branch on the codes: each one the API answers with is in docs/api.md's table."""
    docs = (Path(__file__).resolve().parents[2] / "docs" / "api.md").read_text()
    table = docs.split("| Status | `error` | When |")[1].split("\n\n")[0]
    documented = set(re.findall(r"`([a-z_]+)`", table))
    without_subject = {k: v for k, v in CONSENT.items() if k != "email"}
    codes = {
        api("consents/", without_subject).json()["error"],
        api("may-contact/", {"purpose": "surveys", "channel": "email"}).json()["error"],
        *(api("consents/", body).json()["error"] for body, _status, _code in BAD),
    }
    assert "missing_subject" in codes
    assert codes <= documented


@pytest.mark.parametrize(
    ("path", "changes", "code"),
    [
        ("consents/", {"channel": "fax"}, "invalid"),
        ("consents/", {"language": "fr"}, "invalid"),
        ("consents/", {"text_version": 0}, "invalid"),
        ("consents/", {"source": ""}, "required"),
        ("consents/", {"source": None}, "required"),
        ("consents/withdraw/", {"channel": "letter"}, "invalid"),
        ("may-contact/", {"channel": "sms"}, "invalid"),
        ("may-contact/", {"email": None, "emails": []}, "invalid"),
        ("may-contact/", {"email": None, "emails": "a@example.org"}, "invalid"),
    ],
)
def test_a_malformed_value_gets_a_documented_error_code(api, path, changes, code):
    """DRF's own codes ("invalid_choice", "min_value", "blank", "empty", ...) reached clients, undocumented."""
    docs = (Path(__file__).resolve().parents[2] / "docs" / "api.md").read_text()
    documented = set(re.findall(r"`([a-z_]+)`", docs.split("| Status | `error` | When |")[1].split("\n\n")[0]))
    base = {
        "consents/": CONSENT,
        "consents/withdraw/": {"purpose": "product-news", "channel": "email", "email": "new@example.org"},
        "may-contact/": {"purpose": "product-news", "channel": "email", "email": "new@example.org"},
    }[path]
    body = {k: v for k, v in {**base, **changes}.items() if not (k == "email" and v is None)}
    response = api(path, body)
    assert response.status_code == 400 and response.json()["error"] == code and code in documented


@pytest.mark.parametrize(
    ("language", "message"),
    [("en", "Give the time with its time zone."), ("de", "Geben Sie den Zeitpunkt mit Zeitzone an.")],
)
def test_a_time_without_its_time_zone_is_refused_and_nothing_is_written(api, language, message):
    """docs/api.md asks for the zone; DRF would read the time as the server's local time."""
    consents = Consent.objects.count()
    response = api("consents/", {**CONSENT, "given_at": "2026-11-01T00:00:00"}, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid" and response.json()["fields"] == {"given_at": [message]}
    withdrawal = {"purpose": "product-news", "channel": "email", "email": "new@example.org", "at": "2026-11-01T08:00"}
    assert api("consents/withdraw/", withdrawal, HTTP_ACCEPT_LANGUAGE=language).json()["fields"] == {"at": [message]}
    assert Consent.objects.count() == consents
    # With its zone it is taken.
    assert api("consents/", {**CONSENT, "given_at": "2026-11-01T00:00:00+01:00"}).status_code == 201


@pytest.mark.parametrize("moment", ["2026-02-30T10:00:00+01:00", "2026-11-01T25:00:00Z", "2026-13-01T10:00"])
def test_a_time_that_does_not_exist_is_invalid_not_a_server_error(api, moment):
    response = api("consents/", {**CONSENT, "given_at": moment})
    assert response.status_code == 400 and response.json()["error"] == "invalid"
    assert list(response.json()["fields"]) == ["given_at"] and not Consent.objects.exists()


@pytest.mark.parametrize(
    ("language", "message"),
    [("en", "Send the data as a JSON object."), ("de", "Senden Sie die Daten als JSON-Objekt.")],
)
def test_a_body_of_null_is_refused_in_the_requested_language(api, language, message):
    response = api("consents/", None, raw_body="null", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 400 and response.json()["message"] == message
