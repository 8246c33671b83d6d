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
