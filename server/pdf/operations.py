"""Signed checklist PDFs: one record now, or a batch as a background export job.

Rendering reads only; `create_export` and `fail_if_stalled` flush and leave the commit to the
request. `run_export` is the one exception: it runs outside any request (a thread or an RQ
worker) and commits its own progress after each record, so every process sees it move.
"""

import logging
import os
import secrets
import tempfile
import uuid
import zipfile
from contextlib import nullcontext
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from server.core.db import db, utcnow
from server.core.errors import Problem
from server.inspections.listing import filtered
from server.inspections.models import Inspection
from server.media.storage import blob_store
from server.users.access import can_see_property
from server.users.models import User

from . import batch
from .models import ExportJob, ExportStatus
from .schemas import export_expires_at

log = logging.getLogger(__name__)


FILTERS = ("checklist", "date_from", "date_to", "inspector_id", "status", "has_failures",
           "unit_id", "q")


def matching_records(filters: dict) -> list[uuid.UUID]:
    """Ids of the records the supervisor's records list shows for these filters (same query,
    same access rules: server/inspections/listing.py), oldest first."""
    statement = (filtered(filters).with_only_columns(Inspection.id).order_by(None)
                 .order_by(Inspection.completed_at, Inspection.id))
    return list(db.session.scalars(statement))


def active_exports(user: User | None = None):
    """Exports queued or running (and still moving: a stalled one no longer counts)."""
    moving_since = utcnow() - timedelta(seconds=current_app.config["EXPORT_STALL_SECONDS"])
    statement = sa.select(sa.func.count()).select_from(ExportJob).where(
        ExportJob.status.in_((ExportStatus.QUEUED, ExportStatus.RUNNING)),
        ExportJob.updated_at > moving_since)
    if user is not None:
        statement = statement.where(ExportJob.user_id == user.id)
    return db.session.scalar(statement)


def check_export_capacity(user: User):
    """429 while the caller has EXPORT_MAX_ACTIVE_PER_USER exports under way, or everyone
    together EXPORT_MAX_ACTIVE: each export renders hundreds of pages, and the web process
    that renders them must keep answering phones."""
    config = current_app.config
    # One caller's requests queue here (a row lock on PostgreSQL), so two at once cannot both
    # pass the per-person count.
    db.session.execute(sa.select(User.id).where(User.id == user.id).with_for_update())
    limit = config["EXPORT_MAX_ACTIVE_PER_USER"]
    if active_exports(user) >= limit:
        raise Problem("export.busy_user", headers={"Retry-After": "30"},
                      details={"max_active": limit}, limit=limit)
    if active_exports() >= config["EXPORT_MAX_ACTIVE"]:
        raise Problem("export.busy", headers={"Retry-After": "60"},
                      details={"max_active": config["EXPORT_MAX_ACTIVE"]})


def create_export(user: User, data: dict) -> ExportJob:
    """A queued export of the records matching ``data``'s filters. Flushes only; the caller
    starts it (`jobs.dispatch`) after the commit."""
    check_export_capacity(user)
    filters = {key: data[key] for key in FILTERS if data.get(key) is not None}
    if filters.get("date_from") and filters.get("date_to") and filters["date_to"] < filters["date_from"]:
        raise Problem("export.bad_dates")
    ids = matching_records({"property_id": data["property_id"], **filters})
    limit = current_app.config["EXPORT_MAX_RECORDS"]
    if not ids:
        raise Problem("export.no_records")
    if len(ids) > limit:
        raise Problem("export.too_many", details={"matching": len(ids), "max_records": limit},
                      count=len(ids), limit=limit)
    job = ExportJob(user_id=user.id, property_id=data["property_id"],
                    filters={key: value if isinstance(value, bool | int) else str(value)
                             for key, value in filters.items()},
                    record_ids=[str(record_id) for record_id in ids], format=data["format"],
                    language=data["lang"], status=ExportStatus.QUEUED, total=len(ids), done=0)
    db.session.add(job)
    db.session.flush()
    return job


def fail_if_stalled(job: ExportJob) -> ExportJob:
    """A queued or running job that has not moved for EXPORT_STALL_SECONDS lost its worker
    (process restarted, RQ worker gone): say so instead of spinning forever."""
    limit = timedelta(seconds=current_app.config["EXPORT_STALL_SECONDS"])
    if job.status in (ExportStatus.QUEUED, ExportStatus.RUNNING) and utcnow() - job.updated_at > limit:
        job.status = ExportStatus.FAILED
        job.error = "stalled"
        job.finished_at = utcnow()
        db.session.flush()
    return job


def export_file(job: ExportJob):
    """(open file, mimetype, download name) of a finished export, to stream from."""
    if job.status != ExportStatus.DONE:
        raise Problem("export.not_ready", details={"status": job.status})
    hours = current_app.config["EXPORT_FILE_HOURS"]
    if not job.file_key or export_expires_at(job) <= utcnow():
        raise Problem("export.expired", details={"kept_hours": hours}, hours=hours)
    extension = "zip" if job.format == "zip" else "pdf"
    mimetype = "application/zip" if job.format == "zip" else "application/pdf"
    return blob_store().open(job.file_key), mimetype, f"xuncha-export-{job.id}.{extension}"


def delete_expired_exports(limit: int = 100) -> int:
    """Delete the files of exports past their lifetime (the rows stay, as their history);
    returns how many. Flushes; run at each new export and by `flask purge-exports`."""
    cutoff = utcnow() - timedelta(hours=current_app.config["EXPORT_FILE_HOURS"])
    expired = db.session.scalars(
        sa.select(ExportJob).where(ExportJob.file_key.is_not(None),
                                   ExportJob.finished_at < cutoff).limit(limit)).all()
    deleted = 0
    for job in expired:
        try:
            blob_store().delete(job.file_key)
        except Exception:  # noqa: BLE001 - one store error must not stop an export; try later
            log.warning("could not delete export file %s", job.file_key, exc_info=True)
            continue
        job.file_key = None
        deleted += 1
    db.session.flush()
    return deleted


def run_export(job_id: int) -> None:
    """Render an export job to its file. Safe to call twice: only one caller claims a job.

    Commits after each record (progress) and at the end; on any error the job is marked
    failed with the error's name, and nothing half-written is offered for download.
    """
    claimed = db.session.execute(
        sa.update(ExportJob).where(ExportJob.id == job_id, ExportJob.status == ExportStatus.QUEUED)
        .values(status=ExportStatus.RUNNING, started_at=utcnow(), updated_at=utcnow()))
    db.session.commit()
    if claimed.rowcount != 1:
        return
    job = db.session.get(ExportJob, job_id)
    try:
        _render_job(job)
    except Exception as error:  # noqa: BLE001 - any failure must end as a visible state
        log.exception("export %s failed", job_id)
        db.session.rollback()
        db.session.execute(sa.update(ExportJob).where(ExportJob.id == job_id).values(
            status=ExportStatus.FAILED, error=type(error).__name__, finished_at=utcnow(),
            updated_at=utcnow()))
        db.session.commit()


def _render_job(job: ExportJob):
    """Render the job's records into a file on disk, run by run on EXPORT_PROCESSES processes
    (server/pdf/batch.py): a ZIP takes each record's PDF from disk as its run finishes, a merged
    PDF joins the runs' files at the end. Progress is committed after each run. The finished
    file goes to the blob store in chunks."""
    user = db.session.get(User, job.user_id)
    if user is None or not user.is_active or not can_see_property(job.property_id, user):
        raise PermissionError("the requester may no longer see this property")
    extension = "zip" if job.format == "zip" else "pdf"
    with tempfile.TemporaryDirectory(prefix="xuncha-export-") as folder:
        path = os.path.join(folder, f"export.{extension}")
        parts = []
        # PDFs hold JPEGs that do not compress further: store, don't deflate.
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) if (
                job.format == "zip") else nullcontext() as zipped:
            for count, made in batch.render_runs(job.record_ids, job.property_id, job.language,
                                                 folder, separate=zipped is not None):
                for part in made:
                    if zipped is not None:
                        zipped.write(part, os.path.basename(part))
                        os.remove(part)
                    else:
                        parts.append(part)
                job.done += count
                db.session.commit()
        if job.format == "pdf":
            if not parts:
                raise LookupError("none of the export's records exist any more")
            batch.join_pdfs(parts, path)
        # An unguessable key: the file is only ever served through the access-checked endpoint.
        key = f"exports/{job.id}-{secrets.token_hex(8)}.{extension}"
        blob_store().put_file(key, path)
        size = os.path.getsize(path)
    job.file_key, job.file_size = key, size
    job.status, job.finished_at = ExportStatus.DONE, utcnow()
    db.session.commit()
