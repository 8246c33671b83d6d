"""The back office: every model's pages render, lists cost a fixed number of queries, each staff
sub-role sees exactly its models, and admin-role grants and settings go through their services."""

import json
from datetime import timedelta

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.db import connection, models
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from accounts.enums import AdminRoleType, UserRole
from accounts.models import AdminRole, User, UserAddress, UserSession
from accounts.services import LoginRefused, api_session_create, auth_check_credentials
from accounts.tests.factories import (
    DEFAULT_PASSWORD,
    BuyerFactory,
    SellerFactory,
    StaffFactory,
    UserAddressFactory,
    UserFactory,
)
from gogomarket.core.models import AuditLog, Setting
from gogomarket.core.money import format_uzs
from gogomarket.core.tests.factories import SettingFactory
from orders.models import Order
from tests.factory_map import MODEL_FACTORIES, PROJECT_APPS
from tests.helpers import admin_form_data

pytestmark = pytest.mark.django_db

REGISTERED = sorted(admin.site._registry, key=lambda m: m._meta.label)

# Rows that are never created by hand in the back office: audit rows are written by services,
# sessions by signing in, a product's pictures, variants and attributes by the catalog services
# from the seller pages (catalog/admin.py shows them read-only).
NO_ADD_PAGE = {
    "core.auditlog",
    "core.idempotencykey",
    "orders.order",
    # an order's lines and history are written by checkout and the lifecycle services only
    "orders.orderitem",
    "orders.orderstatushistory",
    "orders.ordertracking",
    "orders.cart",
    "orders.cartitem",
    "accounts.usersession",
    "accounts.usersessionspenttoken",
    "accounts.useraddress",
    "catalog.productimage",
    "catalog.productvariant",
    "catalog.productattribute",
    # money is written by the services only: a wallet is made on first use, ledger rows, commissions
    # and card payments and their refunds by what moves money, payouts by sellers asking, bank
    # accounts by sellers
    "finance.wallet",
    "finance.wallettransaction",
    "finance.commission",
    "finance.payout",
    "finance.bankaccount",
    "finance.payment",
    "finance.paymentorder",
    "finance.paymentrefund",
}

ALL_MODELS = {m._meta.label_lower for m in REGISTERED}
EXPECTED_MODELS = {
    AdminRoleType.SUPER_ADMIN: ALL_MODELS,
    AdminRoleType.ROLE_MANAGER: {
        "accounts.user",
        "accounts.adminrole",
        "accounts.usersession",
        "accounts.usersessionspenttoken",
        "accounts.useraddress",
    },
    AdminRoleType.ACCOUNTING: {
        "finance.wallet",
        "finance.wallettransaction",
        "finance.commission",
        "finance.payout",
        "finance.bankaccount",
        "finance.payment",
        "finance.paymentorder",
        "finance.paymentrefund",
        "orders.order",
        "orders.orderitem",
    },
    AdminRoleType.TECHNICAL_ACCESS: {"core.setting", "core.auditlog", "core.idempotencykey"},
}


def url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def label(model):
    return model._meta.label_lower


@pytest.fixture
def super_admin(client):
    staff = StaffFactory(role_type=AdminRoleType.SUPER_ADMIN)
    client.force_login(staff)
    return staff


def changelist_queries(client, model, **params):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url(model, "changelist"), params)
    assert response.status_code == 200, response.content[:500]
    return len(ctx.captured_queries)


# --- registration ------------------------------------------------------------------------


def test_every_model_is_registered_and_nothing_else():
    project = {m for m in MODEL_FACTORIES}
    assert set(admin.site._registry) == project
    assert all(m._meta.app_label in PROJECT_APPS for m in project)
    assert not admin.site.is_registered(Group)
    with translation.override("en"):
        assert str(admin.site.site_header) == "GOGOMARKET back office"
        assert str(admin.site.site_title) == "GOGOMARKET back office"


def _foreign_keys(model):
    return [f.name for f in model._meta.concrete_fields if isinstance(f, models.ForeignKey)]


@pytest.mark.parametrize("model", REGISTERED, ids=label)
def test_no_foreign_key_widget_lists_a_whole_table(model, rf):
    """Every foreign key is an autocomplete, a raw id or read-only, also in inlines; no list
    filter is on a foreign key (it would list the whole related table)."""
    model_admin = admin.site._registry[model]
    request = rf.get("/")
    handled = set(model_admin.autocomplete_fields) | set(model_admin.raw_id_fields)
    handled |= set(model_admin.readonly_fields)
    missing = [name for name in _foreign_keys(model) if name not in handled]
    assert not missing, f"{label(model)}: {missing}"
    for list_filter in model_admin.list_filter:
        name = list_filter[0] if isinstance(list_filter, tuple) else list_filter
        if isinstance(name, str):
            assert not model._meta.get_field(name.split("__")[0]).is_relation, name
    for inline_class in model_admin.inlines:
        inline = inline_class(model, admin.site)
        fk_names = [n for n in _foreign_keys(inline.model) if inline.model._meta.get_field(n).related_model != model]
        inline_handled = set(inline.autocomplete_fields) | set(inline.raw_id_fields)
        inline_handled |= set(inline.get_readonly_fields(request))
        missing = [n for n in fk_names if n in (inline.fields or fk_names) and n not in inline_handled]
        assert not missing, f"inline {inline_class.__name__}: {missing}"


# --- every page of every model -----------------------------------------------------------


@pytest.mark.parametrize("model", REGISTERED, ids=label)
def test_super_admin_opens_changelist_add_and_change_pages(client, super_admin, model):
    obj = MODEL_FACTORIES[model]()

    response = client.get(url(model, "changelist"))
    assert response.status_code == 200
    assert obj.pk in [row.pk for row in response.context["cl"].result_list]

    model_admin = admin.site._registry[model]
    if model_admin.search_fields:
        assert client.get(url(model, "changelist"), {"q": "gogo"}).status_code == 200

    response = client.get(url(model, "add"))
    assert response.status_code == (403 if label(model) in NO_ADD_PAGE else 200)

    response = client.get(url(model, "change", obj.pk))
    assert response.status_code == 200
    # A password hash is never sent to the browser.
    assert b"md5$" not in response.content


@pytest.mark.parametrize("model", REGISTERED, ids=label)
def test_changelist_queries_do_not_grow_with_rows(client, super_admin, model):
    factory = MODEL_FACTORIES[model]
    factory.create_batch(3)
    few = changelist_queries(client, model)
    factory.create_batch(27)
    many = changelist_queries(client, model)
    assert many <= few, f"{label(model)}: {few} queries for 3 rows, {many} for 30"
    assert few <= 12


def test_inlines_over_big_sets_show_only_the_newest_rows(client, super_admin):
    from finance.models import Wallet
    from finance.tests.factories import WalletTransactionFactory

    wallet = MODEL_FACTORIES[Wallet]()
    transactions = WalletTransactionFactory.create_batch(25, wallet=wallet)
    response = client.get(url(Wallet, "change", wallet.pk))
    assert response.status_code == 200
    (inline,) = [
        f for f in response.context["inline_admin_formsets"] if f.formset.model.__name__ == "WalletTransaction"
    ]
    shown = [form.instance.pk for form in inline.formset.forms]
    assert shown == [t.pk for t in reversed(transactions)][:20]
    assert "wallet__id__exact" in response.content.decode()


def test_money_columns_are_shown_in_uzs(client, super_admin):
    order = MODEL_FACTORIES[Order](items=2)
    content = client.get(url(Order, "changelist")).content.decode()
    # "130 000 so'm": space-grouped thousands, no decimals for whole sums.
    assert format_uzs(order.total_amount, with_currency=False) in content
    assert str(order.total_amount) not in content


# --- who sees what -----------------------------------------------------------------------


@pytest.mark.parametrize("role_type", list(EXPECTED_MODELS), ids=str)
def test_each_sub_role_sees_exactly_its_models(client, role_type):
    client.force_login(StaffFactory(role_type=role_type))
    expected = EXPECTED_MODELS[role_type]

    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    listed = {label(m["model"]) for app in response.context["app_list"] for m in app["models"]}
    assert listed == expected

    allowed = set()
    for model in REGISTERED:
        status = client.get(url(model, "changelist")).status_code
        assert status in (200, 403), (label(model), status)
        if status == 200:
            allowed.add(label(model))
    assert allowed == expected


def test_accounting_may_change_orders_but_not_add_or_delete_them(client):
    client.force_login(StaffFactory(role_type=AdminRoleType.ACCOUNTING))
    order = MODEL_FACTORIES[Order]()
    assert client.get(url(Order, "change", order.pk)).status_code == 200
    assert client.get(url(Order, "add")).status_code == 403
    assert client.get(url(Order, "delete", order.pk)).status_code == 403


@pytest.mark.parametrize("factory", [BuyerFactory, SellerFactory], ids=["buyer", "seller"])
def test_buyers_and_sellers_are_sent_to_the_login_page(client, factory):
    client.force_login(factory())
    for path in (reverse("admin:index"), url(User, "changelist"), url(Order, "changelist")):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))


def test_expired_admin_role_gives_no_access(client):
    staff = StaffFactory(
        role_type=AdminRoleType.SUPER_ADMIN, admin_role__expires_at=timezone.now() - timedelta(minutes=1)
    )
    client.force_login(staff)
    for path in (reverse("admin:index"), url(User, "changelist"), url(Setting, "changelist")):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))
    # Nor can the account sign in to the back office with its password.
    client.logout()
    response = client.post(reverse("admin:login"), {"username": staff.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_a_denied_model_cannot_be_opened(client):
    from finance.models import Payout, Wallet

    client.force_login(
        StaffFactory(role_type=AdminRoleType.ACCOUNTING, admin_role__permissions={"deny": ["finance.payout"]})
    )
    payout = MODEL_FACTORIES[Payout]()
    assert client.get(url(Payout, "changelist")).status_code == 403
    assert client.get(url(Payout, "change", payout.pk)).status_code == 403
    assert client.get(url(Payout, "add")).status_code == 403
    assert client.get(url(Wallet, "changelist")).status_code == 200
    listed = {
        label(m["model"]) for app in client.get(reverse("admin:index")).context["app_list"] for m in app["models"]
    }
    assert "finance.payout" not in listed
    assert "finance.wallet" in listed


def test_audit_log_is_read_only_even_for_super_admin(client, super_admin):
    entry = MODEL_FACTORIES[AuditLog]()
    assert client.get(url(AuditLog, "add")).status_code == 403
    assert client.get(url(AuditLog, "delete", entry.pk)).status_code == 403
    response = client.post(url(AuditLog, "change", entry.pk), {"action": "forged"})
    assert response.status_code == 403
    entry.refresh_from_db()
    assert entry.action != "forged"


# --- writes go through services ----------------------------------------------------------


def admin_role_form(user, role_type=AdminRoleType.ACCOUNTING, permissions="{}"):
    return {"user": user.pk, "role_type": role_type, "permissions": permissions, "expires_at_0": "", "expires_at_1": ""}


def test_granting_an_admin_role_in_the_admin_writes_an_audit_row(client, super_admin):
    staff = UserFactory(role=UserRole.ADMIN)
    response = client.post(
        url(AdminRole, "add"), admin_role_form(staff, permissions=json.dumps({"deny": ["finance.payout"]}))
    )
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response

    role = AdminRole.objects.get(user=staff)
    assert role.role_type == AdminRoleType.ACCOUNTING
    assert role.granted_by_id == super_admin.pk
    assert role.permissions == {"deny": ["finance.payout"]}
    entry = AuditLog.objects.get(action="admin_role.grant", entity_id=staff.pk)
    assert entry.user_id == super_admin.pk
    assert entry.entity_type == "user"
    assert entry.new_values["role_type"] == AdminRoleType.ACCOUNTING
    assert entry.ip_address == "127.0.0.1"


def test_an_admin_role_cannot_be_granted_to_a_buyer(client, super_admin):
    buyer = BuyerFactory()
    audit_rows = AuditLog.objects.count()
    response = client.post(url(AdminRole, "add"), admin_role_form(buyer))
    assert response.status_code == 200
    assert "user" in response.context["adminform"].form.errors
    assert not AdminRole.objects.filter(user=buyer).exists()
    assert AuditLog.objects.count() == audit_rows


def test_a_role_manager_cannot_grant_super_admin(client):
    manager = StaffFactory(role_type=AdminRoleType.ROLE_MANAGER)
    client.force_login(manager)
    response = client.post(url(AdminRole, "add"), admin_role_form(manager, role_type=AdminRoleType.SUPER_ADMIN))
    assert response.status_code == 200
    assert "role_type" in response.context["adminform"].form.errors
    assert not AdminRole.objects.filter(user=manager, role_type=AdminRoleType.SUPER_ADMIN).exists()
    # The other roles it may hand out.
    staff = UserFactory(role=UserRole.ADMIN)
    response = client.post(url(AdminRole, "add"), admin_role_form(staff, role_type=AdminRoleType.ACCOUNTING))
    assert response.status_code == 302
    assert AuditLog.objects.filter(action="admin_role.grant", entity_id=staff.pk, user=manager).exists()


def test_revoking_an_admin_role_in_the_admin_writes_an_audit_row(client, super_admin):
    staff = StaffFactory(role_type=AdminRoleType.TECHNICAL_ACCESS)
    role = staff.admin_roles.get()
    response = client.post(url(AdminRole, "delete", role.pk), {"post": "yes"})
    assert response.status_code == 302
    assert not AdminRole.objects.filter(pk=role.pk).exists()
    entry = AuditLog.objects.get(action="admin_role.revoke", entity_id=staff.pk)
    assert entry.user_id == super_admin.pk
    assert entry.old_values["role_type"] == AdminRoleType.TECHNICAL_ACCESS


def test_admin_roles_are_not_edited_in_place(client, super_admin):
    role = StaffFactory(role_type=AdminRoleType.ACCOUNTING).admin_roles.get()
    response = client.post(url(AdminRole, "change", role.pk), {"role_type": AdminRoleType.SUPER_ADMIN})
    assert response.status_code == 403
    role.refresh_from_db()
    assert role.role_type == AdminRoleType.ACCOUNTING


def test_admin_role_autocomplete_offers_only_staff_accounts(client, super_admin):
    staff = UserFactory(role=UserRole.ADMIN, first_name="Zebunniso")
    BuyerFactory(first_name="Zebunniso")
    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "accounts", "model_name": "adminrole", "field_name": "user", "term": "Zebunniso"},
    )
    assert response.status_code == 200
    assert [r["id"] for r in response.json()["results"]] == [str(staff.pk)]


def test_setting_saved_in_the_admin_goes_through_setting_set(client, super_admin):
    data = {"key": "checkout.min_order", "value": "50000", "type": "number", "description": "", "is_public": ""}
    response = client.post(url(Setting, "add"), data)
    assert response.status_code == 302
    setting = Setting.objects.get(key="checkout.min_order")
    assert AuditLog.objects.filter(action="setting.create", entity_id=setting.pk, user=super_admin).exists()

    response = client.post(url(Setting, "change", setting.pk), {**data, "value": "75000"})
    assert response.status_code == 302
    setting.refresh_from_db()
    assert setting.value == "75000"
    assert AuditLog.objects.filter(action="setting.update", entity_id=setting.pk).count() == 1


def test_setting_value_must_fit_its_type(client, super_admin):
    setting = SettingFactory(key="checkout.max_items", value="10", type="number")
    audit_rows = AuditLog.objects.count()
    data = {"value": "ten", "type": "number", "description": "", "is_public": ""}
    response = client.post(url(Setting, "change", setting.pk), data)
    assert response.status_code == 200
    assert "value" in response.context["adminform"].form.errors
    setting.refresh_from_db()
    assert setting.value == "10"
    assert AuditLog.objects.count() == audit_rows


def test_user_added_in_the_admin_gets_a_hashed_password_and_a_normalised_email(client, super_admin):
    data = {
        "email": "New.Seller@Example.UZ",
        "phone": "+998911112233",
        "first_name": "Dilnoza",
        "last_name": "Karimova",
        "role": UserRole.SELLER,
        "status": "active",
        "password1": "Tashkent-2026-bozor",
        "password2": "Tashkent-2026-bozor",
    }
    response = client.post(url(User, "add"), data)
    assert response.status_code == 302
    user = User.objects.get(email="new.seller@example.uz")
    assert user.check_password("Tashkent-2026-bozor")
    response = client.get(url(User, "change", user.pk))
    assert response.status_code == 200
    assert user.password.encode() not in response.content
    assert b'name="password' not in response.content


def test_user_added_in_the_admin_with_a_taken_email_in_other_case_gets_a_form_error(client, super_admin):
    existing = UserFactory(email="taken@example.uz")
    users = User.objects.count()
    data = {
        "email": "TAKEN@Example.uz",
        "first_name": "A",
        "last_name": "B",
        "role": UserRole.BUYER,
        "status": "active",
        "password1": "",
        "password2": "",
    }
    response = client.post(url(User, "add"), data)
    assert response.status_code == 200
    assert "email" in response.context["adminform"].form.errors
    assert User.objects.count() == users
    existing.refresh_from_db()
    assert existing.email == "taken@example.uz"


def test_staff_user_page_lists_admin_roles_and_links_to_a_grant(client, super_admin):
    response = client.get(url(User, "change", super_admin.pk))
    content = response.content.decode()
    inline = next(f for f in response.context["inline_admin_formsets"] if f.formset.model is AdminRole)
    assert [form.instance.role_type for form in inline.formset.forms] == [AdminRoleType.SUPER_ADMIN]
    assert f"{url(AdminRole, 'add')}?user={super_admin.pk}" in content


def test_promo_code_added_in_the_admin_names_its_creator(client, super_admin):
    from promotions.models import PromoCode

    now = timezone.localtime()
    data = {
        "code": "NAVRUZ2026",
        "name": "Navruz",
        "type": "percentage",
        "value": "15",
        "min_order_amount": "100000",
        "usage_limit_per_user": "1",
        "applicable_to": "all",
        "starts_at_0": now.strftime("%Y-%m-%d"),
        "starts_at_1": "00:00:00",
        "expires_at_0": (now + timedelta(days=10)).strftime("%Y-%m-%d"),
        "expires_at_1": "00:00:00",
        "is_active": "on",
        "usages-TOTAL_FORMS": "0",
        "usages-INITIAL_FORMS": "0",
        "usages-MIN_NUM_FORMS": "0",
        "usages-MAX_NUM_FORMS": "0",
    }
    response = client.post(url(PromoCode, "add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert PromoCode.objects.get(code="NAVRUZ2026").created_by_id == super_admin.pk


def change_form_data(client, model, obj, **changes):
    """What the change page of ``obj`` would post unchanged (inline management forms included),
    with ``changes`` on top."""
    return admin_form_data(client, url(model, "change", obj.pk), **changes)


@pytest.fixture
def role_manager(client):
    manager = StaffFactory(role_type=AdminRoleType.ROLE_MANAGER)
    client.force_login(manager)
    return manager


def test_a_role_manager_cannot_revoke_a_super_admins_role_in_the_admin(client, role_manager):
    role = StaffFactory(role_type=AdminRoleType.SUPER_ADMIN).admin_roles.get()
    audit_rows = AuditLog.objects.count()
    assert client.get(url(AdminRole, "delete", role.pk)).status_code == 403
    assert client.post(url(AdminRole, "delete", role.pk), {"post": "yes"}).status_code == 403
    bulk = {"action": "delete_selected", "_selected_action": [role.pk], "post": "yes"}
    assert client.post(url(AdminRole, "changelist"), bulk).status_code == 403
    assert AdminRole.objects.filter(pk=role.pk).exists()
    assert AuditLog.objects.count() == audit_rows


def test_a_role_manager_cannot_grant_itself_a_role_in_the_admin(client, role_manager):
    audit_rows = AuditLog.objects.count()
    response = client.post(url(AdminRole, "add"), admin_role_form(role_manager, role_type=AdminRoleType.ACCOUNTING))
    assert response.status_code == 200
    assert "user" in response.context["adminform"].form.errors
    assert list(role_manager.admin_roles.values_list("role_type", flat=True)) == [AdminRoleType.ROLE_MANAGER]
    own = role_manager.admin_roles.get()
    assert client.post(url(AdminRole, "delete", own.pk), {"post": "yes"}).status_code == 403
    assert AdminRole.objects.filter(pk=own.pk).exists()
    assert AuditLog.objects.count() == audit_rows


def test_a_role_manager_sees_a_super_admin_account_read_only_and_cannot_change_or_close_it(client, role_manager):
    boss = StaffFactory(role_type=AdminRoleType.SUPER_ADMIN, email="boss@gogomarket.uz")
    audit_rows = AuditLog.objects.count()
    response = client.get(url(User, "change", boss.pk))
    assert response.status_code == 200
    assert response.context["has_change_permission"] is False
    assert not response.context["adminform"].form.fields
    takeover = {
        "email": "mine@evil.uz",
        "first_name": boss.first_name,
        "last_name": boss.last_name,
        "role": UserRole.ADMIN,
        "status": "suspended",
    }
    assert client.post(url(User, "change", boss.pk), takeover).status_code == 403
    assert client.post(url(User, "delete", boss.pk), {"post": "yes"}).status_code == 403
    bulk = {"action": "delete_selected", "_selected_action": [boss.pk], "post": "yes"}
    assert client.post(url(User, "changelist"), bulk).status_code == 403
    boss.refresh_from_db()
    assert (boss.email, boss.status, boss.deleted_at) == ("boss@gogomarket.uz", "active", None)
    assert AuditLog.objects.count() == audit_rows


def test_user_edited_in_the_admin_goes_through_the_service(client, role_manager):
    user = UserFactory(email="old@example.uz", phone="+998935550000", email_verified=True, phone_verified=True)
    form = client.get(url(User, "change", user.pk)).context["adminform"].form
    # Set only by the verification flows and by closing the account.
    assert not {"email_verified", "phone_verified", "deleted_at"} & set(form.fields)

    data = change_form_data(client, User, user, email="New@Example.uz", phone="90 123 45 67")
    response = client.post(url(User, "change", user.pk), data | {"email_verified": "on", "deleted_at_0": "2026-01-01"})
    assert response.status_code == 302, response.context["adminform"].form.errors
    user.refresh_from_db()
    assert (user.email, user.phone) == ("new@example.uz", "+998901234567")
    assert (user.email_verified, user.phone_verified, user.deleted_at) == (False, False, None)
    entry = AuditLog.objects.get(action="user.staff_update", entity_id=user.pk)
    assert entry.user_id == role_manager.pk and entry.ip_address == "127.0.0.1"
    assert entry.old_values["email"] == "old@example.uz" and entry.new_values["phone"] == "+998901234567"


def test_a_phone_verified_by_another_account_is_a_form_error_in_the_admin(client, role_manager):
    UserFactory(phone="+998901234567", phone_verified=True)
    user = UserFactory(phone="+998935550000")
    response = client.post(url(User, "change", user.pk), change_form_data(client, User, user, phone="90 123 45 67"))
    assert response.status_code == 200
    assert "phone" in response.context["adminform"].form.errors
    user.refresh_from_db()
    assert user.phone == "+998935550000"
    assert not AuditLog.objects.filter(action="user.staff_update").exists()


def test_deleting_a_user_in_the_admin_closes_the_account(client, super_admin):
    buyer = BuyerFactory()
    browser = Client()
    browser.force_login(buyer)
    assert browser.get(reverse("accounts:profile")).status_code == 200  # its user_sessions row
    api_session_create(user=buyer)
    assert buyer.sessions.count() == 2

    response = client.get(url(User, "delete", buyer.pk))
    assert response.status_code == 200
    assert response.context["perms_lacking"] == set()
    response = client.post(url(User, "delete", buyer.pk), {"post": "yes"})
    assert response.status_code == 302
    buyer.refresh_from_db()
    assert buyer.deleted_at is not None  # the row stays
    assert not buyer.sessions.exists()
    entry = AuditLog.objects.get(action="user.delete", entity_id=buyer.pk)
    assert entry.user_id == super_admin.pk and entry.new_values["sessions_ended"] == 2
    response = browser.get(reverse("accounts:profile"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))
    with pytest.raises(LoginRefused) as refused:
        auth_check_credentials(login=buyer.email, password=DEFAULT_PASSWORD)
    assert refused.value.code == "invalid"


def test_closing_selected_accounts_in_the_admin(client, super_admin):
    buyers = BuyerFactory.create_batch(2)
    with translation.override("en"):
        page = client.get(url(User, "changelist"), headers={"accept-language": "en"})
        choices = dict(page.context["action_form"].fields["action"].choices)
        assert str(choices["delete_selected"]) == "Close selected accounts"
    ids = [b.pk for b in buyers]
    selection = {"action": "delete_selected", "_selected_action": ids}
    response = client.post(url(User, "changelist"), selection)
    assert response.status_code == 200  # the confirmation page
    assert len(response.context["deletable_objects"][0]) == 2  # the accounts, no cascade of rows
    response = client.post(url(User, "changelist"), selection | {"post": "yes"})
    assert response.status_code == 302
    assert User.objects.filter(pk__in=ids, deleted_at__isnull=False).count() == 2
    assert AuditLog.objects.filter(action="user.delete", entity_id__in=ids, user=super_admin).count() == 2


# --- big tables --------------------------------------------------------------------------

BULK = 100_000


def bulk_insert_users_and_orders(seller):
    """100 000 buyers, one address each and one order each, in three INSERT ... SELECT statements."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO users (uuid, email, password_hash, first_name, last_name, role, phone)
            SELECT gen_random_uuid(), 'bulk' || g || '@example.uz', '!', 'Bulk', 'Buyer ' || g, 'buyer',
                   '+99877' || lpad(g::text, 7, '0')
            FROM generate_series(1, %s) AS g
            """,
            [BULK],
        )
        cursor.execute(
            """
            INSERT INTO user_addresses (user_id, type, full_name, phone, country, city, street)
            SELECT id, 'delivery', first_name || ' ' || last_name, phone, 'Uzbekistan', 'Tashkent', 'Bulk street'
            FROM users WHERE email LIKE 'bulk%%@example.uz'
            """
        )
        cursor.execute(
            """
            INSERT INTO orders (order_number, buyer_id, seller_id, payment_method, subtotal, total_amount,
                                delivery_address_id)
            SELECT 'BULK-' || lpad(a.id::text, 8, '0'), a.user_id, %s, 'cash', 100000, 115000, a.id
            FROM user_addresses a WHERE a.street = 'Bulk street'
            """,
            [seller.pk],
        )
        cursor.execute("ANALYZE users, user_addresses, orders")


def test_users_and_orders_changelists_stay_fast_with_100k_rows(client, super_admin, django_assert_max_num_queries):
    bulk_insert_users_and_orders(SellerFactory())
    assert User.objects.filter(email__startswith="bulk").count() == BULK
    assert Order.objects.filter(order_number__startswith="BULK-").count() == BULK

    pages = [
        (url(User, "changelist"), {}),
        (url(User, "changelist"), {"q": "bulk4242@"}),
        (url(User, "changelist"), {"role__exact": "buyer", "status__exact": "active"}),
        (url(Order, "changelist"), {}),
        (url(Order, "changelist"), {"q": "bulk777@example.uz"}),
        (url(Order, "changelist"), {"status__exact": "pending", "payment_method__exact": "cash"}),
    ]
    for path, params in pages:
        with django_assert_max_num_queries(10):
            response = client.get(path, params)
        assert response.status_code == 200
        cl = response.context["cl"]
        assert len(cl.result_list) == (1 if "q" in params else cl.list_per_page)
        # No unfiltered COUNT(*) of the whole table for the "(N total)" line.
        assert cl.show_full_result_count is False

    user = User.objects.get(email="bulk4242@example.uz")
    order = Order.objects.get(buyer=user)
    for path in (url(User, "change", user.pk), url(Order, "change", order.pk)):
        with django_assert_max_num_queries(25):
            assert client.get(path).status_code == 200

    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "orders", "model_name": "order", "field_name": "buyer", "term": "bulk4242@"},
    )
    assert response.status_code == 200
    assert [r["id"] for r in response.json()["results"]] == [str(user.pk)]


def test_a_role_manager_ends_a_buyers_session_but_not_a_super_admins(client, role_manager):
    buyer_session, _access, _refresh = api_session_create(user=UserFactory())
    boss_session, _access, _refresh = api_session_create(user=StaffFactory(role_type=AdminRoleType.SUPER_ADMIN))
    audit_rows = AuditLog.objects.count()

    assert client.post(url(UserSession, "delete", boss_session.pk), {"post": "yes"}).status_code == 403
    bulk = {"action": "delete_selected", "_selected_action": [boss_session.pk], "post": "yes"}
    client.post(url(UserSession, "changelist"), bulk)
    assert UserSession.objects.filter(pk=boss_session.pk).exists()
    assert AuditLog.objects.count() == audit_rows

    assert client.post(url(UserSession, "delete", buyer_session.pk), {"post": "yes"}).status_code == 302
    assert not UserSession.objects.filter(pk=buyer_session.pk).exists()
    entry = AuditLog.objects.get(action="session.revoke", entity_id=buyer_session.pk)
    assert entry.user == role_manager


def test_addresses_are_read_only_in_the_admin(client, role_manager):
    address = UserAddressFactory(street="Old street")
    data = {"street": "Staff street", "user": address.user_id, "type": address.type}
    assert client.post(url(UserAddress, "change", address.pk), data).status_code == 403
    assert client.post(url(UserAddress, "delete", address.pk), {"post": "yes"}).status_code == 403
    address.refresh_from_db()
    assert address.street == "Old street" and address.deleted_at is None
