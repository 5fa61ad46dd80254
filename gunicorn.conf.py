"""Gunicorn's settings for TalentCircles, from the environment (docs/scale.md has the numbers per machine).

Gunicorn reads ./gunicorn.conf.py by itself; options given on the command line win over these.
Threads (gthread) let a process keep answering while a request waits on PostgreSQL; the app's own
WEB_CONCURRENCY_LIMIT keeps fewer requests than threads at work, so the spare threads answer the
overflow with a quick 503 instead of letting it queue.
"""

import gc
import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", str(multiprocessing.cpu_count())))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
# Connections waiting to be accepted: small, so a flood is refused at the door rather than queued for seconds.
backlog = int(os.environ.get("GUNICORN_BACKLOG", "128"))
# A request still running after this many seconds is killed with its worker (the statement timeout,
# 5 s by default, stops slow queries well before).
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then, so a slow leak never grows without bound.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = max_requests // 10
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None


def post_worker_init(worker) -> None:
    """Put what start-up built out of the garbage collector's reach (Python's `gc.freeze`).

    Django's apps, models, URLs and templates are some 180,000 objects that live as long as the
    worker, and every full collection walked all of them: about 90 ms, now and then in the middle
    of a request, which was most of a search's p95. Frozen, a collection walks only what requests
    leave behind. The URLconf is loaded first, so that it is frozen too.
    """
    from django.urls import get_resolver

    get_resolver().reverse_dict  # noqa: B018 (loads every URL pattern)
    gc.freeze()
