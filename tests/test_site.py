"""The fixture corpus's site, built once as `make site` builds it, and its model."""

import csv
import html as html_text
import io
import json
import re
from pathlib import Path
from urllib.parse import unquote

import pytest

from .conftest import assert_exports_keep_every_field

from generator.pipeline import load_site
from generator.content.project import Project


@pytest.fixture(scope="module")
def site_model(root):
    return load_site(Project(root))


def test_every_task_has_its_page(built_site: Path, site_model):
    for task in site_model.all_tasks:
        page = built_site / "tasks" / task.doc / task.id / "index.html"
        assert page.is_file(), task.key
        title = re.search(r"<title>(.*?)</title>", page.read_text(encoding="utf-8"), re.S).group(1)
        assert html_text.unescape(title).startswith(f"{task.title} — "), task.key


def test_every_document_theme_body_and_jurisdiction_has_its_page(built_site: Path, site_model):
    for doc in site_model.documents:
        assert (built_site / "documents" / doc.id / "index.html").is_file()
        assert (built_site / "documents" / doc.id / "source" / "index.html").is_file()
    for kind, items in (("themes", site_model.themes), ("bodies", site_model.bodies),
                        ("jurisdictions", site_model.jurisdictions)):
        for item in items:
            assert (built_site / kind / item.id / "index.html").is_file(), (kind, item.id)


def test_task_pages_stay_out_of_the_nav(built_site: Path):
    home = (built_site / "index.html").read_text(encoding="utf-8")
    assert "tasks/china-2020-h2-key-tasks/" not in home.split('class="md-tabs"')[1].split("</nav>")[0]


def test_sitemap_lists_every_page(built_site: Path, site_model):
    sitemap = (built_site / "sitemap.xml").read_text(encoding="utf-8")
    urls = set(re.findall(r"<loc>(.*?)</loc>", sitemap))
    for task in site_model.all_tasks:
        assert f"https://reform-compare.github.io/{task.url}" in urls


def test_task_page_metadata_for_link_previews(built_site: Path):
    html = (built_site / "tasks/jiangxi-2020-h2-key-tasks/epidemic-treatment-capacity/index.html").read_text("utf-8")
    assert '<link rel="canonical" href="https://reform-compare.github.io/tasks/jiangxi-2020-h2-key-tasks/epidemic-treatment-capacity/">' in html
    assert '<meta property="og:title"' in html and '<meta name="twitter:card" content="summary">' in html
    assert '<meta name="description" content="Jiangxi Province:' in html


def test_exports_lose_no_field_of_any_task(built_site: Path, root):
    assert_exports_keep_every_field((built_site / "data/tasks.json").read_text("utf-8"), root / "content/documents")


def test_csv_is_utf8_with_bom_and_keeps_chinese(built_site: Path):
    raw = (built_site / "data/bodies.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    nhc = next(r for r in rows if r["id"] == "nhc")
    assert nhc["name_zh"] == "国家卫生健康委员会"
    assert nhc["aliases"] == "National Health and Wellness Commission"
    indicators = list(csv.DictReader(io.StringIO((built_site / "data/indicators.csv").read_text("utf-8-sig"))))
    hospitals = next(r for r in indicators if r["indicator"] == "county-level-hospitals")
    assert (hospitals["value"], hospitals["unit"], hospitals["deadline"]) == ("63", "hospitals", "2020")
    assert hospitals["comparator"] == "'="  # guarded against formula injection in spreadsheets


def test_no_generated_page_carries_the_task_pages_in_its_nav(built_site: Path):
    pages = list(built_site.rglob("*.html"))
    assert len(pages) > 100
    for page in pages:
        nav_links = re.findall(r'<a href="([^"]*)"[^>]*class="md-nav__link', page.read_text(encoding="utf-8"))
        assert nav_links and not [link for link in nav_links if "tasks/" in link], page


def test_every_page_has_its_frame_once(built_site: Path):
    """The repository link in the header and in the drawer, its icon not inlined; each heading in one table of
    contents (the frame is on every page: a copy of either weighs on all of them)."""
    pages = list(built_site.rglob("*.html"))
    assert len(pages) > 100
    for page in pages:
        text = page.read_text(encoding="utf-8")
        sources = re.findall(r'<div class="md-(header|nav)__source"><a href="https://[^"]+" class="md-source">', text)
        assert sorted(sources) == ["header", "nav"] and "fontawesome" not in text.lower(), page
        contents = re.findall(r'<a href="(#[^"]+)" class="md-nav__link">', text)
        assert len(contents) == len(set(contents)) and text.count('class="rc-toc') <= 1, page
        assert {unquote(html_text.unescape(c[1:])) for c in contents} <= set(re.findall(r' id="([^"]+)"', text)), page


def test_404_page_offers_search_and_home(built_site: Path):
    html = (built_site / "404.html").read_text(encoding="utf-8")
    assert "Page not found" in html and 'href="/documents/" class="md-button"' in html


def test_every_task_has_a_theme_and_local_tasks_point_up(site_model):
    for task in site_model.all_tasks:
        assert task.themes
    jiangxi = site_model.document["jiangxi-2020-h2-key-tasks"]
    assert sum(1 for t in jiangxi.tasks if t.implements) >= 5


def test_unknowns_stay_unknown(site_model):
    city = site_model.document["city-2014-grassroots-public-health"]
    assert city.issuer is None and city.issued == "unknown"
    place = site_model.jurisdiction[city.jurisdiction]
    assert place.unnamed and site_model.jurisdiction[place.parent].level == "national"  # no city, no province named
    feixi = site_model.document["feixi-health-capacity-five-aspects"]
    assert feixi.issued == "unknown" and feixi.period is None


def test_national_bodies_match_the_parentheses(site_model):
    task = site_model.task["china-2020-h2-key-tasks/reform-disease-prevention-system"]
    assert {(b.body, b.role) for b in task.bodies} == {
        ("nhc", "lead"), ("gacc", "lead"), ("ndrc", "participate"), ("mof", "participate"),
        ("mohrss", "participate"), ("natcm", "participate")}
    task = site_model.task["china-2020-h2-key-tasks/improve-infectious-disease-early-warning"]
    assert {b.body for b in task.bodies if b.role == "lead"} == {
        "nhc", "gacc", "natcm", "cmc-logistic-support-health-bureau"}
