from .services.cart import SESSION_KEY, cart_for_request


class CartMergeMiddleware:
    """A visitor's cart joins their own as soon as they are signed in: on the first request after
    sign-in, before any page counts the cart. Costs nothing without a visitor cart in the session."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        if session is not None and session.get(SESSION_KEY) and request.user.is_authenticated:
            cart_for_request(request)
        return self.get_response(request)
