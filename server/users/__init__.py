"""People, roles, logins and API tokens; who serves which property; who is asking."""

from server.core.api import api

from . import models  # noqa: F401  (registers the tables)
from .blueprint import auth, users


def init_app(app):
    api.register_blueprint(auth)
    api.register_blueprint(users)
