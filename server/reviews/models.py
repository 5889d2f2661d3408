import uuid
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.core.db import JSONType, UTCDateTime, db, utcnow


class ReviewAction(StrEnum):
    APPROVE = "approve"
    RETURN = "return"  # back to the inspector, with a comment per item


class ReviewEvent(db.Model):
    """One review step on one revision of a record: who, when, what. Never edited.

    A review never changes the sealed answers; it is a separate event next to them, so the
    record and what the supervisor said about it can both be shown (and printed) as they were.
    """

    __tablename__ = "review_events"
    __table_args__ = (sa.CheckConstraint("action IN ('approve', 'return')", name="action"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("inspections.id", ondelete="CASCADE"), index=True)
    revision: Mapped[int]
    action: Mapped[str] = mapped_column(sa.String(12))
    actor_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    comment: Mapped[str | None] = mapped_column(sa.Text)
    item_comments: Mapped[dict] = mapped_column(JSONType, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    actor = relationship("User", lazy="joined")
