import re


def test_openapi_document_is_public_and_describes_every_api_route(app, client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    spec = response.get_json()
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    documented = {path for path in spec["paths"]}
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/") and rule.endpoint != "api-docs.openapi_json":
            path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
            assert path in documented, rule.rule
    login = spec["paths"]["/api/auth/login"]["post"]
    assert login["security"] == []
    assert "Error" in str(spec["components"]["schemas"])
