"""The real Django 4.2 writing users, for gatehouse's [user_database] tests.

Django's own code does every write (migrate, User.objects.create_user, set_password,
save, groups.add), so the rows, hashes and flags are exactly what a Django site leaves in
auth_user, auth_group and auth_user_groups. The database is DJANGO_USERS_DATABASE: a
PostgreSQL URL (postgres://USER:PASS@HOST:PORT/DB), a MySQL/MariaDB URL
(mysql://USER:PASS@HOST:PORT/DB, through PyMySQL) or the path of a SQLite file.

    python users.py migrate
    python users.py create-user USERNAME EMAIL PASSWORD [--group G ...] [--superuser]
                                [--staff] [--inactive] [--hasher NAME]    (prints the id)
    python users.py set-password USERNAME PASSWORD [--hasher NAME]
    python users.py set-active USERNAME true|false
    python users.py add-group USERNAME GROUP
    python users.py remove-group USERNAME GROUP
    python users.py delete-user USERNAME
    python users.py sql "SELECT ..."      (rows as JSON objects keyed by column)

--hasher is an algorithm of Django 4.2's default PASSWORD_HASHERS (pbkdf2_sha256,
pbkdf2_sha1, argon2, bcrypt_sha256, scrypt); without it, the default (the first,
pbkdf2_sha256) is used, as on a stock Django site. Errors go to stderr, exit status 1.
tests/integration/django_users.rs runs this with the venv that setup.sh builds.
"""
import argparse
import json
import os
import sys
from urllib.parse import unquote, urlsplit

import django
from django.conf import settings

# Django 4.2's global_settings.PASSWORD_HASHERS, written out so that a newer Django
# cannot change what the tests get without this list changing too.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
HASHERS = ["pbkdf2_sha256", "pbkdf2_sha1", "argon2", "bcrypt_sha256", "scrypt"]


SERVERS = ("postgres://", "postgresql://", "mysql://")


def database(value):
    """DATABASES["default"] for a PostgreSQL or MySQL URL or a SQLite path."""
    if value.startswith(SERVERS):
        url = urlsplit(value)
        mysql = url.scheme == "mysql"
        if mysql:
            # Django's MySQL backend imports MySQLdb (mysqlclient, a C extension built
            # against libmariadb); PyMySQL is pure Python and stands in for it. PyMySQL
            # >= 1.1 reports a mysqlclient version_info that Django 4.2 accepts (it wants
            # >= 1.4.3; 1.2.4 says 2.2.8), so no version shim is needed.
            import pymysql

            pymysql.install_as_MySQLdb()
        return {
            "ENGINE": "django.db.backends." + ("mysql" if mysql else "postgresql"),
            "NAME": unquote(url.path.lstrip("/")),
            "USER": unquote(url.username or ""),
            "PASSWORD": unquote(url.password or ""),
            "HOST": url.hostname or "",
            "PORT": str(url.port or ""),
            # utf8mb4, as Django's documentation advises for MySQL (its default, utf8,
            # is MySQL's three-byte utf8mb3).
            "OPTIONS": {"connect_timeout": 5, "charset": "utf8mb4"}
            if mysql
            else {"connect_timeout": 5},
        }
    if "://" in value:
        sys.exit(
            "users.py: DJANGO_USERS_DATABASE is neither a postgres:// or mysql:// URL "
            f"nor a path: {value}"
        )
    return {"ENGINE": "django.db.backends.sqlite3", "NAME": value}


def configure():
    value = os.environ.get("DJANGO_USERS_DATABASE")
    if not value:
        sys.exit(
            "users.py: set DJANGO_USERS_DATABASE to a postgres:// or mysql:// URL or a "
            "SQLite file path"
        )
    if not value.startswith(SERVERS):
        # No fsync per SQLite transaction (about 0.2 s each here): a per-connection
        # setting that changes no row and no lock, only durability against a machine
        # crash, which a throw-away test database does not need.
        from django.db.backends.signals import connection_created

        def no_fsync(sender, connection, **kwargs):
            if connection.vendor == "sqlite":
                connection.cursor().execute("PRAGMA synchronous = OFF")

        connection_created.connect(no_fsync, weak=False)
    hashers = PASSWORD_HASHERS
    iterations = os.environ.get("DJANGO_USERS_PBKDF2_ITERATIONS")
    if iterations:
        # Django's own advice for test suites: a cheaper default hasher. Still Django's
        # PBKDF2PasswordHasher writing `pbkdf2_sha256$<iterations>$...`, only with fewer
        # iterations, so that an unoptimised test build verifies it in milliseconds.
        global FewerIterations
        from django.contrib.auth.hashers import PBKDF2PasswordHasher

        class FewerIterations(PBKDF2PasswordHasher):
            pass

        FewerIterations.iterations = int(iterations)
        hashers = [__name__ + ".FewerIterations"] + PASSWORD_HASHERS[1:]
    settings.configure(
        SECRET_KEY="gatehouse-tests-django-users-not-a-secret",
        INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth"],
        DATABASES={"default": database(value)},
        PASSWORD_HASHERS=hashers,
        USE_TZ=True,
        TIME_ZONE="UTC",
        DEFAULT_AUTO_FIELD="django.db.models.AutoField",
    )
    django.setup()


def boolean(value):
    if value in ("true", "false"):
        return value == "true"
    raise argparse.ArgumentTypeError(f"expected true or false, not {value!r}")


def parser():
    p = argparse.ArgumentParser(prog="users.py", description="Django writing users.")
    sub = p.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help="create or update the contenttypes and auth tables")
    c = sub.add_parser("create-user", help="User.objects.create_user; prints the new id")
    c.add_argument("username")
    c.add_argument("email")
    c.add_argument("password")
    c.add_argument("--group", action="append", default=[], help="repeatable; created if missing")
    c.add_argument("--superuser", action="store_true", help="is_superuser and is_staff")
    c.add_argument("--staff", action="store_true")
    c.add_argument("--inactive", action="store_true", help="is_active false from the start")
    c.add_argument("--hasher", choices=HASHERS)
    s = sub.add_parser("set-password", help="user.set_password + save")
    s.add_argument("username")
    s.add_argument("password")
    s.add_argument("--hasher", choices=HASHERS)
    a = sub.add_parser("set-active", help="is_active + save")
    a.add_argument("username")
    a.add_argument("active", type=boolean)
    for name in ("add-group", "remove-group"):
        g = sub.add_parser(name, help="the group is created if missing")
        g.add_argument("username")
        g.add_argument("group")
    d = sub.add_parser("delete-user", help="user.delete()")
    d.add_argument("username")
    q = sub.add_parser("sql", help="one statement; its rows as JSON objects")
    q.add_argument("statement")
    return p


def password_of(password, hasher):
    from django.contrib.auth.hashers import make_password

    return make_password(password, hasher=hasher)


def main(argv):
    args = parser().parse_args(argv)
    configure()

    from django.contrib.auth.models import Group, User
    from django.core.management import call_command
    from django.db import connection, transaction

    def user(username):
        try:
            return User.objects.get(username=username)
        except User.DoesNotExist:
            sys.exit(f"users.py: no user {username!r}")

    if args.command == "migrate":
        call_command("migrate", verbosity=0, interactive=False)
    elif args.command == "create-user":
        # One transaction: a reader never sees the user without its groups or its hash.
        with transaction.atomic():
            extra = {
                "is_staff": args.staff or args.superuser,
                "is_superuser": args.superuser,
                "is_active": not args.inactive,
            }
            # create_user hashes with the default hasher; with --hasher it is given no
            # password (so it hashes nothing) and the chosen hasher's hash is stored.
            password = args.password if args.hasher is None else None
            new = User.objects.create_user(args.username, args.email, password, **extra)
            if args.hasher is not None:
                new.password = password_of(args.password, args.hasher)
                new.save(update_fields=["password"])
            for name in args.group:
                new.groups.add(Group.objects.get_or_create(name=name)[0])
        print(new.pk)
    elif args.command == "set-password":
        found = user(args.username)
        if args.hasher is None:
            found.set_password(args.password)
        else:
            found.password = password_of(args.password, args.hasher)
        found.save()
    elif args.command == "set-active":
        found = user(args.username)
        found.is_active = args.active
        found.save()
    elif args.command == "add-group":
        user(args.username).groups.add(Group.objects.get_or_create(name=args.group)[0])
    elif args.command == "remove-group":
        user(args.username).groups.remove(Group.objects.get_or_create(name=args.group)[0])
    elif args.command == "delete-user":
        user(args.username).delete()
    elif args.command == "sql":
        with connection.cursor() as cursor:
            cursor.execute(args.statement)
            columns = [column[0] for column in cursor.description or []]
            rows = cursor.fetchall() if columns else []
        print(json.dumps([dict(zip(columns, row)) for row in rows], default=str))


if __name__ == "__main__":
    main(sys.argv[1:])
