"""The demo users gatehouse knows (ids, emails, passwords, roles from config/gatehouse.toml)."""
from accounts.models import User

for pk, email, password, roles in [
    (1, "admin@admin.com", "masterkey", ["admin"]),
    (3, "test@example.com", "test", ["user"]),
]:
    User.objects.filter(pk=pk).delete()
    user = User(pk=pk, email=email, roles=roles, is_active=True)
    user.set_password(password)
    user.save()
