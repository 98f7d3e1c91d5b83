"""A second competent supervisory authority is refused with a message the DPO can read, not a constraint name."""

import pytest
from django.urls import reverse

from dpo_portal.models import SupervisoryAuthority


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("de", "Eine andere Aufsichtsbehörde ist bereits als zuständig"),
        ("en", "Another supervisory authority is already marked as competent"),
    ],
)
def test_it_refuses_a_second_competent_authority(register, dpo_client, language, message):
    url = reverse("admin:dpo_portal_supervisoryauthority_add")
    form = dpo_client.get(url).context["adminform"].form
    data = {name: ("" if form[name].value() is None else form[name].value()) for name in form.fields}
    data.update({"name": "Zweite Behörde", "is_competent": "on"})
    response = dpo_client.post(url, data, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    content = response.content.decode()
    assert message in content
    assert "one_competent_authority" not in content
    assert SupervisoryAuthority.objects.filter(is_competent=True).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("de", "Eine andere Organisation ist bereits der Verantwortliche"),
        ("en", "Another organisation is already the controller"),
    ],
)
def test_it_refuses_a_second_controller_in_words(register, dpo_client, language, message):
    from dpo_portal.models import Organisation

    if Organisation.controller() is None:
        Organisation.objects.create(name="cplus GmbH", role=Organisation.Role.CONTROLLER)
    url = reverse("admin:dpo_portal_organisation_add")
    form = dpo_client.get(url).context["adminform"].form
    data = {name: ("" if form[name].value() is None else form[name].value()) for name in form.fields}
    data.update({"name": "Zweite GmbH", "role": "controller", "website": "zweite.example.org"})
    response = dpo_client.post(url, data, HTTP_ACCEPT_LANGUAGE=language)
    content = response.content.decode()
    assert response.status_code == 200 and message in content and "one_controller" not in content
    assert Organisation.objects.filter(role="controller").count() == 1
