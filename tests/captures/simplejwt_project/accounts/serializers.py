from rest_framework_simplejwt.serializers import TokenObtainPairSerializer


def client_ip(request):
    """First X-Forwarded-For hop if present, else REMOTE_ADDR (a common pattern)."""
    if request is None:
        return None
    xff = request.META.get("HTTP_X_FORWARDED_FOR")
    if xff:
        return xff.split(",")[0].strip()
    return request.META.get("REMOTE_ADDR")


class RolesTokenObtainPairSerializer(TokenObtainPairSerializer):
    """Adds `roles` (list) and `ip_address` claims, after `user_id`, as in seed 002.

    get_token() is a classmethod that only receives the user, so the request's IP is
    passed by stashing it on the user object in validate() before get_token() runs.
    """

    def validate(self, attrs):
        request = self.context.get("request")
        self._client_ip = client_ip(request)
        return super().validate(attrs)

    def get_token(self, user):  # instance call works: super().validate calls self.get_token
        token = super().get_token(user)
        token["roles"] = list(user.roles or [])
        token["ip_address"] = self._client_ip
        return token
