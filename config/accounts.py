"""Logging in and out of a tablet that several inspectors share."""

import datetime as dt

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.shortcuts import render
from django.utils import timezone


class LoginView(auth_views.LoginView):
    def form_valid(self, form):
        response = super().form_valid(form)
        # A fixed end, not one that slides with every request: the pages tell the
        # form's service worker this moment, after which it serves no kept copy.
        self.request.session.set_expiry(
            timezone.now() + dt.timedelta(seconds=settings.SESSION_COOKIE_AGE)
        )
        return response


class LogoutView(auth_views.LogoutView):
    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        # The next person on the tablet finds no page, draft or photo of this one:
        # the browser empties its caches and storage and drops the service worker.
        response["Clear-Site-Data"] = '"cache", "storage"'
        return response


def locked_out(request, original_response=None, credentials=None):
    """django-axes' answer once a user name or address has failed too often."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "registration/locked_out.html", {"minutes": minutes}, status=429)
