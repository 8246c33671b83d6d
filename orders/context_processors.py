from django.utils.functional import SimpleLazyObject


def cart(request):
    """``cart_count`` for the header: counted only when a template shows it (one query), and never
    for a visitor without a cart."""
    return {"cart_count": SimpleLazyObject(lambda: _cart_count(request))}


def _cart_count(request):
    from .models import CartItem
    from .services.cart import SESSION_KEY

    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        items = CartItem.objects.filter(cart__user=user)
    else:
        token = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
        if not token:
            return 0
        items = CartItem.objects.filter(cart__session_key=token, cart__user__isnull=True)
    return sum(items.values_list("quantity", flat=True))
