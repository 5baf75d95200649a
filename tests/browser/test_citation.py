"""Citations a careful reader can use: the text, the meta tags Zotero reads, JSON-LD, and the downloads,
parsed from the built site for every task; the footer's error link; old passage links after a rename."""

from __future__ import annotations

import csv
import datetime
import json
import re
import shutil
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest

from generator.content.project import Project
from generator.pipeline import build_site, read_settings, read_site_url
from tests.conftest import ROOT, serve

pytestmark = pytest.mark.browser
SITE_URL = read_site_url(Project(ROOT))
REPO_URL = read_settings(Project(ROOT))["repo_url"]


class _Head(HTMLParser):
    """The <meta name> tags and JSON-LD blocks of a page."""

    def __init__(self):
        super().__init__()
        self.meta: list[tuple[str, str]] = []
        self.json_ld: list[dict] = []
        self._in_ld = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "meta" and a.get("name", "").startswith("citation_"):
            self.meta.append((a["name"], a.get("content", "")))
        self._in_ld = tag == "script" and a.get("type") == "application/ld+json"

    def handle_data(self, data):
        if self._in_ld:
            self.json_ld.append(json.loads(data))
            self._in_ld = False


def head_of(path) -> _Head:
    parser = _Head()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def expected_authors(doc: dict, bodies: dict, jurisdictions: dict) -> list[str]:
    """The issuing bodies, else the jurisdiction under its name, else (an unnamed place) nobody."""
    if doc["issuer"] not in (None, "unknown", []):
        return [bodies[b]["name"] for b in doc["issuer"]]
    jur = jurisdictions[doc["jurisdiction"]]
    return [] if jur.get("unnamed") else [jur["name"]]


def parse_bibtex(text: str) -> dict[str, str]:
    entry = re.fullmatch(r"@misc\{([^,\s]+),\n(.*)\n\}\n", text, re.S)
    assert entry, text
    fields = dict(re.findall(r"^  (\w+) = \{(.*)\},?$", entry.group(2), re.M))
    return {"key": entry.group(1), **fields}


def parse_ris(text: str) -> list[tuple[str, str]]:
    lines = text.split("\r\n")
    assert lines[-1] == "" and lines[-2] == "ER  - "
    pairs = [(line[:2], line[6:]) for line in lines[:-1]]
    assert all(re.fullmatch(r"[A-Z][A-Z0-9]", tag) and line[2:6] == "  - " for (tag, _), line in zip(pairs, lines))
    return pairs


@pytest.fixture(scope="module")
def records(site_data, built_site):
    docs = {d["id"]: d for d in site_data["documents"]}
    jurs = {j["id"]: j for j in site_data["jurisdictions"]}
    with open(built_site / "data" / "bodies.csv", encoding="utf-8-sig", newline="") as f:
        bodies = {b["id"]: b for b in csv.DictReader(f)}
    return docs, jurs, bodies


def test_every_task_page_has_citation_metadata_and_downloads(built_site, site_data, records):
    docs, jurs, bodies = records
    assert site_data["tasks"]
    for task in site_data["tasks"]:
        doc = docs[task["document"]]
        authors = expected_authors(doc, bodies, jurs)
        folder = built_site / "tasks" / task["document"] / task["id"]
        head = head_of(folder / "index.html")
        meta = dict(head.meta)
        assert meta["citation_title"] == doc["title"]
        assert [v for k, v in head.meta if k == "citation_author"] == authors
        issued = doc["issued"]
        assert meta.get("citation_date") == (None if issued == "unknown" else issued.replace("-", "/"))
        assert meta["citation_public_url"] == task["url"]
        [ld] = head.json_ld
        assert ld["@context"] == "https://schema.org" and ld["url"] == task["url"]
        assert ld["about"]["name"] == doc["title"]
        assert [a["name"] for a in ld["about"].get("author", [])] == authors
        assert ld["name"] == task["title"] and "summary" in ld["description"]

        bib = parse_bibtex((folder / "cite.bib").read_text(encoding="utf-8"))
        assert bib["title"] == "{" + doc["title"] + "}" or "\\" in bib["title"]
        assert bib["url"] == task["url"]
        assert ("year" in bib) == (issued != "unknown")
        assert task["title"] in bib["note"] or "\\" in bib["note"]

        ris = parse_ris((folder / "cite.ris").read_bytes().decode("utf-8"))
        assert ris[0] == ("TY", "GOVDOC")
        assert [v for t, v in ris if t == "AU"] == authors
        assert dict(ris)["TI"] == doc["title"] and dict(ris)["UR"] == task["url"]

        [csl] = json.loads((folder / "cite.json").read_text(encoding="utf-8"))
        assert csl["title"] == doc["title"] and csl["URL"] == task["url"]
        assert [a["literal"] for a in csl.get("author", [])] == authors
        assert ("issued" in csl) == (issued != "unknown")
        assert f"Task as summarised by Reform Compare: {task['title']}" in csl["note"]


def test_document_pages_carry_citation_metadata(built_site, site_data, records):
    docs, jurs, bodies = records
    for doc in docs.values():
        head = head_of(built_site / "documents" / doc["id"] / "index.html")
        assert dict(head.meta)["citation_title"] == doc["title"]
        assert [v for k, v in head.meta if k == "citation_author"] == expected_authors(doc, bodies, jurs)
        [ld] = head.json_ld
        assert ld["about"]["name"] == doc["title"]
        if doc["title_zh"]:
            assert ld["about"]["alternateName"] == doc["title_zh"]


def test_citation_text_says_what_the_source_is_and_copies_with_todays_date(browser, served_site, site_data, records):
    docs, jurs, bodies = records
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    try:
        page = context.new_page()
        page.route(lambda url: not url.startswith(served_site), lambda route: route.abort())
        for task in site_data["tasks"][::max(1, len(site_data["tasks"]) // 6)]:
            doc = docs[task["document"]]
            page.goto(served_site + task["url"].removeprefix(SITE_URL))
            text = page.inner_text("#rc-citation")
            assert f"“{doc['title']}" in text                         # the document's title, quoted
            assert f"“{task['title']}" not in text                    # the site's summary is not
            assert f"summarised by Reform Compare: {task['title']}" in text
            assert ("Undated" in text) == (doc["issued"] == "unknown")
            if doc["period"] != "unknown":
                assert "period covered:" in text
            if doc["source"]["excerpt"]:
                assert "excerpt" in text
            if doc["source"].get("translation"):
                assert "translation" in text
            if doc["source"].get("url"):
                assert doc["source"]["url"] in text
            authors = expected_authors(doc, bodies, jurs)
            assert text.startswith(", ".join(authors) + ". " if authors else "“")
            # No copy icon sits on the text: the citation is a paragraph, not a code block.
            assert page.locator(".rc-cite .md-clipboard, .rc-cite pre").count() == 0
        today = datetime.date.today()
        page.locator("button.rc-copy", has_text="Copy citation").click()
        page.wait_for_function("() => [...document.querySelectorAll('button.rc-copy')].some(b => b.textContent === 'Copied')")
        copied = page.evaluate("navigator.clipboard.readText()")
        assert copied.endswith(f"accessed {today.day} {today:%B} {today.year}.")
        assert copied == " ".join(page.inner_text("#rc-citation").split())
    finally:
        context.close()


def test_footer_names_the_licence_and_reports_an_error_on_this_page(page, served_site):
    for url in ("", "tasks/jiangxi-2020-h2-key-tasks/epidemic-treatment-capacity/", "404.html"):
        page.goto(served_site + url)
        footer = page.locator("footer .rc-footer")
        assert "CC BY" in footer.inner_text() or "licence" in footer.inner_text().lower()
        report = footer.locator("a.rc-report")
        href = urlsplit(report.get_attribute("href"))
        assert f"{href.scheme}://{href.netloc}{href.path}" == REPO_URL + "/issues/new"
        body = parse_qs(href.query)["body"][0]
        if url != "404.html":
            assert f"Page: {SITE_URL}{url}" in body
        assert footer.locator("a", has_text="About this site").count() == 1


def test_about_and_changes_pages(page, served_site):
    page.goto(served_site + "about/")
    text = page.inner_text("article")
    for words in ("Who it is for", "verbatim", "machine translation", "not stated", "Licences", "How to cite",
                  "How to report an error"):
        assert words.lower() in text.lower(), words
    page.locator("article a", has_text="recent changes").first.click()
    page.wait_for_load_state()
    assert urlsplit(page.url).path.endswith("/changes/")
    assert page.locator("h1").inner_text().startswith("Recent changes")


@pytest.fixture(scope="module")
def renamed_site(tmp_path_factory):
    """The real content with one task renamed, its old id kept in former_ids."""
    root = tmp_path_factory.mktemp("renamed")
    for name in ("content", "schema", "theme"):
        shutil.copytree(ROOT / name, root / name)
    shutil.copy(ROOT / "mkdocs.yml", root / "mkdocs.yml")
    (root / "generator").symlink_to(ROOT / "generator")
    path = root / "content" / "documents" / "jiangxi-2020-h2-key-tasks.yaml"
    text = path.read_text(encoding="utf-8")
    assert "  - id: epidemic-treatment-capacity\n" in text
    path.write_text(text.replace("  - id: epidemic-treatment-capacity\n",
                                 "  - id: epidemic-bases\n    former_ids: [epidemic-treatment-capacity]\n"),
                    encoding="utf-8")
    build_site(Project(root), root / "site")
    with serve(root / "site") as url:
        yield url


def test_old_passage_links_reach_and_light_the_renamed_task(browser, renamed_site):
    page = browser.new_page()
    try:
        page.route(lambda url: not url.startswith(renamed_site), lambda route: route.abort())
        source = renamed_site + "documents/jiangxi-2020-h2-key-tasks/source/"
        for anchor in ("q-epidemic-treatment-capacity", "q-epidemic-treatment-capacity--county-level-hospitals"):
            page.goto(f"{source}#{anchor}")
            assert page.locator(f"#{anchor}").count() == 1
            lit = page.eval_on_selector_all("a.rc-q.is-target", "as => as.map(a => a.dataset.tasks)")
            assert lit and set(lit) == {"epidemic-bases"}
            assert page.evaluate("scrollY") > 0   # the page opened at the passage, not at the top
        page.goto(renamed_site + "tasks/jiangxi-2020-h2-key-tasks/epidemic-treatment-capacity/")
        page.wait_for_url("**/tasks/jiangxi-2020-h2-key-tasks/epidemic-bases/")   # the redirect stays
    finally:
        page.close()
