"""Photos and signatures: resumable uploads, image checks, durable blob storage."""

from server.core.api import api

from . import models  # noqa: F401  (registers the tables)
from .blueprint import blp
from .storage import make_blob_store


def init_app(app):
    app.extensions["xuncha.blob_store"] = make_blob_store(app.config)
    api.register_blueprint(blp)
