"""The real djangorestframework-simplejwt 5.3.1, configured as gatehouse's demo simplejwt
dialect: login by email, HS256 with the same secret and the same lifetimes, all read
from the gatehouse config named by GH_CONFIG. The database is GH_DB (a throw-away file)."""
import os
from datetime import timedelta

import demo  # tests/interop/demo.py, on PYTHONPATH

_config = demo.load_config()
_dialect = _config["dialects"]["simplejwt"]

SECRET_KEY = "interop-test-django-secret-key-not-for-production"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1"]
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "rest_framework",
    "rest_framework_simplejwt",
    "rest_framework_simplejwt.token_blacklist",
    "accounts",
]
MIDDLEWARE = ["django.middleware.common.CommonMiddleware"]
ROOT_URLCONF = "ghsite.urls"
TEMPLATES = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True}]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": os.environ["GH_DB"]}}
AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
LANGUAGE_CODE = _dialect.get("language", "ru")
USE_I18N = True
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(seconds=demo.seconds(_dialect["access_lifetime"])),
    "REFRESH_TOKEN_LIFETIME": timedelta(seconds=demo.seconds(_dialect["refresh_lifetime"])),
    "ROTATE_REFRESH_TOKENS": _dialect.get("rotate_refresh_tokens", False),
    "BLACKLIST_AFTER_ROTATION": _dialect.get("blacklist_after_rotation", False),
    "ALGORITHM": "HS256",
    "SIGNING_KEY": demo.dialect_secret(_config, "simplejwt"),
    "TOKEN_OBTAIN_SERIALIZER": "accounts.serializers.RolesTokenObtainPairSerializer",
}
