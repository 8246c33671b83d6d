import factory
from factory.django import DjangoModelFactory

from accounts.tests.factories import BuyerFactory
from notifications.enums import NotificationType
from notifications.models import Notification, NotificationSetting


class NotificationFactory(DjangoModelFactory):
    """An unread system notification."""

    class Meta:
        model = Notification

    user = factory.SubFactory(BuyerFactory)
    type = NotificationType.SYSTEM
    title = factory.Sequence(lambda n: f"Notification {n}")
    content = factory.Faker("sentence")
    data = factory.LazyFunction(dict)
    reference_type = None
    reference_id = None
    is_read = False
    read_at = None


class NotificationSettingFactory(DjangoModelFactory):
    """A user's notification preferences (one row per user), with the defaults of the schema."""

    class Meta:
        model = NotificationSetting

    user = factory.SubFactory(BuyerFactory)
    email_enabled = True
    push_enabled = True
    sms_enabled = False
    order_updates = True
    promotions = True
    messages = True
    reviews = True
