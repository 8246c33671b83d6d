from django.db import models
from django.utils.translation import gettext_lazy as _


class SettingType(models.TextChoices):
    """PostgreSQL ENUM type ``setting_type_enum``."""

    STRING = "string", _("String")
    NUMBER = "number", _("Number")
    BOOLEAN = "boolean", _("Boolean")
    JSON = "json", _("Json")
