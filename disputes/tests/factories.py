import factory
from factory.django import DjangoModelFactory

from disputes.enums import DisputeStatus, DisputeType, RefundMethod, ReturnCondition, ReturnStatus
from disputes.models import Dispute, DisputeMessage, ReturnItem, ReturnRequest
from orders.tests.factories import OrderFactory, order_first_item


class DisputeFactory(DjangoModelFactory):
    """An open dispute the buyer raised about a delivered order."""

    class Meta:
        model = Dispute

    order = factory.SubFactory(OrderFactory, delivered=True)
    opened_by = factory.SelfAttribute("order.buyer")
    type = DisputeType.PRODUCT_ISSUE
    reason = factory.Faker("sentence")
    status = DisputeStatus.OPEN


class DisputeMessageFactory(DjangoModelFactory):
    class Meta:
        model = DisputeMessage

    dispute = factory.SubFactory(DisputeFactory)
    user = factory.SelfAttribute("dispute.opened_by")
    content = factory.Faker("sentence")
    attachments = None


class ReturnRequestFactory(DjangoModelFactory):
    """The buyer returns the first item of a delivered order; ``refund_amount`` is that item's
    subtotal. ``items=False`` leaves the return without its item row."""

    class Meta:
        model = ReturnRequest
        skip_postgeneration_save = True

    order = factory.SubFactory(OrderFactory, delivered=True)
    buyer = factory.SelfAttribute("order.buyer")
    reason = factory.Faker("sentence")
    status = ReturnStatus.REQUESTED
    refund_amount = factory.LazyAttribute(lambda o: order_first_item(o.order).subtotal)
    refund_method = RefundMethod.ORIGINAL_PAYMENT

    @factory.post_generation
    def items(obj, create, extracted, **kwargs):
        if create and extracted is not False:
            item = order_first_item(obj.order)
            ReturnItemFactory(return_request=obj, order_item=item, quantity=item.quantity, **kwargs)


class ReturnItemFactory(DjangoModelFactory):
    """One returned line; the order item belongs to the return's order."""

    class Meta:
        model = ReturnItem

    return_request = factory.SubFactory(ReturnRequestFactory, items=False)
    order_item = factory.LazyAttribute(lambda o: order_first_item(o.return_request.order))
    quantity = 1
    reason = "Size does not fit"
    condition = ReturnCondition.UNOPENED
    images = None
