"""The cart, checkout and orders API for the mobile apps. Everything is the caller's own: their
cart, their orders as buyer, seller or courier; another person's order is a 404. Refusals are
4xx with a message (``{field: [messages]}``)."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.enums import UserRole
from gogomarket.core.api.schema import INVALID, ValidationErrorSerializer, error
from gogomarket.core.api.validation import validated
from orders import selectors, services
from orders.enums import OrderStatus
from orders.models import CartItem, Order
from orders.services.checkout import buyer_address

from .serializers import (
    CartAddInputSerializer,
    CartQuantityInputSerializer,
    CartSerializer,
    CheckoutInputSerializer,
    CheckoutPlanSerializer,
    OrderDetailSerializer,
    OrderPageSerializer,
    OrderSerializer,
    TransitionInputSerializer,
)

CONFLICT = error(
    '`{"idempotency_key": [message]}`: the key was used before for a different request.', ValidationErrorSerializer
)
IDEMPOTENCY_HEADER = OpenApiParameter(
    "Idempotency-Key",
    str,
    location=OpenApiParameter.HEADER,
    required=False,
    description="Repeat a request with the same key to get its first answer; the orders are placed once.",
)


def _cart_answer(cart, code=status.HTTP_200_OK):
    return Response(CartSerializer(services.cart_view(cart)).data, status=code)


class CartAPIView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(tags=["cart"], summary="My cart", responses={200: CartSerializer})
    def get(self, request):
        return _cart_answer(services.cart_for_user(request.user, create=False))

    @extend_schema(
        tags=["cart"],
        summary="Put a product in the cart",
        request=CartAddInputSerializer,
        responses={201: CartSerializer, 400: INVALID},
    )
    def post(self, request):
        data = validated(CartAddInputSerializer, request.data)
        # A refused add leaves no new empty cart behind.
        with transaction.atomic():
            cart = services.cart_for_user(request.user)
            services.cart_add(
                cart=cart, product_id=data["product"], variant_id=data.get("variant"), quantity=data["quantity"]
            )
        return _cart_answer(cart, status.HTTP_201_CREATED)

    @extend_schema(tags=["cart"], summary="Empty the cart", responses={204: None})
    def delete(self, request):
        cart = services.cart_for_user(request.user, create=False)
        if cart is not None:
            services.cart_clear(cart=cart)
        return Response(status=status.HTTP_204_NO_CONTENT)


class CartItemAPIView(APIView):
    permission_classes = [IsAuthenticated]

    def _cart(self, request):
        cart = services.cart_for_user(request.user, create=False)
        if cart is None:
            raise exceptions.NotFound()
        return cart

    @extend_schema(
        tags=["cart"],
        summary="Change a line's quantity",
        request=CartQuantityInputSerializer,
        responses={200: CartSerializer, 400: INVALID},
    )
    def patch(self, request, item_id):
        cart = self._cart(request)
        data = validated(CartQuantityInputSerializer, request.data)
        try:
            services.cart_item_set_quantity(cart=cart, item_id=item_id, quantity=data["quantity"])
        except CartItem.DoesNotExist:
            raise exceptions.NotFound() from None
        return _cart_answer(cart)

    @extend_schema(tags=["cart"], summary="Remove a line", responses={200: CartSerializer})
    def delete(self, request, item_id):
        cart = self._cart(request)
        try:
            services.cart_item_remove(cart=cart, item_id=item_id)
        except CartItem.DoesNotExist:
            raise exceptions.NotFound() from None
        return _cart_answer(cart)


class CheckoutAPIView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=["checkout"],
        summary="What checkout would place",
        description="Orders per seller, delivery options and costs for an address; writes nothing.",
        parameters=[OpenApiParameter("address", int, required=True)],
        responses={200: CheckoutPlanSerializer, 400: INVALID},
    )
    def get(self, request):
        address = buyer_address(request.user, request.query_params.get("address"))
        cart = services.cart_for_user(request.user, create=False)
        plan = services.checkout_plan(buyer=request.user, cart=cart, address=address)
        return Response(CheckoutPlanSerializer(plan).data)

    @extend_schema(
        tags=["checkout"],
        summary="Place the cart",
        description=(
            "One order per seller, all or none. With `Idempotency-Key`, a repeated request returns the "
            "orders of the first one (200) instead of placing new ones (201); the same key with another "
            "body is refused (409)."
        ),
        parameters=[IDEMPOTENCY_HEADER],
        request=CheckoutInputSerializer,
        responses={201: OrderSerializer(many=True), 200: OrderSerializer(many=True), 400: INVALID, 409: CONFLICT},
    )
    def post(self, request):
        data = validated(CheckoutInputSerializer, request.data)
        from gogomarket.core.services import IdempotencyConflict

        try:
            orders, replayed, redirect_url = services.checkout_place(
                buyer=request.user,
                address_id=data["address"],
                payment_method=data["payment_method"],
                tariffs=data.get("tariffs") or {},
                notes=data.get("notes", ""),
                idempotency_key=request.headers.get("Idempotency-Key", ""),
                request=request._request,
            )
        except IdempotencyConflict as conflict:
            return Response(conflict.message_dict, status=status.HTTP_409_CONFLICT)
        body = OrderSerializer(selectors.with_items(selectors.orders_visible_to(request.user)).filter(
            pk__in=[o.pk for o in orders]).order_by("pk"), many=True, context={"request": request}).data  # fmt: skip
        response = Response(body, status=status.HTTP_200_OK if replayed else status.HTTP_201_CREATED)
        if redirect_url:
            response["Location"] = redirect_url
        return response


FLAGS = {"true": True, "1": True, "false": False, "0": False, "": False}

ORDER_LIST_PARAMETERS = [
    OpenApiParameter("role", str, enum=["buyer", "seller", "courier"], description="Only orders where I am this."),
    OpenApiParameter("status", str, enum=list(OrderStatus.values)),
    OpenApiParameter("claimable", bool, description="Couriers: ready orders of my zone nobody has taken."),
    OpenApiParameter("page", int),
]


class OrderListAPIView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="orders_list",
        tags=["orders"],
        summary="My orders",
        description="As buyer, seller or courier; newest first, 20 per page.",
        parameters=ORDER_LIST_PARAMETERS,
        responses={200: OrderPageSerializer, 400: INVALID},
    )
    def get(self, request):
        user, params = request.user, request.query_params
        role = params.get("role") or ""
        if role not in ("", "buyer", "seller", "courier"):
            raise exceptions.ValidationError({"role": ["buyer, seller or courier."]})
        status_ = params.get("status") or ""
        if status_ and status_ not in OrderStatus.values:
            raise exceptions.ValidationError({"status": ["Not a status."]})
        claimable = FLAGS.get((params.get("claimable") or "").lower())
        if claimable is None:
            raise exceptions.ValidationError({"claimable": ["true or false."]})
        if claimable:
            # Only couriers take orders: anyone else living in a zone must not get its ready
            # orders (other people's addresses and phones).
            if user.role == UserRole.COURIER:
                queryset = selectors.orders_claimable_by(courier=user)
            else:
                queryset = Order.objects.none()
        else:
            queryset = selectors.with_items(selectors.orders_visible_to(user))
            if role == "buyer":
                queryset = queryset.filter(buyer=user)
            elif role == "seller":
                queryset = queryset.filter(seller=user)
            elif role == "courier":
                queryset = queryset.filter(courier=user)
            queryset = queryset.order_by("-created_at", "-pk")
        if status_:
            queryset = queryset.filter(status=status_)
        page = Paginator(queryset, 20).get_page(params.get("page"))
        return Response(
            {
                "count": page.paginator.count,
                "page": page.number,
                "pages": page.paginator.num_pages,
                "results": OrderSerializer(page.object_list, many=True, context={"request": request}).data,
            }
        )


class OrderDetailAPIView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(tags=["orders"], summary="One of my orders", responses={200: OrderDetailSerializer})
    def get(self, request, order_id):
        order = _order_or_404(request.user, order_id)
        return Response(OrderDetailSerializer(order, context={"request": request}).data)


def _order_or_404(user, order_id):
    from django.http import Http404

    try:
        order = selectors.order_for_user_or_404(user=user, order_id=order_id)
    except Http404:
        raise exceptions.NotFound() from None
    # The API shows the caller's own orders only (as buyer, seller or courier); staff see every
    # order in the back office, not here.
    if user.is_staff and not selectors.orders_visible_to(user).filter(pk=order.pk).exists():
        raise exceptions.NotFound()
    return order


class OrderTransitionAPIView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=["orders"],
        summary="Take the next step",
        description=(
            "`action` is one of the order's `next_steps` (confirm, reject, cancel, process, ready, claim, "
            "pick_up, start_delivery, deliver, fail_attempt). Couriers may send their position."
        ),
        request=TransitionInputSerializer,
        responses={200: OrderDetailSerializer, 400: INVALID},
    )
    def post(self, request, order_id):
        order = _order_or_404(request.user, order_id)
        data = validated(TransitionInputSerializer, request.data)
        try:
            services.order_transition(
                order=order,
                action=data["action"],
                actor=request.user,
                note=data.get("note", ""),
                latitude=data.get("latitude"),
                longitude=data.get("longitude"),
                request=request._request,
            )
        except DjangoPermissionDenied:
            raise exceptions.NotFound() from None
        order = _order_or_404(request.user, order_id)
        return Response(OrderDetailSerializer(order, context={"request": request}).data)
