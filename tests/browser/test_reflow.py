"""Reflow (WCAG 1.4.10) and a site that needs no other host: every page type at phone and laptop widths."""

from __future__ import annotations

import pytest

from tests.browser.page_types import PAGE_TYPES

pytestmark = pytest.mark.browser

# Elements of the page's content that reach past the right edge of the screen (an inner scroll
# hides them as surely as a page that scrolls sideways).
PAST_THE_EDGE = """() => [...document.querySelectorAll('.md-content *')]
  .filter(e => e.getClientRects().length && e.getBoundingClientRect().right > innerWidth + 0.5)
  .slice(0, 5).map(e => `${e.tagName.toLowerCase()}.${e.className} (${Math.round(e.getBoundingClientRect().right)} px)`)"""


@pytest.fixture(scope="module", params=[320, 390, 1366], ids=lambda w: f"{w}px")
def sized(request, browser, served_site):
    context = browser.new_context(viewport={"width": request.param, "height": 800})
    context.route(lambda url: not url.startswith(served_site), lambda route: route.abort())
    yield context.new_page(), request.param
    context.close()


@pytest.mark.parametrize("url", PAGE_TYPES)
def test_page_never_scrolls_sideways(sized, served_site, url):
    page, width = sized
    page.goto(served_site + url)
    page.wait_for_load_state("networkidle")
    if url.startswith("compare/"):
        page.wait_for_selector("#rc-compare-result table")
    assert page.evaluate("document.documentElement.scrollWidth") <= page.evaluate("innerWidth")
    if width < 600:  # on a phone nothing sits in a sideways scroll either: tables become cards
        assert page.evaluate(PAST_THE_EDGE) == []


def test_theme_comparison_on_a_phone_is_one_document_at_a_time(sized, served_site):
    page, width = sized
    page.goto(served_site + "themes/disease-control/")
    columns = page.locator(".rc-column")
    assert columns.count() >= 2
    boxes = [columns.nth(n).bounding_box() for n in range(columns.count())]
    if width < 600:   # stacked, each as wide as the text, its heading held below the header
        assert all(b["width"] > width * 0.8 for b in boxes)
        assert [b["y"] for b in boxes] == sorted(b["y"] for b in boxes)
        assert page.locator(".rc-column-head").first.evaluate("e => getComputedStyle(e).position") == "sticky"
    else:             # side by side
        assert len({round(b["y"]) for b in boxes}) == 1
    # The switcher reaches each document's column.
    links = page.locator(".rc-switch a")
    assert links.count() == columns.count()
    links.nth(links.count() - 1).click()
    assert page.locator(".rc-column").nth(columns.count() - 1).is_visible()


def test_no_request_leaves_the_site(browser, served_site):
    """Every request to another host is blocked and recorded: there must be none (no web fonts, no scripts)."""
    context = browser.new_context(viewport={"width": 390, "height": 800})
    foreign: list[str] = []

    def guard(route):
        if route.request.url.startswith(served_site):
            route.continue_()
        else:
            foreign.append(f"{route.request.url} (from {route.request.frame.url})")
            route.abort()
    context.route("**/*", guard)
    page = context.new_page()
    try:
        for url in PAGE_TYPES:
            page.goto(served_site + url)
            page.wait_for_load_state("networkidle")
        page.locator("#rc-search-q").focus()   # the search loads what it needs from the site too
        page.keyboard.type("hospital")
        page.wait_for_load_state("networkidle")
    finally:
        context.close()
    assert foreign == []


def test_long_pages_have_their_contents_once_at_every_width(sized, served_site):
    """One table of contents a page: in the sidebar, open, on wide screens; folded above the text on phones."""
    page, width = sized
    page.goto(served_site + "documents/china-2020-h2-key-tasks/")
    contents = page.locator("details.rc-toc")
    assert contents.count() == 1 and page.locator("article details.rc-toc, .rc-toc-phone").count() == 0
    headings = page.locator("article h2[id]")
    links = contents.locator("a")
    assert links.count() == headings.count() >= 3
    if width >= 960:   # the sidebar shows them, beside the text
        assert contents.evaluate("d => d.open") and links.first.is_visible()
        assert contents.bounding_box()["x"] > page.locator("article h1").bounding_box()["x"]
        return
    assert not contents.evaluate("d => d.open") and not links.first.is_visible()   # folded above the title
    assert contents.bounding_box()["y"] < page.locator("article h1").bounding_box()["y"]
    contents.locator("summary").click()
    target = links.nth(1).get_attribute("href")
    links.nth(1).click()
    assert page.evaluate("location.hash") == target
    heading = page.locator(f'[id="{target[1:]}"]')   # an id may start with a digit: "(2) Improve ..."
    assert heading.evaluate("e => e.getBoundingClientRect().top < innerHeight")


def test_short_pages_have_no_contents_on_a_phone(sized, served_site):
    """A page of one or two sections (the data page: its dictionary) keeps its contents for the sidebar."""
    page, width = sized
    page.goto(served_site + "data/")
    contents = page.locator("details.rc-toc")
    assert contents.count() == 1 and page.locator("article h2[id]").count() < 3
    assert contents.is_visible() == (width >= 960)


def test_navigation_and_the_repository_are_reachable_at_every_width(sized, served_site):
    """Phones: the drawer holds the sections and the repository link; laptops: the tabs and the header's link."""
    page, width = sized
    page.goto(served_site + "tasks/china-2020-h2-key-tasks/chronic-disease-prevention/")
    if width >= 1220:
        where = page.locator(".md-header__source")
        assert page.locator(".md-tabs__link").first.is_visible() and page.locator(".md-tabs__link").count() >= 5
    else:
        page.locator("label.md-header__button[for=__drawer]").click()
        where = page.locator(".md-nav--primary .md-nav__source")
        sections = page.locator(".md-nav--primary > .md-nav__list > .md-nav__item > .md-nav__link")
        page.wait_for_function("e => e.getBoundingClientRect().left >= 0", arg=sections.first.element_handle())
        assert sections.count() >= 5 and all(sections.nth(n).is_visible() for n in range(sections.count()))
    link = where.locator("a.md-source")
    assert link.is_visible() and link.get_attribute("href").startswith("https://")
    icon = link.locator(".md-source__icon")   # drawn by the stylesheet, not inlined in each page
    assert "svg" in icon.evaluate("e => getComputedStyle(e, '::before').maskImage || getComputedStyle(e, '::before').webkitMaskImage")
    assert icon.evaluate("e => e.getBoundingClientRect().width") > 0
