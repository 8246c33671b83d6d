"""The filters and sorts of product lists, each written twice side by side: as an ORM condition or
ordering (category pages, storefronts, the API: ``catalog.selectors.listing_queryset``) and as
SQL over ``products p`` with its parameters (search: ``catalog.search``). A filter or a sort is
added here, in both forms, or not at all; ``catalog/tests/test_listing.py`` runs every filter
and every sort both ways over the same products and expects the same ids in the same order.

The rules inside them come from their own modules: the price from ``catalog.pricing``, "in
stock" from ``catalog.stock``, who may see a product from ``Product.objects.listed()`` (search's
SQL twin: ``listed_seller_sql`` and the rows ``product_search`` holds).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Exists, F, OuterRef, Q
from django.db.models.lookups import GreaterThanOrEqual, LessThanOrEqual

from accounts.models import active_account_sql

from .models import ProductAttribute
from .pricing import current_price_expression, current_price_sql
from .stock import in_stock_q, in_stock_sql


# --- filters --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Filter:
    """``orm(value)``: a condition for ``QuerySet.filter`` over Product. ``sql(value, alias)``:
    (SQL over the table ``alias``, its named parameters). ``on_search_table``: its columns are
    also in ``product_search`` (search filters on them without joining ``products``)."""

    orm: Callable
    sql: Callable
    on_search_table: bool = False


def _attributes_orm(attributes):
    condition = Q()
    for name, values in sorted(attributes.items()):
        condition &= Q(Exists(ProductAttribute.objects.filter(product=OuterRef("pk"), name=name, value__in=values)))
    return condition


def _attributes_sql(attributes, alias):
    where, params = [], {}
    for k, (name, values) in enumerate(sorted(attributes.items())):
        where.append(
            f"EXISTS (SELECT 1 FROM product_attributes a WHERE a.product_id = {alias}.id "
            f"AND a.name = %(attr_name_{k})s AND a.value = ANY(%(attr_values_{k})s))"
        )
        params[f"attr_name_{k}"] = name
        params[f"attr_values_{k}"] = list(values)
    return " AND ".join(where), params


FILTERS = {
    "category_ids": Filter(
        orm=lambda ids: Q(category_id__in=ids),
        sql=lambda ids, alias: (f"{alias}.category_id = ANY(%(categories)s)", {"categories": list(ids)}),
        on_search_table=True,
    ),
    "seller_id": Filter(
        orm=lambda seller_id: Q(seller_id=seller_id),
        sql=lambda seller_id, alias: (f"{alias}.seller_id = %(seller)s", {"seller": seller_id}),
        on_search_table=True,
    ),
    "min_price": Filter(
        orm=lambda price: GreaterThanOrEqual(current_price_expression(), price),
        sql=lambda price, alias: (f"{current_price_sql(alias)} >= %(min_price)s", {"min_price": price}),
    ),
    "max_price": Filter(
        orm=lambda price: LessThanOrEqual(current_price_expression(), price),
        sql=lambda price, alias: (f"{current_price_sql(alias)} <= %(max_price)s", {"max_price": price}),
    ),
    "brands": Filter(
        orm=lambda brands: Q(brand__in=brands),
        sql=lambda brands, alias: (f"{alias}.brand = ANY(%(brands)s)", {"brands": list(brands)}),
    ),
    "min_rating": Filter(
        orm=lambda rating: Q(rating_average__gte=rating),
        sql=lambda rating, alias: (f"{alias}.rating_average >= %(min_rating)s", {"min_rating": rating}),
    ),
    "in_stock": Filter(orm=lambda _on: in_stock_q(), sql=lambda _on, alias: (in_stock_sql(alias), {})),
    "attributes": Filter(orm=_attributes_orm, sql=_attributes_sql),
}


@dataclass
class ListingFilters:
    """Filters a buyer can apply to a product list (category page, search, storefront, API); a
    field left empty (None, False, []) does not filter. Each field is a row of ``FILTERS``."""

    min_price: Decimal | None = None
    max_price: Decimal | None = None
    brands: list = field(default_factory=list)
    min_rating: Decimal | None = None
    in_stock: bool = False
    attributes: dict = field(default_factory=dict)  # name -> [values]
    category_ids: list = field(default_factory=list)
    seller_id: int | None = None

    @property
    def active(self):
        """Filters the buyer chose (the category or seller of the page is not one)."""
        return bool(
            self.min_price is not None
            or self.max_price is not None
            or self.brands
            or self.min_rating is not None
            or self.in_stock
            or self.attributes
        )

    def chosen(self):
        """(name, value) of each filter that applies, in ``FILTERS`` order."""
        for name in FILTERS:
            value = getattr(self, name)
            if value is None or value is False or (isinstance(value, (list, tuple, dict)) and not value):
                continue
            yield name, value

    def apply(self, queryset):
        """The filters on a Product queryset (the ORM forms)."""
        for name, value in self.chosen():
            queryset = queryset.filter(FILTERS[name].orm(value))
        return queryset

    def sql_conditions(self, params, *, alias="p", search_alias=None):
        """The same filters as SQL (the SQL forms), their parameters added to ``params``; returns
        (conditions over ``search_alias``, conditions over ``alias``). With ``search_alias``, the
        filters whose columns ``product_search`` holds are written over it (no join needed)."""
        over_search, over_products = [], []
        for name, value in self.chosen():
            rule = FILTERS[name]
            on_search = bool(search_alias) and rule.on_search_table
            fragment, values = rule.sql(value, search_alias if on_search else alias)
            (over_search if on_search else over_products).append(fragment)
            params.update(values)
        return over_search, over_products


# --- sorts ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SortKey:
    """One key of an order: ``orm()`` an expression over Product, ``sql(alias)`` the same in SQL."""

    orm: Callable
    sql: Callable
    descending: bool = True
    # NULL's place is written out on both sides: PostgreSQL's default puts it first in a
    # descending order. The counters (views, ratings) are never NULL in rows the services write,
    # and their descending indexes (idx_products_listed_popular, idx_products_rating) hold NULL
    # first, so they keep the default; a product never published goes last among the newest.
    nulls_last: bool = False

    def orm_ordering(self):
        expression = self.orm()
        if self.descending:
            return expression.desc(nulls_last=True) if self.nulls_last else expression.desc()
        return expression.asc(nulls_last=True) if self.nulls_last else expression.asc()

    def sql_direction(self):
        return ("DESC" if self.descending else "ASC") + (" NULLS LAST" if self.nulls_last else "")


@dataclass(frozen=True)
class Sort:
    keys: tuple
    newest_id_first: bool = True  # ties go to the newer product (price low to high: the older)

    def orm(self):
        return [key.orm_ordering() for key in self.keys] + ["-id" if self.newest_id_first else "id"]

    def sql(self, alias="p"):
        """[(SQL expression, direction)] of the keys; the id comes last (``id_direction``)."""
        return [(key.sql(alias), key.sql_direction()) for key in self.keys]

    @property
    def id_direction(self):
        return "DESC" if self.newest_id_first else "ASC"


def _column(name):
    return SortKey(orm=lambda: F(name), sql=lambda alias: f"{alias}.{name}")


_PRICE_UP = SortKey(orm=current_price_expression, sql=current_price_sql, descending=False)
_PRICE_DOWN = SortKey(orm=current_price_expression, sql=current_price_sql)
_NEWEST = SortKey(orm=lambda: F("published_at"), sql=lambda alias: f"{alias}.published_at", nulls_last=True)

SORTS = {
    "popular": Sort((_column("view_count"), _column("rating_count"))),
    "newest": Sort((_NEWEST,)),
    "price_asc": Sort((_PRICE_UP,), newest_id_first=False),
    "price_desc": Sort((_PRICE_DOWN,)),
    "rating": Sort((_column("rating_average"), _column("rating_count"))),
}
DEFAULT_SORT = "popular"


# --- who is listed --------------------------------------------------------------------------------
def listed_seller_sql(*, alias="s"):
    """Search's half of ``Product.objects.listed()``: the seller is active and not deleted. The
    other half (on sale, not deleted) is what ``product_search`` holds at all: its triggers add
    and drop rows by the same two conditions (``migrations/_search_sql_0004.py``)."""
    return f"{alias}.seller_id IN (SELECT u.id FROM users u WHERE {active_account_sql('u')})"
