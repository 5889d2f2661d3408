"""Batch exports on every core, in bounded memory.

WeasyPrint lays pages out in Python: one process uses one core. An export job therefore splits
its records into runs of EXPORT_RUN_RECORDS, has EXPORT_PROCESSES worker processes render the
runs (each run into one PDF file on disk, its pages sharing one font subset), and joins the
files in order with pikepdf (qpdf), which copies pages from the files as it writes. Memory
holds one run per worker, never the whole export; a ZIP takes each record's PDF from disk.

The workers are started fresh ("spawn") for each job and stop with it: a web process has
threads, and a forked child would inherit their locks and database connections. They build
their own app from the job's process's settings and only read (records, blobs); the job's
process keeps the job row and its progress.
"""

import multiprocessing
import os
import pickle
import uuid
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor

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
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=processes, mp_context=context,
                             initializer=_start_worker,
                             initargs=(_settings(current_app.config),)) as pool:
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
    _worker_app = create_app(settings)


def _render_in_worker(*args) -> list[str]:
    with _worker_app.app_context():
        try:
            return render_run(*args)
        finally:
            db.session.remove()

