"""Helpers of the request tests: the intake form and the admin's workflow URLs."""

from html.parser import HTMLParser

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


class _Forms(HTMLParser):
    """Collects each <form>'s action and its named inputs and buttons."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append({"action": attrs.get("action", ""), "method": attrs.get("method", "get"), "fields": {}})
        elif tag in ("input", "button") and self.forms and attrs.get("name"):
            self.forms[-1]["fields"][attrs["name"]] = attrs.get("value", "")


def submit_button(client, page_url, button):
    """Finds the form with the button named `button` on the page and submits it as a browser would."""
    parser = _Forms()
    parser.feed(client.get(page_url).content.decode())
    form = next(f for f in parser.forms if button in f["fields"])
    assert form["method"].lower() == "post"
    return client.post(form["action"], form["fields"])


def search(client, url, query, **extra):
    """Sends the desk's search for a data subject (by POST, as its form does) on the page at `url`."""
    return client.post(url, {"search": "1", "q": query}, **extra)
