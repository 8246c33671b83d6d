"""Reads of the catalog: what buyers may see (storefront, API) and what a seller sees of their
own products (seller center). Lists return ids from PostgreSQL and cards from Redis
(``catalog.cache``), so a page runs the same few queries whatever its size."""

import hashlib
import time
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, F, Max, Min, Prefetch, Q
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.enums import UserRole
from accounts.models import User

from . import cache as catalog_cache
from . import pricing
from . import stock as stock_rules
from .enums import ProductStatus
from .listing import DEFAULT_SORT, SORTS, ListingFilters  # noqa: F401 - ListingFilters is read from here too
from .models import Category, Product, ProductAttribute, ProductImage, ProductVariant

PAGE_SIZE = 24
SORT_CHOICES = tuple(SORTS)


# --- category tree ------------------------------------------------------------------------------
@dataclass
class CategoryNode:
    id: int
    name: str
    slug: str
    level: int
    parent_id: int | None
    sort_order: int
    icon_url: str | None
    image_url: str | None
    description: str | None
    meta_title: str | None
    meta_description: str | None
    children: list = field(default_factory=list)

    @property
    def is_leaf(self):
        return not self.children


class CategoryTree:
    """The live category tree (active, not deleted; a hidden parent hides its branch)."""

    def __init__(self, rows):
        nodes = {row["id"]: CategoryNode(**row) for row in rows}
        self.roots = []
        for node in sorted(nodes.values(), key=lambda n: (n.sort_order, n.name, n.id)):
            if node.parent_id is None:
                self.roots.append(node)
            elif node.parent_id in nodes:
                nodes[node.parent_id].children.append(node)
        self.by_id = {}
        self.by_slug = {}

        def index(node):
            self.by_id[node.id] = node
            self.by_slug[node.slug] = node
            for child in node.children:
                index(child)

        for root in self.roots:
            index(root)

    def get(self, category_id):
        return self.by_id.get(category_id)

    def ancestors(self, node):
        """Root first, ``node`` last."""
        chain = []
        while node is not None:
            chain.append(node)
            node = self.by_id.get(node.parent_id)
        return chain[::-1]

    def descendant_ids(self, node):
        ids, stack = [], [node]
        while stack:
            current = stack.pop()
            ids.append(current.id)
            stack.extend(current.children)
        return ids

    def leaves(self):
        return [node for node in self.by_id.values() if node.is_leaf]


def _tree_rows():
    return list(
        Category.objects.filter(is_active=True, deleted_at__isnull=True)
        .order_by("level", "sort_order", "name", "id")
        .values(
            "id",
            "name",
            "slug",
            "level",
            "parent_id",
            "sort_order",
            "icon_url",
            "image_url",
            "description",
            "meta_title",
            "meta_description",
        )
    )


_TREE_MEMO = {"version": None, "tree": None}


def category_tree():
    """The tree from Redis (one query to rebuild it after a category change). Each process keeps
    the last tree it built and reuses it while Redis holds the same version."""
    version, rows = catalog_cache.tree_get(_tree_rows, known_version=_TREE_MEMO["version"])
    if rows is not None:
        _TREE_MEMO["tree"] = CategoryTree([{**row, "sort_order": row["sort_order"] or 0} for row in rows])
        _TREE_MEMO["version"] = version
    return _TREE_MEMO["tree"]


def category_tree_recent():
    """The tree this process built last, without asking Redis (maybe a little old): enough to
    turn a slug into an id before the page cache, which checks freshness itself."""
    return _TREE_MEMO["tree"] or category_tree()


def category_for_slug_or_404(slug, tree=None):
    node = (tree or category_tree()).by_slug.get(slug)
    if node is None:
        raise Http404("No such category")
    return node


def category_ancestor_ids(category_ids):
    """The categories and all their ancestors (hidden ones included), for cache invalidation."""
    ids, todo = set(), {cid for cid in category_ids if cid}
    while todo:
        ids |= todo
        todo = set(Category.objects.filter(pk__in=todo, parent__isnull=False).values_list("parent_id", flat=True)) - ids
    return sorted(ids)


def top_categories(*, limit=12):
    return category_tree().roots[:limit]


# --- product cards ------------------------------------------------------------------------------
@dataclass(frozen=True)
class ProductCard:
    """What a product grid shows; cached in Redis per product."""

    id: int
    name: str
    slug: str
    brand: str | None
    base_price: Decimal
    sale_price: Decimal | None
    rating_average: Decimal
    rating_count: int
    image_url: str | None
    thumbnail_url: str | None
    alt_text: str | None
    in_stock: bool
    seller_id: int
    category_id: int

    @property
    def on_sale(self):
        return pricing.on_sale(self)

    @property
    def price(self):
        return pricing.current_price(self)

    @property
    def discount_percent(self):
        return pricing.discount_percent(self)


def _cards_load(ids):
    primary = Prefetch(
        "images",
        queryset=ProductImage.objects.order_by("-is_primary", "sort_order", "id").only(
            "id", "product_id", "url", "thumbnail_url", "alt_text", "is_primary", "sort_order"
        ),
        to_attr="card_images",
    )
    products = (
        Product.objects.filter(pk__in=ids)
        .only(
            "id",
            "name",
            "slug",
            "brand",
            "base_price",
            "sale_price",
            "rating_average",
            "rating_count",
            "stock_quantity",
            "allow_backorder",
            "is_digital",
            "requires_shipping",
            "seller_id",
            "category_id",
        )
        .prefetch_related(primary)
    )
    cards = {}
    for product in products:
        image = product.card_images[0] if product.card_images else None
        cards[product.pk] = ProductCard(
            id=product.pk,
            name=product.name,
            slug=product.slug,
            brand=product.brand,
            base_price=product.base_price,
            sale_price=product.sale_price,
            rating_average=product.rating_average or Decimal("0"),
            rating_count=product.rating_count or 0,
            image_url=image.url if image else None,
            thumbnail_url=(image.thumbnail_url or image.url) if image else None,
            alt_text=(image.alt_text if image else None) or product.name,
            in_stock=stock_rules.in_stock(product),
            seller_id=product.seller_id,
            category_id=product.category_id,
        )
    return cards


def product_cards(ids):
    """Cards in the order of ``ids`` (at most two queries, none when all are cached)."""
    return catalog_cache.cards_get(list(ids), _cards_load)


def featured_products(*, limit=12):
    ids = list(
        Product.objects.listed()
        .filter(is_featured=True)
        .order_by("-rating_average", "-created_at", "-id")
        .values_list("id", flat=True)[:limit]
    )
    return product_cards(ids)


# --- listings: category pages, search, seller storefronts --------------------------------------
# ``ListingFilters`` and the sorts live in ``catalog.listing`` (each in its ORM and SQL forms).
def listing_queryset(filters, sort=DEFAULT_SORT):
    """Listed products under ``filters``, ordered by ``sort`` (one of ``SORT_CHOICES``; another
    falls back to the default)."""
    order = SORTS.get(sort) or SORTS[DEFAULT_SORT]
    return filters.apply(Product.objects.listed()).order_by(*order.orm())


@dataclass
class ListingPage:
    cards: list
    total: int
    page: int
    per_page: int
    total_capped: bool = False  # there are more than ``total`` (a search counts up to a cap)

    @property
    def pages(self):
        return max(1, -(-self.total // self.per_page))

    @property
    def has_next(self):
        return self.page < self.pages

    @property
    def has_previous(self):
        return self.page > 1

    def page_range(self, around=2):
        """Page numbers to link, with None for a gap: 1 … 4 5 [6] 7 8 … 20."""
        pages, shown = [], set()
        for n in sorted({1, self.pages, *range(self.page - around, self.page + around + 1)}):
            if 1 <= n <= self.pages and n not in shown:
                if pages and n - pages[-1] > 1:
                    pages.append(None)
                pages.append(n)
                shown.add(n)
        return pages


def listing_count(filters, queryset):
    """How many products a list has. Counting a big category (or the whole catalog) reads every
    row, so the total is shared per set of filters and the generation of the category or seller
    it lists, fresh for ``LISTING_COUNT_TTL`` seconds. After that one request recounts (a Redis
    lock) while the others keep answering with the last count: a popular list never has every
    request counting at once."""
    from django.conf import settings
    from django.core.cache import cache

    fresh_for = settings.LISTING_COUNT_TTL
    if not fresh_for:
        return queryset.count()
    scope = f"seller:{filters.seller_id}" if filters.seller_id else "catalog"
    if filters.category_ids and not filters.seller_id:
        scope = f"category:{filters.category_ids[0]}"
    digest = hashlib.sha256(repr(filters).encode()).hexdigest()[:24]
    key = f"catalog:count:{digest}:{catalog_cache.generations([scope])[0]}"
    stored = cache.get(key)  # (total, counted at)
    now = time.time()
    if stored is not None and (now - stored[1] < fresh_for or not cache.add(f"{key}:lock", 1, timeout=60)):
        return stored[0]
    try:
        total = queryset.count()
        cache.set(key, (total, time.time()), timeout=fresh_for * 20)
    finally:
        if stored is not None:
            cache.delete(f"{key}:lock")
    return total


def listing_page(filters, *, sort="popular", page=1, per_page=PAGE_SIZE):
    """One page of a product list: ids and total from PostgreSQL (two queries), cards from Redis."""
    queryset = listing_queryset(filters, sort)
    total = listing_count(filters, queryset)
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    ids = list(queryset.values_list("id", flat=True)[(page - 1) * per_page : page * per_page])
    return ListingPage(cards=product_cards(ids), total=total, page=page, per_page=per_page)


def search_page(parsed, filters, *, sort="relevance", page=1, per_page=PAGE_SIZE):
    from .search import search_product_ids

    page = max(1, page)
    offset = (page - 1) * per_page
    ids, total, capped = search_product_ids(parsed, filters=filters, sort=sort, offset=offset, limit=per_page)
    return ListingPage(cards=product_cards(ids), total=total, page=page, per_page=per_page, total_capped=capped)


FACET_BRANDS = 30
FACET_ATTRIBUTES = 6
FACET_VALUES = 12


def listing_facets(category_id, category_ids):
    """What a category page can filter by: brands, price range and attribute values of the
    visible products below category ``category_id`` (``category_ids``: it and its descendants),
    with counts. Cached per category; a product change below it bumps its generation."""
    from django.core.cache import cache

    key = f"catalog:facets:{category_id}:" + ".".join(
        map(str, catalog_cache.generations(["catalog", f"category:{category_id}"]))
    )
    facets = cache.get(key)
    if facets is not None:
        return facets
    base = Product.objects.listed()
    if category_ids:
        base = base.filter(category_id__in=category_ids)
    brands = list(
        base.exclude(brand__isnull=True)
        .exclude(brand="")
        .values("brand")
        .annotate(count=Count("id"))
        .order_by("-count", "brand")[:FACET_BRANDS]
    )
    price = pricing.current_price_expression()
    prices = base.aggregate(low=Min(price), high=Max(price))
    pairs = list(
        ProductAttribute.objects.filter(product__in=base.values("id"))
        .values("name", "value")
        .annotate(count=Count("product_id", distinct=True))
        .order_by("name", "-count", "value")
    )
    by_name = {}
    for pair in pairs:
        by_name.setdefault(pair["name"], []).append({"value": pair["value"], "count": pair["count"]})
    # The attributes most products have; values kept to the commonest few.
    names = sorted(by_name, key=lambda n: (-sum(v["count"] for v in by_name[n]), n))[:FACET_ATTRIBUTES]
    facets = {
        "brands": brands,
        "price_low": prices["low"],
        "price_high": prices["high"],
        "attributes": [{"name": name, "values": by_name[name][:FACET_VALUES]} for name in sorted(names)],
    }
    cache.set(key, facets, timeout=600)
    return facets


# --- product page -----------------------------------------------------------------------------
def product_detail_prefetch(queryset, *, for_seller=False):
    """Everything a product's page shows, in three more queries whatever their number: the
    gallery (primary first), the variants as ``live_variants`` (a buyer's page: the live ones; the
    seller's: every one not deleted, switched off included), the attributes in order, with the
    seller and the category joined. The category chain (breadcrumbs) comes from the cached tree.
    Used by the product page, the API's product, the seller's edit page and the seller API."""
    variants = ProductVariant.objects.filter(deleted_at__isnull=True) if for_seller else ProductVariant.objects.live()
    return queryset.select_related("seller", "category").prefetch_related(
        Prefetch("images", queryset=ProductImage.objects.order_by("-is_primary", "sort_order", "id")),
        Prefetch("variants", queryset=variants.order_by("id"), to_attr="live_variants"),
        Prefetch("attributes", queryset=ProductAttribute.objects.order_by("sort_order", "id")),
    )


def product_for_buyer_or_404(slug):
    """A product page: visible (sold out included), with everything it shows."""
    return get_object_or_404(product_detail_prefetch(Product.objects.visible()), slug=slug)


def seller_for_storefront_or_404(seller_id):
    return get_object_or_404(User.objects.active().filter(role=UserRole.SELLER), pk=seller_id)


def seller_summary(seller_id):
    """A seller card: live products and their review-weighted rating, cached per seller."""
    from django.core.cache import cache

    generation = catalog_cache.generations([f"seller:{seller_id}"])[0]
    key = f"catalog:seller-summary:{seller_id}:{generation}"
    summary = cache.get(key)
    if summary is None:
        rows = list(Product.objects.listed().filter(seller_id=seller_id).values_list("rating_average", "rating_count"))
        reviews = sum(count or 0 for _average, count in rows)
        rating = sum((average or 0) * (count or 0) for average, count in rows) / reviews if reviews else None
        summary = {
            "products": len(rows),
            "reviews": reviews,
            "rating": Decimal(rating).quantize(Decimal("0.01")) if rating is not None else None,
        }
        cache.set(key, summary, timeout=600)
    return summary


# --- seller center ----------------------------------------------------------------------------
def seller_products(*, seller):
    """A seller's products, deleted ones excluded (they are gone for the seller too)."""
    return Product.objects.filter(seller=seller, deleted_at__isnull=True)


def product_for_seller_or_404(*, seller, product_id, lock=False):
    """One of ``seller``'s own products; another seller's product (or a deleted one) is a 404."""
    queryset = seller_products(seller=seller)
    if lock:
        queryset = queryset.select_for_update()
    return get_object_or_404(queryset, pk=product_id)


@dataclass
class SellerProductFilters:
    q: str = ""
    status: str = ""
    category_id: int | None = None
    stock: str = ""  # "", "low", "out"


def seller_product_list(*, seller, filters=None):
    filters = filters or SellerProductFilters()
    queryset = seller_products(seller=seller).select_related("category")
    if filters.q:
        queryset = queryset.filter(
            Q(name__icontains=filters.q) | Q(sku__icontains=filters.q) | Q(brand__icontains=filters.q)
        )
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.category_id:
        queryset = queryset.filter(category_id=filters.category_id)
    if filters.stock == "low":
        queryset = low_stock_filter(queryset)
    elif filters.stock == "out":
        queryset = queryset.filter(stock_rules.counts_stock_q(), stock_quantity__lte=0)
    primary = Prefetch(
        "images",
        queryset=ProductImage.objects.order_by("-is_primary", "sort_order", "id"),
        to_attr="ordered_images",
    )
    return queryset.prefetch_related(primary).order_by("-updated_at", "-id")


def low_stock_filter(queryset):
    """Products that count stock (``catalog.stock``) at or below their low-stock threshold; a
    backorder product is among them (it owes what it sold below 0)."""
    return queryset.filter(
        stock_rules.counts_stock_q(),
        stock_quantity__lte=Coalesce(F("low_stock_threshold"), stock_rules.LOW_STOCK_DEFAULT),
    )


def seller_low_stock(*, seller):
    return (
        low_stock_filter(seller_products(seller=seller))
        .exclude(status=ProductStatus.DISCONTINUED)
        .order_by("stock_quantity", "name", "id")
    )


def product_with_children_for_seller(*, seller, product_id):
    """A seller's product with everything the edit page shows."""
    return get_object_or_404(product_detail_prefetch(seller_products(seller=seller), for_seller=True), pk=product_id)
