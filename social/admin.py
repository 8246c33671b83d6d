from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from gogomarket.core.admin_utils import BaseAdmin, HistoryInline, short_text_column

from .models import Reel, ReelComment, ReelLike, Story, StoryView, Subscription


class StoryViewInline(HistoryInline):
    model = StoryView
    fields = ("viewer", "viewed_at")
    select_related = ("viewer",)


@admin.register(Story)
class StoryAdmin(BaseAdmin):
    list_display = ("__str__", "user", "type", "view_count", "is_active", "expires_at", "created_at")
    list_select_related = ("user",)
    list_filter = ("type", "is_active", "expires_at", "created_at", ("deleted_at", admin.EmptyFieldListFilter))
    search_fields = ("user__email", "caption")
    date_hierarchy = "created_at"
    autocomplete_fields = ("user",)
    readonly_fields = ("view_count",)
    inlines = (StoryViewInline,)


@admin.register(StoryView)
class StoryViewAdmin(BaseAdmin):
    list_display = ("story", "viewer", "viewed_at")
    list_select_related = ("story", "viewer")
    list_filter = ("viewed_at",)
    search_fields = ("viewer__email", "story__user__email")
    # No date_hierarchy: on a table this size it costs a DISTINCT over every row per page.
    autocomplete_fields = ("story", "viewer")
    readonly_fields = ("viewed_at",)


class ReelCommentInline(HistoryInline):
    model = ReelComment
    fields = ("user", "content", "parent", "like_count", "created_at")
    select_related = ("user", "parent")


@admin.register(Reel)
class ReelAdmin(BaseAdmin):
    list_display = (
        "__str__",
        "user",
        "duration",
        "view_count",
        "like_count",
        "comment_count",
        "is_active",
        "created_at",
    )
    list_select_related = ("user",)
    list_filter = ("is_active", "created_at", ("deleted_at", admin.EmptyFieldListFilter))
    search_fields = ("title", "description", "user__email")
    date_hierarchy = "created_at"
    autocomplete_fields = ("user",)
    # Counters kept by the services that record views, likes, comments and shares.
    readonly_fields = ("view_count", "like_count", "comment_count", "share_count")
    inlines = (ReelCommentInline,)


@admin.register(ReelLike)
class ReelLikeAdmin(BaseAdmin):
    list_display = ("reel", "user", "created_at")
    list_select_related = ("reel", "user")
    list_filter = ("created_at",)
    search_fields = ("user__email", "reel__title")
    # No date_hierarchy: on a table this size it costs a DISTINCT over every row per page.
    autocomplete_fields = ("reel", "user")


@admin.register(ReelComment)
class ReelCommentAdmin(BaseAdmin):
    list_display = ("__str__", "reel", "user", "short_content", "like_count", "created_at")
    list_select_related = ("reel", "user")
    list_filter = ("created_at", ("deleted_at", admin.EmptyFieldListFilter))
    search_fields = ("content", "user__email")
    date_hierarchy = "created_at"
    autocomplete_fields = ("reel", "user", "parent")
    readonly_fields = ("like_count",)

    short_content = short_text_column("content", _("content"))


@admin.register(Subscription)
class SubscriptionAdmin(BaseAdmin):
    list_display = ("subscriber", "subscribed_to", "created_at")
    list_select_related = ("subscriber", "subscribed_to")
    list_filter = ("created_at",)
    search_fields = ("subscriber__email", "subscribed_to__email")
    date_hierarchy = "created_at"
    autocomplete_fields = ("subscriber", "subscribed_to")
