"""The people of the load test's month-end morning (scripts/loadtest.py): an HTTP
client that records every request, and what inspectors, reviewers, managers and
headquarters do in turn until the morning ends."""

from __future__ import annotations

import re
import threading
import time
import uuid
from collections import defaultdict
from queue import Empty, Queue

import requests

AUTOSAVE_EVERY = 10
SAVES_BEFORE_SUBMIT = 6
# The item the inspectors' autosaves and the reviewers' amendments change.
ITEM = "A2-01"


class Record:
    def __init__(self):
        self.lock = threading.Lock()
        self.times: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, list[str]] = defaultdict(list)
        # visit id -> (revision, occurrences) of its last acknowledged autosave
        self.acknowledged: dict[int, tuple[int, int]] = {}
        # visit id -> occurrences of a later save sent but never answered: the
        # server may or may not have applied it.
        self.unanswered: dict[int, int] = {}

    def add(self, name: str, seconds: float) -> None:
        with self.lock:
            self.times[name].append(seconds)

    def error(self, name: str, what: str) -> None:
        with self.lock:
            self.errors[name].append(what)


class Client:
    def __init__(self, base: str, record: Record, username: str, session_key: str):
        self.base, self.record, self.username = base, record, username
        self.http = requests.Session()
        # A CSRF secret of the client's own, in the cookie and in every write.
        self.csrf_token = uuid.uuid4().hex
        self.http.cookies.set("sessionid", session_key)
        self.http.cookies.set("csrftoken", self.csrf_token)

    def call(self, name: str, method: str, path: str, *, expect=(200,), headers=None, **kwargs):
        # Without DEBUG the session and CSRF cookies are Secure, and requests keeps
        # them from plain HTTP; on loopback they are sent anyway.
        cookies = "; ".join(f"{c.name}={c.value}" for c in self.http.cookies)
        started = time.perf_counter()
        try:
            response = self.http.request(
                method,
                self.base + path,
                allow_redirects=False,
                timeout=30,
                headers={**(headers or {}), "Cookie": cookies},
                **kwargs,
            )
        except requests.RequestException as exc:
            self.record.error(name, f"{type(exc).__name__}: {exc}")
            return None
        self.record.add(name, time.perf_counter() - started)
        if response.status_code not in expect:
            self.record.error(name, f"{method} {path} -> {response.status_code}")
            return None
        return response

    def csrf(self) -> dict:
        return {"X-CSRFToken": self.csrf_token}

    def post(self, name: str, path: str, data=None, *, expect=(302,), **kwargs):
        data = {**(data or {}), "csrfmiddlewaretoken": self.csrf_token}
        return self.call(name, "POST", path, data=data, expect=expect, **kwargs)


def pause(stop: threading.Event, seconds: float) -> bool:
    """Think for a while; False once the morning is over."""
    return not stop.wait(seconds)


def inspector(client: Client, drafts: list[int], submitted: Queue, stop, rng, month: str):
    for pk in drafts:
        form = client.call("visit form", "GET", f"/visits/{pk}/")
        if form is None:
            return
        revision = int(re.search(r'"revision":\s*(\d+)', form.text)[1])
        visited = re.search(r'"visited_at":\s*"([^"]+)"', form.text)[1]
        device = f"tablet-{client.username}"
        for _ in range(SAVES_BEFORE_SUBMIT):
            if not pause(stop, AUTOSAVE_EVERY * rng.uniform(0.9, 1.1)):
                return
            occurrences = rng.randint(0, 3)
            body = {
                "revision": revision,
                "device": device,
                "save_id": uuid.uuid4().hex,
                "visited_at": visited,
                "findings": {ITEM: {"occurrences": occurrences}},
            }
            # As the tablet does: a save nobody answered is sent again, unchanged
            # (the same save_id), until it is answered.
            for _attempt in range(3):
                with client.record.lock:
                    client.record.unanswered[pk] = occurrences
                saved = client.call(
                    "autosave", "POST", f"/visits/{pk}/draft/", json=body, headers=client.csrf()
                )
                if saved is not None:
                    revision = saved.json()["revision"]
                    with client.record.lock:
                        client.record.acknowledged[pk] = (revision, occurrences)
                        client.record.unanswered.pop(pk)
                    break
        summary = client.call("visit summary", "GET", f"/visits/{pk}/summary/")
        if summary is None:
            continue
        fields = {
            "revision": re.search(r'name="revision" value="(\d+)"', summary.text)[1],
            "key": re.search(r'name="key" value="([^"]+)"', summary.text)[1],
        }
        if client.post("submit", f"/visits/{pk}/submit/", fields) is not None:
            submitted.put(pk)


def reviewer(client: Client, submitted: Queue, published: list[int], stop, rng, month: str):
    while pause(stop, rng.uniform(2, 4)):
        client.call("review list", "GET", "/visits/review/")
        try:
            pk = submitted.get_nowait()
        except Empty:
            pk = None
        if pk is not None:
            client.call("review detail", "GET", f"/visits/review/{pk}/")
            answer = client.post("publish", f"/visits/review/{pk}/publish/")
            if answer is not None and f"/review/{pk}/" in answer.headers["Location"]:
                client.record.error("publish", f"visit {pk} was refused")
        # Visits published before the morning: the drafts' autosaves stay the
        # inspectors' own, for the check afterwards.
        if rng.random() < 0.5 and published:
            pk = rng.choice(published)
            client.call("amend form", "GET", f"/visits/review/{pk}/amend/")
            client.post(
                "amend",
                f"/visits/review/{pk}/amend/",
                {"reason": "月末复核", f"f_{ITEM}_occurrences": rng.randint(0, 2)},
            )


def manager(client: Client, stores: list[int], stop, rng, month: str):
    branch = len(stores) > 1
    while pause(stop, rng.uniform(3, 7)):
        client.call("rankings", "GET", f"/reports/rankings/?month={month}")
        if branch and rng.random() < 0.5:
            client.call("overview", "GET", "/reports/overview/")
        if stores:
            client.call("store page", "GET", f"/reports/stores/{rng.choice(stores)}/")


def exporter(client: Client, stop, rng, month: str):
    while not stop.is_set():
        asked = client.post("workbook ask", f"/reports/{month}/workbook/")
        if asked is None:
            return
        page = asked.headers["Location"]
        client.call("workbook page", "GET", page)
        while pause(stop, 1):
            status = client.call("workbook status", "GET", f"{page}status/")
            if status is None:
                break
            state = status.json()
            if state["status"] == "failed":
                client.record.error("workbook", state["error"])
                break
            if state["status"] == "done":
                got = client.call("workbook download", "GET", state["download_url"])
                if got is not None and not got.content.startswith(b"PK"):
                    client.record.error("workbook download", "not an xlsx file")
                break
        if not pause(stop, rng.uniform(10, 20)):
            return
