"""gunicorn's settings for scripts/serve. gunicorn's own variables still apply:
WEB_CONCURRENCY (processes), GUNICORN_CMD_ARGS, FORWARDED_ALLOW_IPS."""

import multiprocessing
import os

bind = f"{os.getenv('HOST', '127.0.0.1')}:{os.getenv('PORT', '8000')}"
workers = int(os.getenv("WEB_CONCURRENCY") or 2 * multiprocessing.cpu_count() + 1)
# Threads let a process keep serving while one request waits on the database.
worker_class = "gthread"
threads = int(os.getenv("WEB_THREADS", "4"))
# The monthly workbook is still built inside its request (about 16 s at 2,000 stores).
timeout = int(os.getenv("WEB_TIMEOUT", "60"))
graceful_timeout = 30
# Recycle processes now and then, so that a slow leak cannot grow for ever.
max_requests = 2000
max_requests_jitter = 200
# Django logs one line per request with its request id (config.middleware).
accesslog = None
errorlog = "-"
# No runtime control socket: nothing uses it, and it would be shared by every
# gunicorn that the same user runs on the machine.
control_socket_disable = True
