"""Every known XSS vector comes out of render_markdown harmless."""

from __future__ import annotations

import pytest

from analysis.markdown import ALLOWED_TAGS, render_markdown
from tests.xss_vectors import VECTORS, unsafe_parts


def test_the_corpus_is_big_enough() -> None:
    assert len(VECTORS) >= 300


@pytest.mark.parametrize("vector", VECTORS)
def test_vector_is_neutralised(vector: str) -> None:
    rendered = render_markdown(vector)
    assert unsafe_parts(rendered) == []


def test_the_checker_finds_what_it_looks_for() -> None:
    """The check itself can fail: raw vectors are caught."""
    assert unsafe_parts("<script>alert(1)</script>")
    assert unsafe_parts('<a href="jav&#x09;ascript:alert(1)">x</a>')
    assert unsafe_parts('<a href=" data:text/html,x">x</a>')
    assert unsafe_parts('<p style="color:red">x</p>')
    assert unsafe_parts("<p onclick=alert(1)>x</p>")
    assert unsafe_parts('<script src="/static/js/app.js"></script>', page=True) == []
    assert unsafe_parts("<script>alert(1)</script>", page=True)
    assert unsafe_parts('<script src="https://example.org/x.js"></script>', page=True)


def test_only_allowed_tags_come_out() -> None:
    from html.parser import HTMLParser

    seen: set[str] = set()

    class Tags(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            seen.add(tag)

    for vector in VECTORS:
        Tags().feed(render_markdown(vector))
    assert seen <= ALLOWED_TAGS
