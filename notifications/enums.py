from django.db import models
from django.utils.translation import gettext_lazy as _


class NotificationType(models.TextChoices):
    """PostgreSQL ENUM type ``notification_type_enum``."""

    ORDER = "order", _("Order")
    MESSAGE = "message", _("Message")
    REVIEW = "review", _("Review")
    PROMOTION = "promotion", _("Promotion")
    SYSTEM = "system", _("System")
    PAYMENT = "payment", _("Payment")
