from datetime import timedelta

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from accounts.tests.factories import BuyerFactory, SellerFactory
from social.enums import StoryType
from social.models import Reel, ReelComment, ReelLike, Story, StoryView, Subscription


class StoryFactory(DjangoModelFactory):
    """A seller's image story, live for 24 hours."""

    class Meta:
        model = Story

    user = factory.SubFactory(SellerFactory)
    type = StoryType.IMAGE
    media_url = factory.Sequence(lambda n: f"/media/stories/{n}.jpg")
    thumbnail_url = factory.Sequence(lambda n: f"/media/stories/{n}_thumb.jpg")
    duration = 5
    caption = factory.Faker("sentence")
    is_active = True
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(hours=24))


class StoryViewFactory(DjangoModelFactory):
    class Meta:
        model = StoryView

    story = factory.SubFactory(StoryFactory)
    viewer = factory.SubFactory(BuyerFactory)


class ReelFactory(DjangoModelFactory):
    class Meta:
        model = Reel

    user = factory.SubFactory(SellerFactory)
    video_url = factory.Sequence(lambda n: f"/media/reels/{n}.mp4")
    thumbnail_url = factory.Sequence(lambda n: f"/media/reels/{n}.jpg")
    title = factory.Sequence(lambda n: f"Reel {n}")
    description = factory.Faker("sentence")
    duration = 30
    is_active = True


class ReelLikeFactory(DjangoModelFactory):
    class Meta:
        model = ReelLike

    reel = factory.SubFactory(ReelFactory)
    user = factory.SubFactory(BuyerFactory)


class ReelCommentFactory(DjangoModelFactory):
    """A comment on a reel; with ``parent=`` a reply, on the parent's reel."""

    class Meta:
        model = ReelComment

    parent = None
    reel = factory.Maybe(
        "parent",
        yes_declaration=factory.SelfAttribute("parent.reel"),
        no_declaration=factory.SubFactory(ReelFactory),
    )
    user = factory.SubFactory(BuyerFactory)
    content = factory.Faker("sentence")


class SubscriptionFactory(DjangoModelFactory):
    """A buyer following a seller (two different accounts)."""

    class Meta:
        model = Subscription

    subscriber = factory.SubFactory(BuyerFactory)
    subscribed_to = factory.SubFactory(SellerFactory)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        if kwargs["subscriber"] == kwargs["subscribed_to"]:
            raise ValueError("a user cannot subscribe to themselves")
        return super()._create(model_class, *args, **kwargs)
