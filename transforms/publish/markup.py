"""Long register texts: plain text, Markdown or pasted HTML -> the register's limited HTML.

Publication standard 1.0 accepts only ``div, br, p, ul, ol, li`` in its long text fields. Editors
type plain text or Markdown; suppliers' templates and other registers carry HTML. Everything goes
through one converter, so a text is escaped exactly once:

* HTML (a text with tags) is cleaned by ``nh3``: the permitted tags stay, headings and other block
  tags become paragraphs, inline tags (``b``, ``a``, ``span`` …) keep only their text, scripts and
  styles disappear with their content; entities stay entities (never ``&amp;amp;``);
* anything else is Markdown (CommonMark through ``markdown-it-py`` with raw HTML disabled, so a
  ``<`` in plain text is a character, not a tag), then cleaned the same way.
"""

from __future__ import annotations

import re

import nh3
from markdown_it import MarkdownIt

__all__ = ["ALLOWED_TAGS", "to_register_html", "looks_like_html", "plain_text"]

ALLOWED_TAGS = frozenset({"div", "br", "p", "ul", "ol", "li"})
# Real HTML elements (a text like "op <onderscheid>" or "a <b" is plain text, not HTML).
_TAG = re.compile(r"</?(p|div|br|span|b|i|u|em|strong|ul|ol|li|a|h[1-6]|font|table|tr|td|th|tbody|thead|"
                  r"blockquote|pre|code|section|article|small|sup|sub|hr|img|dl|dt|dd)\b[^<>]*>", re.IGNORECASE)
_BLOCK = re.compile(r"<(/?)(h[1-6]|blockquote|pre|section|article|table|tr|td|th|dl|dt|dd)\b[^>]*>", re.IGNORECASE)
_LINK = re.compile(r"<a\b[^>]*?href=\"(https?://[^\"]+)\"[^>]*>(.*?)</a>", re.IGNORECASE | re.DOTALL)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_EMPTY = re.compile(r"<(p|div|li|ul|ol)>\s*(?:<br>\s*)*</\1>")
_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "breaks": True})


def looks_like_html(text: str) -> bool:
    """True when ``text`` holds at least one tag of a real HTML element (``<p>``, ``<div>``, ``<br/>`` …)."""
    return bool(_TAG.search(text or ""))


def _clean(html: str) -> str:
    html = _LINK.sub(lambda m: m.group(2) if m.group(1) in m.group(2) else f"{m.group(2)} ({m.group(1)})", html)
    html = _BLOCK.sub(lambda m: "</p>" if m.group(1) else "<p>", html)
    cleaned = nh3.clean(html, tags=set(ALLOWED_TAGS), attributes={}, clean_content_tags={"script", "style"},
                        link_rel=None, strip_comments=True)
    previous = None
    while previous != cleaned:
        previous, cleaned = cleaned, _EMPTY.sub("", cleaned).strip()
    cleaned = re.sub(r"\n{2,}", "\n", cleaned)
    return cleaned if plain_text(cleaned) else ""


def to_register_html(text: object) -> str:
    """The text as the register's HTML ('' for empty text); idempotent on its own output."""
    if text is None:
        return ""
    raw = _CONTROL.sub("", str(text).replace("\r\n", "\n").replace("\r", "\n")).strip()
    if not raw:
        return ""
    if looks_like_html(raw):
        html = raw
    else:
        html = _md.render(raw)
    out = _clean(html)
    if out and not out.startswith(("<p>", "<div>", "<ul>", "<ol>")):
        out = f"<p>{out}</p>"
    return out


def plain_text(html: object) -> str:
    """Visible text of register HTML as Markdown-like text (paragraphs apart, list items with ``-`` or
    ``1.``): what a form, a cell or a terminal shows; :func:`to_register_html` turns it back."""
    import html as _html

    text = re.sub(r">\s*\n\s*", ">", str(html or ""))
    text = re.sub(r"<ol>(.*?)</ol>", _numbered, text, flags=re.IGNORECASE | re.DOTALL)
    text = re.sub(r"</(p|div|ul|ol)>", "\n\n", text, flags=re.IGNORECASE)
    text = re.sub(r"<br\s*/?>|</li>", "\n", text, flags=re.IGNORECASE)
    text = re.sub(r"<li>", "- ", text, flags=re.IGNORECASE)
    text = _html.unescape(re.sub(r"<[^>]+>", "", text))
    lines = "\n".join(line.strip() for line in text.split("\n"))
    return re.sub(r"\n{3,}", "\n\n", lines).strip()


def _numbered(match: re.Match) -> str:
    items = re.findall(r"<li>(.*?)</li>", match.group(1), flags=re.IGNORECASE | re.DOTALL)
    return "".join(f"{n}. {item}\n" for n, item in enumerate(items, start=1)) + "\n\n"
