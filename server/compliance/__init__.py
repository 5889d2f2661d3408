"""Compliance: did every required inspection happen as often as the standard demands?"""

from server.core.api import api

from .blueprint import blp


def init_app(app):
    api.register_blueprint(blp)
