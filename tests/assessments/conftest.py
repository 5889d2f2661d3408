"""A property with one key keeper, their supervisor and a month of their work, built by hand.

Only the key-audit checklist is published, so the keeper's duties are one rule (keeper_daily:
one audit each day) and the expected figures can be counted on one's fingers.
"""

import uuid
from datetime import date, datetime, timedelta, timezone

import pytest

from server.checklists.operations import load_checklists
from server.core.db import db
from server.followups.models import FollowUp, FollowUpEvent
from server.reviews.models import ReviewEvent
from tests.test_checklists import REPO_CHECKLISTS
from tests.workspace.conftest import insert_inspection  # noqa: F401, F811  (shared fixture)

CST = timezone(timedelta(hours=8))


@pytest.fixture
def team(app_ctx, make_property, make_user, auth_headers):
    load_checklists(REPO_CHECKLISTS / "key_audit.v1.yaml")
    prop = make_property(code="estate", name="滨河湾", name_en="Binhe Bay", timezone="Asia/Shanghai")
    other = make_property(code="elsewhere", name="广场家园")
    keeper = make_user("patrol", properties=[prop], keeper_at=[prop], username="lina",
                       display_name="李娜")
    colleague = make_user("patrol", properties=[prop], username="zhangmin", display_name="张敏")
    supervisor = make_user("supervisor", properties=[prop], username="wang", display_name="王主管")
    outsider_supervisor = make_user("supervisor", properties=[other], username="zhao",
                                    display_name="赵主管")
    manager = make_user("manager", username="chen", display_name="陈经理")
    people = {"keeper": keeper, "colleague": colleague, "supervisor": supervisor,
              "outsider_supervisor": outsider_supervisor, "manager": manager}
    return {"property": prop, "other": other, **people,
            "headers": {name: auth_headers(user) for name, user in people.items()},
            "headers_en": {name: auth_headers(user, "en") for name, user in people.items()}}


@pytest.fixture
def build_month(team, insert_inspection):  # noqa: F811
    """build_month(year, month, audit_days, returned_days) → the keeper's key audits on
    ``audit_days`` (18:00 China time), those on ``returned_days`` sent back once by the
    supervisor and sent again."""

    def build(year: int, month: int, audit_days, returned_days=()):
        prop, keeper = team["property"], team["keeper"]
        for day in audit_days:
            record = insert_inspection(prop, "key_audit", "key_register", prop.id,
                                       datetime(year, month, day, 18, tzinfo=CST), keeper)
            if day in returned_days:
                db.session.add(ReviewEvent(inspection_id=record.id, revision=1, action="return",
                                           actor_id=team["supervisor"].id, comment="台账未签字"))
                record.revision = 2
        db.session.commit()
    return build


@pytest.fixture
def make_follow_up(team):
    """make_follow_up(due_date, fixed_at=None): assigned to the keeper."""

    def make(due: date, fixed_at: datetime | None = None):
        follow_up = FollowUp(id=uuid.uuid4(), property_id=team["property"].id,
                             description="钥匙标签脱落", assignee_id=team["keeper"].id,
                             due_date=due, created_by_id=team["supervisor"].id)
        db.session.add(follow_up)
        if fixed_at is not None:
            db.session.add(FollowUpEvent(id=uuid.uuid4(), follow_up=follow_up, action="fix",
                                         actor_id=team["keeper"].id, created_at=fixed_at))
            follow_up.status = "fixed"
        db.session.commit()
        return follow_up
    return make
