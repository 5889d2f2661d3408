"""Endpoints × roles × properties: nobody reaches another property's records."""

import uuid

import pytest
from sqlalchemy import delete, update

from server.core.db import db
from server.inspections.models import Inspection
from server.reviews.models import ReviewEvent


@pytest.fixture
def world(client, site, renovation_record, make_user, auth_headers):
    record_id, body, _ = renovation_record()
    assert client.put(f"/api/inspections/{record_id}", json=body,
                      headers=site["headers"]).status_code == 200
    follow_up_id = client.get("/api/followups", headers=site["headers"]).get_json()[
        "items"][0]["id"]
    headers = {
        "patrol_a": site["headers"],
        "supervisor_a": site["supervisor_headers"],
        "supervisor_b": auth_headers(make_user("supervisor", properties=[site["other"]])),
        "manager": auth_headers(make_user("manager")),
        "admin": auth_headers(make_user("admin")),
    }
    return {"record": record_id, "follow_up": follow_up_id, "a": site["property"].id,
            "headers": headers}


ROLES = ["patrol_a", "supervisor_a", "supervisor_b", "manager", "admin"]
#          endpoint                                         patrol_a  sup_a  sup_b  manager  admin
MATRIX = [
    ("GET", "/api/inspections/{record}",                    (200,     200,   404,   200,     200)),
    ("GET", "/api/inspections/{record}/history",            (200,     200,   404,   200,     200)),
    ("POST", "/api/inspections/{record}/review",            (403,     200,   404,   200,     200)),
    ("GET", "/api/inspections?property_id={a}",             (200,     200,   403,   200,     200)),
    ("GET", "/api/inspections/export?property_id={a}",      (200,     200,   403,   200,     200)),
    ("GET", "/api/followups?property_id={a}",               (200,     200,   403,   200,     200)),
    ("GET", "/api/followups/{follow_up}",                   (200,     200,   404,   200,     200)),
    ("POST", "/api/followups/{follow_up}/events",           (200,     200,   404,   200,     200)),
    ("GET", "/api/compliance?property_id={a}",              (403,     200,   403,   200,     200)),
]


@pytest.mark.parametrize("method,path,expected", MATRIX, ids=[f"{m} {p}" for m, p, _ in MATRIX])
def test_access_matrix(client, world, method, path, expected):
    url = path.format(**world)
    bodies = {"/review": {"action": "approve", "revision": 1},
              "/events": {"action": "contact", "contact_method": "phone", "note": "联系业主"}}
    for role, status in zip(ROLES, expected, strict=True):
        body = next((b for suffix, b in bodies.items() if url.endswith(suffix)), None)
        if url.endswith("/events"):
            body = {**body, "id": str(uuid.uuid4())}  # each step is a new event
        response = client.open(url, method=method, json=body, headers=world["headers"][role])
        assert response.status_code == status, (role, response.get_json())
        if method == "POST" and status == 200 and url.endswith("/review"):
            # Reviewing settles the revision; put it back so the next role can try.
            db.session.execute(delete(ReviewEvent))
            db.session.execute(update(Inspection).values(status="submitted"))
            db.session.commit()
