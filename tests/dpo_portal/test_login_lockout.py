"""Repeated failed logins by one user name from one address lock that login for a while (django-axes): a password
cannot be guessed, nobody can lock a user out from elsewhere, and nothing of it reaches the log."""

import datetime
import logging

import pytest
import time_machine
from django.urls import reverse

from audit.models import AuditEntry

pytestmark = pytest.mark.django_db
PASSWORD = "pw-for-tests-only"
LOGIN = "admin:login"


def _login(client, password, address="10.1.2.3", language="de"):
    return client.post(
        reverse(LOGIN),
        {"username": "dpo", "password": password},
        REMOTE_ADDR=address,
        headers={"accept-language": language},
    )


def _fail(client, times, address="10.1.2.3"):
    """`times` wrong passwords: the form again with its error, until the last one that reaches the limit."""
    statuses = [_login(client, "wrong", address).status_code for _ in range(times)]
    assert set(statuses[:-1]) <= {200}
    return statuses[-1]


def test_after_five_failures_even_the_right_password_is_refused(client, dpo_user, settings):
    assert _fail(client, settings.AXES_FAILURE_LIMIT) == 429
    locked = _login(client, PASSWORD)
    page = locked.content.decode()
    assert locked.status_code == 429
    assert "Anmeldung gesperrt" in page and "15 Minuten" in page
    assert "dpo" not in page.replace("dpo_portal", "")  # the user name is not repeated
    assert "_auth_user_id" not in client.session
    english = _login(client, PASSWORD, language="en")
    assert english.status_code == 429 and "Try again in 15 minutes" in english.content.decode()
    assert AuditEntry.objects.filter(action="login_failed").count() >= settings.AXES_FAILURE_LIMIT


def test_failures_from_elsewhere_do_not_lock_the_user_out(client, dpo_user, settings):
    _fail(client, settings.AXES_FAILURE_LIMIT, address="203.0.113.9")
    assert _login(client, PASSWORD, address="10.1.2.3").status_code == 302


def test_the_lock_ends_after_the_cool_off(client, dpo_user, settings):
    _fail(client, settings.AXES_FAILURE_LIMIT)
    assert _login(client, PASSWORD).status_code == 429
    with time_machine.travel(datetime.datetime.now(datetime.UTC) + datetime.timedelta(minutes=16)):
        assert _login(client, PASSWORD).status_code == 302


def test_a_successful_login_starts_the_count_again(client, dpo_user, settings):
    assert _fail(client, settings.AXES_FAILURE_LIMIT - 1) == 200
    assert _login(client, PASSWORD).status_code == 302
    client.logout()
    assert _fail(client, settings.AXES_FAILURE_LIMIT - 1) == 200  # four more, not nine
    assert _login(client, PASSWORD).status_code == 302


def test_the_support_desk_s_re_login_counts_too(client, support_user, settings, register):
    url = reverse("requests_app:intake")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(url, {"relogin": "1", "username": "support", "password": "wrong"}, REMOTE_ADDR="10.1.2.3")
    answer = client.post(url, {"relogin": "1", "username": "support", "password": PASSWORD}, REMOTE_ADDR="10.1.2.3")
    assert answer.status_code == 429
    assert "_auth_user_id" not in client.session


def test_nothing_of_a_lockout_is_logged(client, dpo_user, settings, caplog):
    with caplog.at_level(logging.DEBUG):
        for _ in range(settings.AXES_FAILURE_LIMIT + 1):
            _login(client, "wrong")
    assert (
        "AXES" in caplog.text
    )  # it did log, without the user or the address    assert "10.1.2.3" not in caplog.text and "'dpo'" not in caplog.text


def test_a_login_without_an_address_is_counted_under_none_not_a_placeholder(rf):
    from dpo_portal.client_address import client_address as login_client_address

    request = rf.post("/admin/login/")
    assert login_client_address(request) == "127.0.0.1"
    del request.META["REMOTE_ADDR"]
    assert login_client_address(request) is None  # PostgreSQL's inet column refused "unknown"
    assert login_client_address(None) is None
