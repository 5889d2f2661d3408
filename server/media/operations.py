"""Receiving blobs: whole or in parts, verified by hash, stored durably, idempotent."""

import hashlib
import re
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from server.core.db import db, utcnow
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


def parse_content_range(header: str | None, body_length: int,
                        cut: bool = False) -> tuple[int, int]:
    """(start, total) of this part; a request without Content-Range is the whole blob.

    ``cut``: the connection broke before the whole body arrived. The part then holds fewer
    bytes than its header declares, and those that arrived are still worth keeping.
    """
    if not header:
        return 0, body_length
    match = _RANGE.match(header.strip())
    if not match:
        raise Problem("upload.bad_range")
    start, end, total = (int(group) for group in match.groups())
    declared = end - start + 1
    if end < start or end >= total or (declared < body_length if cut else declared != body_length):
        raise Problem("upload.bad_range")
    return start, total


def check_part_start(sha256: str, content_range: str | None, user: User):
    """Refuse, before its body is read, a part that does not start where the caller's
    unfinished upload of this blob ends (409 upload.offset_mismatch, as `receive` would after
    reading it). Browsers resend a request cut off on a kept-alive connection by themselves,
    from its first byte: answered at once, that resend costs a round trip instead of the whole
    part again, and the client continues from ``received``. Only parts (Content-Range) of an
    upload under way with the same total; everything else is `receive`'s to judge."""
    match = _RANGE.match(content_range.strip()) if content_range else None
    if not match:
        return
    start, _end, total = (int(group) for group in match.groups())
    upload = _pending(sha256, user)
    if upload is None or upload.total_size != total or start == upload.received:
        return
    blob = db.session.get(Blob, sha256)
    if blob is not None and may_read(sha256, user):
        return
    raise Problem("upload.offset_mismatch",
                  details={"received": upload.received, "size": upload.total_size},
                  received=upload.received)


def receive(sha256: str, kind: str, content_type: str, data: bytes, content_range: str | None,
            user: User, cut_total: int | None = None) -> dict:
    """Store one part (or all) of a blob. Idempotent: a stored blob is answered at once.

    ``cut_total``: the request was cut off, ``data`` is what arrived of a body meant to be
    this long. What arrived is kept as a part, so the client resumes from there instead of
    sending the whole part again.
    """
    config = current_app.config
    blob = db.session.get(Blob, sha256)
    if blob is not None and may_read(sha256, user):
        return _stored_status(blob)
    upload = _pending(sha256, user, lock=True)
    if upload is not None and upload.received == upload.total_size and not data:
        # Every byte arrived earlier but the upload was never assembled (the process stopped
        # in between): an empty part finishes it.
        return _assemble(upload, user)
    cut = cut_total is not None
    if cut and not content_range:
        content_range = f"bytes 0-{cut_total - 1}/{cut_total}" if cut_total else None
    start, total = parse_content_range(content_range, len(data), cut=cut)
    limits = {"max_bytes": config["MAX_UPLOAD_BYTES"],
              "accepted_types": sorted(images.accepted_types(kind))}
    if total > config["MAX_UPLOAD_BYTES"]:
        raise Problem("upload.too_large", details=limits,
                      limit=f"{config['MAX_UPLOAD_BYTES'] // (1024 * 1024)} MB")
    if content_type not in images.accepted_types(kind):
        raise Problem("upload.unsupported_type", details=limits, type=content_type or "?")
    if total == 0:
        raise Problem("upload.not_an_image", details=limits)
    if start == 0:
        # The first bytes say what the file is: refuse a mislabelled file at its first part,
        # not after all of it has been sent.
        images.check_signature(data, content_type, kind)
    if start == 0 and len(data) == total:
        return _store(sha256, kind, content_type, data, user)
    if cut and not data:
        return upload_status(sha256, user)

    if upload is None or (start == 0 and upload.total_size != total):
        if upload is not None:
            db.session.delete(upload)
            db.session.flush()
        _make_room(user, total)
        upload = BlobUpload(sha256=sha256, user_id=user.id, kind=kind, content_type=content_type,
                            total_size=total)
        db.session.add(upload)
        db.session.flush()
    if total != upload.total_size:
        raise Problem("upload.size_mismatch",
                      details={"received": upload.received, "size": upload.total_size},
                      size=upload.total_size)
    if start != upload.received:
        raise Problem("upload.offset_mismatch",
                      details={"received": upload.received, "size": upload.total_size},
                      received=upload.received)
    _make_room(user, len(data), keep=upload.id)
    db.session.add(UploadPart(upload_id=upload.id, offset=start, data=data))
    upload.received = start + len(data)
    upload.updated_at = utcnow()
    db.session.flush()
    if upload.received < upload.total_size:
        return {"sha256": sha256, "stored": False, "received": upload.received,
                "size": upload.total_size}
    return _assemble(upload, user)


def _assemble(upload: BlobUpload, user: User) -> dict:
    parts = db.session.scalars(sa.select(UploadPart.data).filter_by(upload_id=upload.id)
                               .order_by(UploadPart.offset)).all()
    whole = b"".join(parts)
    # The parts are of no use whatever happens next: a good blob is stored, a bad one is
    # refused, and the refusal must still clear them.
    sha256, kind, content_type = upload.sha256, upload.kind, upload.content_type
    db.session.delete(upload)
    db.session.flush()
    try:
        return _store(sha256, kind, content_type, whole, user)
    except Problem as problem:
        problem.keep_writes = True
        raise


def _make_room(user: User, incoming: int, keep: int | None = None):
    """Unfinished uploads are bounded per person, in number and in bytes, and expire.

    Parts wait in the database, where every app process finds the next one. So that nobody can
    fill it with uploads they never finish, an upload untouched for UPLOAD_PENDING_EXPIRE_HOURS
    is dropped (anyone's, whenever an upload starts), and someone who starts more than
    UPLOAD_PENDING_MAX_COUNT, or holds more than UPLOAD_PENDING_MAX_BYTES unfinished, loses
    their own least recently touched ones first. A phone sends one blob at a time, so it never
    meets these limits; a dropped upload simply starts again from byte 0.
    """
    config = current_app.config
    now = utcnow()
    if keep is None:
        db.session.execute(sa.delete(BlobUpload).where(
            BlobUpload.updated_at < now - timedelta(hours=config["UPLOAD_PENDING_EXPIRE_HOURS"])))
    mine = db.session.execute(
        sa.select(BlobUpload.id, BlobUpload.received).where(BlobUpload.user_id == user.id)
        .order_by(BlobUpload.updated_at, BlobUpload.id)).all()
    count = len(mine) + (1 if keep is None else 0)
    held = sum(received for _id, received in mine) + incoming
    max_bytes = max(config["UPLOAD_PENDING_MAX_BYTES"], config["MAX_UPLOAD_BYTES"])
    dropped = []
    for upload_id, received in mine:
        if count <= config["UPLOAD_PENDING_MAX_COUNT"] and held <= max_bytes:
            break
        if upload_id == keep:
            continue
        dropped.append(upload_id)
        count -= 1
        held -= received
    if dropped:
        db.session.execute(sa.delete(UploadPart).where(UploadPart.upload_id.in_(dropped)))
        db.session.execute(sa.delete(BlobUpload).where(BlobUpload.id.in_(dropped)))
    db.session.flush()


def _store(sha256: str, kind: str, content_type: str, data: bytes, user: User) -> dict:
    actual = hashlib.sha256(data).hexdigest()
    if actual != sha256:
        raise Problem("upload.hash_mismatch", details={"expected": sha256, "actual": actual})
    if db.session.get(Blob, sha256) is None:
        config = current_app.config
        with images.decoding_slot(config["DECODE_CONCURRENCY"], config["DECODE_WAIT_SECONDS"]):
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
