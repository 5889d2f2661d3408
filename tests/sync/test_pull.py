"""Invariant 7: the phone pulls only what changed; plus the due list it works from."""

import json
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from server.checklists.models import ChecklistVersion
from server.core.db import db
from server.inspections.models import Inspection
from server.properties.models import Key, Property, Renovation, Unit
from tests.test_checklists import SEED_CODES


def age_everything(minutes=10):
    """Pretend every row was written a while ago (as it is in real use between syncs)."""
    past = datetime.now(UTC) - timedelta(minutes=minutes)
    for model in (Property, Unit, Renovation, Key, Inspection):
        db.session.execute(sa.update(model).values(updated_at=past))
    db.session.execute(sa.update(ChecklistVersion).values(published_at=past))
    db.session.commit()


def pull(client, headers, cursor=None):
    response = client.get("/api/sync/pull" + (f"?cursor={cursor}" if cursor else ""),
                          headers=headers)
    assert response.status_code == 200, response.get_json()
    return response


def test_full_pull_has_what_the_phone_needs_for_its_properties(client, site):
    body = pull(client, site["headers"]).get_json()
    assert body["full"] is True and body["me"]["username"] == "patrol1"
    assert [p["code"] for p in body["properties"]] == ["binhewan-west"]
    assert {c["code"] for c in body["checklists"]} == SEED_CODES
    assert len(body["units"]) == 5 and all(u["property_id"] == site["property"].id
                                           for u in body["units"])
    assert [r["status"] for r in body["renovations"]] == ["active"]
    assert len(body["keys"]) == 3


def test_a_pull_after_no_change_is_small_and_a_change_comes_through(client, site):
    age_everything()
    full = pull(client, site["headers"])
    cursor = full.get_json()["cursor"]
    quiet = pull(client, site["headers"], cursor)
    body = quiet.get_json()
    for key in ("properties", "checklists", "units", "renovations", "keys", "records"):
        assert body[key] == [], key
    # The due list is always sent whole; everything else in a quiet pull is nearly nothing.
    without_due = len(json.dumps({k: v for k, v in body.items() if k != "due"}))
    full_without_due = len(json.dumps({k: v for k, v in full.get_json().items() if k != "due"}))
    assert without_due < full_without_due / 10
    unit = site["units"][2]
    client.patch(f"/api/properties/{site['property'].id}/units/{unit.id}",
                 json={"is_key_customer": True},
                 headers={**site["supervisor_headers"], "If-Match": '"1"'})
    changed = pull(client, site["headers"], body["cursor"]).get_json()
    assert [u["id"] for u in changed["units"]] == [unit.id]
    assert changed["units"][0]["is_key_customer"] is True


def test_another_propertys_rows_never_come_down(client, site, make_unit):
    make_unit(site["other"], room="9901")
    body = pull(client, site["headers"]).get_json()
    assert all(u["property_id"] == site["property"].id for u in body["units"])
    outsider = pull(client, site["outsider_headers"]).get_json()
    assert [u["room"] for u in outsider["units"]] == ["9901"]


def test_a_returned_record_comes_back_to_its_inspector(client, site, renovation_record):
    record_id, body, _ = renovation_record()
    client.put(f"/api/inspections/{record_id}", json=body, headers=site["headers"])
    age_everything()
    cursor = pull(client, site["headers"]).get_json()["cursor"]
    db.session.execute(sa.update(Inspection).values(status="returned"))
    db.session.commit()
    changed = pull(client, site["headers"], cursor).get_json()
    assert [(r["id"], r["status"], r["revision"]) for r in changed["records"]] == [
        (record_id, "returned", 1)]
    assert changed["records"][0]["answers"] == body["answers"]
    # A fresh phone (full pull) gets it too, and nobody else does.
    assert [r["id"] for r in pull(client, site["headers"]).get_json()["records"]] == [record_id]
    assert pull(client, site["supervisor_headers"]).get_json()["records"] == []


def test_bad_cursor_is_a_clear_422(client, site):
    response = client.get("/api/sync/pull?cursor=not-a-cursor", headers=site["headers"])
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "sync.bad_cursor"


def test_due_list_follows_the_frequency_rules(client, site, renovation_record):
    due = pull(client, site["headers"]).get_json()["due"]
    by_rule = {(d["checklist_code"], d["rule_id"]): d for d in due}
    renovation_due = by_rule[("renovation_patrol", "daily_per_renovation")]
    assert renovation_due["subject"]["id"] == site["renovation"].id
    assert renovation_due["subject"]["label"] == site["units"][0].label
    assert (renovation_due["done"], renovation_due["required"]) == (0, 1)
    # Night checks are the supervisor's own work: not on a patrol officer's phone.
    assert not any(d["checklist_code"] == "night_check" for d in due)
    supervisor_due = pull(client, site["supervisor_headers"]).get_json()["due"]
    night = [d for d in supervisor_due if d["checklist_code"] == "night_check"]
    assert {(d["rule_id"], d["required"]) for d in night} == {("twice_monthly", 2),
                                                              ("monthly_drill", 1)}
    assert night[0]["window"] == {"from": "20:00", "to": "06:00"}
    # …and the daily renovation patrols are the patrol staff's, not on the supervisor's phone.
    assert not any(d["checklist_code"] == "renovation_patrol" for d in supervisor_due)
    visits = next(d for d in due if d["rule_id"] == "monthly_share")
    assert visits["required"] == 1  # 8% of 5 occupied households, rounded up
    assert len(visits["candidate_unit_ids"]) == 5
    # The patrol officer is not the key keeper here: the keeper's daily audit is not theirs.
    assert not any(d["checklist_code"] == "key_audit" for d in due)

    # Do today's renovation patrol: its entry stays, done.
    record_id, body, _ = renovation_record()
    now = datetime.now(UTC).astimezone()
    body["started_at"] = (now - timedelta(minutes=15)).isoformat()
    body["completed_at"] = now.isoformat()
    from tests.sync.conftest import reseal
    reseal(record_id, body)
    assert client.put(f"/api/inspections/{record_id}", json=body,
                      headers=site["headers"]).status_code == 200
    due_after = pull(client, site["headers"]).get_json()["due"]
    done = [d for d in due_after if d["rule_id"] == "daily_per_renovation"]
    assert [(d["subject"]["id"], d["done"], d["required"]) for d in done] == [
        (site["renovation"].id, 1, 1)]


def test_the_key_keeper_and_the_supervisor_get_the_key_audits(client, site, make_user,
                                                             auth_headers):
    keeper = make_user("patrol", properties=[site["property"]], keeper_at=[site["property"]])
    keeper_due = pull(client, auth_headers(keeper)).get_json()["due"]
    assert [d["rule_id"] for d in keeper_due if d["checklist_code"] == "key_audit"] == [
        "keeper_daily"]
    key_due = next(d for d in keeper_due if d["checklist_code"] == "key_audit")
    assert key_due["subject"] == {"type": "key_register", "id": site["property"].id, "label": ""}
    supervisor_due = pull(client, site["supervisor_headers"]).get_json()["due"]
    assert [d["rule_id"] for d in supervisor_due if d["checklist_code"] == "key_audit"] == [
        "supervisor_weekly_spot_check"]


@contextmanager
def counted_queries():
    """The number of SQL statements sent to the database inside the block."""
    count = [0]

    def on_execute(*_args):
        count[0] += 1

    sa.event.listen(db.engine, "before_cursor_execute", on_execute)
    try:
        yield count
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", on_execute)


def test_a_pull_costs_the_same_queries_for_2_records_as_for_10(client, site, renovation_record):
    """Every returned record (with its review and missing photos) and every open follow-up is
    loaded with the others, never one by one."""

    def return_records(count, first_seed):
        for seed in range(first_seed, first_seed + count):
            record_id, body, _ = renovation_record(seed=seed * 10)
            assert client.put(f"/api/inspections/{record_id}", json=body,
                              headers=site["headers"]).status_code == 200
            assert client.post(f"/api/inspections/{record_id}/review",
                               json={"action": "return", "revision": 1, "comment": "补拍照片"},
                               headers=site["supervisor_headers"]).status_code == 200

    def queries_of_a_full_pull(expected_records):
        with counted_queries() as count:
            body = pull(client, site["headers"]).get_json()
        assert len(body["records"]) == len(body["follow_ups"]) == expected_records
        assert all(len(r["reviews"]) == 1 and r["attachments"]["missing"]
                   for r in body["records"])
        assert all(f["events"] for f in body["follow_ups"])
        return count[0]

    pull(client, site["headers"])  # what is kept between pulls (the checklists) is kept now
    return_records(2, first_seed=0)
    with_two = queries_of_a_full_pull(2)
    return_records(8, first_seed=2)
    with_ten = queries_of_a_full_pull(10)
    assert with_ten == with_two
