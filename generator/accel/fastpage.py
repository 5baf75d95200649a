"""Convert a generated page without Python-Markdown, when the page is in the shape the templates write.

The templates write Markdown whose body is raw HTML blocks and `#` headings. Markdown passes raw
HTML blocks through unchanged, so the whole conversion is: headings to HTML (with the ids and
permalinks of the `toc` and `attr_list` extensions) and the blocks as they are. Doing that here
saves MkDocs most of a page's build time (measured in BENCHMARKS.md). Any page outside that shape
gives None and goes through Markdown as usual; tests/test_fastpage.py checks, page by page, that
the result equals Markdown's.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from markdown.extensions.toc import nest_toc_tokens, slugify, unique
from markdown.util import BLOCK_LEVEL_ELEMENTS

_HEADING = re.compile(r"(#{1,6})[ \t]+(.*?)[ \t]*$")
_ATTRS = re.compile(r"[ \t]+\{:?[ \t]*([^{}]*?)[ \t]*\}$")
# Heading text as the `md` filter writes it: words, backslash escapes and the entities html.escape
# makes. Anything else Markdown's inline patterns could change sends the page the slow way.
_PLAIN_TEXT = re.compile(r"(?:\\[\\`*_{}\[\]()#+\-.!|]|&(?:amp|lt|gt|quot|#x27);|[^<>&*_`\\\[\]!{}#|~\x02\x03])+")
_ESCAPE = re.compile(r"\\(.)")
_ATTR_ID = re.compile(r"#([A-Za-z][\w:.-]*)")
_ATTR_FLAG = re.compile(r"[A-Za-z][\w-]*")
# A heading line at the start of a line, a tag, or a "<" that is neither.
_TOKEN = re.compile(r"^(#[^\n]*)|<(?:(/?)([A-Za-z][A-Za-z0-9-]*)((?:\s[^<>]*)?)(/?)>)?", re.MULTILINE)
_ID = re.compile(r"""\sid\s*=\s*"([^"]*)\"""")
_NAME = re.compile(r"""\sname\s*=\s*"([^"]*)\"""")
_VOID = frozenset(["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
                   "wbr"])
_BLOCK = frozenset(BLOCK_LEVEL_ELEMENTS)
_PERMALINK = '<a class="headerlink" href="#{0}" title="Permanent link">&para;</a>'


@dataclass(frozen=True)
class FastPage:
    content: str
    toc_tokens: list
    title: str | None
    anchor_ids: frozenset
    heading_ids: tuple  # each heading's permalink is a link to it, which MkDocs validates


def convert(markdown_text: str) -> FastPage | None:
    """The page's HTML, table of contents, title and anchor ids, or None when Markdown must do it."""
    text = markdown_text
    if "\x02" in text or "\x03" in text or "\t" in text or "<!" in text or "<?" in text:
        return None
    parts: list[tuple] = []  # ("h", level, text, id or None, flags) or ("raw", html)
    anchors: set[str] = set()
    depth = pos = start = 0  # start: where the current run of raw HTML began
    for m in _TOKEN.finditer(text):
        if depth == 0 and text[pos:m.start()].strip():
            return None  # text outside any element: a Markdown paragraph
        line, closing, name, attrs, self_closing = m.groups()
        if line is not None:
            heading = None if depth else _heading(line)
            if heading is None:
                return None
            if text[start:m.start()].strip():
                parts.append(("raw", text[start:m.start()]))
            parts.append(heading)
            pos = start = m.end()
            continue
        if name is None:
            return None  # a "<" that opens no tag
        name = name.lower()
        if depth == 0 and (closing or name not in _BLOCK or (m.start() and text[m.start() - 1] != "\n")):
            return None  # Markdown starts raw HTML only with a block tag at the start of a line
        if attrs:
            anchors.update(map(html.unescape, _ID.findall(attrs)))
            if name == "a":
                anchors.update(map(html.unescape, _NAME.findall(attrs)))
        if closing:
            depth -= 1
        elif name not in _VOID and not self_closing:
            depth += 1
        pos = m.end()
    if depth or text[pos:].strip():
        return None
    if text[start:].strip():
        parts.append(("raw", text[start:]))
    return _assemble(parts, anchors)


def _heading(line: str):
    m = _HEADING.fullmatch(line)
    if not m:
        return None
    level, text = len(m.group(1)), m.group(2)
    ident, flags = None, ()
    attrs = _ATTRS.search(text)
    if attrs:
        text = text[:attrs.start()]
        tokens = attrs.group(1).split()
        if not tokens or not _ATTR_ID.fullmatch(tokens[0]) or not all(_ATTR_FLAG.fullmatch(t) for t in tokens[1:]):
            return None
        ident, flags = tokens[0][1:], tuple(tokens[1:])
    if not _PLAIN_TEXT.fullmatch(text) or "  " in text or text != text.strip():
        return None
    return ("h", level, _ESCAPE.sub(r"\1", text), ident, flags)


def _assemble(parts: list[tuple], anchors: set[str]) -> FastPage:
    used = {p[3] for p in parts if p[0] == "h" and p[3]}
    counters: dict[str, int] = {}
    out, tokens, title, headings = [], [], None, []
    for n, part in enumerate(parts):
        if part[0] == "raw":
            out.extend(_blocks(part[1]))
            continue
        _, level, text, ident, flags = part
        if ident is None:
            ident = unique(slugify(html.unescape(text), "-"), used, counters)
        anchors.add(ident)
        headings.append(ident)
        attrs = "".join(f" {f}" for f in flags)
        out.append(f'<h{level}{attrs} id="{ident}">{text}{_PERMALINK.format(ident)}</h{level}>')
        tokens.append({"level": level, "id": ident, "name": text, "html": text, "data-toc-label": ""})
        if n == 0 and level == 1:
            title = text
    content = "\n".join(out).rstrip("\n")
    return FastPage(content, nest_toc_tokens(tokens), title, frozenset(anchors), tuple(headings))


def _blocks(text: str) -> list[str]:
    """Raw HTML separated by blank lines, as Markdown's block parser splits it."""
    return [b.strip("\n") + "\n" for b in re.split(r"\n[ ]*\n", text) if b.strip()]
