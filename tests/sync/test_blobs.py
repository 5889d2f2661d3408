"""Invariants 1 and 3 for photos and signatures: verified, stored once, resumable, and bad
uploads refused with a clear 4xx that stores nothing."""

import io
import zlib
from pathlib import Path

import pytest
from PIL import Image

from server.media.models import Blob, BlobUpload, UploadPart
from tests.sync.conftest import jpeg_bytes, png_signature, sha, upload


def blob_files(app, *hashes: str) -> list[Path]:
    """Stored files (finished or temporary) named after any of ``hashes``."""
    return [p for p in Path(app.config["BLOB_DIR"]).rglob("*")
            if p.is_file() and (p.name.startswith(".part-") or any(h in p.name for h in hashes))]


def put_part(client, headers, data: bytes, start: int, end: int, content_type="image/jpeg"):
    return client.put(f"/api/blobs/{sha(data)}?kind=photo", data=data[start:end],
                      headers={**headers, "Content-Type": content_type,
                               "Content-Range": f"bytes {start}-{end - 1}/{len(data)}"})


def test_photo_is_stored_with_orientation_applied_and_downscaled(app, client, site):
    # 3000×1500 as stored by the camera, EXIF says "rotate 90° clockwise" (orientation 6).
    data = jpeg_bytes(3000, 1500, orientation=6)
    response = upload(client, site["headers"], data)
    assert response.status_code == 200
    assert response.get_json() == {"sha256": sha(data), "stored": True, "received": len(data),
                                   "size": len(data)}
    display = client.get(f"/api/blobs/{sha(data)}", headers=site["headers"])
    assert display.status_code == 200 and display.mimetype == "image/jpeg"
    image = Image.open(io.BytesIO(display.data))
    assert image.size == (800, 1600)  # upright and no longer than 1600 px
    thumb = Image.open(io.BytesIO(client.get(f"/api/blobs/{sha(data)}?variant=thumb",
                                             headers=site["headers"]).data))
    assert max(thumb.size) == 320
    original = client.get(f"/api/blobs/{sha(data)}?variant=original", headers=site["headers"])
    assert sha(original.data) == sha(data)


def plain_jpeg(seed: int) -> bytes:
    """What the PWA uploads: re-encoded on the phone, 1600 px, nothing in the file but pixels."""
    out = io.BytesIO()
    Image.open(io.BytesIO(jpeg_bytes(1600, 1200, seed=seed))).save(out, "JPEG", quality=80)
    return out.getvalue()


def test_a_photo_the_phone_already_made_small_and_plain_is_served_as_sent(client, site):
    data = plain_jpeg(seed=61)
    assert not Image.open(io.BytesIO(data)).getexif()
    assert upload(client, site["headers"], data).status_code == 200
    display = client.get(f"/api/blobs/{sha(data)}", headers=site["headers"])
    assert display.data == data  # not decoded and re-encoded a second time
    thumb = Image.open(io.BytesIO(client.get(f"/api/blobs/{sha(data)}?variant=thumb",
                                             headers=site["headers"]).data))
    assert thumb.size == (320, 240)
    # Only the thumbnail is decoded, at a fraction of the size, but still from every byte.
    cut = plain_jpeg(seed=62)[:-3000]
    refused = upload(client, site["headers"], cut)
    assert refused.status_code == 422
    assert refused.get_json()["error"]["code"] == "upload.not_an_image"


def test_a_camera_file_within_the_display_size_is_still_re_encoded_without_its_exif(
        client, site):
    data = jpeg_bytes(1200, 900, orientation=1, seed=63)  # upright, but it carries EXIF
    assert Image.open(io.BytesIO(data)).getexif()
    assert upload(client, site["headers"], data).status_code == 200
    display = client.get(f"/api/blobs/{sha(data)}", headers=site["headers"]).data
    assert display != data and not Image.open(io.BytesIO(display)).getexif()


def test_same_bytes_twice_are_stored_once(client, site, count_rows, auth_headers):
    data = jpeg_bytes(seed=5)
    assert upload(client, site["headers"], data).get_json()["stored"] is True
    again = upload(client, auth_headers(site["supervisor"]), data)
    assert again.status_code == 200 and again.get_json()["stored"] is True
    assert count_rows(Blob) == 1


def test_a_cut_upload_resumes_where_the_server_copy_ends(client, site, count_rows):
    data = jpeg_bytes(2000, 1500, seed=9)
    ninety = int(len(data) * 0.9)
    first = put_part(client, site["headers"], data, 0, ninety // 2)
    assert first.get_json() == {"sha256": sha(data), "stored": False, "received": ninety // 2,
                                "size": len(data)}
    put_part(client, site["headers"], data, ninety // 2, ninety)
    # The connection drops here. Later the phone asks where to continue.
    status = client.get(f"/api/blobs/{sha(data)}/status", headers=site["headers"]).get_json()
    assert status == {"sha256": sha(data), "stored": False, "received": ninety, "size": len(data)}
    assert count_rows(Blob) == 0  # a partial upload never counts as stored
    assert client.get(f"/api/blobs/{sha(data)}", headers=site["headers"]).status_code == 404
    # A retry of an old part is refused with the offset to use.
    replay = put_part(client, site["headers"], data, 0, ninety // 2)
    assert replay.status_code == 409
    assert replay.get_json()["error"]["details"]["received"] == ninety
    # A browser resends a part cut on a kept-alive connection by itself, whole, from its first
    # byte: refused before its body is read, and the connection closed rather than read on.
    resend = put_part(client, site["headers"], data, 0, len(data))
    assert resend.status_code == 409 and resend.headers["Connection"] == "close"
    assert resend.get_json()["error"]["code"] == "upload.offset_mismatch"
    assert resend.get_json()["error"]["details"] == {"received": ninety, "size": len(data)}
    assert count_rows(Blob) == 0
    done = put_part(client, site["headers"], data, ninety, len(data))
    assert done.get_json()["stored"] is True
    assert count_rows(Blob) == 1 and count_rows(BlobUpload) == 0 and count_rows(UploadPart) == 0
    stored = client.get(f"/api/blobs/{sha(data)}?variant=original", headers=site["headers"]).data
    assert sha(stored) == sha(data)


def test_wrong_hash_is_refused_and_nothing_kept(app, client, site, count_rows):
    data = jpeg_bytes(seed=3)
    wrong = "0" * 64
    response = client.put(f"/api/blobs/{wrong}?kind=photo", data=data,
                          headers={**site["headers"], "Content-Type": "image/jpeg"})
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "upload.hash_mismatch"
    # The same through a resumable upload: the parts are discarded too.
    half = len(data) // 2
    client.put(f"/api/blobs/{wrong}?kind=photo", data=data[:half],
               headers={**site["headers"], "Content-Type": "image/jpeg",
                        "Content-Range": f"bytes 0-{half - 1}/{len(data)}"})
    last = client.put(f"/api/blobs/{wrong}?kind=photo", data=data[half:],
                      headers={**site["headers"], "Content-Type": "image/jpeg",
                               "Content-Range": f"bytes {half}-{len(data) - 1}/{len(data)}"})
    assert last.status_code == 422
    assert count_rows(Blob) == 0 and count_rows(BlobUpload) == 0 and count_rows(UploadPart) == 0
    assert blob_files(app, wrong, sha(data)) == []


def png_bomb(width=30000, height=30000) -> bytes:
    """A valid PNG header claiming 30000×30000 pixels with a tiny compressed body."""
    def chunk(kind, payload):
        return (len(payload).to_bytes(4, "big") + kind + payload
                + zlib.crc32(kind + payload).to_bytes(4, "big"))
    header = width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes([8, 0, 0, 0, 0])
    row = b"\x00" + b"\x00" * width
    body = zlib.compress(row * 50, 9)  # truncated on purpose: the size alone must refuse it
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")


BAD_UPLOADS = {
    "truncated jpeg": (jpeg_bytes(seed=4)[:6000], "image/jpeg", 422, "upload.not_an_image"),
    "png bomb": (png_bomb(), "image/png", 422, "upload.too_many_pixels"),
    "text named .jpg": ("这不是图片\n".encode() * 100, "image/jpeg", 422, "upload.not_an_image"),
    "svg": (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "image/svg+xml", 415, "upload.unsupported_type"),
    "zero bytes": (b"", "image/jpeg", 422, "upload.not_an_image"),
    "png sent as jpeg": (png_signature(), "image/jpeg", 422, "upload.type_mismatch"),
    "wrong content type": (jpeg_bytes(seed=6), "text/plain", 415, "upload.unsupported_type"),
}


@pytest.mark.parametrize("case", BAD_UPLOADS)
def test_bad_uploads_get_a_clear_4xx_and_store_nothing(app, client, site, count_rows, case):
    data, content_type, status, code = BAD_UPLOADS[case]
    response = client.put(f"/api/blobs/{sha(data)}?kind=photo", data=data,
                          headers={**site["headers"], "Content-Type": content_type,
                                   "Accept-Language": "en"})
    assert response.status_code == status
    error = response.get_json()["error"]
    assert error["code"] == code
    assert "accepted_types" in error["details"] or "max_bytes" in error["details"]
    assert count_rows(Blob) == 0 and blob_files(app, sha(data)) == []
    # The server is unharmed: a good photo still goes through.
    assert upload(client, site["headers"], jpeg_bytes(seed=7)).get_json()["stored"] is True


def test_oversized_upload_names_the_limit(app, client, site, count_rows):
    app.config["MAX_UPLOAD_BYTES"] = 100_000
    try:
        data = jpeg_bytes(3000, 3000, seed=8)
        assert len(data) > 100_000
        response = client.put(f"/api/blobs/{sha(data)}?kind=photo", data=data,
                              headers={**site["headers"], "Content-Type": "image/jpeg"})
    finally:
        app.config["MAX_UPLOAD_BYTES"] = 25 * 1024 * 1024
    assert response.status_code == 413
    assert response.get_json()["error"]["details"]["max_bytes"] == 100_000
    assert "MB" in response.get_json()["error"]["message"]
    assert count_rows(Blob) == 0


def test_heic_photos_are_accepted(client, site):
    import pillow_heif
    image = Image.new("RGB", (640, 480), (20, 120, 200))
    out = io.BytesIO()
    pillow_heif.from_pillow(image).save(out, quality=80)
    data = out.getvalue()
    response = upload(client, site["headers"], data, content_type="image/heic")
    assert response.status_code == 200 and response.get_json()["stored"] is True
    display = client.get(f"/api/blobs/{sha(data)}", headers=site["headers"])
    assert Image.open(io.BytesIO(display.data)).format == "JPEG"


def test_signatures_must_be_png(client, site):
    assert upload(client, site["headers"], png_signature(), "signature").status_code == 200
    refused = upload(client, site["headers"], jpeg_bytes(seed=11), "signature",
                     content_type="image/jpeg")
    assert refused.status_code == 415


def test_blobs_are_visible_only_through_records_one_may_see(client, site, renovation_record):
    record_id, body, blobs = renovation_record()
    photo = blobs["photo"][0]
    upload(client, site["headers"], photo)
    url = f"/api/blobs/{sha(photo)}"
    assert client.get(url, headers=site["supervisor_headers"]).status_code == 404  # no record yet
    client.put(f"/api/inspections/{record_id}", json=body, headers=site["headers"])
    assert client.get(url, headers=site["supervisor_headers"]).status_code == 200
    assert client.get(url, headers=site["outsider_headers"]).status_code == 404
    assert client.get(f"/api/blobs/{'f' * 64}/status", headers=site["headers"]).get_json()[
        "stored"] is False
    assert client.get("/api/blobs/not-a-hash/status", headers=site["headers"]).status_code == 422


def _record_elsewhere(site, sha256: str):
    """A record of the other property that holds the blob ``sha256``."""
    import uuid
    from datetime import UTC, datetime

    from server.checklists.operations import find_version
    from server.core.db import db
    from server.inspections.models import Inspection, InspectionAttachment
    record = Inspection(
        id=uuid.uuid4(), property_id=site["other"].id,
        checklist_version_id=find_version("night_check", 1).id, checklist_code="night_check",
        subject_type="property", subject_id=site["other"].id, inspector_id=site["outsider"].id,
        answers={}, started_at_device="2026-11-23T09:00:00+08:00",
        completed_at_device="2026-11-23T09:10:00+08:00",
        completed_at=datetime(2026, 11, 23, 1, 10, tzinfo=UTC), seal_hash="0" * 64)
    db.session.add_all([record, InspectionAttachment(inspection_id=record.id, sha256=sha256)])
    db.session.commit()


def test_a_record_cannot_cite_another_propertys_photo(client, site, renovation_record, count_rows):
    """Naming a photo's hash in one's own record must not open another property's photo."""
    from server.inspections.models import Inspection
    record_id, body, blobs = renovation_record()
    theirs = blobs["photo"][0]
    assert upload(client, site["outsider_headers"], theirs).status_code == 200
    _record_elsewhere(site, sha(theirs))
    status = client.get(f"/api/blobs/{sha(theirs)}/status", headers=site["headers"]).get_json()
    assert status == {"sha256": sha(theirs), "stored": False, "received": 0, "size": None}
    response = client.put(f"/api/inspections/{record_id}", json=body, headers=site["headers"])
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "upload.not_citable"
    assert response.get_json()["error"]["details"] == {"attachments": [sha(theirs)]}
    assert count_rows(Inspection) == 1  # only the other property's
    assert client.get(f"/api/blobs/{sha(theirs)}", headers=site["headers"]).status_code == 404


def test_whoever_sends_the_same_bytes_may_use_them(client, site, renovation_record):
    """Two phones with byte-identical files: the second proves it has them by sending them."""
    record_id, body, blobs = renovation_record()
    photo = blobs["photo"][0]
    assert upload(client, site["outsider_headers"], photo).status_code == 200  # not cited yet
    assert upload(client, site["headers"], photo).get_json()["stored"] is True
    assert client.put(f"/api/inspections/{record_id}", json=body,
                      headers=site["headers"]).status_code == 200
    assert client.get(f"/api/blobs/{sha(photo)}", headers=site["headers"]).status_code == 200
    # Now that a record of another property holds it, the first sender no longer sees it.
    assert client.get(f"/api/blobs/{sha(photo)}", headers=site["outsider_headers"]).status_code \
        == 404


def test_a_patrol_moved_off_a_property_no_longer_sees_its_photos(client, site, renovation_record,
                                                                 auth_headers):
    from server.core.db import db
    from server.users.models import PropertyMember
    record_id, body, blobs = renovation_record()
    for kind, items in blobs.items():
        for data in items:
            upload(client, site["headers"], data, kind=kind)
    assert client.put(f"/api/inspections/{record_id}", json=body,
                      headers=site["headers"]).status_code == 200
    photo = sha(blobs["photo"][0])
    assert client.get(f"/api/blobs/{photo}", headers=site["headers"]).status_code == 200
    db.session.execute(PropertyMember.__table__.delete().where(
        PropertyMember.user_id == site["patrol"].id))
    db.session.commit()
    assert client.get(f"/api/blobs/{photo}", headers=site["headers"]).status_code == 404
    assert client.get(f"/api/blobs/{photo}/status",
                      headers=site["headers"]).get_json()["stored"] is False


def test_a_photo_that_records_where_it_was_taken_is_refused(client, site, count_rows, app):
    """Originals are kept byte for byte, so one carrying GPS could never lose it: refuse it."""
    image = Image.new("RGB", (800, 600), (90, 140, 60))
    exif = Image.Exif()
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (31.0, 14.0, 2.5)   # latitude
    gps[3], gps[4] = "E", (121.0, 28.0, 9.1)  # longitude
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    data = out.getvalue()
    response = client.put(f"/api/blobs/{sha(data)}?kind=photo", data=data,
                          headers={**site["headers"], "Content-Type": "image/jpeg",
                                   "Accept-Language": "zh-CN"})
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "upload.has_location"
    assert "位置" in response.get_json()["error"]["message"]
    assert count_rows(Blob) == 0 and blob_files(app, sha(data)) == []
