"""Serving a report version's files: the right type, a safe name, and for the HTML a
Content-Security-Policy that allows its own embedded stylesheet and nothing else."""

from __future__ import annotations

import base64
import hashlib
import re

from flask import Response, abort

from models import ReportVersion

FORMATS = {
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "md": "text/markdown; charset=utf-8",
}
_STYLE = re.compile(r"<style>(.*?)</style>", re.DOTALL)


def html_policy(html: str) -> str:
    """A CSP for a standalone report: no scripts, images only from data: URIs, and only the
    stylesheet the report carries (allowed by its hash)."""
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(m.group(1).encode()).digest()).decode() + "'"
        for m in _STYLE.finditer(html)
    )
    styles = hashes or "'none'"
    return (
        f"default-src 'none'; style-src {styles}; img-src data:; "
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )


def report_file(
    version: ReportVersion, fmt: str, name: str, *, edition: str = "restricted"
) -> Response:
    """The version's ``fmt`` file of ``edition`` ("restricted" or "public"), named
    ``name``.``fmt``: 404 for an unknown format, or for a file not made yet (the version is
    still being generated, or is older than the public edition)."""
    if fmt not in FORMATS or not version.is_ready:
        abort(404)
    files: dict[str, bytes | str | None] = (
        {
            "html": version.public_html,
            "pdf": version.public_pdf,
            "docx": version.public_docx,
            "md": version.public_markdown,
        }
        if edition == "public"
        else {
            "html": version.html,
            "pdf": version.pdf,
            "docx": version.docx,
            "md": version.markdown,
        }
    )
    body = files[fmt]
    if not body:
        abort(404)
    response = Response(body, mimetype=None, content_type=FORMATS[fmt])
    disposition = "inline" if fmt in ("html", "pdf") else "attachment"
    response.headers["Content-Disposition"] = f'{disposition}; filename="{name}.{fmt}"'
    if isinstance(body, str) and fmt == "html":
        response.headers["Content-Security-Policy"] = html_policy(body)
    return response
