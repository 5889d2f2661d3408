"""Security headers on every answer, and the trusted-proxy setting.

The PWA keeps its API token in localStorage, so script injected into the page could read it.
The policy below is what makes that acceptable (docs/architecture.md, "The token on the
phone"): only the app's own script files run (no inline script, no eval, no other origin), the
page talks only to its own origin, cannot be framed, and sends no Referer.
"""

from flask import request
from werkzeug.middleware.proxy_fix import ProxyFix

CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    # The app's styles are files; the one dynamic width (compliance bars) is set through the
    # DOM, which style-src does not restrict.
    "style-src 'self'",
    # Photos shown from IndexedDB are blob: URLs; a signature pad's preview is a data: URL.
    "img-src 'self' blob: data:",
    "connect-src 'self'",
    "worker-src 'self'",
    "manifest-src 'self'",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))

SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",  # frame-ancestors for browsers that predate it
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "geolocation=(), microphone=(), payment=(), usb=()",
}


def add_security_headers(response):
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if request.path.startswith("/api/") and "Cache-Control" not in response.headers:
        # Answers hold residents' names, addresses and keys: no shared browser or proxy cache
        # keeps them. (The phone keeps what it needs in its own storage; photos say otherwise.)
        response.headers["Cache-Control"] = "no-store"
    return response


def trust_proxies(app):
    """Use the client address a reverse proxy reports, for exactly TRUSTED_PROXY_HOPS proxies
    (X-Forwarded-For, -Proto, -Host); with 0, those headers are ignored."""
    hops = app.config["TRUSTED_PROXY_HOPS"]
    if hops > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)


def init_app(app):
    trust_proxies(app)
    app.after_request(add_security_headers)
