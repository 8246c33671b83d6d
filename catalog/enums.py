from django.db import models
from django.utils.translation import gettext_lazy as _


class ProductStatus(models.TextChoices):
    """PostgreSQL ENUM type ``product_status_enum``."""

    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Active")
    INACTIVE = "inactive", _("Inactive")
    OUT_OF_STOCK = "out_of_stock", _("Out of stock")
    DISCONTINUED = "discontinued", _("Discontinued")


# Where a product stands for buyers. On the storefront: its page opens and a cart can hold it
# (a sold-out product keeps its page: links and bookmarks keep working, and the buyer reads
# "out of stock" instead of a 404). Listed: in lists and search too. ``Product.objects.visible()``
# and ``.listed()`` add the other conditions (not deleted, the seller active).
STOREFRONT_STATUSES = (ProductStatus.ACTIVE, ProductStatus.OUT_OF_STOCK)
LISTED_STATUSES = (ProductStatus.ACTIVE,)
