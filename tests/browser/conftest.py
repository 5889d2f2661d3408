"""Browser tests: the built PWA, its real service worker and real IndexedDB, in Debian Chromium.

One live server per session (SQLite in a temporary folder, demo data), served on 127.0.0.1 by a
werkzeug thread. Select these tests with ``-m browser``, skip them with ``-m "not browser"``.
They need ``pwa/dist`` (``npm run build`` in ``pwa/``; scripts/test builds it) and Chromium
(``CHROMIUM_PATH``, default ``/usr/bin/chromium``).
"""

import json
import os
import threading
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import expect
from werkzeug.serving import make_server

from server import create_app
from server.config import REPO_ROOT

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
DIST = REPO_ROOT / "pwa" / "dist"
PASSWORD = "xuncha-demo"
REQUIRED = os.environ.get("CI") == "true"

# Two cores shared with the rest of the suite: allow slow steps, never sleep instead of waiting.
expect.set_options(timeout=20_000)


def pytest_configure(config):
    config.addinivalue_line("markers", "browser: Playwright tests in Chromium against the built PWA")


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not Path(CHROMIUM).exists() or not (DIST / "index.html").exists():
        message = f"needs Chromium at {CHROMIUM} and a built PWA in pwa/dist (scripts/test does both)"
        if REQUIRED:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    """A phone: 360 px wide, touch, Chinese."""
    return {**browser_context_args, "viewport": {"width": 360, "height": 740}, "has_touch": True,
            "locale": "zh-CN", "device_scale_factor": 2}


class LiveServer:
    def __init__(self, app, url):
        self.app, self.url = app, url

    def api(self, path, token=None, method="GET", body=None):
        request = urllib.request.Request(self.url + path, method=method,
                                         data=json.dumps(body).encode() if body is not None else None)
        request.add_header("Content-Type", "application/json")
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        with urllib.request.urlopen(request, timeout=10) as response:
            raw = response.read()
            return json.loads(raw) if response.headers.get_content_type() == "application/json" else raw

    def token(self, username="patrol1"):
        return self.api("/api/auth/login", method="POST",
                        body={"username": username, "password": PASSWORD})["token"]


def add_renovations(username: str, count: int):
    """More active renovations at the user's first property. The browser tests share one server
    for the session, and each renovation patrol done marks one renovation's entry of the day done:
    the demo's few would run out, and which test finds none would depend on the order."""
    from datetime import date, timedelta

    import sqlalchemy as sa

    from server.core.db import db
    from server.properties.models import Renovation, RenovationStatus, Unit
    from server.users.models import User
    user = db.session.scalar(sa.select(User).filter_by(username=username))
    property_id = user.memberships[0].property_id
    busy = sa.select(Renovation.unit_id).where(Renovation.status == RenovationStatus.ACTIVE)
    units = db.session.scalars(sa.select(Unit).where(Unit.property_id == property_id, Unit.id.not_in(busy))
                               .order_by(Unit.id).limit(count)).all()
    for index, unit in enumerate(units):
        db.session.add(Renovation(property_id=property_id, unit=unit, permit_no=f"TEST-{index + 1:03d}",
                                  contractor_name="测试装饰", contractor_phone="13900000000",
                                  permit_start=date.today() - timedelta(days=10),
                                  permit_end=date.today() + timedelta(days=80),
                                  status=RenovationStatus.ACTIVE))
    db.session.commit()
    db.session.remove()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("live")
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'xuncha.sqlite3'}",
                      "BLOB_DIR": str(folder / "blobs"), "DEMO_PASSWORD": PASSWORD,
                      "LOGIN_MAX_FAILURES_PER_ADDRESS": 1000})
    with app.app_context():
        from flask_migrate import upgrade
        upgrade()
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        add_renovations(username="patrol1", count=12)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield LiveServer(app, f"http://127.0.0.1:{server.server_port}")
    server.shutdown()
    with app.app_context():
        from server.core.db import db
        db.engine.dispose()


@pytest.fixture(scope="session")
def base_url(live_server):
    """Replaces pytest-base-url's fixture (its definition warns under pytest 9)."""
    return live_server.url
