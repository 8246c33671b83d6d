"""Query parameters of ``GET /api/v1/products/``, parsed and validated by django-filter. A bad
value is a 400 naming the parameter. The FilterSet filters through the same
``catalog.selectors.ListingFilters`` as the storefront pages, so a rule lives in one place."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _
from django_filters.widgets import BooleanWidget

from catalog import selectors
from catalog.models import Product

ORDERING = {
    "relevance": "relevance",
    "popular": "popular",
    "newest": "newest",
    "price": "price_asc",
    "-price": "price_desc",
    "rating": "rating",
}


class ProductFilterSet(django_filters.FilterSet):
    search = django_filters.CharFilter(method="no_op", max_length=200, help_text=_("Words to search for."))
    category = django_filters.CharFilter(
        method="no_op", help_text=_("Category id or slug; products of its subcategories are included.")
    )
    seller = django_filters.NumberFilter(method="no_op", min_value=1, help_text=_("A seller's id."))
    min_price = django_filters.NumberFilter(method="no_op", min_value=0, help_text=_("Lowest price in so'm."))
    max_price = django_filters.NumberFilter(method="no_op", min_value=0, help_text=_("Highest price in so'm."))
    brand = django_filters.BaseInFilter(method="no_op", help_text=_("Brands, comma separated."))
    min_rating = django_filters.NumberFilter(method="no_op", min_value=0, max_value=5)
    in_stock = django_filters.BooleanFilter(
        method="no_op", widget=BooleanWidget, help_text=_("true: only products in stock.")
    )
    attribute = django_filters.CharFilter(method="no_op", help_text=_("name:value, e.g. Rang:Qora."))
    ordering = django_filters.ChoiceFilter(
        method="no_op",
        choices=[(key, key) for key in ORDERING],
        empty_label=None,
        help_text=_("relevance (with search), popular, newest, price, -price, rating."),
    )

    def no_op(self, queryset, name, value):
        return queryset  # everything is applied at once in filter_queryset

    def __init__(self, data=None, *args, tree=None, **kwargs):
        super().__init__(data, *args, queryset=kwargs.pop("queryset", Product.objects.listed()), **kwargs)
        self.tree = tree or selectors.category_tree()
        self.attribute_pairs = data.getlist("attribute") if data is not None and hasattr(data, "getlist") else []

    def clean_category(self, value):
        if not value:
            return []
        node = self.tree.get(int(value)) if value.isdecimal() else self.tree.by_slug.get(value)
        if node is None:
            raise forms.ValidationError(_("No such category."))
        return self.tree.descendant_ids(node)

    def is_valid(self):
        valid = super().is_valid()
        if valid:
            # The widgets turn a value they do not know into "not given"; a typo must not
            # silently return the unfiltered list. PostgreSQL text cannot hold NUL.
            if (self.data.get("in_stock") or "").strip().lower() not in ("", "1", "0", "true", "false"):
                self.form.add_error("in_stock", _("Write true or false."))
            if any("\x00" in brand for brand in self.form.cleaned_data.get("brand") or []):
                self.form.add_error("brand", _("Brands, comma separated."))
            for pair in self.attribute_pairs:
                name, sep, value = pair.partition(":")
                if pair.strip() and (not (sep and name.strip() and value.strip()) or "\x00" in pair):
                    self.form.add_error("attribute", _("name:value, e.g. Rang:Qora."))
                    break
            try:
                self.category_ids = self.clean_category(self.form.cleaned_data.get("category") or "")
            except forms.ValidationError as error:
                self.form.add_error("category", error)
        return valid and not self.form.errors

    def listing_filters(self):
        data = self.form.cleaned_data
        attributes = {}
        for pair in self.attribute_pairs[:20]:
            name, sep, value = pair.partition(":")
            if sep and name.strip() and value.strip():
                attributes.setdefault(name.strip(), []).append(value.strip())
        low, high = data.get("min_price"), data.get("max_price")
        return selectors.ListingFilters(
            min_price=low,
            max_price=high,
            brands=[b for b in (data.get("brand") or []) if b][:20],
            min_rating=data.get("min_rating"),
            in_stock=bool(data.get("in_stock")),
            attributes=attributes,
            category_ids=self.category_ids,
            seller_id=int(data["seller"]) if data.get("seller") else None,
        )

    @property
    def search_text(self):
        return (self.form.cleaned_data.get("search") or "").strip()

    @property
    def sort(self):
        ordering = self.form.cleaned_data.get("ordering")
        if not ordering:
            return "relevance" if self.search_text else "popular"
        sort = ORDERING[ordering]
        return "popular" if sort == "relevance" and not self.search_text else sort

    def filter_queryset(self, queryset):
        """The non-search list as a queryset (ordered), for callers that want rows."""
        return selectors.listing_queryset(self.listing_filters(), "popular" if self.sort == "relevance" else self.sort)
