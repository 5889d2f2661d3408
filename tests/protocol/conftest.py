"""A live server on loopback for the conformance client, and the site it works on.

The setup writes through the server's own code (that is the test harness); the client in
`client.py` talks to the server over HTTP only.
"""

import io
import os
import signal
import socket
import subprocess
import threading
import time
from datetime import date
from pathlib import Path

import pytest
from PIL import Image
from werkzeug.serving import make_server

from server.checklists.operations import load_checklists
from server.core.db import db
from server.properties.models import Renovation
from tests.conftest import TEST_PASSWORD
from tests.test_checklists import REPO_CHECKLISTS

from .client import ProtocolClient


@pytest.fixture
def live_server(app, app_ctx):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    thread.join()


@pytest.fixture
def gunicorn_port(app, app_ctx):
    """The same app under gunicorn, the server production runs (README), on the
    test's database and blob folder: how a server hands the body to the app decides what a cut
    connection looks like to it."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
           "XUNCHA_BLOB_DIR": app.config["BLOB_DIR"]}
    process = subprocess.Popen(
        [str(root / ".venv/bin/gunicorn"), "--bind", f"127.0.0.1:{port}", "--workers", "1",
         "--threads", "2", "--log-level", "error", "server:create_app()"],
        cwd=root, env=env, start_new_session=True, stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline and process.poll() is None, "gunicorn did not start"
                time.sleep(0.2)
        yield port
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


@pytest.fixture
def world(live_server, make_property, make_user, make_unit):
    return _world(live_server.server_port, make_property, make_user, make_unit)


@pytest.fixture
def gunicorn_world(gunicorn_port, make_property, make_user, make_unit):
    world = _world(gunicorn_port, make_property, make_user, make_unit)
    yield world
    for phone in world["phones"]:  # gunicorn keeps connections open; the test closes its own
        if phone._connection is not None:
            phone._connection.close()


def _world(port, make_property, make_user, make_unit):
    load_checklists(REPO_CHECKLISTS)
    prop = make_property(code="binhewan-west", name="滨河湾河西")
    unit = make_unit(prop, room="1101")
    renovation = Renovation(property_id=prop.id, unit=unit, contractor_name="鑫诚装饰",
                            permit_start=date(2026, 1, 1), permit_end=date(2027, 12, 31),
                            status="active")
    db.session.add(renovation)
    db.session.commit()
    make_user("patrol", properties=[prop], username="patrol1", display_name="李巡查")
    make_user("supervisor", properties=[prop], username="supervisor1", display_name="王主管")

    phones = []

    def client(username=None) -> ProtocolClient:
        phone = ProtocolClient("127.0.0.1", port)
        phones.append(phone)
        if username:
            assert phone.login(username, TEST_PASSWORD).status == 200
        return phone

    return {"client": client, "phones": phones, "property_id": prop.id, "renovation_id": renovation.id,
            "password": TEST_PASSWORD}


def noisy_jpeg(width=640, height=480) -> bytes:
    """A photo of a few hundred KB (noise does not compress), as a phone would send."""
    image = Image.frombytes("RGB", (width, height), os.urandom(width * height * 3))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def signature_png() -> bytes:
    image = Image.new("RGBA", (400, 150), (255, 255, 255, 0))
    for x in range(20, 380):
        image.putpixel((x, 75 + (x % 30) - 15), (0, 0, 0, 255))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()
