import copy
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from server.checklists.definition import DefinitionError, validate_definition
from server.checklists.models import ChecklistVersion
from server.checklists.operations import ChecklistLoadError, load_checklists

REPO_CHECKLISTS = Path(__file__).resolve().parent.parent / "checklists"
SEED_FILES = sorted(REPO_CHECKLISTS.glob("*.yaml"))


def read(name):
    return yaml.safe_load((REPO_CHECKLISTS / name).read_text(encoding="utf-8"))


def items_of(definition):
    return {item["id"]: item for section in definition["sections"] for item in section["items"]}


def write(folder: Path, name: str, definition: dict) -> Path:
    path = folder / name
    path.write_text(yaml.safe_dump(definition, allow_unicode=True), encoding="utf-8")
    return path


# --- the checklists from seed 000 ----------------------------------------------------------

SEED_CODES = {"renovation_patrol", "night_check", "key_audit", "home_visit",
              "supervisor_inspection", "renovation_register_check", "team_meeting",
              "staff_talk", "customer_file_check"}


def test_the_seed_checklists_are_valid_and_bilingual():
    codes = set()
    for path in SEED_FILES:
        definition = validate_definition(yaml.safe_load(path.read_text(encoding="utf-8")))
        codes.add(definition["code"])
        for item in items_of(definition).values():
            assert item["label"]["zh-CN"] and item["label"]["en"], item["id"]
    assert codes == SEED_CODES


def test_renovation_patrol_covers_the_seed_topics_daily_per_renovation():
    definition = validate_definition(read("renovation_patrol.v1.yaml"))
    labels = " ".join(item["label"]["zh-CN"] for item in items_of(definition).values())
    for topic in ("成品保护", "垃圾", "装修时间", "墙体", "防水", "防护栏", "阳台"):
        assert topic in labels, topic
    failing = [i for i in items_of(definition).values() if i["type"] == "pass_fail"]
    assert failing and all(i.get("photo_when_failed") and i.get("follow_up_on_fail") for i in failing)
    assert definition["subject"] == "renovation"
    assert [(r["scope"], r["period"], r.get("min_count")) for r in definition["frequency"]] == [
        ("renovation", "day", 1)]


def test_frequency_rules_match_the_design():
    rules = {code: validate_definition(read(f"{code}.v1.yaml"))["frequency"]
             for code in ("night_check", "key_audit", "home_visit")}
    night = {(r["period"], r["min_count"], bool(r.get("when"))) for r in rules["night_check"]}
    assert night == {("month", 2, False), ("month", 1, True)}
    keys = {(r["period"], r.get("performed_by")) for r in rules["key_audit"]}
    assert keys == {("day", "keeper"), ("week", "supervisor")}
    visits = {r["scope"]: r for r in rules["home_visit"]}
    assert visits["unit"]["min_share"] == 0.08 and visits["unit"]["distinct"] is True
    assert visits["key_customer"]["min_count"] == 2


def test_key_audit_has_a_row_per_key_in_the_register():
    definition = validate_definition(read("key_audit.v1.yaml"))
    rows = [i for i in items_of(definition).values() if i["type"] == "register_rows"]
    assert len(rows) == 1 and rows[0]["register"] == "keys"
    assert set(rows[0]["row_fail_values"]) == {"missing", "damaged"}


# --- validation -----------------------------------------------------------------------------

@pytest.fixture
def night():
    return read("night_check.v1.yaml")


def problems_of(definition):
    with pytest.raises(DefinitionError) as caught:
        validate_definition(definition)
    return caught.value.problems


def test_missing_english_label_names_the_item(night):
    del night["sections"][0]["items"][1]["label"]["en"]
    item_id = night["sections"][0]["items"][1]["id"]
    assert problems_of(night) == [f"item {item_id}: label.en: Missing data for required field."]


def test_duplicate_item_ids_are_refused(night):
    first = night["sections"][0]["items"][0]
    night["sections"][-1]["items"].append(copy.deepcopy(first))
    assert any(f"item {first['id']}: id is used twice" in p for p in problems_of(night))


def test_unknown_item_type_and_foreign_keys(night):
    item = night["sections"][0]["items"][0]
    item["type"] = "slider"
    assert any("type: Must be one of" in p for p in problems_of(night))
    item["type"] = "text"
    item["options"] = [{"value": "a", "label": {"zh-CN": "甲", "en": "A"}}] * 2
    assert any(f"item {item['id']}: options: not allowed for type text" in p
               for p in problems_of(night))


def test_unquoted_yes_in_a_rule_is_explained(night):
    rule = next(r for r in night["frequency"] if r.get("when"))
    rule["when"]["equals"] = True  # what YAML makes of a bare `yes`
    assert any('quote it: "yes"' in p for p in problems_of(night))


def test_choice_fail_values_must_be_options():
    definition = read("home_visit.v1.yaml")
    satisfaction = items_of(definition)["satisfaction"]
    satisfaction["fail_values"] = ["furious"]
    assert any("'furious' is not one of the options" in p for p in problems_of(definition))


def test_escalation_answers_must_be_possible_and_callbacks_only_on_items_that_fail():
    definition = read("home_visit.v2.yaml")
    items = items_of(definition)
    items["escalate_to_pm"]["escalate_when"] = "maybe"
    items["owner_opinions"]["callback"] = True  # a text item never fails: nothing to call back
    problems = problems_of(definition)
    assert any("escalate_when: 'maybe' is not a possible answer" in p for p in problems)
    assert any("item owner_opinions: callback: only allowed on items that can fail" in p
               for p in problems)


def test_each_item_type_can_be_declared():
    text = {"zh-CN": "标签", "en": "Label"}
    options = [{"value": "a", "label": text}, {"value": "b", "label": text}]
    items = [
        {"id": "pf", "type": "pass_fail", "label": text, "photo_when_failed": 2,
         "follow_up_on_fail": True, "weight": 5},
        {"id": "yn", "type": "yes_no", "label": text, "fail_on": "no"},
        {"id": "tx", "type": "text", "label": text, "multiline": True},
        {"id": "nb", "type": "number", "label": text, "unit": {"zh-CN": "米", "en": "m"},
         "min": 0, "max": 10, "fail_above": 8},
        {"id": "sc", "type": "single_choice", "label": text, "options": options},
        {"id": "mc", "type": "multi_choice", "label": text, "options": options, "max_selected": 2},
        {"id": "dt", "type": "date", "label": text},
        {"id": "tm", "type": "time", "label": text},
        {"id": "dtm", "type": "datetime", "label": text},
        {"id": "ph", "type": "photo", "label": text, "min": 1, "max": 4},
        {"id": "sg", "type": "signature", "label": text, "signer": "owner"},
    ]
    definition = {"code": "all_types", "version": 1, "title": text, "subject": "property",
                  "frequency": [{"id": "r", "label": text, "scope": "property", "period": "week",
                                 "min_count": 1}],
                  "sections": [{"id": "s", "title": text, "items": items}]}
    loaded = items_of(validate_definition(definition))
    assert loaded["pf"]["follow_up_due_days"] == 3
    assert loaded["ph"]["required"] is False
    assert loaded["sg"]["required"] is True


# --- loading ----------------------------------------------------------------------------------

def test_loading_is_idempotent(app_ctx, count_rows):
    first = load_checklists(REPO_CHECKLISTS)
    second = load_checklists(REPO_CHECKLISTS)
    assert {r.outcome for r in first} == {"published"}
    assert {r.outcome for r in second} == {"unchanged"}
    assert count_rows(ChecklistVersion) == len(SEED_FILES)


def test_changing_a_published_version_is_refused(app_ctx, tmp_path, count_rows):
    definition = read("night_check.v1.yaml")
    write(tmp_path, "night.yaml", definition)
    load_checklists(tmp_path)
    definition["title"]["en"] = "Night inspection"
    write(tmp_path, "night.yaml", definition)
    with pytest.raises(ChecklistLoadError) as caught:
        load_checklists(tmp_path)
    assert "night_check version 1 is published with other content" in caught.value.problems[0]
    assert "version 2" in caught.value.problems[0]
    definition["version"] = 2
    write(tmp_path, "night.v2.yaml", definition)
    (tmp_path / "night.yaml").unlink()
    assert [r.outcome for r in load_checklists(tmp_path)] == ["published"]
    assert count_rows(ChecklistVersion) == 2


def test_one_bad_file_means_nothing_is_written(app, app_ctx, tmp_path, count_rows):
    write(tmp_path, "a_good.yaml", read("key_audit.v1.yaml"))
    bad = read("home_visit.v1.yaml")
    items_of(bad)["satisfaction"]["type"] = "stars"
    write(tmp_path, "b_bad.yaml", bad)
    (tmp_path / "c_broken.yaml").write_text("code: x\n  version: [1\n", encoding="utf-8")
    result = CliRunner().invoke(app.cli, ["checklists", "load", str(tmp_path)])
    assert result.exit_code == 1
    assert "b_bad.yaml: item satisfaction: type: Must be one of" in result.output
    assert "c_broken.yaml: cannot be read" in result.output
    assert count_rows(ChecklistVersion) == 0


def test_cli_loads_the_repository_folder_by_default(app, app_ctx, count_rows):
    result = CliRunner().invoke(app.cli, ["checklists", "load"])
    assert result.exit_code == 0, result.output
    assert "renovation_patrol v1 published" in result.output
    assert count_rows(ChecklistVersion) == len(SEED_FILES)


# --- API -------------------------------------------------------------------------------------

def test_supervisor_lists_the_checklists_with_items_in_both_languages(
        client, make_user, auth_headers):
    load_checklists(REPO_CHECKLISTS)
    from server.core.db import db
    db.session.commit()
    response = client.get("/api/checklists", headers=auth_headers(make_user("supervisor")))
    assert response.status_code == 200
    body = response.get_json()
    assert [c["code"] for c in body] == sorted(SEED_CODES)
    renovation = next(c for c in body if c["code"] == "renovation_patrol")
    assert renovation["title_zh"] == "装修巡查"
    first_item = renovation["definition"]["sections"][0]["items"][0]
    assert first_item["label"]["zh-CN"] and first_item["label"]["en"]
    one = client.get(f"/api/checklists/renovation_patrol/versions/{renovation['version']}",
                     headers=auth_headers(make_user("patrol")))
    assert one.status_code == 200 and one.get_json()["content_hash"] == renovation["content_hash"]
    missing = client.get("/api/checklists/renovation_patrol/versions/99",
                         headers=auth_headers(make_user("patrol")))
    assert missing.status_code == 404
    assert missing.get_json()["error"]["code"] == "not_found"


def test_only_admins_publish_over_the_api(client, make_user, auth_headers, count_rows):
    definition = read("night_check.v1.yaml")
    refused = client.post("/api/checklists", json={"definition": definition},
                          headers=auth_headers(make_user("supervisor")))
    assert refused.status_code == 403
    admin_headers = auth_headers(make_user("admin"))
    created = client.post("/api/checklists", json={"definition": definition}, headers=admin_headers)
    assert created.status_code == 201
    again = client.post("/api/checklists", json={"definition": definition}, headers=admin_headers)
    assert again.status_code == 201 and again.get_json()["id"] == created.get_json()["id"]
    definition["title"]["zh-CN"] = "夜查"
    changed = client.post("/api/checklists", json={"definition": definition}, headers=admin_headers)
    assert changed.status_code == 409
    assert changed.get_json()["error"]["code"] == "checklist.published_changed"
    assert "第 2 版" in changed.get_json()["error"]["message"]
    definition["sections"] = []
    invalid = client.post("/api/checklists", json={"definition": definition}, headers=admin_headers)
    assert invalid.status_code == 422
    assert invalid.get_json()["error"]["details"]["problems"]
    assert count_rows(ChecklistVersion) == 1
