import factory
from factory.django import DjangoModelFactory

from accounts.tests.factories import StaffFactory
from gogomarket.core.enums import SettingType
from gogomarket.core.models import AuditLog, IdempotencyKey, Setting


class SettingFactory(DjangoModelFactory):
    """A numeric platform setting (the value is stored as text and must parse as its type)."""

    class Meta:
        model = Setting

    key = factory.Sequence(lambda n: f"test.setting_{n}")
    value = "10"
    type = SettingType.NUMBER
    description = "Test setting"
    is_public = False


class AuditLogFactory(DjangoModelFactory):
    """A staff member's change of a setting, as ``setting_set`` records it."""

    class Meta:
        model = AuditLog

    user = factory.SubFactory(StaffFactory)
    action = "setting.update"
    entity_type = "setting"
    entity_id = factory.Sequence(lambda n: n + 1)
    old_values = factory.LazyFunction(lambda: {"value": "5", "type": "number"})
    new_values = factory.LazyFunction(lambda: {"value": "10", "type": "number"})
    ip_address = "127.0.0.1"
    user_agent = "pytest"


class IdempotencyKeyFactory(DjangoModelFactory):
    """A checkout answered once, under the key its client sent."""

    class Meta:
        model = IdempotencyKey

    user = factory.SubFactory(StaffFactory)
    scope = "checkout"
    key = factory.Sequence(lambda n: f"key-{n:06d}")
    request_hash = factory.Sequence(lambda n: f"{n:064d}")
    response = factory.LazyFunction(lambda: {"orders": []})
