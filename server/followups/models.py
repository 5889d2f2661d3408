"""Follow-ups (整改): a failed item chased until a supervisor verifies it fixed."""

import uuid
from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.core.db import JSONType, UTCDateTime, db, utcnow


class FollowUpStatus(StrEnum):
    OPEN = "open"          # found, not yet fixed (also after a reopen)
    FIXED = "fixed"        # the assignee says it is fixed, with evidence photos
    VERIFIED = "verified"  # a supervisor checked the fix and the owner was called back: closed


class FollowUpAction(StrEnum):
    CREATE = "create"
    FIX = "fix"            # assignee: evidence photo(s) of the fix
    VERIFY = "verify"      # supervisor: closes it
    REOPEN = "reopen"      # supervisor: the fix is not good enough
    CONTACT = "contact"    # recorded contact with the owner (seed: required after 3 days open)
    CALLBACK = "callback"  # 回访: the owner asked about the result (seed: 100% of closed ones)
    ASSIGN = "assign"      # supervisor: new assignee or due date


class FollowUp(db.Model):
    __tablename__ = "follow_ups"
    __table_args__ = (
        sa.CheckConstraint("status IN ('open', 'fixed', 'verified')", name="status"),
        sa.Index("ix_follow_ups_property_status", "property_id", "status"),
    )

    # Made on the phone for hand-made ones; derived from (record, item, row) for automatic
    # ones, so pushing a record twice can never raise its follow-ups twice.
    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True)
    property_id: Mapped[int] = mapped_column(sa.ForeignKey("properties.id"))
    inspection_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("inspections.id", ondelete="SET NULL"), index=True)
    item_id: Mapped[str | None] = mapped_column(sa.String(64))
    row_key: Mapped[str | None] = mapped_column(sa.String(40))  # register row (key) if any
    subject_label: Mapped[str] = mapped_column(sa.String(100), default="")
    description: Mapped[str] = mapped_column(sa.Text)
    assignee_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    due_date: Mapped[date]
    status: Mapped[str] = mapped_column(sa.String(12), default=FollowUpStatus.OPEN)
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow,
                                                 index=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    assignee = relationship("User", foreign_keys=[assignee_id], lazy="joined")
    events = relationship("FollowUpEvent", order_by="FollowUpEvent.created_at",
                          back_populates="follow_up", cascade="all, delete-orphan")


class FollowUpEvent(db.Model):
    """Every step of a follow-up. Its id is made by the client so a resend is harmless."""

    __tablename__ = "follow_up_events"
    __table_args__ = (
        sa.CheckConstraint("action IN ('create', 'fix', 'verify', 'reopen', 'contact', "
                           "'callback', 'assign')", name="action"),
    )

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True)
    follow_up_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("follow_ups.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(sa.String(12))
    actor_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    note: Mapped[str | None] = mapped_column(sa.Text)
    photos: Mapped[list] = mapped_column(JSONType, default=list)
    at_device: Mapped[str | None] = mapped_column(sa.String(40))  # the phone's time of the step
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    follow_up = relationship(FollowUp, back_populates="events")
    actor = relationship("User", lazy="joined")


class FollowUpAttachment(db.Model):
    """A photo of some step of a follow-up (for access checks and missing-photo lists)."""

    __tablename__ = "follow_up_attachments"

    follow_up_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("follow_ups.id", ondelete="CASCADE"), primary_key=True)
    sha256: Mapped[str] = mapped_column(sa.String(64), primary_key=True, index=True)
