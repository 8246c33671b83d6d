from django.conf import settings
from django.db import models
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _

from gogomarket.core.db import EnumField, Index

from .enums import StoryType


class Story(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="stories", db_index=False)
    type = EnumField(enum_type="story_type_enum", choices=StoryType.choices)
    media_url = models.TextField()
    thumbnail_url = models.TextField(null=True, blank=True)
    duration = models.IntegerField(null=True, blank=True, default=5, db_default=5)
    caption = models.TextField(null=True, blank=True)
    view_count = models.IntegerField(null=True, blank=True, default=0, db_default=0)
    is_active = models.BooleanField(null=True, blank=True, default=True, db_default=True)
    expires_at = models.DateTimeField()
    created_at = models.DateTimeField(db_default=Now(), editable=False)
    deleted_at = models.DateTimeField(null=True, blank=True)

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
    story = models.ForeignKey("Story", on_delete=models.CASCADE, related_name="views", db_index=False)
    viewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="story_views", db_index=False
    )
    viewed_at = models.DateTimeField(db_default=Now())

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
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reels", db_index=False)
    video_url = models.TextField()
    thumbnail_url = models.TextField()
    title = models.CharField(max_length=255, null=True, blank=True)
    description = models.TextField(null=True, blank=True)
    duration = models.IntegerField()
    view_count = models.IntegerField(null=True, blank=True, default=0, db_default=0)
    like_count = models.IntegerField(null=True, blank=True, default=0, db_default=0)
    comment_count = models.IntegerField(null=True, blank=True, default=0, db_default=0)
    share_count = models.IntegerField(null=True, blank=True, default=0, db_default=0)
    is_active = models.BooleanField(null=True, blank=True, default=True, db_default=True)
    created_at = models.DateTimeField(db_default=Now(), editable=False)
    updated_at = models.DateTimeField(db_default=Now(), auto_now=True, editable=False)
    deleted_at = models.DateTimeField(null=True, blank=True)

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
    reel = models.ForeignKey("Reel", on_delete=models.CASCADE, related_name="likes", db_index=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reel_likes", db_index=False
    )
    created_at = models.DateTimeField(db_default=Now(), editable=False)

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
    reel = models.ForeignKey("Reel", on_delete=models.CASCADE, related_name="comments", db_index=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reel_comments", db_index=False
    )
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, related_name="replies", db_index=False, null=True, blank=True
    )
    content = models.TextField()
    like_count = models.IntegerField(null=True, blank=True, default=0, db_default=0)
    created_at = models.DateTimeField(db_default=Now(), editable=False)
    updated_at = models.DateTimeField(db_default=Now(), auto_now=True, editable=False)
    deleted_at = models.DateTimeField(null=True, blank=True)

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
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="subscriptions", db_index=False
    )
    subscribed_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="subscribers", db_index=False
    )
    created_at = models.DateTimeField(db_default=Now(), editable=False)

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
        ]

    def __str__(self):
        return f"{self.subscriber_id} follows {self.subscribed_to_id}"
