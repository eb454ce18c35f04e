"""Reference project: djangorestframework-jwt 1.9.0 (jpadilla) as described by seed 003.

Works on Python 3.11 with Django 3.2 / DRF 3.14 / PyJWT 1.7.1, and on Python 2.7 with
Django 1.11 / DRF 3.9.4 / PyJWT 1.7.1 (see README).

Behaviour switches (environment variables, all optional):
  GH_LANGUAGE_CODE      Django LANGUAGE_CODE (default "en-us", Django's default)
  GH_LOCALE_MW          "1" -> add LocaleMiddleware
  GH_ALLOW_INACTIVE     "1" -> AUTHENTICATION_BACKENDS = AllowAllUsersModelBackend
                        (then inactive users reach drf-jwt's own "User account is disabled.")
  GH_DEBUG              "1" -> DEBUG = True
  GH_DB                 sqlite path (default $GH_CAPTURES_DIR/db/drfjwt-py311.sqlite3 or
                        drfjwt-py27.sqlite3, GH_CAPTURES_DIR defaulting to <repo>/target/captures;
                        setup.sh seeds them)
"""
import os
import sys
import datetime

BASE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
env = os.environ.get
# Databases live outside the source tree (tests/captures/drfjwt_project -> <repo>/target/captures).
WORK_DIR = env("GH_CAPTURES_DIR") or os.path.normpath(os.path.join(BASE_DIR, "..", "..", "..", "target", "captures"))

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
]

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
if env("GH_ALLOW_INACTIVE", "0") == "1":
    AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.AllowAllUsersModelBackend"]

ROOT_URLCONF = "ghjwt.urls"
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
WSGI_APPLICATION = "ghjwt.wsgi.application"
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3",
                         "NAME": env("GH_DB", os.path.join(WORK_DIR, "db", "drfjwt-py%d%d.sqlite3" % sys.version_info[:2]))}}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
LANGUAGE_CODE = env("GH_LANGUAGE_CODE", "en-us")
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
STATIC_URL = "/static/"
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"

JWT_SECRET = "gatehouse-drfjwt-test-secret-0123456789abcdef"
JWT_AUTH = {
    "JWT_SECRET_KEY": JWT_SECRET,
    "JWT_ALGORITHM": "HS256",
    "JWT_ALLOW_REFRESH": True,
    "JWT_EXPIRATION_DELTA": datetime.timedelta(seconds=300),
    "JWT_REFRESH_EXPIRATION_DELTA": datetime.timedelta(days=7),
}
