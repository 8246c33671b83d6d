from django.db import models
from django.utils.translation import gettext_lazy as _


class PromoType(models.TextChoices):
    """PostgreSQL ENUM type ``promo_type_enum``."""

    PERCENTAGE = "percentage", _("Percentage")
    FIXED_AMOUNT = "fixed_amount", _("Fixed amount")
    FREE_SHIPPING = "free_shipping", _("Free shipping")


class PromoApplicable(models.TextChoices):
    """PostgreSQL ENUM type ``promo_applicable_enum``."""

    ALL = "all", _("All")
    CATEGORY = "category", _("Category")
    PRODUCT = "product", _("Product")
    SELLER = "seller", _("Seller")
