"""The catalog API: the category tree and products for everyone, and the seller's own products
for sellers (``/api/v1/seller/products/``). Lists come from the same selectors as the pages;
writes go through ``catalog.services``; another seller's product is a 404."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny, BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.enums import UserRole
from catalog import search as catalog_search
from catalog import selectors, services
from catalog.models import Product, ProductAttribute, ProductImage, ProductVariant
from gogomarket.core.api.parsers import JSONParser
from gogomarket.core.api.schema import INVALID, error
from gogomarket.core.api.validation import validated

from .filters import ProductFilterSet
from .serializers import (
    AttributeInputSerializer,
    AttributeSerializer,
    CategoryNodeSerializer,
    ImageOrderInputSerializer,
    ImageSerializer,
    ImageUploadInputSerializer,
    ProductCreateInputSerializer,
    ProductDetailSerializer,
    ProductInputSerializer,
    ProductPageSerializer,
    SellerProductListSerializer,
    SellerProductSerializer,
    VariantInputSerializer,
    VariantSerializer,
)

MAX_PAGE_SIZE = 100


def _positive_int(value, default, name, maximum=None):
    if value in (None, ""):
        return default
    try:
        number = int(value)
        if number < 1:
            raise ValueError
    except (TypeError, ValueError):
        raise exceptions.ValidationError({name: ["A whole number of 1 or more."]}) from None
    return min(number, maximum) if maximum else number


class CategoryTreeAPIView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        tags=["catalog"],
        summary="The category tree",
        description="Live categories, three levels, in display order.",
        responses={200: CategoryNodeSerializer(many=True)},
    )
    def get(self, request):
        return Response(CategoryNodeSerializer(selectors.category_tree().roots, many=True).data)


PRODUCT_LIST_PARAMETERS = [
    OpenApiParameter("search", str, description="Words to search for (typos are tolerated)."),
    OpenApiParameter("category", str, description="Category id or slug; subcategories included."),
    OpenApiParameter("seller", int, description="A seller's id."),
    OpenApiParameter("min_price", float),
    OpenApiParameter("max_price", float),
    OpenApiParameter("brand", str, description="Brands, comma separated."),
    OpenApiParameter("min_rating", float),
    OpenApiParameter("in_stock", bool),
    OpenApiParameter("attribute", str, many=True, description="name:value; repeat for more."),
    OpenApiParameter("ordering", str, enum=["relevance", "popular", "newest", "price", "-price", "rating"]),
    OpenApiParameter("page", int),
    OpenApiParameter("page_size", int, description=f"At most {MAX_PAGE_SIZE}."),
]


class ProductListAPIView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="products_list",
        tags=["catalog"],
        summary="Products on sale",
        description=(
            "Filter, search and order the products buyers can see. With `search`, results are "
            "ranked (exact name first) and misspelt words are corrected."
        ),
        parameters=PRODUCT_LIST_PARAMETERS,
        responses={200: ProductPageSerializer, 400: INVALID},
    )
    def get(self, request):
        filterset = ProductFilterSet(request.query_params)
        if not filterset.is_valid():
            raise exceptions.ValidationError(filterset.errors)
        page = _positive_int(request.query_params.get("page"), 1, "page", maximum=1000)
        size = _positive_int(request.query_params.get("page_size"), selectors.PAGE_SIZE, "page_size", MAX_PAGE_SIZE)
        filters = filterset.listing_filters()
        corrected = None
        if filterset.search_text:
            parsed = catalog_search.parse(filterset.search_text)
            listing = selectors.search_page(parsed, filters, sort=filterset.sort, page=page, per_page=size)
            corrected = parsed.corrected_text if parsed.corrections else None
        else:
            listing = selectors.listing_page(filters, sort=filterset.sort, page=page, per_page=size)

        def link(number):
            params = request.query_params.copy()
            params["page"] = number
            return request.build_absolute_uri(f"{request.path}?{params.urlencode()}")

        return Response(
            ProductPageSerializer(
                {
                    "count": listing.total,
                    "count_capped": listing.total_capped,
                    "page": listing.page,
                    "pages": listing.pages,
                    "next": link(listing.page + 1) if listing.has_next else None,
                    "previous": link(listing.page - 1) if listing.has_previous else None,
                    "corrected_query": corrected,
                    "results": listing.cards,
                }
            ).data
        )


class ProductDetailAPIView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        tags=["catalog"],
        summary="One product",
        description="With its pictures, live variants (each with its price) and attributes.",
        responses={200: ProductDetailSerializer, 404: error("Not on sale (`not_found`).")},
    )
    def get(self, request, product_id):
        product = _product_for_buyer(product_id)
        return Response(ProductDetailSerializer(product).data)


def _product_for_buyer(product_id):
    product = selectors.product_detail_prefetch(Product.objects.visible()).filter(pk=product_id).first()
    if product is None:
        raise exceptions.NotFound()
    return product


# --- seller -------------------------------------------------------------------------------------
class IsSeller(BasePermission):
    message = "Only seller accounts may do this."

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and request.user.role == UserRole.SELLER)

    def has_object_permission(self, request, view, obj):
        return obj.seller_id == request.user.pk


def seller_schema(**kwargs):
    return extend_schema(tags=["seller"], **kwargs)


@extend_schema_view(
    list=seller_schema(summary="My products", responses={200: SellerProductListSerializer(many=True)}),
    retrieve=seller_schema(summary="One of my products", responses={200: SellerProductSerializer}),
    create=seller_schema(
        summary="Add a product (as a draft)",
        request=ProductCreateInputSerializer,
        responses={201: SellerProductSerializer, 400: INVALID},
    ),
    partial_update=seller_schema(
        summary="Change a product",
        request=ProductInputSerializer,
        responses={200: SellerProductSerializer, 400: INVALID},
    ),
    destroy=seller_schema(summary="Delete a product (soft)", responses={204: None}),
)
class SellerProductViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [IsAuthenticated, IsSeller]
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    lookup_value_converter = "int"
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Product.objects.none()
        queryset = selectors.seller_products(seller=self.request.user)
        if self.action == "list":
            return queryset.order_by("-updated_at", "-id")
        return selectors.product_detail_prefetch(queryset, for_seller=True)

    def get_serializer_class(self):
        return SellerProductListSerializer if self.action == "list" else SellerProductSerializer

    def _answer(self, product, code=status.HTTP_200_OK):
        fresh = self.get_queryset().get(pk=product.pk)
        return Response(SellerProductSerializer(fresh).data, status=code)

    def create(self, request):
        data = validated(ProductCreateInputSerializer, request.data)
        product = services.product_create(seller=request.user, request=request._request, **data)
        return self._answer(product, status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        product = self.get_object()
        data = validated(ProductInputSerializer, request.data, partial=True)
        services.product_update(product=product, actor=request.user, request=request._request, **data)
        return self._answer(product)

    def destroy(self, request, pk=None):
        services.product_delete(product=self.get_object(), actor=request.user, request=request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _status(self, service):
        product = self.get_object()
        service(product=product, actor=self.request.user, request=self.request._request)
        return self._answer(product)

    @seller_schema(summary="Put on sale", request=None, responses={200: SellerProductSerializer, 400: INVALID})
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        return self._status(services.product_publish)

    @seller_schema(summary="Take off sale", request=None, responses={200: SellerProductSerializer, 400: INVALID})
    @action(detail=True, methods=["post"])
    def unpublish(self, request, pk=None):
        return self._status(services.product_unpublish)

    @seller_schema(summary="Discontinue", request=None, responses={200: SellerProductSerializer, 400: INVALID})
    @action(detail=True, methods=["post"])
    def discontinue(self, request, pk=None):
        return self._status(services.product_discontinue)

    # pictures
    @seller_schema(
        summary="Add a picture",
        request={"multipart/form-data": ImageUploadInputSerializer},
        responses={201: ImageSerializer, 400: INVALID},
    )
    @action(detail=True, methods=["post"], url_path="images")
    def image_add(self, request, pk=None):
        product = self.get_object()
        data = validated(ImageUploadInputSerializer, request.data)
        image = services.product_image_add(
            product=product,
            actor=request.user,
            uploaded=data["image"],
            alt_text=data.get("alt_text"),
            request=request._request,
        )
        return Response(ImageSerializer(image).data, status=status.HTTP_201_CREATED)

    @seller_schema(
        summary="Order the pictures", request=ImageOrderInputSerializer, responses={200: ImageSerializer(many=True)}
    )
    @action(detail=True, methods=["post"], url_path="images/reorder", pagination_class=None)
    def image_reorder(self, request, pk=None):
        product = self.get_object()
        data = validated(ImageOrderInputSerializer, request.data)
        services.product_images_reorder(
            product=product, actor=request.user, image_ids=data["images"], request=request._request
        )
        images = ProductImage.objects.filter(product=product).order_by("sort_order", "id")
        return Response(ImageSerializer(images, many=True).data)

    @seller_schema(
        summary="Make a picture the primary one", request=None, responses={200: ImageSerializer, 400: INVALID}
    )
    @action(detail=True, methods=["post"], url_path="images/<int:image_id>/primary")
    def image_primary(self, request, pk=None, image_id=None):
        product = self.get_object()
        image = services.product_image_set_primary(
            product=product, actor=request.user, image_id=image_id, request=request._request
        )
        return Response(ImageSerializer(image).data)

    @seller_schema(summary="Remove a picture", request=None, responses={204: None, 400: INVALID})
    @action(detail=True, methods=["delete"], url_path="images/<int:image_id>")
    def image_delete(self, request, pk=None, image_id=None):
        product = self.get_object()
        services.product_image_delete(product=product, actor=request.user, image_id=image_id, request=request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)

    # variants
    @seller_schema(
        summary="Add a variant", request=VariantInputSerializer, responses={201: VariantSerializer, 400: INVALID}
    )
    @action(detail=True, methods=["post"], url_path="variants")
    def variant_add(self, request, pk=None):
        product = self.get_object()
        data = validated(VariantInputSerializer, request.data)
        if "name" not in data:
            raise exceptions.ValidationError({"name": ["This field is required."]})
        variant = services.variant_create(product=product, actor=request.user, request=request._request, **data)
        return Response(VariantSerializer(variant).data, status=status.HTTP_201_CREATED)

    @seller_schema(
        methods=["PATCH"],
        summary="Change a variant",
        request=VariantInputSerializer,
        responses={200: VariantSerializer, 400: INVALID},
    )
    @seller_schema(methods=["DELETE"], summary="Remove a variant", request=None, responses={204: None})
    @action(detail=True, methods=["patch", "delete"], url_path="variants/<int:variant_id>")
    def variant_change(self, request, pk=None, variant_id=None):
        product = self.get_object()
        variant = ProductVariant.objects.filter(pk=variant_id, product=product, deleted_at__isnull=True).first()
        if variant is None:
            raise exceptions.NotFound()
        if request.method == "DELETE":
            services.variant_delete(variant=variant, actor=request.user, request=request._request)
            return Response(status=status.HTTP_204_NO_CONTENT)
        data = validated(VariantInputSerializer, request.data, partial=True)
        variant = services.variant_update(variant=variant, actor=request.user, request=request._request, **data)
        return Response(VariantSerializer(variant).data)

    # attributes
    @seller_schema(
        summary="Add an attribute", request=AttributeInputSerializer, responses={201: AttributeSerializer, 400: INVALID}
    )
    @action(detail=True, methods=["post"], url_path="attributes")
    def attribute_add(self, request, pk=None):
        product = self.get_object()
        data = validated(AttributeInputSerializer, request.data)
        attribute = services.attribute_create(product=product, actor=request.user, request=request._request, **data)
        return Response(AttributeSerializer(attribute).data, status=status.HTTP_201_CREATED)

    @seller_schema(
        methods=["PATCH"],
        summary="Change an attribute",
        request=AttributeInputSerializer,
        responses={200: AttributeSerializer, 400: INVALID},
    )
    @seller_schema(methods=["DELETE"], summary="Remove an attribute", request=None, responses={204: None})
    @action(detail=True, methods=["patch", "delete"], url_path="attributes/<int:attribute_id>")
    def attribute_change(self, request, pk=None, attribute_id=None):
        product = self.get_object()
        attribute = ProductAttribute.objects.filter(pk=attribute_id, product=product).first()
        if attribute is None:
            raise exceptions.NotFound()
        if request.method == "DELETE":
            services.attribute_delete(attribute=attribute, actor=request.user, request=request._request)
            return Response(status=status.HTTP_204_NO_CONTENT)
        data = validated(AttributeInputSerializer, request.data, partial=True)  # PATCH: what is sent changes
        attribute = services.attribute_update(
            attribute=attribute,
            actor=request.user,
            name=data.get("name", attribute.name),
            value=data.get("value", attribute.value),
            request=request._request,
        )
        return Response(AttributeSerializer(attribute).data)

    def handle_exception(self, exc):
        if isinstance(exc, DjangoPermissionDenied):
            exc = exceptions.NotFound()  # never confirm that someone else's product exists
        return super().handle_exception(exc)
