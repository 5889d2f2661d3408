"""What the phone and the server both compute, checked on the server side against the case tables
the PWA's unit tests read too (tests/cases/): the checklist rules, and the seal."""

import copy
import json
from pathlib import Path

import pytest

from server.checklists.definition import validate_definition
from server.inspections.answers import AnswerCheck
from server.inspections.seal import seal_hash, seal_payload
from server.properties.models import Key

TABLES = Path(__file__).parent / "cases"
RULES = json.loads((TABLES / "checklist_rules.json").read_text(encoding="utf-8"))
SEALS = json.loads((TABLES / "seal.json").read_text(encoding="utf-8"))
CASES = [pytest.param(case, id=case["name"]) for case in RULES["cases"]]
# Server problem codes that the table names differently.
TABLE_NAME = {"signature_required": "required"}


class ProblemCodes(AnswerCheck):
    """The server's answer check, keeping each problem's code rather than its message."""

    def add(self, item_id, code, **params):
        self.problems.setdefault(item_id, []).append(TABLE_NAME.get(code, code))


def definition(case) -> dict:
    items = [{"label": {"zh-CN": item["id"], "en": item["id"]}, **item} for item in case["items"]]
    subject = "key_register" if any(i["type"] == "register_rows" for i in items) else "property"
    return {"code": "cases", "version": 1, "title": {"zh-CN": "用例", "en": "Cases"}, "subject": subject,
            "frequency": [{"id": "monthly", "label": {"zh-CN": "每月", "en": "Monthly"}, "scope": "property",
                           "period": "month", "min_count": 1, "distinct": False}],
            "sections": [{"id": "only", "title": {"zh-CN": "检查", "en": "Checks"}, "items": items}]}


@pytest.mark.parametrize("case", CASES)
def test_the_server_finds_the_problems_the_table_lists(case):
    # Every key of the property may be answered; those still in the register must be.
    register = {str(key["id"]): key["status"] in Key.AUDITED_STATUSES for key in case.get("register", [])}
    check = ProblemCodes(definition(case), case["answers"], register).run()
    found = {item: sorted(codes) for item, codes in check.problems.items()}
    assert found == {item: sorted(codes) for item, codes in case["expect"].items()}


@pytest.mark.parametrize("case", CASES)
def test_each_case_is_written_as_the_server_publishes_checklists(case):
    """The phone only ever sees published definitions, defaults filled in: so must the cases."""
    written = definition(case)
    assert validate_definition(copy.deepcopy(written)) == written


@pytest.mark.parametrize("case", [pytest.param(case, id=case["name"]) for case in SEALS["records"]])
def test_the_server_computes_the_seal_the_table_lists(case):
    record = case["record"]
    payload = seal_payload(record["id"], record["property_id"], record["checklist"], record["subject"],
                           case["inspector"], record["answers"], record["started_at"],
                           record["completed_at"])
    assert payload["attachments"] == case["attachments"]
    assert seal_hash(payload) == case["seal"]
