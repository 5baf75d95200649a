"""Whole-site checks: every internal link and anchor resolves; former task addresses redirect."""

from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlparse

from generator.pipeline import build_site

BASE = "http://site.invalid/"


class _Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("name"):
            self.ids.add(attrs["name"])
        if tag in ("a", "link") and attrs.get("href"):
            self.links.append(attrs["href"])
        if tag in ("script", "img") and attrs.get("src"):
            self.links.append(attrs["src"])


def _parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def _target(site: Path, url: str) -> Path:
    path = site / unquote(urlparse(url).path).lstrip("/")
    return path / "index.html" if url.split("#")[0].split("?")[0].endswith("/") else path


def broken_links(site: Path) -> list[str]:
    pages = {p: _parse(p) for p in site.rglob("*.html")}
    broken = []
    for path, page in pages.items():
        here = BASE + path.relative_to(site).as_posix()
        for link in page.links:
            url = urljoin(here, link)
            if not url.startswith(BASE):
                continue  # external: not ours to check offline
            target = _target(site, url)
            if not target.exists():
                broken.append(f"{path.relative_to(site)}: {link} (no file)")
                continue
            anchor = urlparse(url).fragment
            if anchor and target.suffix == ".html":
                ids = pages[target].ids if target in pages else _parse(target).ids
                if unquote(anchor) not in ids:
                    broken.append(f"{path.relative_to(site)}: {link} (no anchor)")
    return broken


def test_every_internal_link_and_anchor_resolves(built_site):
    assert broken_links(built_site) == []


def test_renamed_task_keeps_its_old_address(scratch, tmp_path):
    path = scratch.content / "documents" / "jiangxi-2020-h2-key-tasks.yaml"
    text = path.read_text(encoding="utf-8")
    old = "  - id: epidemic-treatment-capacity\n"
    assert old in text
    path.write_text(text.replace(old, "  - id: epidemic-treatment-bases-and-hospitals\n"
                                      "    former_ids: [epidemic-treatment-capacity]\n"), encoding="utf-8")
    site = tmp_path / "site"
    build_site(scratch, site)
    new = site / "tasks/jiangxi-2020-h2-key-tasks/epidemic-treatment-bases-and-hospitals/index.html"
    moved = (site / "tasks/jiangxi-2020-h2-key-tasks/epidemic-treatment-capacity/index.html").read_text("utf-8")
    assert new.is_file()
    assert 'http-equiv="refresh" content="0; url=../../../tasks/jiangxi-2020-h2-key-tasks/epidemic-treatment-bases-and-hospitals/"' in moved
    assert '<link rel="canonical" href="https://reform-compare.github.io/tasks/jiangxi-2020-h2-key-tasks/epidemic-treatment-bases-and-hospitals/">' in moved
    assert broken_links(site) == []


def test_link_checker_finds_a_broken_link_and_anchor(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "index.html").write_text('<a href="a/">ok</a><a href="b/">gone</a><a href="a/#nope">x</a>'
                                         '<a href="https://example.org/">external</a>')
    (tmp_path / "a" / "index.html").write_text('<h1 id="top">A</h1><a href="../#missing">back</a>')
    assert sorted(broken_links(tmp_path)) == ["a/index.html: ../#missing (no anchor)",
                                               "index.html: a/#nope (no anchor)", "index.html: b/ (no file)"]
