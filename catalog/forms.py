"""Forms of the storefront and the seller center: they check the shape of the input; the rules
live in ``catalog.services`` (their ValidationErrors land on the fields via add_service_error)."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from gogomarket.core.forms import BootstrapFormMixin

from .enums import ProductStatus
from .selectors import SORT_CHOICES, ListingFilters, category_tree
from .services.products import ACTIONS as PRODUCT_ACTIONS

SORT_LABELS = {
    "relevance": _("Best match"),
    "popular": _("Popular"),
    "newest": _("Newest"),
    "price_asc": _("Price: low to high"),
    "price_desc": _("Price: high to low"),
    "rating": _("Top rated"),
}
RATING_CHOICES = [("", _("Any rating")), ("4", _("4 stars and up")), ("3", _("3 stars and up"))]
MAX_PAGE = 1000


def leaf_category_choices():
    """Leaf categories grouped under their top-level category, "Parent › Leaf" labels."""
    tree = category_tree()
    groups = []
    for root in tree.roots:
        options = []
        for leaf in (n for n in _walk(root) if n.is_leaf):
            trail = tree.ancestors(leaf)[1:]
            options.append((leaf.id, " › ".join(node.name for node in trail) or leaf.name))
        if options:
            groups.append((root.name, options))
    return [("", _("Choose a category"))] + groups


def _walk(node):
    yield node
    for child in node.children:
        yield from _walk(child)


class ListingFilterForm(forms.Form):
    """The filters and order of a product list, from the query string. Bad values are dropped
    (a list never errors), so a hand-edited URL still shows products."""

    min_price = forms.DecimalField(required=False, min_value=0, max_digits=12, decimal_places=2, label=_("From"))
    max_price = forms.DecimalField(required=False, min_value=0, max_digits=12, decimal_places=2, label=_("To"))
    brand = forms.MultipleChoiceField(required=False, label=_("Brand"))
    rating = forms.ChoiceField(required=False, choices=RATING_CHOICES, label=_("Rating"))
    in_stock = forms.BooleanField(required=False, label=_("In stock"))
    sort = forms.ChoiceField(required=False, label=_("Sort by"))
    page = forms.IntegerField(required=False, min_value=1)

    def __init__(self, data=None, *, brands=(), sorts=SORT_CHOICES, default_sort="popular", **kwargs):
        super().__init__(data, **kwargs)
        self.default_sort = default_sort
        # Any brand name may be asked for; the facet list only decides what is shown.
        self.fields["brand"].choices = [(b, b) for b in (data.getlist("brand") if data else [])] + [
            (b, b) for b in brands
        ]
        self.fields["sort"].choices = [(s, SORT_LABELS[s]) for s in sorts]
        # PostgreSQL text cannot hold NUL: such a value matches nothing, so it is dropped.
        self.raw_attributes = [pair for pair in (data.getlist("a") if data else []) if "\x00" not in pair]

    def _value(self, name):
        if not self.is_bound:
            return None
        if self.is_valid():
            return self.cleaned_data.get(name)
        field = self.fields[name]
        try:
            return field.clean(field.widget.value_from_datadict(self.data, self.files, self.add_prefix(name)))
        except forms.ValidationError:
            return None

    def filters(self, **extra):
        min_price, max_price = self._value("min_price"), self._value("max_price")
        if min_price is not None and max_price is not None and min_price > max_price:
            min_price, max_price = max_price, min_price
        rating = self._value("rating")
        attributes = {}
        for pair in self.raw_attributes[:20]:
            name, sep, value = pair.partition(":")
            if sep and name.strip() and value.strip():
                attributes.setdefault(name.strip(), []).append(value.strip())
        return ListingFilters(
            min_price=min_price,
            max_price=max_price,
            brands=[b for b in (self._value("brand") or []) if b and "\x00" not in b][:20],
            min_rating=Decimal(rating) if rating else None,
            in_stock=bool(self._value("in_stock")),
            attributes=attributes,
            **extra,
        )

    @property
    def chosen_sort(self):
        return self._value("sort") or self.default_sort

    @property
    def page_number(self):
        return min(self._value("page") or 1, MAX_PAGE)

    def selected_attributes(self):
        return set(self.raw_attributes)


# --- seller center ------------------------------------------------------------------------------
class ProductForm(BootstrapFormMixin, forms.Form):
    category = forms.TypedChoiceField(label=_("Category"), coerce=int)
    name = forms.CharField(label=_("Name"), max_length=255)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 6}))
    short_description = forms.CharField(
        label=_("Short description"), max_length=500, required=False, help_text=_("One line shown in lists.")
    )
    brand = forms.CharField(label=_("Brand"), max_length=100, required=False)
    sku = forms.CharField(label=_("SKU"), max_length=100, required=False, help_text=_("Your own stock code."))
    barcode = forms.CharField(label=_("Barcode"), max_length=100, required=False)
    base_price = forms.DecimalField(label=_("Price, so'm"), max_digits=12, decimal_places=2, min_value=0)
    sale_price = forms.DecimalField(
        label=_("Sale price, so'm"),
        max_digits=12,
        decimal_places=2,
        min_value=0,
        required=False,
        help_text=_("Lower than the price; leave empty when not on sale."),
    )
    cost_price = forms.DecimalField(
        label=_("Cost, so'm"),
        max_digits=12,
        decimal_places=2,
        min_value=0,
        required=False,
        help_text=_("Only you see it (for your margin)."),
    )
    tax_rate = forms.DecimalField(
        label=_("Tax rate, %"), max_digits=5, decimal_places=2, min_value=0, max_value=100, required=False
    )
    stock_quantity = forms.IntegerField(label=_("Stock"), min_value=0, required=False)
    low_stock_threshold = forms.IntegerField(
        label=_("Low stock alert at"), min_value=0, required=False, help_text=_("Listed under “Low stock” at or below.")
    )
    allow_backorder = forms.BooleanField(label=_("Take orders when out of stock"), required=False)
    min_order_quantity = forms.IntegerField(label=_("Minimum per order"), min_value=1, required=False)
    max_order_quantity = forms.IntegerField(label=_("Maximum per order"), min_value=1, required=False)
    weight = forms.DecimalField(label=_("Weight, kg"), max_digits=10, decimal_places=3, min_value=0, required=False)
    length = forms.DecimalField(label=_("Length, cm"), max_digits=10, decimal_places=2, min_value=0, required=False)
    width = forms.DecimalField(label=_("Width, cm"), max_digits=10, decimal_places=2, min_value=0, required=False)
    height = forms.DecimalField(label=_("Height, cm"), max_digits=10, decimal_places=2, min_value=0, required=False)
    is_digital = forms.BooleanField(label=_("Digital product (nothing to ship)"), required=False)
    requires_shipping = forms.BooleanField(label=_("Needs delivery"), required=False, initial=True)
    slug = forms.CharField(
        label=_("Web address"),
        max_length=255,
        required=False,
        help_text=_("Made from the name when empty."),
    )
    meta_title = forms.CharField(label=_("Search engine title"), max_length=255, required=False)
    meta_description = forms.CharField(
        label=_("Search engine description"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    meta_keywords = forms.CharField(label=_("Keywords"), required=False)

    def __init__(self, *args, has_variants=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = leaf_category_choices()
        if has_variants:
            field = self.fields["stock_quantity"]
            field.disabled = True
            field.help_text = _("The sum of the variants' stock.")

    def service_data(self):
        data = dict(self.cleaned_data)
        if self.fields["stock_quantity"].disabled:
            data.pop("stock_quantity", None)
        return data


def product_initial(product):
    initial = {name: getattr(product, name) for name in ProductForm.base_fields if name != "category"}
    initial["category"] = product.category_id
    return initial


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleImageField(forms.FileField):
    """Several files from one input; each is checked by the service (Pillow)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data]
        files = [f for f in files if f]
        if not files:
            raise forms.ValidationError(_("Choose one or more pictures."), code="required")
        return [super(MultipleImageField, self).clean(f, initial) for f in files]


class ImageUploadForm(BootstrapFormMixin, forms.Form):
    images = MultipleImageField(label=_("Add pictures"), help_text=_("JPEG, PNG or WebP, up to 10 MB each."))


class VariantForm(BootstrapFormMixin, forms.Form):
    name = forms.CharField(label=_("Variant name"), max_length=255)
    attributes = forms.CharField(
        label=_("Attributes"),
        required=False,
        help_text=_("name: value, separated by commas, e.g. “Colour: black, Memory: 128 GB”."),
    )
    sku = forms.CharField(label=_("SKU"), max_length=100, required=False)
    price_adjustment = forms.DecimalField(
        label=_("Price difference, so'm"), max_digits=12, decimal_places=2, required=False, initial=0
    )
    stock_quantity = forms.IntegerField(label=_("Stock"), min_value=0, initial=0)
    image_url = forms.ChoiceField(label=_("Picture"), required=False)
    is_active = forms.BooleanField(label=_("On sale"), required=False, initial=True)

    def __init__(self, *args, images=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["image_url"].choices = [("", _("The product's pictures"))] + [
            (image.url, _("Picture %(n)d") % {"n": n}) for n, image in enumerate(images, start=1)
        ]


def variant_initial(variant):
    return {
        "name": variant.name,
        "attributes": ", ".join(f"{k}: {v}" for k, v in (variant.attributes or {}).items()),
        "sku": variant.sku,
        "price_adjustment": variant.price_adjustment,
        "stock_quantity": variant.stock_quantity,
        "image_url": variant.image_url or "",
        "is_active": variant.is_active,
    }


class AttributeForm(BootstrapFormMixin, forms.Form):
    name = forms.CharField(label=_("Attribute"), max_length=100)
    value = forms.CharField(label=_("Value"), max_length=1000)


class SellerProductFilterForm(BootstrapFormMixin, forms.Form):
    q = forms.CharField(required=False, label=_("Search"))
    status = forms.ChoiceField(required=False, label=_("Status"))
    stock = forms.ChoiceField(
        required=False,
        label=_("Stock"),
        choices=[("", _("Any stock")), ("low", _("Low stock")), ("out", _("Out of stock"))],
    )
    page = forms.IntegerField(required=False, min_value=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("Any status"))] + list(ProductStatus.choices)


class BulkActionForm(forms.Form):
    action = forms.ChoiceField(choices=[(name, action.label) for name, action in PRODUCT_ACTIONS.items()])

    def product_ids(self):
        ids = []
        for value in self.data.getlist("products"):
            try:
                ids.append(int(value))
            except (TypeError, ValueError):
                continue
        return ids[:500]


class CsvImportForm(BootstrapFormMixin, forms.Form):
    file = forms.FileField(
        label=_("CSV file"), help_text=_("UTF-8, comma or semicolon separated, one product per row.")
    )
