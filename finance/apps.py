from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FinanceConfig(AppConfig):
    name = "finance"
    verbose_name = _("Finance")

    def ready(self):
        # Finance sits above orders (README "Layers"): it plugs its payment methods and its
        # commission rule into orders' registries and listens to orders' hooks; orders never
        # imports finance.
        from orders import commission, hooks, payments

        from . import texts  # noqa: F401  the sentences of money, for the timeline and statements
        from .order_payments import HANDLERS
        from .services import earnings

        for handler in HANDLERS:
            payments.handler_register(handler)
        commission.commission_rule_install(earnings.commission_quote)
        hooks.order_delivered.register(earnings.commission_record_for_order)
        hooks.order_cancelled.register(earnings.commission_cancel_for_order)
        hooks.order_refunded.register(earnings.commission_cancel_for_order)
