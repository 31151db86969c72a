"""Known Markdown/HTML cross-site scripting vectors, generated systematically.

Push every vector through every Markdown field of a form or API and check the rendered page
with :func:`unsafe_parts`: ``from tests.xss_vectors import VECTORS, unsafe_parts``.

The families: script elements in their disguises; event-handler attributes on many tags;
``javascript:``, ``data:`` and ``vbscript:`` URLs in Markdown links, images, autolinks and
reference links and in raw HTML attributes, obfuscated with case, entities, whitespace and
control characters; style attributes and elements; SVG and MathML payloads; frames, objects,
``<meta http-equiv=refresh>``, ``<base>``, forms; and breakouts through Markdown structures.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

_HANDLERS = (
    "onerror", "onload", "onclick", "onmouseover", "onfocus", "onblur", "onanimationstart",
    "onpointerenter", "ontoggle", "onbegin", "onwheel", "onauxclick", "onmouseenter",
    "onfocusin", "oninput",
)  # fmt: skip
_HANDLER_TAGS = (
    "img src=x", "svg", "body", "a href=https://example.org", "div", "p", "input autofocus",
    "details open", "video src=x", "audio src=x", "iframe", "marquee", "table", "td", "strong",
    "em", "abbr", "th", "code", "blockquote", "h2", "li", "pre", "select autofocus",
)  # fmt: skip

_SCHEMES = (
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "javascript&#58;alert(1)",
    "javascript&colon;alert(1)",
    "&#106;avascript:alert(1)",
    "&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;&#x3A;alert(1)",
    "&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112&#0000116&#0000058alert(1)",
    "java&#x09;script:alert(1)",
    "java&#x0A;script:alert(1)",
    "java&#x0D;script:alert(1)",
    "java\tscript:alert(1)",
    " javascript:alert(1)",
    "\x01javascript:alert(1)",
    "javascript://%0Aalert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "data:text/html,<script>alert(1)</script>",
    "DATA:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+",
    "vbscript:msgbox(1)",
    "VBScript:msgbox(1)",
    "livescript:alert(1)",
)
_URL_CONTEXTS = (
    "[click]({u})",
    '[click]({u} "title")',
    "[click](<{u}>)",
    "![img]({u})",
    "<{u}>",
    "[click][ref]\n\n[ref]: {u}",
    "[ref]\n\n[ref]: {u}",
    '<a href="{u}">x</a>',
    "<a href='{u}'>x</a>",
    "<a href={u}>x</a>",
    '<img src="{u}">',
    '<iframe src="{u}"></iframe>',
    '<form action="{u}"><button>x</button></form>',
    '<object data="{u}"></object>',
    '<embed src="{u}">',
    '<svg><a xlink:href="{u}"><text>x</text></a></svg>',
    '<math><a href="{u}">x</a></math>',
    '<button formaction="{u}">x</button>',
    "- [item]({u})",
    "> [quote]({u})",
    "| a |\n|---|\n| [cell]({u}) |",
)

_SCRIPTS = (
    "<script>alert(1)</script>",
    "<SCRIPT>alert(1)</SCRIPT>",
    "<ScRiPt>alert(1)</sCrIpT>",
    '<script src="https://example.org/x.js"></script>',
    "<script/xss src=//example.org></script>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<<script>alert(1)//<</script>",
    "<script\n>alert(1)</script\n>",
    "<script >alert(1)</script >",
    "<script\x00>alert(1)</script>",
    '"><script>alert(1)</script>',
    "'><script>alert(1)</script>",
    "</p><script>alert(1)</script><p>",
    "<!--<script>alert(1)</script>-->",
    "<![CDATA[<script>alert(1)</script>]]>",
    '<noscript><p title="</noscript><script>alert(1)</script>"></noscript>',
    "<xmp><script>alert(1)</script></xmp>",
    "<textarea><script>alert(1)</script></textarea>",
    "<template><script>alert(1)</script></template>",
    "<plaintext><script>alert(1)</script>",
    "`<script>alert(1)</script>`",
    "```\n<script>alert(1)</script>\n```",
    "    <script>alert(1)</script>",
    "**<script>alert(1)</script>**",
    "[<script>alert(1)</script>](https://example.org)",
    "<svg><script>alert(1)</script></svg>",
    "<svg><script href=data:,alert(1) /></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<math><maction actiontype=statusline xlink:href=javascript:alert(1)>x</maction></math>",
    "<svg><animate onbegin=alert(1) attributeName=x dur=1s>",
    "<svg><set attributeName=href to=javascript:alert(1) /></svg>",
    "<svg><use href=data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=#x /></svg>",
    "<svg><foreignObject><iframe src=javascript:alert(1)></iframe></foreignObject></svg>",
    '<svg xmlns="http://www.w3.org/2000/svg"><g onload="alert(1)"></g></svg>',
)

_OTHER = (
    '<p style="background:url(javascript:alert(1))">x</p>',
    '<a href="https://example.org" style="position:fixed;top:0;left:0;width:100%">x</a>',
    '<div style="width: expression(alert(1))">x</div>',
    "<style>body{background:url(javascript:alert(1))}</style>",
    "<style>@import 'https://example.org/x.css';</style>",
    '<link rel="stylesheet" href="https://example.org/x.css">',
    '<link rel="import" href="data:text/html,<script>alert(1)</script>">',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<meta http-equiv="refresh" content="0; url=https://example.org">',
    '<meta charset="x-imap4-modified-utf7">',
    '<base href="javascript:alert(1)//">',
    '<base href="https://example.org/">',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    "<iframe src=https://example.org></iframe>",
    "<frameset><frame src=javascript:alert(1)></frameset>",
    "<object type=text/html data=https://example.org></object>",
    "<applet code=x></applet>",
    "<embed type=image/svg+xml src=https://example.org/x.svg>",
    '<form><input type=submit formaction="javascript:alert(1)"></form>',
    "<isindex type=image src=1 onerror=alert(1)>",
    '<a href="https://example.org" target="_blank">x</a>',
    '<a href="https://example.org" ping="https://example.org/track">x</a>',
    '<abbr title="x" onmouseover="alert(1)">x</abbr>',
    '<th scope="col" onclick="alert(1)">x</th>',
    '<img src="x" alt="x" onerror="alert(1)"/>',
    "<img src=x:alert(alt) onerror=eval(src) alt=0>",
    '<img """><script>alert(1)</script>">',
    '<img src="`<script>alert(1)</script>`">',
    "<img src=x onerror=&#97;&#108;&#101;&#114;&#116;(1)>",
    '<img src="x" o\x00nerror="alert(1)">',
    "<img/src=x/onerror=alert(1)>",
    "<img\tsrc=x\tonerror=alert(1)>",
    "<img\nsrc=x\nonerror=alert(1)>",
    '<div id="x" class="govuk-button" data-x="y">x</div>',
    '<a href="https://example.org" id="main-content">x</a>',
    '<p><a href="javascript:alert(1)">nested</a></p>',
    "[x](javascript:alert(1))[y](https://example.org)",
    '[x](https://example.org"onmouseover="alert(1))',
    '[x](https://example.org "title" onmouseover="alert(1)")',
    "[x]( javascript:alert(1) )",
    "[x](javascript:alert`1`)",
    '![x](https://example.org/x.png"onerror="alert(1))',
    "[![img](javascript:alert(1))](javascript:alert(1))",
    '<https://example.org/"onmouseover="alert(1)>',
    "<a/href=javascript:alert(1)>x</a>",
    '<a href="jav&#x61;script:alert(1)">x</a>',
    '<a href="javas&#99ript:alert(1)">x</a>',
    '<a href="&#x20;javascript:alert(1)">x</a>',
    '<a href="javascript&#0000058alert(1)">x</a>',
    '<a href="/relative" onclick="alert(1)">x</a>',
    '<a href="mailto:x@example.org?body=<script>alert(1)</script>">x</a>',
    "<details open ontoggle=alert(1)><summary>x</summary></details>",
    "<video><source onerror=alert(1)></video>",
    "<body onpageshow=alert(1)>",
    "<marquee onstart=alert(1)>x</marquee>",
    "<input onfocus=alert(1) autofocus>",
    "<keygen autofocus onfocus=alert(1)>",
    "<div draggable=true ondragstart=alert(1)>x</div>",
    "<x onclick=alert(1)>x</x>",
    "<custom-element onclick=alert(1)>x</custom-element>",
    "<p/onclick=alert(1)>x</p>",
    "<p onclick\n=alert(1)>x</p>",
    "<p ONCLICK=alert(1)>x</p>",
    '<p onclick="alert(1)"onmouseover="alert(2)">x</p>',
    "<p id=x tabindex=1 onfocus=alert(1)>x</p>",
    "Text\n\n<div>\n<script>alert(1)</script>\n</div>",
    "1. <img src=x onerror=alert(1)>\n2. two",
    "| <img src=x onerror=alert(1)> |\n|---|\n| x |",
    "> <script>alert(1)</script>",
    "# <script>alert(1)</script>",
    "Heading\n=======\n<script>alert(1)</script>",
    "*[HTML]: <script>alert(1)</script>\n\nHTML",
    "<dl><dt onclick=alert(1)>x</dt><dd>y</dd></dl>",
    "<table><tr><td background=javascript:alert(1)>x</td></tr></table>",
    "<table background=javascript:alert(1)><tr><td>x</td></tr></table>",
    "<sub onclick=alert(1)>x</sub><sup onclick=alert(1)>y</sup>",
    "<del onmouseover=alert(1)>x</del>",
    "<svg/onload=alert(1)>",
    "<svg><style>*{fill:red}</style></svg>",
    "<math href=javascript:alert(1)>x</math>",
    "<xss id=x tabindex=1 onfocusin=alert(1)></xss>",
    '<a href="data:text/html;charset=utf-8,%3Cscript%3Ealert(1)%3C/script%3E">x</a>',
    '<a href="vbscript&#58;msgbox(1)">x</a>',
)


def _handler_vectors() -> list[str]:
    vectors = []
    for index, handler in enumerate(_HANDLERS):
        for tag in _HANDLER_TAGS:
            name = tag.split()[0]
            quote = ('"', "'", "")[index % 3]
            vectors.append(f"<{tag} {handler}={quote}alert(1){quote}>x</{name}>")
    return vectors


def _url_vectors() -> list[str]:
    return [context.format(u=scheme) for scheme in _SCHEMES for context in _URL_CONTEXTS]


VECTORS: tuple[str, ...] = tuple(
    dict.fromkeys([*_SCRIPTS, *_handler_vectors(), *_url_vectors(), *_OTHER])
)

_BAD_SCHEME = re.compile(r"^(?:javascript|data|vbscript|livescript):", re.IGNORECASE)
_URL_ATTRIBUTES = frozenset(
    {"href", "src", "action", "formaction", "data", "xlink:href", "background", "poster",
     "srcset", "cite", "longdesc", "codebase", "dynsrc", "lowsrc", "ping"}
)  # fmt: skip
_FORBIDDEN_TAGS = frozenset(
    {"script", "style", "iframe", "frame", "frameset", "object", "embed", "applet", "meta",
     "base", "link", "form", "input", "button", "svg", "math", "img", "template", "textarea",
     "select", "video", "audio", "source", "details", "marquee", "keygen", "isindex"}
)  # fmt: skip


# Elements no page of the app ever needs from user text, even where it has its own forms.
_ACTIVE_TAGS = frozenset({"script", "style", "iframe", "frame", "frameset", "object", "embed",
                          "applet", "base"})  # fmt: skip


class _Inspector(HTMLParser):
    def __init__(self, *, page: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.page = page
        self.problems: list[str] = []
        self.in_script = False

    def _tag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if self.page:
            own_script = tag == "script" and (values.get("src") or "").startswith("/static/")
            if tag in _ACTIVE_TAGS and not own_script:
                self.problems.append(f"<{tag}> element")
            if tag == "meta" and (values.get("http-equiv") or "").lower() == "refresh":
                self.problems.append("<meta http-equiv=refresh>")
            self.in_script = tag == "script"
        elif tag in _FORBIDDEN_TAGS:
            self.problems.append(f"<{tag}> element")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"event handler {name} on <{tag}>")
            if name == "style":
                self.problems.append(f"style attribute on <{tag}>")
            if name in _URL_ATTRIBUTES and value is not None:
                # The parser has decoded entities once, as a browser does. Browsers drop tabs
                # and newlines anywhere in a URL; removing every space and control character
                # as well is stricter than any browser.
                url = re.sub(r"[\x00-\x20\x7f]+", "", value)
                if _BAD_SCHEME.match(url):
                    self.problems.append(f"{name}={value!r} on <{tag}>")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._tag(tag, attrs)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._tag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self.in_script = False

    def handle_data(self, data: str) -> None:
        if self.in_script and data.strip():
            self.problems.append("inline script")


def unsafe_parts(rendered: str, *, page: bool = False) -> list[str]:
    """What in rendered HTML could run script or restyle the page; empty when safe.

    Checked: ``<script`` and other active elements, ``on*`` event handler attributes, style
    attributes, and ``javascript:``/``data:``/``vbscript:`` URLs in URL attributes after
    entity decoding. For a Markdown fragment (the default) any element the sanitiser never
    allows (img, svg, form, input…) counts too. With ``page=True`` (a whole page of the app)
    the app's own ``<script src="/static/…">`` elements and form controls are allowed.
    """
    inspector = _Inspector(page=page)
    inspector.feed(rendered)
    inspector.close()
    problems = inspector.problems
    if not page and "<script" in rendered.lower():
        problems.append("<script in the markup")
    return problems
