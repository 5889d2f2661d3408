"""Where blob files live: a local folder (embedded default) or an S3-compatible bucket.

Both keep one promise: `put` returns only when the bytes are durable, so the server never
answers "stored" for something a crash could still lose.
"""

import os
import shutil
import tempfile
from pathlib import Path

from flask import current_app

_CHUNK = 1024 * 1024


class LocalBlobStore:
    def __init__(self, root: str):
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        return self.root / key

    def put(self, key: str, data: bytes):
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        # Write to a temporary file, fsync, then rename: readers see the whole file or none,
        # and the directory entry is fsynced too so the rename survives a power cut.
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".part-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        directory = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)

    def put_file(self, key: str, source: str):
        """Store the file at ``source`` (a finished export), read in chunks, never whole."""
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".part-")
        try:
            with os.fdopen(fd, "wb") as handle, open(source, "rb") as data:
                shutil.copyfileobj(data, handle, _CHUNK)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def get(self, key: str) -> bytes:
        return self._path(key).read_bytes()

    def open(self, key: str):
        """A binary file object of the stored bytes, to stream an answer from."""
        return self._path(key).open("rb")

    def delete(self, key: str):
        self._path(key).unlink(missing_ok=True)

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()


class S3BlobStore:
    """S3-compatible object storage (production). PutObject is durable when it returns."""

    def __init__(self, bucket: str, prefix: str = "", **client_options):
        import boto3
        self.bucket = bucket
        self.prefix = prefix
        self.client = boto3.client("s3", **{k: v for k, v in client_options.items() if v})

    def put(self, key: str, data: bytes):
        self.client.put_object(Bucket=self.bucket, Key=self.prefix + key, Body=data)

    def put_file(self, key: str, source: str):
        # Multipart for large files, read from disk in parts.
        self.client.upload_file(source, self.bucket, self.prefix + key)

    def get(self, key: str) -> bytes:
        return self.client.get_object(Bucket=self.bucket, Key=self.prefix + key)["Body"].read()

    def open(self, key: str):
        return self.client.get_object(Bucket=self.bucket, Key=self.prefix + key)["Body"]

    def delete(self, key: str):
        self.client.delete_object(Bucket=self.bucket, Key=self.prefix + key)

    def exists(self, key: str) -> bool:
        from botocore.exceptions import ClientError
        try:
            self.client.head_object(Bucket=self.bucket, Key=self.prefix + key)
            return True
        except ClientError:
            return False


def make_blob_store(config) -> LocalBlobStore | S3BlobStore:
    if config["BLOB_STORE"] == "s3":
        return S3BlobStore(config["S3_BUCKET"], config["S3_PREFIX"],
                           endpoint_url=config["S3_ENDPOINT_URL"],
                           region_name=config["S3_REGION"])
    if config["BLOB_STORE"] != "local":
        raise ValueError(f"BLOB_STORE must be 'local' or 's3', not {config['BLOB_STORE']!r}")
    return LocalBlobStore(config["BLOB_DIR"])


def blob_store():
    return current_app.extensions["xuncha.blob_store"]
