"""What validates, builds: hostile values in a real document either fail the checks with a ContentError, or
render every page and download without an error, and every page then has each anchor once."""

from __future__ import annotations

import copy
import dataclasses
import re

import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from mkdocs.utils import meta

from generator.accel.fastpage import convert
from generator.content.checks import check
from generator.content.errors import ContentError
from generator.content.project import Project
from generator.model.site import build_model
from generator.pipeline import render_files

from .conftest import ROOT
from .test_properties import _CHINA, _ORIGINAL, _REAL, _paths, parse_doc

REFUSED = ["   ", "\t", "\x00", "\x1b[31m", "\x07", "\ud800", "\u202e", "\u200b", "\ufeff", "\u2028", "\x85", "\n",
           "9007199254740993", "1e-400"]
ALLOWED = ["< p >", "index", "quote", "bodies", "indicators", "cite", "q-x--bodies", "e\u0301", "\u00e9", "<script>",
           "&amp;", "{#quote}", "# x", "[x](javascript:1)", "**", "`", "|", "\\", "{{ x }}", "{% x %}", "中文", "\u3000",
           "recruit-medical-graduates", "1", " ", "'", '"']
invisible = st.characters(categories=["Cc", "Cf", "Cs", "Co", "Zl", "Zp"])  # controls, format, surrogates
hostile_text = st.one_of(st.sampled_from(REFUSED), st.sampled_from(ALLOWED), st.text(max_size=12), invisible,
                         st.lists(st.sampled_from(ALLOWED), min_size=1, max_size=4).map("".join),
                         st.lists(st.sampled_from(REFUSED + ALLOWED) | st.text(max_size=4), min_size=1,
                                  max_size=4).map("".join))


SLUGS = ["index", "quote", "bodies", "indicators", "cite", "history", "1", "task-1", "recruit-medical-graduates",
         "introduce-high-end-resources", "disease-prevention-system"]
QUOTES = ("quote", "bodies_quote")
FREE_TEXT = {"title", "summary", "section", "measure", "unit", "timeframe", "reason", "date_note", "description",
             "translation"}


@st.composite
def hostile_document(draw):
    """The cut-down Feixi document with one or two values replaced: an id by a slug that may collide, a text
    by hostile text (or the text with it added, so that more of them validate and build)."""
    doc = copy.deepcopy(_ORIGINAL)
    for _ in range(draw(st.integers(1, 2))):
        strings = [p for p in _paths(doc) if p and isinstance(_at(doc, p), str) and not set(p) & set(QUOTES)]
        free = [p for p in strings if p[-1] in FREE_TEXT]
        kind = draw(st.sampled_from(["slug", "allowed", "any"]))
        if kind == "slug":  # a task's or an indicator's id, or a section, that may collide with an anchor
            slugs = [p for p in strings if len(p) > 1 and p[-1] in ("id", "section")]
            indicators = [p for p in slugs if "indicators" in p]  # few, and each an anchor of two pages
            path = draw(st.sampled_from(indicators) if indicators and draw(st.booleans()) else st.sampled_from(slugs))
            value = draw(st.sampled_from(SLUGS))
        else:  # free text, written by an editor
            path = draw(st.sampled_from(free))
            value = draw(st.lists(st.sampled_from(ALLOWED), min_size=1, max_size=4).map("".join)
                         if kind == "allowed" else hostile_text)
            value = _at(doc, path) + value if draw(st.booleans()) else value
        _at(doc, path[:-1])[path[-1]] = value
    return doc


def _at(doc, path):
    for part in path:
        doc = doc[part]
    return doc


PROJECT = Project(ROOT)
IDS = re.compile(r'\sid="([^"]*)"')


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hostile_document())
def test_whatever_validates_builds_with_unique_anchors(doc):
    text = yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=1000)
    try:
        loaded = dataclasses.replace(_REAL, documents=[_CHINA, parse_doc(text)])
        check(loaded)
    except ContentError:
        event("refused")
        return  # refused with positions (tests/test_properties.py checks their form)
    event("validated")
    site = build_model(loaded)
    files = render_files(PROJECT, site, with_history=False, workers=1)  # pages and downloads: must not raise
    converted = 0
    for path, content in files.items():
        if not path.endswith(".md"):
            continue
        page = convert(meta.get_data(content.decode("utf-8"))[0])  # the body, as MkDocs gives it to the hook
        if page is None:
            continue  # Markdown's own conversion then: tests/test_fastpage.py
        converted += 1
        ids = IDS.findall(page.content)
        assert len(ids) == len(set(ids)), (path, sorted({i for i in ids if ids.count(i) > 1}))
    assert converted
