from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "catalog"
    verbose_name = _("Catalog")

    def ready(self):
        from accounts import hooks as accounts_hooks

        from .cache import account_changed

        accounts_hooks.account_changed.register(account_changed)
