from django.contrib import admin
from django.urls import include, path

from config import accounts, health
from inspection.views import core

# Uploaded photos are never served from MEDIA_URL: only through access-checked views.
urlpatterns = [
    path("", core.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("accounts/login/", accounts.LoginView.as_view(), name="login"),
    path("accounts/logout/", accounts.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("", include("audit.urls")),
    path("", include("inspection.urls")),
]
