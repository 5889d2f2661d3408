"""Batch exports on every core, in bounded memory.

WeasyPrint lays pages out in Python: one process uses one core. An export job therefore splits
its records into runs of EXPORT_RUN_RECORDS, has EXPORT_PROCESSES worker processes render the
runs (each run into one PDF file on disk, its pages sharing one font subset), and joins the
files in order with pikepdf (qpdf), which copies pages from the files as it writes. Memory
holds one run per worker, never the whole export; a ZIP takes each record's PDF from disk.

The workers are started with "spawn", not forked: a web process has threads, and a forked
child would inherit their locks and database connections. They build their own app from the
job's process's settings, lay out a first page to load the fonts, and only read (records,
blobs); the job's process keeps the job row and its progress. Starting them costs about two
seconds of both cores, so they are kept for the next job until EXPORT_PROCESS_IDLE_SECONDS
pass without one (0: they stop with each job). A job that fails takes its pool down with it.
"""

import ctypes
import gc
import hashlib
import multiprocessing
import os
import pickle
import threading
import uuid
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager, suppress

from flask import current_app

from server.core.db import db
from server.inspections.models import Inspection

from .documents import record_document, record_filename


def runs(record_ids: list[str], size: int) -> list[list[str]]:
    size = max(1, size)
    return [record_ids[start:start + size] for start in range(0, len(record_ids), size)]


def render_runs(record_ids: list[str], property_id: int, language: str, folder: str,
                separate: bool) -> Iterator[tuple[int, list[str]]]:
    """Render the records, in order, run by run: yields (records of the run, PDF files made).

    ``separate``: one PDF per record (for a ZIP), named by `record_filename`; otherwise one
    PDF per run. A record that no longer exists or left the property is skipped."""
    config = current_app.config
    work = [(run, property_id, language, os.path.join(folder, f"run-{n:05d}"), separate)
            for n, run in enumerate(runs(record_ids, config["EXPORT_RUN_RECORDS"]))]
    processes = min(config["EXPORT_PROCESSES"], len(work))
    if processes <= 1:
        for args in work:
            yield len(args[0]), render_run(*args)
        return
    with _render_pool(config, processes) as pool:
        # Runs are handed out a few at a time: finished files wait on disk, not in memory,
        # and a failed job stops soon.
        pending = []
        queue = iter(work)
        for args in queue:
            pending.append((len(args[0]), pool.submit(_render_in_worker, *args)))
            if len(pending) >= 2 * processes:
                break
        while pending:
            count, future = pending.pop(0)
            made = future.result()
            next_args = next(queue, None)
            if next_args is not None:
                pending.append((len(next_args[0]), pool.submit(_render_in_worker, *next_args)))
            yield count, made


def render_run(record_ids: list[str], property_id: int, language: str, base: str,
               separate: bool) -> list[str]:
    """One run's PDF file(s), rendered in this process (inside an app context)."""
    from . import render  # WeasyPrint is imported only by processes that render
    os.makedirs(base, exist_ok=True)
    documents, exports, made = [], [], []
    for record_id in record_ids:
        record = db.session.get(Inspection, uuid.UUID(record_id))
        if record is None or record.property_id != property_id:
            continue
        doc = record_document(record, language)
        rendered = render.document(doc)
        if separate:
            path = os.path.join(base, record_filename(record))
            render.write_pdf([rendered], [doc["record_json"]], target=path)
            made.append(path)
        else:
            documents.append(rendered)
            exports.append(doc["record_json"])
    if documents:
        path = os.path.join(base, "run.pdf")
        render.write_pdf(documents, exports, target=path)
        made.append(path)
    return made


def join_pdfs(paths: list[str], target: str) -> None:
    """The pages of ``paths`` in order as one PDF, with every file's embedded record JSON and
    bookmarks. Each part keeps its own page numbers (they are printed on its pages)."""
    import pikepdf
    sources = []
    try:
        with pikepdf.new() as joined, joined.open_outline() as outline:
            for path in paths:
                source = pikepdf.open(path)
                sources.append(source)
                offset = len(joined.pages)
                joined.pages.extend(source.pages)
                for name, spec in source.attachments.items():
                    attached = spec.get_file()
                    joined.attachments[name] = pikepdf.AttachedFileSpec(
                        joined, attached.read_bytes(), description=spec.description,
                        filename=spec.filename, mime_type=attached.mime_type or None)
                with source.open_outline() as bookmarks:
                    outline.root.extend(_moved(item, source, offset)
                                        for item in bookmarks.root)
            joined.save(target)
    finally:
        for source in sources:
            source.close()


def _moved(item, source, offset: int):
    """A bookmark of ``source`` (and its children) pointing at the same page of the join."""
    import pikepdf
    page = None
    destination = item.destination
    if isinstance(destination, pikepdf.Array) and len(destination):
        try:
            page = source.pages.index(pikepdf.Page(destination[0])) + offset
        except (ValueError, TypeError):
            page = None
    moved = pikepdf.OutlineItem(item.title, page if page is not None else offset)
    moved.children.extend(_moved(child, source, offset) for child in item.children)
    return moved


# --- the worker processes -------------------------------------------------------------------

class _Pool:
    def __init__(self, key: str, processes: int, settings: dict):
        self.key, self.jobs, self.timer = key, 0, None
        self.executor = ProcessPoolExecutor(
            max_workers=processes, mp_context=multiprocessing.get_context("spawn"),
            initializer=_start_worker, initargs=(settings,))

    def stop(self):
        if self.timer is not None:
            self.timer.cancel()
        self.executor.shutdown(wait=False, cancel_futures=True)


_pools: dict[str, _Pool] = {}
_pools_lock = threading.Lock()


@contextmanager
def _render_pool(config, processes: int):
    """This process's render workers for these settings: kept from the last job when there
    was one, else started. Pools of other settings with no job running are stopped, so a
    process never holds more than one idle pool."""
    settings = _settings(config)
    key = hashlib.sha256(pickle.dumps((processes, sorted(
        (name, value) for name, value in settings.items()
        if name != "EXPORT_PROCESS_IDLE_SECONDS")))).hexdigest()
    idle_seconds = config.get("EXPORT_PROCESS_IDLE_SECONDS", 0)
    with _pools_lock:
        for other in [p for p in _pools.values() if p.key != key and p.jobs == 0]:
            del _pools[other.key]
            other.stop()
        pool = _pools.get(key)
        if pool is None:
            pool = _pools[key] = _Pool(key, processes, settings)
        elif pool.timer is not None:
            pool.timer.cancel()
            pool.timer = None
        pool.jobs += 1
    failed = False
    try:
        yield pool.executor
    except BaseException:
        failed = True
        raise
    finally:
        with _pools_lock:
            pool.jobs -= 1
            if pool.jobs == 0 and (failed or idle_seconds <= 0):
                _pools.pop(key, None)
                pool.stop()
            elif pool.jobs == 0:
                pool.timer = threading.Timer(idle_seconds, _stop_if_idle, (key,))
                pool.timer.daemon = True
                pool.timer.start()


def _stop_if_idle(key: str):
    with _pools_lock:
        pool = _pools.get(key)
        if pool is None or pool.jobs:
            return
        del _pools[key]
    pool.stop()


def render_process_ids() -> list[int]:
    """The render processes this process keeps (for tests and the operator's curiosity)."""
    with _pools_lock:
        return sorted(pid for pool in _pools.values() for pid in pool.executor._processes)


def stop_render_pools():
    """Stop every kept render process now (tests, and a process about to exit)."""
    with _pools_lock:
        pools = list(_pools.values())
        _pools.clear()
    for pool in pools:
        pool.stop()


_worker_app = None


def _settings(config) -> dict:
    """The job's process's settings that a worker can take (plain values)."""
    settings = {}
    for name, value in config.items():
        if not name.isupper():
            continue
        try:
            pickle.dumps(value)
        except Exception:  # noqa: BLE001, S112 - an object the worker does not need
            continue
        settings[name] = value
    return settings


def _start_worker(settings: dict):
    global _worker_app
    from server import create_app

    from . import render
    _worker_app = create_app(settings)
    render.warm_up()


def _render_in_worker(*args) -> list[str]:
    with _worker_app.app_context():
        try:
            return render_run(*args)
        finally:
            db.session.remove()
            _give_back_memory()


def _give_back_memory():
    """A run's laid-out pages are garbage once its file is written: collect them and hand the
    freed heap back to the system, so a process kept for the next job idles small."""
    gc.collect()
    # Not glibc: the memory stays reusable by this process, just not returned.
    with suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)

