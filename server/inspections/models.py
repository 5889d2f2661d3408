"""Inspection records (巡查记录) as pushed by phones, with every sealed revision kept."""

import re
import uuid
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.core.db import JSONType, UTCDateTime, db, utcnow

from .seal import seal_hash, seal_payload

# Phone and server clocks further apart than this at receipt are pointed out to reviewers.
CLOCK_TOLERANCE_SECONDS = 5 * 60


class InspectionStatus(StrEnum):
    SUBMITTED = "submitted"  # sealed and received, waiting for review
    RETURNED = "returned"    # sent back by a supervisor: the inspector may push a new revision
    APPROVED = "approved"


class Inspection(db.Model):
    """The current revision of one inspection. Its id is made on the phone (UUID)."""

    __tablename__ = "inspections"
    __table_args__ = (
        sa.CheckConstraint("status IN ('submitted', 'returned', 'approved')", name="status"),
        # The records list sorts newest first, for one property or several.
        sa.Index("ix_inspections_property_completed", "property_id", "completed_at"),
        sa.Index("ix_inspections_completed", "completed_at", "id"),
        # Due list and compliance: one checklist at one property in a period.
        sa.Index("ix_inspections_property_code_completed", "property_id", "checklist_code",
                 "completed_at"),
        sa.Index("ix_inspections_checklist_subject", "checklist_code", "subject_type",
                 "subject_id"),
        # Every pull: the caller's records changed since the cursor, and the caller's returned
        # records (and their count); one person's rows, not a scan of everyone's.
        sa.Index("ix_inspections_inspector_updated", "inspector_id", "updated_at"),
        sa.Index("ix_inspections_inspector_status", "inspector_id", "status"),
    )

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True)
    property_id: Mapped[int] = mapped_column(sa.ForeignKey("properties.id"))
    checklist_version_id: Mapped[int] = mapped_column(sa.ForeignKey("checklist_versions.id"))
    # Denormalised from the checklist version: the due list and compliance count by code.
    checklist_code: Mapped[str] = mapped_column(sa.String(64))
    subject_type: Mapped[str] = mapped_column(sa.String(20))
    subject_id: Mapped[int]
    inspector_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    status: Mapped[str] = mapped_column(sa.String(12), default=InspectionStatus.SUBMITTED,
                                        index=True)
    revision: Mapped[int] = mapped_column(default=1)
    answers: Mapped[dict] = mapped_column(JSONType)
    has_failures: Mapped[bool] = mapped_column(default=False, index=True)
    # The phone's own timestamps, kept exactly as sent (they are sealed) and parsed to UTC.
    started_at_device: Mapped[str] = mapped_column(sa.String(40))
    completed_at_device: Mapped[str] = mapped_column(sa.String(40))
    completed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    seal_hash: Mapped[str] = mapped_column(sa.String(64))
    # What people wrote in the answers (comments, text answers, signers' names), one per line:
    # the records list searches this, never the answers' JSON with its keys and hashes.
    # Kept in step with ``answers`` by the mapper events below.
    answer_text: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    device_id: Mapped[str | None] = mapped_column(sa.String(200))
    # Phone clock minus server clock at receipt (from X-Device-Time); None if not sent.
    device_clock_offset_seconds: Mapped[int | None]
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Received more than RECORD_LATE_AFTER_HOURS after its completion (decided at receipt).
    late: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow,
                                                 index=True)

    checklist_version = relationship("ChecklistVersion", lazy="joined")
    inspector = relationship("User", lazy="joined")
    revisions = relationship("InspectionRevision", order_by="InspectionRevision.revision",
                             cascade="all, delete-orphan", back_populates="inspection")

    def seal_holds(self) -> bool:
        """The seal recomputed from what is stored is the seal stored: nothing was changed."""
        return self.seal_of(self.answers, self.started_at_device,
                            self.completed_at_device) == self.seal_hash

    def seal_of(self, answers: dict, started_at: str, completed_at: str) -> str:
        return seal_hash(seal_payload(
            self.id, self.property_id,
            {"code": self.checklist_code, "version": self.checklist_version.version},
            {"type": self.subject_type, "id": self.subject_id}, self.inspector.username,
            answers, started_at, completed_at))

    @property
    def clock_differs(self) -> bool:
        offset = self.device_clock_offset_seconds
        return offset is not None and abs(offset) > CLOCK_TOLERANCE_SECONDS


# A choice, pass/fail or yes/no answer is an option's code (``fail``, ``lent_out``), not words.
_OPTION_CODE = re.compile(r"^[a-z][a-z0-9_]*$")


def written_text(answers) -> str:
    """The words people wrote in ``answers``: comments, free-text values and signers' names,
    of every item and register row, one per line (option codes, hashes and times left out)."""
    found: list[str] = []

    def take(answer):
        if not isinstance(answer, dict):
            return
        for key in ("comment", "value", "signer_unavailable"):
            text = answer.get(key)
            if isinstance(text, str) and text.strip() and not (
                    key == "value" and _OPTION_CODE.match(text)):
                found.append(text.strip())
        signature = answer.get("signature")
        if isinstance(signature, dict) and isinstance(signature.get("signer_name"), str):
            found.append(signature["signer_name"].strip())
        rows = answer.get("rows")
        if isinstance(rows, dict):
            for row in rows.values():
                take(row)

    for answer in (answers or {}).values() if isinstance(answers, dict) else ():
        take(answer)
    return "\n".join(found)


@sa.event.listens_for(Inspection, "before_insert")
@sa.event.listens_for(Inspection, "before_update")
def _keep_answer_text(_mapper, _connection, record: Inspection):
    record.answer_text = written_text(record.answers)


class InspectionRevision(db.Model):
    """Every sealed version of a record, as received. Never updated or deleted."""

    __tablename__ = "inspection_revisions"

    inspection_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("inspections.id", ondelete="CASCADE"), primary_key=True)
    revision: Mapped[int] = mapped_column(primary_key=True)
    answers: Mapped[dict] = mapped_column(JSONType)
    started_at_device: Mapped[str] = mapped_column(sa.String(40))
    completed_at_device: Mapped[str] = mapped_column(sa.String(40))
    seal_hash: Mapped[str] = mapped_column(sa.String(64), index=True)
    device_id: Mapped[str | None] = mapped_column(sa.String(200))
    device_clock_offset_seconds: Mapped[int | None]
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    inspection = relationship(Inspection, back_populates="revisions")

    def seal_holds(self) -> bool:
        return self.inspection.seal_of(self.answers, self.started_at_device,
                                       self.completed_at_device) == self.seal_hash


class InspectionAttachment(db.Model):
    """A blob referenced by some revision of a record (for access checks and missing lists)."""

    __tablename__ = "inspection_attachments"

    inspection_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("inspections.id", ondelete="CASCADE"), primary_key=True)
    sha256: Mapped[str] = mapped_column(sa.String(64), primary_key=True, index=True)
