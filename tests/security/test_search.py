"""Class 12: the records search finds what people wrote, taken literally: % and _ are
characters, and the answers' JSON (keys, option codes, photo hashes) is not searched."""

from datetime import datetime, timedelta, timezone

import pytest

from server.checklists.operations import load_checklists
from tests.test_checklists import REPO_CHECKLISTS

CST = timezone(timedelta(hours=8))


@pytest.fixture
def searchable(app_ctx, make_property, make_user, insert_inspection, auth_headers):
    load_checklists(REPO_CHECKLISTS)
    prop = make_property()
    patrol = make_user("patrol", properties=[prop], display_name="李巡查")
    at = datetime(2026, 11, 20, 21, tzinfo=CST)
    made = {
        "percent": insert_inspection(prop, "night_check", "property", prop.id, at, patrol,
                                     answers={"fire_doors": {"value": "fail",
                                                             "comment": "湿度 100% 有积水"}}),
        "underscore": insert_inspection(prop, "night_check", "property", prop.id,
                                        at + timedelta(hours=1), patrol,
                                        answers={"fire_doors": {"value": "pass",
                                                                "comment": "门禁卡 A_7 失效"}}),
        "photo": insert_inspection(prop, "night_check", "property", prop.id,
                                   at + timedelta(hours=2), patrol,
                                   answers={"fire_doors": {"value": "pass", "photos": [
                                       {"sha256": "ab" * 32}]}}),
    }
    supervisor = make_user("supervisor", properties=[prop])
    return {name: str(record.id) for name, record in made.items()}, auth_headers(supervisor)


def found(client, headers, q):
    response = client.get("/api/inspections", query_string={"q": q}, headers=headers)
    assert response.status_code == 200, response.get_json()
    return {item["id"] for item in response.get_json()["items"]}


def test_wildcards_are_searched_as_characters(client, searchable):
    ids, headers = searchable
    assert found(client, headers, "%") == {ids["percent"]}
    assert found(client, headers, "_") == {ids["underscore"]}
    assert found(client, headers, "A_7") == {ids["underscore"]}
    assert found(client, headers, "A%7") == set()
    assert found(client, headers, "\\") == set()


def test_search_reads_what_people_wrote_not_the_json(client, searchable):
    ids, headers = searchable
    assert found(client, headers, "积水") == {ids["percent"]}
    for not_written in ("comment", "fail", "pass", "sha256", "abab", '":', "{"):
        assert found(client, headers, not_written) == set(), not_written
    assert found(client, headers, "李巡查") == set(ids.values())  # the inspector's name

