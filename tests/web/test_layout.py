"""Every page: security headers, the stylesheet, the language switch, the phone layout."""

from __future__ import annotations

import itertools
import re

import pytest

from workflow.extensions import db
from workflow.web.language import COOKIE

from .helpers import csrf_token, sign_in, text

REQUIRED_CSP = ("object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'")


def csp_directives(header: str) -> dict[str, str]:
    return {
        part.strip().split(" ", 1)[0]: part.strip().partition(" ")[2]
        for part in header.split(";")
        if part.strip()
    }


@pytest.mark.parametrize("url", ["/", "/login", "/commitments/999999", "/health", "/api/v1/me"])
def test_every_response_carries_the_security_headers(client, url):
    response = client.get(url)
    csp = response.headers["Content-Security-Policy"]
    for directive in REQUIRED_CSP:
        assert directive in csp
    directives = csp_directives(csp)
    assert directives["script-src"] == "'self'"  # no 'unsafe-inline', no other origin
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    response.close()
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in response.headers  # plain HTTP: HSTS means nothing


def test_hsts_over_https(client):
    response = client.get("/", base_url="https://cocreate.test")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    assert int(response.headers["Strict-Transport-Security"].split("=")[1]) >= 31536000


def test_hsts_behind_a_proxy_that_says_https(app, client):
    app.config["PROXY_COUNT"] = 1  # read when the app is made: this one trusts no proxy
    response = client.get("/", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" not in response.headers
    app.config["PROXY_COUNT"] = 0


def test_signed_in_pages_are_never_stored(browser, member):
    anonymous = browser.get("/")
    assert "no-store" not in anonymous.headers.get("Cache-Control", "")
    sign_in(browser, member.email)
    for url in ("/", "/login?next=/"):
        response = browser.get(url)
        assert response.headers["Cache-Control"] == "no-store", url


def test_pages_have_no_inline_script_or_style(client, demo):
    for url in ("/", f"/commitments/{demo.commitments[0].id}", "/login"):
        body = client.get(url).get_data(as_text=True)
        assert "<script" not in body and "<style" not in body, url
        assert not re.search(r"\sstyle=", body), url
        assert not re.search(r"\son[a-z]+=", body), url  # no inline event handlers


def test_the_stylesheet_is_served_by_the_app_and_cached_by_version(client):
    body = client.get("/").get_data(as_text=True)
    href = re.search(r'<link rel="stylesheet" href="([^"]+)">', body).group(1)
    assert href.startswith("/static/cocreate.css?v=")
    response = client.get(href, buffered=True)
    assert response.status_code == 200
    assert response.mimetype == "text/css"
    assert "immutable" in response.headers["Cache-Control"]
    css = response.get_data(as_text=True)
    assert ":focus-visible" in css  # keyboard focus is always visible
    assert "overflow-wrap:anywhere" in css  # long words and URLs wrap on a phone
    assert "table.stack" in css and "attr(data-label)" in css  # tables stack on a phone
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_tables_stack_with_a_label_on_every_cell(client, demo):
    for url in ("/", f"/commitments/{demo.commitments[0].id}"):
        body = text(client.get(url))
        assert '<table class="stack">' in body
        assert "<table>" not in body
        cells = re.findall(r"<td[^>]*>", body)
        assert cells and all("data-label=" in cell for cell in cells), url


def heading_levels(body: str) -> list[int]:
    return [int(level) for level in re.findall(r"<h([1-6])[\s>]", body)]


def test_headings_are_in_order(client, demo):
    for url in ("/", "/login", f"/commitments/{demo.commitments[0].id}"):
        levels = heading_levels(text(client.get(url)))
        assert levels[0] == 1 and levels.count(1) == 1, url
        assert all(b - a <= 1 for a, b in itertools.pairwise(levels)), (url, levels)


def test_every_page_has_a_navigation_a_skip_link_and_the_language_switch(browser, member):
    assert "Set-Cookie" not in browser.get("/").headers  # a public page sets no session
    body = text(browser.get("/login?next=/x"))
    assert '<a class="skip" href="#content">' in body and '<main id="content">' in body
    assert '<nav class="site-nav"' in body
    # Anonymous: links that keep the page and its query, so public pages set no session cookie.
    assert '<strong lang="en" aria-current="true">English</strong>' in body
    assert '<a href="/login?next=%2Fx&amp;lang=mn" hreflang="mn" lang="mn">Монгол</a>' in (
        browser.get("/login?next=/x").get_data(as_text=True)
    )
    # Signed in: a form that saves the choice to the account.
    sign_in(browser, member.email)
    body = text(browser.get("/"))
    assert 'name="language" value="en"' in body and 'name="language" value="mn"' in body


def test_lang_in_the_address_switches_the_page_and_is_remembered(browser):
    client = browser
    response = client.get("/?lang=mn")
    assert '<html lang="mn">' in text(response)
    assert f"{COOKIE}=mn" in response.headers["Set-Cookie"]
    assert '<html lang="mn">' in text(client.get("/login"))  # the cookie carries it on
    assert '<html lang="en">' in text(client.get("/login?lang=en"))
    assert '<html lang="en">' in text(client.get("/"))
    assert '<html lang="en">' in text(client.get("/?lang=xx"))  # an unknown code is ignored


def test_the_switch_remembers_the_language_for_an_anonymous_visitor(browser):
    browser.get("/?lang=mn")
    assert '<html lang="mn">' in text(browser.get("/"))
    browser.get("/?lang=en")
    token = csrf_token(browser, "/login")
    response = browser.post(
        "/language", data={"csrf_token": token, "language": "mn", "next": "/login?lang=en&x=1"}
    )
    assert response.status_code == 302
    assert response.location == "/login?x=1"  # the old `lang` would override the choice
    assert '<html lang="mn">' in text(browser.get("/"))
    assert '<strong lang="mn" aria-current="true">Монгол</strong>' in text(browser.get("/"))


def test_the_switch_remembers_the_language_for_the_account(browser, member):
    sign_in(browser, member.email)
    token = csrf_token(browser, "/")
    browser.post("/language", data={"csrf_token": token, "language": "mn", "next": "/"})
    db.session.refresh(member)
    assert member.language == "mn"
    browser.delete_cookie(COOKIE)
    assert '<html lang="mn">' in text(browser.get("/"))  # from the account, not the cookie


def test_the_switch_needs_its_csrf_token_and_a_known_language(browser):
    assert browser.post("/language", data={"language": "mn"}).status_code == 400
    token = csrf_token(browser, "/login")
    assert (
        browser.post("/language", data={"csrf_token": token, "language": "fr"}).status_code == 400
    )
    response = browser.post(
        "/language", data={"csrf_token": token, "language": "mn", "next": "https://evil.example/"}
    )
    assert response.location == "/"


def test_error_pages_keep_the_layout_and_say_what_to_do(browser, cast):
    missing = browser.get("/no-such-page?lang=mn")
    assert missing.status_code == 404
    body = text(missing)
    assert '<html lang="mn">' in body and '<nav class="site-nav"' in body
    assert "Not Found" not in body  # Werkzeug's English page is not what people see
    cast.drafter.set_password("a long passphrase")
    sign_in(browser, cast.drafter.email)
    refused = browser.get(f"/plans/{cast.plan.slug}/members?lang=en")
    assert refused.status_code == 403
    assert "Your roles do not allow this." in text(refused)
    assert refused.headers["Cache-Control"] == "no-store"
    expired = browser.post("/logout", data={"csrf_token": "stale"})
    assert expired.status_code == 400
    assert "This form has expired or was not sent from this site." in text(expired)
    assert '<nav class="site-nav"' in text(expired)


def test_headings_are_in_order_on_the_signed_in_pages(browser, cast, create_user_):
    admin = create_user_(password="a long passphrase", is_admin=True)
    sign_in(browser, admin.email)
    pages = [
        "/account",
        "/admin/accounts",
        "/admin/organisations",
        f"/plans/{cast.plan.slug}/members",
        "/password/forgot",
    ]
    for url in pages:
        response = browser.get(url)
        assert response.status_code == 200, url
        levels = heading_levels(text(response))
        assert levels[0] == 1 and levels.count(1) == 1, url
        assert all(b - a <= 1 for a, b in itertools.pairwise(levels)), (url, levels)
        assert '<table class="stack">' in text(response) or "<table" not in text(response)
