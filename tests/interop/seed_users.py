"""Creates gatehouse's demo users (ids, emails, roles, active flag from the config; the
passwords of demo.PASSWORDS) in a Django project's database. Works for both projects:
simplejwt_site's custom user (login by email, `roles`) and drfjwt_site's stock user.

Run from a project directory with DJANGO_SETTINGS_MODULE and PYTHONPATH (tests/interop)
set, after `manage.py migrate`: `python ../seed_users.py`.
"""
import os
import sys

sys.path.insert(0, os.getcwd())

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402

import demo  # noqa: E402

User = get_user_model()
for entry in demo.demo_users(demo.load_config()):
    fields = {"email": entry["email"], "is_active": entry["active"]}
    if User.USERNAME_FIELD == "email":
        fields["roles"] = list(entry.get("roles", []))
    else:
        fields["username"] = entry["username"]
    user = User(pk=entry["id"], **fields)
    user.set_password(entry["password"])
    user.save()
