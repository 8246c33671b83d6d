"""Shapes of the cart, checkout and orders API."""

from rest_framework import serializers

from orders.models import Order, OrderItem, OrderStatusHistory, OrderTracking

MONEY = {"max_digits": 12, "decimal_places": 2}


class CartLineSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="item.pk")
    product = serializers.IntegerField(source="product.pk")
    product_name = serializers.CharField(source="product.name")
    product_slug = serializers.CharField(source="product.slug")
    variant = serializers.IntegerField(source="variant.pk", allow_null=True, default=None)
    variant_name = serializers.CharField(source="variant.name", allow_null=True, default=None)
    quantity = serializers.IntegerField(source="item.quantity")
    price = serializers.DecimalField(**MONEY, help_text="Unit price now.")
    added_price = serializers.DecimalField(**MONEY, help_text="Unit price when the line was added.")
    price_changed = serializers.BooleanField()
    total = serializers.DecimalField(**MONEY)
    available = serializers.IntegerField(allow_null=True, help_text="Units in stock; null when unlimited.")
    problem = serializers.CharField(allow_null=True)


class CartGroupSerializer(serializers.Serializer):
    seller_id = serializers.IntegerField(source="seller.pk")
    seller_name = serializers.SerializerMethodField()
    subtotal = serializers.DecimalField(**MONEY)
    lines = CartLineSerializer(many=True)

    def get_seller_name(self, group) -> str:
        return group.seller.get_full_name() or f"#{group.seller.pk}"


class CartSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    subtotal = serializers.DecimalField(**MONEY)
    problems = serializers.ListField(child=serializers.CharField())
    groups = CartGroupSerializer(many=True, help_text="One group per seller: each becomes one order.")


class CartAddInputSerializer(serializers.Serializer):
    product = serializers.IntegerField()
    variant = serializers.IntegerField(required=False, allow_null=True)
    quantity = serializers.IntegerField(required=False, default=1, min_value=1)


class CartQuantityInputSerializer(serializers.Serializer):
    quantity = serializers.IntegerField(min_value=0, help_text="0 removes the line.")


class CheckoutInputSerializer(serializers.Serializer):
    address = serializers.IntegerField(help_text="One of the caller's addresses.")
    payment_method = serializers.CharField()
    tariffs = serializers.DictField(
        child=serializers.IntegerField(),
        required=False,
        help_text="seller id -> delivery tariff id (default: cheapest).",
    )
    notes = serializers.CharField(required=False, allow_blank=True, max_length=2000)

    def validate_tariffs(self, value):
        # Keys are seller ids: a key that is not one would be ignored silently by checkout.
        if any(not (str(key).isascii() and str(key).isdigit()) for key in value):
            raise serializers.ValidationError("Keys are seller ids.")
        return value


class QuoteSerializer(serializers.Serializer):
    tariff_id = serializers.IntegerField(source="tariff.pk")
    tariff_name = serializers.CharField(source="tariff.name")
    cost = serializers.DecimalField(**MONEY)
    is_free = serializers.BooleanField()
    distance_km = serializers.DecimalField(max_digits=8, decimal_places=2)
    estimated_date = serializers.DateField(allow_null=True)


class SellerPlanSerializer(serializers.Serializer):
    seller_id = serializers.IntegerField(source="seller.pk")
    subtotal = serializers.DecimalField(**MONEY)
    shipping = serializers.DecimalField(**MONEY)
    total = serializers.DecimalField(**MONEY)
    delivery = QuoteSerializer(source="quote", allow_null=True)
    options = QuoteSerializer(source="offered", many=True)
    problem = serializers.CharField(allow_null=True)


class CheckoutPlanSerializer(serializers.Serializer):
    zone = serializers.CharField(source="zone.name", allow_null=True, default=None)
    subtotal = serializers.DecimalField(**MONEY)
    shipping = serializers.DecimalField(**MONEY)
    total = serializers.DecimalField(**MONEY)
    ok = serializers.BooleanField()
    problems = serializers.ListField(child=serializers.CharField())
    sellers = SellerPlanSerializer(many=True)


class OrderItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = OrderItem
        fields = ("id", "product", "variant", "product_name", "variant_name", "sku", "quantity", "unit_price",
                  "discount_amount", "tax_amount", "subtotal", "attributes")  # fmt: skip


class HistorySerializer(serializers.ModelSerializer):
    text = serializers.CharField(
        read_only=True, help_text="What the platform says about this step, in the language of the request."
    )
    notes = serializers.CharField(read_only=True, allow_null=True, help_text="What a person wrote (a reason).")

    class Meta:
        model = OrderStatusHistory
        fields = ("status", "kind", "text", "notes", "changed_by", "created_at")


class TrackingSerializer(serializers.ModelSerializer):
    class Meta:
        model = OrderTracking
        fields = ("status", "courier", "latitude", "longitude", "notes", "created_at")


class OrderSerializer(serializers.ModelSerializer):
    items = OrderItemSerializer(many=True)
    role = serializers.SerializerMethodField(help_text="The caller's part: buyer, seller or courier.")
    next_steps = serializers.SerializerMethodField()

    class Meta:
        model = Order
        fields = ("id", "order_number", "role", "status", "payment_status", "payment_method", "buyer", "seller",
                  "courier", "subtotal", "discount_amount", "tax_amount", "shipping_cost", "total_amount", "currency",
                  "delivery_address", "delivery_zone", "estimated_delivery_date", "actual_delivery_date", "notes",
                  "cancellation_reason", "cancelled_at", "created_at", "updated_at", "items", "next_steps")  # fmt: skip

    def _user(self):
        return self.context["request"].user

    def get_role(self, order) -> str:
        user = self._user()
        if order.buyer_id == user.pk:
            return "buyer"
        if order.seller_id == user.pk:
            return "seller"
        return "courier"

    def get_next_steps(self, order) -> list[dict]:
        from orders.services import next_steps

        return [
            {"action": name, "label": str(step.label), "needs_note": step.needs_note}
            for name, step in next_steps(order, self._user())
        ]


class OrderPageSerializer(serializers.Serializer):
    """A page of ``GET /orders/``: 20 orders, newest first."""

    count = serializers.IntegerField(help_text="Orders in all pages.")
    page = serializers.IntegerField()
    pages = serializers.IntegerField()
    results = OrderSerializer(many=True)


class OrderDetailSerializer(OrderSerializer):
    history = HistorySerializer(many=True, source="status_history")
    tracking = TrackingSerializer(many=True)
    delivery_address_text = serializers.CharField(source="delivery_address.one_line")

    class Meta(OrderSerializer.Meta):
        fields = OrderSerializer.Meta.fields + ("history", "tracking", "delivery_address_text")


class TransitionInputSerializer(serializers.Serializer):
    action = serializers.CharField(help_text="A step from the order's next_steps.")
    note = serializers.CharField(required=False, allow_blank=True, max_length=1000)
    latitude = serializers.DecimalField(max_digits=10, decimal_places=8, required=False, allow_null=True)
    longitude = serializers.DecimalField(max_digits=11, decimal_places=8, required=False, allow_null=True)
