"""Configuration in one place, each setting documented beside its default.

Every setting can be overridden by an environment variable of the same name prefixed with
``XUNCHA_`` (``DATABASE_URL`` and ``SECRET_KEY`` are also read without the prefix, as most
hosting platforms set them that way), or by the ``config`` mapping given to ``create_app``.
"""

import json
import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


class Defaults:
    # Embedded default: one SQLite file under var/ so that a single command starts a working
    # system. Production sets DATABASE_URL=postgresql+psycopg://user@host/dbname.
    SQLALCHEMY_DATABASE_URI = f"sqlite:///{REPO_ROOT / 'var' / 'xuncha.sqlite3'}"
    # JSON columns keep Chinese as characters, not \u escapes, so text search finds it.
    SQLALCHEMY_ENGINE_OPTIONS: dict = {
        "json_serializer": lambda value: json.dumps(value, ensure_ascii=False),
    }

    # Signs nothing security-critical today (API tokens are random and stored hashed), but
    # Flask extensions expect it; production must set its own.
    SECRET_KEY = "dev-only-not-secret"

    # Where uploaded photos and signatures are kept: "local" (BLOB_DIR) or "s3".
    BLOB_STORE = "local"
    BLOB_DIR = str(REPO_ROOT / "var" / "blobs")
    # S3-compatible store (BLOB_STORE=s3). Credentials come from the usual AWS_* variables.
    S3_BUCKET = "xuncha"
    S3_PREFIX = ""
    S3_ENDPOINT_URL = None
    S3_REGION = None

    # Largest photo / signature upload accepted (bytes of the original file), and the most
    # pixels an image may decode to: phones send photos downscaled to 1600 px, a camera's own
    # 12-MP file (4000×3000) still fits in 4096×4096; a PNG bomb is 9e8.
    MAX_UPLOAD_BYTES = 25 * 1024 * 1024
    MAX_IMAGE_PIXELS = 4096 * 4096
    # Images decoded at once per app process, and how long an upload waits for its turn
    # before it is answered 503 (retry later).
    DECODE_CONCURRENCY = 2
    DECODE_WAIT_SECONDS = 20
    # Unfinished uploads: per person at most this many and this many bytes held (the least
    # recently touched are dropped first), and none kept longer than this without a new part.
    UPLOAD_PENDING_MAX_COUNT = 10
    UPLOAD_PENDING_MAX_BYTES = 32 * 1024 * 1024
    UPLOAD_PENDING_EXPIRE_HOURS = 72

    # Folder the `checklists load` command reads when no path is given.
    CHECKLISTS_DIR = str(REPO_ROOT / "checklists")

    # API tokens expire after this many days of existence; logout revokes them earlier.
    TOKEN_LIFETIME_DAYS = 30

    # Login throttling (server/users/operations.py, login_blocked_for): past an allowance of
    # failures each further attempt waits, the wait doubling from 1 s to LOGIN_MAX_DELAY_SECONDS;
    # failures older than LOGIN_WINDOW_SECONDS are forgotten. Allowances: one username from one
    # address (LOGIN_MAX_FAILURES), one username from all addresses where it has not logged in
    # within LOGIN_KNOWN_ADDRESS_DAYS (LOGIN_MAX_FAILURES_PER_USER), one address for every
    # username (LOGIN_MAX_FAILURES_PER_ADDRESS; not for usernames that logged in from it). Slows
    # a guesser; never locks the owner out. Counted in the database, so every process agrees.
    LOGIN_MAX_FAILURES = 5
    LOGIN_MAX_FAILURES_PER_USER = 10
    LOGIN_MAX_FAILURES_PER_ADDRESS = 30
    LOGIN_WINDOW_SECONDS = 15 * 60
    LOGIN_MAX_DELAY_SECONDS = 5 * 60
    LOGIN_KNOWN_ADDRESS_DAYS = 30

    # Reverse proxies in front of the app that add X-Forwarded-For / -Proto / -Host (nginx, a
    # load balancer): the client's address is then the one the nearest of them saw. 0 (the
    # default) trusts no such header, as a client could write any address into it; set the
    # exact number of proxies, or every login comes from the proxy's one address.
    TRUSTED_PROXY_HOPS = 0

    # Password for the users the `demo` command creates (printed by the command, in README).
    DEMO_PASSWORD = "xuncha-demo"

    # Due lists and compliance months kept per app process (entries, least recently used
    # dropped first; 0 keeps none). An entry is one rule at one property on one day (or one
    # property's month); every write the rules count renews its property's mark in the database
    # (server/schedule/generations.py), so no process serves a result another one's write made
    # old. Most entries are under 2 KB; a household rule's entry holds its unvisited units.
    RULE_RESULTS_KEPT = 5000

    # Default time zone of new properties; frequency periods are counted in it.
    DEFAULT_TIMEZONE = "Asia/Shanghai"

    # A record that reaches the server this long after the phone says it was completed is
    # marked late (shown with both times; frequency rules say whether late records count).
    RECORD_LATE_AFTER_HOURS = 48
    # How far ahead of the server's clock a phone may say a record was completed: a phone a
    # few minutes fast is normal, one hours ahead would let a record claim a time to come.
    DEVICE_CLOCK_AHEAD_SECONDS = 5 * 60

    # A follow-up or work order still open this many days after its due date lands in the
    # project manager's escalation queue (besides "告知项目经理" answers and 群诉风险 complaints).
    FOLLOWUP_ESCALATE_AFTER_DAYS = 7
    # Share of a month's closed repair work orders drawn for a supervisor's telephone check
    # (seed: 当月抽查20%), in percent.
    FOLLOWUP_SAMPLE_PERCENT = 20

    # Staff monthly assessments are kept at least this many years after their month (seed 002
    # §4.12.1: 保存期限为2年). The app refuses to start with less than 2; nothing deletes them
    # automatically, and the app offers no way to delete one.
    ASSESSMENT_RETENTION_YEARS = 2

    # Request bodies: the app-wide ceiling (photo uploads stay under it), then each JSON
    # endpoint's own limit, refused before the body is read (server/core/limits.py): most take
    # MAX_BODY_BYTES, the unauthenticated login MAX_LOGIN_BODY_BYTES, and a record push or a
    # checklist published MAX_RECORD_BODY_BYTES (a 60-item record with every comment at its
    # 2,000-character limit is under 600 KB). JSON nested deeper than MAX_JSON_DEPTH is refused;
    # a record nests 6 levels.
    MAX_CONTENT_LENGTH = 32 * 1024 * 1024
    MAX_BODY_BYTES = 256 * 1024
    MAX_LOGIN_BODY_BYTES = 4 * 1024
    MAX_RECORD_BODY_BYTES = 2 * 1024 * 1024
    MAX_JSON_DEPTH = 20

    # Batch PDF exports: how jobs run ("thread" in the web process, "rq" on Redis at
    # REDIS_URL, queue EXPORT_RQ_QUEUE, for `rq worker` processes; "inline" runs them before
    # the answer, for debugging), the most records one
    # export may hold, and how long a job may show no progress before it counts as failed.
    EXPORT_QUEUE = "thread"
    REDIS_URL = "redis://127.0.0.1:6379/0"
    EXPORT_RQ_QUEUE = "xuncha-exports"
    EXPORT_MAX_RECORDS = 500
    EXPORT_STALL_SECONDS = 15 * 60
    # Exports under way (queued or running) at once: per person, and for everyone together;
    # beyond them a new export is refused with 429 until one finishes. EXPORT_WORKERS threads
    # per web process render them (EXPORT_QUEUE=thread). A finished file is kept
    # EXPORT_FILE_HOURS, then deleted (at the next export, or `flask pdf purge-exports`).
    EXPORT_MAX_ACTIVE_PER_USER = 2
    EXPORT_MAX_ACTIVE = 8
    EXPORT_WORKERS = 1
    # Processes that render one export job's records (server/pdf/batch.py), a run of
    # EXPORT_RUN_RECORDS records each: WeasyPrint uses one core per process. 0 or 1 renders in
    # the job's own process. Memory: each process holds one run's laid-out pages. The processes
    # are kept EXPORT_PROCESS_IDLE_SECONDS after a job for the next one (starting them costs
    # ~2 s of both cores; idle, they hold ~170 MB each); 0 stops them with each job.
    EXPORT_PROCESSES = 2
    EXPORT_PROCESS_IDLE_SECONDS = 300
    EXPORT_RUN_RECORDS = 10
    EXPORT_FILE_HOURS = 24

    # flask-smorest / OpenAPI document.
    API_TITLE = "Xuncha API"
    API_VERSION = "1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api"
    OPENAPI_JSON_PATH = "openapi.json"
    OPENAPI_REDOC_PATH = None
    OPENAPI_SWAGGER_UI_PATH = None
    JSON_SORT_KEYS = False


_ALIASES = {"SQLALCHEMY_DATABASE_URI": ("XUNCHA_DATABASE_URL", "DATABASE_URL"),
            "SECRET_KEY": ("XUNCHA_SECRET_KEY", "SECRET_KEY")}
_INT_SETTINGS = {"TOKEN_LIFETIME_DAYS", "LOGIN_MAX_FAILURES", "LOGIN_MAX_FAILURES_PER_USER",
                 "LOGIN_MAX_FAILURES_PER_ADDRESS", "LOGIN_WINDOW_SECONDS", "LOGIN_MAX_DELAY_SECONDS",
                 "LOGIN_KNOWN_ADDRESS_DAYS", "TRUSTED_PROXY_HOPS", "MAX_CONTENT_LENGTH",
                 "MAX_BODY_BYTES", "MAX_LOGIN_BODY_BYTES", "MAX_RECORD_BODY_BYTES", "MAX_JSON_DEPTH",
                 "MAX_UPLOAD_BYTES", "MAX_IMAGE_PIXELS", "EXPORT_MAX_RECORDS", "EXPORT_STALL_SECONDS",
                 "EXPORT_MAX_ACTIVE", "EXPORT_MAX_ACTIVE_PER_USER", "EXPORT_WORKERS",
                 "EXPORT_PROCESSES", "EXPORT_RUN_RECORDS", "EXPORT_PROCESS_IDLE_SECONDS",
                 "EXPORT_FILE_HOURS", "RECORD_LATE_AFTER_HOURS", "DEVICE_CLOCK_AHEAD_SECONDS",
                 "DECODE_CONCURRENCY", "DECODE_WAIT_SECONDS", "UPLOAD_PENDING_MAX_COUNT",
                 "UPLOAD_PENDING_MAX_BYTES", "UPLOAD_PENDING_EXPIRE_HOURS",
                 "FOLLOWUP_ESCALATE_AFTER_DAYS", "FOLLOWUP_SAMPLE_PERCENT",
                 "ASSESSMENT_RETENTION_YEARS", "RULE_RESULTS_KEPT"}


def normalise_database_url(url: str) -> str:
    """Accept the common ``postgres://`` / ``postgresql://`` spellings and use psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def from_environment(environ=os.environ) -> dict:
    settings = {}
    for name in dir(Defaults):
        if not name.isupper():
            continue
        for env_name in _ALIASES.get(name, (f"XUNCHA_{name}",)):
            if env_name in environ:
                value = environ[env_name]
                settings[name] = int(value) if name in _INT_SETTINGS else value
                break
    return settings
