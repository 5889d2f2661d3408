import sqlalchemy as sa
from click.testing import CliRunner

from server.core.db import db
from server.properties.models import Property, Unit
from server.users.models import User
from tests.test_checklists import SEED_CODES


def test_demo_creates_a_working_system_and_can_run_twice(app, client, count_rows):
    runner = CliRunner()
    first = runner.invoke(app.cli, ["demo", "--password", "demo-password-1"])
    assert first.exit_code == 0, first.output
    assert "password: demo-password-1" in first.output
    units, users = count_rows(Unit), count_rows(User)
    assert units >= 300 and users == 6
    assert {p.name for p in db.session.scalars(sa.select(Property))} == {
        "滨河湾河西", "滨河湾河东", "广场家园"}
    second = runner.invoke(app.cli, ["demo", "--password", "demo-password-1"])
    assert second.exit_code == 0, second.output
    assert (count_rows(Unit), count_rows(User)) == (units, users)

    token = client.post("/api/auth/login", json={"username": "supervisor1",
                                                  "password": "demo-password-1"}).get_json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    checklists = client.get("/api/checklists", headers=headers).get_json()
    assert {c["code"] for c in checklists} == SEED_CODES
    properties = client.get("/api/properties", headers=headers).get_json()
    assert [p["name"] for p in properties] == ["滨河湾河东", "滨河湾河西"]
