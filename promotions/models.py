from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _

from gogomarket.core.db import EnumField, Index

from .enums import PromoApplicable, PromoType


class PromoCode(models.Model):
    code = models.CharField(max_length=50, verbose_name=_("code"))
    name = models.CharField(max_length=200, verbose_name=_("name"))
    description = models.TextField(null=True, blank=True, verbose_name=_("description"))
    type = EnumField(enum_type="promo_type_enum", choices=PromoType.choices, verbose_name=_("type"))
    value = models.DecimalField(max_digits=12, decimal_places=2, verbose_name=_("value"))
    min_order_amount = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        default=Decimal("0"),
        db_default=Decimal("0"),
        verbose_name=_("min order amount"),
    )
    max_discount_amount = models.DecimalField(
        max_digits=12, decimal_places=2, null=True, blank=True, verbose_name=_("max discount amount")
    )
    usage_limit = models.IntegerField(null=True, blank=True, verbose_name=_("usage limit"))
    usage_count = models.IntegerField(null=True, blank=True, default=0, db_default=0, verbose_name=_("usage count"))
    usage_limit_per_user = models.IntegerField(
        null=True, blank=True, default=1, db_default=1, verbose_name=_("usage limit per user")
    )
    applicable_to = EnumField(
        enum_type="promo_applicable_enum", choices=PromoApplicable.choices, verbose_name=_("applicable to")
    )
    applicable_ids = models.JSONField(null=True, blank=True, verbose_name=_("applicable IDs"))
    starts_at = models.DateTimeField(verbose_name=_("starts at"))
    expires_at = models.DateTimeField(verbose_name=_("expires at"))
    is_active = models.BooleanField(null=True, blank=True, default=True, db_default=True, verbose_name=_("is active"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        db_column="created_by",
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(db_default=Now(), editable=False, verbose_name=_("created at"))
    updated_at = models.DateTimeField(db_default=Now(), auto_now=True, editable=False, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("promo code")
        verbose_name_plural = _("promo codes")
        db_table = "promo_codes"
        indexes = [
            Index(fields=["is_active", "starts_at", "expires_at"], name="idx_promo_codes_active"),
            Index(fields=["type"], name="idx_promo_codes_type"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["code"], name="idx_promo_codes_code"),
        ]

    def __str__(self):
        return self.code


class PromoCodeUsage(models.Model):
    promo_code = models.ForeignKey(
        "PromoCode", on_delete=models.PROTECT, related_name="usages", db_index=False, verbose_name=_("promo code")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="promo_code_usages",
        db_index=False,
        verbose_name=_("user"),
    )
    order = models.ForeignKey(
        "orders.Order",
        on_delete=models.PROTECT,
        related_name="promo_code_usages",
        db_index=False,
        verbose_name=_("order"),
    )
    discount_amount = models.DecimalField(max_digits=12, decimal_places=2, verbose_name=_("discount amount"))
    created_at = models.DateTimeField(db_default=Now(), editable=False, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("promo code use")
        verbose_name_plural = _("promo code uses")
        db_table = "promo_code_usage"
        indexes = [
            Index(fields=["promo_code"], name="idx_promo_usage_code_id"),
            Index(fields=["user"], name="idx_promo_usage_user_id"),
            Index(fields=["order"], name="idx_promo_usage_order_id"),
        ]

    def __str__(self):
        return f"{self.promo_code_id} used on order {self.order_id}"


class FlashSale(models.Model):
    name = models.CharField(max_length=200, verbose_name=_("name"))
    description = models.TextField(null=True, blank=True, verbose_name=_("description"))
    discount_percentage = models.DecimalField(max_digits=5, decimal_places=2, verbose_name=_("discount percentage"))
    starts_at = models.DateTimeField(verbose_name=_("starts at"))
    ends_at = models.DateTimeField(verbose_name=_("ends at"))
    is_active = models.BooleanField(null=True, blank=True, default=True, db_default=True, verbose_name=_("is active"))
    created_at = models.DateTimeField(db_default=Now(), editable=False, verbose_name=_("created at"))
    updated_at = models.DateTimeField(db_default=Now(), auto_now=True, editable=False, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("flash sale")
        verbose_name_plural = _("flash sales")
        db_table = "flash_sales"
        indexes = [
            Index(fields=["is_active", "starts_at", "ends_at"], name="idx_flash_sales_active"),
        ]

    def __str__(self):
        return self.name


class FlashSaleProduct(models.Model):
    flash_sale = models.ForeignKey(
        "FlashSale", on_delete=models.CASCADE, related_name="items", db_index=False, verbose_name=_("flash sale")
    )
    product = models.ForeignKey(
        "catalog.Product",
        on_delete=models.PROTECT,
        related_name="flash_sale_entries",
        db_index=False,
        verbose_name=_("product"),
    )
    original_price = models.DecimalField(max_digits=12, decimal_places=2, verbose_name=_("original price"))
    sale_price = models.DecimalField(max_digits=12, decimal_places=2, verbose_name=_("sale price"))
    stock_limit = models.IntegerField(null=True, blank=True, verbose_name=_("stock limit"))
    sold_count = models.IntegerField(null=True, blank=True, default=0, db_default=0, verbose_name=_("sold count"))
    created_at = models.DateTimeField(db_default=Now(), editable=False, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("flash sale product")
        verbose_name_plural = _("flash sale products")
        db_table = "flash_sale_products"
        indexes = [
            Index(fields=["flash_sale"], name="idx_flash_sale_products_sale_id"),
            Index(fields=["product"], name="idx_flash_sale_products_product_id"),
        ]

    def __str__(self):
        return f"product {self.product_id} in flash sale {self.flash_sale_id}"
