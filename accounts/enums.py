from django.db import models
from django.utils.translation import gettext_lazy as _


class UserRole(models.TextChoices):
    """PostgreSQL ENUM type ``user_role_enum``."""

    ADMIN = "admin", _("Admin")
    BUYER = "buyer", _("Buyer")
    SELLER = "seller", _("Seller")
    COURIER = "courier", _("Courier")


class UserStatus(models.TextChoices):
    """PostgreSQL ENUM type ``user_status_enum``."""

    ACTIVE = "active", _("Active")
    INACTIVE = "inactive", _("Inactive")
    SUSPENDED = "suspended", _("Suspended")
    BANNED = "banned", _("Banned")


class AdminRoleType(models.TextChoices):
    """PostgreSQL ENUM type ``admin_role_enum``."""

    SUPER_ADMIN = "super_admin", _("Super admin")
    ROLE_MANAGER = "role_manager", _("Role manager")
    ACCOUNTING = "accounting", _("Accounting")
    TECHNICAL_ACCESS = "technical_access", _("Technical access")


class AddressType(models.TextChoices):
    """PostgreSQL ENUM type ``address_type_enum``."""

    DELIVERY = "delivery", _("Delivery")
    BILLING = "billing", _("Billing")
