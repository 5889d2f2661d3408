"""Who sees which assessment: staff their own once submitted to them, supervisors those of
their properties, managers all. What one may not see answers 404, as if it did not exist."""

import pytest

from tests.assessments.test_workflow import full_marks, open_draft


@pytest.fixture
def submitted(client, team):
    draft = open_draft(client, team).get_json()
    url = f"/api/assessments/{draft['id']}"
    # No audit in October: the suggestion for attendance is 0, so full marks need a reason.
    response = client.patch(url, json={"scores": full_marks(), "reasons": {
        "attendance": "钥匙核对改由主管代做"}}, headers=team["headers"]["supervisor"])
    assert response.status_code == 200, response.get_json()
    return draft["id"], url


def test_staff_see_only_their_own_and_only_once_submitted(client, team, submitted):
    assessment_id, url = submitted
    keeper, colleague = team["headers"]["keeper"], team["headers"]["colleague"]
    assert client.get(url, headers=keeper).status_code == 404  # still the supervisor's draft
    assert client.get("/api/assessments/mine", headers=keeper).get_json()["items"] == []
    assert client.post(f"{url}/submit", headers=team["headers"]["supervisor"]).status_code == 200
    assert client.get(url, headers=keeper).status_code == 200
    # A colleague trying the keeper's id learns nothing, cannot acknowledge it or print it.
    for response in (client.get(url, headers=colleague),
                     client.post(f"{url}/acknowledge", json={}, headers=colleague),
                     client.get(f"{url}/pdf", headers=colleague)):
        assert response.status_code == 404
        assert response.get_json()["error"]["code"] == "not_found"
    assert client.get(f"/api/assessments/{assessment_id + 1000}", headers=keeper).status_code == 404
    assert client.get("/api/assessments/mine", headers=colleague).get_json()["items"] == []
    # Staff neither assess nor list the team.
    for response in (
            client.patch(url, json={"comment": "好"}, headers=keeper),
            client.post(f"{url}/withdraw", headers=keeper),
            open_draft(client, team, who="colleague"),
            client.get(f"/api/assessments/staff?property_id={team['property'].id}&month=2026-10",
                       headers=colleague)):
        assert response.status_code == 403
        assert response.get_json()["error"]["code"] == "access.role_denied"
    # Only the assessed person acknowledges, not the supervisor on their behalf.
    response = client.post(f"{url}/acknowledge", json={}, headers=team["headers"]["supervisor"])
    assert response.status_code == 404


def test_supervisors_see_their_properties_and_managers_all(client, team, submitted):
    assessment_id, url = submitted
    outsider, manager = team["headers"]["outsider_supervisor"], team["headers"]["manager"]
    prop = team["property"]
    assert client.get(url, headers=outsider).status_code == 404
    assert client.patch(url, json={"comment": "x"}, headers=outsider).status_code == 404
    response = client.get(f"/api/assessments/staff?property_id={prop.id}&month=2026-10",
                          headers=outsider)
    assert response.get_json()["error"]["code"] == "access.property_denied"
    assert open_draft(client, team, who="outsider_supervisor").status_code == 403

    assert client.get(url, headers=manager).status_code == 200
    grid = client.get(f"/api/assessments/staff?property_id={prop.id}&month=2026-10",
                      headers=manager).get_json()
    rows = {row["staff"]["display_name"]: row["assessment"] for row in grid["rows"]}
    assert set(rows) == {"李娜", "张敏", "王主管"}
    assert (rows["李娜"]["id"], rows["李娜"]["status"], rows["张敏"]) == (
        assessment_id, "draft", None)
    # The supervisor's own row is not in their list, and they cannot assess themselves.
    mine = client.get(f"/api/assessments/staff?property_id={prop.id}&month=2026-10",
                      headers=team["headers"]["supervisor"]).get_json()
    assert {row["staff"]["display_name"] for row in mine["rows"]} == {"李娜", "张敏"}
    response = open_draft(client, team, staff="supervisor")
    assert (response.status_code, response.get_json()["error"]["code"]) == (403, "assessment.own")
    # Someone who does not work at the property is not its staff.
    response = open_draft(client, team, staff="outsider_supervisor")
    assert response.status_code == 422
    assert response.get_json()["error"]["details"]["fields"] == {
        "staff_id": ["该员工不在这个项目。"]}
    # The manager may assess the supervisor.
    assert open_draft(client, team, who="manager", staff="supervisor").status_code == 200


def test_a_supervisor_assessed_by_the_manager_cannot_change_their_own(client, team):
    manager, supervisor = team["headers"]["manager"], team["headers"]["supervisor"]
    draft = open_draft(client, team, who="manager", staff="supervisor").get_json()
    url = f"/api/assessments/{draft['id']}"
    # Their own draft is the manager's until submitted: not shown, not editable by them.
    assert client.get(url, headers=supervisor).status_code == 404
    response = client.patch(url, json={"scores": full_marks()}, headers=supervisor)
    assert (response.status_code, response.get_json()["error"]["code"]) == (403, "assessment.own")
    response = client.patch(url, json={"scores": full_marks(), "reasons": {
        "attendance": "本月主要负责钥匙抽查以外的工作"}}, headers=manager)
    assert response.status_code == 200, response.get_json()
    assert client.post(f"{url}/submit", headers=manager).status_code == 200
    response = client.post(f"{url}/withdraw", headers=supervisor)
    assert (response.status_code, response.get_json()["error"]["code"]) == (403, "assessment.own")
    assert client.get(url, headers=supervisor).status_code == 200
    response = client.post(f"{url}/acknowledge", json={"remark": "同意"}, headers=supervisor)
    assert (response.status_code, response.get_json()["status"]) == (200, "acknowledged")
