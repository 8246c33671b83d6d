from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from gogomarket.core.admin_utils import BaseAdmin, ReadOnlyAdmin

from .models import AuditLog, IdempotencyKey, Setting
from .services import setting_parse, setting_set

admin.site.site_header = _("GOGOMARKET back office")
admin.site.site_title = _("GOGOMARKET back office")
admin.site.index_title = _("Administration")


class SettingAdminForm(forms.ModelForm):
    class Meta:
        model = Setting
        fields = ("key", "value", "type", "description", "is_public")

    def clean(self):
        cleaned = super().clean()
        type_ = cleaned.get("type") or getattr(self.instance, "type", None)
        value = cleaned.get("value")
        if type_ and value is not None:
            try:
                setting_parse(value, type_)
            except ValidationError as exc:
                self.add_error("value", exc)
        return cleaned


@admin.register(Setting)
class SettingAdmin(BaseAdmin):
    form = SettingAdminForm
    list_display = ("key", "value", "type", "is_public", "updated_at")
    list_filter = ("type", "is_public", "updated_at")
    search_fields = ("key", "description")
    ordering = ("key",)
    show_full_result_count = True
    # The key names the setting in code; renaming one would orphan every reader.
    readonly_on_change = ("key",)

    def save_model(self, request, obj, form, change):
        setting = setting_set(
            key=obj.key,
            value=obj.value,
            type_=obj.type,
            description=obj.description,
            is_public=obj.is_public,
            actor=request.user,
            request=request,
        )
        obj.pk = setting.pk
        obj._state.adding = False


@admin.register(AuditLog)
class AuditLogAdmin(ReadOnlyAdmin):
    """The audit trail: read-only for everyone, whatever their role."""

    list_display = ("created_at", "action", "entity_type", "entity_id", "user", "ip_address")
    list_select_related = ("user",)
    list_filter = ("created_at",)
    search_fields = ("action", "entity_type", "user__email")
    date_hierarchy = "created_at"
    autocomplete_fields = ("user",)
    readonly_fields = (
        "created_at",
        "user",
        "action",
        "entity_type",
        "entity_id",
        "old_values",
        "new_values",
        "ip_address",
        "user_agent",
    )


@admin.register(IdempotencyKey)
class IdempotencyKeyAdmin(BaseAdmin):
    """Answers kept for repeated requests; written by the services that create things, read-only."""

    list_display = ("scope", "key", "user", "created_at")
    list_select_related = ("user",)
    list_filter = ("scope", "created_at")
    search_fields = ("key", "user__email")
    raw_id_fields = ("user",)
    immutable = True

    def has_add_permission(self, request):
        return False
