from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    name = "orders"
    verbose_name = _("Orders")

    def ready(self):
        from . import texts  # noqa: F401  the timeline's sentences
        from .services import lifecycle  # noqa: F401  the steps' sentences
