"""Starting export jobs without blocking the web process.

EXPORT_QUEUE selects how (config, env XUNCHA_EXPORT_QUEUE):
- "thread" (embedded default): a pool of EXPORT_WORKERS threads in the process that took the
  request (one by default), each job with its own app context and database session; more
  jobs wait their turn in the pool's queue, so a burst of exports cannot take every core and
  all memory from the phones. The job's state is in the database, so any process answers
  progress questions; a job whose process dies is failed by `fail_if_stalled`.
- "rq": enqueued on Redis (REDIS_URL, queue EXPORT_RQ_QUEUE) for RQ workers, started with the
  app's environment (DATABASE_URL, blob store settings) as
  `.venv/bin/rq worker --url redis://127.0.0.1:6379/0 xuncha-exports`; the worker builds its
  own app from that environment (`run_export_job`); scripts/production starts them.
- "inline": run before the response is sent (tests, debugging).

`dispatch` must be called after the job's row is committed: the thread or worker reads it
from the database. Views use `after_this_request`, which runs after the request's commit.
"""

import logging
import threading
from concurrent.futures import ThreadPoolExecutor

from flask import current_app

from server.core.db import db

from .operations import run_export

log = logging.getLogger(__name__)


def dispatch(job_id: int) -> None:
    mode = current_app.config["EXPORT_QUEUE"]
    if mode == "rq":
        _enqueue_rq(job_id)
    elif mode == "inline":
        run_export(job_id)
    elif mode == "thread":
        app = current_app._get_current_object()
        _pool(app.config["EXPORT_WORKERS"]).submit(_run_in_thread, app, job_id)
    else:
        raise ValueError(f"EXPORT_QUEUE must be thread, rq or inline, not {mode!r}")


_executor: ThreadPoolExecutor | None = None
_executor_lock = threading.Lock()


def _pool(workers: int) -> ThreadPoolExecutor:
    """This process's export threads, made at the first export (after a server forked its
    workers, so each worker has its own)."""
    global _executor
    with _executor_lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(max_workers=max(1, workers),
                                           thread_name_prefix="export")
        return _executor


def _run_in_thread(app, job_id: int):
    with app.app_context():
        try:
            run_export(job_id)
        except Exception:  # noqa: BLE001 - a thread's exception would vanish; log it
            log.exception("export thread %s crashed", job_id)
        finally:
            db.session.remove()


def _enqueue_rq(job_id: int):
    from redis import Redis
    from rq import Queue
    queue = Queue(current_app.config["EXPORT_RQ_QUEUE"],
                  connection=Redis.from_url(current_app.config["REDIS_URL"]))
    queue.enqueue(run_export_job, job_id, job_timeout=current_app.config["EXPORT_STALL_SECONDS"])


_worker_app = None


def run_export_job(job_id: int) -> None:
    """RQ entry point: runs in a worker process, which builds the app from its environment."""
    global _worker_app
    if _worker_app is None:
        from server import create_app
        _worker_app = create_app()
    with _worker_app.app_context():
        try:
            run_export(job_id)
        finally:
            db.session.remove()
