"""Reference project: djangorestframework-simplejwt 5.3.1 as described by seed 002.

Behaviour switches (environment variables, all optional):
  GH_LANGUAGE_CODE   Django LANGUAGE_CODE (default "ru"; try "ru-ru", "en", "en-us")
  GH_LOCALE_MW       "1" to add django.middleware.locale.LocaleMiddleware (Accept-Language honoured)
  GH_ROTATE          "1" -> SIMPLE_JWT ROTATE_REFRESH_TOKENS = True   (default "0")
  GH_BLACKLIST       "1" -> SIMPLE_JWT BLACKLIST_AFTER_ROTATION = True (default "0")
  GH_DEBUG           "1" -> DEBUG = True (default "0": production-like error pages)
  GH_DB              sqlite path (default $GH_CAPTURES_DIR/db/simplejwt.sqlite3, GH_CAPTURES_DIR
                     defaulting to <repo>/target/captures; setup.sh seeds it)
"""
import os
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
env = os.environ.get
# Databases live outside the source tree (tests/captures/simplejwt_project -> <repo>/target/captures).
WORK_DIR = Path(env("GH_CAPTURES_DIR") or BASE_DIR.parent.parent.parent / "target" / "captures")

SECRET_KEY = "gatehouse-research-django-secret-key-not-for-production"
DEBUG = env("GH_DEBUG", "0") == "1"
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework_simplejwt",
    "rest_framework_simplejwt.token_blacklist",
    "accounts",
]

# Stock `django-admin startproject` middleware (Django 4.2), optionally + LocaleMiddleware
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
]
if env("GH_LOCALE_MW", "0") == "1":
    MIDDLEWARE.append("django.middleware.locale.LocaleMiddleware")
MIDDLEWARE += [
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "ghsite.urls"
TEMPLATES = [{
    "BACKEND": "django.template.backends.django.DjangoTemplates",
    "DIRS": [], "APP_DIRS": True,
    "OPTIONS": {"context_processors": [
        "django.template.context_processors.debug",
        "django.template.context_processors.request",
        "django.contrib.auth.context_processors.auth",
        "django.contrib.messages.context_processors.messages",
    ]},
}]
WSGI_APPLICATION = "ghsite.wsgi.application"
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3",
                         "NAME": env("GH_DB", str(WORK_DIR / "db" / "simplejwt.sqlite3"))}}
AUTH_USER_MODEL = "accounts.User"
# The cheapest stock hasher keeps logins fast; the proxy's Django hashes are pbkdf2_sha256 anyway.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]

LANGUAGE_CODE = env("GH_LANGUAGE_CODE", "ru")
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
STATIC_URL = "static/"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# REST_FRAMEWORK left at DRF defaults on purpose (JSON + BrowsableAPI renderers,
# JSON + Form + MultiPart parsers): that is what an untouched project serves.

SIGNING_KEY = "gatehouse-simplejwt-test-signing-key-0123456789abcdef"  # 52 bytes
SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(seconds=60),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=1),
    "ROTATE_REFRESH_TOKENS": env("GH_ROTATE", "0") == "1",
    "BLACKLIST_AFTER_ROTATION": env("GH_BLACKLIST", "0") == "1",
    "ALGORITHM": "HS256",
    "SIGNING_KEY": SIGNING_KEY,
    "TOKEN_OBTAIN_SERIALIZER": "accounts.serializers.RolesTokenObtainPairSerializer",
}
