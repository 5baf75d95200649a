"""`make serve`: editing a content file rebuilds and the served page changes (click is pinned for this)."""

import gzip
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request

from generator.pipeline import generate
from generator.search import cbor


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=15) as response:
        return response.read().decode("utf-8")


def _search_holds(base: str, words: str) -> bool:
    """Whether the served search index has a page whose indexed text holds these words."""
    entry = json.loads(_get(base + "pagefind/pagefind-entry.json"))
    meta_hash = entry["languages"]["en"]["hash"]
    with urllib.request.urlopen(f"{base}pagefind/pagefind.{meta_hash}.pf_meta", timeout=15) as response:
        pages = cbor.read(response.read())[1]
    for fragment, _ in pages:
        with urllib.request.urlopen(f"{base}pagefind/fragment/{fragment}.pf_fragment", timeout=15) as response:
            if words in gzip.decompress(response.read()).decode("utf-8"):
                return True
    return False


def test_content_edit_reloads_served_page(scratch):
    generate(scratch, with_history=False)
    port = _free_port()
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    server = subprocess.Popen([sys.executable, "-m", "mkdocs", "serve", "--dev-addr", f"127.0.0.1:{port}"],
                              cwd=scratch.root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}/tasks/jiangxi-2020-h2-key-tasks/epidemic-treatment-capacity/"
    try:
        deadline = time.monotonic() + 90
        page = ""
        while time.monotonic() < deadline:
            try:
                page = _get(url)
                break
            except OSError:
                time.sleep(0.5)
        assert "Support epidemic treatment bases" in page
        path = scratch.content / "documents" / "jiangxi-2020-h2-key-tasks.yaml"
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("title: Support epidemic treatment bases", "title: Edited live epidemic bases"),
                        encoding="utf-8")
        while time.monotonic() < deadline:
            try:
                page = _get(url)
            except OSError:  # the server may hold requests while it rebuilds
                continue
            if "Edited live epidemic bases" in page:
                break
            time.sleep(0.5)
        assert "Edited live epidemic bases" in page
        # site search was indexed again with the edit (the hook indexes after each rebuild)
        base = f"http://127.0.0.1:{port}/"
        while time.monotonic() < deadline and not _search_holds(base, "Edited live epidemic bases"):
            time.sleep(0.5)  # the index is written after the pages
        assert _search_holds(base, "Edited live epidemic bases")
        assert not _search_holds(base, "Support epidemic treatment bases")
        # the page carries Material's live-reload script, so an open browser tab refreshes itself
        assert "livereload" in page
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
