"""At scale a theme page keeps national and provincial documents side by side and pages the rest."""

import re

import pytest

from generator.build import load_site, render_files
from generator.content import Project
from generator.pages import LOCAL_PAGE_TASKS, SIDE_BY_SIDE_MAX
from tests.bench import synthesise


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
    assert "## Cities and counties {#local}" in main
    assert 'href="guangdong/"' in main or 'href="../primary-care/guangdong/"' in main
    region_pages = [p for p in files if p.startswith("themes/primary-care/")]
    assert region_pages
    for path in region_pages:
        page = files[path].decode()
        assert page.count("<dd>") <= LOCAL_PAGE_TASKS
        assert ">Primary and grassroots care</a>" in page  # back to the theme page
    columns = main.split("<thead>")[1].split("</thead>")[0]
    assert "County" not in columns  # counties are not columns at scale


def test_cascade_at_scale_pages_local_tasks_by_province(scaled):
    site, files = scaled
    cascade = files["documents/china-2020-h2-key-tasks/cascade.md"].decode()
    regions = [p for p in files if p.startswith("documents/china-2020-h2-key-tasks/cascade/")]
    assert regions and "Cities and counties:" in cascade
    shown = re.findall(r'href="[./]*tasks/([^/"]+/[^/"]+)/"', cascade + "".join(files[p].decode() for p in regions))
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
