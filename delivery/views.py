"""Delivery on the storefront: what delivering a product to the buyer's address would cost."""

from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache

from catalog.models import Product

from .services import delivery_estimate


@method_decorator(never_cache, name="dispatch")
class DeliveryEstimateView(View):
    """The product page's "Delivery to your address" box, fetched by HTMX after the page loads:
    the page itself is cached for visitors and holds nothing personal, this answer does (the
    buyer's address), so it is never cached. Visitors get the line that checkout prices delivery."""

    def get(self, request, product_id):
        product = get_object_or_404(
            Product.objects.visible().only(
                "pk", "seller_id", "base_price", "sale_price", "weight", "is_digital", "requires_shipping"
            ),
            pk=product_id,
        )
        estimate = delivery_estimate(buyer=request.user, product=product) if request.user.is_authenticated else None
        return TemplateResponse(request, "delivery/partials/estimate.html", {"product": product, "estimate": estimate})
