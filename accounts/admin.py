from django import forms
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from gogomarket.core.admin_utils import (
    BaseAdmin,
    ReadOnlyAdmin,
    ReadOnlyInlineMixin,
    changelist_link,
    short_text_column,
)

from .enums import AdminRoleType, UserRole
from .models import AdminRole, User, UserAddress, UserSession, UserSessionSpentToken
from .permissions import user_change_allowed
from .services import (
    STAFF_EDITABLE_FIELDS,
    LoginRefused,
    admin_role_grant,
    admin_role_grant_check,
    admin_role_revoke,
    admin_role_revoke_check,
    auth_check_credentials,
    session_revoke,
    user_create,
    user_soft_delete,
    user_staff_update,
    user_staff_update_check,
)

# Back-office rights come from admin_roles (accounts.permissions), not from Django's groups:
# a Groups page would only mislead.
if admin.site.is_registered(Group):
    admin.site.unregister(Group)

# Autocomplete of users for these foreign keys offers only accounts of the fitting role
# ("app_label.model_name.field_name" -> role).
AUTOCOMPLETE_USER_ROLES = {
    "accounts.adminrole.user": UserRole.ADMIN,
    "catalog.product.seller": UserRole.SELLER,
    "orders.order.seller": UserRole.SELLER,
    "orders.order.courier": UserRole.COURIER,
    "orders.ordertracking.courier": UserRole.COURIER,
    "finance.commission.seller": UserRole.SELLER,
    "finance.payout.seller": UserRole.SELLER,
    "analytics.sellerstatistics.seller": UserRole.SELLER,
    "promotions.promocode.created_by": UserRole.ADMIN,
}


class StaffAuthenticationForm(AdminAuthenticationForm):
    """Back-office sign-in through the same gate as every other sign-in: throttled per account
    and per IP, with the account-status messages of ``auth_check_credentials``."""

    def clean(self):
        login, password = self.cleaned_data.get("username"), self.cleaned_data.get("password")
        if login is not None and password:
            try:
                self.user_cache = auth_check_credentials(login=login, password=password, request=self.request)
            except LoginRefused as refused:
                raise forms.ValidationError(refused.message, code=refused.code) from refused
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data


admin.site.login_form = StaffAuthenticationForm


class UserAdminCreationForm(forms.ModelForm):
    """A new account: the password is typed twice and hashed by ``user_create``."""

    password1 = forms.CharField(
        label=_("Password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        required=False,
        strip=False,
        help_text=_("Leave empty for an account that cannot sign in with a password."),
    )
    password2 = forms.CharField(
        label=_("Password confirmation"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        required=False,
        strip=False,
    )

    class Meta:
        model = User
        fields = ("email", "phone", "first_name", "last_name", "role", "status")

    def clean_password2(self):
        password1 = self.cleaned_data.get("password1")
        password2 = self.cleaned_data.get("password2")
        if password1 != password2:
            raise forms.ValidationError(_("The two password fields didn't match."), code="password_mismatch")
        return password2

    def _post_clean(self):
        super()._post_clean()
        password = self.cleaned_data.get("password1")
        if password:
            try:
                validate_password(password, self.instance)
            except forms.ValidationError as error:
                self.add_error("password1", error)


def _add_service_errors(form, error):
    """Show a service's ValidationError on the fields it names, the rest at the top."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, messages in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages)


class UserAdminChangeForm(forms.ModelForm):
    """A staff edit of an account, checked by ``user_staff_update_check`` (email and phone in
    their stored spelling, who may change whom) and saved by ``user_staff_update``."""

    changed_by = None  # the staff member editing, set by UserAdmin.get_form

    class Meta:
        model = User
        fields = STAFF_EDITABLE_FIELDS

    def clean(self):
        cleaned = super().clean()
        # Email and phone are checked by the service: a phone held unverified by someone else
        # is released there, where the model's unique check would refuse it.
        self._validate_unique = False
        editable = set(STAFF_EDITABLE_FIELDS) & set(cleaned)
        fields = {name: cleaned[name] for name in self.changed_data if name in editable}
        try:
            changes = user_staff_update_check(user=self.instance, changed_by=self.changed_by, **fields)
        except ValidationError as error:
            _add_service_errors(self, error)
            return cleaned
        for name in ("email", "phone"):
            if name in changes:
                cleaned[name] = changes[name]
        return cleaned


class AdminRoleInline(ReadOnlyInlineMixin, admin.TabularInline):
    """A staff member's roles, read-only: grants and revocations go through the admin-role pages
    so that each one is written to the audit log."""

    model = AdminRole
    fk_name = "user"
    fields = ("role_type", "permissions", "granted_by", "granted_at", "expires_at")
    readonly_fields = fields
    verbose_name_plural = _("admin roles (grant or revoke them on the admin roles page)")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("granted_by")


class UserAddressInline(ReadOnlyInlineMixin, admin.StackedInline):
    """A person's address book, read-only: addresses are theirs to change (the address services
    keep one default per type and audit every change)."""

    model = UserAddress
    fields = (
        ("type", "is_default", "label"),
        ("full_name", "phone"),
        ("country", "city", "district", "postal_code"),
        ("street", "building", "apartment"),
        ("latitude", "longitude"),
        "delivery_instructions",
        "deleted_at",
    )

    def get_readonly_fields(self, request, obj=None):
        return [name for row in self.fields for name in (row if isinstance(row, tuple) else (row,))]


@admin.register(User)
class UserAdmin(BaseAdmin):
    """Accounts. Edits go through ``user_staff_update`` (normalised phone, verification reset on a
    new email or phone, audit row) and "delete" closes the account with ``user_soft_delete``: the
    row stays for the orders and history that point at it. Only a super admin may change or
    close an account that holds super_admin; the other roles see it read-only."""

    add_form = UserAdminCreationForm
    form = UserAdminChangeForm
    list_display = ("email", "full_name", "phone", "role", "status", "email_verified", "created_at")
    list_filter = ("role", "status", "email_verified", "phone_verified", ("deleted_at", admin.EmptyFieldListFilter))
    search_fields = ("email", "phone", "first_name", "last_name")
    date_hierarchy = "created_at"
    # The password hash never leaves the database.
    exclude = ("password",)
    # The verified flags are set only by the verification flows, deleted_at only by closing.
    readonly_fields = ("uuid", "last_login", "email_verified", "phone_verified", "deleted_at", "related_links")
    inlines = (AdminRoleInline, UserAddressInline)
    fieldsets = (
        (None, {"fields": ("email", "phone", "first_name", "last_name", "avatar_url")}),
        (_("Access"), {"fields": ("role", "status", "email_verified", "phone_verified", "deleted_at")}),
        (_("History"), {"fields": ("uuid", "last_login", "created_at", "updated_at")}),
        (_("Related"), {"fields": ("related_links",)}),
    )
    add_fieldsets = (
        (None, {"fields": ("email", "phone", "first_name", "last_name", "role", "status")}),
        (_("Password"), {"fields": ("password1", "password2")}),
    )

    @admin.display(description=_("name"), ordering="first_name")
    def full_name(self, obj):
        return obj.get_full_name()

    @admin.display(description=_("see also"))
    def related_links(self, obj):
        from finance.models import Wallet
        from orders.models import Order

        links = [
            (AdminRole, "user__id__exact", _("admin roles")),
            (UserSession, "user__id__exact", _("sessions")),
            (Order, "buyer__id__exact", _("orders as buyer")),
            (Order, "seller__id__exact", _("orders as seller")),
            (Wallet, "user__id__exact", _("wallets")),
        ]
        html = [changelist_link(model, lookup, obj.pk, text) for model, lookup, text in links]
        if obj.role == UserRole.ADMIN:
            grant_url = reverse("admin:accounts_adminrole_add") + "?" + urlencode({"user": obj.pk})
            html.append(format_html('<a href="{}">{}</a>', grant_url, _("grant an admin role")))
        return format_html_join(" · ", "{}", ((link,) for link in html))

    def get_fieldsets(self, request, obj=None):
        return self.add_fieldsets if obj is None else super().get_fieldsets(request, obj)

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = self.add_form
            return super().get_form(request, obj, **kwargs)
        form = super().get_form(request, obj, **kwargs)
        return type(form.__name__, (form,), {"changed_by": request.user})

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else ()

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or user_change_allowed(actor=request.user, user=obj))

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or user_change_allowed(actor=request.user, user=obj))

    def get_actions(self, request):
        actions = super().get_actions(request)
        if "delete_selected" in actions:
            function, name, _description = actions["delete_selected"]
            actions[name] = (function, name, _("Close selected accounts"))
        return actions

    def get_deleted_objects(self, objs, request):
        """What the delete pages show: closing keeps every row, so there is no cascade to list."""
        users = list(objs)
        shown = [
            _("%(user)s: the account is closed, cannot sign in and its sessions end; its orders and history stay.")
            % {"user": user}
            for user in users
        ]
        refused = set()
        if any(not user_change_allowed(actor=request.user, user=user) for user in users):
            refused.add(_("accounts holding super admin (only a super admin can close them)"))
        return shown, {User._meta.verbose_name_plural: len(users)}, refused, []

    def delete_model(self, request, obj):
        try:
            user_soft_delete(user=obj, actor=request.user, request=request)
        except ValidationError as error:
            raise PermissionDenied(error.messages[0]) from error

    @transaction.atomic
    def delete_queryset(self, request, queryset):
        for user in queryset.filter(deleted_at__isnull=True).order_by("pk"):
            self.delete_model(request, user)

    def save_model(self, request, obj, form, change):
        if change:
            fields = {name: form.cleaned_data[name] for name in form.changed_data if name in STAFF_EDITABLE_FIELDS}
            user = user_staff_update(user=obj, changed_by=request.user, request=request, **fields)
            for name in (*STAFF_EDITABLE_FIELDS, "email_verified", "phone_verified", "updated_at"):
                setattr(obj, name, getattr(user, name))
            return
        data = form.cleaned_data
        user = user_create(
            email=obj.email,
            password=data.get("password1") or None,
            first_name=obj.first_name,
            last_name=obj.last_name,
            role=obj.role,
            phone=obj.phone,
            status=obj.status,
            actor=request.user,
            request=request,
        )
        obj.pk = user.pk
        obj._state.adding = False

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        # Autocomplete requests name the foreign key they fill in.
        source = ".".join(request.GET.get(key, "") for key in ("app_label", "model_name", "field_name"))
        role = AUTOCOMPLETE_USER_ROLES.get(source)
        if role:
            queryset = queryset.filter(role=role)
        return queryset, may_have_duplicates


class AdminRoleStatusFilter(admin.SimpleListFilter):
    title = _("validity")
    parameter_name = "validity"

    def lookups(self, request, model_admin):
        return (("live", _("In force")), ("expired", _("Expired")))

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "live":
            return queryset.filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        if self.value() == "expired":
            return queryset.filter(expires_at__lte=now)
        return queryset


@admin.register(AdminRole)
class AdminRoleAdmin(BaseAdmin):
    """Grants go through ``admin_role_grant`` and removals through ``admin_role_revoke``, so each
    writes an audit-log row. A role is never edited in place: revoke it and grant a new one."""

    list_display = ("user", "role_type", "is_in_force", "expires_at", "granted_by", "granted_at")
    list_select_related = ("user", "granted_by")
    list_filter = ("role_type", AdminRoleStatusFilter, "granted_at", "expires_at")
    search_fields = ("user__email", "user__first_name", "user__last_name")
    autocomplete_fields = ("user", "granted_by")
    fields = ("user", "role_type", "permissions", "expires_at", "granted_by", "granted_at", "created_at", "updated_at")
    readonly_fields = ("granted_by", "granted_at")

    @admin.display(description=_("in force"), boolean=True)
    def is_in_force(self, obj):
        return obj.expires_at is None or obj.expires_at > timezone.now()

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or self._revoke_allowed(request, obj))

    @staticmethod
    def _revoke_allowed(request, role):
        try:
            admin_role_revoke_check(role=role, revoked_by=request.user)
        except ValidationError:
            return False
        return True

    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        if any(not self._revoke_allowed(request, role) for role in objs):
            perms_needed = {*perms_needed, _("roles of super admins or your own (only a super admin can revoke them)")}
        return deleted, counts, perms_needed, protected

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            kwargs["queryset"] = User.objects.filter(role=UserRole.ADMIN)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        # The rule lives in admin_role_grant; hiding the choice just spares a refused form.
        if db_field.name == "role_type" and not request.user.is_superuser:
            kwargs["choices"] = [c for c in db_field.get_choices() if c[0] != AdminRoleType.SUPER_ADMIN]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)

        class AdminRoleGrantForm(form):
            def clean(self):
                cleaned = super().clean()
                if cleaned.get("user") and cleaned.get("role_type"):
                    try:
                        admin_role_grant_check(
                            user=cleaned["user"], role_type=cleaned["role_type"], granted_by=request.user
                        )
                    except ValidationError as error:
                        for field, messages in error.message_dict.items():
                            self.add_error(field if field in self.fields else None, messages)
                return cleaned

        form = AdminRoleGrantForm
        if "permissions" in form.base_fields:
            form.base_fields["permissions"].help_text = _(
                'Optional narrowing of the role, e.g. {"deny": ["finance.payout"]}: a permission, a model or an app.'
            )
            form.base_fields["permissions"].required = False
        if "user" in form.base_fields:
            form.base_fields["user"].help_text = _("Only staff accounts (role admin) can hold an admin role.")
        return form

    def save_model(self, request, obj, form, change):
        role = admin_role_grant(
            user=obj.user,
            role_type=obj.role_type,
            granted_by=request.user,
            permissions=obj.permissions or {},
            expires_at=obj.expires_at,
            request=request,
        )
        obj.pk = role.pk
        obj._state.adding = False

    def delete_model(self, request, obj):
        try:
            admin_role_revoke(role=obj, revoked_by=request.user, request=request)
        except ValidationError as error:
            raise PermissionDenied(error.messages[0]) from error

    @transaction.atomic
    def delete_queryset(self, request, queryset):
        for role in queryset.order_by("pk"):
            self.delete_model(request, role)


@admin.register(UserSession)
class UserSessionAdmin(ReadOnlyAdmin):
    """Sessions are opened by signing in; here they can only be looked at or ended (deleted).
    The token hashes are never shown."""

    list_display = ("user", "ip_address", "short_user_agent", "created_at", "last_activity_at", "expires_at")
    list_select_related = ("user",)
    list_filter = ("created_at", "last_activity_at", "expires_at")
    search_fields = ("user__email", "ip_address")
    # No date_hierarchy: on a table this size it costs a DISTINCT over every row per page.
    autocomplete_fields = ("user",)
    fields = ("user", "ip_address", "user_agent", "created_at", "last_activity_at", "expires_at")
    readonly_fields = fields

    short_user_agent = short_text_column("user_agent", _("user agent"))

    def has_delete_permission(self, request, obj=None):
        # Ending a session (session_revoke) is the one change allowed here.
        allowed = BaseAdmin.has_delete_permission(self, request, obj)
        return allowed and (obj is None or user_change_allowed(actor=request.user, user=obj.user))

    def delete_model(self, request, obj):
        session_revoke(user=obj.user, session_id=obj.pk, actor=request.user, request=request)

    def delete_queryset(self, request, queryset):
        for session in queryset.select_related("user"):
            if user_change_allowed(actor=request.user, user=session.user):
                session_revoke(user=session.user, session_id=session.pk, actor=request.user, request=request)


@admin.register(UserSessionSpentToken)
class UserSessionSpentTokenAdmin(BaseAdmin):
    """Refresh tokens already exchanged (hashes), kept to notice a copied one: read-only; they go
    with their session."""

    list_display = ("session", "created_at")
    list_select_related = ("session__user",)
    list_filter = ("created_at",)
    search_fields = ("session__user__email",)
    raw_id_fields = ("session",)
    fields = ("session", "created_at")
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(UserAddress)
class UserAddressAdmin(ReadOnlyAdmin):
    """Read-only: people change their own addresses (services keep the default rules and audit)."""

    list_display = ("__str__", "user", "type", "city", "district", "is_default", "created_at")
    list_select_related = ("user",)
    list_filter = ("type", "is_default", "created_at", ("deleted_at", admin.EmptyFieldListFilter))
    search_fields = ("user__email", "full_name", "phone", "city", "street")
    date_hierarchy = "created_at"
    autocomplete_fields = ("user",)
