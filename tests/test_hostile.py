"""Hostile text in every field: the built site runs none of it and shows all of it as typed.

A scratch project gets XSS payloads in every text field of a document (and in the source text, so
the verbatim-quote check still passes), and in the names of a body, a theme and a jurisdiction.
The whole site is built with MkDocs and every HTML file is scanned.
"""

from __future__ import annotations

import json
import os
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from generator.pipeline import build_site
from generator.content.project import Project

from .conftest import copy_project, read_yaml

PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[x](javascript:alert(1))",
    '{: onclick="alert(1)" }',
    '<a href="javascript:alert(1)">',
    '"><svg onload=alert(1)>',
]
ALL = " ".join(PAYLOADS)
SENTENCE = f"Hostile passage: {ALL} end of passage."  # appended to the source, so quotes of it are verbatim
DOC = "feixi-health-capacity-five-aspects"
TASK = "recruit-medical-graduates"
URL_ATTRS = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "background", "srcset"}


def _edit_yaml(path: Path, change) -> None:
    data = read_yaml(path)
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000), encoding="utf-8")


def make_hostile_project(root: Path) -> Project:
    content = copy_project(root).content

    source = content / "sources" / f"{DOC}.txt"
    source.write_text(source.read_text(encoding="utf-8") + "\n" + SENTENCE + "\n", encoding="utf-8")

    def jurisdictions(data):
        feixi = next(j for j in data["jurisdictions"] if j["id"] == "feixi")
        feixi["name"] = f"Feixi {ALL}"
        feixi["note"] = f"Jurisdiction note {ALL}"
    _edit_yaml(content / "jurisdictions.yaml", jurisdictions)

    def bodies(data):
        data["bodies"].append({"id": "hostile-body", "name": f"Body {ALL}",
                               "aliases": [f"Alias {ALL}", "Hostile passage"],  # as SENTENCE names it
                               "level": "county", "jurisdiction": "feixi"})
    _edit_yaml(content / "bodies.yaml", bodies)

    def themes(data):
        data["themes"].append({"id": "hostile-theme", "title": f"Theme {ALL}",
                               "description": f"Theme description {ALL}", "parent": "public-health"})
    _edit_yaml(content / "themes.yaml", themes)

    def document(doc):
        doc["title"] = f"Document {ALL}"
        doc["title_zh"] = f"文件 {ALL}"
        doc["summary"] = f"Summary {ALL}"
        doc["issuer"] = ["hostile-body"]
        doc["date_note"] = f"Date note {ALL}"
        doc["source"].update(url=f"https://example.org/{PAYLOADS[5]}?q={PAYLOADS[0]}",
                             translation=f"Translation {ALL}", description=f"Description {ALL}")
        doc["notes"].append({"quote": SENTENCE, "reason": f"Reason {ALL}"})
        task = next(t for t in doc["tasks"] if t["id"] == TASK)
        task["title"] = f"Task {ALL}"
        task["section"] = f"Section {ALL}"
        task["quote"] = [task["quote"], SENTENCE]
        task["themes"] = ["hostile-theme"] + task["themes"]
        task["bodies"] = [{"body": "hostile-body", "role": "lead"}]
        task["bodies_quote"] = SENTENCE
        indicator = task["indicators"][0]
        indicator.update(measure=f"Measure {ALL}", unit=f"units {ALL}", timeframe=f"Timeframe {ALL}",
                         quote=SENTENCE)
    _edit_yaml(content / "documents" / f"{DOC}.yaml", document)
    return Project(root)


class _Scan(HTMLParser):
    """Scripts, attributes and visible text of one HTML file."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.scripts: list[tuple[str, str]] = []  # (src, inline text)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.text: list[str] = []
        self._in_script = False
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))
        if tag == "script":
            if dict(attrs).get("type") == "application/ld+json":  # data, not code: checked apart
                self.scripts.append(("ld+json", ""))
            else:
                self.scripts.append((dict(attrs).get("src") or "", ""))
            self._in_script = True
        if tag in ("script", "style"):
            self._skip += 1

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, attrs))

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if self._in_script and self.scripts:
            src, text = self.scripts[-1]
            self.scripts[-1] = (src, text + data)
        elif not self._skip:
            self.text.append(data)

    @property
    def visible(self) -> str:
        return re.sub(r"\s+", " ", "".join(self.text))


def scan(path: Path) -> _Scan:
    parser = _Scan()
    parser.feed(path.read_text(encoding="utf-8"))
    parser.close()
    return parser


def script_signature(src: str, text: str) -> str:
    """A script tag without the parts that differ by page depth ("../../.." and the like)."""
    if src:
        return "src:" + re.sub(r"^(\.\./|\./)+", "", src)
    return "inline:" + re.sub(r'"[./]*"', '""', text)


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory) -> Path:
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    tmp = tmp_path_factory.mktemp("hostile")
    project = make_hostile_project(tmp / "project")
    build_site(project, tmp / "site")
    return tmp / "site"


def html_files(site: Path) -> list[Path]:
    files = sorted(site.rglob("*.html"))
    assert len(files) > 50
    return files


def test_the_payloads_reach_the_content(hostile_site):
    """Guard against a vacuous pass: the hostile pages exist and were built from the hostile content."""
    task_page = hostile_site / "tasks" / DOC / TASK / "index.html"
    assert task_page.is_file()
    assert (hostile_site / "bodies" / "hostile-body" / "index.html").is_file()
    assert (hostile_site / "themes" / "hostile-theme" / "index.html").is_file()
    assert "Hostile passage:" in task_page.read_text(encoding="utf-8")


def test_no_script_but_the_themes_own(hostile_site, built_site):
    clean = {script_signature(*s) for f in html_files(built_site) for s in scan(f).scripts}
    for path in html_files(hostile_site):
        for src, text in scan(path).scripts:
            rel = path.relative_to(hostile_site)
            if src == "ld+json":  # the page's JSON-LD holds content text: as JSON, with no markup left in it
                assert isinstance(json.loads(text), dict) and "<" not in text and ">" not in text, f"{rel}: {text[:120]!r}"
                continue
            assert "alert" not in text and "alert" not in src, f"{rel}: script {src or text[:80]!r}"
            assert script_signature(src, text) in clean, f"{rel}: a script the clean site does not have: " \
                                                         f"{src or text[:120]!r}"


def test_no_event_handlers_and_no_javascript_urls(hostile_site):
    for path in html_files(hostile_site):
        rel = path.relative_to(hostile_site)
        for tag, attrs in scan(path).tags:
            for name, value in attrs:
                assert not name.startswith("on"), f"{rel}: <{tag} {name}={value!r}>"
                if name in URL_ATTRS and value:
                    squashed = re.sub(r"[\x00-\x20]", "", value).lower()
                    assert not squashed.startswith(("javascript:", "vbscript:", "data:text/html")), \
                        f"{rel}: <{tag} {name}={value!r}>"
            assert tag not in ("svg", "img", "iframe", "object", "embed") or not any(
                "alert" in (v or "") for _, v in attrs), f"{rel}: <{tag} {attrs}>"


def test_raw_payloads_never_appear_unescaped(hostile_site):
    """The payloads' text may appear, escaped; their markup never does (attributes are checked above)."""
    for path in html_files(hostile_site):
        html = path.read_text(encoding="utf-8")
        for needle in ("<script>alert", "<img src=x", "<svg onload", '<a href="javascript:'):
            assert needle not in html, f"{path.relative_to(hostile_site)}: raw {needle!r}"


def test_payloads_are_visible_as_typed_on_the_task_page(hostile_site):
    text = scan(hostile_site / "tasks" / DOC / TASK / "index.html").visible
    for label in ("Task", "Section", "Measure", "Body", "Theme", "Feixi", "Document"):
        assert f"{label} {ALL}" in text, f"{label!r} + payloads not shown as text"
    assert SENTENCE in text  # the quote, verbatim
    for payload in PAYLOADS:
        assert payload in text


@pytest.mark.parametrize("page, label", [
    (f"documents/{DOC}/index.html", "Summary"),
    (f"documents/{DOC}/index.html", "Date note"),
    ("bodies/hostile-body/index.html", "Body"),
    ("themes/hostile-theme/index.html", "Theme description"),
    ("jurisdictions/feixi/index.html", "Jurisdiction note"),
])
def test_payloads_are_visible_as_typed_on_other_pages(hostile_site, page, label):
    assert f"{label} {ALL}" in scan(hostile_site / page).visible


def test_a_page_with_one_anchor_twice_stops_the_build():
    from mkdocs.exceptions import PluginError

    from generator.hook.mkdocs_hooks import one_anchor_each
    one_anchor_each('<h2 id="a">A</h2><p id="b">B</p><a href="#a">a</a>', "tasks/d/t.md")
    with pytest.raises(PluginError, match=r"build/docs/tasks/d/t.md: two parts of this page have the anchor #a, #b;"):
        one_anchor_each('<h2 id="a">A</h2><p id="b"></p><span id="a"></span><i id="b"></i><i id="a"></i>',
                        "tasks/d/t.md")
