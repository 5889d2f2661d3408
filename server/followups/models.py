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


class FollowUpSource(StrEnum):
    INSPECTION = "inspection"  # a failed item of an inspection record
    COMPLAINT = "complaint"    # 投诉, entered by hand (a work order, 工单)
    REPAIR = "repair"          # 报修, entered by hand (a work order)
    MANUAL = "manual"          # raised by a supervisor on a walk-round


WORK_ORDER_SOURCES = (FollowUpSource.COMPLAINT, FollowUpSource.REPAIR)


class Satisfaction(StrEnum):
    SATISFIED = "satisfied"                      # 满意
    BASICALLY_SATISFIED = "basically_satisfied"  # 基本满意
    DISSATISFIED = "dissatisfied"                # 不满意: the work order opens again


class ContactMethod(StrEnum):
    PHONE = "phone"
    VISIT = "visit"      # in person, at the door or the service desk
    MESSAGE = "message"  # WeChat / SMS


class FollowUpAction(StrEnum):
    CREATE = "create"
    FIX = "fix"            # assignee: evidence photo(s) of the fix
    VERIFY = "verify"      # supervisor: closes it
    REOPEN = "reopen"      # supervisor: the fix is not good enough
    CONTACT = "contact"    # recorded contact with the owner (seed: required after 3 days open)
    CALLBACK = "callback"  # 回访: the owner asked about the result (seed: 100% of closed ones)
    ASSIGN = "assign"      # supervisor: new assignee or due date
    APPROVE = "approve"    # project manager: a missing key approved, the person responsible named


class FollowUp(db.Model):
    __tablename__ = "follow_ups"
    __table_args__ = (
        sa.CheckConstraint("status IN ('open', 'fixed', 'verified')", name="status"),
        sa.CheckConstraint("source IN ('inspection', 'complaint', 'repair', 'manual')",
                           name="source"),
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
    # What the problem is, in words (item · answer · remark · register row), in both languages.
    description: Mapped[str] = mapped_column(sa.Text)
    description_en: Mapped[str | None] = mapped_column(sa.Text)
    source: Mapped[str] = mapped_column(sa.String(12), default=FollowUpSource.INSPECTION)
    # When the problem was found, by the finder's clock: the record's completion or the report
    # time of a work order. The 3-day contact rule counts from here, not from the server's receipt.
    found_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # An owner is involved: closing needs a callback (回访) with the owner's satisfaction.
    callback_required: Mapped[bool] = mapped_column(default=True)
    # A missing key: closing needs the project manager's approval naming who is responsible.
    approval_required: Mapped[bool] = mapped_column(default=False)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    responsible_person: Mapped[str | None] = mapped_column(sa.String(100))
    # Work orders (投诉 / 报修) entered by hand.
    unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("units.id", ondelete="SET NULL"))
    caller_name: Mapped[str | None] = mapped_column(sa.String(50))
    caller_phone: Mapped[str | None] = mapped_column(sa.String(32))
    channel: Mapped[str | None] = mapped_column(sa.String(16))
    category: Mapped[str | None] = mapped_column(sa.String(32))
    group_risk: Mapped[bool] = mapped_column(default=False)  # 群诉风险
    assignee_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    due_date: Mapped[date]
    status: Mapped[str] = mapped_column(sa.String(12), default=FollowUpStatus.OPEN)
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow,
                                                 index=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    assignee = relationship("User", foreign_keys=[assignee_id], lazy="joined")
    unit = relationship("Unit", lazy="joined")
    events = relationship("FollowUpEvent", order_by="FollowUpEvent.created_at",
                          back_populates="follow_up", cascade="all, delete-orphan")


class FollowUpEvent(db.Model):
    """Every step of a follow-up. Its id is made by the client so a resend is harmless."""

    __tablename__ = "follow_up_events"
    __table_args__ = (
        sa.CheckConstraint("action IN ('create', 'fix', 'verify', 'reopen', 'contact', "
                           "'callback', 'assign', 'approve')", name="action"),
    )

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True)
    follow_up_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("follow_ups.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(sa.String(12))
    actor_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    note: Mapped[str | None] = mapped_column(sa.Text)
    photos: Mapped[list] = mapped_column(JSONType, default=list)
    at_device: Mapped[str | None] = mapped_column(sa.String(40))  # the phone's time of the step
    satisfaction: Mapped[str | None] = mapped_column(sa.String(24))    # callback: the owner's
    contact_method: Mapped[str | None] = mapped_column(sa.String(12))  # contact: how
    contact_with: Mapped[str | None] = mapped_column(sa.String(100))   # contact: with whom
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    follow_up = relationship(FollowUp, back_populates="events")
    actor = relationship("User", lazy="joined")


class FollowUpAttachment(db.Model):
    """A photo of some step of a follow-up (for access checks and missing-photo lists)."""

    __tablename__ = "follow_up_attachments"

    follow_up_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("follow_ups.id", ondelete="CASCADE"), primary_key=True)
    sha256: Mapped[str] = mapped_column(sa.String(64), primary_key=True, index=True)


class EscalationReason(StrEnum):
    TOLD_PM = "told_pm"        # an answer that must reach the project manager at once
    GROUP_RISK = "group_risk"  # a complaint marked 群诉风险
    OVERDUE = "overdue"        # a follow-up overdue beyond FOLLOWUP_ESCALATE_AFTER_DAYS


class Escalation(db.Model):
    """An entry of the project manager's escalation queue, acknowledged with a comment.

    Its id is derived from what raised it and why, so the same cause never lands twice."""

    __tablename__ = "escalations"
    __table_args__ = (
        sa.CheckConstraint("reason IN ('told_pm', 'group_risk', 'overdue')", name="reason"),
        sa.Index("ix_escalations_property_open", "property_id", "acknowledged_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True)
    property_id: Mapped[int] = mapped_column(sa.ForeignKey("properties.id"))
    reason: Mapped[str] = mapped_column(sa.String(16))
    follow_up_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("follow_ups.id", ondelete="CASCADE"), index=True)
    inspection_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("inspections.id", ondelete="SET NULL"))
    subject_label: Mapped[str] = mapped_column(sa.String(100), default="")
    summary: Mapped[str] = mapped_column(sa.Text)
    summary_en: Mapped[str | None] = mapped_column(sa.Text)
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    comment: Mapped[str | None] = mapped_column(sa.Text)

    acknowledged_by = relationship("User", lazy="joined")


class SampleDraw(db.Model):
    """One month's random draw of closed repair work orders for a telephone check (seed:
    派工单、服务记录表及保修单…当月抽查20%)."""

    __tablename__ = "sample_draws"
    __table_args__ = (sa.UniqueConstraint("property_id", "month", name="uq_sample_draws_month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    property_id: Mapped[int] = mapped_column(sa.ForeignKey("properties.id"))
    month: Mapped[str] = mapped_column(sa.String(7))    # YYYY-MM, in the property's time zone
    share_percent: Mapped[int]                          # the share drawn, e.g. 20
    population: Mapped[int]                             # closed repair work orders that month
    drawn_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    drawn_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))

    checks = relationship("SampleCheck", back_populates="draw", cascade="all, delete-orphan",
                          order_by="SampleCheck.follow_up_id")


class SampleCheck(db.Model):
    """One sampled work order and the result of the supervisor's call."""

    __tablename__ = "sample_checks"
    __table_args__ = (
        sa.CheckConstraint("result IS NULL OR result IN ('confirmed', 'problem')", name="result"),
    )

    draw_id: Mapped[int] = mapped_column(sa.ForeignKey("sample_draws.id", ondelete="CASCADE"),
                                         primary_key=True)
    follow_up_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("follow_ups.id", ondelete="CASCADE"), primary_key=True)
    result: Mapped[str | None] = mapped_column(sa.String(12))  # confirmed / problem
    note: Mapped[str | None] = mapped_column(sa.Text)
    checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    draw = relationship(SampleDraw, back_populates="checks")
    follow_up = relationship(FollowUp, lazy="joined")
    checked_by = relationship("User", lazy="joined")
