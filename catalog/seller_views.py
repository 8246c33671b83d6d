"""Seller center pages (``/seller/``): a seller's products, pictures, variants, attributes, low
stock, CSV import and export. Only seller accounts get in; every product is looked up among the
seller's own, so another seller's product is a 404. Every change is a POST to a service."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View

from accounts.mixins import SellerRequiredMixin
from gogomarket.core.redirects import safe_next

from . import csv_products, selectors, services
from .enums import STOREFRONT_STATUSES
from .forms import (
    AttributeForm,
    BulkActionForm,
    CsvImportForm,
    ImageUploadForm,
    ProductForm,
    SellerProductFilterForm,
    VariantForm,
    product_initial,
    variant_initial,
)
from .models import ProductAttribute, ProductVariant

SELLER_PAGE_SIZE = 50


class SellerProductsMixin(SellerRequiredMixin):
    """The seller center's product pages: seller accounts only (``accounts.mixins``), and a
    product is looked up among the seller's own (another seller's is a 404, for every method)."""

    def product(self, product_id):
        return selectors.product_for_seller_or_404(seller=self.request.user, product_id=product_id)

    def http_method_not_allowed(self, request, *args, **kwargs):
        # Someone else's (or no) product is a 404 for every method, as it is for the POST.
        if "product_id" in kwargs:
            selectors.product_for_seller_or_404(seller=request.user, product_id=kwargs["product_id"])
        return super().http_method_not_allowed(request, *args, **kwargs)


def _edit_url(product, anchor=""):
    return reverse("seller:product_edit", args=[product.pk]) + (f"#{anchor}" if anchor else "")


def _messages_from(request, error):
    for message in error.messages:
        messages.error(request, message)


class DashboardView(SellerProductsMixin, View):
    def get(self, request):
        return redirect("seller:products")


class ProductListView(SellerProductsMixin, View):
    template_name = "seller/product_list.html"

    def get(self, request):
        form = SellerProductFilterForm(request.GET)
        filters = selectors.SellerProductFilters()
        if form.is_valid():
            data = form.cleaned_data
            filters = selectors.SellerProductFilters(q=data["q"], status=data["status"], stock=data["stock"])
        paginator = Paginator(selectors.seller_product_list(seller=request.user, filters=filters), SELLER_PAGE_SIZE)
        page = paginator.get_page(request.GET.get("page"))
        params = request.GET.copy()
        params.pop("page", None)
        return render(
            request,
            self.template_name,
            {
                "form": form,
                "page": page,
                "bulk_form": BulkActionForm(),
                "query_without_page": params.urlencode(),
                "low_stock_count": selectors.seller_low_stock(seller=request.user).count(),
            },
        )


class BulkActionView(SellerProductsMixin, View):
    def post(self, request):
        form = BulkActionForm(request.POST)
        ids = form.product_ids()
        if not form.is_valid() or not ids:
            messages.error(request, _("Choose products and an action."))
            return redirect(_safe_next(request) or "seller:products")
        done, refused = services.products_bulk_action(
            seller=request.user, product_ids=ids, action=form.cleaned_data["action"], request=request
        )
        if done:
            messages.success(
                request, ngettext("%(n)d product changed.", "%(n)d products changed.", len(done)) % {"n": len(done)}
            )
        for product, message in refused:
            messages.warning(request, f"{product.name}: {message}")
        return redirect(_safe_next(request) or "seller:products")


def _safe_next(request):
    return safe_next(request, request.POST.get("next"), "", within="/seller/")


class ProductCreateView(SellerProductsMixin, View):
    template_name = "seller/product_form.html"

    def get(self, request):
        return render(request, self.template_name, {"form": ProductForm(initial={"requires_shipping": True})})

    def post(self, request):
        form = ProductForm(request.POST)
        if form.is_valid():
            try:
                product = services.product_create(seller=request.user, request=request, **form.service_data())
            except ValidationError as error:
                form.add_service_error(error)
            else:
                messages.success(request, _("Product saved as a draft. Add pictures, then publish it."))
                return redirect(_edit_url(product, "images"))
        return render(request, self.template_name, {"form": form}, status=400)


class ProductEditView(SellerProductsMixin, View):
    template_name = "seller/product_edit.html"

    def context(self, product, **forms):
        images = list(product.images.all())
        context = {
            "product": product,
            "actions": services.product_next_actions(product),
            "on_storefront": product.status in STOREFRONT_STATUSES,
            "images": images,
            "variants": product.live_variants,
            "attributes": list(product.attributes.all()),
            "form": ProductForm(initial=product_initial(product), has_variants=bool(product.live_variants)),
            "image_form": ImageUploadForm(),
            # prefixes: the edit page holds several forms, and field ids must not repeat
            "variant_form": VariantForm(
                images=images, initial={"is_active": True, "stock_quantity": 0}, prefix="variant"
            ),
            "attribute_form": AttributeForm(prefix="attribute"),
        }
        replaced = forms.pop("variant_forms", {})
        context["variant_rows"] = [
            (v, replaced.get(v.pk) or VariantForm(images=images, initial=variant_initial(v), prefix=f"v{v.pk}"))
            for v in product.live_variants
        ]
        context.update(forms)
        return context

    def load(self, product_id):
        return selectors.product_with_children_for_seller(seller=self.request.user, product_id=product_id)

    def get(self, request, product_id):
        return render(request, self.template_name, self.context(self.load(product_id)))

    def post(self, request, product_id):
        product = self.load(product_id)
        form = ProductForm(request.POST, has_variants=bool(product.live_variants))
        if form.is_valid():
            try:
                services.product_update(product=product, actor=request.user, request=request, **form.service_data())
            except ValidationError as error:
                form.add_service_error(error)
            else:
                messages.success(request, _("Changes saved."))
                return redirect(_edit_url(product))
        return render(request, self.template_name, self.context(product, form=form), status=400)


class ProductStatusView(SellerProductsMixin, View):
    """One of the product's next actions (``services.ACTIONS``: publish, unpublish, discontinue,
    delete); the service refuses one the product's status does not allow."""

    def post(self, request, product_id, action):
        if action not in services.ACTIONS:
            raise Http404
        product = self.product(product_id)
        try:
            services.BULK_ACTIONS[action](product=product, actor=request.user, request=request)
        except ValidationError as error:
            _messages_from(request, error)
            return redirect(_edit_url(product))
        messages.success(request, services.ACTIONS[action].done)
        return redirect("seller:products" if action == "delete" else _edit_url(product))


class ImageUploadView(SellerProductsMixin, View):
    def post(self, request, product_id):
        product = self.product(product_id)
        form = ImageUploadForm(request.POST, request.FILES)
        if not form.is_valid():
            for error in form.errors.get("images", []):
                messages.error(request, error)
            return redirect(_edit_url(product, "images"))
        added = 0
        for uploaded in form.cleaned_data["images"]:
            try:
                services.product_image_add(product=product, actor=request.user, uploaded=uploaded, request=request)
            except ValidationError as error:
                messages.error(request, f"{uploaded.name}: {' '.join(error.messages)}")
            else:
                added += 1
        if added:
            messages.success(request, ngettext("%(n)d picture added.", "%(n)d pictures added.", added) % {"n": added})
        return redirect(_edit_url(product, "images"))


class ImageActionView(SellerProductsMixin, View):
    """primary / up / down / delete of one picture."""

    def post(self, request, product_id, image_id, action):
        product = self.product(product_id)
        actor = request.user
        try:
            if action == "primary":
                services.product_image_set_primary(product=product, actor=actor, image_id=image_id, request=request)
            elif action in ("up", "down"):
                offset = -1 if action == "up" else 1
                services.product_image_move(
                    product=product, actor=actor, image_id=image_id, offset=offset, request=request
                )
            elif action == "delete":
                services.product_image_delete(product=product, actor=actor, image_id=image_id, request=request)
                messages.success(request, _("Picture removed."))
            else:
                raise Http404
        except ValidationError as error:
            _messages_from(request, error)
        return redirect(_edit_url(product, "images"))


class VariantCreateView(SellerProductsMixin, View):
    def post(self, request, product_id):
        product = selectors.product_with_children_for_seller(seller=request.user, product_id=product_id)
        form = VariantForm(request.POST, images=list(product.images.all()), prefix="variant")
        if form.is_valid():
            try:
                services.variant_create(product=product, actor=request.user, request=request, **form.cleaned_data)
            except ValidationError as error:
                form.add_service_error(error)
            else:
                messages.success(request, _("Variant added."))
                return redirect(_edit_url(product, "variants"))
        view = ProductEditView()
        view.request = request
        return render(request, ProductEditView.template_name, view.context(product, variant_form=form), status=400)


class VariantUpdateView(SellerProductsMixin, View):
    def post(self, request, product_id, variant_id):
        product = selectors.product_with_children_for_seller(seller=request.user, product_id=product_id)
        variant = get_object_or_404(ProductVariant, pk=variant_id, product=product, deleted_at__isnull=True)
        if request.POST.get("delete"):
            services.variant_delete(variant=variant, actor=request.user, request=request)
            messages.success(request, _("Variant removed."))
            return redirect(_edit_url(product, "variants"))
        form = VariantForm(request.POST, images=list(product.images.all()), prefix=f"v{variant.pk}")
        if form.is_valid():
            try:
                services.variant_update(variant=variant, actor=request.user, request=request, **form.cleaned_data)
            except ValidationError as error:
                form.add_service_error(error)
            else:
                messages.success(request, _("Variant saved."))
                return redirect(_edit_url(product, "variants"))
        view = ProductEditView()
        view.request = request
        context = view.context(product, variant_forms={variant.pk: form})
        return render(request, ProductEditView.template_name, context, status=400)


class AttributeCreateView(SellerProductsMixin, View):
    def post(self, request, product_id):
        product = self.product(product_id)
        form = AttributeForm(request.POST, prefix="attribute")
        if form.is_valid():
            try:
                services.attribute_create(product=product, actor=request.user, request=request, **form.cleaned_data)
            except ValidationError as error:
                _messages_from(request, error)
            else:
                messages.success(request, _("Attribute added."))
        else:
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
        return redirect(_edit_url(product, "attributes"))


class AttributeActionView(SellerProductsMixin, View):
    """save / up / down / delete one attribute."""

    def post(self, request, product_id, attribute_id, action):
        product = self.product(product_id)
        attribute = get_object_or_404(ProductAttribute, pk=attribute_id, product=product)
        try:
            if action == "save":
                services.attribute_update(
                    attribute=attribute,
                    actor=request.user,
                    name=request.POST.get("name", ""),
                    value=request.POST.get("value", ""),
                    request=request,
                )
                messages.success(request, _("Attribute saved."))
            elif action in ("up", "down"):
                services.attribute_move(
                    attribute=attribute, actor=request.user, offset=-1 if action == "up" else 1, request=request
                )
            elif action == "delete":
                services.attribute_delete(attribute=attribute, actor=request.user, request=request)
                messages.success(request, _("Attribute removed."))
            else:
                raise Http404
        except ValidationError as error:
            _messages_from(request, error)
        return redirect(_edit_url(product, "attributes"))


class LowStockView(SellerProductsMixin, View):
    def get(self, request):
        paginator = Paginator(selectors.seller_low_stock(seller=request.user).select_related("category"), 100)
        return render(request, "seller/low_stock.html", {"page": paginator.get_page(request.GET.get("page"))})

    def post(self, request):
        """Set the stock of one product from the list."""
        product = self.product(request.POST.get("product") or 0)
        try:
            services.product_stock_set(
                product=product, actor=request.user, quantity=request.POST.get("stock_quantity"), request=request
            )
        except ValidationError as error:
            _messages_from(request, error)
        else:
            messages.success(request, _("Stock of “%(name)s” saved.") % {"name": product.name})
        return redirect("seller:low_stock")

    def product(self, product_id):
        try:
            product_id = int(product_id)
        except (TypeError, ValueError):
            raise Http404 from None
        return super().product(product_id)


class ExportView(SellerProductsMixin, View):
    def get(self, request):
        response = StreamingHttpResponse(
            csv_products.products_csv_stream(seller=request.user), content_type="text/csv; charset=utf-8"
        )
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response["Content-Disposition"] = f'attachment; filename="gogomarket-products-{stamp}.csv"'
        return response


class ImportView(SellerProductsMixin, View):
    template_name = "seller/import.html"

    def get(self, request):
        return render(request, self.template_name, {"form": CsvImportForm(), "columns": csv_products.COLUMNS})

    def post(self, request):
        form = CsvImportForm(request.POST, request.FILES)
        result = None
        if form.is_valid():
            try:
                result = csv_products.products_csv_import(
                    seller=request.user, uploaded=form.cleaned_data["file"], request=request
                )
            except ValidationError as error:
                form.add_service_error(error)
            else:
                if result.ok:
                    messages.success(
                        request,
                        _("Import done: %(created)d new, %(updated)d updated.")
                        % {"created": result.created, "updated": result.updated},
                    )
                    return redirect("seller:products")
        return render(
            request,
            self.template_name,
            {"form": form, "result": result, "columns": csv_products.COLUMNS},
            status=400,
        )
