from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from accounts.tests.factories import BuyerFactory, SellerFactory
from analytics.models import AnalyticsEvent, SellerStatistics


class AnalyticsEventFactory(DjangoModelFactory):
    """A product page view by a signed-in buyer."""

    class Meta:
        model = AnalyticsEvent

    user = factory.SubFactory(BuyerFactory)
    session_id = factory.Sequence(lambda n: f"session-{n:08d}")
    event_type = "page_view"
    event_name = "product_view"
    properties = factory.LazyFunction(lambda: {"product_id": 1})
    page_url = factory.Sequence(lambda n: f"/products/product-{n}/")
    referrer_url = "/"
    ip_address = "127.0.0.1"
    user_agent = "pytest"


class SellerStatisticsFactory(DjangoModelFactory):
    """Statistics of one seller (one row per seller); completed + cancelled <= total orders and the
    commission is 10% of the revenue."""

    class Meta:
        model = SellerStatistics

    seller = factory.SubFactory(SellerFactory)
    total_products = 12
    active_products = 10
    total_orders = 40
    completed_orders = 35
    cancelled_orders = 3
    total_revenue = Decimal("8750000.00")
    total_commission = factory.LazyAttribute(lambda o: (o.total_revenue / 10).quantize(Decimal("0.01")))
    average_rating = Decimal("4.60")
    total_reviews = 20
    response_rate = Decimal("95.00")
    response_time_hours = Decimal("2.50")
