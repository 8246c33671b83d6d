from csp.constants import SELF, UNSAFE_INLINE
from csp.decorators import csp_replace
from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from gogomarket.core import views as core_views
from gogomarket.core.api.views import PublicSettingListAPIView, not_found

api_v1 = [
    path("settings/public/", PublicSettingListAPIView.as_view(), name="settings-public"),
    path("", include("accounts.api.urls")),
    path("", include("catalog.api.urls")),
    path("", include("orders.api.urls")),
    path("", include("finance.api.urls")),
]

# ReDoc writes its styles into <style> elements, some while its script loads (before it could be
# given a nonce), and searches in a worker made from a blob: on this page only, inline styles and
# blob: workers are allowed. Scripts stay our own files. Swagger UI (/api/docs/) needs neither: its
# template carries the response's nonce (templates/drf_spectacular/).
redoc = csp_replace({"style-src": [SELF, UNSAFE_INLINE], "worker-src": [SELF, "blob:"]})(
    SpectacularRedocView.as_view(url_name="api-schema")
)

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("readyz", core_views.readyz, name="readyz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("admin/", admin.site.urls),
    path("api/v1/", include((api_v1, "api"), namespace="api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/redoc/", redoc, name="api-redoc"),
    path("account/", include("accounts.urls")),
    path("seller/", include("catalog.seller_urls")),
    path("delivery/", include("delivery.urls")),
    path("", include("orders.urls")),
    path("payments/", include("finance.urls")),
    path("", include(("finance.page_urls", "money"), namespace="money")),
    path("", include("catalog.urls")),
]

# Unknown addresses under /api/ answer JSON like every API error; pages keep templates/404.html.
handler404 = not_found

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
