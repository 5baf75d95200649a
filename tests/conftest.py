"""Shared fixtures: the project, a scratch copy of it, a built site, a server, a browser."""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import shutil
import socketserver
import threading
from pathlib import Path

import pytest

from generator.content.project import Project

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture
def scratch(tmp_path: Path) -> Project:
    """A copy of the project (content, schema, mkdocs.yml, theme) that a test may break."""
    for name in ("content", "schema", "theme"):
        shutil.copytree(ROOT / name, tmp_path / name)
    shutil.copy(ROOT / "mkdocs.yml", tmp_path / "mkdocs.yml")
    (tmp_path / "generator").symlink_to(ROOT / "generator")  # the hook path in mkdocs.yml
    return Project(tmp_path)


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Path:
    """The real site, built once per test session with the same command as `make site`."""
    from generator.pipeline import build_site
    out = tmp_path_factory.mktemp("built") / "site"
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    build_site(Project(ROOT), out)
    return out


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextlib.contextmanager
def serve(directory: Path):
    """A built site served on loopback; gives its base URL."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def served_site(built_site: Path):
    """The built site served on loopback; yields its base URL."""
    with serve(built_site) as url:
        yield url


CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium driven by Playwright; skipped locally when absent, required in CI."""
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if not executable:
        if os.environ.get("RC_REQUIRE_BROWSER"):
            pytest.fail("chromium is not installed: run `make browser`")
        pytest.skip("chromium is not installed: run `make browser`")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    yield pg
    context.close()
