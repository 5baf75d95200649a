"""While the search index is still downloading, the page a reader is on stays usable."""

import pytest


@pytest.mark.browser
def test_page_works_while_the_index_is_held_back(page, served_site):
    held = []
    page.route("**/search/search_index.json", lambda route: held.append(route))  # hangs until released
    page.goto(served_site + "indicators/", wait_until="domcontentloaded")
    page.wait_for_function("() => true")  # let queued route events arrive
    box = page.locator("#rc-filter-text")
    box.fill("hospitals")
    page.wait_for_function("document.getElementById('rc-filter-count').textContent.startsWith('4 of')",
                           timeout=2000)
    page.locator("th", has_text="Value").click()  # sorting works too
    assert page.locator("th[aria-sort]").count() == 1
    assert held, "the index was requested and is still held back"
    # Release the index: search then answers as usual.
    for route in held:
        route.continue_()
    search = page.locator("input[name=query]")
    page.locator("body").press("/")
    search.fill("63 county-level hospitals")
    search.press("End")
    page.wait_for_selector(".md-search-result__item", timeout=10_000)
    first = page.eval_on_selector(".md-search-result__item a", "a => new URL(a.href).pathname")
    assert first.startswith("/tasks/jiangxi-2020-h2-key-tasks/")
