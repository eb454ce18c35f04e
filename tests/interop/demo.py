"""What the interop test takes from gatehouse's demo configuration (config/gatehouse.toml).

Shared by the two Django projects' settings, the user seeding script and interop.py, so
that secrets, lifetimes, ids, emails and roles are read from the one file gatehouse runs
with and can never drift apart. Only the plaintext passwords live here: the config holds
hashes, and these are the passwords of the seed documents (see the README's walkthrough).
"""
import os
import tomllib

PASSWORDS = {
    "admin": "masterkey",
    "TestUser": "password",
    "test": "test",
    "user_test": "password_test",
    "disabled": "disabled",
}


def load_config(path=None):
    with open(path or os.environ["GH_CONFIG"], "rb") as file:
        return tomllib.load(file)


def dialect_secret(config, dialect):
    """The HMAC secret of the key a dialect signs with (`[dialects.<name>] key`)."""
    key_id = config["dialects"][dialect]["key"]
    for key in config["keys"]:
        if key["id"] == key_id:
            if "secret" not in key:
                raise SystemExit(f"interop: key {key_id!r} of dialect {dialect} has no inline secret")
            return key["secret"]
    raise SystemExit(f"interop: dialect {dialect} names key {key_id!r}, which is not in [[keys]]")


def seconds(duration):
    """gatehouse's duration syntax ("500ms", "60s", "30m", "2h", "1d") in seconds."""
    for unit, factor in (("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86400)):
        if duration.endswith(unit) and duration[: -len(unit)].isdigit():
            return int(duration[: -len(unit)]) * factor
    raise ValueError(f"not a duration: {duration!r}")


def demo_users(config):
    """The configured users that have a known password, with `password` and `active` filled in."""
    users = []
    for entry in config["users"]:
        if entry["username"] in PASSWORDS:
            users.append(dict(entry, password=PASSWORDS[entry["username"]], active=entry.get("active", True)))
    missing = set(PASSWORDS) - {user["username"] for user in users}
    if missing:
        raise SystemExit(f"interop: config has no users {sorted(missing)}")
    return users
