"""A :class:`~analysis.documents.model.Document` as PDF.

:func:`to_pdf`: WeasyPrint, fetching nothing but ``data:`` URIs, with every metadata entry
but the title removed (no author, creator, producer, keywords or dates).
"""

from __future__ import annotations

from typing import Any

from analysis.documents.html import to_html
from analysis.documents.model import Document


def _data_only_fetcher() -> Any:
    """A WeasyPrint fetcher that reads ``data:`` URIs only: never a file or the network.

    Any other URL (say, an image a Markdown field points at) is refused by WeasyPrint's own
    protocol check; WeasyPrint logs it and leaves the resource out of the PDF.
    """
    import weasyprint  # WeasyPrint is slow to import: only when a PDF is made

    return weasyprint.URLFetcher(allowed_protocols=("data",))


def _strip_pdf_metadata(_document: Any, pdf: Any) -> None:
    """Keep only the title in the PDF's Info dictionary (no producer, creator, dates)."""
    for key in list(pdf.info):
        if key != "Title":
            del pdf.info[key]


def to_pdf(doc: Document) -> bytes:
    """Render ``doc`` to PDF bytes with WeasyPrint.

    The only metadata written is the title. Images must be embedded (``data:`` URIs); any
    other URL is not fetched and the resource is left out.
    """
    import weasyprint  # WeasyPrint is slow to import: only when a PDF is made

    page = weasyprint.HTML(string=to_html(doc), url_fetcher=_data_only_fetcher(), base_url=".")
    rendered = page.render()
    metadata = rendered.metadata
    metadata.authors = []
    metadata.description = None
    metadata.keywords = []
    metadata.generator = None
    metadata.created = None
    metadata.modified = None
    # Tagged PDF: headings, lists and tables stay readable by screen readers.
    pdf: bytes = rendered.write_pdf(finisher=_strip_pdf_metadata, pdf_tags=True)
    return pdf
