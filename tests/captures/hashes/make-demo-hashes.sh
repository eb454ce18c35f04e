#!/bin/bash
# Demo users' hashes, each made by the real tool named beside it.
set -e
# A Python with django and argon2-cffi (e.g. python3 -m venv v && v/bin/pip install django argon2-cffi bcrypt).
PY=${PY:-python3}
salt=$(openssl rand -hex 8)
echo "# admin / masterkey"
echo "# echo -n masterkey | argon2 $salt -id -k 19456 -t 2 -p 1 -e    (argon2 CLI, Debian argon2 0~20190702, reference implementation)"
echo "admin $(echo -n masterkey | argon2 $salt -id -k 19456 -t 2 -p 1 -e)"
echo
echo "# TestUser / password"
echo "# htpasswd -nbB -C 10 TestUser password    (apache2-utils $(dpkg-query -W -f='${Version}' apache2-utils))"
echo "$(htpasswd -nbB -C 10 TestUser password | head -1 | sed 's/:/ /')"
echo
echo "# test / test"
echo "# python: settings.configure(); django.setup(); make_password('test')    (Django $($PY -c 'import django; print(django.get_version())'), default PBKDF2PasswordHasher)"
echo "test $($PY -c "
import django
from django.conf import settings
settings.configure()
django.setup()
from django.contrib.auth.hashers import make_password
print(make_password('test'))")"
echo
for pair in user_test:password_test disabled:disabled; do
  user=${pair%%:*}; pw=${pair#*:}
  echo "# $user / $pw"
  echo "# python -c \"import argon2; print(argon2.PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1).hash('$pw'))\"    (argon2-cffi $($PY -c 'import importlib.metadata as m; print(m.version("argon2-cffi"))'))"
  echo "$user $($PY -c "import argon2; print(argon2.PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1).hash('$pw'))")"
  echo
done
