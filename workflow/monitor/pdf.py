"""Render the printed plan as PDF with WeasyPrint (it needs Pango on the system)."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit


def html_to_pdf(html: str, static_folder: str) -> bytes:
    """Return the PDF of an HTML page laid out with its print stylesheet."""
    from weasyprint import HTML  # imported here: loading Pango costs time at start-up

    folder = Path(static_folder).resolve()

    def fetch_static(url: str) -> dict[str, Any]:
        # Read the page's stylesheets from disk; never fetch over the network, which could
        # wait on this very server or reach a host the page names.
        path = urlsplit(url).path
        if not path.startswith("/static/"):
            raise ValueError(f"not fetched for the PDF: {url}")
        target = (folder / path.removeprefix("/static/")).resolve()
        if folder not in target.parents or not target.is_file():
            raise ValueError(f"not a static file: {url}")
        return {"string": target.read_bytes(), "mime_type": "text/css"}

    return HTML(
        string=html, base_url="http://cocreate.invalid/", url_fetcher=fetch_static
    ).write_pdf()
