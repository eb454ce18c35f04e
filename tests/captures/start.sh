#!/usr/bin/env bash
# Start one reference server in the foreground on loopback (127.0.0.1 only). Run setup.sh first.
#   ./start.sh simplejwt    [PORT]   (default 8701)  env: GH_LANGUAGE_CODE GH_LOCALE_MW GH_ROTATE GH_BLACKLIST GH_DEBUG GH_DB
#   ./start.sh drfjwt-py311 [PORT]   (default 8801)  env: GH_LANGUAGE_CODE GH_LOCALE_MW GH_ALLOW_INACTIVE GH_DEBUG GH_DB
#   ./start.sh drfjwt-py27  [PORT]   (default 8802)  same env as drfjwt-py311
# GH_DB defaults to the seeded database in $GH_CAPTURES_DIR/db/ (default <repo>/target/captures);
# point it at a copy for a throw-away run (the blacklist writes to it).
# Background use: ./start.sh simplejwt 8701 & echo $! > sj.pid ; ... ; kill $(cat sj.pid)   # SIGTERM: a background job ignores SIGINT
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=${GH_CAPTURES_DIR:-$HERE/../../target/captures}
WORK=$(cd "$WORK" && pwd)
PY27=${PY27:-$HOME/.pyenv/versions/2.7.18/bin/python}
export PYTHONWARNINGS=${PYTHONWARNINGS:-ignore} PYTHONDONTWRITEBYTECODE=1
case "${1:-}" in
  simplejwt)    cd "$HERE/simplejwt_project" && export GH_DB=${GH_DB:-$WORK/db/simplejwt.sqlite3} \
                  && exec "$WORK/venv-simplejwt/bin/python" manage.py runserver "127.0.0.1:${2:-8701}" --noreload ;;
  drfjwt-py311) cd "$HERE/drfjwt_project" && export GH_DB=${GH_DB:-$WORK/db/drfjwt-py311.sqlite3} \
                  && exec "$WORK/venv-drfjwt-py311/bin/python" manage.py runserver "127.0.0.1:${2:-8801}" --noreload ;;
  drfjwt-py27)  cd "$HERE/drfjwt_project" && export GH_DB=${GH_DB:-$WORK/db/drfjwt-py27.sqlite3} \
                  && PYTHONPATH="$WORK/py27-site" exec "$PY27" manage.py runserver "127.0.0.1:${2:-8802}" --noreload ;;
  *) echo "usage: $0 simplejwt|drfjwt-py311|drfjwt-py27 [PORT]" >&2; exit 2 ;;
esac
