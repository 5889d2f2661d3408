from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from server.core.db import JSONType, UTCDateTime, db, utcnow


class ChecklistVersion(db.Model):
    """One published version of a checklist definition. Never updated after insert.

    Inspections point at a row here, so what a record was filled against can always be
    rendered again exactly as the inspector saw it.
    """

    __tablename__ = "checklist_versions"
    __table_args__ = (sa.UniqueConstraint("code", "version", name="uq_checklist_versions_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(64), index=True)
    version: Mapped[int]
    title_zh: Mapped[str] = mapped_column(sa.String(200))
    title_en: Mapped[str] = mapped_column(sa.String(200))
    subject: Mapped[str] = mapped_column(sa.String(20))
    # The validated definition as loaded (sections, items, frequency rules).
    definition: Mapped[dict] = mapped_column(JSONType)
    # SHA-256 of the canonical JSON of `definition`: loading the same content again is a no-op,
    # loading different content under a published version is refused.
    content_hash: Mapped[str] = mapped_column(sa.String(64))
    source_file: Mapped[str | None] = mapped_column(sa.String(200))
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
