"""The address book: delivery and billing addresses, one default per type, soft delete."""

from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gogomarket.core.services import audit_log_write

from ..enums import AddressType
from ..models import User, UserAddress
from ..permissions import account_change_check
from ..phones import phone_clean

ADDRESS_FIELDS = (
    "type",
    "label",
    "full_name",
    "phone",
    "country",
    "city",
    "district",
    "street",
    "building",
    "apartment",
    "postal_code",
    "latitude",
    "longitude",
    "delivery_instructions",
)


ADDRESS_INSTRUCTIONS_MAX_LENGTH = 1000
ADDRESS_OPTIONAL_TEXT = ("label", "district", "building", "apartment", "postal_code", "delivery_instructions")
COORDINATE_STEP = Decimal("0.00000001")  # what DECIMAL(10, 8) / DECIMAL(11, 8) keep


def _address_validate(address):
    """One set of address rules for pages, API and admin: trimmed text, empty optional text
    stored as NULL, coordinates in range and rounded half-up to 8 decimals, both or neither."""
    for name in ADDRESS_FIELDS:
        value = getattr(address, name)
        if isinstance(value, str):
            value = value.strip()
            setattr(address, name, value or (None if name in ADDRESS_OPTIONAL_TEXT else value))
    if address.delivery_instructions and len(address.delivery_instructions) > ADDRESS_INSTRUCTIONS_MAX_LENGTH:
        raise ValidationError(
            {"delivery_instructions": _("At most %(n)d characters.") % {"n": ADDRESS_INSTRUCTIONS_MAX_LENGTH}}
        )
    for name in ("latitude", "longitude"):
        value = getattr(address, name)
        if isinstance(value, float):
            value = Decimal(str(value))
        if isinstance(value, Decimal) and not value.is_finite():
            raise ValidationError({name: _("Enter a number.")})
        try:
            value = UserAddress._meta.get_field(name).to_python(value)
        except ValidationError as error:
            raise ValidationError({name: error.messages}) from error
        if value is not None:
            if not value.is_finite():
                raise ValidationError({name: _("Enter a number.")})
            value = value.quantize(COORDINATE_STEP, rounding=ROUND_HALF_UP) if abs(value) < 1000 else value
        setattr(address, name, value)
    if (address.latitude is None) != (address.longitude is None):
        raise ValidationError({"latitude": _("Give both latitude and longitude, or neither.")})
    if address.latitude is not None and not -90 <= address.latitude <= 90:
        raise ValidationError({"latitude": _("Latitude is between -90 and 90.")})
    if address.longitude is not None and not -180 <= address.longitude <= 180:
        raise ValidationError({"longitude": _("Longitude is between -180 and 180.")})
    if address.type not in AddressType.values:
        raise ValidationError({"type": _("Unknown address type.")})
    address.phone = phone_clean(address.phone) or ""
    # The default flag is settled by the service itself, so the partial unique constraint is
    # left to the database.
    address.full_clean(exclude=["user"], validate_constraints=False)


def _lock_owner(user):
    # Every address write of a user takes the user's row first: default flips never race.
    User.objects.select_for_update().only("id").get(pk=user.pk)


def _make_sole_default(address):
    UserAddress.objects.filter(
        user_id=address.user_id, type=address.type, is_default=True, deleted_at__isnull=True
    ).exclude(pk=address.pk).update(is_default=False, updated_at=timezone.now())


@transaction.atomic
def address_create(*, user, is_default=False, actor=None, request=None, **data):
    """Add an address. The first address of a type becomes its default; ``is_default`` makes
    this one the default and the previous default an ordinary address. ``actor`` is who does it
    (None: the owner; a staff member for someone else's address); audited with ``request``'s
    address and browser."""
    actor = _actor_check(actor, user)
    _lock_owner(user)
    address = UserAddress(user=user, **{k: v for k, v in data.items() if k in ADDRESS_FIELDS})
    address.type = address.type or AddressType.DELIVERY
    _address_validate(address)
    address.is_default = bool(is_default) or not _has_default(user.pk, address.type)
    if address.is_default:
        _make_sole_default(address)
    address.save()
    _address_audit(
        address,
        "address.create",
        new={"type": address.type, "is_default": address.is_default},
        actor=actor,
        request=request,
    )
    return address


@transaction.atomic
def address_update(*, address, is_default=None, actor=None, request=None, **data):
    """Change an address (its owner is fixed). Setting ``is_default`` moves the default here.
    ``actor`` and ``request`` as for ``address_create``."""
    actor = _actor_check(actor, address.user)
    _lock_owner(address.user)
    address = UserAddress.objects.get(pk=address.pk, deleted_at__isnull=True)
    old_type, was_default = address.type, address.is_default
    old = {field: _jsonable(getattr(address, field)) for field in ADDRESS_FIELDS}
    for field, value in data.items():
        if field in ADDRESS_FIELDS:
            setattr(address, field, value)
    _address_validate(address)
    type_changed = address.type != old_type
    if is_default is False and was_default and not type_changed:
        raise ValidationError({"is_default": _("Choose another address as default instead.")})
    if type_changed:
        # The default of the new type, if it asks to be or the type has none yet.
        address.is_default = bool(is_default) or not _has_default(address.user_id, address.type)
    elif is_default:
        address.is_default = True
    if address.is_default:
        _make_sole_default(address)
    address.save()
    if type_changed and was_default:
        _promote_next_default(user_id=address.user_id, type_=old_type, exclude=address.pk)
    new = {field: _jsonable(getattr(address, field)) for field in ADDRESS_FIELDS}
    _address_audit(
        address,
        "address.update",
        old={k: v for k, v in old.items() if new[k] != v},
        new={k: v for k, v in new.items() if old[k] != v} | {"is_default": address.is_default},
        actor=actor,
        request=request,
    )
    return address


def _has_default(user_id, type_):
    return UserAddress.objects.filter(user_id=user_id, type=type_, is_default=True, deleted_at__isnull=True).exists()


def _jsonable(value):
    return str(value) if isinstance(value, Decimal) else value


def _actor_check(actor, owner):
    """Who changes ``owner``'s address book: the owner (``actor`` None or the owner), or a staff
    member allowed to change that account (``accounts.permissions``)."""
    if actor is None or actor.pk == owner.pk:
        return owner
    if not getattr(actor, "is_staff", False):
        raise PermissionDenied(_("Only the owner or staff change an address book."))
    account_change_check(actor=actor, user=owner)
    return actor


def _address_audit(address, action, *, actor, request, old=None, new=None):
    audit_log_write(
        actor=actor,
        action=action,
        entity_type="user_address",
        entity_id=address.pk,
        old_values=old or None,
        new_values=new or None,
        request=request,
    )


def _promote_next_default(*, user_id, type_, exclude=None):
    candidate = (
        UserAddress.objects.filter(user_id=user_id, type=type_, deleted_at__isnull=True)
        .exclude(pk=exclude)
        .order_by("-updated_at", "-pk")
        .first()
    )
    if candidate is not None:
        UserAddress.objects.filter(pk=candidate.pk).update(is_default=True, updated_at=timezone.now())


@transaction.atomic
def address_delete(*, address, actor=None, request=None):
    """Soft delete: the row stays for the orders that point at it; if it was the default,
    the most recently used other address of its type becomes the default. ``actor`` and
    ``request`` as for ``address_create``."""
    actor = _actor_check(actor, address.user)
    _lock_owner(address.user)
    address = UserAddress.objects.get(pk=address.pk, deleted_at__isnull=True)
    was_default = address.is_default
    address.deleted_at = timezone.now()
    address.is_default = False
    address.save(update_fields=["deleted_at", "is_default", "updated_at"])
    if was_default:
        _promote_next_default(user_id=address.user_id, type_=address.type)
    _address_audit(
        address,
        "address.delete",
        old={"type": address.type, "is_default": was_default},
        actor=actor,
        request=request,
    )


@transaction.atomic
def address_make_default(*, address, actor=None, request=None):
    """Make ``address`` the default of its type (an ``address.update`` row)."""
    return address_update(address=address, is_default=True, actor=actor, request=request)
