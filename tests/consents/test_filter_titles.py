"""The consent and token lists head their filters with words, not "Nach erteilt" / "Nach widerrufen"."""

import pytest
from django.urls import reverse


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "headings"),
    [
        ("consent", ["Nach Widerruf", "Nach Erteilungsdatum"]),
        ("apitoken", ["Nach Widerruf des Tokens"]),
    ],
)
def test_filters_read_as_german(register, dpo_client, name, headings):
    page = dpo_client.get(reverse(f"admin:consents_{name}_changelist"), headers={"accept-language": "de"})
    text = " ".join(page.content.decode().split())
    for heading in headings:
        assert heading in text, heading
    assert "Nach erteilt" not in text and "Nach widerrufen" not in text
