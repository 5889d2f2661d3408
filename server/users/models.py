from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.core.db import UTCDateTime, db, utcnow


class Role(StrEnum):
    """What a person does in the customer-service department; what each may do is in
    `server/users/permissions.py`."""

    PATROL = "patrol"          # 客服员 / 巡查员 / key keeper / night duty
    SUPERVISOR = "supervisor"  # 客服主管
    MANAGER = "manager"        # 项目经理: sees every property
    ADMIN = "admin"            # manages users, properties, registers, checklist versions


# Whose work the frequency rules are: the field staff and their supervisors (managers and
# admins oversee; nothing is on their due list).
ROSTER_ROLES = (Role.PATROL, Role.SUPERVISOR)
# The department's staff a supervisor talks with one by one (员工沟通).
STAFF_ROLES = (Role.PATROL,)


class User(db.Model):
    __tablename__ = "users"
    __table_args__ = (
        sa.CheckConstraint("role IN ('patrol', 'supervisor', 'manager', 'admin')", name="role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(64), unique=True)
    display_name: Mapped[str] = mapped_column(sa.String(100))
    role: Mapped[str] = mapped_column(sa.String(20))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    phone: Mapped[str | None] = mapped_column(sa.String(32))
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    memberships = relationship("PropertyMember", back_populates="user",
                               cascade="all, delete-orphan", lazy="selectin")

    @property
    def role_enum(self) -> Role:
        return Role(self.role)

    def __repr__(self):
        return f"<User {self.id} {self.username} {self.role}>"


class PropertyMember(db.Model):
    """Which users serve which property. Patrol staff and supervisors see only these."""

    __tablename__ = "property_members"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    property_id: Mapped[int] = mapped_column(sa.ForeignKey("properties.id", ondelete="CASCADE"),
                                             primary_key=True, index=True)
    # 钥匙专人管理 (seed 000 钥匙管理 1): the keeper's daily audit is its own frequency rule.
    is_key_keeper: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user = relationship("User", back_populates="memberships")
    property = relationship("Property", lazy="joined")


class ApiToken(db.Model):
    """A bearer token. Only its SHA-256 is stored, so a database leak leaks no usable token."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    device: Mapped[str | None] = mapped_column(sa.String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user = relationship(User, lazy="joined")


class LoginAttempt(db.Model):
    """Every login attempt, kept in the database so the rate limit holds across processes."""

    __tablename__ = "login_attempts"
    __table_args__ = (
        sa.Index("ix_login_attempts_username_at", "username", "attempted_at"),
        sa.Index("ix_login_attempts_address_at", "remote_addr", "attempted_at"),
        # Old attempts are deleted at each new one (operations.record_login_attempt); this index
        # makes finding them cheap when there are none.
        sa.Index("ix_login_attempts_at", "attempted_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(64))
    remote_addr: Mapped[str] = mapped_column(sa.String(64))
    succeeded: Mapped[bool]
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
