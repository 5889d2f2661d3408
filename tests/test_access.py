"""Every endpoint checks who is asking and which property they may see."""

import re

import pytest

from server.users.access import PUBLIC_ENDPOINTS


def api_rules(app):
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/") and rule.endpoint not in PUBLIC_ENDPOINTS:
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                yield rule, method


def concrete(path: str) -> str:
    samples = {"int:": "1", "uuid:": "8a3c2f0e-4b1d-4c6e-9f7a-0d2b5e8c1a34", None: "x" * 64}
    return re.sub(r"<(int:|uuid:)?\w+>", lambda m: samples[m.group(1)], path)


def test_no_api_endpoint_answers_without_a_token(app, client):
    checked = 0
    for rule, method in api_rules(app):
        response = client.open(concrete(rule.rule), method=method, json={})
        assert response.status_code == 401, (method, rule.rule)
        assert response.get_json()["error"]["code"] == "auth.required"
        checked += 1
    assert checked >= 15


@pytest.fixture
def estate(make_property, make_user, make_unit, auth_headers):
    """Two properties, A and B, each with a unit, and one person of each role."""
    a, b = make_property(code="estate-a"), make_property(code="estate-b")
    unit_a, unit_b = make_unit(a), make_unit(b)
    people = {
        "patrol_a": make_user("patrol", properties=[a]),
        "supervisor_a": make_user("supervisor", properties=[a]),
        "supervisor_b": make_user("supervisor", properties=[b]),
        "manager": make_user("manager"),
        "admin": make_user("admin"),
    }
    headers = {name: auth_headers(user) for name, user in people.items()}
    return {"a": a, "b": b, "unit_a": unit_a, "unit_b": unit_b, "headers": headers,
            "people": people}


def test_property_list_shows_only_assigned_properties(client, estate):
    def codes(who):
        return [p["code"] for p in client.get("/api/properties",
                                              headers=estate["headers"][who]).get_json()]
    assert codes("patrol_a") == ["estate-a"]
    assert codes("supervisor_b") == ["estate-b"]
    assert codes("manager") == ["estate-a", "estate-b"]
    assert codes("admin") == ["estate-a", "estate-b"]


READS = ["/api/properties/{p}", "/api/properties/{p}/units", "/api/properties/{p}/renovations",
         "/api/properties/{p}/keys", "/api/users?property_id={p}"]


@pytest.mark.parametrize("path", READS)
def test_reads_of_another_property_are_forbidden(client, estate, path):
    a, b = estate["a"].id, estate["b"].id
    supervisor_a = estate["headers"]["supervisor_a"]
    assert client.get(path.format(p=a), headers=supervisor_a).status_code == 200
    refused = client.get(path.format(p=b), headers=supervisor_a)
    assert refused.status_code == 403
    assert refused.get_json()["error"]["code"] == "access.property_denied"
    assert client.get(path.format(p=b), headers=estate["headers"]["manager"]).status_code == 200


def test_writes_to_another_property_are_forbidden_and_change_nothing(client, estate, count_rows):
    from server.properties.models import Key, Renovation, Unit
    b = estate["b"].id
    headers = estate["headers"]["supervisor_a"]
    before = (count_rows(Unit), count_rows(Renovation), count_rows(Key))
    attempts = [
        client.post(f"/api/properties/{b}/units", json={"building": "9", "room": "901"},
                    headers=headers),
        client.post(f"/api/properties/{b}/renovations",
                    json={"unit_id": estate["unit_b"].id, "contractor_name": "某装饰",
                          "permit_start": "2026-11-01", "permit_end": "2026-12-01"},
                    headers=headers),
        client.post(f"/api/properties/{b}/keys", json={"tag_no": "K1", "description": "门钥匙"},
                    headers=headers),
        client.patch(f"/api/properties/{b}/units/{estate['unit_b'].id}", json={"note": "x"},
                     headers={**headers, "If-Match": '"1"'}),
    ]
    assert [r.status_code for r in attempts] == [403, 403, 403, 403]
    assert (count_rows(Unit), count_rows(Renovation), count_rows(Key)) == before


def test_a_unit_of_another_property_cannot_be_referenced(client, estate):
    response = client.post(f"/api/properties/{estate['a'].id}/renovations",
                           json={"unit_id": estate["unit_b"].id, "contractor_name": "某装饰",
                                 "permit_start": "2026-11-01", "permit_end": "2026-12-01"},
                           headers=estate["headers"]["supervisor_a"])
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "unit.not_in_property"


def test_patrol_staff_read_registers_but_do_not_edit_them(client, estate):
    a = estate["a"].id
    headers = estate["headers"]["patrol_a"]
    assert client.get(f"/api/properties/{a}/units", headers=headers).status_code == 200
    response = client.post(f"/api/properties/{a}/units", json={"building": "9", "room": "901"},
                           headers=headers)
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "access.role_denied"


@pytest.mark.parametrize("who", ["patrol_a", "supervisor_a", "manager"])
def test_admin_only_actions(client, estate, who):
    headers = estate["headers"][who]
    target = estate["people"]["patrol_a"].id
    attempts = [
        client.post("/api/properties", json={"code": "new", "name": "新项目"}, headers=headers),
        client.post("/api/users", json={"username": "x1", "password": "long enough pw",
                                        "display_name": "X", "role": "admin"}, headers=headers),
        client.patch(f"/api/users/{target}", json={"role": "admin"}, headers=headers),
        client.put(f"/api/users/{target}/properties", json=[{"property_id": estate["b"].id}],
                   headers=headers),
        client.post(f"/api/users/{target}/revoke-tokens", headers=headers),
        client.patch(f"/api/properties/{estate['a'].id}", json={"name": "改名"}, headers=headers),
    ]
    assert [r.status_code for r in attempts] == [403] * len(attempts)


def test_patrol_staff_cannot_list_people(client, estate):
    assert client.get("/api/users", headers=estate["headers"]["patrol_a"]).status_code == 403


def test_supervisor_sees_only_people_of_their_properties(client, estate):
    listed = client.get("/api/users", headers=estate["headers"]["supervisor_a"]).get_json()
    assert {u["username"] for u in listed} == {estate["people"]["patrol_a"].username,
                                               estate["people"]["supervisor_a"].username}


def test_admin_assigns_properties_and_access_follows(client, estate):
    patrol = estate["people"]["patrol_a"]
    response = client.put(f"/api/users/{patrol.id}/properties",
                          json=[{"property_id": estate["b"].id, "is_key_keeper": True}],
                          headers=estate["headers"]["admin"])
    assert response.status_code == 200
    assert response.get_json()["properties"] == [
        {"property_id": estate["b"].id, "code": "estate-b", "name": estate["b"].name,
         "name_en": estate["b"].name_en, "is_key_keeper": True}]
    headers = estate["headers"]["patrol_a"]
    assert client.get(f"/api/properties/{estate['a'].id}", headers=headers).status_code == 403
    assert client.get(f"/api/properties/{estate['b'].id}", headers=headers).status_code == 200


def test_unknown_property_is_404_not_403(client, estate):
    response = client.get("/api/properties/9999/units", headers=estate["headers"]["supervisor_a"])
    assert response.status_code == 404


def _declared_permission(app, rule, method):
    view = app.view_functions[rule.endpoint]
    view_class = getattr(view, "view_class", None)
    if view_class is not None:  # a MethodView: the mark is on the method
        view = getattr(view_class, method.lower())
    return getattr(view, "required_permission", None)


def test_every_api_endpoint_declares_the_permission_it_needs(app):
    from server.users.permissions import Permission
    undeclared = [(method, rule.rule) for rule, method in api_rules(app)
                  if not isinstance(_declared_permission(app, rule, method), Permission)]
    assert undeclared == []


def test_the_openapi_document_names_each_operations_permission(client):
    paths = client.get("/api/openapi.json").get_json()["paths"]
    assert paths["/api/inspections/{record_id}/review"]["post"]["x-permission"] == "record.review"
    assert paths["/api/users"]["post"]["x-permission"] == "user.manage"


def test_roles_are_named_only_where_permissions_are_granted():
    """Which role may do what is decided in one table; a role spelled out elsewhere is a
    second, silently diverging answer to the same question."""
    import ast
    from pathlib import Path

    import server
    root = Path(server.__file__).parent
    allowed = {root / "users" / "models.py", root / "users" / "permissions.py",
               root / "demo" / "__init__.py"}
    found = []
    for path in root.rglob("*.py"):
        if path in allowed:
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                    and node.value.id == "Role" and node.attr.isupper()):
                found.append(f"{path.relative_to(root)}:{node.lineno} Role.{node.attr}")
    assert found == []
