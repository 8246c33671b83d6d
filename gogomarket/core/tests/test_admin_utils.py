"""The shared back-office building blocks: the per-row action runner and the read-only admins."""

import pytest
from django.contrib import admin
from django.contrib.messages import constants, get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.cache import SessionStore
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from accounts.enums import AdminRoleType
from accounts.tests.factories import StaffFactory
from gogomarket.core.admin_utils import ActionsOnlyAdmin, ReadOnlyAdmin, ReadOnlyInlineMixin, run_per_row
from gogomarket.core.models import Setting
from gogomarket.core.tests.factories import SettingFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def request_with_messages(rf):
    request = rf.post("/admin/")
    request.user = StaffFactory(role_type=AdminRoleType.SUPER_ADMIN)
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request


def shown(request):
    return [(m.level, str(m)) for m in get_messages(request)]


def test_each_row_runs_in_its_own_transaction_and_a_refused_row_keeps_nothing(request_with_messages):
    first, refused, denied, last = (SettingFactory(key=key) for key in ("a.first", "b.refused", "c.denied", "d.last"))

    depth = len(connection.savepoint_ids)
    depths = []

    def change(setting):
        depths.append(len(connection.savepoint_ids))
        Setting.objects.filter(pk=setting.pk).update(value="20")  # undone if the row is refused
        if setting.pk == refused.pk:
            raise ValidationError({"value": ["Too high.", "Not a round number."]})
        if setting.pk == denied.pk:
            raise PermissionDenied("Not yours.")

    model_admin = admin.site._registry[Setting]
    queryset = Setting.objects.filter(pk__in=[last.pk, denied.pk, refused.pk, first.pk]).order_by("-pk")

    counts = run_per_row(model_admin, request_with_messages, queryset, change, "%(n)d settings changed.",
                         name=lambda setting: setting.key)  # fmt: skip

    assert counts == (2, 2)
    assert depths == [depth + 1] * 4  # each row in a transaction (here: a savepoint) of its own
    values = dict(Setting.objects.values_list("key", "value"))
    assert (values["a.first"], values["b.refused"], values["c.denied"], values["d.last"]) == ("20", "10", "10", "20")
    # Warnings in id order, each naming its row; then the count of rows done.
    assert shown(request_with_messages) == [
        (constants.WARNING, "b.refused: Too high. Not a round number."),
        (constants.WARNING, "c.denied: Not yours."),
        (constants.SUCCESS, "2 settings changed."),
    ]


def test_without_atomic_the_function_runs_outside_a_transaction(request_with_messages):
    setting = SettingFactory()
    depth = len(connection.savepoint_ids)
    depths = []

    def step(row):
        depths.append(len(connection.savepoint_ids))
        raise ValidationError("The provider refused it.")

    counts = run_per_row(admin.site._registry[Setting], request_with_messages, Setting.objects.filter(pk=setting.pk),
                         step, "%(n)d done.", atomic=False)  # fmt: skip

    assert counts == (0, 1)
    assert depths == [depth]
    assert shown(request_with_messages) == [(constants.WARNING, f"{setting}: The provider refused it.")]


def test_no_rows_no_message(request_with_messages):
    counts = run_per_row(admin.site._registry[Setting], request_with_messages, Setting.objects.none(), print, "%(n)d")

    assert counts == (0, 0)
    assert shown(request_with_messages) == []


def test_read_only_admins_refuse_add_change_and_delete(rf):
    request = rf.get("/")
    request.user = StaffFactory(role_type=AdminRoleType.SUPER_ADMIN)
    read_only = ReadOnlyAdmin(Setting, admin.site)
    assert read_only.has_view_permission(request)
    assert not (read_only.has_add_permission(request) or read_only.has_change_permission(request))
    assert not read_only.has_delete_permission(request)

    actions_only = ActionsOnlyAdmin(Setting, admin.site)
    setting = SettingFactory()
    assert actions_only.has_change_permission(request)  # the list's actions need it
    assert not actions_only.has_change_permission(request, setting)  # one row's page is read-only
    assert not (actions_only.has_add_permission(request) or actions_only.has_delete_permission(request, setting))

    inline = type("SettingInline", (ReadOnlyInlineMixin, admin.TabularInline), {"model": Setting})
    assert (inline.extra, inline.can_delete) == (0, False)
