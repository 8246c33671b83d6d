"""Sign-up and the one sign-in gate of pages, API and back office."""

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from gogomarket.core.ratelimit import RateLimited, rate_limit_hit
from gogomarket.core.services import client_meta

from .. import throttle
from ..devices import known_device_of, known_device_remember
from ..enums import UserRole, UserStatus
from ..models import User, UserManager
from ..phones import phone_normalize
from .users import SIGN_UP, user_create
from .verification import email_verification_send

SELF_SIGNUP_ROLES = (UserRole.BUYER, UserRole.SELLER)
SIGNUPS_PER_IP_PER_HOUR = 10


@transaction.atomic
def user_register(*, email, password, first_name, last_name, role=UserRole.BUYER, phone=None, request=None):
    """Self sign-up of a buyer or a seller (couriers and staff are created by staff). The password
    must pass the validators; a verification email is sent after commit. The account's one audit
    row is ``user_create``'s ``user.create`` (by ``signup``); this device becomes a known one."""
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
        email=email,
        password=password,
        first_name=first_name,
        last_name=last_name,
        role=role,
        phone=phone,
        actor=SIGN_UP,
        request=request,
    )
    email_verification_send(user=user, request=request)
    known_device_remember(request, user)
    return user


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


def _locked_message(gate):
    if gate.known_device:
        return _("Too many sign-in attempts. Try again in %(minutes)d minutes.") % {"minutes": gate.minutes}
    return _(
        "Too many sign-in attempts. Try again in %(minutes)d minutes. A device you have signed in on before "
        "can still sign in, and so can this one once you reset your password."
    ) % {"minutes": gate.minutes}


def auth_check_credentials(*, login, password, request=None):
    """The one gate of every sign-in (pages, API, back office).

    Takes the attempt's throttle slots before looking at the password (atomic in Redis, so
    concurrent guesses cannot slip past a limit): a known device of the account (signed cookie, or
    the address of a live session) has its own count; any other device counts per address and
    per account, with growing waits (``accounts.throttle``), so strangers' guesses never lock the
    owner's devices out. Then it checks the password, then the account status, which is only
    revealed to someone who knows the password. A successful sign-in makes this device known to
    the account (``KnownDeviceMiddleware`` sets the cookie). Returns the user or raises
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
    device = known_device_of(request, user)
    gate = throttle.login_attempt(account=account, ip=ip, device=device)
    if not gate.allowed:
        raise LoginRefused("locked", _locked_message(gate), retry_after=gate.retry_after)
    if user is None:
        User().set_password(password or "")  # same time as a real check: no account oracle
        raise LoginRefused("invalid", _("The email or phone and password do not match."))
    if not password or not user.check_password(password):
        raise LoginRefused("invalid", _("The email or phone and password do not match."))
    throttle.login_succeeded(account=account, ip=ip, device=device)
    if user.status != UserStatus.ACTIVE:
        raise LoginRefused(user.status, _status_message(user.status))
    known_device_remember(request, user)
    return user
