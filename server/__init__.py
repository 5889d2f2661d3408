"""Xuncha server: the Flask application factory.

    flask --app server db upgrade          # create / migrate the database
    flask --app server checklists load     # publish checklists/*.yaml
    flask --app server demo                # demo properties, registers and users
"""

from functools import wraps
from importlib import import_module

from flask import Flask

from .config import Defaults, from_environment, normalise_database_url

# The domain packages, lowest first. Each imports only packages before it in this list
# (tests/test_architecture.py), and `create_app` initialises them in this order.
PACKAGES = ("core", "users", "properties", "checklists", "media", "inspections", "reviews",
            "followups", "schedule", "compliance", "sync", "pdf", "reports", "assessments", "backup",
            "demo", "web")


def create_app(config: dict | None = None) -> Flask:
    """Build the app. Order matters and is kept in one place:

    1. configuration: defaults, then environment variables, then ``config`` (tests);
    2. the database and migrations, which every package's models need;
    3. the error envelope, before any blueprint, so every error speaks it;
    4. the API (OpenAPI document), then each domain package's blueprint and CLI commands;
    5. authentication before every request, and one commit per successful API call.
    """
    app = Flask(__name__)
    app.config.from_object(Defaults)
    app.config.update(from_environment())
    app.config.update(config or {})
    app.config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(
        app.config["SQLALCHEMY_DATABASE_URI"])

    from .core import errors
    from .core.api import init_app as init_api
    from .core.db import db, migrate
    db.init_app(app)
    migrate.init_app(app, db, directory=str(_migrations_dir()),
                             render_as_batch=True, compare_type=True)
    _configure_sqlite(app)
    errors.init_app(app)
    init_api(app)

    for name in PACKAGES:
        import_module(f"{__name__}.{name}").init_app(app)

    from .users.access import authenticate_request
    app.before_request(authenticate_request)
    _commit_after_each_successful_view(app)
    return app


def _migrations_dir():
    from .config import REPO_ROOT
    return REPO_ROOT / "migrations"


def _configure_sqlite(app: Flask):
    """SQLite: make the var/ folder, enforce foreign keys and use WAL so readers never block."""
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if not uri.startswith("sqlite"):
        return
    from pathlib import Path

    from sqlalchemy import event

    from .core.db import db
    if uri.startswith("sqlite:///") and ":memory:" not in uri:
        Path(uri.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    with app.app_context():
        engine = db.engine

        @event.listens_for(engine, "connect")
        def on_connect(dbapi_connection, _record):
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=10000")
            cursor.close()


def _commit_after_each_successful_view(app: Flask):
    """The request boundary is the only place a request commits, and it commits once.

    Operations only flush. A view that returns normally is committed here, before the response
    leaves, so a client never hears "stored" for something that was not; a view that raises is
    rolled back by Flask-SQLAlchemy's teardown, unless its problem asks to keep what was written
    (a failed login must still be counted). Small bookkeeping writes registered with
    `write_at_commit` run just before the commit, so a long read holds no write lock.
    """
    from .core.db import db, run_commit_hooks
    from .core.errors import Problem

    def committing(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            try:
                response = view(*args, **kwargs)
            except Problem as problem:
                if problem.keep_writes:
                    db.session.commit()
                raise
            run_commit_hooks()
            db.session.commit()
            return response
        return wrapper

    for endpoint, view in list(app.view_functions.items()):
        if endpoint != "static" and not endpoint.startswith("api-docs."):
            app.view_functions[endpoint] = committing(view)
