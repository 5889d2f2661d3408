"""Staff monthly assessments (员工月绩效考核登记表) and the year-end figures that weigh them."""

from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.core.db import JSONType, UTCDateTime, db, utcnow


class AssessmentStatus(StrEnum):
    DRAFT = "draft"                # the supervisor is filling it in; the staff member cannot see it
    SUBMITTED = "submitted"        # given to the staff member, waiting for their acknowledgement
    ACKNOWLEDGED = "acknowledged"  # the staff member acknowledged it: sealed, never changes


class Assessment(db.Model):
    """One staff member's assessment at one property for one month.

    While a draft it is the supervisor's; once acknowledged its content is fixed by the seal
    (``seal_hash`` over the canonical JSON of `server.assessments.seal.seal_payload`) and no
    operation changes it again. Rows are never deleted by the application (seed 002 §4.12.1:
    kept at least 2 years, `ASSESSMENT_RETENTION_YEARS`).
    """

    __tablename__ = "assessments"
    __table_args__ = (
        sa.CheckConstraint("status IN ('draft', 'submitted', 'acknowledged')", name="status"),
        sa.UniqueConstraint("staff_id", "property_id", "month"),
        sa.Index("ix_assessments_property_month", "property_id", "month"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    property_id: Mapped[int] = mapped_column(sa.ForeignKey("properties.id"))
    staff_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    month: Mapped[date]  # the month's first day
    form_code: Mapped[str] = mapped_column(sa.String(40))
    form_version: Mapped[int]
    status: Mapped[str] = mapped_column(sa.String(12), default=AssessmentStatus.DRAFT)
    # {sub-item id: points}; half points allowed, so JSON numbers rather than columns.
    scores: Mapped[dict] = mapped_column(JSONType, default=dict)
    # {sub-item id: why the score differs from the suggestion}
    reasons: Mapped[dict] = mapped_column(JSONType, default=dict)
    # The suggestions and their figures as they stood when the form was submitted (a draft
    # shows them live): what the staff member read is what the seal covers.
    suggestions: Mapped[dict | None] = mapped_column(JSONType)
    reward: Mapped[int | None]
    reward_reason: Mapped[str | None] = mapped_column(sa.Text)
    penalty: Mapped[int | None]
    penalty_reason: Mapped[str | None] = mapped_column(sa.Text)
    comment: Mapped[str | None] = mapped_column(sa.Text)
    staff_remark: Mapped[str | None] = mapped_column(sa.Text)
    assessor_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    seal_hash: Mapped[str | None] = mapped_column(sa.String(64))

    staff = relationship("User", foreign_keys=[staff_id], lazy="joined")
    assessor = relationship("User", foreign_keys=[assessor_id], lazy="joined")
    property = relationship("Property", lazy="joined")


class YearEndInputs(db.Model):
    """What the supervisor enters by hand for a staff member's year-end figure (seed 002 §4.6):
    the weighted result of the year's weekly and monthly checks (A, 20%) and the year-end
    assessment (C, 50%). The monthly assessments (B, 30%) come from `Assessment` rows."""

    __tablename__ = "assessment_year_inputs"
    __table_args__ = (sa.UniqueConstraint("staff_id", "property_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    property_id: Mapped[int] = mapped_column(sa.ForeignKey("properties.id"))
    staff_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    year: Mapped[int]
    checks_score: Mapped[float | None]
    year_end_score: Mapped[float | None]
    entered_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
