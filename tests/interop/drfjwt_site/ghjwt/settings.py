"""The real djangorestframework-jwt 1.9.0, configured as gatehouse's demo drf_jwt dialect:
HS256 with the same secret, expiry and refresh window, all read from the gatehouse config
named by GH_CONFIG. The database is GH_DB (a throw-away file)."""
import os
from datetime import timedelta

import demo  # tests/interop/demo.py, on PYTHONPATH

_config = demo.load_config()
_dialect = _config["dialects"]["drf_jwt"]

SECRET_KEY = "interop-test-django-secret-key-not-for-production"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1"]
INSTALLED_APPS = ["django.contrib.auth", "django.contrib.contenttypes", "rest_framework"]
MIDDLEWARE = ["django.middleware.common.CommonMiddleware"]
ROOT_URLCONF = "ghjwt.urls"
TEMPLATES = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True}]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": os.environ["GH_DB"]}}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
JWT_AUTH = {
    "JWT_SECRET_KEY": demo.dialect_secret(_config, "drf_jwt"),
    "JWT_ALGORITHM": "HS256",
    "JWT_ALLOW_REFRESH": _dialect.get("allow_refresh", True),
    "JWT_EXPIRATION_DELTA": timedelta(seconds=demo.seconds(_dialect["lifetime"])),
    "JWT_REFRESH_EXPIRATION_DELTA": timedelta(seconds=demo.seconds(_dialect["refresh_window"])),
}
