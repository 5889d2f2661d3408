"""Fixtures for sync tests: real images, a demo-like site and records built as a phone would."""

import hashlib
import io
import uuid
from datetime import datetime, timedelta, timezone

import pytest
import rfc8785
from PIL import Image

from server.checklists.operations import load_checklists
from server.core.db import db
from server.properties.models import Key, Renovation
from tests.test_checklists import REPO_CHECKLISTS

CST = timezone(timedelta(hours=8))


def jpeg_bytes(width=1200, height=900, color=(200, 80, 40), orientation=None, seed=0) -> bytes:
    image = Image.new("RGB", (width, height), color)
    # Some texture so that JPEG sizes are realistic and every seed gives different bytes.
    for x in range(0, width, 37):
        for y in range(0, height, 41):
            image.putpixel((x, y), ((x * 7 + seed) % 256, (y * 3 + seed) % 256, seed % 256))
    out = io.BytesIO()
    exif = Image.Exif()
    exif[0x0132] = "2026:11:23 09:01:00"
    if orientation:
        exif[0x0112] = orientation
    image.save(out, "JPEG", quality=90, exif=exif.tobytes())
    return out.getvalue()


def png_signature(seed=0) -> bytes:
    image = Image.new("RGBA", (600, 200), (255, 255, 255, 0))
    for x in range(50, 550):
        image.putpixel((x, 100 + ((x + seed) % 40) - 20), (0, 0, 0, 255))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def seal_of(record_id: str, body: dict, username: str) -> str:
    """The seal exactly as docs/sync-protocol.md §4 describes it, written independently."""
    hashes = set()
    for answer in body["answers"].values():
        for photo in answer.get("photos", []):
            hashes.add(photo["sha256"])
        if "signature" in answer:
            hashes.add(answer["signature"]["sha256"])
        for row in answer.get("rows", {}).values():
            hashes.update(photo["sha256"] for photo in row.get("photos", []))
    payload = {"v": 1, "record_id": record_id, "property_id": body["property_id"],
               "checklist": body["checklist"], "subject": body["subject"], "inspector": username,
               "answers": body["answers"], "started_at": body["started_at"],
               "completed_at": body["completed_at"], "attachments": sorted(hashes)}
    return hashlib.sha256(rfc8785.dumps(payload)).hexdigest()


@pytest.fixture
def site(app_ctx, make_property, make_user, make_unit, auth_headers):
    """A property with published checklists, an active renovation, keys, and its people."""
    load_checklists(REPO_CHECKLISTS)
    prop = make_property(code="binhewan-west", name="滨河湾河西")
    other = make_property(code="guangchang", name="广场家园")
    units = [make_unit(prop, room=f"{1100 + n}") for n in range(1, 6)]
    renovation = Renovation(property_id=prop.id, unit=units[0], contractor_name="鑫诚装饰",
                            permit_start=datetime(2026, 11, 1).date(),
                            permit_end=datetime(2027, 1, 31).date(), status="active")
    keys = [Key(property_id=prop.id, tag_no=f"K{n:03d}", description="入户门钥匙", unit=units[n])
            for n in range(3)]
    db.session.add_all([renovation, *keys])
    db.session.commit()
    patrol = make_user("patrol", properties=[prop], username="patrol1", display_name="李巡查")
    supervisor = make_user("supervisor", properties=[prop], username="supervisor1")
    outsider = make_user("patrol", properties=[other], username="outsider")
    return {"property": prop, "other": other, "units": units, "renovation": renovation,
            "keys": keys, "patrol": patrol, "supervisor": supervisor, "outsider": outsider,
            "headers": auth_headers(patrol), "supervisor_headers": auth_headers(supervisor),
            "outsider_headers": auth_headers(outsider)}


@pytest.fixture
def renovation_record(site):
    """renovation_record(**overrides) → (record_id, body, blobs) for a valid, sealed patrol."""

    def build(record_id=None, failed=True, comment="客厅地面未覆盖保护", seed=0):
        record_id = record_id or str(uuid.uuid4())
        evidence = jpeg_bytes(seed=seed + 1)
        site_photo = jpeg_bytes(seed=seed + 2)
        inspector_sig, contractor_sig = png_signature(seed + 3), png_signature(seed + 4)
        start = datetime(2026, 11, 23, 9, 0, tzinfo=CST)
        answers = {item: {"value": "pass"} for item in (
            "debris", "working_hours", "walls", "waterproofing", "guard_rails",
            "terrace_balcony", "installations")}
        answers["surface_protection"] = (
            {"value": "fail", "comment": comment,
             "photos": [{"sha256": sha(evidence), "captured_at": "2026-11-23T09:03:00+08:00"}]}
            if failed else {"value": "pass"})
        answers["site_photos"] = {"photos": [{"sha256": sha(site_photo),
                                              "captured_at": "2026-11-23T09:05:00+08:00"}]}
        answers["inspector_signature"] = {"signature": {
            "sha256": sha(inspector_sig), "signer_name": "李巡查",
            "signed_at": "2026-11-23T09:10:00+08:00"}}
        answers["contractor_signature"] = {"signature": {
            "sha256": sha(contractor_sig), "signer_name": "王师傅",
            "signed_at": "2026-11-23T09:11:00+08:00"}}
        body = {"property_id": site["property"].id,
                "checklist": {"code": "renovation_patrol", "version": 1},
                "subject": {"type": "renovation", "id": site["renovation"].id},
                "answers": answers, "started_at": start.isoformat(),
                "completed_at": (start + timedelta(minutes=12)).isoformat(),
                "device_id": "pytest-phone-1"}
        body["seal"] = {"hash": seal_of(record_id, body, site["patrol"].username)}
        blobs = {"photo": [evidence, site_photo], "signature": [inspector_sig, contractor_sig]}
        return record_id, body, blobs
    return build


def reseal(record_id, body, username="patrol1"):
    body["seal"] = {"hash": seal_of(record_id, body, username)}
    return body


def upload(client, headers, data: bytes, kind="photo", content_type=None):
    content_type = content_type or ("image/png" if kind == "signature" else "image/jpeg")
    return client.put(f"/api/blobs/{sha(data)}?kind={kind}", data=data,
                      headers={**headers, "Content-Type": content_type})
