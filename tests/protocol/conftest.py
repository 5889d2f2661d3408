"""A live server on loopback for the conformance client, and the site it works on.

The setup writes through the server's own code (that is the test harness); the client in
`client.py` talks to the server over HTTP only.
"""

import io
import os
import threading
from datetime import date

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
def world(live_server, make_property, make_user, make_unit):
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

    def client(username=None) -> ProtocolClient:
        phone = ProtocolClient("127.0.0.1", live_server.server_port)
        if username:
            assert phone.login(username, TEST_PASSWORD).status == 200
        return phone

    return {"client": client, "property_id": prop.id, "renovation_id": renovation.id,
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
