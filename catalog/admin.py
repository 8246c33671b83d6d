"""Back office for the catalog. Staff moderate: they edit product fields, publish or take products
off sale, choose featured products and manage the category tree, always through
``catalog.services`` (the same rules and audit rows as the seller center). Pictures, variants and
attributes are the seller's to edit in the seller center; staff see them read-only."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from gogomarket.core.admin_utils import BaseAdmin, ReadOnlyAdmin, ReadOnlyInlineMixin, run_per_row, uzs_column

from . import services
from .models import Category, Product, ProductAttribute, ProductImage, ProductVariant


# --- categories -----------------------------------------------------------------------------------
class CategoryAdminForm(forms.ModelForm):
    class Meta:
        model = Category
        fields = services.CATEGORY_FIELDS + ("parent",)

    def clean(self):
        data = super().clean()
        probe = Category(pk=self.instance.pk, **{k: v for k, v in data.items() if k in services.CATEGORY_FIELDS})
        try:
            services.category_validate(category=probe, parent_id=getattr(data.get("parent"), "pk", None))
        except ValidationError as error:
            _form_errors(self, error)
        return data


def _form_errors(form, error):
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, field_messages in error.error_dict.items():
        form.add_error(field if field in form.fields else None, field_messages)


@admin.register(Category)
class CategoryAdmin(BaseAdmin):
    form = CategoryAdminForm
    list_display = ("name", "slug", "parent", "level", "sort_order", "is_active")
    list_select_related = ("parent",)
    list_filter = ("is_active", "level", ("deleted_at", admin.EmptyFieldListFilter))
    search_fields = ("name", "slug")
    ordering = ("level", "sort_order", "name")
    autocomplete_fields = ("parent",)
    prepopulated_fields = {"slug": ("name",)}
    show_full_result_count = True
    actions = ("soft_delete",)

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data.get(name) for name in services.CATEGORY_FIELDS}
        parent = form.cleaned_data.get("parent")
        saved = services.category_save(
            actor=request.user, category=obj if change else None, parent_id=parent.pk if parent else None,
            request=request, **data,
        )  # fmt: skip
        obj.pk = saved.pk

    def has_delete_permission(self, request, obj=None):
        return False  # soft delete through the action, which checks what is inside

    @admin.action(description=_("Delete the selected categories (soft)"), permissions=["change"])
    def soft_delete(self, request, queryset):
        run_per_row(
            self, request, queryset,
            lambda category: services.category_delete(actor=request.user, category=category, request=request),
            _("%(n)d deleted."),
        )  # fmt: skip


# --- products ---------------------------------------------------------------------------------------
class ProductImageInline(ReadOnlyInlineMixin, admin.TabularInline):
    model = ProductImage
    fields = ("url", "thumbnail_url", "alt_text", "sort_order", "is_primary")
    readonly_fields = fields
    ordering = ("sort_order", "pk")
    show_change_link = False


class ProductVariantInline(ReadOnlyInlineMixin, admin.TabularInline):
    model = ProductVariant
    fields = ("name", "sku", "attributes", "price_adjustment", "stock_quantity", "is_active", "deleted_at")
    readonly_fields = fields
    show_change_link = False


class ProductAttributeInline(ReadOnlyInlineMixin, admin.TabularInline):
    model = ProductAttribute
    fields = ("name", "value", "sort_order")
    readonly_fields = fields
    ordering = ("sort_order", "pk")
    show_change_link = False


class ProductAdminForm(forms.ModelForm):
    class Meta:
        model = Product
        fields = ("seller",) + tuple(name for name in services.PRODUCT_FIELDS)

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        probe = Product(pk=self.instance.pk, seller=data.get("seller") or getattr(self.instance, "seller", None))
        for name in ("status", "published_at", "tax_rate"):
            setattr(probe, name, getattr(self.instance, name, None))
        try:
            services.product_validate(product=probe, data=_service_data(data))
        except ValidationError as error:
            _form_errors(self, error)
        return data


def _service_data(cleaned):
    data = {name: cleaned.get(name) for name in services.PRODUCT_FIELDS if name in cleaned}
    if data.get("category") is not None:
        data["category"] = data["category"].pk
    return data


@admin.register(Product)
class ProductAdmin(BaseAdmin):
    form = ProductAdminForm
    list_display = (
        "name",
        "sku",
        "seller",
        "category",
        "base_price_uzs",
        "sale_price_uzs",
        "stock_quantity",
        "status",
        "is_featured",
        "created_at",
    )
    list_select_related = ("seller", "category")
    list_filter = ("status", "is_featured", "is_digital", "requires_shipping", "created_at", "published_at")
    search_fields = ("name", "sku", "barcode", "brand", "seller__email")
    date_hierarchy = "created_at"
    autocomplete_fields = ("seller", "category")
    readonly_on_change = ("seller",)
    # Kept by services: status and featured through the actions, counters by views and reviews.
    readonly_fields = ("status", "is_featured", "published_at", "view_count", "rating_average", "rating_count")
    inlines = (ProductImageInline, ProductVariantInline, ProductAttributeInline)
    actions = ("publish", "unpublish", "feature", "unfeature", "soft_delete")

    base_price_uzs = uzs_column("base_price", _("price"))
    sale_price_uzs = uzs_column("sale_price", _("sale price"))

    def get_queryset(self, request):
        return super().get_queryset(request).filter(deleted_at__isnull=True)

    def save_model(self, request, obj, form, change):
        data = _service_data(form.cleaned_data)
        if change:
            services.product_update(product=obj, actor=request.user, request=request, **data)
        else:
            created = services.product_create(
                seller=form.cleaned_data["seller"], actor=request.user, request=request, **data
            )
            obj.pk = created.pk

    def save_related(self, request, form, formsets, change):
        # The inlines are read-only: pictures, variants and attributes change through the catalog
        # services from the seller center, never from this form. Nothing is saved here; the
        # admin's history message still asks each formset what it saved: nothing.
        for formset in formsets:
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []

    def has_delete_permission(self, request, obj=None):
        return False  # soft delete through the action

    @admin.action(description=_("Publish the selected products"), permissions=["change"])
    def publish(self, request, queryset):
        run_per_row(
            self, request, queryset,
            lambda p: services.product_publish(product=p, actor=request.user, request=request),
            _("%(n)d published."),
        )  # fmt: skip

    @admin.action(description=_("Take the selected products off sale"), permissions=["change"])
    def unpublish(self, request, queryset):
        run_per_row(
            self, request, queryset,
            lambda p: services.product_unpublish(product=p, actor=request.user, request=request),
            _("%(n)d taken off sale."),
        )  # fmt: skip

    @admin.action(description=_("Feature on the home page"), permissions=["change"])
    def feature(self, request, queryset):
        run_per_row(
            self, request, queryset,
            lambda p: services.product_set_featured(product=p, actor=request.user, featured=True, request=request),
            _("%(n)d featured."),
        )  # fmt: skip

    @admin.action(description=_("Stop featuring"), permissions=["change"])
    def unfeature(self, request, queryset):
        run_per_row(
            self, request, queryset,
            lambda p: services.product_set_featured(product=p, actor=request.user, featured=False, request=request),
            _("%(n)d no longer featured."),
        )  # fmt: skip

    @admin.action(description=_("Delete the selected products (soft)"), permissions=["change"])
    def soft_delete(self, request, queryset):
        run_per_row(
            self, request, queryset,
            lambda p: services.product_delete(product=p, actor=request.user, request=request),
            _("%(n)d deleted."),
        )  # fmt: skip


@admin.register(ProductImage)
class ProductImageAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "product", "sort_order", "is_primary", "created_at")
    list_select_related = ("product",)
    list_filter = ("is_primary", "created_at")
    search_fields = ("product__name", "alt_text")
    raw_id_fields = ("product",)


@admin.register(ProductVariant)
class ProductVariantAdmin(ReadOnlyAdmin):
    list_display = ("name", "sku", "product", "price_adjustment_uzs", "stock_quantity", "is_active")
    list_select_related = ("product",)
    list_filter = ("is_active", "created_at")
    search_fields = ("name", "sku", "product__name")
    raw_id_fields = ("product",)

    price_adjustment_uzs = uzs_column("price_adjustment", _("price adjustment"))


@admin.register(ProductAttribute)
class ProductAttributeAdmin(ReadOnlyAdmin):
    list_display = ("name", "value", "product", "sort_order")
    list_select_related = ("product",)
    list_filter = ("created_at",)
    search_fields = ("name", "value", "product__name")
    raw_id_fields = ("product",)
