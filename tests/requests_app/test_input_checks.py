"""Bad input on the request page's workflow buttons and the intake is refused, translated, and changes nothing."""

import pytest

from requests_app.models import DataSubjectRequest, IdentityResult, TimelineEntry
from tests.factories import DataSubjectRequestFactory

from .helpers import step_url

pytestmark = pytest.mark.django_db
State = DataSubjectRequest.State


def _errors(response) -> list[str]:
    return [str(m) for m in response.context["messages"] if m.level_tag == "error"]


def test_a_too_long_legal_reference_is_refused(dpo_client, register):
    req = DataSubjectRequestFactory(identity_result=IdentityResult.VERIFIED)
    data = {"action": "reject", "reason": "exception", "reference": "x" * 250}
    response = dpo_client.post(step_url(req, "transition"), data, follow=True)
    assert _errors(response) == ["Die Rechtsvorschrift darf höchstens 200 Zeichen haben (sie hat 250)."]
    req.refresh_from_db()
    assert (req.state, req.rejection_reason, req.rejection_reference) == (State.RECEIVED, "", "")
    response = dpo_client.post(step_url(req, "transition"), data, follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert "at most 200 characters (it has 250)" in _errors(response)[0]


def test_a_legal_reference_of_200_characters_is_kept(dpo_client, register):
    req = DataSubjectRequestFactory(identity_result=IdentityResult.VERIFIED)
    data = {"action": "reject", "reason": "exception", "reference": "x" * 200}
    dpo_client.post(step_url(req, "transition"), data)
    req.refresh_from_db()
    assert (req.state, req.rejection_reference) == (State.REJECTED, "x" * 200)


def test_a_note_with_an_unknown_channel_is_refused(dpo_client, register):
    req = DataSubjectRequestFactory()
    before = req.timeline.count()
    data = {"kind": "in", "text": "Anruf", "channel": "x" * 150}
    response = dpo_client.post(step_url(req, "note"), data, follow=True)
    assert _errors(response) == ["Wählen Sie einen Kanal aus der Liste."]
    assert req.timeline.count() == before
    response = dpo_client.post(step_url(req, "note"), data, follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert _errors(response) == ["Choose a channel from the list."]
    dpo_client.post(step_url(req, "note"), {**data, "channel": "email"})
    assert req.timeline.latest("pk").channel == "email"
