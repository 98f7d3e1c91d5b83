"""Helpers of the request tests: the intake form and the admin's workflow URLs."""

from django.urls import reverse


def intake(client, **data):
    """Posts the support intake form (phone, German, identity verified by call-back unless given)."""
    payload = {
        "channel": "phone",
        "language": "de",
        "requester_name": "Erika Mustermann",
        "requester_phone": "+49 4102 12345",
        "identity_method": "callback",
        "identity_result": "verified",
        **data,
    }
    return client.post(reverse("requests_app:intake"), payload, follow=True)


def item_url(item, step=None):
    return reverse("admin:requests_app_request_item", args=[item.request_id, item.pk, step or item.kind])


def step_url(req, step):
    return reverse("admin:requests_app_request_step", args=[req.pk, step])


def letter_url(req, kind="answer"):
    return reverse("admin:requests_app_request_letter", args=[req.pk, kind])
