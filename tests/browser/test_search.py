"""Material's site search over the built index: Chinese names, aliases, and ranking of task pages."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

pytestmark = pytest.mark.browser

JIANGXI_TASK = "/tasks/jiangxi-2020-h2-key-tasks/epidemic-treatment-capacity/"


def search(page, served_site, query: str, *, start: str = "", key: bool = True) -> list[str]:
    """Open a page, open search, type the query; return the result paths in ranked order."""
    page.goto(served_site + start)
    if key:
        page.locator("body").press("/")
    else:
        page.locator("input[name=query]").click()
    box = page.locator("input[name=query]")
    box.wait_for(state="visible")
    assert page.evaluate("document.activeElement && document.activeElement.name") == "query"
    box.fill(query)
    # Material reads the box on keyup (and focus, and when its index is ready), not on input: fill()
    # alone races the index. A real typist (or an IME committing Chinese) always ends with a keyup.
    box.press("End")
    page.wait_for_selector(".md-search-result__item", timeout=10_000)
    hrefs = page.eval_on_selector_all(
        ".md-search-result__list > .md-search-result__item > a.md-search-result__link",
        "as => as.map(a => a.href)")
    return [urlsplit(h).path for h in hrefs]


def test_chinese_jurisdiction_name_finds_jiangxi(page, served_site):
    results = search(page, served_site, "江西省")
    assert "/jurisdictions/jiangxi/" in results
    # Every hit is about Jiangxi: the province, its document, its government's general office (江西省人民政府办公厅).
    assert all("jiangxi" in path for path in results), results


def test_chinese_body_name_finds_the_nhc(page, served_site):
    # jieba indexes 国家卫生健康委员会 as 国家/卫生/健康/委员会; Material segments the query the same way.
    results = search(page, served_site, "国家卫生健康委员会", key=False)
    assert results[0] == "/bodies/nhc/"


def test_translation_alias_finds_the_nhc(page, served_site):
    results = search(page, served_site, "National Health and Wellness Commission")
    assert "/bodies/nhc/" in results[:3]


def test_indicator_words_rank_the_jiangxi_task_first(page, served_site):
    results = search(page, served_site, "63 county-level hospitals")
    assert results[0] == JIANGXI_TASK
    # No aggregate page (jurisdiction, theme, document, body lists) outranks the task page: task pages carry
    # search boost 3, jurisdiction, document and body pages 1.5, theme pages 1; indicators and compare are excluded.
    first_aggregate = next((i for i, path in enumerate(results) if not path.startswith("/tasks/")), len(results))
    assert first_aggregate > 0
    assert "/indicators/" not in results and "/compare/" not in results


def test_result_opens_the_page(page, served_site):
    search(page, served_site, "63 county-level hospitals")
    page.locator(".md-search-result__item > a.md-search-result__link").first.click()
    page.wait_for_load_state()
    assert urlsplit(page.url).path == JIANGXI_TASK
    assert page.locator("h1").inner_text().rstrip("¶") == "Support epidemic treatment bases and county-level hospitals"
