"""Each problem code has one HTTP status, defined once in `server/core/problems.py`."""

import ast
from pathlib import Path

import pytest

import server
from server.core.errors import Problem
from server.core.problems import PROBLEMS

SERVER = Path(server.__file__).parent


def _problem_calls():
    for path in SERVER.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id in {"Problem", "error_response"}):
                yield path.relative_to(SERVER), node


def test_every_problem_raised_is_in_the_table_and_raised_by_code_only():
    unknown, with_status = [], []
    for path, call in _problem_calls():
        first = call.args[0] if call.args else None
        if isinstance(first, ast.Constant) and isinstance(first.value, int):
            with_status.append(f"{path}:{call.lineno}")
        elif isinstance(first, ast.Constant) and first.value not in PROBLEMS:
            unknown.append(f"{path}:{call.lineno} {first.value}")
    assert with_status == []
    assert unknown == []


def test_no_status_number_is_written_beside_a_problem_outside_the_table():
    """abort(403), make_response(..., 404) and the like bypass the table."""
    offenders = []
    for path in SERVER.rglob("*.py"):
        if path.name == "problems.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name | ast.Attribute):
                name = node.func.id if isinstance(node.func, ast.Name) else node.func.attr
                if name in {"abort", "make_response"} and any(
                        isinstance(a, ast.Constant) and isinstance(a.value, int)
                        and 400 <= a.value < 500 for a in node.args):
                    offenders.append(f"{path.relative_to(SERVER)}:{node.lineno}")
    assert offenders == []


def test_a_problem_takes_its_status_from_the_table():
    assert Problem("record.stale_revision").status == 412
    assert Problem("checklist.not_found").status == 422
    with pytest.raises(KeyError):
        Problem("no.such_problem")


def test_one_code_one_status_on_the_wire(client, make_user, auth_headers):
    """The same code never answers with two statuses: an unknown checklist version is 404
    `not_found` when asked for, 422 `checklist.not_found` inside a pushed record."""
    missing = client.get("/api/checklists/renovation_patrol/versions/99",
                         headers=auth_headers(make_user("patrol")))
    assert (missing.status_code, missing.get_json()["error"]["code"]) == (404, "not_found")
