"""Site search with its index in parts (generator/search/records.py), as at scale: the reader's browser merges
them, and finds what the one-part index of the same content finds."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.browser.test_search import DONE, results
from tests.conftest import copy_project, serve

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def parted_site(tmp_path_factory):
    """The fixture project's site with its tasks' records in several parts, served on loopback."""
    from generator.pipeline import build_site
    from generator.search import records
    project = copy_project(tmp_path_factory.mktemp("parted") / "project")
    out = project.root / "site"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(records, "SHARD_TASKS", 30)
        build_site(project, out)
    parts = [p.name for p in (out / "pagefind").iterdir() if (p / "pagefind-entry.json").is_file()]
    assert len(parts) > 2, parts
    with serve(out) as url:
        yield url, parts


def _everything(page, base: str, address: str) -> tuple[str, set[str]]:
    """The status line and every result's path (each "more" opened) of a linked search."""
    page.goto(base + address)
    page.wait_for_function(DONE, timeout=10_000)
    for kind in ("task", "other"):
        while page.locator(f"[data-rc-more={kind}]").count():
            page.locator(f"[data-rc-more={kind}]").click()
            page.wait_for_function(DONE, timeout=10_000)
    return page.text_content("#rc-search-status"), {r["path"] for r in results(page)}


@pytest.mark.parametrize("address", ["?q=health", "?q=hospitals%20county", "?q=&level=province", "?q=卫生",
                                     "?q=plan&year=2020"])
def test_the_parts_find_what_one_index_finds(browser, served_site, parted_site, address):
    base, parts = parted_site
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.route(lambda url: not url.startswith((base, served_site)), lambda route: route.abort())
    requested: list[str] = []
    page.on("request", lambda r: requested.append(urlsplit(r.url).path))
    status, found = _everything(page, base, address)
    assert found and (status, found) == _everything(page, served_site, address)
    assert {f"/pagefind/{name}/pagefind-entry.json" for name in parts} <= set(requested)
    context.close()
