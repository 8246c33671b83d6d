"""GOGOMARKET settings.

Everything that differs between machines comes from the environment or a `.env` file at the
project root (django-environ); `.env.example` documents each variable. Real environment
variables win over `.env`.
"""

import base64
import hashlib
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

import environ
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")

DEV_SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env("SECRET_KEY", default="") or DEV_SECRET_KEY
if not DEBUG and SECRET_KEY == DEV_SECRET_KEY:
    raise ImproperlyConfigured("DEBUG is off: set SECRET_KEY to a long random value (see .env.example)")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.gis",
    "django.contrib.postgres",
    "django.contrib.humanize",
    # third party
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "channels",
    "csp",
    # GOGOMARKET, one app per section of the schema spec, in layer order (README "Layers"): an
    # app's domain code imports only the apps above it in this list.
    "gogomarket.core",
    "accounts",
    "catalog",
    "delivery",
    "orders",
    "finance",
    "notifications",
    "reviews",
    "promotions",
    "disputes",
    "chat",
    "social",
    "analytics",
    "demo",  # demo data (seed_demo): fills every app, so it sits on top
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "gogomarket.core.security.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "accounts.middleware.UserSessionMiddleware",
    "accounts.middleware.KnownDeviceMiddleware",
    "orders.middleware.CartMergeMiddleware",
]

ROOT_URLCONF = "gogomarket.urls"
WSGI_APPLICATION = "gogomarket.wsgi.application"
ASGI_APPLICATION = "gogomarket.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "gogomarket.core.context_processors.platform",
                "orders.context_processors.cart",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------------
# Default: the local PostGIS database `gogomarket` over the Unix socket, as the OS user.
DATABASES = {"default": env.db_url("DATABASE_URL", default="postgis:///gogomarket")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["ENGINE"] = "django.contrib.gis.db.backends.postgis"
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=0)
# A connection pool per process (psycopg_pool). Under an ASGI server each request runs in its own
# thread, so persistent connections (CONN_MAX_AGE) are not reused but pile up; a pool is the way
# to keep connections open. 0 (the default) opens a connection per request.
if env.int("DATABASE_POOL_MAX_SIZE", default=0) > 0:
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": env.int("DATABASE_POOL_MIN_SIZE", default=2),
        "max_size": env.int("DATABASE_POOL_MAX_SIZE"),
        "timeout": env.int("DATABASE_POOL_TIMEOUT", default=10),
    }
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Web requests run short queries: starting parallel workers for them costs more than it saves
# (tens of milliseconds per query). Raise it for reporting connections if ever needed.
DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
    f"-c max_parallel_workers_per_gather={env.int('DATABASE_PARALLEL_WORKERS', default=0)}"
)
# The test database is cloned from a template that already has the postgis and pg_trgm
# extensions, so the application role needs CREATEDB but not SUPERUSER.
# scripts/bootstrap.py creates it; set DATABASE_TEST_TEMPLATE= (empty) to use template1.
DATABASES["default"]["TEST"] = {
    "TEMPLATE": env("DATABASE_TEST_TEMPLATE", default=f"{DATABASES['default']['NAME']}_template") or None,
    # Two test runs at once on one machine need two test databases (default test_<NAME>).
    "NAME": env("DATABASE_TEST_NAME", default=None),
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: cache, sessions, channel layer, Celery broker ------------------------------
REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:6379/0")
CACHES = {
    "default": {
        "BACKEND": "gogomarket.core.cache.SharedPoolRedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": env("CACHE_KEY_PREFIX", default="gogomarket"),
        "TIMEOUT": 300,
    }
}
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        "CONFIG": {
            "hosts": [REDIS_URL],
            "prefix": env("CHANNELS_PREFIX", default="gogomarket:asgi"),
        },
    }
}

CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=REDIS_URL)
CELERY_TASK_ALWAYS_EAGER = False
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_TASK_DEFAULT_QUEUE", default="gogomarket")
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "Asia/Tashkent"
CELERY_BEAT_SCHEDULE_FILENAME = str(BASE_DIR / "var" / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "heartbeat": {"task": "gogomarket.core.tasks.heartbeat", "schedule": 60.0},
    "purge-expired-sessions": {"task": "accounts.tasks.purge_expired_sessions", "schedule": 3600.0},
    "catalog-view-counts": {"task": "catalog.tasks.view_counts_flush", "schedule": 60.0},
    "orders-expire-unpaid-card-orders": {"task": "orders.tasks.expire_unpaid_card_orders", "schedule": 60.0},
    "orders-expire-unpaid-bank-transfers": {"task": "orders.tasks.expire_unpaid_bank_transfers", "schedule": 3600.0},
    "finance-process-payouts": {"task": "finance.tasks.process_payouts", "schedule": 300.0},
    "finance-release-earnings": {"task": "finance.tasks.release_earnings", "schedule": 3600.0},
    "finance-retry-refunds": {"task": "finance.tasks.retry_refunds", "schedule": 300.0},
}

# --- Authentication ---------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["accounts.backends.AccountBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:profile"
LOGOUT_REDIRECT_URL = "catalog:home"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=14 * 24 * 3600)
PASSWORD_RESET_TIMEOUT = 3 * 24 * 3600
EMAIL_VERIFICATION_MAX_AGE = 3 * 24 * 3600

# API tokens (accounts.tokens): short-lived signed access tokens, long-lived rotating refresh
# tokens; only their SHA-256 hashes are stored in user_sessions.
API_ACCESS_TOKEN_TTL = env.int("API_ACCESS_TOKEN_TTL", default=15 * 60)
API_REFRESH_TOKEN_TTL = env.int("API_REFRESH_TOKEN_TTL", default=30 * 24 * 3600)

# Sign-in protection (accounts.throttle): strangers' attempts on one account (free ones, then a
# wait of LOGIN_THROTTLE_WINDOW doubling with each further attempt up to LOGIN_THROTTLE_MAX_DELAY,
# forgotten after LOGIN_THROTTLE_MEMORY without attempts), per address (in a window), and per known
# device of the account (a signed cookie, or the address of a live session), which strangers'
# attempts never hold up.
LOGIN_THROTTLE_WINDOW = env.int("LOGIN_THROTTLE_WINDOW", default=15 * 60)
LOGIN_THROTTLE_PER_ACCOUNT = env.int("LOGIN_THROTTLE_PER_ACCOUNT", default=5)
LOGIN_THROTTLE_PER_IP = env.int("LOGIN_THROTTLE_PER_IP", default=30)
LOGIN_THROTTLE_PER_DEVICE = env.int("LOGIN_THROTTLE_PER_DEVICE", default=5)
LOGIN_THROTTLE_MAX_DELAY = env.int("LOGIN_THROTTLE_MAX_DELAY", default=4 * 3600)
LOGIN_THROTTLE_MEMORY = env.int("LOGIN_THROTTLE_MEMORY", default=24 * 3600)
KNOWN_DEVICE_COOKIE_NAME = "gm_device"
KNOWN_DEVICE_COOKIE_AGE = env.int("KNOWN_DEVICE_COOKIE_AGE", default=365 * 24 * 3600)

# Text messages (phone verification codes) go through this backend; the default writes them
# to the log. A real gateway (Eskiz, Play Mobile, ...) is one class: see accounts/sms.py.
SMS_BACKEND = env("SMS_BACKEND", default="accounts.sms.LogSmsBackend")

# Map tiles for the address picker (and later the courier maps). Point it at your own tile
# server in production; without tiles the maps still work as pickers.
MAP_TILE_URL = env("MAP_TILE_URL", default="https://tile.openstreetmap.org/{z}/{x}/{y}.png")

# Uploaded avatars: largest accepted file and the types Pillow must recognise.
AVATAR_MAX_BYTES = 5 * 1024 * 1024

# --- Catalog ----------------------------------------------------------------------------
# Whole pages for visitors who are not signed in stay in Redis at most this long (seconds);
# any change to what a page shows replaces it at once (catalog/cache.py).
PAGE_CACHE_TTL = env.int("PAGE_CACHE_TTL", default=300)
# Search results for visitors who are not signed in are shared this long (no change invalidates them).
SEARCH_PAGE_CACHE_TTL = env.int("SEARCH_PAGE_CACHE_TTL", default=60)
# Product counts of lists (a count reads every matching row) are shared this long; a product change
# in the category listed shows at once, elsewhere within this time.
LISTING_COUNT_TTL = env.int("LISTING_COUNT_TTL", default=30)
PRODUCT_IMAGE_MAX_BYTES = env.int("PRODUCT_IMAGE_MAX_BYTES", default=10 * 1024 * 1024)
PRODUCT_IMAGES_MAX = env.int("PRODUCT_IMAGES_MAX", default=12)
PRODUCT_VARIANTS_MAX = env.int("PRODUCT_VARIANTS_MAX", default=100)
PRODUCT_ATTRIBUTES_MAX = env.int("PRODUCT_ATTRIBUTES_MAX", default=50)
PRODUCT_CSV_MAX_ROWS = env.int("PRODUCT_CSV_MAX_ROWS", default=5000)
PRODUCT_CSV_MAX_BYTES = env.int("PRODUCT_CSV_MAX_BYTES", default=5 * 1024 * 1024)

# --- Money ------------------------------------------------------------------------------
# Card payments and payouts go through these adapters (finance/providers.py): the sandbox ones
# by default; a real gateway (Payme, Click, an Uzcard/Humo acquirer) is one more class.
PAYMENT_PROVIDER = env("PAYMENT_PROVIDER", default="finance.providers.SandboxPaymentProvider")
PAYOUT_PROVIDER = env("PAYOUT_PROVIDER", default="finance.providers.SandboxPayoutProvider")
# Signs the sandbox provider's callbacks (a real provider has its own secret).
PAYMENT_SANDBOX_SECRET = env("PAYMENT_SANDBOX_SECRET", default=f"sandbox:{SECRET_KEY}")
# The sandbox pays without a card: anyone could mint GoGoMoney on its page. It is refused when
# DEBUG is off unless asked for by name (a staging site, the benchmark).
PAYMENT_SANDBOX_ALLOWED = env.bool("PAYMENT_SANDBOX_ALLOWED", default=DEBUG)
if not PAYMENT_SANDBOX_ALLOWED and any(".Sandbox" in path for path in (PAYMENT_PROVIDER, PAYOUT_PROVIDER)):
    raise ImproperlyConfigured(
        "DEBUG is off: set PAYMENT_PROVIDER and PAYOUT_PROVIDER to real providers, or PAYMENT_SANDBOX_ALLOWED=true "
        "for a site whose payments are pretend (see .env.example)"
    )
# Bank account numbers are encrypted with these keys (finance/crypto.py): "id:base64key,...",
# the first encrypts. Generate one with `manage.py finance_new_key`.
FINANCE_ENCRYPTION_KEYS = env(
    "FINANCE_ENCRYPTION_KEYS",
    default="dev:" + base64.urlsafe_b64encode(hashlib.sha256(f"bank:{SECRET_KEY}".encode()).digest()).decode(),
)
if not DEBUG and not env.str("FINANCE_ENCRYPTION_KEYS", default=""):
    # A key made from SECRET_KEY would make every stored bank account number unreadable the day
    # SECRET_KEY is rotated: production sets its own keys.
    raise ImproperlyConfigured("DEBUG is off: set FINANCE_ENCRYPTION_KEYS (see .env.example)")
TOPUP_MIN = Decimal(env("TOPUP_MIN", default="1000"))
TOPUP_MAX = Decimal(env("TOPUP_MAX", default="50000000"))
PAYOUT_MIN = Decimal(env("PAYOUT_MIN", default="10000"))

# --- Internationalisation ---------------------------------------------------------------
LANGUAGE_CODE = "uz"
LANGUAGES = [
    ("uz", _("Uzbek")),
    ("ru", _("Russian")),
    ("en", _("English")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Tashkent"
USE_I18N = True
USE_TZ = True
CURRENCY = "UZS"

# --- Static and media -------------------------------------------------------------------
STATIC_URL = "/static/"
# Relative paths are taken from the project root.
STATIC_ROOT = BASE_DIR / env("STATIC_ROOT", default="var/static")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = BASE_DIR / env("MEDIA_ROOT", default="var/media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- API --------------------------------------------------------------------------------
REST_FRAMEWORK = {
    # drf-spectacular's, documenting the error answers each operation can give (one place).
    "DEFAULT_SCHEMA_CLASS": "gogomarket.core.api.schema.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.api.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    # DRF's JSON parser and renderer, made safe for lone surrogates and deep nesting (400, not 500).
    "DEFAULT_PARSER_CLASSES": [
        "gogomarket.core.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_RENDERER_CLASSES": [
        "gogomarket.core.api.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    # Visitors who are not signed in: reads and searches per address (gogomarket.core.api.throttling).
    "DEFAULT_THROTTLE_CLASSES": [
        "gogomarket.core.api.throttling.AnonymousReadThrottle",
        "gogomarket.core.api.throttling.AnonymousSearchThrottle",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "COERCE_DECIMAL_TO_STRING": True,
    # Service ValidationErrors become 400 {field: [...]}, RateLimited 429 + Retry-After.
    "EXCEPTION_HANDLER": "gogomarket.core.api.exceptions.exception_handler",
}
_system_fonts = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"
SPECTACULAR_SETTINGS = {
    "TITLE": "GOGOMARKET API",
    "DESCRIPTION": "REST API of the GOGOMARKET marketplace for mobile apps. Prices are in UZS.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # Request bodies get components of their own: an upload is a file there (binary), a URL in answers.
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI and ReDoc from drf-spectacular-sidecar: the docs work without internet access.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # ReDoc's theme asks for Roboto and Montserrat (web fonts): the system's fonts instead.
    "REDOC_UI_SETTINGS": {
        "theme": {
            "typography": {
                "fontFamily": _system_fonts,
                "headings": {"fontFamily": _system_fonts},
                "code": {"fontFamily": "ui-monospace, SFMono-Regular, Menlo, Consolas, monospace"},
            }
        }
    },
    # Several models have a `status`; each enum gets its own name in the schema.
    "ENUM_NAME_OVERRIDES": {
        "UserStatusEnum": "accounts.enums.UserStatus",
        "ProductStatusEnum": "catalog.enums.ProductStatus",
        "OrderStatusEnum": "orders.enums.OrderStatus",
        "PaymentStatusEnum": "orders.enums.PaymentStatus",
        "TrackingStatusEnum": "orders.enums.TrackingStatus",
    },
}

# Visitors who are not signed in, per address and minute: API reads (lists, details) and searches
# (the API's `search`, the search page; suggestions count on their own). Generous for people, a
# wall for scrapers. 0 turns a limit off. Signed-in people are not counted.
ANONYMOUS_READS_PER_MINUTE = env.int("ANONYMOUS_READS_PER_MINUTE", default=300)
ANONYMOUS_SEARCHES_PER_MINUTE = env.int("ANONYMOUS_SEARCHES_PER_MINUTE", default=60)

# --- Email -------------------------------------------------------------------------------
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="GOGOMARKET <no-reply@gogomarket.uz>")

# --- Security ---------------------------------------------------------------------------
# Behind a proxy of ours that ends TLS and always sets X-Forwarded-Proto (nginx, a load balancer),
# say so: Django then knows a request came over HTTPS (secure cookies, HSTS, CSRF origin checks).
# Off by default: without such a proxy any client could send the header and claim HTTPS.
SECURE_PROXY_SSL_HEADER = None
if env.bool("SECURE_PROXY_SSL_HEADER", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# How many reverse proxies of ours stand in front of the app and append to X-Forwarded-For.
# 0: the client is REMOTE_ADDR and X-Forwarded-For is ignored (a client could forge it).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
# HTTP Strict Transport Security, sent on HTTPS answers: browsers then refuse plain HTTP for the site
# (and its subdomains) this long. Production default: one year with subdomains; preload only when
# asked for, since a preloaded domain takes months to leave the browsers' lists.
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 365 * 24 * 3600)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
SECURE_CONTENT_TYPE_NOSNIFF = True
# Other sites learn only our origin, never a page's path or query (order numbers, searches); the
# map tile server gets the origin its usage policy asks for.
SECURE_REFERRER_POLICY = env("SECURE_REFERRER_POLICY", default="strict-origin-when-cross-origin")
X_FRAME_OPTIONS = "DENY"
# /readyz names what is down only to these callers (besides this machine and signed-in staff):
# addresses or networks, e.g. the monitoring host, "10.0.0.0/8".
READYZ_ALLOWED_IPS = env.list("READYZ_ALLOWED_IPS", default=[])


def _origin(url):
    """``https://tile.example.org`` for a tile URL template ({s} subdomains as *); None for our own."""
    parts = urlsplit(url.replace("{s}", "*"))
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else None


# A real card provider's payment page, where "Place the order" and "Pay now" send the buyer
# (a form's redirect is held to form-action); the sandbox page is ours.
PAYMENT_PAGE_ORIGINS = env.list("PAYMENT_PAGE_ORIGINS", default=[])
# Content-Security-Policy (django-csp) on every answer. Pages run only our own static scripts and
# styles: no inline script, event handler or style attribute (static/js/site.js does what inline
# handlers did). A nonce appears only in answers that use request.csp_nonce (Swagger UI's page),
# never in pages the page cache keeps: a cached nonce would be stale. Exceptions, each with its
# reason where it is made: ReDoc (gogomarket/urls.py) and DRF's browsable API
# (gogomarket/core/security.py) may use inline styles. gogomarket.core.security also adds the
# site's own ws:/wss: origin to connect-src.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:", *filter(None, [_origin(MAP_TILE_URL)])],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF, *PAYMENT_PAGE_ORIGINS],
        "frame-ancestors": [NONE],
    },
}

# Debian 12's GDAL is 3.6; Django 5.2 would like 3.9 and warns (gis.W001). It works for
# everything GOGOMARKET does with it (geography polygons, point-in-polygon).
SILENCED_SYSTEM_CHECKS = ["gis.W001"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
