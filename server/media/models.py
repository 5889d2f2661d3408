from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from server.core.db import UTCDateTime, db, utcnow


class Blob(db.Model):
    """A stored photo or signature, named by the SHA-256 of the bytes the phone sent.

    A row exists only once every stored file of the blob (original, display copy, thumbnail)
    has been written durably: a row means "stored", never "partly stored".
    """

    __tablename__ = "blobs"
    __table_args__ = (sa.CheckConstraint("kind IN ('photo', 'signature')", name="kind"),)

    sha256: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(12))
    content_type: Mapped[str] = mapped_column(sa.String(40))  # of the original upload
    size: Mapped[int]                                          # bytes of the original upload
    width: Mapped[int]                                         # of the display copy
    height: Mapped[int]
    display_size: Mapped[int]
    # From EXIF DateTimeOriginal when the photo has one: the camera's local time, as written.
    exif_taken_at: Mapped[str | None] = mapped_column(sa.String(32))
    uploaded_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class BlobUpload(db.Model):
    """An upload in progress. Kept in the database, so any app process can take the next part
    and a cut connection resumes where the server's copy ends."""

    __tablename__ = "blob_uploads"
    __table_args__ = (sa.UniqueConstraint("sha256", "user_id", name="uq_blob_uploads_sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(sa.String(64))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(12))
    content_type: Mapped[str] = mapped_column(sa.String(40))
    total_size: Mapped[int]
    received: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class UploadPart(db.Model):
    __tablename__ = "upload_parts"

    upload_id: Mapped[int] = mapped_column(sa.ForeignKey("blob_uploads.id", ondelete="CASCADE"),
                                           primary_key=True)
    offset: Mapped[int] = mapped_column(primary_key=True)
    data: Mapped[bytes] = mapped_column(sa.LargeBinary)


class BlobHolder(db.Model):
    """Someone who sent the server a blob's bytes, verified by its hash.

    Holding a blob lets its holder attach it to a record until a record or follow-up holds it;
    from then on, who may see the blob is decided by who may see those. A second person who
    sends the same bytes becomes a holder too: having the bytes proves they are theirs to cite.
    """

    __tablename__ = "blob_holders"

    sha256: Mapped[str] = mapped_column(sa.ForeignKey("blobs.sha256", ondelete="CASCADE"),
                                        primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
