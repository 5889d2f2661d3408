"""The assessment's life through the API: the supervisor drafts and submits, the staff member
acknowledges, it is sealed and never changes; bad input is refused at its field, in the
caller's language, and changes nothing.

October 2026 (over, whatever day the tests run): the keeper audited every day but the 7th
(30 of 31) and one audit was sent back (1 of 30); no follow-up fell due.
"""

import hashlib
from datetime import date

import pytest
import rfc8785

from server import create_app
from server.assessments.form import form_items
from server.assessments.models import Assessment
from server.assessments.seal import seal_payload
from server.core.db import db

OCTOBER_DAYS = [day for day in range(1, 32) if day != 7]


@pytest.fixture
def october(team, build_month):
    build_month(2026, 10, OCTOBER_DAYS, returned_days=(2,))
    return team


def full_marks() -> dict:
    return {item_id: item["points"] for item_id, item in form_items().items()}


def open_draft(client, team, who="supervisor", staff="keeper", month="2026-10"):
    return client.post("/api/assessments", headers=team["headers"][who], json={
        "property_id": team["property"].id, "staff_id": team[staff].id, "month": month})


def items_of(body) -> dict:
    return {item["id"]: item for part in body["parts"] for item in part["items"]}


def test_draft_submit_acknowledge_then_sealed_for_good(client, october):
    team = october
    response = open_draft(client, team)
    assert response.status_code == 200, response.get_json()
    draft = response.get_json()
    assert (draft["status"], draft["month"], draft["staff"]["display_name"]) == (
        "draft", "2026-10", "李娜")
    items = items_of(draft)
    # 勤·工作出勤: 5 × 30/31 = 4.84 → 5; 绩·工作效果: 7.5 × 29/30 = 7.25 → 7.5
    assert items["attendance"]["suggestion"]["value"] == 5.0
    assert items["attendance"]["suggestion"]["explanation"] == "完成 30/31 项应做巡查"
    assert items["effect"]["suggestion"]["explanation"] == "退回 1/30 条记录"
    assert items["efficiency"]["suggestion"]["value"] is None
    assert items["efficiency"]["suggestion"]["explanation"] == "本月没有到期的整改，无建议分"
    assert [(p["label"], p["points"]) for p in draft["parts"]] == [
        ("德", 20), ("勤", 20), ("能", 30), ("绩", 30)]
    assert open_draft(client, team).get_json()["id"] == draft["id"]  # idempotent
    url = f"/api/assessments/{draft['id']}"

    # A score below the suggestion without a reason is refused, at that item, and nothing kept.
    scores = {**full_marks(), "attendance": 4, "skill": 6.5}
    response = client.patch(url, json={"scores": scores}, headers=team["headers"]["supervisor"])
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "assessment.reason_required"
    assert error["details"]["fields"] == {
        "reasons.attendance": ["得分与建议分 5 分不同，请填写理由。"]}
    assert client.get(url, headers=team["headers"]["supervisor"]).get_json()["total"] is None

    response = client.patch(url, headers=team["headers"]["supervisor"], json={
        "scores": scores, "reasons": {"attendance": "10月7日未做钥匙核对，也未安排替班"},
        "reward": 2, "reward_reason": "拾金不昧，业主来信表扬", "comment": "继续保持"})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    # 100 − 1 (attendance) − 1 (skill) + 2 reward
    assert body["total"] == 100.0
    assert [p["total"] for p in body["parts"]] == [20, 19, 29, 30]

    response = client.post(f"{url}/submit", headers=team["headers"]["supervisor"])
    assert response.status_code == 200, response.get_json()
    assert (response.get_json()["status"], response.get_json()["suggestions_frozen"]) == (
        "submitted", True)

    mine = client.get("/api/assessments/mine", headers=team["headers"]["keeper"]).get_json()
    assert [a["id"] for a in mine["items"]] == [draft["id"]]
    shown = items_of(mine["items"][0])["attendance"]
    assert (shown["score"], shown["reason"], shown["suggestion"]["explanation"]) == (
        4, "10月7日未做钥匙核对，也未安排替班", "完成 30/31 项应做巡查")

    response = client.post(f"{url}/acknowledge", json={"remark": "同意，下月注意"},
                           headers=team["headers"]["keeper"])
    assert response.status_code == 200, response.get_json()
    sealed = response.get_json()
    assert sealed["status"] == "acknowledged"
    assert sealed["staff_remark"] == "同意，下月注意"
    assert sealed["verification"]["holds"] is True
    assert sealed["retention_until"] == "2028-10"

    # The printed code is SHA-256 over the RFC 8785 form of what was acknowledged.
    db.session.expire_all()
    row = db.session.get(Assessment, draft["id"])
    payload = seal_payload(row, 100.0)
    assert payload["scores"]["attendance"] == 4 and payload["staff_remark"] == "同意，下月注意"
    assert sealed["verification"]["code"] == hashlib.sha256(rfc8785.dumps(payload)).hexdigest()

    # Sealed: nothing changes it any more, whoever asks.
    for method, path, who, json in (
            ("patch", url, "supervisor", {"scores": {"attendance": 5}}),
            ("patch", url, "manager", {"comment": "改一下"}),
            ("post", f"{url}/submit", "supervisor", None),
            ("post", f"{url}/withdraw", "supervisor", None),
            ("post", f"{url}/acknowledge", "keeper", {"remark": "再改"})):
        response = getattr(client, method)(path, json=json, headers=team["headers"][who])
        assert response.status_code == 409, (path, response.get_json())
        assert response.get_json()["error"]["code"] == "assessment.sealed"
        assert response.get_json()["error"]["message"] == "考核表已由员工确认，不能再修改。"
    after = client.get(url, headers=team["headers"]["manager"]).get_json()
    assert (after["total"], after["comment"], after["staff_remark"], after["version"]) == (
        100.0, "继续保持", "同意，下月注意", sealed["version"])

    # A change behind the application's back shows: the code no longer matches.
    row.scores = {**row.scores, "attendance": 5}
    db.session.commit()
    tampered = client.get(url, headers=team["headers"]["supervisor"]).get_json()
    assert tampered["verification"]["holds"] is False
    assert tampered["verification"]["state"].startswith("校验不符")


def test_a_submitted_assessment_can_be_taken_back_before_it_is_acknowledged(client, october):
    team = october
    draft = open_draft(client, team).get_json()
    url = f"/api/assessments/{draft['id']}"
    client.patch(url, json={"scores": {**full_marks(), "attendance": 5.0}},
                 headers=team["headers"]["supervisor"])
    assert client.post(f"{url}/submit", headers=team["headers"]["supervisor"]).status_code == 200
    response = client.post(f"{url}/withdraw", headers=team["headers"]["supervisor"])
    assert (response.status_code, response.get_json()["status"]) == (200, "draft")
    assert response.get_json()["suggestions_frozen"] is False
    # Back to a draft, it is the supervisor's again: the staff member no longer sees it.
    assert client.get(url, headers=team["headers"]["keeper"]).status_code == 404
    response = client.post(f"{url}/acknowledge", json={}, headers=team["headers"]["keeper"])
    assert response.status_code == 404


BAD_INPUT = [
    ({"scores": {"attendance": 6}}, "assessment.score_out_of_range", "scores.attendance",
     "得分须在 0 到 5 分之间，以 0.5 分为单位。",
     "The score must be between 0 and 5 points, in steps of 0.5."),
    ({"scores": {"skill": 7.3}}, "assessment.score_out_of_range", "scores.skill",
     "得分须在 0 到 7.5 分之间，以 0.5 分为单位。",
     "The score must be between 0 and 7.5 points, in steps of 0.5."),
    ({"scores": {"morality": -1}}, "assessment.score_out_of_range", "scores.morality",
     "得分须在 0 到 5 分之间，以 0.5 分为单位。",
     "The score must be between 0 and 5 points, in steps of 0.5."),
    ({"scores": {"charm": 3}}, "assessment.unknown_item", "scores.charm",
     "考核表没有这一项。", "The assessment form has no such item."),
    ({"reward": 11, "reward_reason": "表扬"}, "assessment.reward_out_of_range", "reward",
     "奖励分须在 1 到 10 分之间。", "Reward points must be between 1 and 10."),
    ({"reward": 0, "reward_reason": "表扬"}, "assessment.reward_out_of_range", "reward",
     "奖励分须在 1 到 10 分之间。", "Reward points must be between 1 and 10."),
    ({"reward": 3}, "assessment.reward_reason_required", "reward_reason",
     "请填写奖励理由。", "Give the reason for the reward."),
    ({"penalty": 12, "penalty_reason": "迟到"}, "assessment.penalty_out_of_range", "penalty",
     "处罚扣分须在 1 到 10 分之间。", "Penalty points must be between 1 and 10."),
    ({"penalty": 2, "penalty_reason": "  "}, "assessment.penalty_reason_required",
     "penalty_reason", "请填写处罚理由。", "Give the reason for the penalty."),
]


@pytest.mark.parametrize("body, code, field, zh, en", BAD_INPUT,
                         ids=[case[1] + ":" + case[2] for case in BAD_INPUT])
def test_bad_input_is_refused_at_its_field_in_the_callers_language(
        client, october, body, code, field, zh, en):
    team = october
    draft = open_draft(client, team).get_json()
    url = f"/api/assessments/{draft['id']}"
    client.patch(url, json={"scores": {"morality": 4.5}, "reasons": {}},
                 headers=team["headers"]["supervisor"])
    before = client.get(url, headers=team["headers"]["supervisor"]).get_json()
    for headers, text in ((team["headers"]["supervisor"], zh),
                          (team["headers_en"]["supervisor"], en)):
        response = client.patch(url, json=body, headers=headers)
        assert response.status_code == 422
        error = response.get_json()["error"]
        assert (error["code"], error["details"]["fields"]) == (code, {field: [text]})
        assert error["message"] == text
    assert client.get(url, headers=team["headers"]["supervisor"]).get_json() == before


def test_wrong_types_and_incomplete_forms_are_refused(client, october):
    team = october
    draft = open_draft(client, team).get_json()
    url = f"/api/assessments/{draft['id']}"
    response = client.patch(url, json={"scores": {"morality": "满分"}},
                            headers=team["headers_en"]["supervisor"])
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "request.invalid"
    response = client.patch(url, json={"reward": 2.5}, headers=team["headers"]["supervisor"])
    assert response.status_code == 422
    response = client.post(f"{url}/submit", headers=team["headers"]["supervisor"])
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert (error["code"], error["details"]["fields"]) == (
        "assessment.score_required", {"scores.morality": ["请先给这一项打分。"]})
    assert client.get(url, headers=team["headers"]["supervisor"]).get_json()["status"] == "draft"
    response = open_draft(client, team, month="2099-01")
    assert response.get_json()["error"]["code"] == "assessment.future_month"


def test_year_end_figure_uses_the_seeds_weights_and_names_what_is_missing(client, october):
    team = october
    draft = open_draft(client, team).get_json()
    url = f"/api/assessments/{draft['id']}"
    client.patch(url, json={"scores": {**full_marks(), "attendance": 5.0, "skill": 5.5},
                            "reasons": {}}, headers=team["headers"]["supervisor"])
    client.post(f"{url}/submit", headers=team["headers"]["supervisor"])
    client.post(f"{url}/acknowledge", json={}, headers=team["headers"]["keeper"])
    query = (f"/api/assessments/year-end?property_id={team['property'].id}"
             f"&staff_id={team['keeper'].id}&year=2026")
    figure = client.get(query, headers=team["headers"]["supervisor"]).get_json()
    assert figure["inputs"] == {"checks": None, "monthly": 98.0, "year_end": None}
    assert (figure["missing"], figure["figure"], figure["months_sealed"]) == (
        ["checks", "year_end"], None, 1)
    assert figure["weights"] == {"checks": 20, "monthly": 30, "year_end": 50}
    response = client.put("/api/assessments/year-end", headers=team["headers"]["supervisor"], json={
        "property_id": team["property"].id, "staff_id": team["keeper"].id, "year": 2026,
        "checks_score": 90, "year_end_score": 85})
    assert response.status_code == 200, response.get_json()
    # 20% × 90 + 30% × 98 + 50% × 85 = 18 + 29.4 + 42.5
    assert (response.get_json()["missing"], response.get_json()["figure"]) == ([], 89.9)
    response = client.put("/api/assessments/year-end", headers=team["headers"]["supervisor"], json={
        "property_id": team["property"].id, "staff_id": team["keeper"].id, "year": 2026,
        "checks_score": 250})
    assert response.status_code == 422


def test_retention_shorter_than_two_years_stops_the_app():
    with pytest.raises(ValueError, match="at least 2"):
        create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://",
                    "ASSESSMENT_RETENTION_YEARS": 1})
    assert date(2026, 10, 1)  # the retention date itself is checked in the workflow test
