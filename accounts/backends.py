from django.contrib.auth.backends import BaseBackend
from django.db.models import Q

from .models import User, UserManager
from .permissions import role_allows, role_allows_app


class AccountBackend(BaseBackend):
    """Sign-in with email (or phone) and password; back-office permissions from ``admin_roles``."""

    def authenticate(self, request, username=None, password=None, email=None, phone=None, **kwargs):
        login = (email or phone or username or "").strip()
        if not login or password is None:
            return None
        user = (
            User.objects.filter(deleted_at__isnull=True)
            .filter(Q(email=UserManager.normalize_email(login)) | Q(phone=login))
            .first()
        )
        if user is None:
            # Hash anyway so that response time does not reveal which logins exist.
            User().set_password(password)
            return None
        if user.check_password(password) and user.is_active:
            return user
        return None

    def get_user(self, user_id):
        return User.objects.active().filter(pk=user_id).first()

    def has_perm(self, user_obj, perm, obj=None):
        if not user_obj.is_active or not getattr(user_obj, "is_staff", False):
            return False
        return any(role_allows(role, perm) for role in user_obj.active_admin_roles)

    def has_module_perms(self, user_obj, app_label):
        if not user_obj.is_active or not getattr(user_obj, "is_staff", False):
            return False
        return any(role_allows_app(role, app_label) for role in user_obj.active_admin_roles)
