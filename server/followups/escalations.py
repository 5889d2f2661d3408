"""The project manager's escalation queue (seed: 存在风险第一时间告知项目经理; 超出权限范围或
需要公司解决…第一时间告知项目经理; 处理不及时要和项目经理沟通).

Three causes land here: an answer a checklist marks for the manager ("告知项目经理"), a complaint
marked 群诉风险, and a follow-up still open FOLLOWUP_ESCALATE_AFTER_DAYS after its due date.
The manager acknowledges each with a comment. An entry's id is derived from its cause, so the
same cause never lands twice, however often a record is resent or the queue is looked at.
"""

import uuid
from datetime import date

import sqlalchemy as sa
from flask import current_app

from server.core.db import db, utcnow
from server.core.errors import Problem
from server.users.models import User

from .due import past_due
from .models import Escalation, EscalationReason, FollowUp, FollowUpStatus

_NAMESPACE = uuid.UUID("0b8f3c52-7e1d-4a96-b2c4-5d9e8f1a3c70")


def escalation_id(cause, reason: str, detail: str = "") -> uuid.UUID:
    return uuid.uuid5(_NAMESPACE, f"{cause}/{reason}/{detail}")


def escalate(*, property_id: int, reason: str, summary: dict, cause, detail: str = "",
             follow_up: FollowUp | None = None, inspection_id=None,
             subject_label: str = "") -> Escalation:
    """Put one cause in the queue, once."""
    entry_id = escalation_id(cause, reason, detail)
    existing = db.session.get(Escalation, entry_id)
    if existing is not None:
        return existing
    entry = Escalation(id=entry_id, property_id=property_id, reason=reason,
                       follow_up_id=follow_up.id if follow_up else None,
                       inspection_id=inspection_id, subject_label=subject_label[:100],
                       summary=summary["zh-CN"], summary_en=summary.get("en"))
    db.session.add(entry)
    return entry


def escalate_overdue(property_ids: list[int] | None, today: date | None = None) -> int:
    """Queue every follow-up overdue beyond the threshold that is not queued yet. Run when the
    queue or the notices are read, and by `flask followups escalate` (daily, from cron)."""
    late = past_due(today, grace_days=current_app.config["FOLLOWUP_ESCALATE_AFTER_DAYS"])
    statement = (sa.select(FollowUp)
                 .where(FollowUp.status != FollowUpStatus.VERIFIED, late)
                 .where(~sa.exists().where(Escalation.follow_up_id == FollowUp.id,
                                           Escalation.reason == EscalationReason.OVERDUE)))
    if property_ids is not None:
        statement = statement.where(FollowUp.property_id.in_(property_ids))
    added = 0
    for follow_up in db.session.scalars(statement):
        escalate(property_id=follow_up.property_id, reason=EscalationReason.OVERDUE,
                 summary={"zh-CN": follow_up.description,
                          "en": follow_up.description_en or follow_up.description},
                 cause=follow_up.id, follow_up=follow_up, inspection_id=follow_up.inspection_id,
                 subject_label=follow_up.subject_label)
        added += 1
    db.session.flush()
    return added


def queue(property_ids: list[int] | None, *, open_only: bool):
    statement = sa.select(Escalation)
    if property_ids is not None:
        statement = statement.where(Escalation.property_id.in_(property_ids))
    if open_only:
        statement = statement.where(Escalation.acknowledged_at.is_(None))
    return statement.order_by(Escalation.acknowledged_at.is_not(None), Escalation.raised_at.desc())


def acknowledge(user: User, entry: Escalation, comment: str) -> Escalation:
    if entry.acknowledged_at is not None:
        raise Problem("escalation.already_acknowledged")
    entry.acknowledged_at = utcnow()
    entry.acknowledged_by = user
    entry.comment = comment.strip()
    db.session.flush()
    return entry
