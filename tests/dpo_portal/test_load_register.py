import pytest
from django.core.management import call_command

from dpo_portal.models import DataCategory, ProcessingActivity, Recipient, SupervisoryAuthority


@pytest.mark.django_db
def test_it_loads_every_activity_of_the_policy():
    call_command("load_register")
    active = ProcessingActivity.objects.active()
    assert active.count() >= 18
    codes = set(active.values_list("code", flat=True))
    assert {
        "order-processing",
        "customer-support",
        "learning-progress",
        "service-emails",
        "marketing-communication",
        "sanctions-screening",
        "consent-records",
        "surveys",
        "anonymised-datasets",
        "call-chat-recording",
        "existing-customer-marketing",
        "feedback-requests",
        "product-news",
        "event-health-data",
        "event-participant-sharing",
        "affiliate-transfer",
        "supplier-transfer",
        "google-ads-conversion",
    } <= codes


@pytest.mark.django_db
def test_it_is_idempotent():
    call_command("load_register")
    counts = (ProcessingActivity.objects.count(), Recipient.objects.count(), DataCategory.objects.count())
    call_command("load_register")
    assert (ProcessingActivity.objects.count(), Recipient.objects.count(), DataCategory.objects.count()) == counts


@pytest.mark.django_db
def test_it_keeps_the_dpos_edits_to_other_fields_and_restores_policy_fields():
    call_command("load_register")
    activity = ProcessingActivity.objects.get(code="surveys")
    activity.next_review = activity.next_review.replace(year=2030)
    activity.save()
    call_command("load_register")
    activity.refresh_from_db()
    assert activity.next_review.year == 2030


@pytest.mark.django_db
def test_it_flags_google_ads_as_third_country_transfer(register):
    flagged = ProcessingActivity.objects.with_third_country()
    assert list(flagged.values_list("code", flat=True)) == ["google-ads-conversion"]
    google = Recipient.objects.get(name="Google LLC")
    assert google.is_third_country and google.transfer_basis == "dpf"


@pytest.mark.django_db
def test_health_data_activity_has_an_article_9_basis(register):
    activity = ProcessingActivity.objects.get(code="event-health-data")
    assert activity.special_category_basis == "9_2_a"
    assert activity.data_categories.filter(is_special=True).exists()


@pytest.mark.django_db
def test_one_competent_authority(register):
    assert SupervisoryAuthority.objects.filter(is_competent=True).count() == 1
