from django.conf import settings
from django.db import models
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _

from gogomarket.core.db import EnumField, Index

from .enums import StoryType


class Story(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="stories",
        db_index=False,
        verbose_name=_("user"),
    )
    type = EnumField(enum_type="story_type_enum", choices=StoryType.choices, verbose_name=_("type"))
    media_url = models.TextField(verbose_name=_("media URL"))
    thumbnail_url = models.TextField(null=True, blank=True, verbose_name=_("thumbnail URL"))
    duration = models.IntegerField(null=True, blank=True, default=5, db_default=5, verbose_name=_("duration"))
    caption = models.TextField(null=True, blank=True, verbose_name=_("caption"))
    view_count = models.IntegerField(null=True, blank=True, default=0, db_default=0, verbose_name=_("view count"))
    is_active = models.BooleanField(null=True, blank=True, default=True, db_default=True, verbose_name=_("is active"))
    expires_at = models.DateTimeField(verbose_name=_("expires at"))
    created_at = models.DateTimeField(db_default=Now(), editable=False, verbose_name=_("created at"))
    deleted_at = models.DateTimeField(null=True, blank=True, verbose_name=_("deleted at"))

    class Meta:
        verbose_name = _("story")
        verbose_name_plural = _("stories")
        db_table = "stories"
        indexes = [
            Index(fields=["user"], name="idx_stories_user_id"),
            Index(fields=["is_active", "expires_at"], name="idx_stories_active"),
            Index(fields=["-created_at"], name="idx_stories_created"),
        ]

    def __str__(self):
        return f"story {self.pk} by {self.user_id}"


class StoryView(models.Model):
    story = models.ForeignKey(
        "Story", on_delete=models.CASCADE, related_name="views", db_index=False, verbose_name=_("story")
    )
    viewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="story_views",
        db_index=False,
        verbose_name=_("viewer"),
    )
    viewed_at = models.DateTimeField(db_default=Now(), verbose_name=_("viewed at"))

    class Meta:
        verbose_name = _("story view")
        verbose_name_plural = _("story views")
        db_table = "story_views"
        indexes = [
            Index(fields=["story"], name="idx_story_views_story_id"),
            Index(fields=["viewer"], name="idx_story_views_viewer_id"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["story", "viewer"], name="idx_story_views_unique"),
        ]

    def __str__(self):
        return f"story {self.story_id} seen by {self.viewer_id}"


class Reel(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reels", db_index=False, verbose_name=_("user")
    )
    video_url = models.TextField(verbose_name=_("video URL"))
    thumbnail_url = models.TextField(verbose_name=_("thumbnail URL"))
    title = models.CharField(max_length=255, null=True, blank=True, verbose_name=_("title"))
    description = models.TextField(null=True, blank=True, verbose_name=_("description"))
    duration = models.IntegerField(verbose_name=_("duration"))
    view_count = models.IntegerField(null=True, blank=True, default=0, db_default=0, verbose_name=_("view count"))
    like_count = models.IntegerField(null=True, blank=True, default=0, db_default=0, verbose_name=_("like count"))
    comment_count = models.IntegerField(null=True, blank=True, default=0, db_default=0, verbose_name=_("comment count"))
    share_count = models.IntegerField(null=True, blank=True, default=0, db_default=0, verbose_name=_("share count"))
    is_active = models.BooleanField(null=True, blank=True, default=True, db_default=True, verbose_name=_("is active"))
    created_at = models.DateTimeField(db_default=Now(), editable=False, verbose_name=_("created at"))
    updated_at = models.DateTimeField(db_default=Now(), auto_now=True, editable=False, verbose_name=_("updated at"))
    deleted_at = models.DateTimeField(null=True, blank=True, verbose_name=_("deleted at"))

    class Meta:
        verbose_name = _("reel")
        verbose_name_plural = _("reels")
        db_table = "reels"
        indexes = [
            Index(fields=["user"], name="idx_reels_user_id"),
            Index(fields=["is_active"], name="idx_reels_active"),
            Index(fields=["-created_at"], name="idx_reels_created"),
            Index(fields=["-view_count", "-like_count"], name="idx_reels_popular"),
        ]

    def __str__(self):
        return self.title or f"reel {self.pk}"


class ReelLike(models.Model):
    reel = models.ForeignKey(
        "Reel", on_delete=models.CASCADE, related_name="likes", db_index=False, verbose_name=_("reel")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="reel_likes",
        db_index=False,
        verbose_name=_("user"),
    )
    created_at = models.DateTimeField(db_default=Now(), editable=False, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("reel like")
        verbose_name_plural = _("reel likes")
        db_table = "reel_likes"
        indexes = [
            Index(fields=["reel"], name="idx_reel_likes_reel_id"),
            Index(fields=["user"], name="idx_reel_likes_user_id"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["reel", "user"], name="idx_reel_likes_unique"),
        ]

    def __str__(self):
        return f"reel {self.reel_id} liked by {self.user_id}"


class ReelComment(models.Model):
    reel = models.ForeignKey(
        "Reel", on_delete=models.CASCADE, related_name="comments", db_index=False, verbose_name=_("reel")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="reel_comments",
        db_index=False,
        verbose_name=_("user"),
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        related_name="replies",
        db_index=False,
        null=True,
        blank=True,
        verbose_name=_("parent"),
    )
    content = models.TextField(verbose_name=_("content"))
    like_count = models.IntegerField(null=True, blank=True, default=0, db_default=0, verbose_name=_("like count"))
    created_at = models.DateTimeField(db_default=Now(), editable=False, verbose_name=_("created at"))
    updated_at = models.DateTimeField(db_default=Now(), auto_now=True, editable=False, verbose_name=_("updated at"))
    deleted_at = models.DateTimeField(null=True, blank=True, verbose_name=_("deleted at"))

    class Meta:
        verbose_name = _("reel comment")
        verbose_name_plural = _("reel comments")
        db_table = "reel_comments"
        indexes = [
            Index(fields=["reel"], name="idx_reel_comments_reel_id"),
            Index(fields=["user"], name="idx_reel_comments_user_id"),
            Index(fields=["parent"], name="idx_reel_comments_parent_id"),
        ]

    def __str__(self):
        return f"comment {self.pk} on reel {self.reel_id}"


class Subscription(models.Model):
    subscriber = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="subscriptions",
        db_index=False,
        verbose_name=_("subscriber"),
    )
    subscribed_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="subscribers",
        db_index=False,
        verbose_name=_("subscribed to"),
    )
    created_at = models.DateTimeField(db_default=Now(), editable=False, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        db_table = "subscriptions"
        indexes = [
            Index(fields=["subscriber"], name="idx_subscriptions_subscriber"),
            Index(fields=["subscribed_to"], name="idx_subscriptions_subscribed_to"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["subscriber", "subscribed_to"], name="idx_subscriptions_unique"),
            models.CheckConstraint(
                condition=~models.Q(subscriber=models.F("subscribed_to")),
                name="subscriptions_not_self",
                violation_error_message=_("You cannot subscribe to yourself."),
            ),
        ]

    def __str__(self):
        return f"{self.subscriber_id} follows {self.subscribed_to_id}"
