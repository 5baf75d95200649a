"""The search index reads generated pages without html.parser and makes exactly Material's entries."""

from __future__ import annotations

from pathlib import Path

import pytest
from material.plugins.search import plugin as material_search
from material.plugins.search.plugin import Parser, SearchIndex

from generator.hook import mkdocs_hooks
from generator.pipeline import generate
from generator.accel.fastpage import convert
from generator.accel.fastsearch import add_entries, sections

from .test_fastpage import _pages
from .test_hostile import make_hostile_project


def _built_pages(root: Path) -> list:
    """Every page of the project as the build indexes it: (page, config, searchable HTML, whole sanitised HTML)."""
    built = []
    for page, config, _ in _pages(root):
        mkdocs_hooks._render(page, convert(page.markdown))
        content = mkdocs_hooks._sanitise(page.content, page)
        built.append((page, config, page.rc_searchable, content))
    return built


@pytest.fixture(scope="module")
def real_pages(fixture_project) -> list:
    generate(fixture_project, with_history=True)
    return _built_pages(fixture_project.root)


def _material_entries(config, page, html: str) -> list:
    index = SearchIndex(**config.plugins["material/search"].config)
    page.content = html
    index.add_entry_from_context(page)
    return index.entries


def _fast_entries(config, page, html: str) -> list:
    index = SearchIndex(**config.plugins["material/search"].config)
    assert add_entries(index, page, html)
    return index.entries


def _compare(built: list) -> int:
    """Assert the entries are Material's wherever the fast path takes the HTML; returns how many pages it took."""
    taken = 0
    for page, config, searchable, content in built:
        where = page.file.src_uri
        if where.startswith("tasks/"):
            assert sections(searchable) is not None, f"{where} is outside the fast search shape: it would index slowly"
        taken += sections(searchable) is not None
        for html in (searchable, content):  # the whole page has shapes the searchable part lacks (skipped headings)
            if sections(html) is not None:
                assert _fast_entries(config, page, html) == _material_entries(config, page, html), where
    return taken


def test_every_real_page_indexes_as_material_does(real_pages):
    assert _compare(real_pages) > 200


def test_hostile_text_indexes_as_material_does(tmp_path):
    project = make_hostile_project(tmp_path / "project")
    generate(project, with_history=False)
    assert _compare(_built_pages(project.root)) > 200


def test_the_hook_indexes_fast_pages_without_html_parser(real_pages, monkeypatch):
    page, config, searchable, content = next(p for p in real_pages if p[0].file.src_uri.startswith("tasks/"))
    expected = _material_entries(config, page, searchable)
    index = SearchIndex(**config.plugins["material/search"].config)
    add_entry = mkdocs_hooks._index_searchable(index)
    monkeypatch.setattr(material_search.Parser, "feed", None)  # any use of html.parser fails
    page.content, page.rc_searchable = content, searchable
    add_entry(page)
    assert index.entries == expected
    assert page.content == content and not hasattr(page, "rc_searchable")


def _material_sections(html: str) -> list:
    parser = Parser()
    parser.feed(html)
    parser.close()
    return _described(parser.data)


def _described(found: list) -> list:
    return [(s.el.tag, s.el.is_excluded(), s.id, s.depth, s.title, s.text) for s in found]


PERMALINK = '<a class="headerlink" href="#{0}" title="Permanent link">¶</a>'


@pytest.mark.parametrize("html", [
    # whitespace: runs between elements collapse to one space, newlines in text become spaces
    '<h1 id="t">Title</h1>\n\n<p>one\ntwo  three</p>\n \n<div>\n<span> </span>\n</div>\n<p>\u00a0</p>\n',
    '\n\n<h1 id="t">Title</h1>',  # whitespace first: a preface section, and the h1 keeps its id
    'Text before any tag<h2 id="a">A</h2>',
    '<h2 id="a">A heading first that is not h1</h2><p>x</p>',
    '<h3 id="a">A</h3><h3 id="b">B</h3>',
    # entities: unescaped, then escaped again without quotes
    '<h1 id="t">A &amp; B &lt;c&gt; &quot;d&quot; &#x27;e&#x27;</h1><p>&lt;script&gt; &amp;amp; &copy &nbsp; & &#1;x</p>',
    '<h1 id="a&amp;b">T</h1><h2 id="x&quot;y">U</h2>',
    '<h1 id="t">T</h1><p>&#1;</p> <p> </p>',  # text that unescapes to nothing still counts
    # kept tags that end up empty are dropped (Material looks for the first of their name)
    '<h1 id="t">T</h1><ul><li></li><li> </li></ul><p><code></code></p><p> <sub> </sub> </p>',
    '<h1 id="t">T</h1><ul><li>one</li><li></li></ul><ol><li><p>x</p></li></ol>',
    '<h1 id="t"><code>code</code> in a title<sup></sup></h1><p>a<sup>2</sup></p>',
    # permalinks: skipped in a title only
    f'<h1 id="t">T{PERMALINK.format("t")}</h1><p>{PERMALINK.format("t")}</p><h2 id="u">U{PERMALINK.format("u")}</h2>',
    '<h2 id="t">T<a class="headerlink" href="#t">&para;</a></h2>',
    # skipped parts
    '<h1 id="t">T</h1><p>kept</p><p data-search-exclude="">skipped <code>c</code></p><div class="linenodiv">1</div>',
    '<div data-search-exclude=""><p>first</p></div><h1 id="t">T</h1>',
    '<h1 id="t">T</h1><h2 data-search-exclude="" id="s">Skipped</h2><p>section</p><h2 id="u">U</h2><p>u</p>',
    '<p title="data-search-exclude">not skipped</p><br><input type="text"><p>a<br>b</p>',
    '',
])
def test_sections_are_materials(html):
    assert _described(sections(html)) == _material_sections(html)


@pytest.mark.parametrize("html", [
    '<h1>Title without id</h1>',
    '<div><h2 id="a">A heading inside an element</h2></div>',
    '<h1 id="t">T<h2 id="u">U</h2></h1>',
    '<h1 id="t">T</h1><div data-search-exclude=""><div>a namesake ends the skip early</div>x</div>',
    '<h1 id="t">T</h1><pre>  kept\n  whitespace</pre>',
    '<h1 id="t">T</h1><script>x</script>',
    '<h1 id="t">T</h1><!-- a comment -->',
    '<h1 id="t">T</h1><P>upper case</P>',
    "<h1 id='t'>single quotes</h1>",
    '<h1 id="t">T</h1><br/>',
    '<h1 id="t">T</h1><p>never closed',
    '<h1 id="t">T</h1></p>',
    '<h1 id="t">T</h1><p>a < b</p>',
    '<h1 id="t">T</h1><p><span>crossed</p></span>',
])
def test_other_shapes_go_to_materials_parser(html):
    assert sections(html) is None
