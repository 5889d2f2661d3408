"""Pull: what a phone needs to work offline, as a delta since its last cursor."""

from server.core.api import api

from .blueprint import blp


def init_app(app):
    api.register_blueprint(blp)
