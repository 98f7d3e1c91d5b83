"""Editing a processing activity in the admin: a special category without an Art. 9 basis is a form error."""

import pytest
from django.forms.models import model_to_dict
from django.urls import reverse

from dpo_portal import register_data as data
from dpo_portal.models import DataCategory, ProcessingActivity

pytestmark = pytest.mark.usefixtures("register")


def _form_data(activity, **changes):
    values = {k: v for k, v in model_to_dict(activity).items() if v is not None}
    for m2m in ("data_categories", "recipients", "systems", "joint_controllers"):
        values[m2m] = [o.pk for o in values.get(m2m, [])]
    return {**values, **changes}


def test_a_special_category_without_article_9_basis_is_a_form_error_and_changes_nothing(dpo_client):
    activity = ProcessingActivity.objects.get(code="surveys")
    before = set(activity.data_categories.values_list("code", flat=True))
    health = DataCategory.objects.get(code="health")
    post = _form_data(activity, purpose_de="geändert", special_category_basis="")
    post["data_categories"].append(health.pk)
    response = dpo_client.post(reverse("admin:dpo_portal_processingactivity_change", args=[activity.pk]), post)
    assert response.status_code == 200
    assert "Art. 9 Abs. 2 DSGVO" in response.content.decode()
    activity.refresh_from_db()
    assert set(activity.data_categories.values_list("code", flat=True)) == before
    assert activity.purpose_de != "geändert"


def test_with_an_article_9_basis_the_special_category_is_saved(dpo_client):
    activity = ProcessingActivity.objects.get(code="surveys")
    post = _form_data(activity, special_category_basis="9_2_a")
    post["data_categories"].append(DataCategory.objects.get(code="health").pk)
    response = dpo_client.post(reverse("admin:dpo_portal_processingactivity_change", args=[activity.pk]), post)
    assert response.status_code == 302
    assert activity.data_categories.filter(code="health").exists()


def test_no_activitys_measures_contradict_its_own_transfers():
    for activity in ProcessingActivity.objects.prefetch_related("recipients", "systems"):
        eea_only = (data.TOMS_EEA_DE in activity.toms_de, data.TOMS_EEA_EN in activity.toms_en)
        if activity.third_country_parties():
            assert eea_only == (False, False), activity.code
            assert activity.toms_de.endswith(data.TOMS_TRANSFER_DE), activity.code
        else:
            assert eea_only == (True, True), activity.code
