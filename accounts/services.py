"""Writes about people: accounts, sign-in and sessions, verification, profiles, addresses and
back-office roles. Web pages, the API, the admin and commands all call these functions."""

import hmac
import io
import secrets
import uuid
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.contrib.auth import login as django_login
from django.contrib.auth import logout as django_logout
from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from gogomarket.core.ratelimit import RateLimited, rate_limit_hit, rate_limit_reset
from gogomarket.core.services import audit_log_write, client_meta

from . import throttle
from .enums import AddressType, AdminRoleType, UserRole, UserStatus
from .models import AdminRole, User, UserAddress, UserManager, UserSession
from .phones import phone_normalize
from .tokens import TokenInvalid, access_token_check, access_token_new, new_secret, token_hash

BROWSER_SESSION_KEY = "_gogomarket_session"
SESSION_CACHE_KEY = "user-session:{hash}"
SESSION_TOUCH_KEY = "user-session-touch:{id}"
SESSION_TOUCH_EVERY = 60  # seconds: last_activity_at is written at most this often
SELF_SIGNUP_ROLES = (UserRole.BUYER, UserRole.SELLER)
EMAIL_VERIFY_SALT = "gogomarket.accounts.email-verify"
PHONE_CODE_KEY = "phone-verify:{user_id}"
PHONE_CODE_TTL = 10 * 60
SMS_COUNTRY_PREFIX = "+998"
PHONE_CODE_MAX_TRIES = 5
AVATAR_SIZE = 512
AVATAR_THUMB_SIZE = 128
AVATAR_FORMATS = {"JPEG", "PNG", "WEBP"}
SIGNUPS_PER_IP_PER_HOUR = 10
EMAIL_LINKS_PER_USER_PER_MINUTE = 1
PASSWORD_RESETS_PER_EMAIL_PER_HOUR = 3


def phone_clean(phone, field="phone"):
    """The one stored spelling of a phone number (``+998901234567``); ValidationError when the
    text is not a phone number, None when empty."""
    if phone is None or not str(phone).strip():
        return None
    cleaned = phone_normalize(str(phone))
    if not cleaned:
        raise ValidationError({field: _("Enter a phone number like +998 90 123 45 67.")})
    return cleaned


# --- accounts ------------------------------------------------------------------------------
@transaction.atomic
def user_create(*, email, password, first_name, last_name, role=UserRole.BUYER, phone=None, **fields):
    """Create an account. The email is normalised (lower case), the password hashed with bcrypt;
    a duplicate email or phone raises ValidationError naming the field and writes nothing."""
    email = UserManager.normalize_email(email)
    phone = phone_clean(phone)
    if not email:
        raise ValidationError({"email": _("Enter an email address.")})
    if User.objects.filter(email=email).exists():
        raise ValidationError({"email": _("This email is already registered.")})
    if phone:
        _phone_available(phone)
        _phone_release_unverified(phone=phone, keep_user_id=None)
    user = User(email=email, first_name=first_name, last_name=last_name, role=role, phone=phone or None, **fields)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:  # a concurrent sign-up with the same email or phone
        raise ValidationError({"email": _("This email is already registered.")}) from exc
    return user


@transaction.atomic
def user_register(*, email, password, first_name, last_name, role=UserRole.BUYER, phone=None, request=None):
    """Self sign-up of a buyer or a seller (couriers and staff are created by staff). The password
    must pass the validators; a verification email is sent after commit."""
    if role not in SELF_SIGNUP_ROLES:
        raise ValidationError({"role": _("You can sign up as a buyer or a seller.")})
    ip, _agent = client_meta(request)
    hit = rate_limit_hit("signup-ip", ip or "unknown", limit=SIGNUPS_PER_IP_PER_HOUR, window=3600)
    if hit.over:
        raise RateLimited(
            _("Too many sign-ups from this network. Try again in %(minutes)d minutes.") % {"minutes": hit.minutes},
            retry_after=hit.retry_after,
        )
    probe = User(email=UserManager.normalize_email(email), first_name=first_name, last_name=last_name)
    try:
        validate_password(password, probe)
    except ValidationError as error:
        raise ValidationError({"password": error.messages}) from error
    user = user_create(
        email=email, password=password, first_name=first_name, last_name=last_name, role=role, phone=phone
    )
    audit_log_write(
        actor=user,
        action="user.register",
        entity_type="user",
        entity_id=user.pk,
        new_values={"email": user.email, "role": user.role},
        request=request,
    )
    email_verification_send(user=user, request=request)
    return user


@transaction.atomic
def staff_user_create(*, email, password, first_name="", last_name="", role_type, granted_by=None, **fields):
    """Create a staff account (role ``admin``) holding one admin sub-role."""
    user = user_create(
        email=email, password=password, first_name=first_name, last_name=last_name, role=UserRole.ADMIN, **fields
    )
    admin_role_grant(user=user, role_type=role_type, granted_by=granted_by)
    return user


# --- sign-in -------------------------------------------------------------------------------
class LoginRefused(Exception):
    """Why a sign-in was refused; ``message`` is what the person sees."""

    def __init__(self, code, message, retry_after=None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.retry_after = retry_after


def _status_message(status):
    return {
        UserStatus.SUSPENDED: _("Your account is suspended. Please contact support."),
        UserStatus.BANNED: _("Your account has been blocked. Please contact support."),
        UserStatus.INACTIVE: _("Your account is not active. Please contact support."),
    }[status]


def auth_check_credentials(*, login, password, request=None):
    """The one gate of every sign-in (pages, API, back office).

    Takes a throttle slot per account and per IP before looking at the password (atomic in
    Redis, so concurrent guesses cannot slip past the limit), then checks the password, then the
    account status, which is only revealed to someone who knows the password. The account slot
    is keyed on the account the login names, so guesses by email and by phone share one count;
    a login that names no account is counted on its own text. Returns the user or raises
    LoginRefused (codes ``locked``, ``invalid``, ``suspended``, ``banned``, ``inactive``).
    """
    login = (login or "").strip()
    if login and "@" not in login:
        login = phone_normalize(login) or login  # "90 123 45 67" is the same account as +998901234567
    ip, _agent = client_meta(request)
    user = (
        User.objects.filter(deleted_at__isnull=True)
        .filter(Q(email=UserManager.normalize_email(login)) | Q(phone=login))
        .first()
        if login
        else None
    )
    account = throttle.account_key(user=user, login=login)
    account_hit, ip_hit = throttle.login_attempt(account=account, ip=ip)
    if account_hit.over or ip_hit.over:
        hit = account_hit if account_hit.over else ip_hit
        raise LoginRefused(
            "locked",
            _("Too many sign-in attempts. Try again in %(minutes)d minutes.") % {"minutes": hit.minutes},
            retry_after=hit.retry_after,
        )
    if user is None:
        User().set_password(password or "")  # same time as a real check: no account oracle
        raise LoginRefused("invalid", _("The email or phone and password do not match."))
    if not password or not user.check_password(password):
        raise LoginRefused("invalid", _("The email or phone and password do not match."))
    throttle.login_succeeded(account=account, ip=ip)
    if user.status != UserStatus.ACTIVE:
        raise LoginRefused(user.status, _status_message(user.status))
    return user


def _session_cache_key(token_digest):
    return SESSION_CACHE_KEY.format(hash=token_digest)


def _session_new(*, user, request, expires_in, refresh_digest=None, secret=None):
    ip, agent = client_meta(request)
    secret = secret or new_secret()
    session = UserSession.objects.create(
        user=user,
        token=token_hash(secret),
        refresh_token=refresh_digest,
        ip_address=ip,
        user_agent=(agent or "")[:1000] or None,
        expires_at=timezone.now() + timedelta(seconds=expires_in),
    )
    return session, secret


@transaction.atomic
def browser_session_start(request, user):
    """Sign ``user`` in on this browser: Django's session (new key) plus a user_sessions row, so
    the browser shows up on the active sessions page and can be ended from there."""
    django_login(request, user, backend="accounts.backends.AccountBackend")
    return browser_session_adopt(request)


def browser_session_adopt(request):
    """Give a browser that is signed in but has no user_sessions row (the back office signs in
    through Django's own view) its row."""
    session, secret = _session_new(user=request.user, request=request, expires_in=settings.SESSION_COOKIE_AGE)
    request.session[BROWSER_SESSION_KEY] = secret
    return session


def browser_session_current(request):
    """The user_sessions row of this browser, or None when it was ended or has expired."""
    secret = request.session.get(BROWSER_SESSION_KEY)
    if not secret:
        return None
    return session_for_token_digest(token_hash(secret))


def browser_session_end(request):
    """Sign out this browser: its user_sessions row goes, then Django's session."""
    secret = request.session.get(BROWSER_SESSION_KEY)
    if secret:
        digest = token_hash(secret)
        UserSession.objects.filter(token=digest).delete()
        cache.delete(_session_cache_key(digest))
    django_logout(request)


def session_for_token_digest(digest):
    """The live session whose ``token`` hash is ``digest`` (cached briefly in Redis), or None."""
    key = _session_cache_key(digest)
    cached = cache.get(key)
    if cached is not None:
        session_id, user_id, expires_at = cached
        if expires_at > timezone.now():
            return UserSession(pk=session_id, user_id=user_id, token=digest, expires_at=expires_at)
        return None
    session = (
        UserSession.objects.filter(token=digest, expires_at__gt=timezone.now())
        .only("id", "user_id", "token", "expires_at")
        .first()
    )
    if session is not None:
        cache.set(key, (session.pk, session.user_id, session.expires_at), timeout=60)
    return session


def session_touch(session):
    """Keep ``last_activity_at`` current without a write per request (at most one a minute)."""
    if cache.add(SESSION_TOUCH_KEY.format(id=session.pk), 1, timeout=SESSION_TOUCH_EVERY):
        UserSession.objects.filter(pk=session.pk).update(last_activity_at=timezone.now())


def _sessions_delete(queryset):
    digests = list(queryset.values_list("token", flat=True))
    count = queryset.delete()[0]
    keys = [_session_cache_key(d) for d in digests]
    if keys:
        # Now, and again after commit: a reader may re-cache a row before the delete commits.
        cache.delete_many(keys)
        transaction.on_commit(lambda: cache.delete_many(keys))
    return count


@transaction.atomic
def session_revoke(*, user, session_id, actor=None, request=None):
    """End one of ``user``'s sessions (browser or API). Another person's session does not exist
    for this call: UserSession.DoesNotExist, which interfaces turn into 404. Staff (``actor``)
    may end other people's sessions, except a super admin's unless they are one."""
    if actor is not None and actor.pk != user.pk:
        _account_change_check(actor=actor, user=user)
    session = UserSession.objects.select_for_update().get(pk=session_id, user=user)
    _sessions_delete(UserSession.objects.filter(pk=session.pk))
    audit_log_write(
        actor=actor or user,
        action="session.revoke",
        entity_type="user_session",
        entity_id=session_id,
        old_values={"ip_address": session.ip_address, "user_agent": session.user_agent},
        request=request,
    )


@transaction.atomic
def sessions_revoke_all(*, user, keep=None, request=None):
    """End every session of ``user`` except ``keep`` (a UserSession or None)."""
    sessions = UserSession.objects.filter(user=user)
    if keep is not None:
        sessions = sessions.exclude(pk=keep.pk)
    count = _sessions_delete(sessions)
    if count:
        audit_log_write(
            actor=user,
            action="session.revoke_all",
            entity_type="user",
            entity_id=user.pk,
            new_values={"ended": count, "kept": keep.pk if keep is not None else None},
            request=request,
        )
    return count


def sessions_purge_expired():
    """Delete sessions past their expiry (run by Celery beat)."""
    return UserSession.objects.filter(expires_at__lte=timezone.now()).delete()[0]


# --- API tokens ----------------------------------------------------------------------------
@transaction.atomic
def api_session_create(*, user, request=None):
    """Open an API session for ``user``; returns ``(session, access, refresh)``. Only hashes of
    the two tokens are stored."""
    access, refresh = access_token_new(), new_secret()
    User.objects.filter(pk=user.pk).update(last_login=timezone.now())
    session, _secret = _session_new(
        user=user,
        request=request,
        expires_in=settings.API_REFRESH_TOKEN_TTL,
        refresh_digest=token_hash(refresh),
        secret=access,
    )
    return session, access, refresh


@transaction.atomic
def api_session_refresh(*, refresh_token, request=None):
    """Rotate an API session's tokens: the refresh token works once; the session's expiry slides.
    Raises TokenInvalid when the refresh token is unknown, used up, expired or the account can no
    longer sign in."""
    session = (
        UserSession.objects.select_for_update()
        .select_related("user")
        .filter(refresh_token=token_hash(refresh_token or ""), expires_at__gt=timezone.now())
        .first()
    )
    if session is None or not session.user.is_active:
        raise TokenInvalid
    old_digest = session.token
    access, refresh = access_token_new(), new_secret()
    ip, agent = client_meta(request)
    session.token = token_hash(access)
    session.refresh_token = token_hash(refresh)
    session.expires_at = timezone.now() + timedelta(seconds=settings.API_REFRESH_TOKEN_TTL)
    session.last_activity_at = timezone.now()
    session.ip_address = ip or session.ip_address
    session.save(update_fields=["token", "refresh_token", "expires_at", "last_activity_at", "ip_address"])
    # Now, and again after commit: a reader may re-cache the old row before we commit.
    cache.delete(_session_cache_key(old_digest))
    transaction.on_commit(lambda: cache.delete(_session_cache_key(old_digest)))
    return session, access, refresh


def api_session_for_access_token(access):
    """The live session behind an access token, with its user. Raises TokenExpired or
    TokenInvalid (unknown, revoked, or the account may no longer sign in)."""
    access_token_check(access)
    session = session_for_token_digest(token_hash(access))
    if session is None:
        raise TokenInvalid
    user = User.objects.filter(pk=session.user_id, deleted_at__isnull=True).first()
    if user is None or not user.is_active:
        raise TokenInvalid
    session.user = user
    return session


def api_session_end(*, access):
    """Log out: the session of this access token is deleted (its refresh token dies with it)."""
    digest = token_hash(access)
    return _sessions_delete(UserSession.objects.filter(token=digest))


# --- passwords -----------------------------------------------------------------------------
@transaction.atomic
def password_change(*, user, old_password, new_password, keep_session=None, request=None):
    """Change a password knowing the old one; every other session of the user ends."""
    if not user.check_password(old_password or ""):
        raise ValidationError({"old_password": _("Your old password was entered incorrectly.")})
    try:
        validate_password(new_password, user)
    except ValidationError as error:
        raise ValidationError({"new_password": error.messages}) from error
    user.set_password(new_password)
    user.save(update_fields=["password", "updated_at"])
    sessions_revoke_all(user=user, keep=keep_session, request=request)
    audit_log_write(actor=user, action="user.password_change", entity_type="user", entity_id=user.pk, request=request)
    return user


def password_reset_request_check(*, email):
    """At most three reset emails an hour for one address (whoever asks): a mailbox cannot be
    flooded through the reset page. Raises RateLimited."""
    hit = rate_limit_hit(
        "password-reset", UserManager.normalize_email(email), limit=PASSWORD_RESETS_PER_EMAIL_PER_HOUR, window=3600
    )
    if hit.over:
        raise RateLimited(
            _("Too many reset emails for this address. Try again in %(minutes)d minutes.") % {"minutes": hit.minutes},
            retry_after=hit.retry_after,
            field="email",
        )


@transaction.atomic
def password_reset_complete(*, user, new_password, request=None):
    """Set a new password through a reset link; every session of the user ends."""
    try:
        validate_password(new_password, user)
    except ValidationError as error:
        raise ValidationError({"new_password": error.messages}) from error
    user.set_password(new_password)
    user.save(update_fields=["password", "updated_at"])
    sessions_revoke_all(user=user, request=request)
    audit_log_write(actor=user, action="user.password_reset", entity_type="user", entity_id=user.pk, request=request)
    return user


# --- verification --------------------------------------------------------------------------
def _absolute(request, path):
    return request.build_absolute_uri(path) if request is not None else settings.SITE_URL.rstrip("/") + path


def email_verification_token(user):
    return signing.dumps({"u": user.pk, "e": user.email}, salt=EMAIL_VERIFY_SALT)


def email_verification_send(*, user, request=None):
    """Email a verification link (sent by Celery after commit); at most one a minute, never for
    an email that is already confirmed."""
    from gogomarket.core.services import email_send_after_commit

    if user.email_verified:
        raise ValidationError({"email": _("Your email is already confirmed.")})
    hit = rate_limit_hit("email-verify", user.pk, limit=EMAIL_LINKS_PER_USER_PER_MINUTE, window=60)
    if hit.over:
        raise RateLimited(
            _("A link was just sent. You can ask for a new one in %(seconds)d seconds.")
            % {"seconds": max(1, hit.retry_after)},
            retry_after=hit.retry_after,
            field="email",
        )

    link = _absolute(request, reverse("accounts:verify_email", args=[email_verification_token(user)]))
    context = {"user": user, "link": link, "days": settings.EMAIL_VERIFICATION_MAX_AGE // 86400}
    email_send_after_commit(
        to=user.email,
        subject=_("Confirm your email for GOGOMARKET"),
        body=render_to_string("accounts/email/verify_email.txt", context),
    )


@transaction.atomic
def email_verify(*, token, request=None):
    """Mark the email of the link's user verified. Raises ValidationError when the link is
    broken, expired, or for an email the account no longer has."""
    try:
        data = signing.loads(token, salt=EMAIL_VERIFY_SALT, max_age=settings.EMAIL_VERIFICATION_MAX_AGE)
    except signing.SignatureExpired as exc:
        raise ValidationError(_("This link has expired. Ask for a new one on your profile page.")) from exc
    except signing.BadSignature as exc:
        raise ValidationError(_("This link is not valid.")) from exc
    user = User.objects.select_for_update().filter(pk=data.get("u"), deleted_at__isnull=True).first()
    if user is None or user.email != data.get("e"):
        raise ValidationError(_("This link is not valid."))
    if not user.email_verified:
        user.email_verified = True
        user.save(update_fields=["email_verified", "updated_at"])
        audit_log_write(
            actor=user,
            action="user.email_verified",
            entity_type="user",
            entity_id=user.pk,
            new_values={"email": user.email},
            request=request,
        )
    return user


def phone_verification_send(*, user, request=None):
    """Text a 6-digit code to the user's phone: valid 10 minutes, 5 tries. Texts cost money, so
    they are limited (atomically, in Redis) to one a minute and ten a day per account, five an
    hour per number and twenty an hour per IP address, and go to Uzbek numbers only."""
    from .tasks import send_sms

    if not user.phone:
        raise ValidationError({"phone": _("Add a phone number to your profile first.")})
    if user.phone_verified:
        raise ValidationError({"phone": _("Your phone is already confirmed.")})
    if not user.phone.startswith(SMS_COUNTRY_PREFIX):
        raise ValidationError({"phone": _("We can send codes to Uzbek numbers (+998) only.")})
    ip, _agent = client_meta(request)
    for scope, value, limit, window in (
        ("sms-user-minute", user.pk, 1, 60),
        ("sms-user-day", user.pk, 10, 86400),
        ("sms-number", user.phone, 5, 3600),
        ("sms-ip", ip or "unknown", 20, 3600),
    ):
        hit = rate_limit_hit(scope, value, limit=limit, window=window)
        if hit.over:
            message = (
                _("A code was just sent. You can ask for a new one in %(seconds)d seconds.")
                % {"seconds": max(1, hit.retry_after)}
                if window == 60
                else _("Too many codes asked for. Try again in %(minutes)d minutes.") % {"minutes": hit.minutes}
            )
            raise RateLimited(message, retry_after=hit.retry_after, field="code")
    code = f"{secrets.randbelow(10**6):06d}"
    cache.set(
        PHONE_CODE_KEY.format(user_id=user.pk),
        {"phone": user.phone, "hash": token_hash(f"{user.pk}:{code}")},
        timeout=PHONE_CODE_TTL,
    )
    rate_limit_reset("phone-code-tries", user.pk)
    text = _("GOGOMARKET code: %(code)s. Do not share it with anyone.") % {"code": code}
    phone = user.phone
    transaction.on_commit(lambda: send_sms.delay(phone, text))


@transaction.atomic
def phone_verify(*, user, code, request=None):
    """Check a code sent by ``phone_verification_send``; marks the phone verified. Every try
    takes a slot first (atomic), so five wrong guesses end the code even when sent at once."""
    key = PHONE_CODE_KEY.format(user_id=user.pk)
    pending = cache.get(key)
    if not pending or pending["phone"] != user.phone:
        raise ValidationError({"code": _("The code has expired. Ask for a new one.")})
    tries = rate_limit_hit("phone-code-tries", user.pk, limit=PHONE_CODE_MAX_TRIES, window=PHONE_CODE_TTL)
    if tries.over:
        cache.delete(key)
        raise ValidationError({"code": _("Too many wrong codes. Ask for a new one.")})
    if not hmac.compare_digest(token_hash(f"{user.pk}:{(code or '').strip()}"), pending["hash"]):
        raise ValidationError({"code": _("The code is not right.")})
    cache.delete(key)
    rate_limit_reset("phone-code-tries", user.pk)
    _phone_release_unverified(phone=user.phone, keep_user_id=user.pk, request=request)
    User.objects.filter(pk=user.pk).update(phone_verified=True, updated_at=timezone.now())
    user.phone_verified = True
    audit_log_write(
        actor=user,
        action="user.phone_verified",
        entity_type="user",
        entity_id=user.pk,
        new_values={"phone": user.phone},
        request=request,
    )
    return user


def _phone_release_unverified(*, phone, keep_user_id, request=None):
    """An unverified phone proves nothing: when someone else claims the number, it leaves the
    account that never confirmed it (audited). A verified number stays where it is."""
    for other in User.objects.select_for_update().filter(phone=phone, phone_verified=False).exclude(pk=keep_user_id):
        User.objects.filter(pk=other.pk).update(phone=None, updated_at=timezone.now())
        audit_log_write(
            actor=None,
            action="user.phone_released",
            entity_type="user",
            entity_id=other.pk,
            old_values={"phone": phone},
            request=request,
        )


def _phone_available(phone, user_id=None):
    """Raise unless ``phone`` is free or only held, unverified, by another account."""
    taken = User.objects.filter(phone=phone, phone_verified=True)
    if user_id is not None:
        taken = taken.exclude(pk=user_id)
    if taken.exists():
        raise ValidationError({"phone": _("This phone is already registered.")})


# --- profile -------------------------------------------------------------------------------
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
                _phone_available(phone, user_id=user.pk)
                _phone_release_unverified(phone=phone, keep_user_id=user.pk, request=request)
            changes["phone"] = phone
            changes["phone_verified"] = False
    if not changes:
        return user
    old = {field: getattr(user, field) for field in changes}
    for field, value in changes.items():
        setattr(user, field, value)
    user.save(update_fields=[*changes, "updated_at"])
    if {"first_name", "last_name"} & set(changes):
        _storefront_changed(user, visibility=False)
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
    return user


def _avatar_files_delete(url):
    prefix = settings.MEDIA_URL
    if not url or not url.startswith(prefix):
        return
    name = url[len(prefix) :]
    for candidate in (name, f"{name.rsplit('.', 1)[0]}_thumb.jpg"):
        if default_storage.exists(candidate):
            default_storage.delete(candidate)


@transaction.atomic
def user_soft_delete(*, user, actor=None, request=None):
    """Close an account: it disappears from every page and can no longer sign in; every session
    (browser and API) ends at once. The row stays for the orders and history that point at it.
    ``actor`` is the staff member closing it (None: the person themselves); only a super admin
    closes a super admin's account. Closing a closed account changes nothing."""
    user = User.objects.select_for_update().get(pk=user.pk)
    _account_change_check(actor=actor, user=user)
    if user.deleted_at is not None:
        return user
    user.deleted_at = timezone.now()
    user.save(update_fields=["deleted_at", "updated_at"])
    ended = _sessions_delete(UserSession.objects.filter(user=user))
    _storefront_changed(user, visibility=True)
    audit_log_write(
        actor=actor or user,
        action="user.delete",
        entity_type="user",
        entity_id=user.pk,
        new_values={"deleted_at": user.deleted_at.isoformat(), "sessions_ended": ended},
        request=request,
    )
    return user


def _storefront_changed(user, *, visibility):
    """A seller's shop pages are cached (catalog.cache): rebuild them after this change commits."""
    if user.role == UserRole.SELLER or visibility:
        from catalog.cache import seller_changed

        seller_changed(user.pk, visibility=visibility)


# --- staff edits of accounts ---------------------------------------------------------------
STAFF_EDITABLE_FIELDS = ("email", "phone", "first_name", "last_name", "avatar_url", "role", "status")


def _holds_super_admin(user):
    # Expired grants count too: an account that was a super admin stays out of reach of the
    # other roles until a super admin has looked at it.
    if user.pk is None:
        return False
    return AdminRole.objects.filter(user_id=user.pk, role_type=AdminRoleType.SUPER_ADMIN).exists()


def user_change_allowed(*, actor, user):
    """May ``actor`` (a staff member, or None for the system) change, suspend or close ``user``'s
    account or roles? Only a super admin touches an account that holds super_admin; anyone may
    act on their own account."""
    if actor is None or actor.pk == user.pk or actor.is_superuser:
        return True
    return not _holds_super_admin(user)


def _account_change_check(*, actor, user):
    if not user_change_allowed(actor=actor, user=user):
        raise ValidationError(_("Only a super admin can change a super admin's account."), code="forbidden")


def user_staff_update_check(*, user, changed_by, **fields):
    """The rules of ``user_staff_update`` without writing anything (forms show them before
    saving). Returns the changes in their stored spelling, verification resets included."""
    unknown = set(fields) - set(STAFF_EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"not editable by staff: {sorted(unknown)}")
    _account_change_check(actor=changed_by, user=user)
    changes = {}
    if "email" in fields:
        email = UserManager.normalize_email(fields["email"])
        if not email:
            raise ValidationError({"email": _("Enter an email address.")})
        if email != user.email:
            if User.objects.filter(email=email).exclude(pk=user.pk).exists():
                raise ValidationError({"email": _("This email is already registered.")})
            changes |= {"email": email, "email_verified": False}
    if "phone" in fields:
        phone = phone_clean(fields["phone"])
        if phone != user.phone:
            if phone:
                _phone_available(phone, user_id=user.pk)
            changes |= {"phone": phone, "phone_verified": False}
    for name in ("first_name", "last_name"):
        if name in fields:
            value = (fields[name] or "").strip()
            if not value:
                raise ValidationError({name: _("This field is required.")})
            if value != getattr(user, name):
                changes[name] = value
    if "avatar_url" in fields and (fields["avatar_url"] or None) != user.avatar_url:
        changes["avatar_url"] = fields["avatar_url"] or None
    if "role" in fields and fields["role"] != user.role:
        if fields["role"] not in UserRole.values:
            raise ValidationError({"role": _("Unknown role.")})
        changes["role"] = fields["role"]
    if "status" in fields and fields["status"] != user.status:
        if fields["status"] not in UserStatus.values:
            raise ValidationError({"status": _("Unknown status.")})
        changes["status"] = fields["status"]
    return changes


@transaction.atomic
def user_staff_update(*, user, changed_by, request=None, **fields):
    """A staff member changes an account (the back office's user page): email and phone are
    stored in their one spelling, a new email or phone is unverified until its owner confirms
    it, and the change is written to the audit log (who, whom, old and new values). Only a super
    admin changes an account that holds super_admin. Raises ValidationError and writes nothing
    when a rule refuses."""
    user = User.objects.select_for_update().get(pk=user.pk)
    changes = user_staff_update_check(user=user, changed_by=changed_by, **fields)
    if not changes:
        return user
    if changes.get("phone"):
        _phone_release_unverified(phone=changes["phone"], keep_user_id=user.pk, request=request)
    old = {name: getattr(user, name) for name in changes}
    for name, value in changes.items():
        setattr(user, name, value)
    try:
        with transaction.atomic():
            user.save(update_fields=[*changes, "updated_at"])
    except IntegrityError as exc:  # a concurrent write took the email or the phone
        if "email" in changes:
            raise ValidationError({"email": _("This email is already registered.")}) from exc
        raise ValidationError({"phone": _("This phone is already registered.")}) from exc
    _storefront_changed(user, visibility=bool({"status", "role"} & set(changes)))
    audit_log_write(
        actor=changed_by,
        action="user.staff_update",
        entity_type="user",
        entity_id=user.pk,
        old_values=old,
        new_values=changes,
        request=request,
    )
    return user


# --- addresses -----------------------------------------------------------------------------
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
def address_create(*, user, is_default=False, **data):
    """Add an address. The first address of a type becomes its default; ``is_default`` makes
    this one the default and the previous default an ordinary address."""
    _lock_owner(user)
    address = UserAddress(user=user, **{k: v for k, v in data.items() if k in ADDRESS_FIELDS})
    address.type = address.type or AddressType.DELIVERY
    _address_validate(address)
    address.is_default = bool(is_default) or not _has_default(user.pk, address.type)
    if address.is_default:
        _make_sole_default(address)
    address.save()
    _address_audit(address, "address.create", new={"type": address.type, "is_default": address.is_default})
    return address


@transaction.atomic
def address_update(*, address, is_default=None, **data):
    """Change an address (its owner is fixed). Setting ``is_default`` moves the default here."""
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
    )
    return address


def _has_default(user_id, type_):
    return UserAddress.objects.filter(user_id=user_id, type=type_, is_default=True, deleted_at__isnull=True).exists()


def _jsonable(value):
    return str(value) if isinstance(value, Decimal) else value


def _address_audit(address, action, old=None, new=None):
    audit_log_write(
        actor=address.user,
        action=action,
        entity_type="user_address",
        entity_id=address.pk,
        old_values=old or None,
        new_values=new or None,
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
def address_delete(*, address):
    """Soft delete: the row stays for the orders that point at it; if it was the default,
    the most recently used other address of its type becomes the default."""
    _lock_owner(address.user)
    address = UserAddress.objects.get(pk=address.pk, deleted_at__isnull=True)
    was_default = address.is_default
    address.deleted_at = timezone.now()
    address.is_default = False
    address.save(update_fields=["deleted_at", "is_default", "updated_at"])
    if was_default:
        _promote_next_default(user_id=address.user_id, type_=address.type)
    _address_audit(address, "address.delete", old={"type": address.type, "is_default": was_default})


@transaction.atomic
def address_make_default(*, address):
    return address_update(address=address, is_default=True)


# --- back-office roles ---------------------------------------------------------------------
def _own_roles_check(*, user, actor):
    # Nobody below super admin hands rights to, or takes them from, themselves.
    if actor is not None and actor.pk == user.pk and not actor.is_superuser:
        raise ValidationError({"user": _("You cannot change your own admin roles.")})


def admin_role_grant_check(*, user, role_type, granted_by=None):
    """The rules of ``admin_role_grant``, for forms that want to show them before saving."""
    if role_type not in AdminRoleType.values:
        raise ValidationError({"role_type": _("Unknown admin role.")})
    if role_type == AdminRoleType.SUPER_ADMIN and granted_by is not None and not granted_by.is_superuser:
        raise ValidationError({"role_type": _("Only a super admin can grant the super admin role.")})
    if user.role != UserRole.ADMIN:
        raise ValidationError({"user": _("Only staff accounts can hold an admin role.")})
    _own_roles_check(user=user, actor=granted_by)
    if not user_change_allowed(actor=granted_by, user=user):
        raise ValidationError({"user": _("Only a super admin can change the roles of a super admin.")})


def admin_role_revoke_check(*, role, revoked_by=None):
    """The rules of ``admin_role_revoke``: only a super admin takes away super_admin or any role
    of an account that holds it, and nobody below super admin revokes their own roles."""
    if revoked_by is None:
        return
    if role.role_type == AdminRoleType.SUPER_ADMIN and not _another_super_admin(role):
        raise ValidationError({"user": _("This is the last super admin: grant super_admin to someone else first.")})
    if revoked_by.is_superuser:
        return
    _own_roles_check(user=role.user, actor=revoked_by)
    if role.role_type == AdminRoleType.SUPER_ADMIN or not user_change_allowed(actor=revoked_by, user=role.user):
        raise ValidationError({"user": _("Only a super admin can change the roles of a super admin.")})


def _another_super_admin(role):
    """Is there a live super_admin grant on another active account than ``role``'s?"""
    now = timezone.now()
    return (
        AdminRole.objects.filter(role_type=AdminRoleType.SUPER_ADMIN, user__deleted_at__isnull=True)
        .filter(user__status=UserStatus.ACTIVE)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .exclude(user_id=role.user_id)
        .exists()
    )


@transaction.atomic
def admin_role_grant(*, user, role_type, granted_by=None, permissions=None, expires_at=None, request=None):
    """Give ``user`` an admin sub-role. Only staff accounts (role ``admin``) can hold one; only a
    super admin (or the system, ``granted_by=None``: seed data, createsuperuser) may hand out
    super_admin, so a role manager cannot raise anyone, themselves included, above their own
    rights; below super admin nobody changes their own roles or the roles of an account that
    holds super_admin. The grant is written to the audit log (who granted what to whom)."""
    admin_role_grant_check(user=user, role_type=role_type, granted_by=granted_by)
    role = AdminRole.objects.create(
        user=user,
        role_type=role_type,
        permissions=permissions or {},
        granted_by=granted_by,
        expires_at=expires_at,
    )
    audit_log_write(
        actor=granted_by,
        action="admin_role.grant",
        entity_type="user",
        entity_id=user.pk,
        old_values=None,
        new_values={
            "admin_role_id": role.pk,
            "role_type": role_type,
            "permissions": role.permissions,
            "expires_at": expires_at.isoformat() if expires_at else None,
        },
        request=request,
    )
    user.__dict__.pop("active_admin_roles", None)
    return role


@transaction.atomic
def admin_role_revoke(*, role, revoked_by=None, request=None):
    """Remove an admin sub-role, recording the old value in the audit log. Refused (ValidationError,
    nothing removed) by the rules of ``admin_role_revoke_check``."""
    role = AdminRole.objects.select_for_update().select_related("user").get(pk=role.pk)
    admin_role_revoke_check(role=role, revoked_by=revoked_by)
    old = {"admin_role_id": role.pk, "role_type": role.role_type, "permissions": role.permissions}
    user_id = role.user_id
    role.delete()
    audit_log_write(
        actor=revoked_by,
        action="admin_role.revoke",
        entity_type="user",
        entity_id=user_id,
        old_values=old,
        new_values=None,
        request=request,
    )
