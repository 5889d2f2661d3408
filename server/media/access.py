"""Who may see a blob, and who may attach one to what they write.

A photo is evidence in a record (or a follow-up) of one property: people who may see that
record may see the photo, nobody else. Before any record holds it, only whoever sent its bytes
may. Citing follows reading: a record may name a stored blob only if its author may already
read it, so nobody gains another property's photo by naming its hash in a record of their own,
and a patrol moved off a property does not regain its photos that way.
"""

import sqlalchemy as sa
from flask import current_app

from server.core.db import db
from server.core.errors import Problem
from server.users.access import visible_property_ids
from server.users.models import User

from .models import Blob, BlobHolder
from .signals import blob_holders


def _holding_properties(hashes: list[str]) -> dict[str, set[int]]:
    """For each blob, the properties whose records or follow-ups reference it."""
    holding = {sha: set() for sha in hashes}
    for _receiver, query in blob_holders.send(current_app._get_current_object(),
                                              sha256s=hashes):
        for sha, property_id in db.session.execute(query.distinct()):
            holding[sha].add(property_id)
    return holding


def _readable(holding: set[int], visible: list[int] | None, holds_it) -> bool:
    elsewhere = set() if visible is None else holding - set(visible)
    if holding - elsewhere:
        return True
    return not elsewhere and holds_it()


def holds(sha256: str, user: User) -> bool:
    return db.session.get(BlobHolder, (sha256, user.id)) is not None


def may_read(sha256: str, user: User) -> bool:
    # One reading of where the blob is held, so a record stored meanwhile by another request
    # (the same push sent twice) cannot make the answer flip halfway.
    return _readable(_holding_properties([sha256])[sha256], visible_property_ids(user),
                     lambda: holds(sha256, user))


def check_citable(hashes, user: User):
    """Refuse (422) a write that names stored blobs its author may not read. A blob not stored
    yet may be named: it is uploaded after the record, and its bytes prove it."""
    hashes = sorted(set(hashes))
    if not hashes:
        return
    stored = sorted(db.session.scalars(sa.select(Blob.sha256).where(Blob.sha256.in_(hashes))))
    if not stored:
        return
    # The same rule as may_read, asked for all of a record's blobs at once: a few queries per
    # push, not three per photo.
    holding = _holding_properties(stored)
    visible = visible_property_ids(user)
    held = set(db.session.scalars(sa.select(BlobHolder.sha256).where(
        BlobHolder.user_id == user.id, BlobHolder.sha256.in_(stored))))
    foreign = [sha for sha in stored
               if not _readable(holding[sha], visible, lambda sha=sha: sha in held)]
    if foreign:
        raise Problem("upload.not_citable", details={"attachments": foreign})
