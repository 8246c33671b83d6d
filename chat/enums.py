from django.db import models
from django.utils.translation import gettext_lazy as _


class ChatType(models.TextChoices):
    """PostgreSQL ENUM type ``chat_type_enum``."""

    DIRECT = "direct", _("Direct")
    GROUP = "group", _("Group")
    SUPPORT = "support", _("Support")


class ChatRole(models.TextChoices):
    """PostgreSQL ENUM type ``chat_role_enum``."""

    ADMIN = "admin", _("Admin")
    MEMBER = "member", _("Member")


class MessageType(models.TextChoices):
    """PostgreSQL ENUM type ``message_type_enum``."""

    TEXT = "text", _("Text")
    IMAGE = "image", _("Image")
    VIDEO = "video", _("Video")
    AUDIO = "audio", _("Audio")
    FILE = "file", _("File")
    LOCATION = "location", _("Location")
    PRODUCT = "product", _("Product")
