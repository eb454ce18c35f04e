"""The real djangorestframework-jwt 1.9.0, configured as gatehouse's demo drf_jwt dialect:
HS256 with the same secret (GH_SIGNING_KEY), refresh allowed, 300 s / 7 days."""
import datetime
import os

SECRET_KEY = "interop-test-django-secret-key-not-for-production"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS = ["django.contrib.auth", "django.contrib.contenttypes", "rest_framework"]
MIDDLEWARE = ["django.middleware.common.CommonMiddleware"]
ROOT_URLCONF = "ghjwt.urls"
TEMPLATES = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True}]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": os.environ["GH_DB"]}}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
JWT_AUTH = {
    "JWT_SECRET_KEY": os.environ["GH_SIGNING_KEY"],
    "JWT_ALGORITHM": "HS256",
    "JWT_ALLOW_REFRESH": True,
    "JWT_EXPIRATION_DELTA": datetime.timedelta(seconds=300),
    "JWT_REFRESH_EXPIRATION_DELTA": datetime.timedelta(days=7),
}
