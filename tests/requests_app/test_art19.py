"""Art. 19 GDPR (requests_app.services.art19): the recipients to tell are the register's recipients of the person's
activities and the suppliers their orders actually went to, each once."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.services import Action, audit_record
from dpo_portal.models import Recipient
from requests_app.models import RecipientNotification, RequestType
from requests_app.services import erasure_item_fulfil, rectification_item_complete, restriction_item_apply
from requests_app.services.art19 import notifications_list, subject_activity_ids, subject_supplier_ids
from subjects.models import Order
from subjects.services import subject_update
from tests.factories import OrderFactory, request_with, subject_with_everything

pytestmark = pytest.mark.django_db


def _supplier(name: str) -> Recipient:
    return Recipient.objects.create(name=name, kind=Recipient.Kind.SUPPLIER, country="DE")


def _told(req, kind) -> list[str]:
    return list(RecipientNotification.objects.filter(request=req, kind=kind).values_list("recipient__name", flat=True))


@pytest.mark.parametrize("kind", [RequestType.ERASURE, RequestType.RESTRICTION])
def test_the_suppliers_of_the_person_s_orders_are_told_once(dpo_user, register, kind):
    subject = subject_with_everything()
    paper, ink = _supplier("Papierhaus Nord GmbH"), _supplier("Tinte & Co. KG")
    Order.objects.filter(subject=subject).update(supplier=paper)
    OrderFactory.create_batch(2, subject=subject, supplier=paper)
    OrderFactory(subject=subject, supplier=ink)
    OrderFactory(supplier=_supplier("Fremdlieferant AG"))  # someone else's order
    # A recipient the register names for one of the person's activities, that also received an order.
    OrderFactory(subject=subject, supplier=Recipient.objects.get(name="Zahlungsdienstleister"))
    req = request_with({"kind": kind, "restriction_ground": "accuracy"}, subject=subject)
    fulfil = erasure_item_fulfil if kind == RequestType.ERASURE else restriction_item_apply
    fulfil(item=req.items.get(), actor=dpo_user)
    told = _told(req, kind)
    assert told.count("Papierhaus Nord GmbH") == 1 and told.count("Tinte & Co. KG") == 1
    assert "Fremdlieferant AG" not in told
    assert told.count("Zahlungsdienstleister") == 1 and len(told) == len(set(told))
    assert len(told) > 2  # the register's recipients of the person's activities stay on the list


def test_a_corrected_order_is_told_to_its_supplier_only(dpo_user, register):
    subject = subject_with_everything()
    paper, ink = _supplier("Papierhaus Nord GmbH"), _supplier("Tinte & Co. KG")
    corrected = OrderFactory(subject=subject, supplier=paper)
    OrderFactory(subject=subject, supplier=ink)
    req = request_with({"kind": RequestType.RECTIFICATION, "details": "Falsche Menge"}, subject=subject)
    Order.objects.filter(pk=corrected.pk).update(description="Druckerpapier, 5 Pakete")
    audit_record(corrected, Action.CHANGE, fields=["description"])
    rectification_item_complete(item=req.items.get(), actor=dpo_user)
    told = _told(req, RequestType.RECTIFICATION)
    assert "Papierhaus Nord GmbH" in told and "Tinte & Co. KG" not in told
    # A corrected name went to every supplier.
    req = request_with({"kind": RequestType.RECTIFICATION, "details": "Name falsch"}, subject=subject)
    subject_update(subject=subject, last_name=subject.last_name + "-Meyer")
    rectification_item_complete(item=req.items.get(), actor=dpo_user)
    told = _told(req, RequestType.RECTIFICATION)
    assert "Papierhaus Nord GmbH" in told and "Tinte & Co. KG" in told


def test_a_corrected_address_is_told_to_every_supplier(dpo_user, register):
    from subjects.models import PostalAddress

    subject = subject_with_everything()
    paper, ink = _supplier("Papierhaus Nord GmbH"), _supplier("Tinte & Co. KG")
    OrderFactory(subject=subject, supplier=paper)
    OrderFactory(subject=subject, supplier=ink)
    address = PostalAddress.objects.filter(subject=subject).first()
    req = request_with({"kind": RequestType.RECTIFICATION, "details": "Ort falsch"}, subject=subject)
    PostalAddress.objects.filter(pk=address.pk).update(city="Lübeck")
    audit_record(address, Action.CHANGE, fields=["city"])
    rectification_item_complete(item=req.items.get(), actor=dpo_user)
    told = _told(req, RequestType.RECTIFICATION)
    assert "Papierhaus Nord GmbH" in told and "Tinte & Co. KG" in told


def test_listing_the_suppliers_takes_no_query_per_order(register):
    def queries(orders: int) -> int:
        subject = subject_with_everything()
        for number in range(orders):
            OrderFactory(subject=subject, supplier=_supplier(f"Lieferant {orders}-{number}"))
        req = request_with(RequestType.ERASURE, subject=subject)
        with CaptureQueriesContext(connection) as captured:
            notifications_list(
                request=req,
                kind=RequestType.ERASURE,
                activity_ids=subject_activity_ids(subject.pk),
                recipient_ids=subject_supplier_ids(subject.pk),
            )
        assert RecipientNotification.objects.filter(request=req, recipient__name__startswith="Lieferant ").count() == (
            orders
        )
        return len(captured)

    assert queries(1) == queries(8)
