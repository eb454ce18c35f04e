#!/usr/bin/env bash
# Build the reference environments and their seeded SQLite databases from scratch, under
# $GH_CAPTURES_DIR (default <repo>/target/captures): venv-simplejwt/, venv-drfjwt-py311/,
# py27-site/ (optional) and db/{simplejwt,drfjwt-py311,drfjwt-py27}.sqlite3.
# Needs: python3.11 (PY311), optionally Python 2.7 (PY27, e.g. pyenv's 2.7.18), PyPI access
# (the pinned packages of requirements-*.txt). Nothing here listens on a socket.
# Idempotent; re-running recreates the venvs and databases.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=${GH_CAPTURES_DIR:-$HERE/../../target/captures}
mkdir -p "$WORK/db" && WORK=$(cd "$WORK" && pwd)
PY311=${PY311:-python3.11}
PY27=${PY27:-$HOME/.pyenv/versions/2.7.18/bin/python}
export PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONWARNINGS=ignore PYTHONDONTWRITEBYTECODE=1
t0=$(date +%s)
cd "$WORK"

# 1. djangorestframework-simplejwt 5.3.1 (Python 3.11, Django 4.2, DRF 3.15, PyJWT 2.4.0)
rm -rf venv-simplejwt && "$PY311" -m venv venv-simplejwt
venv-simplejwt/bin/pip install -q -r "$HERE/requirements-simplejwt.txt"

# 2. djangorestframework-jwt 1.9.0 on Python 3.11 (Django 3.2, DRF 3.14, PyJWT 1.7.1)
rm -rf venv-drfjwt-py311 && "$PY311" -m venv venv-drfjwt-py311
venv-drfjwt-py311/bin/pip install -q -r "$HERE/requirements-drfjwt-py311.txt"

# 3. djangorestframework-jwt 1.9.0 on Python 2.7 (Django 1.11, DRF 3.9.4, PyJWT 1.7.1) - optional
if [ -x "$PY27" ]; then
  rm -rf py27-site
  "$PY27" -m pip install -q --disable-pip-version-check --no-warn-script-location \
      --target py27-site -r "$HERE/requirements-drfjwt-py27.txt" 2>&1 | grep -vi deprecat || true
else
  echo "NOTE: no Python 2.7 at $PY27; skipping the py27 drf-jwt environment" >&2
fi

# Databases + demo users (seed_users.py in each project)
( cd "$HERE/simplejwt_project" && export GH_DB="$WORK/db/simplejwt.sqlite3" && rm -f "$GH_DB" \
  && "$WORK/venv-simplejwt/bin/python" manage.py migrate -v0 \
  && "$WORK/venv-simplejwt/bin/python" manage.py shell < seed_users.py )
( cd "$HERE/drfjwt_project" && export GH_DB="$WORK/db/drfjwt-py311.sqlite3" && rm -f "$GH_DB" \
  && "$WORK/venv-drfjwt-py311/bin/python" manage.py migrate -v0 \
  && "$WORK/venv-drfjwt-py311/bin/python" manage.py shell < seed_users.py )
if [ -d py27-site ]; then
  ( cd "$HERE/drfjwt_project" && export GH_DB="$WORK/db/drfjwt-py27.sqlite3" && rm -f "$GH_DB" \
    && PYTHONPATH="$WORK/py27-site" "$PY27" manage.py migrate -v0 \
    && PYTHONPATH="$WORK/py27-site" "$PY27" manage.py shell < seed_users.py )
fi
echo "setup done in $(( $(date +%s) - t0 )) s ($WORK)"
