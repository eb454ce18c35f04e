"""Create the demo users (idempotent). Run: python manage.py shell < seed_users.py"""
from accounts.models import User
USERS = [
    # id, email, password, roles, is_active
    (206661, "user@example.com", "password", [], True),
    (206662, "admin@example.com", "masterkey", ["admin", "user"], True),
    (206663, "inactive@example.com", "password", ["user"], False),
]
for pk, email, pw, roles, active in USERS:
    User.objects.filter(pk=pk).delete()
    u = User(pk=pk, email=email, roles=roles, is_active=active)
    u.set_password(pw)
    u.save()
print("users:", list(User.objects.values_list("id", "email", "roles", "is_active")))
