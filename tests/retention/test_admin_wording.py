"""What the retention admin's pages say, in German and English: runs, their counts, the protocol, legal holds."""

import datetime
import re

import pytest
from django.urls import reverse

from retention.sweep import sweep_run

pytestmark = pytest.mark.usefixtures("register")
D = datetime.date


def page(client, url, language, **params):
    response = client.get(url, params, headers={"accept-language": language})
    assert response.status_code == 200, response.content[:500]
    return response.content.decode()


def readonly(body: str, name: str) -> str:
    """The text of the read-only field `name` on an admin change page."""
    match = re.search(rf'class="form-row field-{name}".*?<div class="readonly">(.*?)</div>', body, re.S)
    assert match, f"no read-only field {name}"
    return match.group(1).strip()


@pytest.mark.parametrize(
    ("dry_run", "language", "reads"),
    [
        (True, "en", "yes – only counted, nothing changed"),
        (True, "de", "ja – nur gezählt, nichts verändert"),
        (False, "en", "no"),
        (False, "de", "nein"),
    ],
)
def test_it_says_only_counted_only_on_a_dry_run(dpo_client, today, dry_run, language, reads):
    run = sweep_run(dry_run=dry_run)
    body = page(dpo_client, reverse("admin:retention_sweeprun_change", args=[run.pk]), language)
    assert readonly(body, "dry_run_label") == reads
    if not dry_run:
        assert "Only counted" not in body and "Nur gezählt" not in body
    assert 'class="form-row field-dry_run"' not in body  # the bare field and its help text are gone
