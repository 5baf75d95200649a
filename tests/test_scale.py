"""At scale the pages keep national and provincial documents on the page and give each province's
cities and counties pages of their own."""

import re
import shutil

import pytest
import yaml

from generator.pages import jobs as pages
from generator.pipeline import load_site, render_files
from generator.content.project import Project
from generator.accel.fastpage import convert
from generator.render.renderer import Renderer
from generator.pages.jobs import LOCAL_PAGE_JURISDICTIONS, LOCAL_PAGE_TASKS, SIDE_BY_SIDE_MAX
from tests.bench import _retarget, synthesise_copies as synthesise
from tests.conftest import read_yaml


@pytest.fixture(scope="module")
def scaled(tmp_path_factory):
    root = tmp_path_factory.mktemp("scaled") / "project"
    synthesise(root, 1000, git=False)
    project = Project(root)
    site = load_site(project)
    assert len(site.documents) > SIDE_BY_SIDE_MAX
    return site, render_files(project, site, with_history=False)


def test_every_task_on_a_theme_is_on_its_page_or_a_region_page_once(scaled):
    site, files = scaled
    for theme in ("primary-care", "public-health"):
        pages = [files[f"themes/{theme}.md"].decode()] + [
            files[p].decode() for p in sorted(files) if p.startswith(f"themes/{theme}/")]
        linked = re.findall(r'href="[./]*tasks/([^/"]+/[^/"]+)/"', "".join(pages))
        expected = [t.key for t in site.tasks_by_theme[theme]]
        assert sorted(linked) == sorted(expected)


def test_region_pages_are_bounded_and_linked(scaled):
    site, files = scaled
    main = files["themes/primary-care.md"].decode()
    assert "## Provinces, cities and counties {#local}" in main
    assert 'href="guangdong/"' in main or 'href="../primary-care/guangdong/"' in main
    region_pages = [p for p in files if p.startswith("themes/primary-care/")]
    assert region_pages
    for path in region_pages:
        page = files[path].decode()
        assert page.count("<dd>") <= LOCAL_PAGE_TASKS
        assert ">Primary and grassroots care</a>" in page  # back to the theme page
    # Only national documents are columns of the theme's page; a province's are columns of its own page.
    columns = re.findall(r'<section class="rc-column" id="doc-([^"]+)"', main)
    assert columns and {site.jurisdiction[site.document[d].jurisdiction].level for d in columns} == {"national"}
    province = files["themes/primary-care/jiangxi/index.md"].decode()
    assert re.findall(r'<section class="rc-column" id="doc-([^"]+)"', province) == ["jiangxi-2020-h2-key-tasks"]
    assert province.index('id="doc-jiangxi-') < province.index("## Its cities and counties {#local}")
    own = sum(1 for t in site.tasks_by_theme["primary-care"] if t.doc == "jiangxi-2020-h2-key-tasks")
    assert own and province.count("<dd>") == LOCAL_PAGE_TASKS - own  # a page holds as many tasks as the next
    assert 0 < files["themes/primary-care/jiangxi/2/index.md"].decode().count("<dd>") <= LOCAL_PAGE_TASKS
    guangdong = files["themes/primary-care/guangdong/index.md"].decode()  # its one document has none on the theme
    assert "rc-column" not in guangdong and "No commitment on this theme in: <a" in guangdong


def test_region_pages_open_the_wording_of_a_task_against_the_one_it_carries_out(scaled):
    site, files = scaled
    pages = [p for p in files if p.startswith("themes/") and p.count("/") >= 2]
    items = [item for p in pages for item in files[p].decode().split("<dd>")[1:]]
    implementing = [item for item in items if site.task[re.search(r'tasks/([^/"]+/[^/"]+)/"', item)[1]].implements]
    assert implementing and len(implementing) < len(items)  # both kinds are there
    for item in items:
        key = re.search(r'tasks/([^/"]+/[^/"]+)/"', item)[1]
        assert (f'tasks/{key}/#wording">wording against the ' in item) == bool(site.task[key].implements)
        assert "&lt;" not in item  # a task's indicator chips stay links beside its wording link


def test_cascade_at_scale_pages_local_tasks_by_province(scaled):
    site, files = scaled
    cascade = files["documents/china-2020-h2-key-tasks/cascade.md"].decode()
    regions = [p for p in files if p.startswith("documents/china-2020-h2-key-tasks/cascade/")]
    assert regions and "Provinces, cities and counties:" in cascade
    shown = re.findall(r'href="[./]*tasks/([^/"]+/[^/"]+)/(?:#wording)?"',  # a task opens at its wording
                       cascade + "".join(files[p].decode() for p in regions))
    expected = {t.key for d in site.documents for t in d.tasks if t.implements}
    implementers = [t.key for d in site.documents if d.id != "china-2020-h2-key-tasks"
                    for t in d.tasks for k in t.implements if k.startswith("china-2020-h2-key-tasks/")]
    assert set(implementers) <= set(shown) and expected == set(implementers)
    for path in regions:
        assert files[path].decode().count("<li>") <= 60
    task_page = files["tasks/china-2020-h2-key-tasks/reform-disease-prevention-system.md"].decode()
    assert "tasks of cities and counties in" in task_page
    assert task_page.count("<li>") < 40  # not one line per county


def test_indicators_at_scale_have_a_page_per_theme(scaled):
    site, files = scaled
    index = files["indicators/index.md"].decode()
    pages = [p for p in files if p.startswith("indicators/") and p != "indicators/index.md"]
    assert pages and "<tr data-theme=" not in index
    rows = sum(files[p].decode().count("<tr data-theme=") for p in pages)
    assert rows == sum(len(t.indicators) for t in site.all_tasks)
    assert all(files[p].decode().count("<tr data-theme=") <= 30 for p in pages)


def _pages_under(files, prefix: str) -> list[str]:
    return [p for p in sorted(files) if p.startswith(prefix)]


def test_documents_and_jurisdictions_at_scale_list_cities_and_counties_per_province(scaled):
    site, files = scaled
    documents, jurisdictions = files["documents/index.md"].decode(), files["jurisdictions/index.md"].decode()
    local = [p for p in _pages_under(files, "jurisdictions/") if "/local/" in p]
    assert local and "## Provinces, cities and counties {#local}" in documents
    # National documents on the index, a province's on its page, every other one on its province's local page, once.
    national = re.findall(r'<tr><td><a href="([a-z0-9-]+)/"', documents)
    assert national == [d.id for d in site.documents if d.jurisdiction == "china"]
    timelines = [files[f"jurisdictions/{p}.md"].decode().split('<ol class="rc-timeline">')[1].split("</ol>")[0]
                 for p in ("guangdong", "jiangxi")]  # Anhui has none of its own
    listed = national + [d for t in timelines for d in re.findall(r'<li><span class="rc-when">[^<]*</span> <a href="'
                                                               r'[./]*documents/([a-z0-9-]+)/"', t)] + [
        d for p in local for d in re.findall(r'href="[./]*documents/([a-z0-9-]+)/"', files[p].decode())]
    assert sorted(listed) == sorted(d.id for d in site.documents)
    for province in ("guangdong", "jiangxi"):  # each with a document of its own
        assert f'<a href="../jurisdictions/{province}/#documents">' in documents
    assert "c0001-" not in documents and "county-" not in jurisdictions
    # Every jurisdiction is in the tree or on a province's page, once; each province's page is linked.
    in_tree = re.findall(r'href="([a-z0-9-]+)/"', jurisdictions)
    on_pages = [j for p in local for j in re.findall(r'href="\.\./\.\./([a-z0-9-]+)/"', files[p].decode())]
    assert sorted(set(in_tree) | set(on_pages)) == sorted(j.id for j in site.jurisdictions)
    assert not set(in_tree) & (set(on_pages) - {"anhui", "guangdong", "jiangxi"})  # a province's page links back
    for province in ("anhui", "guangdong", "jiangxi"):
        assert f'href="{province}/local/"' in jurisdictions
        assert f'href="../jurisdictions/{province}/local/"' in documents
        assert '<a href="local/">all ' in files[f"jurisdictions/{province}.md"].decode()  # from the province's page
        page = files[f"jurisdictions/{province}/local/index.md"].decode()
        assert 'href="../../">All jurisdictions</a>' in page and 'href="../../../documents/">All documents</a>' in page
    # The indexes stay small however many documents there are.
    assert len(documents) < 4000 and len(jurisdictions) < 3000
    assert all(files[p].decode().count("<tr><td>") <= LOCAL_PAGE_JURISDICTIONS for p in local)


def test_body_pages_at_scale_list_cities_and_counties_per_province(scaled):
    site, files = scaled
    page = files["bodies/nhc.md"].decode()
    regions = _pages_under(files, "bodies/nhc/")
    assert regions and "## Cities and counties {#local}" in page
    shown = re.findall(r'href="[./]*tasks/([^/"]+/[^/"]+)/"', page + "".join(files[p].decode() for p in regions))
    assert sorted(shown) == sorted(t.key for t, _ in site.tasks_by_body["nhc"])
    assert "c0001-" not in page and len(page) < 4000
    for path in regions:
        region = files[path].decode()
        assert region.count("<dd>") <= LOCAL_PAGE_TASKS
        assert '<a href="../">National Health Commission</a>' in region  # back to the body's page
        province = path.split("/")[2]
        assert f'href="{province}/"' in page


def test_compare_at_scale_lists_national_and_provincial_documents(scaled):
    site, files = scaled
    page = files["compare/index.md"].decode()
    options = re.findall(r'<option value="([^"]+)"', page)
    main = [d.id for d in site.documents if site.jurisdiction[d.jurisdiction].level in ("national", "province")]
    assert options == main * 2  # each select; the cities' and counties' come from data/documents.json
    groups = re.findall(r'<optgroup label="Cities and counties of ([^"]+)" data-region="([a-z0-9-]+)">', page)
    assert [g for _, g in groups] == ["anhui", "china", "guangdong", "jiangxi"] * 2  # China: its city not stated
    assert len(page) < 4000


def test_cascade_at_scale_sums_up_each_task_and_province(scaled):
    _, files = scaled
    cascade = files["documents/china-2020-h2-key-tasks/cascade.md"].decode()
    assert re.search(r'<a href="[./]*tasks/china-2020-h2-key-tasks/reform-disease-prevention-system/#cascade">'
                     r'\d+ tasks in 3 provinces</a>', cascade)
    assert "## By province {#local}" in cascade
    for province in ("anhui", "guangdong", "jiangxi"):
        assert cascade.count(f'href="{province}/') == 1  # one line per province, not one per task


def test_long_lists_are_paged_and_linked(monkeypatch, tmp_path_factory):
    monkeypatch.setattr(pages, "LOCAL_PAGE_JURISDICTIONS", 4)
    monkeypatch.setattr(pages, "LOCAL_PAGE_TASKS", 3)
    root = tmp_path_factory.mktemp("paged") / "project"
    synthesise(root, 1000, git=False)
    project = Project(root)
    site = load_site(project)
    files = render_files(project, site, with_history=False)
    for base, rows, limit in (("jurisdictions/anhui/local/", "<tr><td>", 4), ("bodies/nhc/guangdong/", "<dd>", 3),
                              ("themes/primary-care/anhui/", "<dd>", 3)):
        paths = _pages_under(files, base)
        assert len(paths) > 1 and base + "index.md" in paths and base + f"{len(paths)}/index.md" in paths
        first = files[base + "index.md"].decode()
        assert '<nav class="rc-pages" aria-label="Pages"><strong>1</strong> <a href="2/">2</a>' in first
        assert f" · page 1 of {len(paths)}</p>" in first
        last = files[f"{base}{len(paths)}/index.md"].decode()
        assert '<a href="../">1</a>' in last and f"<strong>{len(paths)}</strong>" in last
        assert all(0 < files[p].decode().count(rows) <= limit for p in paths)


def test_every_page_at_scale_is_raw_html_blocks_and_headings(scaled):
    """The shape generator/accel/fastpage.py converts without Markdown (tests/test_fastpage.py checks the result)."""
    _, files = scaled
    slow = [p for p, text in files.items() if p.endswith(".md")
            and convert(re.sub(r"\A---\n.*?\n---\n", "", text.decode(), flags=re.DOTALL)) is None]
    assert slow == []


def test_cascade_at_scale_counts_each_province_and_links_its_page(tmp_path_factory):
    """With more provinces carrying out a national task than a page could list, and cities and counties carrying
    out a provincial task, the document's cascade page and the task's page count them by province and link each
    province's cascade page, which lists the province's tasks and counts those carrying out each of them."""
    root = tmp_path_factory.mktemp("provinces") / "project"
    synthesise(root, 1000, git=False)
    content = root / "content"
    base = "guangdong-2020-near-term-key-tasks"
    provinces = []
    for n in range(1, pages.CASCADE_INLINE + 3):  # each issues a copy of Guangdong's document
        provinces += [f"  - id: province-{n:02d}", f"    name: Synthetic Province {n:02d}", "    level: province",
                      "    parent: china"]
        doc_id = f"p{n:02d}-{base}"
        shutil.copyfile(content / "sources" / f"{base}.txt", content / "sources" / f"{doc_id}.txt")
        path = content / "documents" / f"{base}.yaml"
        (content / "documents" / f"{doc_id}.yaml").write_text(
            _retarget(path.read_text(encoding="utf-8"), path, doc_id, f"province-{n:02d}", f"{doc_id}.txt"),
            encoding="utf-8")
    jurisdictions = content / "jurisdictions.yaml"
    jurisdictions.write_text(jurisdictions.read_text(encoding="utf-8") + "\n".join(provinces) + "\n", encoding="utf-8")
    counties = sorted((content / "documents").glob(f"c*-{base}.yaml"))
    for path in counties:  # the counties' copies carry out the first province's tasks, not the national ones
        record = read_yaml(path)
        for task in record["tasks"]:
            if task.get("implements"):
                task["implements"] = [f"p01-{base}/{task['id']}"]
        path.write_text(yaml.safe_dump(record, allow_unicode=True, sort_keys=False), encoding="utf-8")
    project = Project(root)
    site = load_site(project)
    files = render_files(project, site, with_history=False)
    def provincial(task):  # the provinces' own tasks carrying it out
        return [t for t in site.implemented_by.get(task.key, ()) if site.jurisdiction[site.document[t.doc].jurisdiction].rank == 1]
    national = next(t for t in site.document["china-2020-h2-key-tasks"].tasks if len(provincial(t)) > pages.CASCADE_INLINE)
    own = next(t for t in provincial(national) if t.doc == f"p01-{base}")
    local = site.implemented_by[own.key]
    assert len(local) == len(counties)
    below = site.implemented_by[national.key]
    groups = {pages.overview_group(site, site.document[t.doc].jurisdiction) for t in below}
    cascade = files["documents/china-2020-h2-key-tasks/cascade.md"].decode()
    item = cascade.split(f'<li id="task-{national.id}">')[1].split("\n</li>")[0]
    assert re.search(rf'<a href="[./]*tasks/china-2020-h2-key-tasks/{national.id}/#cascade">'
                     rf'{len(below)} tasks in {len(groups)} provinces</a>', item)
    assert "p01-" not in item  # counted, not listed
    national_page = files[f"tasks/china-2020-h2-key-tasks/{national.id}.md"].decode()
    for n in range(1, pages.CASCADE_INLINE + 3):  # a line a province, to its cascade page
        assert re.search(rf'href="[./]*documents/china-2020-h2-key-tasks/cascade/province-{n:02d}/#task-{national.id}">'
                         rf'\d+ tasks? of Synthetic Province {n:02d}</a>', national_page)
    assert "p01-" not in national_page.split("{#cascade}")[1].split("{#related}")[0]
    region = files["documents/china-2020-h2-key-tasks/cascade/province-01/index.md"].decode()
    assert "# How Synthetic Province 01 and its cities and counties carry it out" in region
    assert f'tasks/p01-{base}/{own.id}/#wording"' in region
    assert re.search(rf'<a href="[./]*tasks/p01-{base}/{own.id}/#cascade">{len(local)} tasks</a>', region)
    assert not any(f"tasks/{t.doc}/{t.id}/" in region for t in local)  # the counties' tasks: counted, not listed
    assert "tasks of cities and counties in" in files[f"tasks/p01-{base}/{own.id}.md"].decode()


def test_home_matrix_past_its_rows_is_paged_with_china_on_every_page(scaled, monkeypatch):
    site, files = scaled
    assert not any(p.startswith("matrix/") for p in files) and 'class="rc-pages"' not in files["index.md"].decode()
    monkeypatch.setattr(pages, "HOME_MATRIX_ROWS", 2)
    jobs = pages.home_jobs(site)
    assert [j.path for j in jobs] == ["index.md", "matrix/2/index.md"]
    rows = [[row["jurisdiction"].id for row in j.context["matrix"]] for j in jobs]
    assert rows == [["china", "anhui", "guangdong"], ["china", "jiangxi"]]
    renderer = Renderer(site, "https://example.org/")
    home, second = (renderer.render(j).decode() for j in jobs)
    assert '<nav class="rc-pages" aria-label="Pages"><strong>1</strong> <a href="matrix/2/">2</a>' in home
    assert "Provinces 1–2 of 3, in name order" in home
    assert '<a href="../../#matrix">1</a> <strong>2</strong>' in second and "Provinces 3–3 of 3" in second
    china = re.search(r'<tr><th scope="row">.*?China</a>.*?</tr>', home, re.S)[0]
    assert china.replace('href="', 'href="../../') == re.search(r'<tr><th scope="row">.*?China</a>.*?</tr>', second, re.S)[0]
    assert 'jurisdictions/jiangxi/"' in second and 'jurisdictions/jiangxi/"' not in home
    for page in (home, second):
        assert convert(re.sub(r"\A---\n.*?\n---\n", "", page, flags=re.DOTALL)) is not None
