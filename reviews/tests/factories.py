import factory
from factory.django import DjangoModelFactory

from orders.tests.factories import OrderFactory, order_first_item
from reviews.models import Review, ReviewImage, ReviewResponse


class ReviewFactory(DjangoModelFactory):
    """A buyer's approved five-star review of a product from one of their delivered orders:
    order, product, seller and buyer always agree (the product is the order's first item)."""

    class Meta:
        model = Review

    order = factory.SubFactory(OrderFactory, delivered=True)
    product = factory.LazyAttribute(lambda o: order_first_item(o.order).product)
    seller = factory.SelfAttribute("order.seller")
    buyer = factory.SelfAttribute("order.buyer")
    rating = 5
    title = factory.Faker("sentence", nb_words=4)
    content = factory.Faker("paragraph")
    pros = "Tez yetkazib berildi"
    cons = None
    is_verified_purchase = True
    is_approved = True


class ReviewImageFactory(DjangoModelFactory):
    class Meta:
        model = ReviewImage

    review = factory.SubFactory(ReviewFactory)
    url = factory.Sequence(lambda n: f"/media/reviews/{n}.jpg")
    thumbnail_url = factory.Sequence(lambda n: f"/media/reviews/{n}_thumb.jpg")
    sort_order = 0


class ReviewResponseFactory(DjangoModelFactory):
    """The reviewed seller's answer (one per review)."""

    class Meta:
        model = ReviewResponse

    review = factory.SubFactory(ReviewFactory)
    seller = factory.SelfAttribute("review.seller")
    content = factory.Faker("sentence")
