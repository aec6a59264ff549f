import contextvars
import logging
import re
import time
import uuid

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.cache import patch_cache_control


class ChosenLanguageMiddleware(LocaleMiddleware):
    """Simplified Chinese unless the user picked another language with the switch.

    The browser's Accept-Language is ignored: the users work in Chinese, and many
    tablets ship set to English.
    """

    def process_request(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in dict(settings.LANGUAGES):
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


REQUEST_ID = contextvars.ContextVar("request_id", default="-")
# What a proxy may hand us (nginx's $request_id, a UUID…); anything else is replaced.
VALID_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,128}")
request_log = logging.getLogger("config.requests")


class RequestIdMiddleware:
    """One log line per request, tagged with an id that follows the request through
    the proxy's logs, ours and the client's (X-Request-ID)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.headers.get("X-Request-ID", "")
        request_id = given if VALID_REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
        token = REQUEST_ID.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request_id
            request_log.info(
                "%s %s %s %.0fms",
                request.method,
                request.get_full_path(),
                response.status_code,
                (time.perf_counter() - started) * 1000,
            )
            return response
        finally:
            REQUEST_ID.reset(token)


class RequestIdFilter(logging.Filter):
    def filter(self, record):
        record.request_id = REQUEST_ID.get()
        return True


class NoStoreMiddleware:
    """What a logged-in user sees (pages, JSON, workbooks) is kept in no browser or
    proxy cache, where the next person on a shared tablet would find it. Responses
    that say otherwise themselves keep their own (the service worker, photos);
    static files never reach here (WhiteNoise answers them first)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.user.is_authenticated and not response.has_header("Cache-Control"):
            patch_cache_control(response, no_store=True, private=True)
        return response


def client_ip(request) -> str | None:
    """The address login failures are counted against. Behind the TLS proxy every
    request comes from the proxy, which appends the client's to X-Forwarded-For;
    the last entry is the one it saw, whatever the client put before it."""
    if settings.BEHIND_TLS_PROXY:
        forwarded = request.headers.get("X-Forwarded-For", "").split(",")[-1].strip()
        if forwarded:
            return forwarded
    return request.META.get("REMOTE_ADDR")
