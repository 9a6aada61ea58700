"""HTML and e-mail helpers of addon code (``odoo.tools.mail``): sanitizing, text conversions, addresses.

``html_sanitize`` keeps the markup a rich-text editor produces and removes
what could run code or change the page around it: ``script``, ``style``
(unless kept), embedded objects and frames, forms (unless kept), event
handler attributes (``onclick``...), ``javascript:``/``vbscript:`` URLs and
comments.  It parses with lxml, so malformed input comes out well-formed.
"""
from __future__ import annotations

import re

from markupsafe import Markup, escape

DANGEROUS_TAGS = frozenset({"script", "iframe", "frame", "frameset", "object", "embed", "applet", "meta", "link",
                            "base", "noscript", "template"})
FORM_TAGS = frozenset({"form", "input", "button", "select", "textarea", "option"})
URL_ATTRIBUTES = frozenset({"href", "src", "action", "formaction", "xlink:href", "background", "poster", "data"})
BAD_SCHEME_RE = re.compile(r"^\s*(javascript|vbscript|data:text/html)", re.I)
EMAIL_RE = re.compile(r"([^\s,<@]+@[^>\s,]+)")


def html_sanitize(src, silent: bool = True, sanitize_tags: bool = True, sanitize_attributes: bool = True,
                  sanitize_style: bool = False, sanitize_form: bool = True, strip_style: bool = False,
                  strip_classes: bool = False) -> Markup:
    """``src`` with everything that could run code removed (see the module's docstring)."""
    if not src:
        return src
    from lxml import etree, html

    text = src.decode() if isinstance(src, bytes) else str(src)
    try:
        container = html.fragment_fromstring(text, create_parent="div")
    except (etree.ParserError, ValueError):
        return Markup(escape(text))
    _clean(container, sanitize_tags, sanitize_attributes, sanitize_style, sanitize_form, strip_style, strip_classes)
    inner = str(escape(container.text or "")) + "".join(html.tostring(child, encoding="unicode")
                                                         for child in container)
    return Markup(inner)


def _removable(element, sanitize_tags: bool, sanitize_style: bool, sanitize_form: bool) -> bool:
    tag = element.tag if isinstance(element.tag, str) else ""
    if not isinstance(element.tag, str):
        return True  # comments, processing instructions
    if not sanitize_tags:
        return False
    return tag in DANGEROUS_TAGS or (tag == "style" and not sanitize_style) or (sanitize_form and tag in FORM_TAGS)


def _clean(root, sanitize_tags, sanitize_attributes, sanitize_style, sanitize_form, strip_style, strip_classes):
    for element in list(root.iter()):
        if element is not root and _removable(element, sanitize_tags, sanitize_style, sanitize_form):
            element.drop_tree()
            continue
        if not isinstance(element.tag, str):
            continue
        for name in list(element.attrib):
            value = element.attrib[name]
            lowered = name.lower()
            if sanitize_attributes and (lowered.startswith("on") or (lowered in URL_ATTRIBUTES
                                                                    and BAD_SCHEME_RE.match(value))):
                del element.attrib[name]
            elif (strip_style and lowered == "style") or (strip_classes and lowered == "class"):
                del element.attrib[name]


def is_html_empty(html_content) -> bool:
    """Whether ``html_content`` shows nothing (no text, no image)."""
    if not html_content:
        return True
    text = re.sub(r"<\s*(br|p|div|span|font)\b[^>]*>|<\s*/\s*(p|div|span|font)\s*>|&nbsp;|\s", "", str(html_content),
                  flags=re.I)
    return not text


def html2plaintext(html_content, body_id=None, encoding="utf-8") -> str:
    """The text of ``html_content``: paragraphs and line breaks kept, links as ``text [url]``."""
    if not html_content:
        return ""
    from lxml import html

    tree = html.fromstring(f"<div>{html_content}</div>")
    for link in tree.iter("a"):
        if link.get("href"):
            link.tail = f" [{link.get('href')}]" + (link.tail or "")
    for br in tree.iter("br"):
        br.tail = "\n" + (br.tail or "")
    for block in tree.iter("p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr"):
        block.tail = "\n" + (block.tail or "")
    text = tree.text_content()
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def plaintext2html(text: str, container_tag: str | None = None) -> Markup:
    """``text`` as HTML paragraphs, escaped, line breaks as ``<br/>``."""
    paragraphs = [str(escape(p)).replace("\n", "<br/>") for p in re.split(r"\n\s*\n", text or "") if p.strip()]
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return Markup(f"<{container_tag}>{body}</{container_tag}>" if container_tag else body)


def email_split(text: str) -> list[str]:
    """The e-mail addresses found in ``text``."""
    return EMAIL_RE.findall(text or "")


def email_normalize(text: str, strict: bool = True) -> str | bool:
    """The single address of ``text``, lower-cased (False if there is none, or several with ``strict``)."""
    found = email_split(text)
    if not found or (strict and len(found) != 1):
        return False
    return found[0].lower()
