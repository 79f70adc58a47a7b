"""Render the printed plan as PDF with WeasyPrint (it needs Pango on the system)."""

from __future__ import annotations


def html_to_pdf(html: str, base_url: str) -> bytes:
    """Return the PDF of an HTML page laid out with its print stylesheet."""
    from weasyprint import HTML  # imported here: loading Pango costs time at start-up

    return HTML(string=html, base_url=base_url).write_pdf()
