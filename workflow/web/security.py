"""Headers every response carries: what the browser may load, cache and tell other sites."""

from __future__ import annotations

from flask import Flask, request
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.wrappers import Response

# No inline script or style anywhere: everything the pages need is served by the app itself.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "form-action 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    )
)
ONE_YEAR = 365 * 24 * 3600
NO_STORE = "cocreate.no_store"  # kept with the request itself, never in a shared `g`


def init_security(app: Flask) -> None:
    """Trust the configured proxies and add the security headers to every response."""
    proxies = int(app.config.get("PROXY_COUNT") or 0)
    if proxies:
        # Behind a TLS proxy: the client's address (sign-in throttling) and scheme (HSTS).
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies
        )
    app.after_request(add_security_headers)


def no_store() -> None:
    """Mark this response as never to be cached (a page with a secret in its address, say)."""
    request.environ[NO_STORE] = True


def add_security_headers(response: Response) -> Response:
    """Set CSP, nosniff, the referrer policy, HSTS over HTTPS and the caching rule."""
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    # Links to other sites do not reveal which page (or which reset link) they came from.
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", f"max-age={2 * ONE_YEAR}")
    if request.endpoint == "static":
        if request.args.get("v"):  # the address changes with the content: cache it for long
            headers["Cache-Control"] = f"public, max-age={ONE_YEAR}, immutable"
        return response
    if request.environ.get(NO_STORE) or _signed_in() or "Authorization" in request.headers:
        # A signed-in page must not outlive the session in a shared or back-button cache.
        headers["Cache-Control"] = "no-store"
    response.vary.add("Cookie")
    return response


def _signed_in() -> bool:
    try:
        return bool(current_user.is_authenticated)
    except Exception:  # no user loader ran (an error before the request was set up)
        return False
