# Create the demo users (idempotent). Run: python manage.py shell < seed_users.py
from django.contrib.auth.models import User
USERS = [
    # id, username, email, password, is_active
    (1, "admin", "admin@admin.com", "masterkey", True),
    (2, "test", "test@example.com", "test", True),
    (3, "inactive", "inactive@example.com", "inactive", False),
    (4, "noemail", "", "noemail", True),
]
for pk, name, email, pw, active in USERS:
    User.objects.filter(pk=pk).delete()
    u = User(pk=pk, username=name, email=email, is_active=active)
    u.set_password(pw)
    u.save()
print("users: %r" % list(User.objects.values_list("id", "username", "email", "is_active")))
