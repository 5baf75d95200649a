"""The indicators table: filter panel, word/level filters, numeric sort, and the table without JavaScript."""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, urlsplit

import pytest

pytestmark = pytest.mark.browser

ROW = "#rc-indicators tbody tr"
HOSPITALS_63 = f'{ROW}:has(td.rc-value[data-value="63"])'
YUAN_35 = f'{ROW}:has(td.rc-value[data-value="35"])'


@pytest.fixture(scope="module")
def rows(built_site):
    """Each indicator row of the built page as (level, value, lower-cased text), read from the HTML file."""
    text = (built_site / "indicators" / "index.html").read_text(encoding="utf-8")
    body = re.search(r'<table[^>]*id="rc-indicators".*?<tbody>(.*?)</tbody>', text, re.S).group(1)
    out = []
    for tr in re.findall(r"<tr\b.*?</tr>", body, re.S):
        level = re.search(r'data-level="([^"]+)"', tr).group(1)
        value = float(re.search(r'class="rc-value" data-value="([^"]+)"', tr).group(1))
        words = html.unescape(re.sub(r"<[^>]+>", "", tr)).lower()
        out.append((level, value, words))
    assert len(out) >= 10
    return out


def open_indicators(page, served_site, query: str = ""):
    page.goto(f"{served_site}indicators/{query}")
    page.wait_for_selector("#rc-filter-count:not(:empty)")


def visible_values(page) -> list[float]:
    return [float(v) for v in page.eval_on_selector_all(
        f"{ROW}:not([hidden]) td.rc-value", "tds => tds.map(td => td.dataset.value)")]


def test_filter_panel_appears_with_javascript(page, served_site, rows, errors):
    open_indicators(page, served_site)
    assert page.locator(".rc-filter").is_visible()
    assert page.inner_text("#rc-filter-count") == f"{len(rows)} of {len(rows)} indicators"
    assert page.locator(f"{ROW}:visible").count() == len(rows)
    assert errors == []


def test_typing_filters_rows_and_count(page, served_site, rows):
    open_indicators(page, served_site)
    page.fill("#rc-filter-text", "hospitals")
    expected = sum("hospitals" in words for _, _, words in rows)
    assert 0 < expected < len(rows)
    assert page.inner_text("#rc-filter-count") == f"{expected} of {len(rows)} indicators"
    assert page.locator(f"{ROW}:visible").count() == expected
    assert page.locator(HOSPITALS_63).is_visible()
    assert "63 hospitals" in page.locator(HOSPITALS_63).inner_text()
    assert "35 yuan" in page.locator(YUAN_35).inner_text()
    assert page.locator(YUAN_35).is_hidden()
    # Every visible row mentions the word; every hidden one does not.
    for text in page.locator(f"{ROW}:visible").all_inner_texts():
        assert "hospitals" in text.lower()

    # The filter is kept in the address and restored from it.
    assert parse_qs(urlsplit(page.url).query) == {"filter": ["hospitals"]}
    page.reload()
    page.wait_for_selector("#rc-filter-count:not(:empty)")
    assert page.input_value("#rc-filter-text") == "hospitals"
    assert page.inner_text("#rc-filter-count") == f"{expected} of {len(rows)} indicators"
    assert page.locator(YUAN_35).is_hidden()
    # The filter's address must not open site search over the table (it opens on ?q=).
    assert page.locator("#rc-search").is_hidden()

    # Clearing the box brings every row back.
    page.fill("#rc-filter-text", "")
    assert page.inner_text("#rc-filter-count") == f"{len(rows)} of {len(rows)} indicators"
    assert urlsplit(page.url).query == ""


def test_level_select_keeps_only_county_rows(page, served_site, rows):
    open_indicators(page, served_site)
    page.select_option("#rc-filter-level", "county")
    county = [r for r in rows if r[0] == "county"]
    assert 0 < len(county) < len(rows)
    assert page.inner_text("#rc-filter-count") == f"{len(county)} of {len(rows)} indicators"
    levels = page.eval_on_selector_all(f"{ROW}:not([hidden])", "rs => rs.map(r => r.dataset.level)")
    assert levels == ["county"] * len(county)
    assert all("County" in t for t in page.locator(f"{ROW}:visible").all_inner_texts())
    assert page.locator(HOSPITALS_63).is_hidden()
    assert parse_qs(urlsplit(page.url).query) == {"level": ["county"]}

    # Words and level combine.
    page.fill("#rc-filter-text", "hospitals")
    both = sum(1 for level, _, words in rows if level == "county" and "hospitals" in words)
    assert page.inner_text("#rc-filter-count") == f"{both} of {len(rows)} indicators"


def test_value_header_sorts_numerically(page, served_site, rows, errors):
    open_indicators(page, served_site)
    header = page.locator("#rc-indicators thead th", has_text="Value")
    assert header.get_attribute("data-sort") == "number"
    all_values = sorted(v for _, v, _ in rows)
    # Numeric, not text, order: 120 and 1000 come after 63 and 90.
    assert [str(int(v)) for v in all_values] != sorted(str(int(v)) for v in all_values)

    header.click()
    assert header.get_attribute("aria-sort") == "ascending"
    assert visible_values(page) == all_values

    header.click()
    assert header.get_attribute("aria-sort") == "descending"
    assert visible_values(page) == all_values[::-1]

    # Sorting keeps the filter: only the matching rows, still in order.
    page.fill("#rc-filter-text", "hospitals")
    shown = visible_values(page)
    assert shown == sorted((v for _, v, w in rows if "hospitals" in w), reverse=True)

    # The keyboard sorts too.
    header.focus()
    page.keyboard.press("Enter")
    assert header.get_attribute("aria-sort") == "ascending"
    assert visible_values(page) == sorted(shown)
    assert errors == []


def test_without_javascript_the_full_table_is_there(browser, served_site, rows):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"{served_site}indicators/?filter=hospitals&level=county")
        assert page.locator(".rc-filter").is_hidden()
        assert page.locator(ROW).count() == len(rows)
        assert page.locator(f"{ROW}:visible").count() == len(rows)
        assert page.locator(HOSPITALS_63).is_visible()
        assert page.locator(YUAN_35).is_visible()
        assert page.inner_text("#rc-filter-count") == ""
        # Source order: rows stay as written (grouped by theme), every task link present.
        assert page.locator(f"{ROW} td:last-child a[href*='/tasks/']").count() == len(rows)
    finally:
        context.close()
