"""Site search in the real browser: Pagefind's index through theme/assets/search.js (generator/search/).

Queries come from the built site's own data (bodies' names and short names, tasks' words), so the
tests hold for any content.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest

pytestmark = pytest.mark.browser

from tests.conftest import FIXTURE_CONTENT, ROOT, read_yaml
CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
DONE = "document.getElementById('rc-search').dataset.rcState === 'done'"


def bodies() -> list[dict]:
    return read_yaml(FIXTURE_CONTENT / "bodies.yaml")["bodies"]


def results(page) -> list[dict]:
    """The results shown, in order: group, path, title, label line, snippet."""
    return page.eval_on_selector_all("#rc-search a.rc-result", """as => as.map(a => ({
        group: a.closest('section').querySelector('h2').id,
        path: new URL(a.href).pathname,
        title: a.querySelector('.rc-result__title').textContent,
        meta: a.querySelector('.rc-result__meta').textContent,
        text: a.querySelector('.rc-result__text').textContent}))""")


def search(page, served_site, query: str, start: str = "") -> list[dict]:
    """Open a page, press "/", paste the query (text arrives with no key pressed), wait for the results."""
    page.goto(served_site + start)
    page.locator("body").press("/")
    assert page.evaluate("document.activeElement.id") == "rc-search-q"
    page.keyboard.insert_text(query)
    page.wait_for_function(DONE, timeout=10_000)
    return results(page)


def test_nothing_of_search_loads_until_it_is_opened(page, served_site):
    requested: list[str] = []
    page.on("request", lambda r: requested.append(urlsplit(r.url).path))
    page.goto(served_site + "tasks/jiangxi-2020-h2-key-tasks/epidemic-treatment-capacity/")
    page.wait_for_load_state("networkidle")
    assert not [p for p in requested if p.startswith("/pagefind/") or p.endswith("/search.js")
                or "search_index" in p or "workers/search" in p], requested
    page.locator("#rc-search-button").click()  # a tap on the search button
    page.keyboard.insert_text("hospitals")
    page.wait_for_function(DONE, timeout=10_000)
    assert "/assets/search.js" in requested and "/pagefind/pagefind.js" in requested
    assert any(p.startswith("/pagefind/fragment/") for p in requested)


def test_focus_on_the_box_loads_search(page, served_site):
    requested: list[str] = []
    page.goto(served_site)
    page.wait_for_load_state("networkidle")
    page.on("request", lambda r: requested.append(urlsplit(r.url).path))
    page.evaluate("rcSearch.open()")  # what the button does; the box then has focus
    page.wait_for_function("!!document.querySelector('#rc-search select[name=level]')", timeout=10_000)
    assert "/pagefind/pagefind.js" in requested


@pytest.mark.parametrize("body", [b for b in bodies() if b.get("short_names")], ids=lambda b: b["id"])
def test_every_short_name_finds_its_body(page, served_site, body):
    for name in body["short_names"]:
        found = search(page, served_site, name)
        others = [r["path"] for r in found if r["group"] == "rc-search-other"]
        assert f"/bodies/{body['id']}/" in others[:3], (name, others)


def test_chinese_names_whole_and_in_part_find_the_body_and_its_tasks(page, served_site, site_data):
    for body in [b for b in bodies() if b.get("name_zh") and len(b["name_zh"]) >= 4]:
        named = {f"/tasks/{t['document']}/{t['id']}/" for t in site_data["tasks"]
                 if body["id"] in {b["body"] for b in t["bodies"]}}
        for query in (body["name_zh"], body["name_zh"][2:]):  # 国家卫生健康委员会, 卫生健康委员会
            found = search(page, served_site, query)
            assert f"/bodies/{body['id']}/" in [r["path"] for r in found], query
            tasks = {r["path"] for r in found if r["group"] == "rc-search-task"}
            if named:
                assert tasks & named, (query, "no task that names the body")


def test_part_of_a_jurisdiction_name_finds_it_and_its_tasks(page, served_site, site_data):
    for jur in site_data["jurisdictions"]:
        if jur.get("level") != "province" or len(jur.get("name_zh") or "") < 3:
            continue
        query = jur["name_zh"][:2]  # 江西 for 江西省
        found = search(page, served_site, query)
        assert f"/jurisdictions/{jur['id']}/" in [r["path"] for r in found], query
        tasks = [r for r in found if r["group"] == "rc-search-task"]
        own = {t["jurisdiction"] for t in site_data["tasks"]}
        if jur["id"] in own:
            assert tasks and all(jur["name"] in r["meta"] for r in tasks), (query, tasks[:3])


def test_tasks_come_first_with_their_document_place_and_level(page, served_site, site_data):
    task = max(site_data["tasks"], key=lambda t: len(t["title"]))
    found = search(page, served_site, task["title"])
    assert found[0]["group"] == "rc-search-task"
    groups = [r["group"] for r in found]
    assert groups == sorted(groups, key=lambda g: g != "rc-search-task"), "a task after another page"
    first = found[0]
    assert first["path"] == f"/tasks/{task['document']}/{task['id']}/"
    doc = next(d for d in site_data["documents"] if d["id"] == task["document"])
    jur = next(j for j in site_data["jurisdictions"] if j["id"] == task["jurisdiction"])
    assert jur["name"] in first["meta"] and doc["label"] in first["meta"]
    assert first["meta"].count(jur["name"]) == 1  # the label names the place: not twice
    level = page.locator("#rc-search a.rc-result").first.locator(".rc-level").inner_text()
    assert level.lower().startswith(task["level"][:4])


def test_snippets_are_sentences_holding_the_words(page, served_site):
    found = search(page, served_site, "hospitals")
    assert found
    for r in found:
        text = r["text"].strip()
        assert text, r
        assert text[0].isupper() or text[0].isdigit() or text[0] in "…(“" or CJK.match(text[0]), r
        assert text[-1] in ".…!?。)”", r
        assert "⁂" not in text and not re.search(r"[a-z][A-Z][a-z]", text.replace("McC", "")), r
    assert sum("hospital" in r["text"].lower() for r in found) >= len(found) // 2


def test_a_result_opens_its_page_and_back_returns_to_the_search(page, served_site):
    found = search(page, served_site, "hospitals", start="themes/")
    page.locator("#rc-search a.rc-result").first.click()
    page.wait_for_load_state()
    assert urlsplit(page.url).path == found[0]["path"]
    page.go_back()
    page.wait_for_function(DONE, timeout=10_000)
    assert page.locator("#rc-search").is_visible()
    assert page.input_value("#rc-search-q") == "hospitals"
    assert results(page)[0]["path"] == found[0]["path"]


def test_filters_narrow_the_results_and_live_in_the_address(page, served_site, site_data):
    levels = {t["level"] for t in site_data["tasks"]}
    level = "province" if "province" in levels else sorted(levels)[0]
    page.goto(served_site + f"?q=health&level={level}")  # a linked search
    page.wait_for_function(DONE, timeout=10_000)
    assert page.input_value("#rc-search select[name=level]") == level
    found = results(page)
    assert found and all(level[:4] in r["meta"].lower() for r in found if r["group"] == "rc-search-task")
    # Another filter: a new entry in the history, which the back button undoes.
    year = page.eval_on_selector("#rc-search select[name=year]", "s => s.options[1] && s.options[1].value")
    page.select_option("#rc-search select[name=year]", year)
    page.wait_for_function(DONE, timeout=10_000)
    assert parse_qs(urlsplit(page.url).query) == {"q": ["health"], "level": [level], "year": [year]}
    page.go_back()
    page.wait_for_function(f"new URLSearchParams(location.search).get('year') === null && {DONE}")
    assert page.input_value("#rc-search select[name=year]") == ""
    assert results(page) == found


def test_a_province_takes_in_its_cities_and_counties(page, served_site, site_data):
    jurs = {j["id"]: j for j in site_data["jurisdictions"]}

    def province(jid):
        j = jurs[jid]
        while j["level"] != "province" and j.get("parent") in jurs:
            j = jurs[j["parent"]]
        return j["id"] if j["level"] == "province" else None
    local = [t for t in site_data["tasks"] if t["level"] in ("prefecture", "city", "county") and province(t["jurisdiction"])]
    if not local:
        pytest.skip("no city or county task under a province in this content")
    task = local[0]
    prov = province(task["jurisdiction"])
    page.goto(served_site + f"?q=&province={prov}")  # filters alone: ?q= marks the search
    page.wait_for_function(DONE, timeout=10_000)
    while page.locator("[data-rc-more=task]").count():
        page.locator("[data-rc-more=task]").click()
        page.wait_for_function(DONE, timeout=10_000)
    paths = {r["path"] for r in results(page) if r["group"] == "rc-search-task"}
    expected = {f"/tasks/{t['document']}/{t['id']}/" for t in site_data["tasks"] if province(t["jurisdiction"]) == prov}
    assert paths == expected


def test_theme_filter(page, served_site, site_data):
    theme = site_data["tasks"][0]["themes"][0]
    page.goto(served_site + f"?q=&theme={theme}")
    page.wait_for_function(DONE, timeout=10_000)
    count = page.locator("#rc-search-task").inner_text()
    expected = sum(theme in t["themes"] for t in site_data["tasks"])
    assert f"({expected})" in count


def test_keys_slash_arrows_enter_and_escape(page, served_site):
    search(page, served_site, "health")
    links = page.locator("#rc-search a.rc-result")
    assert links.count() >= 2
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.classList.contains('rc-result')")
    first = page.evaluate("document.activeElement.href")
    page.keyboard.press("ArrowDown")
    second = page.evaluate("document.activeElement.href")
    assert second != first and second == links.nth(1).evaluate("a => a.href")
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")
    assert page.evaluate("document.activeElement.id") == "rc-search-q"
    page.keyboard.press("Escape")
    assert not page.locator("#rc-search").is_visible()
    assert "q=" not in page.url
    page.locator("body").press("/")
    assert page.locator("#rc-search").is_visible()
    assert page.evaluate("document.activeElement.id") == "rc-search-q" and "q=health" in page.url
    with page.expect_navigation():
        page.keyboard.press("Enter")  # the first result
    assert urlsplit(page.url).path == urlsplit(first).path


def test_typing_updates_the_results_as_each_key_lands(page, served_site):
    page.goto(served_site)
    page.locator("body").press("/")
    page.keyboard.type("hospitals", delay=30)
    page.wait_for_function(DONE, timeout=10_000)
    before = page.inner_text("#rc-search-status")
    assert results(page) and "hospitals" in before
    page.keyboard.type(" county")
    page.wait_for_function(f"{DONE} && document.getElementById('rc-search-status').textContent.includes('county')")
    count = lambda text: sum(int(n.replace(",", "")) for n in re.findall(r"[\d,]+", text.split(" for ")[0]))
    assert count(page.inner_text("#rc-search-status")) <= count(before)  # every word must match


def test_search_fits_a_320_pixel_screen(browser, served_site):
    context = browser.new_context(viewport={"width": 320, "height": 640}, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.route(lambda url: not url.startswith(served_site), lambda route: route.abort())
    try:
        page.goto(served_site + "bodies/nhc/")  # a page that itself fits (the search is over it)
        page.locator("#rc-search-button").tap()
        page.keyboard.insert_text("public health")
        page.wait_for_function(DONE, timeout=10_000)
        assert page.evaluate("document.documentElement.scrollWidth") <= 320
        boxes = page.eval_on_selector_all("#rc-search input, #rc-search select, #rc-search a.rc-result",
                                          "els => els.map(e => e.getBoundingClientRect().right)")
        assert boxes and max(boxes) <= 320
    finally:
        context.close()


def test_no_serious_accessibility_violation_with_results_open(page, served_site):
    axe = ROOT / "node_modules" / "axe-core" / "axe.min.js"
    if not axe.is_file():
        pytest.skip("axe-core is not installed: run `make browser`")
    search(page, served_site, "rural doctors")
    page.add_script_tag(content=axe.read_text(encoding="utf-8"))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    serious = [f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes'][:3]]}"
               for v in result["violations"] if v["impact"] in ("serious", "critical")]
    assert serious == [], "\n".join(serious)
