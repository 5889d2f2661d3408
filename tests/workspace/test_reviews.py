"""Review: approve or return with comments; the inspector fixes and resubmits."""

import copy

import pytest

from tests.sync.conftest import reseal


@pytest.fixture
def submitted(client, site, renovation_record):
    record_id, body, _ = renovation_record()
    assert client.put(f"/api/inspections/{record_id}", json=body,
                      headers=site["headers"]).status_code == 200
    return record_id, body


def review(client, headers, record_id, **body):
    return client.post(f"/api/inspections/{record_id}/review", json=body, headers=headers)


def test_return_fix_resubmit_approve(client, site, submitted):
    record_id, body = submitted
    returned = review(client, site["supervisor_headers"], record_id, action="return", revision=1,
                      comment="请补充说明", item_comments={"surface_protection": "照片看不清，请重拍"})
    assert returned.status_code == 200
    assert returned.get_json()["status"] == "returned"
    # The inspector's phone gets it back, with what to fix.
    pulled = client.get("/api/sync/pull", headers=site["headers"]).get_json()["records"]
    assert [(r["id"], r["status"]) for r in pulled] == [(record_id, "returned")]
    assert pulled[0]["reviews"][0]["item_comments"] == {"surface_protection": "照片看不清，请重拍"}
    fixed = copy.deepcopy(body)
    fixed["answers"]["surface_protection"]["comment"] = "已重拍，地面保护膜缺失"
    reseal(record_id, fixed)
    resubmitted = client.put(f"/api/inspections/{record_id}", json=fixed,
                             headers={**site["headers"], "If-Match": '"1"'})
    assert resubmitted.get_json()["revision"] == 2
    approved = review(client, site["supervisor_headers"], record_id, action="approve", revision=2)
    assert approved.get_json()["status"] == "approved"
    history = client.get(f"/api/inspections/{record_id}/history",
                         headers=site["supervisor_headers"]).get_json()
    assert [r["revision"] for r in history["revisions"]] == [1, 2]
    assert history["revisions"][0]["answers"] == body["answers"]  # the earlier version is kept
    assert [(e["action"], e["revision"], e["actor"]["role"]) for e in history["reviews"]] == [
        ("return", 1, "supervisor"), ("approve", 2, "supervisor")]


def test_a_review_is_for_the_revision_the_reviewer_saw(client, site, submitted):
    record_id, _ = submitted
    stale = review(client, site["supervisor_headers"], record_id, action="approve", revision=2)
    assert stale.status_code == 412
    assert review(client, site["supervisor_headers"], record_id, action="approve",
                  revision=1).status_code == 200
    again = review(client, site["supervisor_headers"], record_id, action="return", revision=1,
                   comment="x")
    assert again.status_code == 409
    assert again.get_json()["error"]["code"] == "review.already_reviewed"


def test_returning_needs_a_comment_and_known_items(client, site, submitted):
    record_id, _ = submitted
    bare = review(client, site["supervisor_headers"], record_id, action="return", revision=1)
    assert bare.status_code == 422
    assert bare.get_json()["error"]["code"] == "review.comment_required"
    unknown = review(client, site["supervisor_headers"], record_id, action="return", revision=1,
                     item_comments={"no_such_item": "?"})
    assert unknown.status_code == 422


def test_who_may_review(client, site, submitted, make_user, auth_headers):
    record_id, _ = submitted
    assert review(client, site["headers"], record_id, action="approve",
                  revision=1).status_code == 403  # patrol staff do not review
    other = make_user("supervisor", properties=[site["other"]])
    assert review(client, auth_headers(other), record_id, action="approve",
                  revision=1).status_code == 404  # another property's record is not there
    own = make_user("supervisor", properties=[site["property"]], username="supervisor-own")
    manager = make_user("manager")
    assert review(client, auth_headers(manager), record_id, action="approve",
                  revision=1).status_code == 200
    assert own.id != site["patrol"].id
