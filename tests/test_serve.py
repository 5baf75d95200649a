"""`make serve`: editing a content file rebuilds and the served page changes (click is pinned for this)."""

import os
import socket
import subprocess
import sys
import time
import urllib.request

from generator.pipeline import generate


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=15) as response:
        return response.read().decode("utf-8")


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
        # the page carries Material's live-reload script, so an open browser tab refreshes itself
        assert "livereload" in page
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
