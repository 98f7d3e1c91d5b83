"""Django's request lines reach the log without their query strings: the admin's search sends names by GET."""

import logging
from types import SimpleNamespace

import pytest
from django.core.servers.basehttp import WSGIRequestHandler

from dpo_portal.log_redaction import QUERY_WITHHELD, strip_query_strings


def _dev_server_logs(request_line: str, status: str = "200") -> None:
    """What runserver's request handler does after each request."""
    handler = SimpleNamespace(request=None, log_date_time_string=lambda: "29/Nov/2026 10:00:00")
    WSGIRequestHandler.log_message(handler, '"%s" %s %s', request_line, status, "6825")


@pytest.mark.parametrize(
    "target",
    [
        "/support/contact/?q=myriam.koester%40example.org",
        "/admin/subjects/datasubject/?q=K%C3%B6ster",  # the admin's changelist search
        "/admin/autocomplete/?app_label=requests_app&model_name=datasubjectrequest&term=%2B49+4102",
    ],
)
def test_the_development_server_logs_the_page_without_its_query(caplog, target):
    with caplog.at_level(logging.INFO):
        _dev_server_logs(f"GET {target} HTTP/1.1")
    (record,) = [r for r in caplog.records if r.name == "django.server"]  # still logged, through the root handler
    path = target.split("?")[0]
    assert record.getMessage() == f'"GET {path}{QUERY_WITHHELD} HTTP/1.1" 200 6825'


def test_a_malformed_request_line_loses_its_query_too(caplog):
    # http.server logs a bad request line as it came, spaces included.
    with caplog.at_level(logging.INFO):
        _dev_server_logs("GET /support/?q=Myriam Köster HTTP/1.1", status="400")
        WSGIRequestHandler.log_message(
            SimpleNamespace(request=None, log_date_time_string=lambda: ""),
            "code %d, message %s",
            400,
            "Bad request version ('GET /support/?q=Myriam Köster')",
        )
    assert "Köster" not in caplog.text and "Myriam" not in caplog.text
    assert caplog.text.count("/support/" + QUERY_WITHHELD) == 2


def test_failed_requests_are_logged_without_the_query(caplog):
    with caplog.at_level(logging.INFO):
        logging.getLogger("django.request").warning("Not Found: %s", "/admin/x/?q=max%40example.org")
    assert caplog.records[-1].getMessage() == "Not Found: /admin/x/" + QUERY_WITHHELD


def test_what_is_no_query_string_stays():
    for text in ('"GET /support/ HTTP/1.1" 200 12', "Not Found: /support/requests/7/", "Why? Nobody knows."):
        assert strip_query_strings(text) == text


def test_other_loggers_are_left_alone(caplog):
    # The portal's own log lines name records by id; a "?" in them is not a URL's.
    with caplog.at_level(logging.INFO):
        logging.getLogger("requests_app").info("evidence of entry %s missing? /var/media/x?y", 7)
    assert caplog.records[-1].getMessage() == "evidence of entry 7 missing? /var/media/x?y"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/api/nope/Gudula.Ackermann@example.org",
        "/support/x/max%40example.org/",
        "/support/x/max.mustermann%2Bnews%40example.org/",  # an escape in the local part cut the match short
        "/support/x/m%C3%BCller.max%40example.org/",
    ],
)
def test_an_address_in_a_path_is_withheld(client, caplog, path):
    """The portal's URLs name records by id: an address in a path was sent by a client, and stays out of the log."""
    with caplog.at_level(logging.INFO):
        assert client.get(path).status_code in (302, 404)
        _dev_server_logs(f"GET {path} HTTP/1.1", status="404")
    assert not any(part in caplog.text for part in ("Ackermann", "max", "mustermann", "example.org", "C3%BC"))
    assert "[address withheld]" in caplog.text
