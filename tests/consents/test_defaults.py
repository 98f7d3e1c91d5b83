from django.core.management import call_command

from consents.models import ConsentPurpose, ConsentText


def test_it_loads_a_purpose_per_consent_or_opt_out_processing(db):
    call_command("load_register")
    purposes = {p.code: p for p in ConsentPurpose.objects.select_related("activity")}
    assert set(purposes) == {
        "product-news",
        "marketing-communication",
        "event-health-data",
        "event-participant-sharing",
        "affiliate-transfer",
        "google-ads-conversion",
        "existing-customer-marketing",
        "feedback-requests",
        "surveys",
    }
    for code, purpose in purposes.items():
        assert purpose.activity.code == code
    assert purposes["event-health-data"].basis == ConsentPurpose.Basis.EXPLICIT_CONSENT
    assert purposes["surveys"].basis == ConsentPurpose.Basis.OPT_OUT
    assert purposes["product-news"].double_opt_in
    assert "30 Tagen" in purposes["google-ads-conversion"].texts.get(version=1).text_de
    assert "30 days" in purposes["google-ads-conversion"].texts.get(version=1).text_en
    assert not purposes["surveys"].texts.exists()


def test_it_is_idempotent_and_never_rewrites_a_published_text(db):
    call_command("load_register")
    text = ConsentText.objects.get(purpose__code="product-news", version=1)
    text.text_de = "geändert"
    text.save()
    call_command("load_register")
    assert ConsentPurpose.objects.count() == 9
    assert ConsentText.objects.count() == 6
    text.refresh_from_db()
    assert text.text_de == "geändert"


def test_loading_again_keeps_the_dpos_purpose_and_reset_restores_it(db):
    call_command("load_register")
    ConsentPurpose.objects.filter(code="surveys").update(channels=["email", "post"])
    call_command("load_register")
    assert ConsentPurpose.objects.get(code="surveys").channels == ["email", "post"]
    call_command("load_register", "--reset")
    assert ConsentPurpose.objects.get(code="surveys").channels == ["email"]
