from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _

from gogomarket.core.db import EnumField, Index

from .enums import OrderStatus, PaymentMethod, PaymentStatus, TrackingStatus


class Order(models.Model):
    order_number = models.CharField(max_length=50, verbose_name=_("order number"))
    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="orders_as_buyer",
        db_index=False,
        verbose_name=_("buyer"),
    )
    seller = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="orders_as_seller",
        db_index=False,
        verbose_name=_("seller"),
    )
    courier = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        related_name="orders_as_courier",
        db_index=False,
        null=True,
        blank=True,
        verbose_name=_("courier"),
    )
    status = EnumField(
        enum_type="order_status_enum",
        choices=OrderStatus.choices,
        default=OrderStatus.PENDING,
        db_default="pending",
        verbose_name=_("status"),
    )
    payment_status = EnumField(
        enum_type="payment_status_enum",
        choices=PaymentStatus.choices,
        default=PaymentStatus.PENDING,
        db_default="pending",
        verbose_name=_("payment status"),
    )
    payment_method = EnumField(
        enum_type="payment_method_enum", choices=PaymentMethod.choices, verbose_name=_("payment method")
    )
    subtotal = models.DecimalField(max_digits=12, decimal_places=2, verbose_name=_("subtotal"))
    discount_amount = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        default=Decimal("0"),
        db_default=Decimal("0"),
        verbose_name=_("discount amount"),
    )
    tax_amount = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        default=Decimal("0"),
        db_default=Decimal("0"),
        verbose_name=_("tax amount"),
    )
    shipping_cost = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        default=Decimal("0"),
        db_default=Decimal("0"),
        verbose_name=_("shipping cost"),
    )
    commission_amount = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        default=Decimal("0"),
        db_default=Decimal("0"),
        verbose_name=_("commission amount"),
    )
    total_amount = models.DecimalField(max_digits=12, decimal_places=2, verbose_name=_("total amount"))
    currency = models.CharField(max_length=3, default="UZS", db_default="UZS", verbose_name=_("currency"))
    promo_code = models.ForeignKey(
        "promotions.PromoCode",
        on_delete=models.SET_NULL,
        related_name="orders",
        null=True,
        blank=True,
        verbose_name=_("promo code"),
    )
    delivery_address = models.ForeignKey(
        "accounts.UserAddress", on_delete=models.PROTECT, related_name="orders", verbose_name=_("delivery address")
    )
    delivery_zone = models.ForeignKey(
        "delivery.DeliveryZone",
        on_delete=models.SET_NULL,
        related_name="orders",
        null=True,
        blank=True,
        verbose_name=_("delivery zone"),
    )
    estimated_delivery_date = models.DateField(null=True, blank=True, verbose_name=_("estimated delivery date"))
    actual_delivery_date = models.DateTimeField(null=True, blank=True, verbose_name=_("actual delivery date"))
    notes = models.TextField(null=True, blank=True, verbose_name=_("notes"))
    cancellation_reason = models.TextField(null=True, blank=True, verbose_name=_("cancellation reason"))
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        db_column="cancelled_by",
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("cancelled by"),
    )
    cancelled_at = models.DateTimeField(null=True, blank=True, verbose_name=_("cancelled at"))
    created_at = models.DateTimeField(db_default=Now(), editable=False, verbose_name=_("created at"))
    updated_at = models.DateTimeField(db_default=Now(), auto_now=True, editable=False, verbose_name=_("updated at"))
    deleted_at = models.DateTimeField(null=True, blank=True, verbose_name=_("deleted at"))

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        db_table = "orders"
        indexes = [
            Index(fields=["buyer"], name="idx_orders_buyer_id"),
            Index(fields=["seller"], name="idx_orders_seller_id"),
            Index(fields=["courier"], name="idx_orders_courier_id"),
            Index(fields=["status"], name="idx_orders_status"),
            Index(fields=["payment_status"], name="idx_orders_payment_status"),
            Index(fields=["-created_at"], name="idx_orders_created"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["order_number"], name="idx_orders_number"),
        ]

    def __str__(self):
        return self.order_number


class OrderItem(models.Model):
    order = models.ForeignKey(
        "Order", on_delete=models.CASCADE, related_name="items", db_index=False, verbose_name=_("order")
    )
    product = models.ForeignKey(
        "catalog.Product",
        on_delete=models.PROTECT,
        related_name="order_items",
        db_index=False,
        verbose_name=_("product"),
    )
    variant = models.ForeignKey(
        "catalog.ProductVariant",
        on_delete=models.SET_NULL,
        related_name="order_items",
        null=True,
        blank=True,
        verbose_name=_("variant"),
    )
    product_name = models.CharField(max_length=255, verbose_name=_("product name"))
    variant_name = models.CharField(max_length=255, null=True, blank=True, verbose_name=_("variant name"))
    sku = models.CharField(max_length=100, null=True, blank=True, verbose_name=_("SKU"))
    quantity = models.IntegerField(verbose_name=_("quantity"))
    unit_price = models.DecimalField(max_digits=12, decimal_places=2, verbose_name=_("unit price"))
    discount_amount = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        default=Decimal("0"),
        db_default=Decimal("0"),
        verbose_name=_("discount amount"),
    )
    tax_amount = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        default=Decimal("0"),
        db_default=Decimal("0"),
        verbose_name=_("tax amount"),
    )
    subtotal = models.DecimalField(max_digits=12, decimal_places=2, verbose_name=_("subtotal"))
    attributes = models.JSONField(null=True, blank=True, verbose_name=_("attributes"))
    created_at = models.DateTimeField(db_default=Now(), editable=False, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("order item")
        verbose_name_plural = _("order items")
        db_table = "order_items"
        indexes = [
            Index(fields=["order"], name="idx_order_items_order_id"),
            Index(fields=["product"], name="idx_order_items_product_id"),
        ]

    def __str__(self):
        return f"{self.quantity} x {self.product_name}"


class OrderStatusHistory(models.Model):
    order = models.ForeignKey(
        "Order", on_delete=models.CASCADE, related_name="status_history", db_index=False, verbose_name=_("order")
    )
    status = EnumField(enum_type="order_status_enum", choices=OrderStatus.choices, verbose_name=_("status"))
    # What a person wrote (a cancellation reason); what the platform says is ``kind`` + ``params``.
    notes = models.TextField(null=True, blank=True, verbose_name=_("notes"))
    # Beyond the spec: the platform's sentence, by kind (``gogomarket.core.texts``), shown in the
    # reader's language rather than stored in the language of whoever caused it.
    kind = models.CharField(max_length=60, null=True, blank=True, verbose_name=_("kind"))
    params = models.JSONField(null=True, blank=True, verbose_name=_("parameters"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        db_column="changed_by",
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("changed by"),
    )
    created_at = models.DateTimeField(db_default=Now(), editable=False, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("order status change")
        verbose_name_plural = _("order status history")
        db_table = "order_status_history"
        indexes = [
            Index(fields=["order"], name="idx_status_history_order_id"),
            Index(fields=["-created_at"], name="idx_status_history_created"),
        ]

    def __str__(self):
        return f"{self.order_id}: {self.status}"

    @property
    def text(self):
        """The platform's sentence of this step in the active language ("" for none)."""
        from gogomarket.core.texts import render

        return render(self.kind, self.params)


class OrderTracking(models.Model):
    order = models.ForeignKey(
        "Order", on_delete=models.CASCADE, related_name="tracking", db_index=False, verbose_name=_("order")
    )
    courier = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="tracking_entries",
        db_index=False,
        verbose_name=_("courier"),
    )
    status = EnumField(enum_type="tracking_status_enum", choices=TrackingStatus.choices, verbose_name=_("status"))
    latitude = models.DecimalField(max_digits=10, decimal_places=8, null=True, blank=True, verbose_name=_("latitude"))
    longitude = models.DecimalField(max_digits=11, decimal_places=8, null=True, blank=True, verbose_name=_("longitude"))
    notes = models.TextField(null=True, blank=True, verbose_name=_("notes"))
    created_at = models.DateTimeField(db_default=Now(), editable=False, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("tracking event")
        verbose_name_plural = _("order tracking")
        db_table = "order_tracking"
        indexes = [
            Index(fields=["order"], name="idx_tracking_order_id"),
            Index(fields=["courier"], name="idx_tracking_courier_id"),
            Index(fields=["-created_at"], name="idx_tracking_created"),
        ]

    def __str__(self):
        return f"{self.order_id}: {self.status}"


# --- Carts (tables beyond the spec) ------------------------------------------------------------
class Cart(models.Model):
    """A buyer's cart: one per signed-in user, or one per browser session before signing in
    (merged into the user's cart at sign-in)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="cart",
        null=True,
        blank=True,
        verbose_name=_("user"),
    )
    session_key = models.CharField(max_length=64, null=True, blank=True, unique=True, verbose_name=_("session key"))
    created_at = models.DateTimeField(db_default=Now(), editable=False, verbose_name=_("created at"))
    updated_at = models.DateTimeField(db_default=Now(), auto_now=True, editable=False, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("cart")
        verbose_name_plural = _("carts")
        db_table = "carts"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(user__isnull=False) | models.Q(session_key__isnull=False),
                name="carts_owner_check",
            ),
        ]
        indexes = [Index(fields=["updated_at"], name="idx_carts_updated")]

    def __str__(self):
        return f"cart {self.pk}"


class CartItem(models.Model):
    cart = models.ForeignKey(
        "Cart", on_delete=models.CASCADE, related_name="items", db_index=False, verbose_name=_("cart")
    )
    product = models.ForeignKey(
        "catalog.Product", on_delete=models.CASCADE, related_name="+", verbose_name=_("product")
    )
    variant = models.ForeignKey(
        "catalog.ProductVariant",
        on_delete=models.CASCADE,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("variant"),
    )
    quantity = models.IntegerField(verbose_name=_("quantity"))
    # The price when the item went into the cart, to tell the buyer when it changed since.
    unit_price = models.DecimalField(max_digits=12, decimal_places=2, verbose_name=_("unit price when added"))
    created_at = models.DateTimeField(db_default=Now(), editable=False, verbose_name=_("created at"))
    updated_at = models.DateTimeField(db_default=Now(), auto_now=True, editable=False, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("cart item")
        verbose_name_plural = _("cart items")
        db_table = "cart_items"
        constraints = [
            models.UniqueConstraint(
                fields=["cart", "product", "variant"], name="cart_items_cart_product_variant_key", nulls_distinct=False
            ),
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="cart_items_quantity_check"),
        ]

    def __str__(self):
        return f"{self.quantity} x {self.product_id}"
