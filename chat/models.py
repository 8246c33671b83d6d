from django.conf import settings
from django.db import models
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _

from gogomarket.core.db import EnumField, Index

from .enums import ChatRole, ChatType, MessageType


class Chat(models.Model):
    type = EnumField(enum_type="chat_type_enum", choices=ChatType.choices, verbose_name=_("type"))
    name = models.CharField(max_length=255, null=True, blank=True, verbose_name=_("name"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        db_column="created_by",
        related_name="created_chats",
        verbose_name=_("created by"),
    )
    last_message_at = models.DateTimeField(null=True, blank=True, verbose_name=_("last message at"))
    created_at = models.DateTimeField(db_default=Now(), editable=False, verbose_name=_("created at"))
    updated_at = models.DateTimeField(db_default=Now(), auto_now=True, editable=False, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("chat")
        verbose_name_plural = _("chats")
        db_table = "chats"
        indexes = [
            Index(fields=["type"], name="idx_chats_type"),
            Index(fields=["-last_message_at"], name="idx_chats_last_message"),
        ]

    def __str__(self):
        return self.name or f"{self.get_type_display()} chat {self.pk}"


class ChatParticipant(models.Model):
    chat = models.ForeignKey(
        "Chat", on_delete=models.CASCADE, related_name="participants", db_index=False, verbose_name=_("chat")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="chat_memberships",
        db_index=False,
        verbose_name=_("user"),
    )
    role = EnumField(
        enum_type="chat_role_enum",
        choices=ChatRole.choices,
        null=True,
        blank=True,
        default=ChatRole.MEMBER,
        db_default="member",
        verbose_name=_("role"),
    )
    joined_at = models.DateTimeField(db_default=Now(), verbose_name=_("joined at"))
    last_read_at = models.DateTimeField(null=True, blank=True, verbose_name=_("last read at"))
    is_muted = models.BooleanField(null=True, blank=True, default=False, db_default=False, verbose_name=_("is muted"))

    class Meta:
        verbose_name = _("chat participant")
        verbose_name_plural = _("chat participants")
        db_table = "chat_participants"
        indexes = [
            Index(fields=["chat"], name="idx_chat_participants_chat_id"),
            Index(fields=["user"], name="idx_chat_participants_user_id"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["chat", "user"], name="idx_chat_participants_unique"),
        ]

    def __str__(self):
        return f"user {self.user_id} in chat {self.chat_id}"


class Message(models.Model):
    chat = models.ForeignKey(
        "Chat", on_delete=models.CASCADE, related_name="messages", db_index=False, verbose_name=_("chat")
    )
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="sent_messages",
        db_index=False,
        verbose_name=_("sender"),
    )
    reply_to = models.ForeignKey(
        "self", on_delete=models.SET_NULL, related_name="replies", null=True, blank=True, verbose_name=_("reply to")
    )
    type = EnumField(
        enum_type="message_type_enum",
        choices=MessageType.choices,
        default=MessageType.TEXT,
        db_default="text",
        verbose_name=_("type"),
    )
    content = models.TextField(null=True, blank=True, verbose_name=_("content"))
    media_url = models.TextField(null=True, blank=True, verbose_name=_("media URL"))
    metadata = models.JSONField(null=True, blank=True, verbose_name=_("metadata"))
    is_edited = models.BooleanField(null=True, blank=True, default=False, db_default=False, verbose_name=_("is edited"))
    is_deleted = models.BooleanField(
        null=True, blank=True, default=False, db_default=False, verbose_name=_("is deleted")
    )
    created_at = models.DateTimeField(db_default=Now(), editable=False, verbose_name=_("created at"))
    updated_at = models.DateTimeField(db_default=Now(), auto_now=True, editable=False, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        db_table = "messages"
        indexes = [
            Index(fields=["chat"], name="idx_messages_chat_id"),
            Index(fields=["sender"], name="idx_messages_sender_id"),
            Index(fields=["-created_at"], name="idx_messages_created"),
        ]

    def __str__(self):
        return f"message {self.pk} in chat {self.chat_id}"


class MessageRead(models.Model):
    message = models.ForeignKey(
        "Message", on_delete=models.CASCADE, related_name="reads", db_index=False, verbose_name=_("message")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="message_reads",
        db_index=False,
        verbose_name=_("user"),
    )
    read_at = models.DateTimeField(db_default=Now(), verbose_name=_("read at"))

    class Meta:
        verbose_name = _("message read")
        verbose_name_plural = _("message reads")
        db_table = "message_reads"
        indexes = [
            Index(fields=["message"], name="idx_message_reads_message_id"),
            Index(fields=["user"], name="idx_message_reads_user_id"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["message", "user"], name="idx_message_reads_unique"),
        ]

    def __str__(self):
        return f"message {self.message_id} read by {self.user_id}"
