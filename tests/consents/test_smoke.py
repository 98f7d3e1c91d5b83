from consents.selectors import may_contact
from consents.services import consent_confirm


def test_smoke(person, give):
    consent, token = give(subject=person, email="anna@example.org", ip="192.0.2.77")
    assert consent.ip_network == "192.0.2.0/24"
    d = may_contact(purpose_code="product-news", channel="email", subject=person)
    assert d.reasons == ["consent_not_confirmed"]
    consent_confirm(token=token)
    assert may_contact(purpose_code="product-news", channel="email", subject=person).allowed
    assert may_contact(purpose_code="product-news", channel="email", email="ANNA@example.org").allowed
    assert may_contact(purpose_code="product-news", channel="email", email="x@example.org").reasons == ["unknown_person"]
