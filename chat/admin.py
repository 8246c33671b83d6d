from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from gogomarket.core.admin_utils import BaseAdmin, HistoryInline, LimitedInlineMixin, related_count, short_text_column

from .models import Chat, ChatParticipant, Message, MessageRead


class ChatParticipantInline(LimitedInlineMixin, admin.TabularInline):
    model = ChatParticipant
    raw_id_fields = ("user",)
    fields = ("user", "role", "joined_at", "last_read_at", "is_muted")
    readonly_fields = ("joined_at", "last_read_at")
    max_rows = 50
    ordering = ("pk",)


class MessageInline(HistoryInline):
    model = Message
    fields = ("created_at", "sender", "type", "short_content", "is_edited", "is_deleted")
    select_related = ("sender",)
    max_rows = 20

    short_content = short_text_column("content", _("content"))


@admin.register(Chat)
class ChatAdmin(BaseAdmin):
    list_display = ("__str__", "type", "created_by", "participant_count", "last_message_at", "created_at")
    list_select_related = ("created_by",)
    list_filter = ("type", "last_message_at", "created_at")
    search_fields = ("name", "created_by__email")
    date_hierarchy = "created_at"
    autocomplete_fields = ("created_by",)
    readonly_fields = ("last_message_at",)
    inlines = (ChatParticipantInline, MessageInline)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(participant_total=related_count(ChatParticipant, "chat"))

    @admin.display(description=_("participants"), ordering="participant_total")
    def participant_count(self, obj):
        return obj.participant_total


@admin.register(ChatParticipant)
class ChatParticipantAdmin(BaseAdmin):
    list_display = ("chat", "user", "role", "joined_at", "last_read_at", "is_muted")
    list_select_related = ("chat", "user")
    list_filter = ("role", "is_muted", "joined_at")
    search_fields = ("user__email", "chat__name")
    autocomplete_fields = ("chat", "user")
    readonly_fields = ("joined_at",)


@admin.register(Message)
class MessageAdmin(BaseAdmin):
    list_display = ("__str__", "chat", "sender", "type", "short_content", "is_edited", "is_deleted", "created_at")
    list_select_related = ("chat", "sender")
    list_filter = ("type", "is_edited", "is_deleted", "created_at")
    search_fields = ("content", "sender__email")
    # No date_hierarchy: on a table this size it costs a DISTINCT over every row per page.
    autocomplete_fields = ("chat", "sender", "reply_to")

    short_content = short_text_column("content", _("content"))


@admin.register(MessageRead)
class MessageReadAdmin(BaseAdmin):
    list_display = ("message", "user", "read_at")
    list_select_related = ("message", "user")
    list_filter = ("read_at",)
    search_fields = ("user__email",)
    # No date_hierarchy: on a table this size it costs a DISTINCT over every row per page.
    autocomplete_fields = ("message", "user")
    readonly_fields = ("read_at",)
