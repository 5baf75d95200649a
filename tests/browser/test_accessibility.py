"""axe-core in headless Chromium: no serious or critical violation on any page type."""

import os
from pathlib import Path

import pytest

from tests.browser.page_types import PAGE_TYPES as PAGES

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture(scope="module")
def axe_source():
    if not AXE.is_file():
        if os.environ.get("RC_REQUIRE_BROWSER"):
            pytest.fail("axe-core is not installed: run `make browser`")
        pytest.skip("axe-core is not installed: run `make browser`")
    return AXE.read_text(encoding="utf-8")


@pytest.mark.browser
@pytest.mark.parametrize("url", PAGES)
def test_no_serious_accessibility_violation(page, served_site, axe_source, url):
    page.goto(served_site + url)
    page.wait_for_load_state("networkidle")
    page.add_script_tag(content=axe_source)
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    serious = [f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes'][:3]]}"
               for v in result["violations"] if v["impact"] in ("serious", "critical")]
    assert serious == [], "\n".join(serious)
