"""While the search index is still downloading, the page a reader is on stays usable."""

import pytest


@pytest.mark.browser
def test_page_works_while_the_index_is_held_back(page, served_site):
    held = []
    page.route("**/pagefind/**", lambda route: held.append(route))  # hangs until released
    page.goto(served_site + "indicators/", wait_until="domcontentloaded")
    page.locator("body").press("/")  # search opens and starts loading its index
    page.keyboard.insert_text("63 county-level hospitals")
    page.keyboard.press("Escape")
    box = page.locator("#rc-filter-text")
    box.fill("hospitals")
    page.wait_for_function("document.getElementById('rc-filter-count').textContent.startsWith('4 of')",
                           timeout=2000)
    page.locator("th", has_text="Value").click()  # sorting works too
    assert page.locator("th[aria-sort]").count() == 1
    page.wait_for_function("() => true")  # let queued route events arrive
    assert held, "the index was requested and is still held back"
    # Release the index: search then answers as usual.
    for route in held:
        route.continue_()
    page.route("**/pagefind/**", lambda route: route.continue_())
    page.locator("body").press("/")
    page.wait_for_function("document.getElementById('rc-search').dataset.rcState === 'done'", timeout=10_000)
    first = page.eval_on_selector("#rc-search a.rc-result", "a => new URL(a.href).pathname")
    assert first.startswith("/tasks/jiangxi-2020-h2-key-tasks/")
