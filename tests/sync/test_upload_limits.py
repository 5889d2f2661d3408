"""What unfinished uploads and image decoding may cost the server, and recovering an upload
whose every byte arrived but was never assembled."""

import io
import threading
from datetime import timedelta

import pytest
from PIL import Image

from server.core.db import db, utcnow
from server.media import images
from server.media.models import Blob, BlobUpload, UploadPart
from tests.sync.conftest import jpeg_bytes, sha
from tests.sync.test_blobs import put_part


@pytest.fixture
def limits(app):
    """Set upload settings for one test; the previous values come back afterwards."""
    saved = dict(app.config)

    def set_limits(**values):
        app.config.update(values)
    yield set_limits
    app.config.clear()
    app.config.update(saved)


def _start(client, headers, data: bytes, first: int = 1000):
    answer = put_part(client, headers, data, 0, first)
    assert answer.status_code == 200 and answer.get_json()["received"] == first


def test_unfinished_uploads_per_person_are_bounded_in_number(client, site, count_rows, limits):
    limits(UPLOAD_PENDING_MAX_COUNT=3)
    photos = [jpeg_bytes(seed=n) for n in range(5)]
    for photo in photos:
        _start(client, site["headers"], photo)
    assert count_rows(BlobUpload) == 3
    # The oldest were dropped: asking about them says nothing is held, so the phone restarts.
    statuses = [client.get(f"/api/blobs/{sha(p)}/status", headers=site["headers"]).get_json()
                for p in photos]
    assert [s["received"] for s in statuses] == [0, 0, 1000, 1000, 1000]
    # Someone else's unfinished uploads are untouched by this person's.
    _start(client, site["supervisor_headers"], photos[0])
    assert count_rows(BlobUpload) == 4


def test_unfinished_uploads_per_person_are_bounded_in_bytes(client, site, count_rows, limits):
    first, second = jpeg_bytes(seed=1), jpeg_bytes(seed=2)
    size = max(len(first), len(second))
    part = int(size * 0.6)
    limits(UPLOAD_PENDING_MAX_BYTES=size, MAX_UPLOAD_BYTES=size)
    _start(client, site["headers"], first, part)
    _start(client, site["headers"], second, part)  # 1.2 × the limit held: the older goes
    db.session.expire_all()
    held = {upload.sha256: upload.received for upload in db.session.query(BlobUpload)}
    assert held == {sha(second): part}
    assert count_rows(UploadPart) == 1


def test_unfinished_uploads_expire(client, site, count_rows, limits):
    limits(UPLOAD_PENDING_EXPIRE_HOURS=72)
    old, new = jpeg_bytes(seed=1), jpeg_bytes(seed=2)
    _start(client, site["headers"], old)
    upload = db.session.query(BlobUpload).one()
    upload.updated_at = utcnow() - timedelta(hours=73)
    db.session.commit()
    _start(client, site["supervisor_headers"], new)  # anyone's new upload sweeps expired ones
    db.session.expire_all()
    assert [u.sha256 for u in db.session.query(BlobUpload)] == [sha(new)]
    assert count_rows(UploadPart) == 1


def test_an_upload_complete_but_never_assembled_is_finished_by_an_empty_part(
        client, site, count_rows):
    photo = jpeg_bytes(seed=9)
    # As a process stopped between the last part and its assembly leaves it.
    upload = BlobUpload(sha256=sha(photo), user_id=site["patrol"].id, kind="photo",
                        content_type="image/jpeg", total_size=len(photo), received=len(photo))
    db.session.add(upload)
    db.session.flush()
    db.session.add_all([UploadPart(upload_id=upload.id, offset=0, data=photo[:5000]),
                        UploadPart(upload_id=upload.id, offset=5000, data=photo[5000:])])
    db.session.commit()
    status = client.get(f"/api/blobs/{sha(photo)}/status", headers=site["headers"]).get_json()
    assert status == {"sha256": sha(photo), "stored": False, "received": len(photo),
                      "size": len(photo)}
    # What the phone sends next: the empty rest of the file.
    answer = client.put(f"/api/blobs/{sha(photo)}?kind=photo", data=b"",
                        headers={**site["headers"], "Content-Type": "image/jpeg",
                                 "Content-Range": f"bytes {len(photo)}-{len(photo) - 1}/{len(photo)}"})
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["stored"] is True
    assert count_rows(Blob) == 1 and count_rows(BlobUpload) == 0 and count_rows(UploadPart) == 0


def _png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("L", (width, height), 200).save(out, "PNG")
    return out.getvalue()


def test_images_beyond_16_megapixels_are_refused_before_decoding(client, site, count_rows):
    for size, status in (((4096, 4096), 200), ((4097, 4096), 422)):
        data = _png(*size)
        answer = client.put(f"/api/blobs/{sha(data)}?kind=photo", data=data,
                            headers={**site["headers"], "Content-Type": "image/png",
                                     "Accept-Language": "en"})
        assert answer.status_code == status, answer.get_json()
        if status == 422:
            error = answer.get_json()["error"]
            assert error["code"] == "upload.too_many_pixels"
            assert error["details"]["max_pixels"] == 4096 * 4096
    assert count_rows(Blob) == 1


def test_decoding_is_bounded_and_a_photo_finding_no_slot_is_told_to_retry(
        client, site, count_rows, limits):
    limits(DECODE_CONCURRENCY=1, DECODE_WAIT_SECONDS=0)
    photo = jpeg_bytes(seed=3)
    holding, release = threading.Event(), threading.Event()

    def busy():
        with images.decoding_slot(1, 5):
            holding.set()
            release.wait(30)

    worker = threading.Thread(target=busy)
    worker.start()
    try:
        assert holding.wait(30)
        answer = client.put(f"/api/blobs/{sha(photo)}?kind=photo", data=photo,
                            headers={**site["headers"], "Content-Type": "image/jpeg"})
        assert answer.status_code == 503
        assert answer.get_json()["error"]["code"] == "upload.busy"
        assert answer.headers["Retry-After"] == "5"
        assert count_rows(Blob) == 0
    finally:
        release.set()
        worker.join()
    answer = client.put(f"/api/blobs/{sha(photo)}?kind=photo", data=photo,
                        headers={**site["headers"], "Content-Type": "image/jpeg"})
    assert answer.status_code == 200 and answer.get_json()["stored"] is True


def test_a_first_part_that_is_not_the_declared_type_is_refused_at_once(client, site, count_rows):
    photo = _png(2000, 2000)
    answer = put_part(client, site["headers"], photo, 0, 4000, content_type="image/jpeg")
    assert answer.status_code == 422
    assert answer.get_json()["error"]["code"] == "upload.type_mismatch"
    assert count_rows(BlobUpload) == 0
