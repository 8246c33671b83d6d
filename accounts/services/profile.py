"""A person's own profile: name, phone, avatar."""

import io
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from gogomarket.core.services import audit_log_write

from .. import hooks
from ..models import User
from ..phones import phone_clean
from .users import phone_available, phone_release_unverified

AVATAR_SIZE = 512
AVATAR_THUMB_SIZE = 128
AVATAR_FORMATS = {"JPEG", "PNG", "WEBP"}


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
    if uploaded.size > settings.AVATAR_MAX_BYTES:
        raise ValidationError(
            {"avatar": _("The picture is too large (at most %(mb)d MB).") % {"mb": settings.AVATAR_MAX_BYTES // 2**20}}
        )
    try:
        data = uploaded.read()
        with Image.open(io.BytesIO(data)) as probe:
            probe.verify()
        image = Image.open(io.BytesIO(data))
        if image.format not in AVATAR_FORMATS:
            raise ValidationError({"avatar": _("Upload a JPEG, PNG or WebP picture.")})
        image = ImageOps.exif_transpose(image).convert("RGB")
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError) as exc:
        raise ValidationError({"avatar": _("This file is not a picture we can read.")}) from exc
    outputs = []
    for size in (AVATAR_SIZE, AVATAR_THUMB_SIZE):
        buffer = io.BytesIO()
        ImageOps.fit(image, (size, size), method=Image.Resampling.LANCZOS).save(buffer, "JPEG", quality=88)
        outputs.append(buffer.getvalue())
    return outputs


@transaction.atomic
def avatar_set(*, user, uploaded, request=None):
    """Store a new profile picture (512px square) and its 128px thumbnail; ``avatar_url`` points
    at the picture, the thumbnail sits next to it. A bad file raises ValidationError and stores
    nothing. The old files are removed after commit."""
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
