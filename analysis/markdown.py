"""Markdown to safe HTML: rendered with Python-Markdown, then sanitised with nh3.

Sanitising after rendering is what makes it safe: whatever the Markdown (or raw HTML inside
it) produces, only the allow-listed tags and attributes below survive, and links may only use
http, https and mailto.
"""

from __future__ import annotations

import html
import re

import markdown as md
import nh3

ALLOWED_TAGS = frozenset(
    {
        "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "dl", "dt", "em", "h2", "h3",
        "h4", "h5", "h6", "hr", "i", "li", "ol", "p", "pre", "strong", "sub", "sup", "table",
        "tbody", "td", "th", "thead", "tr", "ul",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "th": {"scope"}}
ALLOWED_URL_SCHEMES = frozenset({"http", "https", "mailto"})
# Python-Markdown turns a tab into spaces ("java    script:"), which browsers do not read as a
# scheme; links whose scheme only appears once whitespace and control characters are removed
# are dropped anyway, as defence in depth.
_URL_ATTRIBUTES = frozenset({"href", "src"})
_SQUEEZE = re.compile(r"[\x00-\x20\x7f]+")
_SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*):")


def _url_is_allowed(value: str) -> bool:
    scheme = _SCHEME.match(_SQUEEZE.sub("", value).lower())
    return scheme is None or scheme.group(1) in ALLOWED_URL_SCHEMES


def _filter_attribute(_tag: str, attribute: str, value: str) -> str | None:
    if attribute in _URL_ATTRIBUTES and not _url_is_allowed(value):
        return None
    return value


def sanitise_html(html: str) -> str:
    """Keep only the allow-listed tags, attributes and URL schemes of ``html``."""
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(ALLOWED_URL_SCHEMES),
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
        attribute_filter=_filter_attribute,
    )


def render_markdown(text: str) -> str:
    """Render Markdown ``text`` to HTML that is safe to put into a page."""
    html = md.markdown(text or "", extensions=["tables", "sane_lists"], output_format="html")
    return sanitise_html(html)


# What in Markdown source could carry HTML, an entity-obfuscated URL or a link: a block with
# none of these renders the same in any Markdown reader as through ``render_markdown``.
_RISKY_SOURCE = re.compile(r"[<&\x00-\x08\x0b\x0c\x0e-\x1f\x7f]|\]\s*[(\[:]|^\s*\[[^\]]*\]:", re.M)


def safe_markdown_source(text: str) -> str:
    """Markdown ``text`` for a downloaded .md file, as safe as the HTML output: returned as
    written when it holds no raw HTML, entity or link; otherwise as the sanitised HTML that
    ``render_markdown`` makes of it, on one line in a ``<div>`` (an HTML block that every
    Markdown reader passes through as it is, with nothing in it left to run)."""
    if not _RISKY_SOURCE.search(text):
        return text
    rendered = render_markdown(text).strip().replace("\r", "").replace("\n", "&#10;")
    return f"<div>{rendered}</div>"


_BLOCK_TAG = re.compile(
    r"</?(?:p|br|li|ul|ol|h[1-6]|blockquote|pre|table|thead|tbody|tr|td|th|dl|dt|dd|hr)\b[^>]*>",
    re.IGNORECASE,
)
_TAG = re.compile(r"<[^>]*>")


def markdown_text(text: str) -> str:
    """What a reader sees of Markdown ``text``: rendered and sanitised as for a page, with the
    tags removed (a block ends a line; "Ker<strong>ry</strong>" is "Kerry") and character
    references resolved ("K&#101;rry" is "Kerry")."""
    rendered = render_markdown(text)
    return html.unescape(_TAG.sub("", _BLOCK_TAG.sub("\n", rendered)))
