"""`check --deploy` refuses keys that would fail only at first use or that silently fall back to SECRET_KEY."""

import pytest
from cryptography.fernet import Fernet
from django.core.checks import Error, Warning, run_checks
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from dpo_portal.checks import check_encryption_key_format, check_encryption_keys

GOOD_KEY = Fernet.generate_key().decode()


@pytest.fixture
def production(settings):
    settings.DEBUG = False
    settings.SECRET_KEY = "the-secret-key-of-the-web-application-0123456789abcdef"
    settings.FIELD_ENCRYPTION_KEYS = [GOOD_KEY]
    settings.HASH_SALT = "a-salt-of-its-own"
    settings.AUDIT_KEY = "an-audit-key-of-its-own"
    return settings


def _ids(messages):
    return sorted(m.id for m in messages if m.id.startswith("dpo_portal."))


def test_production_settings_pass(production):
    assert _ids(check_encryption_keys(None)) == []


def test_the_check_runs_with_deploy_only(production):
    production.AUDIT_KEY = production.SECRET_KEY
    assert _ids(run_checks(include_deployment_checks=True)) == ["dpo_portal.E003"]
    assert _ids(run_checks()) == []


def test_an_invalid_fernet_key_is_named_by_its_position_never_shown(production):
    production.FIELD_ENCRYPTION_KEYS = [GOOD_KEY, "not-a-fernet-key"]
    [message] = check_encryption_key_format(None)
    assert isinstance(message, Error) and message.id == "dpo_portal.E002"
    assert "number 2" in message.msg
    assert "not-a-fernet-key" not in message.msg + (message.hint or "")
    assert GOOD_KEY not in message.msg


@pytest.mark.parametrize("value", ["", "same"])
def test_audit_key_must_be_its_own(production, value):
    production.AUDIT_KEY = production.SECRET_KEY if value == "same" else ""
    [message] = check_encryption_keys(None)
    assert isinstance(message, Error) and message.id == "dpo_portal.E003"
    assert production.SECRET_KEY not in message.msg


def test_hash_salt_must_be_its_own(production):
    production.HASH_SALT = production.SECRET_KEY
    [message] = check_encryption_keys(None)
    assert isinstance(message, Error) and message.id == "dpo_portal.E004"


def test_with_debug_on_the_fallbacks_are_only_warnings(production):
    production.DEBUG = True
    production.AUDIT_KEY = production.HASH_SALT = production.SECRET_KEY
    messages = check_encryption_keys(None)
    assert all(isinstance(m, Warning) for m in messages)
    assert _ids(messages) == ["dpo_portal.W001", "dpo_portal.W002"]


@pytest.mark.django_db
def test_an_invalid_key_stops_every_command_not_only_the_deploy_check(settings):
    """rotate_field_keys with a bad key ended in a traceback from the first value it read."""
    settings.FIELD_ENCRYPTION_KEYS = ["notakey"]
    assert _ids(run_checks()) == ["dpo_portal.E002"]
    with pytest.raises(SystemCheckError, match="dpo_portal.E002"):
        call_command("rotate_field_keys", "--dry-run", skip_checks=False)
