from django.db import models
from django.utils.translation import gettext_lazy as _


class StoryType(models.TextChoices):
    """PostgreSQL ENUM type ``story_type_enum``."""

    IMAGE = "image", _("Image")
    VIDEO = "video", _("Video")
