import factory
from factory.django import DjangoModelFactory

from accounts.enums import AddressType, AdminRoleType, UserRole
from accounts.models import AdminRole, User, UserAddress, UserSession, UserSessionSpentToken

DEFAULT_PASSWORD = "gogo-test-pass-2026"


class UserFactory(DjangoModelFactory):
    """A buyer by default; ``SellerFactory``, ``CourierFactory`` and ``StaffFactory`` for the rest.
    Every user can sign in with ``DEFAULT_PASSWORD``."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.uz")
    phone = factory.Sequence(lambda n: f"+99890{n:07d}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    role = UserRole.BUYER
    password = factory.django.Password(DEFAULT_PASSWORD)


class BuyerFactory(UserFactory):
    role = UserRole.BUYER


class SellerFactory(UserFactory):
    role = UserRole.SELLER
    email = factory.Sequence(lambda n: f"seller{n}@example.uz")


class CourierFactory(UserFactory):
    role = UserRole.COURIER
    email = factory.Sequence(lambda n: f"courier{n}@example.uz")


class AdminRoleFactory(DjangoModelFactory):
    class Meta:
        model = AdminRole

    user = factory.SubFactory(UserFactory, role=UserRole.ADMIN)
    role_type = AdminRoleType.SUPER_ADMIN
    permissions = factory.LazyFunction(dict)


class StaffFactory(UserFactory):
    """A staff account holding one admin sub-role (``role_type``, default super_admin)."""

    role = UserRole.ADMIN
    email = factory.Sequence(lambda n: f"staff{n}@gogomarket.uz")

    class Params:
        role_type = AdminRoleType.SUPER_ADMIN

    admin_role = factory.RelatedFactory(
        AdminRoleFactory, factory_related_name="user", role_type=factory.SelfAttribute("..role_type")
    )


class UserSessionFactory(DjangoModelFactory):
    class Meta:
        model = UserSession

    user = factory.SubFactory(UserFactory)
    # 64 characters, like a SHA-256 hex digest; the sequence number is kept whole so tokens differ.
    token = factory.Sequence(lambda n: f"token-hash-{n:053d}")
    refresh_token = factory.Sequence(lambda n: f"refresh-hash-{n:051d}")
    ip_address = "127.0.0.1"
    user_agent = "pytest"
    expires_at = factory.Faker("future_datetime", end_date="+30d", tzinfo=None)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        from django.utils import timezone

        expires = kwargs.get("expires_at")
        if expires is not None and timezone.is_naive(expires):
            kwargs["expires_at"] = timezone.make_aware(expires)
        return super()._create(model_class, *args, **kwargs)


class UserSessionSpentTokenFactory(DjangoModelFactory):
    class Meta:
        model = UserSessionSpentToken

    session = factory.SubFactory(UserSessionFactory)
    token_hash = factory.Sequence(lambda n: f"spent-hash-{n:053d}")


class UserAddressFactory(DjangoModelFactory):
    """A delivery address in Tashkent (Yunusobod district), with coordinates inside the city."""

    class Meta:
        model = UserAddress

    user = factory.SubFactory(BuyerFactory)
    type = AddressType.DELIVERY
    is_default = True
    label = "Home"
    full_name = factory.LazyAttribute(lambda o: o.user.get_full_name())
    phone = factory.LazyAttribute(lambda o: o.user.phone or "+998901234567")
    country = "Uzbekistan"
    city = "Tashkent"
    district = "Yunusobod"
    street = factory.Sequence(lambda n: f"Amir Temur ko'chasi {n + 1}")
    building = "12"
    apartment = "34"
    postal_code = "100084"
    latitude = factory.Faker("pydecimal", left_digits=2, right_digits=6, min_value=41.33, max_value=41.37)
    longitude = factory.Faker("pydecimal", left_digits=2, right_digits=6, min_value=69.27, max_value=69.31)
