"""Settings shared by every environment. Environment variables are read here, once."""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF, UNSAFE_INLINE

SITE_DIR = Path(__file__).resolve().parent.parent
BASE_DIR = SITE_DIR.parent


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


# A placeholder that production settings refuse (see production.py).
INSECURE_SECRET_KEY = "django-insecure-portail-famille-dev-only"
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", INSECURE_SECRET_KEY)
DEBUG = False
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS")

INSTALLED_APPS = [
    # The portal's own apps (see ../shared/docs/ARCHITECTURE.md): forms -> connectors -> home.
    "forms",
    "connectors",
    "home",
    # Wagtail
    "wagtail_modeladmin",
    "wagtail.contrib.settings",
    "wagtail.contrib.redirects",
    "wagtail.contrib.search_promotions",
    "wagtail.contrib.sitemaps",
    "django.contrib.sitemaps",
    "wagtail.contrib.table_block",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    # Staff two-factor authentication
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    # Family accounts
    "allauth",
    "allauth.account",
    # One lockout policy for every login (site/lockout.py)
    "axes",
    # Content-Security-Policy (request.csp_nonce in templates)
    "csp",
    # Background tasks stored in the database, run by `manage.py db_worker` (production settings)
    "django_tasks_db",
    # Django
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy (django-csp, strict on the public site) and Permissions-Policy: site/headers.py
    "site.headers.PortalCSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Before any view reads the body (CSRF's check reads POST in process_view, after every __call__).
    "site.limits.RequestBodyLimitMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "site.otp.AdminRequiresOTPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "site.lockout.SignInLimitsMiddleware",
    # Last, as django-axes asks: turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "site.urls"
WSGI_APPLICATION = "site.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [SITE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            # French dates in every template: ``|date_fr:"j F Y"`` writes "1er septembre".
            "builtins": ["home.templatetags.french_dates"],
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "site.context_processors.council",
            ],
        },
    },
]

# Database: SQLite by default (nothing to install); DATABASE_URL=postgres://... for PostgreSQL.
DATABASES = {
    "default": dj_database_url.config(
        env="DATABASE_URL",
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "0")),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache: local memory by default; REDIS_URL=redis://... shares it (and rate limits) between processes.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# The council's frame (head, brand, menu, search, footer) as template fragments, in each process's memory:
# their keys hold the pages version read from the shared cache, so a page published on one server changes
# the keys everywhere at once, and a page costs no round trip to Redis per fragment.
FRAGMENTS_CACHE = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "fragments",
    "OPTIONS": {"MAX_ENTRIES": 5000},
}
CACHES["fragments"] = FRAGMENTS_CACHE

# Sessions are read from the cache (one round trip to Redis, or process memory) and written through to
# the database, so that a restarted cache logs nobody out.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

AUTHENTICATION_BACKENDS = [
    # First: refuses any login to a locked-out account or address before a password is even checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Internationalisation: English source strings, French interface whatever the browser asks for
# (no LocaleMiddleware). Staff may still pick English for the Wagtail admin in their account.
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]
WAGTAIL_I18N_ENABLED = False
WAGTAILADMIN_PERMITTED_LANGUAGES = [("fr", "Français"), ("en", "English")]

# Static files (collected and served by WhiteNoise) and public media (images, documents).
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "static-collected"))
STATICFILES_DIRS = [SITE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", BASE_DIR / "media"))
# Families' uploads: a separate folder that no URL serves; only views that check who asks read it.
PRIVATE_MEDIA_ROOT = Path(os.environ.get("DJANGO_PRIVATE_MEDIA_ROOT", BASE_DIR / "private-media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # No URL serves this folder: only views that check who asks read it.
    "private": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": PRIVATE_MEDIA_ROOT}},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Object storage (S3-compatible: Scaleway, OVHcloud, Outscale, MinIO, Garage...) through django-storages,
# for several app servers: families' uploads in S3_PRIVATE_BUCKET, public media in S3_MEDIA_BUCKET.
S3_ENDPOINT_URL = os.environ.get("S3_ENDPOINT_URL", "")
S3_PRIVATE_BUCKET = os.environ.get("S3_PRIVATE_BUCKET", "")
S3_MEDIA_BUCKET = os.environ.get("S3_MEDIA_BUCKET", "")
S3_CONNECTION = {
    "endpoint_url": S3_ENDPOINT_URL or None,
    "region_name": os.environ.get("S3_REGION", "") or None,
    "access_key": os.environ.get("S3_ACCESS_KEY_ID", "") or None,
    "secret_key": os.environ.get("S3_SECRET_ACCESS_KEY", "") or None,
    "addressing_style": os.environ.get("S3_ADDRESSING_STYLE", "path"),
    "signature_version": "s3v4",
}
if S3_PRIVATE_BUCKET:
    # Files arrive already encrypted (Fernet, forms.family.services.upload_store) and leave only through the view
    # that checks who asks (forms.family.views.file_download): objects are private, names are random, and a URL,
    # if anything ever asks for one, is signed and expires within a minute.
    STORAGES["private"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            **S3_CONNECTION,
            "bucket_name": S3_PRIVATE_BUCKET,
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": 60,
            "file_overwrite": False,
        },
    }
if S3_MEDIA_BUCKET:
    # Public media (logos, images, published documents): served from the bucket, or from a CDN in front
    # of it (S3_MEDIA_CUSTOM_DOMAIN); the bucket's own policy makes it readable.
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            **S3_CONNECTION,
            "bucket_name": S3_MEDIA_BUCKET,
            "custom_domain": os.environ.get("S3_MEDIA_CUSTOM_DOMAIN", "") or None,
            "querystring_auth": False,
            "file_overwrite": False,
        },
    }
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000
# A request body larger than this is refused before it is read (413, site.limits), in megabytes: above
# a form's largest file (50 MB at most) with the rest of its step.
MAX_REQUEST_BODY_SIZE = int(os.environ.get("DJANGO_MAX_REQUEST_BODY_MB", "60")) * 1024 * 1024
# The files of one draft, all together (a replaced file is deleted at once and does not count).
DRAFT_FILES_MAX_SIZE = int(os.environ.get("DJANGO_DRAFT_FILES_MAX_MB", "100")) * 1024 * 1024

# Content-Security-Policy (django-csp): no inline script on the public site. Inline styles are allowed: the
# council colour's <style> sits in pages that are cached whole (form steps), where a per-response nonce
# would go stale, and a style cannot run code. The admin's allowances are in site/headers.py.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "frame-src": [SELF],
        "frame-ancestors": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
    }
}
# Permissions-Policy (django-permissions-policy): no page of the portal needs these browser features.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer", "autoplay", "camera", "display-capture", "geolocation", "gyroscope", "magnetometer",
        "microphone", "midi", "payment", "usb", "serial", "bluetooth", "hid", "idle-detection", "screen-wake-lock",
        "xr-spatial-tracking", "publickey-credentials-get", "browsing-topics",
    )
}  # fmt: skip

# Email: console in development; SMTP settings from the environment in production.
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "portail-famille@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

# Long work (emails, batch refresh, exports, purges) goes through Django's tasks API: run at once here
# (laptop, tests); stored in the database and run by a worker process with the production settings.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

# Wagtail
WAGTAIL_SITE_NAME = "Portail famille"
WAGTAILADMIN_BASE_URL = os.environ.get("WAGTAILADMIN_BASE_URL", "http://127.0.0.1:8000")
# Wagtail's database search. PostgreSQL: full-text search with French stemming, accents ignored (the
# `french_unaccent` configuration made by migration home 0010). SQLite (embedded default): FTS5, which ignores
# accents but has no French stemmer, and reads no SEARCH_CONFIG.
WAGTAILSEARCH_BACKENDS = {
    "default": {"BACKEND": "wagtail.search.backends.database", "SEARCH_CONFIG": "french_unaccent"}
}
WAGTAILDOCS_EXTENSIONS = ["pdf", "odt", "docx", "csv", "xlsx", "txt"]
WAGTAILDOCS_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_PASSWORD_RESET_ENABLED = True
# No avatars from gravatar.com: staff emails (hashed) stay here, and the admin's CSP allows no other host.
WAGTAIL_GRAVATAR_PROVIDER_URL = None

# Staff two-factor authentication (see site/otp.py).
OTP_TOTP_ISSUER = "Portail famille"
OTP_ADMIN_PREFIX = "/admin/"

# Family accounts (django-allauth): email as identifier, verified before use, rate limited.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_RATE_LIMITS = {
    # Failed logins are counted by django-axes for every login form alike (see below), not here.
    "login_failed": None,
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "confirm_email": "1/3m/key",
}
ACCOUNT_ADAPTER = "site.accounts.FamilyAccountAdapter"
ACCOUNT_USER_DISPLAY = "site.accounts.user_display"  # families are named by their email, never a username
LOGIN_URL = "account_login"

# One lockout policy for every way of signing in (django-axes, site/lockout.py): families' login, the
# admin login and Wagtail's front-end login share the count of failures, per account and per address,
# stored in the database (so every process sees it). Failures are forgotten after the cool-off.
AXES_FAILURE_LIMIT = int(os.environ.get("DJANGO_LOGIN_FAILURE_LIMIT", "10"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("DJANGO_LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_USERNAME_CALLABLE = "site.lockout.account_identifier"
AXES_LOCKOUT_CALLABLE = "site.lockout.lockout_response"
# A success clears nothing: an attacker's own account must not reset the count of the address it guesses from.
AXES_RESET_ON_SUCCESS = False
AXES_ENABLE_ADMIN = False
# Only failures are kept (until the cool-off ends): no log of every successful login and logout.
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False
# The client's address as allauth reads it (one notion of "address" for every limit): REMOTE_ADDR, or,
# behind DJANGO_TRUSTED_PROXY_COUNT reverse proxies, the address they added to X-Forwarded-For.
AXES_CLIENT_IP_CALLABLE = "site.lockout.client_address"
ALLAUTH_TRUSTED_PROXY_COUNT = int(os.environ.get("DJANGO_TRUSTED_PROXY_COUNT", "0"))
LOGIN_REDIRECT_URL = "/"

# Demo content: each app contributes a loader, called in this order by `load_initial_data`.
PORTAIL_DEMO_LOADERS = ["home.demo.load", "connectors.demo.load", "forms.demo.load", "home.demo_website.load"]
# The demo creates accounts with published passwords: only development and test settings allow it
# (elsewhere `load_initial_data` wants --allow-published-credentials).
PORTAIL_DEMO_ALLOWED = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # One line per background task and per page action is noise on the console.
        "django_tasks": {"level": "WARNING"},
        "wagtail": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},  # fpdf2 subsets the PDF font: one INFO line per table otherwise
        # django-axes logs every failed login at INFO; lockouts and failures stay as WARNING.
        "axes": {"level": "WARNING"},
    },
}

# --- home (council pages, rules, tariffs) -------------------------------------------------
# Rules pages route their versions and the acceptance step (routablepageurl template tag).
INSTALLED_APPS += ["wagtail.contrib.routable_page"]

# --- connectors (API Particulier) ---------------------------------------------------------

# Base URL of API Particulier: the local simulator by default (python -m connectors.api_particulier.simulator);
# production settings default to https://particulier.api.gouv.fr.
API_PARTICULIER_BASE_URL = os.environ.get("API_PARTICULIER_BASE_URL", "http://127.0.0.1:8001")
# Seconds per connection or read (upstream itself gives up on the provider after 10 s and answers 504).
API_PARTICULIER_TIMEOUT = float(os.environ.get("API_PARTICULIER_TIMEOUT", "5"))
# Seconds for a whole call, retries and waits included: a reply trickling in byte by byte stops there.
API_PARTICULIER_DEADLINE = float(os.environ.get("API_PARTICULIER_DEADLINE", "8"))
# Largest reply read into memory (a QF answer is about 2 KB).
API_PARTICULIER_MAX_REPLY_BYTES = int(os.environ.get("API_PARTICULIER_MAX_REPLY_BYTES", str(1024 * 1024)))
# Retries of 409/429 (honouring Retry-After) and the most time one call may spend waiting, in seconds.
API_PARTICULIER_MAX_RETRIES = int(os.environ.get("API_PARTICULIER_MAX_RETRIES", "2"))
API_PARTICULIER_MAX_WAIT = float(os.environ.get("API_PARTICULIER_MAX_WAIT", "10"))
# Requests per second and per token, shared by all processes through the cache (upstream bans at 20/s).
API_PARTICULIER_RATE_LIMIT = int(os.environ.get("API_PARTICULIER_RATE_LIMIT", "19"))
# Households per second of the yearly QF check (one call each at most): the rest of the budget stays for
# families filling their forms meanwhile. 0: no pace of its own (the shared limit above still holds).
QF_CHECK_RATE = float(os.environ.get("QF_CHECK_RATE", "15"))
# Fernet key encrypting tokens and consented identities; derived from SECRET_KEY when empty.
API_PARTICULIER_ENCRYPTION_KEY = os.environ.get("API_PARTICULIER_ENCRYPTION_KEY", "")

# --- forms (form builder, dossiers, back-office) ------------------------------------------
