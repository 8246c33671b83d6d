from django.db import models
from django.utils.translation import gettext_lazy as _


class ProductStatus(models.TextChoices):
    """PostgreSQL ENUM type ``product_status_enum``."""

    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Active")
    INACTIVE = "inactive", _("Inactive")
    OUT_OF_STOCK = "out_of_stock", _("Out of stock")
    DISCONTINUED = "discontinued", _("Discontinued")
