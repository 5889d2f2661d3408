"""The department's work-order loop: complaints and repairs entered by hand, follow-up texts
that name the problem, the 3-day contact rule from the finding, callbacks with satisfaction by
someone else, escalations to the project manager, missing-key approval, monthly sampling and
the counts each person sees at sync."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from server.core.db import db, today_in
from server.followups.models import Escalation, FollowUp, SampleCheck
from tests.sync.conftest import CST, jpeg_bytes, reseal, sha, upload
from tests.sync.test_records import _key_audit
from tests.workspace.test_followups import step


@pytest.fixture
def desk(site, make_user, auth_headers):
    """Besides the site's patrol and supervisor: a front-desk colleague and the manager."""
    front = make_user("patrol", properties=[site["property"]], username="front1",
                      display_name="王前台")
    manager = make_user("manager", username="pm1", display_name="赵经理")
    return {**site, "front": front, "front_headers": auth_headers(front), "manager": manager,
            "manager_headers": auth_headers(manager)}


def order(client, headers, site, order_id=None, **overrides):
    order_id = order_id or str(uuid.uuid4())
    body = {"property_id": site["property"].id, "kind": "complaint", "category": "noise",
            "channel": "phone", "description": "楼上夜间装修噪音", "caller_name": "陈女士",
            "caller_phone": "13800000000", "unit_id": site["units"][1].id,
            "reported_at": datetime.now(CST).isoformat(timespec="seconds"), **overrides}
    return order_id, client.put(f"/api/followups/work-orders/{order_id}", json=body,
                                headers=headers)


def fix(client, headers, follow_up_id, seed):
    photo = jpeg_bytes(seed=seed)
    upload(client, headers, photo)
    return step(client, headers, follow_up_id, "fix", note="已处理",
                photos=[{"sha256": sha(photo), "captured_at": datetime.now(CST).isoformat()}])


def found_days_ago(follow_up_id, days):
    db.session.execute(sa.update(FollowUp).where(FollowUp.id == uuid.UUID(follow_up_id)).values(
        found_at=datetime.now(UTC) - timedelta(days=days)))
    db.session.commit()


# --- work orders entered by hand -------------------------------------------------------------

def test_a_complaint_entered_twice_is_one_work_order_and_another_under_its_id_is_refused(
        client, desk, count_rows):
    order_id, first = order(client, desk["front_headers"], desk)
    _, again = order(client, desk["front_headers"], desk, order_id=order_id)
    assert first.status_code == again.status_code == 200
    assert count_rows(FollowUp) == 1
    created = first.get_json()
    assert created["source"] == "complaint" and created["category"] == "noise"
    assert created["subject_label"] == desk["units"][1].label
    assert created["assignee"]["id"] == desk["front"].id  # the reporter's until assigned
    assert created["callback_required"] is True
    _, other = order(client, desk["front_headers"], desk, order_id=order_id,
                     description="另一件事")
    assert other.status_code == 409


def test_bad_work_orders_are_refused_in_the_callers_language_and_change_nothing(
        client, desk, count_rows, auth_headers):
    cases = [({"kind": "repair", "category": "noise"}, "workorder.bad_category"),
             ({"unit_id": None, "location": ""}, "workorder.place_required"),
             ({"reported_at": (datetime.now(CST) + timedelta(hours=3)).isoformat()},
              "workorder.reported_in_future")]
    for overrides, code in cases:
        _, response = order(client, desk["front_headers"], desk, **overrides)
        assert response.status_code == 422 and response.get_json()["error"]["code"] == code
    _, english = order(client, {**desk["front_headers"], "Accept-Language": "en"}, desk,
                       kind="repair", category="noise")
    assert "does not belong" in english.get_json()["error"]["message"]
    # Patrol staff cannot hand a work order to someone else; the outsider cannot enter one here.
    _, assigned = order(client, desk["front_headers"], desk, assignee_id=desk["patrol"].id)
    assert assigned.status_code == 403
    _, outsider = order(client, desk["outsider_headers"], desk)
    assert outsider.status_code == 403
    assert count_rows(FollowUp) == 0


def test_a_public_area_repair_without_a_caller_needs_no_callback(client, desk):
    _, response = order(client, desk["headers"], desk, kind="repair", category="public_area",
                        unit_id=None, location="3栋电梯厅", caller_name=None, caller_phone=None,
                        channel="patrol", description="电梯厅顶灯不亮")
    repair = response.get_json()
    assert repair["callback_required"] is False and repair["subject_label"] == "3栋电梯厅"
    fix(client, desk["headers"], repair["id"], seed=70)
    refused = step(client, desk["supervisor_headers"], repair["id"], "callback",
                   satisfaction="satisfied")
    assert refused.status_code == 422 and refused.get_json()["error"]["code"] == "followup.no_owner"
    closed = step(client, desk["supervisor_headers"], repair["id"], "verify")
    assert closed.get_json()["status"] == "verified"


# --- texts that name the problem ---------------------------------------------------------------

def test_a_missing_key_is_named_by_its_tag_and_household_in_both_languages(client, desk):
    keys = desk["keys"]
    rows = {str(key.id): {"value": "present"} for key in keys}
    rows[str(keys[1].id)] = {"value": "missing", "comment": "柜内无此钥匙",
                             "photos": [{"sha256": "cd" * 32,
                                         "captured_at": datetime.now(CST).isoformat()}]}
    record_id, body = _key_audit(desk, rows)
    assert client.put(f"/api/inspections/{record_id}", json=body,
                      headers=desk["headers"]).status_code == 200
    zh = client.get("/api/followups", headers=desk["supervisor_headers"]).get_json()["items"][0]
    unit = desk["units"][1]
    assert zh["description"] == f"K001 入户门钥匙 · 缺失 · {unit.label} · 柜内无此钥匙"
    assert f"（{keys[1].id}）" not in zh["description"]
    en = client.get("/api/followups", headers={**desk["supervisor_headers"],
                                              "Accept-Language": "en"}).get_json()["items"][0]
    building = f"{unit.building}-{unit.entrance}" if unit.entrance else unit.building
    assert en["description"] == (f"K001 入户门钥匙 · Missing · Building {building}, "
                                 f"room {unit.room} · 柜内无此钥匙")
    assert zh["approval_required"] is True and zh["callback_required"] is False


def home_visit(site, *, rectify=None, satisfaction="satisfied", escalate="no", unit=0):
    record_id = str(uuid.uuid4())
    done = datetime.now(CST) - timedelta(minutes=5)
    answers = {"visit_outcome": {"value": "visited"}, "visit_standard_followed": {"value": "pass"},
               "rectification_needed": {"value": "yes" if rectify else "no"},
               "satisfaction": {"value": satisfaction, **(
                   {"comment": "对维修进度不满"} if satisfaction == "dissatisfied" else {})},
               "escalate_to_pm": {"value": escalate},
               "owner_signature": {"signature": {"sha256": "ee" * 32, "signer_name": "陈女士",
                                                 "signed_at": done.isoformat()}},
               "inspector_signature": {"signature": {"sha256": "ef" * 32,
                                                     "signer_name": "李巡查",
                                                     "signed_at": done.isoformat()}}}
    if rectify:
        answers["rectification_description"] = {"value": rectify}
    body = {"property_id": site["property"].id, "checklist": {"code": "home_visit", "version": 2},
            "subject": {"type": "unit", "id": site["units"][unit].id}, "answers": answers,
            "started_at": (done - timedelta(minutes=20)).isoformat(timespec="seconds"),
            "completed_at": done.isoformat(timespec="seconds")}
    return record_id, reseal(record_id, body)


def test_a_home_visit_names_what_to_rectify_and_raises_the_owners_dissatisfaction(client, desk):
    record_id, body = home_visit(desk, rectify="厨房下水管渗漏", satisfaction="dissatisfied")
    response = client.put(f"/api/inspections/{record_id}", json=body, headers=desk["headers"])
    assert response.status_code == 200, response.get_json()
    items = client.get("/api/followups", headers=desk["supervisor_headers"]).get_json()["items"]
    texts = sorted(f["description"] for f in items)
    assert texts == ["厨房下水管渗漏", "客户满意度 · 不满意 · 对维修进度不满"]
    assert all("是否" not in text for text in texts)
    assert all(f["callback_required"] for f in items)
    # The clock starts at the visit, by the visitor's phone, not at the server's receipt.
    assert {f["found_at"][:16] for f in items} == {
        datetime.fromisoformat(body["completed_at"]).astimezone(UTC).isoformat()[:16]}


# --- the 3-day contact rule ----------------------------------------------------------------------

def test_three_days_after_the_finding_a_contact_record_is_required_to_close(client, desk):
    _, response = order(client, desk["front_headers"], desk)
    order_id = response.get_json()["id"]
    fix(client, desk["front_headers"], order_id, seed=71)
    step(client, desk["supervisor_headers"], order_id, "callback", satisfaction="satisfied")
    found_days_ago(order_id, 4)
    shown = client.get(f"/api/followups/{order_id}", headers=desk["supervisor_headers"]).get_json()
    assert shown["needs_contact"] is True
    refused = step(client, desk["supervisor_headers"], order_id, "verify")
    assert refused.status_code == 422
    assert refused.get_json()["error"]["code"] == "followup.contact_required"
    assert "3天" in refused.get_json()["error"]["message"]
    no_method = step(client, desk["front_headers"], order_id, "contact", note="约定周三上门")
    assert no_method.get_json()["error"]["code"] == "followup.contact_method_required"
    contact = step(client, desk["front_headers"], order_id, "contact", contact_method="phone",
                   contact_with="陈女士", note="约定周三上门", at=datetime.now(CST).isoformat())
    assert contact.get_json()["events"][-1]["contact_with"] == "陈女士"
    assert contact.get_json()["needs_contact"] is False
    assert step(client, desk["supervisor_headers"], order_id,
                "verify").get_json()["status"] == "verified"


def test_a_finding_two_days_old_closes_without_a_contact_record(client, desk):
    _, response = order(client, desk["front_headers"], desk)
    order_id = response.get_json()["id"]
    found_days_ago(order_id, 2)
    fix(client, desk["front_headers"], order_id, seed=72)
    step(client, desk["supervisor_headers"], order_id, "callback", satisfaction="basically_satisfied")
    assert step(client, desk["supervisor_headers"], order_id,
                "verify").get_json()["status"] == "verified"


def test_the_overdue_list_shows_how_late_each_is(client, desk):
    _, response = order(client, desk["front_headers"], desk)
    order_id = response.get_json()["id"]
    db.session.execute(sa.update(FollowUp).values(due_date=today_in() - timedelta(days=5)))
    db.session.commit()
    listed = client.get("/api/followups?overdue=true",
                        headers=desk["supervisor_headers"]).get_json()["items"]
    assert [(f["id"], f["days_late"]) for f in listed] == [(order_id, 5)]


def test_late_counts_from_today_at_the_propertys_own_time_zone(client, desk):
    """A due date is a day of the property: at a property whose calendar is a day ahead of (or
    behind) Shanghai's, "late" follows that property's today, in the list, the flag and the
    counts, not the server's default zone."""
    zone = next(z for z in ("Pacific/Kiritimati", "Pacific/Pago_Pago") if today_in(z) != today_in())
    desk["property"].timezone = zone
    _, response = order(client, desk["front_headers"], desk)
    order_id = response.get_json()["id"]
    due = min(today_in(zone), today_in())  # due "today" on the earlier calendar
    db.session.execute(sa.update(FollowUp).values(due_date=due))
    db.session.commit()
    late = today_in(zone) > due
    shown = client.get(f"/api/followups/{order_id}", headers=desk["supervisor_headers"]).get_json()
    assert (shown["overdue"], shown["days_late"]) == (late, 1 if late else 0)
    listed = client.get("/api/followups?overdue=true", headers=desk["supervisor_headers"]).get_json()
    assert [f["id"] for f in listed["items"]] == ([order_id] if late else [])


# --- callbacks -------------------------------------------------------------------------------

def test_the_fixer_cannot_call_back_and_dissatisfied_reopens(client, desk):
    _, response = order(client, desk["front_headers"], desk)
    order_id = response.get_json()["id"]
    fix(client, desk["front_headers"], order_id, seed=73)
    by_fixer = step(client, desk["front_headers"], order_id, "callback", satisfaction="satisfied")
    assert by_fixer.status_code == 422
    assert by_fixer.get_json()["error"]["code"] == "followup.callback_by_fixer"
    no_answer = step(client, desk["headers"], order_id, "callback", note="已回访")
    assert no_answer.get_json()["error"]["code"] == "followup.satisfaction_required"
    unhappy = step(client, desk["headers"], order_id, "callback", satisfaction="dissatisfied",
                   note="噪音仍在")
    assert unhappy.get_json()["status"] == "open"
    assert unhappy.get_json()["events"][-1]["satisfaction"] == "dissatisfied"
    # A dissatisfied callback does not let it close after the next fix either.
    fix(client, desk["front_headers"], order_id, seed=74)
    refused = step(client, desk["supervisor_headers"], order_id, "verify")
    assert refused.get_json()["error"]["code"] == "followup.callback_required"
    step(client, desk["headers"], order_id, "callback", satisfaction="satisfied")
    assert step(client, desk["supervisor_headers"], order_id,
                "verify").get_json()["status"] == "verified"


def test_a_refused_step_names_the_status_in_words(client, desk):
    _, response = order(client, desk["front_headers"], desk)
    order_id = response.get_json()["id"]
    zh = step(client, desk["supervisor_headers"], order_id, "verify").get_json()["error"]
    assert zh["message"] == "当前状态（待整改）不允许此操作。"
    en = step(client, {**desk["supervisor_headers"], "Accept-Language": "en"}, order_id,
              "verify").get_json()["error"]
    assert "open" in en["message"] and "(open)" not in en["message"]


def test_callback_and_satisfaction_rates_per_month_and_property(client, desk):
    for seed, answers in ((75, ["satisfied"]), (76, ["dissatisfied", "basically_satisfied"])):
        _, response = order(client, desk["front_headers"], desk)
        order_id = response.get_json()["id"]
        for n, answer in enumerate(answers):
            fix(client, desk["front_headers"], order_id, seed=seed * 10 + n)
            step(client, desk["headers"], order_id, "callback", satisfaction=answer, note="回访")
        step(client, desk["supervisor_headers"], order_id, "verify")
    month = datetime.now(CST).strftime("%Y-%m")
    figures = client.get(f"/api/followups/callback-figures?property_id={desk['property'].id}"
                         f"&month={month}", headers=desk["supervisor_headers"]).get_json()
    assert figures["closed_needing_callback"] == figures["called_back"] == 2
    assert figures["callback_rate"] == 1.0
    assert (figures["satisfied"], figures["basically_satisfied"], figures["dissatisfied"]) == (1, 1, 1)
    assert figures["satisfaction_rate"] == round(2 / 3, 4)
    assert client.get(f"/api/followups/callback-figures?property_id={desk['property'].id}",
                      headers=desk["headers"]).status_code == 403


# --- escalation ------------------------------------------------------------------------------

def test_group_risk_and_told_pm_reach_the_managers_queue_once(client, desk, count_rows):
    order_id, response = order(client, desk["front_headers"], desk, group_risk=True,
                               description="多户业主反映地库渗水")
    order(client, desk["front_headers"], desk, order_id=order_id, group_risk=True,
          description="多户业主反映地库渗水")
    record_id, body = home_visit(desk, rectify="单元门禁损坏", escalate="yes", unit=2)
    for _ in range(2):
        client.put(f"/api/inspections/{record_id}", json=body, headers=desk["headers"])
    assert count_rows(Escalation) == 2
    queue = client.get("/api/followups/escalations?open=true",
                       headers=desk["manager_headers"]).get_json()["items"]
    reasons = {e["reason"]: e for e in queue}
    assert set(reasons) == {"group_risk", "told_pm"}
    assert "多户业主反映地库渗水" in reasons["group_risk"]["summary"]
    assert "单元门禁损坏" in reasons["told_pm"]["summary"]
    notices = client.get("/api/followups/notices", headers=desk["manager_headers"]).get_json()
    assert notices["escalated"] == 2
    # Only the manager acknowledges; a comment is required; acknowledging twice is refused.
    entry = reasons["group_risk"]["id"]
    url = f"/api/followups/escalations/{entry}/acknowledge"
    assert client.post(url, json={"comment": "x"}, headers=desk["supervisor_headers"]).status_code == 403
    assert client.post(url, json={"comment": ""}, headers=desk["manager_headers"]).status_code == 422
    done = client.post(url, json={"comment": "已安排工程部明日排查"}, headers=desk["manager_headers"])
    assert done.status_code == 200 and done.get_json()["acknowledged_by"]["id"] == desk["manager"].id
    assert client.post(url, json={"comment": "再次"}, headers=desk["manager_headers"]).status_code == 409
    assert client.get("/api/followups/notices",
                      headers=desk["manager_headers"]).get_json()["escalated"] == 1


def test_a_work_order_overdue_beyond_the_threshold_is_escalated(client, desk, app):
    _, response = order(client, desk["front_headers"], desk)
    order_id = response.get_json()["id"]
    limit = app.config["FOLLOWUP_ESCALATE_AFTER_DAYS"]
    db.session.execute(sa.update(FollowUp).values(due_date=today_in() - timedelta(days=limit)))
    db.session.commit()
    queue = client.get("/api/followups/escalations", headers=desk["manager_headers"]).get_json()
    assert queue["total"] == 0, queue  # exactly at the threshold: not yet
    db.session.execute(sa.update(FollowUp).values(
        due_date=today_in() - timedelta(days=limit + 1)))
    db.session.commit()
    for _ in range(2):
        queue = client.get("/api/followups/escalations", headers=desk["manager_headers"]).get_json()
    assert [(e["reason"], e["follow_up_id"]) for e in queue["items"]] == [("overdue", order_id)]


# --- missing key approval ------------------------------------------------------------------------

def test_a_missing_key_closes_only_after_the_managers_approval_naming_who_is_responsible(
        client, desk):
    keys = desk["keys"]
    rows = {str(key.id): {"value": "present"} for key in keys}
    rows[str(keys[0].id)] = {"value": "missing", "photos": [
        {"sha256": "cd" * 32, "captured_at": datetime.now(CST).isoformat()}]}
    record_id, body = _key_audit(desk, rows)
    client.put(f"/api/inspections/{record_id}", json=body, headers=desk["headers"])
    follow_up_id = client.get("/api/followups", headers=desk["headers"]).get_json()["items"][0]["id"]
    fix(client, desk["headers"], follow_up_id, seed=77)
    refused = step(client, desk["supervisor_headers"], follow_up_id, "verify")
    assert refused.get_json()["error"]["code"] == "followup.approval_required"
    assert step(client, desk["supervisor_headers"], follow_up_id, "approve",
                responsible="张三").status_code == 403
    nameless = step(client, desk["manager_headers"], follow_up_id, "approve")
    assert nameless.get_json()["error"]["code"] == "followup.responsible_required"
    approved = step(client, desk["manager_headers"], follow_up_id, "approve",
                    responsible="张三（夜班）", note="按规定赔偿配钥匙费用")
    assert approved.get_json()["responsible_person"] == "张三（夜班）"
    assert step(client, desk["manager_headers"], follow_up_id, "approve",
                responsible="李四").status_code == 409
    assert step(client, desk["supervisor_headers"], follow_up_id,
                "verify").get_json()["status"] == "verified"


# --- monthly sampling ------------------------------------------------------------------------

def test_a_fifth_of_the_months_closed_repairs_is_drawn_once_and_checks_are_counted(
        client, desk, count_rows):
    closed = []
    for n in range(7):
        _, response = order(client, desk["front_headers"], desk, kind="repair",
                            category="unit_plumbing", description=f"卫生间漏水 {n}")
        order_id = response.get_json()["id"]
        fix(client, desk["front_headers"], order_id, seed=80 + n)
        step(client, desk["headers"], order_id, "callback", satisfaction="satisfied")
        step(client, desk["supervisor_headers"], order_id, "verify")
        closed.append(order_id)
    order(client, desk["front_headers"], desk, kind="repair", category="unit_plumbing",
          description="还没修好")  # open: not in the population
    month = datetime.now(CST).strftime("%Y-%m")
    body = {"property_id": desk["property"].id, "month": month}
    draw = client.post("/api/followups/samples", json=body, headers=desk["supervisor_headers"])
    assert draw.status_code == 200
    drawn = draw.get_json()
    assert drawn["population"] == 7 and drawn["share_percent"] == 20
    assert len(drawn["checks"]) == 2  # 20% of 7, rounded up
    assert {c["follow_up_id"] for c in drawn["checks"]} <= set(closed)
    again = client.post("/api/followups/samples", json=body, headers=desk["supervisor_headers"])
    assert [c["follow_up_id"] for c in again.get_json()["checks"]] == [
        c["follow_up_id"] for c in drawn["checks"]]
    assert count_rows(SampleCheck) == 2
    first = drawn["checks"][0]["follow_up_id"]
    checked = client.put(f"/api/followups/samples/{drawn['id']}/checks/{first}",
                         json={"result": "confirmed", "note": "业主确认已修好"},
                         headers=desk["supervisor_headers"]).get_json()
    assert checked["counts"] == {"sampled": 2, "checked": 1, "confirmed": 1, "problem": 0}
    kept = client.get(f"/api/followups/samples?property_id={desk['property'].id}&month={month}",
                      headers=desk["supervisor_headers"]).get_json()
    assert kept["counts"]["checked"] == 1
    future = client.post("/api/followups/samples", json={**body, "month": "2099-01"},
                         headers=desk["supervisor_headers"])
    assert future.get_json()["error"]["code"] == "sample.month_not_started"
    assert client.post("/api/followups/samples", json=body,
                       headers=desk["headers"]).status_code == 403


# --- notices -----------------------------------------------------------------------------------

def test_each_sync_brings_the_counts_of_what_waits_for_me(client, desk):
    order(client, desk["front_headers"], desk)
    _, late = order(client, desk["front_headers"], desk, description="门禁卡失效")
    db.session.execute(sa.update(FollowUp).where(FollowUp.id == uuid.UUID(late.get_json()["id"]))
                       .values(due_date=today_in() - timedelta(days=1)))
    db.session.commit()
    pulled = client.get("/api/sync/pull", headers=desk["front_headers"]).get_json()
    assert pulled["notices"] == {"assigned": 2, "overdue": 1, "returned": 0, "escalated": 0}
    assert client.get("/api/sync/pull",
                      headers=desk["headers"]).get_json()["notices"]["assigned"] == 0


def test_the_phone_offers_exactly_the_servers_categories_and_channels_with_words_for_each():
    """The phone's entry screen lists categories itself (it works offline): it must offer what
    the server accepts, and each has words in both languages."""
    import json
    import re

    from server.config import REPO_ROOT
    from server.core.i18n import catalog
    from server.followups.categories import CATEGORIES, CHANNELS
    source = (REPO_ROOT / "pwa" / "src" / "field" / "work-order.js").read_text(encoding="utf-8")
    block = re.search(r"export const CATEGORIES = (\{.*?\});", source, re.S).group(1)
    phone = json.loads(re.sub(r"(\w+):", r'"\1":', block.replace("'", '"')).replace(",\n}", "\n}"))
    assert phone == {kind: list(codes) for kind, codes in CATEGORIES.items()}
    channels = re.search(r"export const CHANNELS = (\[.*?\]);", source).group(1)
    assert json.loads(channels.replace("'", '"')) == list(CHANNELS)
    for language in ("zh-CN", "en"):
        words = catalog(language)
        for codes in CATEGORIES.values():
            for code in codes:
                assert words[f"category.{code}"] and words[f"pwa.wo_cat_{code}"]
        for code in CHANNELS:
            assert words[f"channel.{code}"] and words[f"pwa.wo_channel_{code}"]
