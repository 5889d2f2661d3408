"""Batch PDF exports, kept in the database so any app process (or an RQ worker) sees them."""

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from server.core.db import JSONType, UTCDateTime, db, utcnow


class ExportStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class ExportJob(db.Model):
    """One batch export: the records matching a supervisor's filters, as one file.

    The record ids are fixed when the job is created (what the supervisor asked for at that
    moment); ``done`` counts rendered records so the PWA can show progress. The finished file
    lives in the blob store under ``file_key``, so whichever process serves the download can
    read it.
    """

    __tablename__ = "export_jobs"
    __table_args__ = (
        sa.CheckConstraint("status IN ('queued', 'running', 'done', 'failed')", name="status"),
        sa.CheckConstraint("format IN ('pdf', 'zip')", name="format"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    property_id: Mapped[int] = mapped_column(sa.ForeignKey("properties.id", ondelete="CASCADE"))
    filters: Mapped[dict] = mapped_column(JSONType)
    record_ids: Mapped[list] = mapped_column(JSONType)
    format: Mapped[str] = mapped_column(sa.String(8))
    language: Mapped[str] = mapped_column(sa.String(8))
    status: Mapped[str] = mapped_column(sa.String(12), default=ExportStatus.QUEUED)
    total: Mapped[int] = mapped_column(default=0)
    done: Mapped[int] = mapped_column(default=0)
    file_key: Mapped[str | None] = mapped_column(sa.String(200))
    file_size: Mapped[int | None]
    error: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Touched on every bit of progress: a job whose worker died stops moving and is failed.
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
