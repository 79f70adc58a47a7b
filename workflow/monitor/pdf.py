"""Render the printed plan as PDF with WeasyPrint (it needs Pango on the system)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit


def html_to_pdf(html: str, static_folder: str) -> bytes:
    """Return the PDF of an HTML page laid out with its print stylesheet."""
    # Imported here: loading Pango costs time, and only this page needs it.
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    folder = Path(static_folder).resolve()

    class StaticFiles(URLFetcher):
        """Read the page's stylesheets from disk; fetch nothing over the network.

        A request to this very server could wait on itself, and one elsewhere could reach a
        host a commitment's text names.
        """

        def fetch(self, url: str, headers: object = None) -> URLFetcherResponse:
            path = urlsplit(url).path
            target = (folder / path.removeprefix("/static/")).resolve()
            if not path.startswith("/static/") or folder not in target.parents:
                raise ValueError(f"not fetched for the PDF: {url}")
            if not target.is_file():
                raise ValueError(f"no such static file: {url}")
            return URLFetcherResponse(
                url, body=target.read_bytes(), headers={"Content-Type": "text/css"}
            )

    document = HTML(string=html, base_url="http://cocreate.invalid/", url_fetcher=StaticFiles())
    return document.write_pdf()
