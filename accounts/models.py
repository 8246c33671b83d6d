import uuid

from django.conf import settings
from django.contrib import auth
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.db import models
from django.db.models import Q
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from gogomarket.core.db import EnumField, Index

from .enums import AddressType, AdminRoleType, UserRole, UserStatus


# --- an active account: one rule, three spellings (checked equal by accounts/tests/test_rules.py) ---
# ``User.is_active`` on one loaded user, ``User.objects.active()`` / ``active_account_q`` in the
# ORM, ``active_account_sql`` in hand-written SQL (catalog's search).
def active_account_q(prefix=""):
    """An active account as a ``Q``: status active and not deleted. ``prefix`` reaches it through
    a relation: ``Product.objects.filter(active_account_q("seller__"))``."""
    return Q(**{f"{prefix}status": UserStatus.ACTIVE, f"{prefix}deleted_at__isnull": True})


def active_account_sql(alias):
    """The same condition in SQL, on the ``users`` table aliased ``alias``."""
    return f"{alias}.status = '{UserStatus.ACTIVE.value}' AND {alias}.deleted_at IS NULL"


class UserQuerySet(models.QuerySet):
    def active(self):
        """Accounts that may sign in and act (``User.is_active``): status active, not deleted."""
        return self.filter(active_account_q())


class UserManager(BaseUserManager.from_queryset(UserQuerySet)):
    use_in_migrations = True

    @staticmethod
    def normalize_email(email):
        # The whole address is compared case-insensitively: people type their email in any case.
        return (email or "").strip().lower()

    def get_by_natural_key(self, username):
        return self.get(email=self.normalize_email(username))

    def create_user(self, email, password=None, **fields):
        """Write one user row: email normalised, password hashed (or unusable when None). A plain
        row writer: the rules (duplicates, phone spelling, audit) are ``accounts.services``',
        which call this, never the reverse."""
        user = self.model(email=self.normalize_email(email), **fields)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **fields):
        """``manage.py createsuperuser``: a staff account holding super_admin, written as rows
        (the user, its admin role and an audit row; there is no one to check it against)."""
        from gogomarket.core.services import audit_log_write

        fields["role"] = UserRole.ADMIN
        user = self.create_user(email, password, **fields)
        role = AdminRole.objects.using(self._db).create(user=user, role_type=AdminRoleType.SUPER_ADMIN, permissions={})
        audit_log_write(
            actor=None, action="user.create", entity_type="user", entity_id=user.pk,
            new_values={"email": user.email, "role": user.role, "admin_role_id": role.pk, "by": "createsuperuser"},
        )  # fmt: skip
        return user


class User(AbstractBaseUser):
    """Every person on the platform: buyers, sellers, couriers and staff (role ``admin``).

    Staff rights come from ``admin_roles`` rows (see ``accounts.permissions``), not from Django's
    groups and flags: there are no ``is_staff`` / ``is_superuser`` columns, they are derived.
    """

    uuid = models.UUIDField(default=uuid.uuid4, editable=False, verbose_name=_("UUID"))
    email = models.CharField(_("email"), max_length=255)
    phone = models.CharField(_("phone"), max_length=20, null=True, blank=True)
    password = models.CharField(_("password"), max_length=255, db_column="password_hash")
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    avatar_url = models.TextField(_("avatar URL"), null=True, blank=True)
    role = EnumField(_("role"), enum_type="user_role_enum", choices=UserRole.choices)
    status = EnumField(
        _("status"),
        enum_type="user_status_enum",
        choices=UserStatus.choices,
        default=UserStatus.ACTIVE,
        db_default="active",
    )
    email_verified = models.BooleanField(_("email verified"), null=True, blank=True, default=False, db_default=False)
    phone_verified = models.BooleanField(_("phone verified"), null=True, blank=True, default=False, db_default=False)
    last_login = models.DateTimeField(_("last login"), null=True, blank=True, db_column="last_login_at")
    created_at = models.DateTimeField(_("created"), db_default=Now(), editable=False)
    updated_at = models.DateTimeField(_("updated"), db_default=Now(), auto_now=True, editable=False)
    deleted_at = models.DateTimeField(_("deleted"), null=True, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["first_name", "last_name"]

    class Meta:
        db_table = "users"
        verbose_name = _("user")
        verbose_name_plural = _("users")
        indexes = [
            Index(fields=["role"], name="idx_users_role"),
            Index(fields=["status"], name="idx_users_status"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["uuid"], name="idx_users_uuid"),
            # Default messages on purpose: Django then attaches the error to the field in forms.
            models.UniqueConstraint(fields=["email"], name="idx_users_email"),
            models.UniqueConstraint(fields=["phone"], name="idx_users_phone"),
        ]

    def __str__(self):
        return self.email

    def clean(self):
        super().clean()
        self.email = UserManager.normalize_email(self.email)

    def get_full_name(self):
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self):
        return self.first_name

    @property
    def avatar_thumbnail_url(self):
        """Avatars are stored with a ``_thumb`` sibling (see ``avatar_set``)."""
        if not self.avatar_url:
            return ""
        base, dot, ext = self.avatar_url.rpartition(".")
        return f"{base}_thumb.{ext}" if dot else self.avatar_url

    # --- derived flags ------------------------------------------------------------------
    @property
    def is_active(self):
        """Only active, not soft-deleted accounts may sign in or act. The rule of
        ``User.objects.active()`` (``active_account_q``), for one loaded user."""
        return self.status == UserStatus.ACTIVE and self.deleted_at is None

    @property
    def is_staff(self):
        """Staff may enter the back office: role ``admin`` with at least one live admin role."""
        return self.is_active and self.role == UserRole.ADMIN and bool(self.active_admin_roles)

    @property
    def is_superuser(self):
        return self.is_staff and any(r.role_type == AdminRoleType.SUPER_ADMIN for r in self.active_admin_roles)

    @cached_property
    def active_admin_roles(self):
        """This user's admin roles that have not expired (one query, cached on the instance)."""
        if self.pk is None or self.role != UserRole.ADMIN:
            return []
        return list(self.admin_roles.filter(Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now())))

    # --- permissions (delegated to the authentication backends, like PermissionsMixin) ---
    def has_perm(self, perm, obj=None):
        return any(
            hasattr(backend, "has_perm") and backend.has_perm(self, perm, obj) for backend in auth.get_backends()
        )

    def has_perms(self, perm_list, obj=None):
        return all(self.has_perm(perm, obj) for perm in perm_list)

    def has_module_perms(self, app_label):
        return any(
            hasattr(backend, "has_module_perms") and backend.has_module_perms(self, app_label)
            for backend in auth.get_backends()
        )


class AdminRole(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="admin_roles",
        db_index=False,
        verbose_name=_("user"),
    )
    role_type = EnumField(enum_type="admin_role_enum", choices=AdminRoleType.choices, verbose_name=_("role type"))
    permissions = models.JSONField(default=dict, blank=True, verbose_name=_("permissions"))
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        db_column="granted_by",
        related_name="granted_admin_roles",
        null=True,
        blank=True,
        verbose_name=_("granted by"),
    )
    granted_at = models.DateTimeField(db_default=Now(), verbose_name=_("granted at"))
    expires_at = models.DateTimeField(null=True, blank=True, verbose_name=_("expires at"))
    created_at = models.DateTimeField(db_default=Now(), editable=False, verbose_name=_("created at"))
    updated_at = models.DateTimeField(db_default=Now(), auto_now=True, editable=False, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("admin role")
        verbose_name_plural = _("admin roles")
        db_table = "admin_roles"
        indexes = [
            Index(fields=["user"], name="idx_admin_roles_user_id"),
            Index(fields=["role_type"], name="idx_admin_roles_type"),
        ]

    def __str__(self):
        return f"{self.get_role_type_display()} ({self.user_id})"


class UserSession(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="sessions",
        db_index=False,
        verbose_name=_("user"),
    )
    token = models.CharField(max_length=255, verbose_name=_("token"))
    refresh_token = models.CharField(max_length=255, null=True, blank=True, verbose_name=_("refresh token"))
    ip_address = models.GenericIPAddressField(null=True, blank=True, verbose_name=_("ip address"))
    user_agent = models.TextField(null=True, blank=True, verbose_name=_("user agent"))
    expires_at = models.DateTimeField(verbose_name=_("expires at"))
    created_at = models.DateTimeField(db_default=Now(), editable=False, verbose_name=_("created at"))
    last_activity_at = models.DateTimeField(db_default=Now(), verbose_name=_("last activity at"))

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        db_table = "user_sessions"
        indexes = [
            Index(fields=["user"], name="idx_sessions_user_id"),
            Index(fields=["expires_at"], name="idx_sessions_expires_at"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["token"], name="idx_sessions_token"),
            models.UniqueConstraint(fields=["refresh_token"], name="user_sessions_refresh_token_key"),
        ]

    def __str__(self):
        return f"session {self.pk} of user {self.user_id}"

    @property
    def is_api(self):
        """API sessions have a refresh token; browser sessions do not."""
        return bool(self.refresh_token)

    @property
    def device(self):
        """A short human name of the client, from its user agent."""
        from accounts.devices import device_name

        return device_name(self.user_agent)


class UserSessionSpentToken(models.Model):
    """A refresh token of an API session that was already exchanged (a table beyond the spec).
    Presented again, it was copied: the session ends (``api_session_refresh``). Rows go with their
    session, and once the token would have expired anyway (``sessions_purge_expired``)."""

    session = models.ForeignKey(
        UserSession, on_delete=models.CASCADE, related_name="spent_tokens", db_index=False, verbose_name=_("session")
    )
    token_hash = models.CharField(max_length=64, verbose_name=_("token hash"))
    created_at = models.DateTimeField(db_default=Now(), editable=False, verbose_name=_("spent at"))

    class Meta:
        verbose_name = _("spent refresh token")
        verbose_name_plural = _("spent refresh tokens")
        db_table = "user_session_spent_tokens"
        indexes = [
            Index(fields=["session"], name="idx_spent_tokens_session_id"),
            Index(fields=["created_at"], name="idx_spent_tokens_created_at"),
        ]
        constraints = [models.UniqueConstraint(fields=["token_hash"], name="user_session_spent_tokens_hash_key")]

    def __str__(self):
        return f"spent refresh token of session {self.session_id}"


class UserAddress(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="addresses",
        db_index=False,
        verbose_name=_("user"),
    )
    type = EnumField(enum_type="address_type_enum", choices=AddressType.choices, verbose_name=_("type"))
    is_default = models.BooleanField(
        null=True, blank=True, default=False, db_default=False, verbose_name=_("is default")
    )
    label = models.CharField(max_length=50, null=True, blank=True, verbose_name=_("label"))
    full_name = models.CharField(max_length=200, verbose_name=_("full name"))
    phone = models.CharField(max_length=20, verbose_name=_("phone"))
    country = models.CharField(max_length=100, verbose_name=_("country"))
    city = models.CharField(max_length=100, verbose_name=_("city"))
    district = models.CharField(max_length=100, null=True, blank=True, verbose_name=_("district"))
    street = models.CharField(max_length=255, verbose_name=_("street"))
    building = models.CharField(max_length=50, null=True, blank=True, verbose_name=_("building"))
    apartment = models.CharField(max_length=50, null=True, blank=True, verbose_name=_("apartment"))
    postal_code = models.CharField(max_length=20, null=True, blank=True, verbose_name=_("postal code"))
    latitude = models.DecimalField(max_digits=10, decimal_places=8, null=True, blank=True, verbose_name=_("latitude"))
    longitude = models.DecimalField(max_digits=11, decimal_places=8, null=True, blank=True, verbose_name=_("longitude"))
    delivery_instructions = models.TextField(null=True, blank=True, verbose_name=_("delivery instructions"))
    created_at = models.DateTimeField(db_default=Now(), editable=False, verbose_name=_("created at"))
    updated_at = models.DateTimeField(db_default=Now(), auto_now=True, editable=False, verbose_name=_("updated at"))
    deleted_at = models.DateTimeField(null=True, blank=True, verbose_name=_("deleted at"))

    class Meta:
        verbose_name = _("address")
        verbose_name_plural = _("addresses")
        db_table = "user_addresses"
        indexes = [
            Index(fields=["user"], name="idx_addresses_user_id"),
            Index(fields=["user", "is_default"], name="idx_addresses_is_default"),
            Index(fields=["latitude", "longitude"], name="idx_addresses_location"),
        ]
        constraints = [
            # Not in the spec: the database guarantees one live default address per type.
            models.UniqueConstraint(
                fields=["user", "type"],
                condition=Q(is_default=True, deleted_at__isnull=True),
                name="user_addresses_one_default_per_type",
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                name="user_addresses_latitude_range",
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                name="user_addresses_longitude_range",
            ),
        ]

    def __str__(self):
        return ", ".join(p for p in (self.label, self.city, self.street, self.building) if p)

    @property
    def has_pin(self):
        """Marked on the map: delivery zones and distances are worked out from this point."""
        return self.latitude is not None and self.longitude is not None

    @property
    def one_line(self):
        """The address as a courier reads it."""
        street = " ".join(p for p in (self.street, self.building) if p)
        parts = [street, self.apartment and _("apt. %(number)s") % {"number": self.apartment}, self.district, self.city]
        return ", ".join(str(p) for p in parts if p)
