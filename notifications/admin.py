from django.contrib import admin

from gogomarket.core.admin_utils import BaseAdmin

from .models import Notification, NotificationSetting


@admin.register(Notification)
class NotificationAdmin(BaseAdmin):
    list_display = ("title", "user", "type", "reference_type", "reference_id", "is_read", "created_at")
    list_select_related = ("user",)
    list_filter = ("type", "is_read", "created_at")
    search_fields = ("title", "user__email")
    # No date_hierarchy: on a table this size it costs a DISTINCT over every row per page.
    autocomplete_fields = ("user",)
    readonly_fields = ("read_at",)


@admin.register(NotificationSetting)
class NotificationSettingAdmin(BaseAdmin):
    list_display = (
        "user",
        "email_enabled",
        "push_enabled",
        "sms_enabled",
        "order_updates",
        "promotions",
        "messages",
        "reviews",
        "updated_at",
    )
    list_select_related = ("user",)
    list_filter = ("email_enabled", "push_enabled", "sms_enabled", "promotions")
    search_fields = ("user__email",)
    autocomplete_fields = ("user",)
    readonly_on_change = ("user",)
