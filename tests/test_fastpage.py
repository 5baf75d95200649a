"""The fast conversion of generated pages gives exactly what Markdown gives, page by page."""

from __future__ import annotations

from pathlib import Path

import pytest
from mkdocs.config import load_config
from mkdocs.structure.files import get_files
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc

from generator.hook import mkdocs_hooks
from generator.pipeline import generate
from generator.accel.fastpage import convert

from .test_hostile import make_hostile_project


def _pages(root: Path):
    """Every generated page of the project at root, read as MkDocs reads it."""
    config = load_config(str(root / "mkdocs.yml"))
    config = config.plugins.on_config(config)
    files = get_files(config)
    for file in files.documentation_pages():
        page = Page(None, file, config)
        page.read_source(config)
        yield page, config, files


def _compare(root: Path) -> int:
    """Assert the fast result equals Markdown's for every page; returns how many pages were compared."""
    count = 0
    for page, config, files in _pages(root):
        fast = convert(page.markdown)
        assert fast is not None, f"{page.file.src_uri} is not raw HTML blocks and headings: it would build slowly"
        page.render(config, files)
        where = page.file.src_uri
        assert fast.content == page.content, where
        assert str(get_toc(fast.toc_tokens)) == str(page.toc), where
        assert [(a.id, a.title, a.level) for a in get_toc(fast.toc_tokens)] == \
            [(a.id, a.title, a.level) for a in page.toc], where
        assert fast.title == page._title_from_render, where
        assert set(fast.anchor_ids) == page.present_anchor_ids, where
        expected_links = {page.file: {i: "#" + i for i in fast.heading_ids}} if fast.heading_ids else {}
        assert expected_links == (page.links_to_anchors or {}), where
        count += 1
    return count


def test_every_real_page_converts_as_markdown_would(fixture_project):
    generate(fixture_project, with_history=True)
    assert _compare(fixture_project.root) > 200


def test_hostile_text_converts_as_markdown_would(tmp_path):
    project = make_hostile_project(tmp_path / "project")
    generate(project, with_history=False)
    assert _compare(project.root) > 200


@pytest.mark.parametrize("text", [
    "# Title\n\nA Markdown paragraph.\n",               # text outside any element
    "# Title\n\n<span>inline at the top</span>\n",      # Markdown would wrap it in <p>
    "# Title\n\n<div>\n<p>open\n",                      # never closed
    "# Title\n\n</div>\n",                              # closes what was never opened
    "# *Emphasis* in a heading\n",
    "# A [link](x) in a heading\n",
    "# Title {#id onclick=alert}\n",                     # attribute lists beyond id and flags
    "# Title\n\n<div>\tindented</div>\n",
    "# Title\n\n<!-- a comment -->\n",
    "# Title\n\n- a list\n",
    "#Title without a space\n",
])
def test_other_shapes_go_through_markdown(text):
    assert convert(text) is None


def test_headings_get_toc_ids_and_permalinks():
    page = convert("# A \\(b\\) &quot;c&quot;\n\n<p>x</p>\n\n## Quote {#quote data-search-exclude}\n\n## A \\(b\\) &quot;c&quot;\n")
    assert page.content == (
        '<h1 id="a-b-c">A (b) &quot;c&quot;<a class="headerlink" href="#a-b-c" title="Permanent link">&para;</a></h1>\n'
        "<p>x</p>\n\n"
        '<h2 data-search-exclude id="quote">Quote<a class="headerlink" href="#quote" title="Permanent link">&para;</a></h2>\n'
        '<h2 id="a-b-c_1">A (b) &quot;c&quot;<a class="headerlink" href="#a-b-c_1" title="Permanent link">&para;</a></h2>')
    assert page.heading_ids == ("a-b-c", "quote", "a-b-c_1")
    assert page.title == "A (b) &quot;c&quot;"


def test_another_markdown_setup_turns_the_fast_path_off(root):
    (root / "build" / "docs").mkdir(parents=True, exist_ok=True)  # the config's docs_dir must exist
    config = load_config(str(root / "mkdocs.yml"))
    try:
        mkdocs_hooks.on_config(config)
        assert mkdocs_hooks._fast is True
        config["markdown_extensions"].append("footnotes")
        mkdocs_hooks.on_config(config)
        assert mkdocs_hooks._fast is False
    finally:
        mkdocs_hooks._fast = False
