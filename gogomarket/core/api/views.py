from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny

from gogomarket.core.selectors import public_settings


class PublicSettingSerializer(serializers.Serializer):
    key = serializers.CharField()
    value = serializers.CharField()
    type = serializers.CharField()


@extend_schema(summary="Public platform settings", tags=["platform"])
class PublicSettingListAPIView(ListAPIView):
    """Settings marked public (e.g. minimum order, support phone) that apps may show."""

    permission_classes = [AllowAny]
    serializer_class = PublicSettingSerializer
    pagination_class = None

    def get_queryset(self):
        return public_settings()


def not_found(request, exception=None):
    """The 404 of an address no route matches: JSON under /api/ (``{"detail", "code"}``, as the
    API's own 404s), the site's page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("Not found."), "code": "not_found"}, status=404)
    return defaults.page_not_found(request, exception)
