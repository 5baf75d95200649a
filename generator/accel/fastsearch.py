"""Split a page into Material's search sections without html.parser, when it is in the shape the templates write.

Material's search plugin reads each page with an html.parser subclass (`Parser` in
material/plugins/search/plugin.py): 0.26 of the 0.36 ms a page's indexing took at 10,000 tasks,
where this takes 0.06 ms. For HTML in one known shape (lowercase, well-nested tags with
double-quoted attributes; headings only at the top level and with ids; nothing html.parser reads as
raw text, no comments) one regex pass applies the same rules, and Material's own
`create_entry_for_section` makes the entries. Anything else gives None and goes through Material's
Parser; tests/test_fastsearch.py checks, page by page, that the entries are the same.
"""

from __future__ import annotations

import html
import re

from material.plugins.search.plugin import Element, Parser, Section, void

# A run of text, a tag, or a "<" that opens no tag in the shape (which sends the page to Material).
_TOKEN = re.compile(r'([^<]+)|<(?:(/?)([a-z][a-z0-9]*)((?: [a-z][a-z0-9-]*(?:="[^"]*")?)*)>)?')
_ATTRIBUTE = re.compile(r' ([a-z][a-z0-9-]*)(="[^"]*")?')
_HEADINGS = frozenset(["h1", "h2", "h3", "h4", "h5", "h6"])
_KEEP = frozenset(Parser().keep)
# Material's skipped and whitespace-keeping tags, and those html.parser reads as raw text in some
# Python version: their rules are Material's Parser's alone.
_SPECIAL = frozenset(Parser().skip | {"pre", "xmp", "iframe", "noembed", "noframes", "noscript", "plaintext",
                                      "textarea", "title"})


def add_entries(index, page, searchable: str) -> bool:
    """Add the page's entries to Material's SearchIndex as `add_entry_from_context` would; False if it must."""
    search = page.meta.get("search") or {}
    if search.get("exclude"):
        return True
    found = sections(searchable)
    if found is None:
        return False
    for section in found:
        if not section.is_excluded():
            index.create_entry_for_section(section, page.toc, page.url, page)
    return True


def sections(searchable: str) -> list[Section] | None:
    """The sections Material's Parser makes of this HTML, or None when the HTML is outside the shape."""
    found: list[Section] = []
    section = None
    stack: list[tuple[str, bool, bool]] = []  # open elements: tag, whether it starts a skipped part, is a permalink
    skipped: set[str] = set()  # tags of the open elements whose content the index skips
    in_title = False
    permalinks = 0
    for text, closing, tag, attrs in _TOKEN.findall(searchable):
        if text:
            if skipped or (in_title and permalinks):
                continue
            data = html.unescape(text)
            data = " " if data.isspace() else data.replace("\n", " ")
            if section is None:
                section = Section(Element("hx"))
                found.append(section)
            if in_title:
                section.title.append(html.escape(data, quote=False))
            elif not data.isspace():
                section.text.append(html.escape(data, quote=False))
            elif not section.text or not section.text[-1].isspace():
                section.text.append(data)
        elif not tag or tag in _SPECIAL:
            return None
        elif closing:
            if not stack or stack[-1][0] != tag:
                return None  # a stray or crossed end tag, which Material ignores
            _, skips, permalink = stack.pop()
            permalinks -= permalink
            if tag in _HEADINGS:
                in_title = False
            if skips:
                skipped.remove(tag)
            elif not skipped and tag in _KEEP:
                parts = section.title if in_title else section.text
                start = parts.index(f"<{tag}>")  # the first, as Material looks for it
                if all(part.isspace() for part in parts[start + 1:]):
                    del parts[start:]  # an element left empty is dropped
                else:
                    parts.append(f"</{tag}>")
        elif tag not in void:  # Material reads nothing of a void element
            if tag in skipped:
                return None  # Material's skip set matches by tag name: a namesake inside would end the skip
            heading = tag in _HEADINGS
            # Only headings, skipped parts and permalinks need their attributes read.
            wanted = heading or "data-search-exclude" in attrs or "linenodiv" in attrs or "headerlink" in attrs
            attributes = _attributes(attrs) if wanted else {}
            if heading:
                if stack or "id" not in attributes:
                    return None  # a nested heading or one without id: Material's rules for it differ
                if tag != "h1" and not found:
                    found.append(Section(Element("hx"), 1))
                section = Section(Element(tag, attributes), 1)
                if found:
                    section.id = attributes["id"]
                found.append(section)
                in_title = True
            elif section is None:
                section = Section(Element("hx"))
                found.append(section)
            skips = "data-search-exclude" in attributes or attributes.get("class") == "linenodiv"
            permalink = tag == "a" and attributes.get("class") == "headerlink"
            stack.append((tag, skips, permalink))
            permalinks += permalink
            if skips:
                skipped.add(tag)
            elif not skipped and tag in _KEEP:
                (section.title if in_title else section.text).append(f"<{tag}>")
    return None if stack else found


def _attributes(attrs: str) -> dict[str, str | None]:
    """The attributes as html.parser gives them: values unescaped, None for a name alone."""
    return {name: html.unescape(value[2:-1]) if value else None for name, value in _ATTRIBUTE.findall(attrs)}
