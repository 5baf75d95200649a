"""The compare page: two documents' tasks aligned by theme, the choice kept in the address."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest

from generator.pipeline import build_site
from generator.content.project import Project
from generator.pages.jobs import SIDE_BY_SIDE_MAX
from tests.bench import synthesise_copies as synthesise
from tests.conftest import serve

pytestmark = pytest.mark.browser

CHINA = "china-2020-h2-key-tasks"
JIANGXI = "jiangxi-2020-h2-key-tasks"
GUANGDONG = "guangdong-2020-near-term-key-tasks"
FEIXI = "feixi-health-capacity-five-aspects"
EMPTY = "No commitment in this document."
EMPTY_EXCERPT = "Nothing on this theme in the excerpt we hold."


def task_paths(site_data, doc: str, theme: str) -> set[str]:
    """Addresses of a document's tasks filed under a theme (the compare page files a task under every theme it has)."""
    return {f"/tasks/{t['document']}/{t['id']}/" for t in site_data["tasks"]
            if t["document"] == doc and theme in t["themes"]}


def themes_with_tasks(site_data, *docs: str) -> list[str]:
    """Theme ids that the comparison of these documents should list, in the site's theme order."""
    used = {theme for t in site_data["tasks"] if t["document"] in docs for theme in t["themes"]}  # every theme
    return [th["id"] for th in site_data["themes"] if th["id"] in used]


def open_compare(page, served_site, a: str, b: str):
    page.goto(f"{served_site}compare/?a={a}&b={b}")
    page.wait_for_selector("#rc-compare-result table.rc-compare-2")


def cell_links(page, theme: str, column: int) -> set[str]:
    """Paths of the task links in one cell (column 1 = first document, 2 = second) of a theme's row."""
    hrefs = page.eval_on_selector_all(
        f'#rc-compare-result tr[data-theme="{theme}"] > td:nth-of-type({column}) a', "els => els.map(e => e.href)")
    return {urlsplit(h).path for h in hrefs}


def test_query_opens_a_comparison_aligned_by_theme(page, served_site, site_data, errors):
    open_compare(page, served_site, CHINA, JIANGXI)
    assert page.input_value("#rc-compare-a") == CHINA
    assert page.input_value("#rc-compare-b") == JIANGXI

    headers = page.locator("#rc-compare-result thead th").all_inner_texts()
    assert headers[0] == "Theme"
    assert headers[1] == "China · key tasks 2020 H2"  # the documents' labels
    assert headers[2] == "Jiangxi Province · key tasks 2020 H2"

    # One row per theme on which either document has a task, in the site's theme order.
    rows = page.eval_on_selector_all("#rc-compare-result tbody tr", "rs => rs.map(r => r.dataset.theme)")
    assert rows == themes_with_tasks(site_data, CHINA, JIANGXI)

    # Disease control: both documents commit; each cell links to that document's tasks and no others.
    china = cell_links(page, "disease-control", 1)
    jiangxi = cell_links(page, "disease-control", 2)
    assert china == task_paths(site_data, CHINA, "disease-control")
    assert jiangxi == task_paths(site_data, JIANGXI, "disease-control")
    assert f"/tasks/{CHINA}/reform-disease-prevention-system/" in china
    assert {f"/tasks/{JIANGXI}/public-health-service-system/",
            f"/tasks/{JIANGXI}/grassroots-disease-control/"} <= jiangxi
    row_head = page.locator('#rc-compare-result tr[data-theme="disease-control"] th a')
    assert row_head.inner_text() == "Disease prevention and control"
    assert urlsplit(row_head.get_attribute("href")).path.endswith("themes/disease-control/")

    # Indicators travel with their task as chips.
    assert "63" in page.locator('#rc-compare-result tr[data-theme="emergency-preparedness"] td').nth(1).inner_text()

    shared = sum(1 for th in rows if task_paths(site_data, CHINA, th) and task_paths(site_data, JIANGXI, th))
    assert page.inner_text("#rc-compare-summary") == (
        f"{shared} themes on which both documents commit; {len(rows)} themes in all.")
    assert errors == []


def test_task_links_open_the_task_pages(page, served_site):
    open_compare(page, served_site, CHINA, JIANGXI)
    page.click(f'#rc-compare-result a[href$="tasks/{JIANGXI}/grassroots-disease-control/"]')
    page.wait_for_load_state()
    assert urlsplit(page.url).path == f"/tasks/{JIANGXI}/grassroots-disease-control/"
    assert page.locator("h1").inner_text().startswith("Disease control duties of township hospitals")


def test_empty_cell_says_the_excerpt_has_nothing(page, served_site, site_data):
    open_compare(page, served_site, CHINA, JIANGXI)
    jiangxi = next(d for d in site_data["documents"] if d["id"] == JIANGXI)
    assert jiangxi["source"]["excerpt"] is True
    # China commits on insurance coverage; the Jiangxi report is silent on it.
    assert task_paths(site_data, CHINA, "insurance-coverage") and not task_paths(site_data, JIANGXI, "insurance-coverage")
    cell = page.locator('#rc-compare-result tr[data-theme="insurance-coverage"] > td').nth(1)
    assert cell.locator("a").count() == 0
    assert cell.locator("p.rc-empty").inner_text() == EMPTY_EXCERPT


def test_empty_cell_for_a_full_text_says_no_commitment(page, served_site):
    """Every stored source is an excerpt today; serve one as full text to reach the other wording."""
    def full_text(route):
        docs = json.loads(route.fetch().text())
        for d in docs:
            if d["id"] == JIANGXI:
                d["source"]["excerpt"] = False
        route.fulfill(status=200, content_type="application/json", body=json.dumps(docs))
    page.route("**/data/documents.json", full_text)
    open_compare(page, served_site, CHINA, JIANGXI)
    cell = page.locator('#rc-compare-result tr[data-theme="insurance-coverage"] > td').nth(1)
    assert cell.locator("p.rc-empty").inner_text() == EMPTY
    # The China side, also an excerpt, keeps the excerpt wording where it is silent.
    china_silent = page.locator('#rc-compare-result tr[data-theme="rural-doctors"] > td').nth(0)
    assert china_silent.locator("p.rc-empty").inner_text() == EMPTY_EXCERPT


def test_submitting_updates_address_and_table_and_reload_keeps_it(page, served_site, site_data, errors):
    open_compare(page, served_site, CHINA, JIANGXI)
    page.select_option("#rc-compare-a", GUANGDONG)
    page.select_option("#rc-compare-b", FEIXI)
    page.click("#rc-compare-form button[type=submit]")
    page.wait_for_function(
        "() => document.querySelector('#rc-compare-result thead th:nth-child(3)')?.textContent.startsWith('Feixi')")

    parts = urlsplit(page.url)
    assert parts.path == "/compare/"
    assert parse_qs(parts.query) == {"a": [GUANGDONG], "b": [FEIXI]}

    def snapshot():
        return {
            "head": page.locator("#rc-compare-result thead th").all_inner_texts(),
            "rows": page.eval_on_selector_all("#rc-compare-result tbody tr", "rs => rs.map(r => r.dataset.theme)"),
            "a": cell_links(page, "disease-control", 1),
            "b": cell_links(page, "disease-control", 2),
        }

    before = snapshot()
    assert before["head"][1].startswith("Guangdong")
    assert before["rows"] == themes_with_tasks(site_data, GUANGDONG, FEIXI)
    assert before["a"] == task_paths(site_data, GUANGDONG, "disease-control")
    assert before["b"] == task_paths(site_data, FEIXI, "disease-control")
    links = page.eval_on_selector_all("#rc-compare-result td a", "els => els.map(e => e.href)")
    assert links and all(f"/tasks/{GUANGDONG}/" in h or f"/tasks/{FEIXI}/" in h for h in links)

    # The address alone reopens the same comparison.
    page.reload()
    page.wait_for_selector("#rc-compare-result table.rc-compare-2")
    assert page.input_value("#rc-compare-a") == GUANGDONG
    assert page.input_value("#rc-compare-b") == FEIXI
    assert snapshot() == before

    # Back goes to the previous comparison.
    page.go_back()
    page.wait_for_function(
        "() => document.querySelector('#rc-compare-result thead th:nth-child(3)')?.textContent.startsWith('Jiangxi')")
    assert parse_qs(urlsplit(page.url).query) == {"a": [CHINA], "b": [JIANGXI]}
    assert page.input_value("#rc-compare-a") == CHINA
    assert errors == []


def test_without_a_query_the_first_two_documents_are_compared(page, served_site, site_data):
    page.goto(f"{served_site}compare/")
    page.wait_for_selector("#rc-compare-result table.rc-compare-2")
    options = page.eval_on_selector_all("#rc-compare-a option", "os => os.map(o => o.value)")
    assert options == [d["id"] for d in site_data["documents"]]
    assert page.input_value("#rc-compare-a") == options[0]
    assert page.input_value("#rc-compare-b") == options[1]


@pytest.fixture(scope="module")
def scaled_site(tmp_path_factory):
    """A site of more than SIDE_BY_SIDE_MAX documents (the real ones copied to synthetic counties), served."""
    root = tmp_path_factory.mktemp("scaled") / "project"
    synthesise(root, 3 * 128, git=False)
    build_site(Project(root), root / "site")
    assert len(json.loads((root / "site" / "data" / "documents.json").read_text("utf-8"))) > SIDE_BY_SIDE_MAX
    with serve(root / "site") as url:
        yield url, root / "site"


def test_at_scale_cities_and_counties_come_grouped_by_province(browser, scaled_site):
    url, site = scaled_site
    documents = json.loads((site / "data" / "documents.json").read_text("utf-8"))
    jurisdictions = {j["id"]: j for j in json.loads((site / "data" / "jurisdictions.json").read_text("utf-8"))}
    province_of = {}  # document id -> the province it rolls up to (Feixi County is in Hefei, in Anhui)
    for d in documents:
        j = jurisdictions[d["jurisdiction"]]
        while j["level"] not in ("national", "province") and j["parent"]:
            j = jurisdictions[j["parent"]]
        province_of[d["id"]] = j["id"]
    county = next(d for d in documents if d["id"].startswith("c0001-"))
    html = (site / "compare" / "index.html").read_text("utf-8")
    assert f'value="{county["id"]}"' not in html  # the page lists national and provincial documents only

    context = browser.new_context()
    page = context.new_page()
    page.route(lambda u: not u.startswith(url), lambda route: route.abort())
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        open_compare(page, url, CHINA, county["id"])  # a county's document named in the address is chosen
        assert page.input_value("#rc-compare-a") == CHINA
        assert page.input_value("#rc-compare-b") == county["id"]
        assert page.locator("#rc-compare-result thead th").nth(2).inner_text().startswith("Synthetic County 0001 · ")

        # Every document can be chosen, once; each city's and county's under its province.
        for select in ("#rc-compare-a", "#rc-compare-b"):
            options = page.eval_on_selector_all(f"{select} option", "os => os.map(o => o.value)")
            assert sorted(options) == sorted(d["id"] for d in documents)
            grouped = page.eval_on_selector_all(
                f"{select} optgroup", "gs => gs.map(g => [g.dataset.region, [...g.children].map(o => o.value)])")
            assert grouped and all(province_of[o] == region for region, values in grouped for o in values)
            assert county["id"] in dict(grouped)[province_of[county["id"]]]

        # Choosing from a province's group compares and keeps the choice in the address.
        other = next(d for d in documents if d["id"].startswith("c0002-"))
        page.select_option("#rc-compare-a", other["id"])
        page.click("#rc-compare-form button[type=submit]")
        page.wait_for_function(
            "() => document.querySelector('#rc-compare-result thead th:nth-child(2)')?.textContent.startsWith('Synthetic County 0002')")
        assert parse_qs(urlsplit(page.url).query) == {"a": [other["id"]], "b": [county["id"]]}
        assert errors == []
    finally:
        context.close()


def test_an_unknown_document_in_the_address_is_named(page, served_site):
    page.goto(f"{served_site}compare/?a={CHINA}&b=no-such-document")
    message = page.wait_for_selector("#rc-compare-result [role=status]")
    assert "no-such-document" in message.inner_text()
    assert page.query_selector("#rc-compare-result table") is None


def test_a_task_counts_under_every_theme_and_a_document_is_not_compared_with_itself(page, served_site):
    # The 2018 fixture task on pay and service prices has service-prices as its second theme.
    open_compare(page, served_site, "china-2018-h2-key-tasks", CHINA)
    row = page.locator('#rc-compare-result tr[data-theme="service-prices"]')
    assert "Reform pay and adjust medical service prices" in row.locator("td").nth(0).inner_text()
    assert "Adjust medical service prices regularly" in row.locator("td").nth(1).inner_text()
    page.goto(f"{served_site}compare/?a={CHINA}&b={CHINA}")
    hint = page.locator("#rc-compare-result [role=status]")
    hint.wait_for()
    assert "Pick a different second document" in hint.inner_text() and "China · key tasks 2018 H2" in hint.inner_text()
    assert page.locator("#rc-compare-result table").count() == 0
    page.goto(f"{served_site}compare/?a={CHINA}")  # no b: another document, never the same one
    page.wait_for_selector("#rc-compare-result table.rc-compare-2")
    assert page.input_value("#rc-compare-b") != CHINA
