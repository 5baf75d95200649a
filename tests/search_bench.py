"""The first search in a real browser, for `make bench` (tests/bench.py): what it downloads and how soon it answers.

A built site is served on loopback (no compression: bytes as they are on disk) and headless Chromium
opens a task page, waits until the page is idle, presses "/" and types a query key by key. Counted:
every byte the browser receives from pressing "/" until the results are shown (for Material's
search, which loads its index with the page, every search request from the page's load on), and
the time from the last keystroke to the results on screen, read in the page.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

from tests.conftest import CHROMIUM_FLAGS, serve

QUERIES = ("rural doctors", "国家卫健委")
# In the page: when the last key went in, and when the results for the whole query were on screen.
# "shown" is the first moment after the last key that the results for the whole query are on screen.
_WATCH = """([ready, q]) => {
  const b = window.__bench = {last: 0, shown: 0};
  const key = () => { b.last = performance.now(); };
  document.addEventListener('input', key, true);  // not keyup: a fast search answers before the key comes up
  const check = new Function('q', 'return ' + ready);
  new MutationObserver(() => {
    if (b.last && b.shown < b.last && check(q)) b.shown = performance.now();
  }).observe(document.documentElement, {childList: true, subtree: true, characterData: true, attributes: true});
}"""
SITES = {
    "pagefind": {"ready": "document.querySelector('#rc-search[data-rc-state=done] a.rc-result') && "
                          "document.getElementById('rc-search-status').textContent.includes('\u201c' + q + '\u201d')",
                 "is_search": lambda path: path.startswith("/pagefind/") or path.endswith("/assets/search.js")},
    "material": {"ready": "document.querySelector('.md-search-result__item') && "
                          "document.querySelector('input[name=query]').value === q",
                 "is_search": lambda path: "search" in path.rsplit("/", 1)[-1] or "/lunr/" in path},
}


def first_searches(site_dir: Path, page_path: str, kind: str, queries=QUERIES) -> dict | None:
    """{query: {"kb", "requests", "ms", "before_open_kb"}} for each query, each in a fresh browser; None without chromium."""
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if not executable:
        return None
    from playwright.sync_api import sync_playwright
    spec = SITES[kind]  # pressing "/" opens either
    out = {}
    with serve(site_dir) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        try:
            for query in queries:
                try:
                    out[query] = _one(browser, base, page_path, spec, query)
                except Exception as exc:  # noqa: BLE001 (a search that never answers is reported, not fatal)
                    out[query] = {"kb": None, "requests": None, "ms": None, "error": str(exc).splitlines()[0]}
        finally:
            browser.close()
    return out


def _one(browser, base: str, page_path: str, spec: dict, query: str) -> dict:
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.route(lambda url: not url.startswith(base), lambda route: route.abort())
    got: list = []
    page.on("requestfinished", lambda request: got.append(request))
    try:
        page.goto(base + page_path)
        page.wait_for_load_state("networkidle")
        page.evaluate(_WATCH, [spec["ready"], query])
        before = list(got)
        got.clear()
        page.locator("body").press("/")
        page.keyboard.type(query, delay=60)
        page.wait_for_function("window.__bench.shown > window.__bench.last", timeout=60_000)
        time.sleep(0.3)  # let the last responses be counted
        timing = page.evaluate("window.__bench")
        search_before = [r for r in before if spec["is_search"](_path(r.url))]
        counted = got + search_before  # after "/", only search loads; Material's index comes with the page
        return {"kb": round(sum(_bytes(r) for r in counted) / 1024, 1), "requests": len(counted),
                "ms": round(timing["shown"] - timing["last"], 1),
                "search_kb_before_open": round(sum(_bytes(r) for r in search_before) / 1024, 1)}
    finally:
        context.close()


def _path(url: str) -> str:
    from urllib.parse import urlsplit
    return urlsplit(url).path


def _bytes(request) -> int:
    sizes = request.sizes()
    return sizes["responseBodySize"] + sizes["responseHeadersSize"]


def index_child(root: Path, site_dir: Path) -> None:
    """Inside a measured child (`python -m tests.search_bench ROOT SITE`): load, model, records, index."""
    import json
    from generator.content.project import Project
    from generator.pipeline import load_site
    from generator.search.index import write_index
    from generator.search.records import write_search_files
    site = load_site(Project(root))
    search = root / "build" / "search"
    write_search_files(site, search)
    start = time.perf_counter()
    pages = write_index(search, site_dir)
    (root / "build" / "index-time.json").write_text(json.dumps({"pages": pages, "s": time.perf_counter() - start}))


if __name__ == "__main__":
    import sys
    index_child(Path(sys.argv[1]), Path(sys.argv[2]))
