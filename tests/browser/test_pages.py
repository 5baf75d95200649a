"""Task page (copy link, view in source), source page highlighting, and the 404 page."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from generator.pipeline import read_site_url
from generator.content.project import Project
from tests.conftest import ROOT

pytestmark = pytest.mark.browser

DOC = "jiangxi-2020-h2-key-tasks"
TASK = "epidemic-treatment-capacity"
TASK_PATH = f"/tasks/{DOC}/{TASK}/"
SOURCE_PATH = f"/documents/{DOC}/source/"
SITE_URL = read_site_url(Project(ROOT))   # site_url in mkdocs.yml


def targets(page) -> list[str]:
    return page.eval_on_selector_all("a.rc-q.is-target", "as => as.map(a => a.dataset.tasks)")


def passages_of(page, task: str) -> int:
    return page.eval_on_selector_all(
        "a.rc-q", f"as => as.filter(a => a.dataset.tasks.split(' ').includes({task!r})).length")


def test_copy_link_button_copies_the_permanent_link(browser, served_site):
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    try:
        page = context.new_page()
        page.route(lambda url: not url.startswith(served_site), lambda route: route.abort())
        page.clock.install()   # the "Copied" label's 2-second timer runs on a fake clock
        page.goto(served_site + TASK_PATH.lstrip("/"))
        button = page.locator(".rc-cite button.rc-copy", has_text="Copy link")
        assert button.count() == 1
        assert button.inner_text() == "Copy link"
        permanent = SITE_URL + TASK_PATH.lstrip("/")
        assert button.get_attribute("data-copy") == permanent
        assert page.locator(".rc-cite a", has_text=permanent).get_attribute("href") == permanent
        button.click()
        page.wait_for_function("() => document.querySelector('button.rc-copy[data-label=\"Copy link\"]').textContent === 'Copied'")
        assert page.evaluate("navigator.clipboard.readText()") == permanent
        # It turns back after two seconds, ready to copy again.
        page.clock.run_for(2_100)
        assert button.inner_text() == "Copy link"
    finally:
        context.close()


def test_view_in_source_lights_up_the_tasks_passages(page, served_site, errors):
    page.goto(served_site + TASK_PATH.lstrip("/"))
    link = page.locator(".rc-quote-foot a", has_text="View in source")
    assert urlsplit(link.get_attribute("href")).fragment == f"q-{TASK}"
    link.click()
    page.wait_for_load_state()
    parts = urlsplit(page.url)
    assert parts.path == SOURCE_PATH
    assert parts.fragment == f"q-{TASK}"
    assert page.locator(f"#q-{TASK}").count() == 1

    lit = targets(page)
    assert len(lit) == passages_of(page, TASK) >= 2   # the task quotes the source in several places
    assert set(lit) == {TASK}
    assert page.locator("a.rc-q:not(.is-target)").count() > 0

    # Following another task's anchor on the same page moves the highlight (hashchange, no reload).
    page.evaluate("location.hash = '#q-hospital-investment'")
    page.wait_for_function("() => document.querySelector('a.rc-q.is-target')?.dataset.tasks === 'hospital-investment'")
    assert set(targets(page)) == {"hospital-investment"}
    assert len(targets(page)) == passages_of(page, "hospital-investment")
    assert errors == []


def test_indicator_source_words_light_up_the_whole_task(page, served_site):
    page.goto(served_site + TASK_PATH.lstrip("/"))
    words = page.locator("#county-level-hospitals a")
    assert urlsplit(words.get_attribute("href")).fragment == f"q-{TASK}--county-level-hospitals"
    words.click()
    page.wait_for_load_state()
    assert urlsplit(page.url).path == SOURCE_PATH
    assert page.locator(f"#q-{TASK}--county-level-hospitals").count() == 1
    assert set(targets(page)) == {TASK}
    assert len(targets(page)) == passages_of(page, TASK)


def test_source_page_without_a_task_anchor_lights_nothing(page, served_site):
    page.goto(served_site + SOURCE_PATH.lstrip("/") + "#p1")
    assert page.locator("a.rc-q").count() > 0
    assert targets(page) == []


def test_404_page_offers_search_and_links_home(page, served_site):
    page.goto(served_site + "404.html")
    assert page.locator("h1").inner_text().startswith("Page not found")

    # The header search works here too.
    page.locator("body").press("/")
    page.keyboard.insert_text("江西省")
    page.wait_for_function("document.getElementById('rc-search').dataset.rcState === 'done'", timeout=10_000)
    hits = page.eval_on_selector_all("#rc-search a.rc-result", "as => as.map(a => new URL(a.href).pathname)")
    assert "/jurisdictions/jiangxi/" in hits
    page.keyboard.press("Escape")

    # The buttons are root-relative (404.html is served at any depth), so they work locally too.
    home = page.locator("article a.md-button--primary", has_text="Home")
    for name, path in (("All documents", "/documents/"), ("Themes", "/themes/")):
        assert page.locator("article a.md-button", has_text=name).get_attribute("href") == path
    home.click()
    page.wait_for_load_state()
    assert page.url in (served_site, served_site + ".")
    assert page.title().startswith("Reform Compare")
    assert page.locator("nav.md-tabs").count() == 1   # the real home page, with its own assets
