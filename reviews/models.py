from django.conf import settings
from django.db import models
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _

from gogomarket.core.db import Index


class Review(models.Model):
    order = models.ForeignKey(
        "orders.Order", on_delete=models.PROTECT, related_name="reviews", db_index=False, verbose_name=_("order")
    )
    product = models.ForeignKey(
        "catalog.Product", on_delete=models.PROTECT, related_name="reviews", db_index=False, verbose_name=_("product")
    )
    seller = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="reviews_received",
        db_index=False,
        verbose_name=_("seller"),
    )
    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="reviews_written",
        db_index=False,
        verbose_name=_("buyer"),
    )
    rating = models.IntegerField(verbose_name=_("rating"))
    title = models.CharField(max_length=255, null=True, blank=True, verbose_name=_("title"))
    content = models.TextField(null=True, blank=True, verbose_name=_("content"))
    pros = models.TextField(null=True, blank=True, verbose_name=_("pros"))
    cons = models.TextField(null=True, blank=True, verbose_name=_("cons"))
    is_verified_purchase = models.BooleanField(
        null=True, blank=True, default=True, db_default=True, verbose_name=_("is verified purchase")
    )
    is_approved = models.BooleanField(
        null=True, blank=True, default=False, db_default=False, verbose_name=_("is approved")
    )
    helpful_count = models.IntegerField(null=True, blank=True, default=0, db_default=0, verbose_name=_("helpful count"))
    created_at = models.DateTimeField(db_default=Now(), editable=False, verbose_name=_("created at"))
    updated_at = models.DateTimeField(db_default=Now(), auto_now=True, editable=False, verbose_name=_("updated at"))
    deleted_at = models.DateTimeField(null=True, blank=True, verbose_name=_("deleted at"))

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        db_table = "reviews"
        indexes = [
            Index(fields=["product"], name="idx_reviews_product_id"),
            Index(fields=["seller"], name="idx_reviews_seller_id"),
            Index(fields=["buyer"], name="idx_reviews_buyer_id"),
            Index(fields=["order"], name="idx_reviews_order_id"),
            Index(fields=["rating"], name="idx_reviews_rating"),
            Index(fields=["is_approved"], name="idx_reviews_approved"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rating__gte=1) & models.Q(rating__lte=5), name="reviews_rating_between_1_and_5"
            ),
        ]

    def __str__(self):
        return self.title or f"review {self.pk}"


class ReviewImage(models.Model):
    review = models.ForeignKey(
        "Review", on_delete=models.CASCADE, related_name="images", db_index=False, verbose_name=_("review")
    )
    url = models.TextField(verbose_name=_("URL"))
    thumbnail_url = models.TextField(null=True, blank=True, verbose_name=_("thumbnail URL"))
    sort_order = models.IntegerField(null=True, blank=True, default=0, db_default=0, verbose_name=_("sort order"))
    created_at = models.DateTimeField(db_default=Now(), editable=False, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("review image")
        verbose_name_plural = _("review images")
        db_table = "review_images"
        indexes = [
            Index(fields=["review"], name="idx_review_images_review_id"),
        ]

    def __str__(self):
        return f"image {self.pk} of review {self.review_id}"


class ReviewResponse(models.Model):
    review = models.ForeignKey(
        "Review", on_delete=models.CASCADE, related_name="responses", db_index=False, verbose_name=_("review")
    )
    seller = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="review_responses",
        db_index=False,
        verbose_name=_("seller"),
    )
    content = models.TextField(verbose_name=_("content"))
    created_at = models.DateTimeField(db_default=Now(), editable=False, verbose_name=_("created at"))
    updated_at = models.DateTimeField(db_default=Now(), auto_now=True, editable=False, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("review response")
        verbose_name_plural = _("review responses")
        db_table = "review_responses"
        indexes = [
            Index(fields=["seller"], name="idx_review_responses_seller_id"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["review"], name="idx_review_responses_review_id"),
        ]

    def __str__(self):
        return f"response to review {self.review_id}"
