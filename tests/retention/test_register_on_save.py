"""A record created or changed by hand in the admin is registered at once: its first deletable day, and the
forecast, follow an edited date the same minute instead of after the night's registration."""

import datetime

import pytest
from django.urls import reverse

from retention.selectors import forecast
from retention.sweep import sweep_run
from subjects.models import EmailAddress, Order
from tests import factories as f

pytestmark = pytest.mark.usefixtures("register")
D = datetime.date


def _form_data(client, url, **changes) -> dict:
    page = client.get(url)
    form = page.context["adminform"].form
    data = {k: ("" if v is None else v) for k, v in form.initial.items() if k in form.fields}
    for fs in page.context["inline_admin_formsets"]:
        data.update({f"{fs.formset.prefix}-TOTAL_FORMS": 0, f"{fs.formset.prefix}-INITIAL_FORMS": 0})
    data.update(changes)
    return data


def _due(code: str) -> int:
    return next(row["due"] for row in forecast() if row["rule"].code == code)


def test_an_end_of_contract_entered_in_the_admin_counts_at_once(dpo_client, today):
    subscription = f.OrderFactory(
        kind=Order.Kind.SUBSCRIPTION, ordered_on=D(2016, 1, 4), collected_on=D(2016, 1, 4), contract_end=None
    )
    email = f.EmailAddressFactory(subject=subscription.subject, collected_on=D(2016, 1, 4))
    sweep_run(dry_run=True)  # registers both: a running subscription, its person's address never due
    assert Order.objects.get().deletable_from is None and EmailAddress.objects.get().deletable_from is None
    due_orders, due_contacts = _due("order-booking-voucher"), _due("contact-limitation")

    url = reverse("admin:subjects_order_change", args=[subscription.pk])
    assert dpo_client.post(url, _form_data(dpo_client, url, contract_end="2017-06-30")).status_code == 302

    # 8 years (booking voucher) and 3 years (limitation) from the end of 2017, without waiting for the night.
    assert Order.objects.get().deletable_from == D(2026, 1, 1)
    assert EmailAddress.objects.get(pk=email.pk).deletable_from == D(2021, 1, 1)
    assert (_due("order-booking-voucher"), _due("contact-limitation")) == (due_orders + 1, due_contacts + 1)


def test_an_address_added_on_the_person_s_page_is_registered_at_once(dpo_client, today):
    subject = f.DataSubjectFactory()
    url = reverse("admin:subjects_datasubject_change", args=[subject.pk])
    data = _form_data(dpo_client, url, country="DE")
    data.update(
        {
            "emailaddress_set-TOTAL_FORMS": 1,
            "emailaddress_set-0-email": "neu@example.org",
            "emailaddress_set-0-collected_on": "2022-05-02",
        }
    )
    assert dpo_client.post(url, data).status_code == 302
    email = EmailAddress.objects.get()
    assert email.retention_computed_at is not None
    assert (email.retention_start, email.deletable_from) == (D(2022, 5, 2), D(2026, 1, 1))
