from django.conf.urls import url
from ghjwt.views import WhoAmI
from rest_framework_jwt.views import obtain_jwt_token, refresh_jwt_token, verify_jwt_token

urlpatterns = [
    url(r"^api-token-auth/$", obtain_jwt_token),
    url(r"^api-token-refresh/$", refresh_jwt_token),
    url(r"^api-token-verify/$", verify_jwt_token),
    # not part of the dialect: records JSONWebTokenAuthentication's 401 shapes
    url(r"^protected/$", WhoAmI.as_view()),
]
