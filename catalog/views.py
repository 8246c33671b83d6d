"""Storefront pages: home, categories, search, product pages and seller storefronts.

Each view parses the query string, asks a selector and renders. Pages for visitors who are not
signed in come from Redis when nothing they show has changed (``catalog.cache``); HTMX requests
for a list get just the results part.
"""

from django.conf import settings
from django.http import Http404, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views import View

from gogomarket.core.ratelimit import anonymous_rate_limit

from . import cache as catalog_cache
from . import pricing, selectors, services
from . import search as catalog_search
from . import stock as stock_rules
from .forms import ListingFilterForm

SEARCH_SORTS = catalog_search.SORTS


def cached_page(request, scopes, render, ttl=None):
    """``render(extra_context)`` -> TemplateResponse; served from the anonymous page cache when
    allowed (one Redis round trip for a hit). The cached HTML holds a placeholder instead of the
    visitor's CSRF token."""
    if not catalog_cache.page_cacheable(request):
        return render({})
    key, gens, html = catalog_cache.page_lookup(request, scopes)
    if html is not None:
        response = HttpResponse(html)
        response["X-Page-Cache"] = "hit"
        return response
    response = render({"csrf_token": catalog_cache.CSRF_PLACEHOLDER})
    response.render()
    if response.status_code == 200 and not getattr(response, "page_cache_skip", False):
        html = response.content.decode()
        catalog_cache.page_store(key, gens, html, ttl)
        response.content = catalog_cache.page_fill(request, html)
    response["X-Page-Cache"] = "miss"
    return response


class HomeView(View):
    def get(self, request):
        def render(extra):
            return TemplateResponse(
                request,
                "catalog/home.html",
                {
                    "categories": selectors.top_categories(),
                    "featured_products": selectors.featured_products(),
                    **extra,
                },
            )

        return cached_page(request, ["home"], render)


class CategoryListView(View):
    def get(self, request):
        def render(extra):
            return TemplateResponse(request, "catalog/category_list.html", {"tree": selectors.category_tree(), **extra})

        return cached_page(request, [], render)


def _listing_context(request, form, listing, base_url):
    params = request.GET.copy()
    params.pop("page", None)
    return {
        "form": form,
        "listing": listing,
        "base_url": base_url,
        "query_without_page": params.urlencode(),
        "selected_brands": set(request.GET.getlist("brand")),
        "selected_attributes": form.selected_attributes(),
        "filters_active": form.filters().active,
    }


class CategoryDetailView(View):
    """``/catalog/<slug>/``: the products of a category and everything below it."""

    def get(self, request, slug):
        # The page cache checks the tree's freshness (its "catalog" generation), so the slug is
        # looked up in this process's last tree: a cached page costs one Redis round trip.
        recent = selectors.category_tree_recent().by_slug.get(slug)
        if recent is None:
            recent = selectors.category_for_slug_or_404(slug, selectors.category_tree())

        def render(extra):
            tree = selectors.category_tree()
            node = selectors.category_for_slug_or_404(slug, tree)
            ids = tree.descendant_ids(node)
            facets = selectors.listing_facets(node.id, ids)
            form = ListingFilterForm(request.GET, brands=[b["brand"] for b in facets["brands"]])
            listing = selectors.listing_page(
                form.filters(category_ids=ids), sort=form.chosen_sort, page=form.page_number
            )
            context = {
                "category": node,
                "breadcrumbs": tree.ancestors(node),
                "facets": facets,
                **_listing_context(request, form, listing, reverse("catalog:category_detail", args=[slug])),
                **extra,
            }
            template = "catalog/partials/listing_results.html" if request.htmx else "catalog/category_detail.html"
            return TemplateResponse(request, template, context)

        return cached_page(request, [f"category:{recent.id}"], render)


@method_decorator(
    anonymous_rate_limit(
        "search",
        setting="ANONYMOUS_SEARCHES_PER_MINUTE",
        message=_lazy("Too many searches from your address. Try again in a minute."),
    ),
    name="dispatch",
)
class SearchView(View):
    """``/search/?q=``: ranked full-text search with typo tolerance; filters as on category pages."""

    def get(self, request):
        def render(extra):
            raw = request.GET.get("q", "")
            parsed = catalog_search.parse(raw)
            form = ListingFilterForm(request.GET, sorts=SEARCH_SORTS, default_sort="relevance")
            tree = selectors.category_tree()
            category = None
            category_ids = []
            if request.GET.get("category"):
                category = tree.by_slug.get(request.GET["category"])
                if category:
                    category_ids = tree.descendant_ids(category)
            listing = selectors.search_page(
                parsed, form.filters(category_ids=category_ids), sort=form.chosen_sort, page=form.page_number
            )
            matching = [tree.get(pk) for pk in catalog_search.matching_categories(parsed)]
            context = {
                "q": raw,
                "parsed": parsed,
                "category": category,
                "matching_categories": [node for node in matching if node],
                **_listing_context(request, form, listing, reverse("catalog:search")),
                **extra,
            }
            template = "catalog/partials/listing_results.html" if request.htmx else "catalog/search.html"
            return TemplateResponse(request, template, context)

        # Results for visitors are shared for a minute (no product change invalidates them:
        # signed-in people, sellers among them, always get fresh results).
        return cached_page(request, ["search"], render, ttl=settings.SEARCH_PAGE_CACHE_TTL)


@method_decorator(
    anonymous_rate_limit(
        "search-suggest",
        setting="ANONYMOUS_SEARCHES_PER_MINUTE",
        message=_lazy("Too many searches from your address. Try again in a minute."),
    ),
    name="dispatch",
)
class SearchSuggestView(View):
    """Search-as-you-type: a short list of matching products under the search box (HTMX)."""

    def get(self, request):
        raw = request.GET.get("q", "")
        if len(raw.strip()) < 2:
            return HttpResponse("")
        parsed, ids = catalog_search.suggestions(raw)
        return TemplateResponse(
            request,
            "catalog/partials/suggestions.html",
            {"q": raw, "parsed": parsed, "cards": selectors.product_cards(ids)},
        )


# slug -> (product id, seller id) of pages this process has served: a cached product page then
# needs no query. A product's seller never changes; a changed slug or a product taken off sale
# bumps the product's generation, so the stale entry only ever leads to a cache miss.
_PRODUCT_IDS = {}
_PRODUCT_IDS_MAX = 100_000


class ProductDetailView(View):
    def get(self, request, slug):
        loaded = {}
        ids = _PRODUCT_IDS.get(slug)
        if ids is None:
            loaded["product"] = product = _product_or_404(slug)
            ids = (product.pk, product.seller_id)
            if len(_PRODUCT_IDS) >= _PRODUCT_IDS_MAX:
                _PRODUCT_IDS.clear()
            _PRODUCT_IDS[slug] = ids
        services.product_view_record(ids[0])

        def render(extra):
            product = loaded.get("product") or _product_or_404(slug)
            response = TemplateResponse(request, "catalog/product_detail.html", _product_context(product) | extra)
            if (product.pk, product.seller_id) != ids:
                # The slug now belongs to another product (one gave it up, another took it):
                # remember the new owner and do not store a page under the old one's generations.
                _PRODUCT_IDS[slug] = (product.pk, product.seller_id)
                response.page_cache_skip = True
            return response

        # slug:<slug> is bumped when a product takes or gives up this address.
        return cached_page(request, [f"product:{ids[0]}", f"seller:{ids[1]}", f"slug:{slug}"], render)


def _product_or_404(slug):
    try:
        return selectors.product_for_buyer_or_404(slug)
    except Http404:
        raise Http404(_("This product is not on sale.")) from None


def _product_context(product):
    tree = selectors.category_tree()
    node = tree.get(product.category_id)
    variants = [
        {
            "id": v.pk,
            "name": v.name,
            "attributes": v.attributes or {},
            "price": str(pricing.current_price(product, v)),
            "old_price": str(pricing.list_price(product, v)) if pricing.on_sale(product) else None,
            "stock": v.stock_quantity or 0,
            "image": v.image_url,
            "available": stock_rules.in_stock(product, v),
            "row": v,
        }
        for v in product.live_variants
    ]
    # The picker starts on the first variant that can be ordered, in the order shown; a sold-out
    # first variant must not make the page say "Out of stock" while others are left.
    chosen = next((v for v in variants if v["available"]), variants[0] if variants else None)
    if chosen is not None:
        chosen["selected"] = True
    chosen_row = chosen["row"] if chosen is not None else None
    return {
        "product": product,
        "images": list(product.images.all()),
        "attributes": list(product.attributes.all()),
        "variants": variants,
        "chosen_variant": chosen,
        "price_now": pricing.current_price(product, chosen_row),
        "price_before": pricing.list_price(product, chosen_row),
        "breadcrumbs": tree.ancestors(node) if node else [],
        "seller": product.seller,
        "seller_summary": selectors.seller_summary(product.seller_id),
        "in_stock": chosen["available"] if chosen is not None else stock_rules.in_stock(product),
        "sells_without_stock": stock_rules.sells_without_stock(product),
    }


class SellerStorefrontView(View):
    """``/sellers/<id>/``: a seller's shop with their products, filters as on category pages."""

    def get(self, request, seller_id):
        def render(extra):
            seller = selectors.seller_for_storefront_or_404(seller_id)
            form = ListingFilterForm(request.GET)
            listing = selectors.listing_page(
                form.filters(seller_id=seller.pk), sort=form.chosen_sort, page=form.page_number
            )
            context = {
                "seller": seller,
                "seller_summary": selectors.seller_summary(seller.pk),
                **_listing_context(request, form, listing, reverse("catalog:seller_storefront", args=[seller.pk])),
                **extra,
            }
            template = "catalog/partials/listing_results.html" if request.htmx else "catalog/seller_storefront.html"
            return TemplateResponse(request, template, context)

        # A seller who is suspended or closed bumps their generation (and "catalog"): no stale shop.
        return cached_page(request, [f"seller:{seller_id}"], render)
