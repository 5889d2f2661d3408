"""Receiving blobs: whole or in parts, verified by hash, stored durably, idempotent."""

import hashlib
import re

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from server.core.db import db
from server.core.errors import Problem
from server.users.models import User

from . import images
from .access import may_read
from .models import Blob, BlobHolder, BlobUpload, UploadPart
from .storage import blob_store

SHA256 = re.compile(r"^[0-9a-f]{64}$")
_RANGE = re.compile(r"^bytes (\d+)-(\d+)/(\d+)$")


def storage_keys(sha256: str, kind: str) -> dict[str, str]:
    display_ext = "png" if kind == "signature" else "jpg"
    return {"original": f"originals/{sha256[:2]}/{sha256}",
            "display": f"display/{sha256[:2]}/{sha256}.{display_ext}",
            "thumb": f"thumbs/{sha256[:2]}/{sha256}.{display_ext}"}


def check_sha256(sha256: str):
    if not SHA256.match(sha256):
        raise Problem("upload.bad_hash_format")


def upload_status(sha256: str, user: User) -> dict:
    """How far the caller's upload of this blob has come. That the server already has the blob
    is said only to people who may read it: to anyone else, whether a hash is stored (and its
    size) would tell what photos others have."""
    blob = db.session.get(Blob, sha256)
    if blob is not None and may_read(sha256, user):
        return _stored_status(blob)
    upload = _pending(sha256, user)
    return {"sha256": sha256, "stored": False, "received": upload.received if upload else 0,
            "size": upload.total_size if upload else None}


def _stored_status(blob: Blob) -> dict:
    return {"sha256": blob.sha256, "stored": True, "received": blob.size, "size": blob.size}


def _pending(sha256: str, user: User, lock: bool = False) -> BlobUpload | None:
    query = sa.select(BlobUpload).filter_by(sha256=sha256, user_id=user.id)
    if lock:
        query = query.with_for_update()
    return db.session.scalar(query)


def parse_content_range(header: str | None, body_length: int) -> tuple[int, int]:
    """(start, total) of this part; a request without Content-Range is the whole blob."""
    if not header:
        return 0, body_length
    match = _RANGE.match(header.strip())
    if not match:
        raise Problem("upload.bad_range")
    start, end, total = (int(group) for group in match.groups())
    if end < start or end >= total or end - start + 1 != body_length:
        raise Problem("upload.bad_range")
    return start, total


def receive(sha256: str, kind: str, content_type: str, data: bytes, content_range: str | None,
            user: User) -> dict:
    """Store one part (or all) of a blob. Idempotent: a stored blob is answered at once."""
    config = current_app.config
    blob = db.session.get(Blob, sha256)
    if blob is not None and may_read(sha256, user):
        return _stored_status(blob)
    start, total = parse_content_range(content_range, len(data))
    limits = {"max_bytes": config["MAX_UPLOAD_BYTES"],
              "accepted_types": sorted(images.accepted_types(kind))}
    if total > config["MAX_UPLOAD_BYTES"]:
        raise Problem("upload.too_large", details=limits,
                      limit=f"{config['MAX_UPLOAD_BYTES'] // (1024 * 1024)} MB")
    if content_type not in images.accepted_types(kind):
        raise Problem("upload.unsupported_type", details=limits, type=content_type or "?")
    if total == 0:
        raise Problem("upload.not_an_image", details=limits)
    if start == 0 and len(data) == total:
        return _store(sha256, kind, content_type, data, user)

    upload = _pending(sha256, user, lock=True)
    if upload is None or (start == 0 and upload.total_size != total):
        if upload is not None:
            db.session.delete(upload)
            db.session.flush()
        upload = BlobUpload(sha256=sha256, user_id=user.id, kind=kind, content_type=content_type,
                            total_size=total)
        db.session.add(upload)
        db.session.flush()
    if total != upload.total_size or start != upload.received:
        raise Problem("upload.offset_mismatch",
                      details={"received": upload.received, "size": upload.total_size},
                      received=upload.received)
    db.session.add(UploadPart(upload_id=upload.id, offset=start, data=data))
    upload.received = start + len(data)
    db.session.flush()
    if upload.received < upload.total_size:
        return {"sha256": sha256, "stored": False, "received": upload.received,
                "size": upload.total_size}
    parts = db.session.scalars(sa.select(UploadPart.data).filter_by(upload_id=upload.id)
                               .order_by(UploadPart.offset)).all()
    whole = b"".join(parts)
    # The parts are of no use whatever happens next: a good blob is stored, a bad one is
    # refused, and the refusal must still clear them.
    db.session.delete(upload)
    db.session.flush()
    try:
        return _store(sha256, upload.kind, upload.content_type, whole, user)
    except Problem as problem:
        problem.keep_writes = True
        raise


def _store(sha256: str, kind: str, content_type: str, data: bytes, user: User) -> dict:
    actual = hashlib.sha256(data).hexdigest()
    if actual != sha256:
        raise Problem("upload.hash_mismatch", details={"expected": sha256, "actual": actual})
    if db.session.get(Blob, sha256) is None:
        config = current_app.config
        processed = images.process(data, content_type, kind, config["MAX_IMAGE_PIXELS"])
        keys = storage_keys(sha256, kind)
        store = blob_store()
        store.put(keys["original"], data)
        store.put(keys["display"], processed.display)
        store.put(keys["thumb"], processed.thumb)
        # Another device may have stored the same bytes a moment ago: that is the same blob.
        db.session.execute(_insert_ignore(Blob, ["sha256"], dict(
            sha256=sha256, kind=kind, content_type=content_type, size=len(data),
            width=processed.width, height=processed.height, display_size=len(processed.display),
            exif_taken_at=processed.exif_taken_at, uploaded_by_id=user.id)))
    # Whoever sent bytes that hash right holds the blob, first or not.
    db.session.execute(_insert_ignore(BlobHolder, ["sha256", "user_id"],
                                      dict(sha256=sha256, user_id=user.id)))
    db.session.flush()
    return {"sha256": sha256, "stored": True, "received": len(data), "size": len(data)}


def _insert_ignore(model, key: list[str], values: dict):
    insert = postgresql_insert if db.engine.dialect.name == "postgresql" else sqlite_insert
    return insert(model).values(**values).on_conflict_do_nothing(index_elements=key)
