import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings

ROOT = Path(__file__).resolve().parent.parent


def load_settings(**env):
    """Import the settings module in a fresh interpreter with the given environment."""
    ambient = ("SECRET_KEY", "DEBUG", "FINANCE_ENCRYPTION_KEYS", "PAYMENT_SANDBOX_ALLOWED", "PAYMENT_PROVIDER",
               "PAYOUT_PROVIDER")  # fmt: skip
    environment = {k: v for k, v in os.environ.items() if k not in ambient}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-c", "import gogomarket.settings as s; print(s.DEBUG, len(s.SECRET_KEY))"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
    )


def test_dev_secret_key_refuses_to_start_with_debug_off():
    result = load_settings(DEBUG="false", SECRET_KEY="")
    assert result.returncode != 0
    assert "set SECRET_KEY" in result.stderr


KEYS = "k1:" + "A" * 43  # 32 bytes, base64


def test_debug_off_needs_its_own_bank_account_keys():
    result = load_settings(DEBUG="false", SECRET_KEY="x" * 60, PAYMENT_SANDBOX_ALLOWED="true")
    assert result.returncode != 0
    assert "set FINANCE_ENCRYPTION_KEYS" in result.stderr


def test_debug_off_refuses_the_sandbox_payment_providers():
    # Anyone could pay with the sandbox's Approve button: a production site must name real ones.
    result = load_settings(DEBUG="false", SECRET_KEY="x" * 60, FINANCE_ENCRYPTION_KEYS=KEYS)
    assert result.returncode != 0
    assert "set PAYMENT_PROVIDER and PAYOUT_PROVIDER" in result.stderr
    only_payouts_real = load_settings(
        DEBUG="false", SECRET_KEY="x" * 60, FINANCE_ENCRYPTION_KEYS=KEYS, PAYOUT_PROVIDER="acme.payouts.Bank"
    )
    assert only_payouts_real.returncode != 0


def test_real_secret_key_starts_with_debug_off():
    result = load_settings(
        DEBUG="false", SECRET_KEY="x" * 60, FINANCE_ENCRYPTION_KEYS=KEYS, PAYMENT_SANDBOX_ALLOWED="true"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "60"]


SECURITY_SETTINGS = (
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_REFERRER_POLICY",
    "X_FRAME_OPTIONS",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_PROXY_SSL_HEADER",
    "CONTENT_SECURITY_POLICY",
)
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "x" * 60,
    "FINANCE_ENCRYPTION_KEYS": KEYS,
    "PAYMENT_SANDBOX_ALLOWED": "true",
}


def security_settings(**env):
    """The security settings a fresh interpreter reads from ``env`` (ambient ones left out)."""
    ambient = (*SECURITY_SETTINGS, "MAP_TILE_URL", "PAYMENT_PAGE_ORIGINS")
    environment = {k: v for k, v in os.environ.items() if k not in ambient}
    environment.update(env)
    code = (
        "import json, gogomarket.settings as s; from csp.constants import Nonce; "
        f"print(json.dumps({{n: getattr(s, n) for n in {SECURITY_SETTINGS!r}}}, default=lambda o: 'NONCE'))"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_production_defaults_turn_on_hsts_and_secure_cookies():
    chosen = security_settings(**PRODUCTION)

    assert chosen["SECURE_HSTS_SECONDS"] == 365 * 24 * 3600
    assert chosen["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    # Preloading is a commitment that takes months to undo: only when asked for.
    assert chosen["SECURE_HSTS_PRELOAD"] is False
    assert chosen["SECURE_CONTENT_TYPE_NOSNIFF"] is True
    assert chosen["SECURE_REFERRER_POLICY"] == "strict-origin-when-cross-origin"
    assert chosen["X_FRAME_OPTIONS"] == "DENY"
    assert chosen["SESSION_COOKIE_SECURE"] is True
    assert chosen["CSRF_COOKIE_SECURE"] is True
    # X-Forwarded-Proto is believed only when a proxy of ours is said to set it.
    assert chosen["SECURE_PROXY_SSL_HEADER"] is None


def test_development_sends_no_hsts_and_plain_cookies():
    chosen = security_settings(DEBUG="true")

    assert chosen["SECURE_HSTS_SECONDS"] == 0
    assert chosen["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is False
    assert chosen["SESSION_COOKIE_SECURE"] is False
    assert chosen["CSRF_COOKIE_SECURE"] is False


def test_hsts_and_the_proxy_header_come_from_the_environment():
    chosen = security_settings(
        **PRODUCTION,
        SECURE_HSTS_SECONDS="63072000",
        SECURE_HSTS_INCLUDE_SUBDOMAINS="false",
        SECURE_HSTS_PRELOAD="true",
        SECURE_PROXY_SSL_HEADER="true",
        SECURE_REFERRER_POLICY="same-origin",
    )

    assert chosen["SECURE_HSTS_SECONDS"] == 63072000
    assert chosen["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is False
    assert chosen["SECURE_HSTS_PRELOAD"] is True
    assert chosen["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert chosen["SECURE_REFERRER_POLICY"] == "same-origin"


def test_the_content_security_policy_follows_the_tile_server_and_the_payment_page():
    directives = security_settings(
        MAP_TILE_URL="https://{s}.tiles.example.uz/osm/{z}/{x}/{y}.png",
        PAYMENT_PAGE_ORIGINS="https://checkout.paycom.uz",
    )["CONTENT_SECURITY_POLICY"]["DIRECTIVES"]

    assert directives["img-src"] == ["'self'", "data:", "https://*.tiles.example.uz"]
    assert directives["form-action"] == ["'self'", "https://checkout.paycom.uz"]
    assert directives["frame-ancestors"] == ["'none'"]
    # Tiles served by this site need nothing more than 'self'.
    own = security_settings(MAP_TILE_URL="/tiles/{z}/{x}/{y}.png")["CONTENT_SECURITY_POLICY"]["DIRECTIVES"]
    assert own["img-src"] == ["'self'", "data:"]


def test_https_answers_carry_hsts_in_production(client, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True

    response = client.get("/healthz", secure=True)

    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert "Strict-Transport-Security" not in client.get("/healthz")  # never over plain HTTP


def test_a_forged_forwarded_proto_is_not_believed_without_a_proxy(client, settings):
    settings.SECURE_HSTS_SECONDS = 31536000

    response = client.get("/healthz", headers={"x-forwarded-proto": "https"})

    assert "Strict-Transport-Security" not in response


def test_platform_settings():
    assert django_settings.TIME_ZONE == "Asia/Tashkent"
    assert django_settings.USE_TZ is True
    assert django_settings.CURRENCY == "UZS"
    assert [code for code, _ in django_settings.LANGUAGES] == ["uz", "ru", "en"]
    assert django_settings.DATABASES["default"]["ENGINE"] == "django.contrib.gis.db.backends.postgis"


@pytest.mark.django_db
def test_passwords_are_hashed_with_bcrypt_sha256(settings):
    from accounts.tests.factories import UserFactory

    # conftest puts a fast hasher first for speed; the real setting must start with bcrypt.
    settings.PASSWORD_HASHERS = [h for h in settings.PASSWORD_HASHERS if "MD5" not in h]
    assert settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.BCryptSHA256PasswordHasher"
    user = UserFactory()
    user.set_password("correct horse battery staple " * 4)  # longer than bcrypt's 72 bytes
    user.save()
    user.refresh_from_db()
    assert user.password.startswith("bcrypt_sha256$")
    assert user.check_password("correct horse battery staple " * 4)
    assert not user.check_password("correct horse battery staple")


def test_env_example_documents_every_setting_read_from_the_environment():
    source = (ROOT / "gogomarket" / "settings.py").read_text()
    names = set(re.findall(r'env(?:\.\w+)?\(\s*"([A-Z_]+)"', source))
    assert {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "MEDIA_ROOT", "STATIC_ROOT"} <= names
    documented = (ROOT / ".env.example").read_text()
    missing = sorted(n for n in names if not re.search(rf"^#?\s*{n}=", documented, re.M))
    assert missing == []
