from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _

from gogomarket.core.db import Index


class AnalyticsEvent(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        related_name="analytics_events",
        db_index=False,
        null=True,
        blank=True,
        verbose_name=_("user"),
    )
    session_id = models.CharField(max_length=255, null=True, blank=True, verbose_name=_("session id"))
    event_type = models.CharField(max_length=100, verbose_name=_("event type"))
    event_name = models.CharField(max_length=200, verbose_name=_("event name"))
    properties = models.JSONField(null=True, blank=True, verbose_name=_("properties"))
    page_url = models.TextField(null=True, blank=True, verbose_name=_("page URL"))
    referrer_url = models.TextField(null=True, blank=True, verbose_name=_("referrer URL"))
    ip_address = models.GenericIPAddressField(null=True, blank=True, verbose_name=_("ip address"))
    user_agent = models.TextField(null=True, blank=True, verbose_name=_("user agent"))
    created_at = models.DateTimeField(db_default=Now(), editable=False, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("analytics event")
        verbose_name_plural = _("analytics events")
        db_table = "analytics_events"
        indexes = [
            Index(fields=["user"], name="idx_analytics_user_id"),
            Index(fields=["session_id"], name="idx_analytics_session_id"),
            Index(fields=["event_type"], name="idx_analytics_event_type"),
            Index(fields=["-created_at"], name="idx_analytics_created"),
        ]

    def __str__(self):
        return f"{self.event_type}: {self.event_name}"


class SellerStatistics(models.Model):
    seller = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="seller_statistics",
        db_index=False,
        verbose_name=_("seller"),
    )
    total_products = models.IntegerField(
        null=True, blank=True, default=0, db_default=0, verbose_name=_("total products")
    )
    active_products = models.IntegerField(
        null=True, blank=True, default=0, db_default=0, verbose_name=_("active products")
    )
    total_orders = models.IntegerField(null=True, blank=True, default=0, db_default=0, verbose_name=_("total orders"))
    completed_orders = models.IntegerField(
        null=True, blank=True, default=0, db_default=0, verbose_name=_("completed orders")
    )
    cancelled_orders = models.IntegerField(
        null=True, blank=True, default=0, db_default=0, verbose_name=_("cancelled orders")
    )
    total_revenue = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        default=Decimal("0"),
        db_default=Decimal("0"),
        verbose_name=_("total revenue"),
    )
    total_commission = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        default=Decimal("0"),
        db_default=Decimal("0"),
        verbose_name=_("total commission"),
    )
    average_rating = models.DecimalField(
        max_digits=3,
        decimal_places=2,
        null=True,
        blank=True,
        default=Decimal("0"),
        db_default=Decimal("0"),
        verbose_name=_("average rating"),
    )
    total_reviews = models.IntegerField(null=True, blank=True, default=0, db_default=0, verbose_name=_("total reviews"))
    response_rate = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        default=Decimal("0"),
        db_default=Decimal("0"),
        verbose_name=_("response rate"),
    )
    response_time_hours = models.DecimalField(
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        default=Decimal("0"),
        db_default=Decimal("0"),
        verbose_name=_("response time hours"),
    )
    updated_at = models.DateTimeField(db_default=Now(), auto_now=True, editable=False, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("seller statistics")
        verbose_name_plural = _("seller statistics")
        db_table = "seller_statistics"
        indexes = [
            Index(fields=["-total_revenue"], name="idx_seller_stats_revenue"),
            Index(fields=["-average_rating"], name="idx_seller_stats_rating"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["seller"], name="idx_seller_stats_seller_id"),
        ]

    def __str__(self):
        return f"statistics of seller {self.seller_id}"
