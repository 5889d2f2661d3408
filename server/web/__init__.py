"""Serves the built PWA (``pwa/dist``, made by ``npm run build`` in ``pwa/``) at ``/``.

Caching follows what each file is:
- ``/assets/*`` carry a content hash in their names, so they are cached for a year (immutable);
- ``index.html``, ``sw.js`` and ``manifest.webmanifest`` keep their names across versions, so
  they are ``no-cache``: the browser revalidates them and a new service worker is found at once;
- text files are sent gzip-compressed when the browser accepts it (compressed once, then kept).

The folder can be moved with ``PWA_DIST_DIR`` in the app config. When the PWA has not been built
the pages answer 503 with the command that builds it, and the API is unaffected.
"""

import gzip
import hashlib
import mimetypes
from pathlib import Path

from flask import Blueprint, Response, current_app, request

from server.config import REPO_ROOT
from server.core.errors import Problem

web = Blueprint("web", __name__)

NO_CACHE = "no-cache"
IMMUTABLE = "public, max-age=31536000, immutable"
COMPRESSIBLE = {"text/html", "text/css", "text/javascript", "application/javascript",
                "application/manifest+json", "application/json", "image/svg+xml"}
_cache: dict[tuple[str, float], tuple[bytes, bytes, str]] = {}

mimetypes.add_type("application/manifest+json", ".webmanifest")
mimetypes.add_type("text/javascript", ".js")


def init_app(app):
    app.register_blueprint(web)


def dist_dir() -> Path:
    return Path(current_app.config.get("PWA_DIST_DIR") or REPO_ROOT / "pwa" / "dist")


def _send(relative: str, cache_control: str) -> Response:
    root = dist_dir().resolve()
    path = (root / relative).resolve()
    if root not in path.parents or not path.is_file():
        if not (root / "index.html").is_file():
            return Response("The PWA is not built: run `npm ci && npm run build` in pwa/ "
                            "(scripts/serve does it).\n", 503, mimetype="text/plain")
        raise Problem("not_found")
    key = (str(path), path.stat().st_mtime)
    if key not in _cache:
        raw = path.read_bytes()
        _cache[key] = (raw, gzip.compress(raw, 9), hashlib.sha256(raw).hexdigest()[:32])
    raw, compressed, etag = _cache[key]
    mimetype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    use_gzip = mimetype in COMPRESSIBLE and "gzip" in request.headers.get("Accept-Encoding", "")
    response = Response(compressed if use_gzip else raw, mimetype=mimetype)
    if use_gzip:
        response.headers["Content-Encoding"] = "gzip"
    response.headers["Vary"] = "Accept-Encoding"
    response.headers["Cache-Control"] = cache_control
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.set_etag(etag + ("-gz" if use_gzip else ""))
    return response.make_conditional(request)


@web.route("/")
@web.route("/index.html")
def index():
    return _send("index.html", NO_CACHE)


@web.route("/sw.js")
def service_worker():
    return _send("sw.js", NO_CACHE)


@web.route("/manifest.webmanifest")
def manifest():
    return _send("manifest.webmanifest", NO_CACHE)


@web.route("/assets/<path:name>")
def assets(name):
    return _send(f"assets/{name}", IMMUTABLE)


@web.route("/icons/<name>")
def icons(name):
    return _send(f"icons/{name}", "public, max-age=86400")
