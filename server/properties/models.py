"""Properties (项目/小区) and their registers: units (households), renovations, keys."""

from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from server.core.db import DEFAULT_TIMEZONE, UTCDateTime, db, utcnow


class Property(db.Model):
    __tablename__ = "properties"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name: Mapped[str] = mapped_column(sa.String(100))          # as the company writes it (zh)
    name_en: Mapped[str | None] = mapped_column(sa.String(100))
    address: Mapped[str | None] = mapped_column(sa.String(200))
    # Frequency periods (day / week / month) are counted in the property's own time zone.
    timezone: Mapped[str] = mapped_column(sa.String(64), default=DEFAULT_TIMEZONE)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class RegisterRow:
    """Columns every register row has: its property, an edit version and change times.

    ``version`` increments on every update; edits carry it (If-Match) and a stale one is
    refused. ``updated_at`` lets a phone pull only rows changed since its last sync.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow,
                                                 index=True)

    @declared_attr.directive
    def __mapper_args__(cls):
        # SQLAlchemy bumps `version` on every UPDATE and refuses a concurrent stale write.
        return {"version_id_col": cls.__table__.c.version}


class Unit(RegisterRow, db.Model):
    """A household (房屋/住户): one door in one building of a property."""

    __tablename__ = "units"
    __table_args__ = (sa.UniqueConstraint("property_id", "building", "entrance", "room",
                                          name="uq_units_address"),)

    property_id: Mapped[int] = mapped_column(sa.ForeignKey("properties.id", ondelete="CASCADE"),
                                             index=True)
    building: Mapped[str] = mapped_column(sa.String(20))        # 楼栋, e.g. "3"
    entrance: Mapped[str] = mapped_column(sa.String(20), default="")  # 单元, "" if none
    room: Mapped[str] = mapped_column(sa.String(20))            # 房号, e.g. "1102"
    owner_name: Mapped[str | None] = mapped_column(sa.String(100))
    owner_phone: Mapped[str | None] = mapped_column(sa.String(32))
    # 重点客户: supervisors visit at least two of them a month (seed 000 重点客户走访).
    is_key_customer: Mapped[bool] = mapped_column(default=False, index=True)
    is_occupied: Mapped[bool] = mapped_column(default=True)
    note: Mapped[str | None] = mapped_column(sa.Text)


    @property
    def label(self) -> str:
        entrance = f"{self.entrance}单元" if self.entrance else ""
        return f"{self.building}栋{entrance}{self.room}"


class RenovationStatus(StrEnum):
    PENDING = "pending"      # application in review
    ACTIVE = "active"        # permit granted, works under way: patrolled daily
    SUSPENDED = "suspended"  # stopped for a violation
    COMPLETED = "completed"  # works finished and accepted (验收)
    CANCELLED = "cancelled"


class Renovation(RegisterRow, db.Model):
    """A renovation permit (装修许可) from the renovation register (装修台账)."""

    __tablename__ = "renovations"
    __table_args__ = (
        sa.CheckConstraint("status IN ('pending', 'active', 'suspended', 'completed', "
                           "'cancelled')", name="status"),
        sa.CheckConstraint("permit_end >= permit_start", name="permit_dates"),
    )

    property_id: Mapped[int] = mapped_column(sa.ForeignKey("properties.id", ondelete="CASCADE"),
                                             index=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id", ondelete="CASCADE"), index=True)
    permit_no: Mapped[str | None] = mapped_column(sa.String(40))
    contractor_name: Mapped[str] = mapped_column(sa.String(100))
    contractor_phone: Mapped[str | None] = mapped_column(sa.String(32))
    permit_start: Mapped[date]
    permit_end: Mapped[date]
    status: Mapped[str] = mapped_column(sa.String(20), default=RenovationStatus.PENDING,
                                        index=True)
    note: Mapped[str | None] = mapped_column(sa.Text)
    # When works were under way (status active), so a past month's daily patrols are counted
    # against the renovations active then: first set active, and last left active (None while
    # still active). A suspension later lifted keeps the first start, so its days still count.
    active_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    active_until: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)

    unit = relationship(Unit, lazy="joined")

    def track_status(self, previous: str | None):
        """Keep the active period in step with a status change from ``previous``."""
        if self.status == previous:
            return
        if self.status == RenovationStatus.ACTIVE:
            if self.active_since is None:
                self.active_since = utcnow()
            self.active_until = None
        elif previous == RenovationStatus.ACTIVE:
            self.active_until = utcnow()

    def active_during(self, start: datetime, end: datetime) -> bool:
        """Were works under way at some time between ``start`` and ``end``?"""
        if self.permit_start >= end.date():
            return False
        if self.active_since is not None and self.active_since >= end:
            return False
        if self.status == RenovationStatus.ACTIVE:
            return True
        return self.active_until is not None and self.active_until > start


class KeyStatus(StrEnum):
    IN_CUSTODY = "in_custody"  # in the key cabinet
    LENT = "lent"              # borrowed against a signed borrowing record
    MISSING = "missing"        # reported missing, pending approval and follow-up
    RETURNED = "returned"      # handed back to the owner: no longer in custody


class Key(RegisterRow, db.Model):
    """A key held by the service centre (钥匙台账). Every key not returned is audited."""

    __tablename__ = "keys"
    __table_args__ = (
        sa.UniqueConstraint("property_id", "tag_no", name="uq_keys_tag"),
        sa.CheckConstraint("status IN ('in_custody', 'lent', 'missing', 'returned')",
                           name="status"),
    )

    property_id: Mapped[int] = mapped_column(sa.ForeignKey("properties.id", ondelete="CASCADE"),
                                             index=True)
    tag_no: Mapped[str] = mapped_column(sa.String(40))          # the number on the key tag
    unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("units.id", ondelete="SET NULL"))
    description: Mapped[str] = mapped_column(sa.String(200))    # e.g. 入户门钥匙 ×2
    holder: Mapped[str | None] = mapped_column(sa.String(100))  # who has it when lent
    status: Mapped[str] = mapped_column(sa.String(20), default=KeyStatus.IN_CUSTODY, index=True)
    note: Mapped[str | None] = mapped_column(sa.Text)

    unit = relationship(Unit, lazy="joined")

    AUDITED_STATUSES = (KeyStatus.IN_CUSTODY, KeyStatus.LENT, KeyStatus.MISSING)
