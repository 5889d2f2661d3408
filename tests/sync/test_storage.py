"""Blob storage backends and durability of what the server confirms."""

import sqlalchemy as sa

from server.core.db import db
from server.media.storage import LocalBlobStore, S3BlobStore
from tests.sync.conftest import jpeg_bytes, sha, upload


def test_a_confirmed_record_is_committed_before_the_answer(client, site, renovation_record):
    record_id, body, _ = renovation_record()
    response = client.put(f"/api/inspections/{record_id}", json=body, headers=site["headers"])
    assert response.status_code == 200
    # A separate connection (another app process, say) sees it as soon as the phone hears 200.
    with db.engine.connect() as connection:
        found = connection.execute(sa.text("SELECT revision FROM inspections")).scalars().all()
    assert found == [1]


def test_local_store_writes_whole_files_only(tmp_path):
    store = LocalBlobStore(str(tmp_path))
    store.put("display/ab/abc.jpg", b"x" * 1000)
    assert store.get("display/ab/abc.jpg") == b"x" * 1000
    assert store.exists("display/ab/abc.jpg") and not store.exists("display/ab/nope.jpg")
    assert [p.name for p in (tmp_path / "display" / "ab").iterdir()] == ["abc.jpg"]


def test_s3_store_round_trip_through_the_api(app, site, client):
    """Against moto's S3 emulator on loopback. It checks the S3 calls and their results; it
    does not check credentials or signatures, which moto accepts whatever they are."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        s3 = S3BlobStore("xuncha-test", prefix="blobs/", endpoint_url=f"http://{host}:{port}",
                         region_name="us-east-1", aws_access_key_id="test",
                         aws_secret_access_key="test")
        s3.client.create_bucket(Bucket="xuncha-test")
        previous = app.extensions["xuncha.blob_store"]
        app.extensions["xuncha.blob_store"] = s3
        try:
            data = jpeg_bytes(seed=21)
            assert upload(client, site["headers"], data).get_json()["stored"] is True
            keys = sorted(obj["Key"] for obj in
                          s3.client.list_objects_v2(Bucket="xuncha-test")["Contents"])
            digest = sha(data)
            assert keys == [f"blobs/display/{digest[:2]}/{digest}.jpg",
                            f"blobs/originals/{digest[:2]}/{digest}",
                            f"blobs/thumbs/{digest[:2]}/{digest}.jpg"]
            original = client.get(f"/api/blobs/{digest}?variant=original",
                                  headers=site["headers"])
            assert sha(original.data) == digest
        finally:
            app.extensions["xuncha.blob_store"] = previous
    finally:
        server.stop()
