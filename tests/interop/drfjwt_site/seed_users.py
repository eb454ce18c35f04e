"""The demo users gatehouse knows (ids, usernames, emails, passwords from config/gatehouse.toml)."""
from django.contrib.auth.models import User

for pk, name, email, password in [(1, "admin", "admin@admin.com", "masterkey"), (3, "test", "test@example.com", "test")]:
    User.objects.filter(pk=pk).delete()
    user = User(pk=pk, username=name, email=email, is_active=True)
    user.set_password(password)
    user.save()
