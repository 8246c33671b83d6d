"""A person's own profile: name, phone, avatar."""

import uuid

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

from gogomarket.core.images import Variant, image_normalise
from gogomarket.core.services import audit_log_write

from .. import hooks
from ..models import User
from ..phones import phone_clean
from .users import phone_available, phone_release_unverified

AVATAR_SIZE = 512
AVATAR_THUMB_SIZE = 128


@transaction.atomic
def profile_update(*, user, first_name=None, last_name=None, phone=None, request=None):
    """Change name and phone. A new phone number is unverified until its code is confirmed."""
    user = User.objects.select_for_update().get(pk=user.pk)
    changes = {}
    if first_name is not None and first_name.strip() != user.first_name:
        changes["first_name"] = first_name.strip()
    if last_name is not None and last_name.strip() != user.last_name:
        changes["last_name"] = last_name.strip()
    if phone is not None:
        phone = phone_clean(phone)
        if phone != user.phone:
            if phone:
                phone_available(phone, user_id=user.pk)
                phone_release_unverified(phone=phone, keep_user_id=user.pk, request=request)
            changes["phone"] = phone
            changes["phone_verified"] = False
    if not changes:
        return user
    old = {field: getattr(user, field) for field in changes}
    for field, value in changes.items():
        setattr(user, field, value)
    user.save(update_fields=[*changes, "updated_at"])
    hooks.account_changed.fire(user_id=user.pk, fields=sorted(changes))
    audit_log_write(
        actor=user,
        action="user.profile_update",
        entity_type="user",
        entity_id=user.pk,
        old_values=old,
        new_values=changes,
        request=request,
    )
    return user


def _avatar_images(uploaded):
    """(512 px square, 128 px square) JPEG bytes of an uploaded picture, or ValidationError on ``avatar``."""
    return image_normalise(
        uploaded,
        field="avatar",
        max_bytes=settings.AVATAR_MAX_BYTES,
        variants=(Variant(AVATAR_SIZE, crop=True, quality=88), Variant(AVATAR_THUMB_SIZE, crop=True, quality=88)),
    )


@transaction.atomic
def avatar_set(*, user, uploaded, request=None):
    """Store a new profile picture (512px square) and its 128px thumbnail; ``avatar_url`` points
    at the picture, the thumbnail sits next to it. A bad file (gogomarket.core.images: size, format,
    pixel count before decoding) raises ValidationError and stores nothing. The change is audited
    (``user.avatar_change``); the old files are removed after commit."""
    picture, thumbnail = _avatar_images(uploaded)
    user = User.objects.select_for_update().get(pk=user.pk)
    base = f"avatars/{user.uuid}/{uuid.uuid4().hex}"
    name = default_storage.save(f"{base}.jpg", ContentFile(picture))
    thumb_name = f"{name.rsplit('.', 1)[0]}_thumb.jpg"
    default_storage.save(thumb_name, ContentFile(thumbnail))
    old_url = user.avatar_url
    user.avatar_url = default_storage.url(name)
    try:
        with transaction.atomic():
            user.save(update_fields=["avatar_url", "updated_at"])
            audit_log_write(
                actor=user,
                action="user.avatar_change",
                entity_type="user",
                entity_id=user.pk,
                old_values={"avatar_url": old_url},
                new_values={"avatar_url": user.avatar_url},
                request=request,
            )
    except Exception:
        _avatar_files_delete(user.avatar_url)  # no orphan files when the row is not written
        raise
    transaction.on_commit(lambda: _avatar_files_delete(old_url))
    hooks.account_changed.fire(user_id=user.pk, fields=["avatar_url"])
    return user


def _avatar_files_delete(url):
    prefix = settings.MEDIA_URL
    if not url or not url.startswith(prefix):
        return
    name = url[len(prefix) :]
    for candidate in (name, f"{name.rsplit('.', 1)[0]}_thumb.jpg"):
        if default_storage.exists(candidate):
            default_storage.delete(candidate)
