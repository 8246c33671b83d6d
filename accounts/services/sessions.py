"""Sessions of browsers and API clients: rows of ``user_sessions`` with hashed secrets."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import login as django_login
from django.contrib.auth import logout as django_logout
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from gogomarket.core.services import audit_log_write, client_meta

from .. import hooks
from ..models import User, UserSession, UserSessionSpentToken
from ..permissions import account_change_check
from ..tokens import TokenInvalid, TokenReused, access_token_check, access_token_new, new_secret, token_hash

BROWSER_SESSION_KEY = "_gogomarket_session"
SESSION_CACHE_KEY = "user-session:{hash}"
SESSION_TOUCH_KEY = "user-session-touch:{id}"
SESSION_TOUCH_EVERY = 60  # seconds: last_activity_at is written at most this often


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
    session = browser_session_adopt(request)
    hooks.signed_in.fire(user_id=user.pk, session_id=session.pk)
    return session


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


def sessions_delete(queryset):
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
        account_change_check(actor=actor, user=user)
    session = UserSession.objects.select_for_update().get(pk=session_id, user=user)
    sessions_delete(UserSession.objects.filter(pk=session.pk))
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
    count = sessions_delete(sessions)
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
    """Delete sessions past their expiry, and spent refresh tokens that would have expired by now
    (a token lives at most API_REFRESH_TOKEN_TTL from its issue, before it was spent). Run by
    Celery beat."""
    now = timezone.now()
    UserSessionSpentToken.objects.filter(
        created_at__lt=now - timedelta(seconds=settings.API_REFRESH_TOKEN_TTL)
    ).delete()
    return UserSession.objects.filter(expires_at__lte=now).delete()[0]


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
    hooks.signed_in.fire(user_id=user.pk, session_id=session.pk)
    return session, access, refresh


def api_session_refresh(*, refresh_token, request=None):
    """Rotate an API session's tokens: the refresh token works once; the session's expiry slides.
    Raises TokenInvalid when the refresh token is unknown, expired or the account can no longer
    sign in.

    A refresh token that was already exchanged, presented again, was copied (or its app is
    broken): the session ends at once, with its newest tokens, audited ``session.refresh_reuse``,
    and TokenReused (a TokenInvalid) is raised after that is committed: do not call this inside a
    transaction of your own. The session row is locked, so of two refreshes with one token at the
    same time one rotates and the other finds the token spent."""
    digest = token_hash(refresh_token or "")
    now = timezone.now()
    with transaction.atomic():
        session = (
            UserSession.objects.select_for_update()
            .select_related("user")
            .filter(refresh_token=digest, expires_at__gt=now)
            .first()
        )
        if session is not None and session.user.is_active:
            old_digest = session.token
            access, refresh = access_token_new(), new_secret()
            ip, agent = client_meta(request)
            session.token = token_hash(access)
            session.refresh_token = token_hash(refresh)
            session.expires_at = now + timedelta(seconds=settings.API_REFRESH_TOKEN_TTL)
            session.last_activity_at = now
            session.ip_address = ip or session.ip_address
            session.save(update_fields=["token", "refresh_token", "expires_at", "last_activity_at", "ip_address"])
            UserSessionSpentToken.objects.create(session=session, token_hash=digest)
            # Now, and again after commit: a reader may re-cache the old row before we commit.
            cache.delete(_session_cache_key(old_digest))
            transaction.on_commit(lambda: cache.delete(_session_cache_key(old_digest)))
            return session, access, refresh
        spent = UserSessionSpentToken.objects.filter(token_hash=digest).values_list("session_id", flat=True).first()
        ended = spent and UserSession.objects.select_for_update().filter(pk=spent).first()
        if ended:
            sessions_delete(UserSession.objects.filter(pk=ended.pk))
            audit_log_write(
                actor=None,
                action="session.refresh_reuse",
                entity_type="user_session",
                entity_id=ended.pk,
                old_values={"ip_address": ended.ip_address, "user_agent": ended.user_agent},
                new_values={"user_id": ended.user_id},
                request=request,
            )
    if ended:
        raise TokenReused
    raise TokenInvalid


def api_session_for_access_token(access):
    """The live session behind an access token, with its user. Raises TokenExpired or
    TokenInvalid (unknown, revoked, or the account may no longer sign in)."""
    access_token_check(access)
    session = session_for_token_digest(token_hash(access))
    if session is None:
        raise TokenInvalid
    user = User.objects.active().filter(pk=session.user_id).first()
    if user is None:
        raise TokenInvalid
    session.user = user
    return session


def api_session_end(*, access):
    """Log out: the session of this access token is deleted (its refresh token dies with it)."""
    digest = token_hash(access)
    return sessions_delete(UserSession.objects.filter(token=digest))
