"""The tablet form as the browser journeys drive it, and a network they control.

Tests wait on what the page exposes (the save state's data-state, thumbnails,
rows of the conflict banner), never on time passing.
"""

import io
import time

from PIL import Image

SAVES = "**/visits/*/draft/"
PHOTOS = "**/visits/*/photos/"


def small_jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), (30, 120, 200)).save(buffer, format="JPEG")
    return buffer.getvalue()


def item(page, code):
    return page.locator(f'.vf-item[data-code="{code}"]')


def open_section(page, code):
    page.locator(f'.vf-tab[data-tab="{code}"]').tap()


def add_one(page, code):
    """One more occurrence of a fixed item, opening its section first."""
    open_section(page, code.rsplit("-", 1)[0])
    item(page, code).locator('[data-step="1"]').tap()


def expect_state(page, state: str):
    from playwright.sync_api import expect

    expect(page.locator("#save-state")).to_have_attribute("data-state", state)


def expect_offline_ready(page):
    """Until the service worker controls the page and holds it: before that a request
    may be in the middle of the worker taking over, where routing cannot see it."""
    from playwright.sync_api import expect

    expect(page.locator("#offline-ready")).to_be_visible(timeout=20_000)
    assert page.evaluate("document.body.dataset.offline") == "ready"


def cut(target):
    """No request of the page or context leaves the browser until `target.unroute_all()`:
    unlike `set_offline` alone, nothing already on its way slips through after a reload."""
    target.route("**/*", lambda route: route.abort("internetdisconnected"))


def lose_answers(target, pattern: str, *, times: int = 1) -> list[int]:
    """The next `times` requests matching `pattern` reach the server, which applies
    them, and their answers are lost on the way back. Returns the statuses the
    server gave, filled in as it happens."""
    statuses = []

    def handler(route):
        statuses.append(route.fetch().status)
        route.abort("connectionreset")

    target.route(pattern, handler, times=times)
    return statuses


def hold(target, pattern: str) -> list:
    """The next request matching `pattern` waits, neither sent nor failed, until the
    test decides (the routes are returned as they arrive)."""
    held = []
    target.route(pattern, lambda route: held.append(route), times=1)
    return held


def wait_until(page, condition, what: str, timeout: float = 10):
    """Until `condition()` holds: route handlers run while Playwright delivers events,
    which each round trip to the page lets it do."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"still waiting for {what}")
        page.evaluate("0")
