#!/usr/bin/env bash
# Builds the venv that users.py runs in (the real Django 4.2.30 with psycopg2, argon2-cffi
# and bcrypt, pinned in requirements.txt here), or reuses it when it is up to date, and
# prints the path of its python on stdout. Everything else goes to stderr.
#
#   tests/integration/django_users/setup.sh        DJANGO_USERS_PYTHON=python3.12 ...
#
# The venv is ${CARGO_TARGET_DIR:-target}/django-users/venv, built by the shared
# tests/integration/python_venv.sh (which says when it is rebuilt, and how several
# processes share it).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
PYTHON_VENV_PYTHON=${DJANGO_USERS_PYTHON:-${PYTHON_VENV_PYTHON:-}} \
    exec bash "$here/../python_venv.sh" django-users "$here/requirements.txt"
