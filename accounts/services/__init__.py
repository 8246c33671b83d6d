"""Writes about people, by sub-domain (one module each, like Zulip's ``zerver/actions``):

* ``users``: creating accounts, who holds a phone number, closing an account
* ``auth``: sign-up and the one sign-in gate
* ``sessions``: browser and API sessions
* ``passwords``: change and reset
* ``verification``: email and phone verification
* ``profile``: name, phone, avatar
* ``staff``: staff accounts and staff edits of accounts
* ``addresses``: the address book
* ``admin_roles``: back-office roles

Pages, the API, the admin and commands call these; this package re-exports each module's public names."""

from .addresses import (  # noqa: F401
    ADDRESS_FIELDS,
    ADDRESS_INSTRUCTIONS_MAX_LENGTH,
    ADDRESS_OPTIONAL_TEXT,
    COORDINATE_STEP,
    address_create,
    address_delete,
    address_make_default,
    address_update,
)
from .admin_roles import (  # noqa: F401
    admin_role_grant,
    admin_role_grant_check,
    admin_role_revoke,
    admin_role_revoke_check,
)
from .auth import (  # noqa: F401
    SELF_SIGNUP_ROLES,
    SIGNUPS_PER_IP_PER_HOUR,
    LoginRefused,
    auth_check_credentials,
    user_register,
)
from .passwords import (  # noqa: F401
    PASSWORD_RESETS_PER_EMAIL_PER_HOUR,
    password_change,
    password_reset_complete,
    password_reset_request_check,
)
from .profile import (  # noqa: F401
    AVATAR_SIZE,
    AVATAR_THUMB_SIZE,
    avatar_set,
    profile_update,
)
from .sessions import (  # noqa: F401
    BROWSER_SESSION_KEY,
    SESSION_CACHE_KEY,
    SESSION_TOUCH_EVERY,
    SESSION_TOUCH_KEY,
    api_session_create,
    api_session_end,
    api_session_for_access_token,
    api_session_refresh,
    browser_session_adopt,
    browser_session_current,
    browser_session_end,
    browser_session_start,
    session_for_token_digest,
    session_revoke,
    session_touch,
    sessions_delete,
    sessions_purge_expired,
    sessions_revoke_all,
)
from .staff import (  # noqa: F401
    STAFF_EDITABLE_FIELDS,
    staff_user_create,
    user_staff_update,
    user_staff_update_check,
)
from .users import (  # noqa: F401
    SIGN_UP,
    phone_available,
    phone_release_unverified,
    user_create,
    user_soft_delete,
)
from .verification import (  # noqa: F401
    EMAIL_LINKS_PER_USER_PER_MINUTE,
    EMAIL_VERIFY_SALT,
    PHONE_CODE_KEY,
    PHONE_CODE_MAX_TRIES,
    PHONE_CODE_TTL,
    SMS_COUNTRY_PREFIX,
    email_verification_send,
    email_verification_token,
    email_verify,
    phone_verification_send,
    phone_verify,
)
