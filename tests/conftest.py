"""Shared fixtures: the fixture project, a scratch copy of it, the live content, a built site, a server, a browser.

Tests of the code read the fixture corpus under tests/fixtures/project/ (editors never touch it); only
the tests of the live content (tests/test_live_content.py) read content/.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from generator.content.project import Project
from generator.content.reader import read_data

ROOT = Path(__file__).resolve().parents[1]
FIXTURE_CONTENT = ROOT / "tests" / "fixtures" / "project" / "content"


# Every test module in one group, run alone with `pytest -m <group>`: unit (the generator's code on fixtures),
# contract (what the speed-ups assume of their dependencies' internals: generator/accel/), site (a site built
# with MkDocs, or the live content) and browser (tests/browser/, headless Chromium).
GROUPS = {
    "unit": ["test_bad_input", "test_check", "test_code_shape", "test_fields", "test_file_safety", "test_golden",
             "test_history", "test_incremental", "test_hostile_content", "test_linear_cost", "test_load", "test_parallel", "test_parsed",
             "test_pr_summary",
             "test_progress", "test_properties",
             "test_render", "test_scaffold", "test_scale", "test_series_checks", "test_validate_builds"],
    "contract": ["test_accel", "test_fastpage", "test_mkdocs_parallel"],
    "site": ["test_build_processes", "test_incremental_site", "test_build_safety", "test_hostile", "test_html", "test_links", "test_live_content",
             "test_search_index", "test_serve", "test_series_pages", "test_site"],
}


def group_of(path: Path) -> str | None:
    """The group of a test module, by its file; None for one not in GROUPS."""
    if "browser" in path.parts:
        return "browser"
    return next((group for group, modules in GROUPS.items() if path.stem in modules), None)


def pytest_collection_modifyitems(config, items):
    for item in items:
        group = group_of(Path(str(item.fspath)))
        if group is None:
            raise pytest.UsageError(f"{item.fspath}: add the module to GROUPS in tests/conftest.py")
        item.add_marker(group)


def read_yaml(path: Path):
    """A YAML file of the fixtures or the content as plain data, read by the project's one reader."""
    return read_data(path.read_text(encoding="utf-8"), str(path))


def copy_project(dest: Path, content: Path = FIXTURE_CONTENT) -> Project:
    """A project at dest: the given content folder (the fixture corpus unless told) with this checkout's
    schema, theme and mkdocs.yml, and the generator linked in (the hook path in mkdocs.yml)."""
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copytree(content, dest / "content", copy_function=shutil.copyfile)
    for name in ("schema", "theme"):
        shutil.copytree(ROOT / name, dest / name, copy_function=shutil.copyfile)
    shutil.copyfile(ROOT / "mkdocs.yml", dest / "mkdocs.yml")
    (dest / "generator").symlink_to(ROOT / "generator")
    return Project(dest)


@pytest.fixture(scope="session")
def fixture_project(tmp_path_factory) -> Project:
    """The fixture project, copied once per session; tests must not change it (use `scratch`)."""
    return copy_project(tmp_path_factory.mktemp("fixture") / "project")


@pytest.fixture(scope="session")
def root(fixture_project: Project) -> Path:
    """The root of the fixture project (content, schema, theme, mkdocs.yml)."""
    return fixture_project.root


@pytest.fixture(scope="session")
def live() -> Project:
    """This checkout's own project, its live content included: for tests/test_live_content.py only."""
    return Project(ROOT)


@pytest.fixture
def scratch(tmp_path: Path) -> Project:
    """A copy of the fixture project that a test may break."""
    return copy_project(tmp_path / "project")


@pytest.fixture(scope="session")
def built_site(tmp_path_factory, fixture_project: Project) -> Path:
    """The fixture project's site, built once per test session with the same command as `make site`."""
    from generator.pipeline import build_site
    out = tmp_path_factory.mktemp("built") / "site"
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    build_site(fixture_project, out)
    return out


@contextlib.contextmanager
def serve(directory: Path):
    """A built site served on loopback by another process (a server thread here would keep every later
    test to one process: parallel.workers() does not fork beside a thread); gives its base URL."""
    server = subprocess.Popen([sys.executable, "-u", "-m", "http.server", "0", "--bind", "127.0.0.1",
                               "--directory", str(directory)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                              text=True)
    try:
        port = re.search(r" port (\d+)", server.stdout.readline()).group(1)
        yield f"http://127.0.0.1:{port}/"
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture(scope="session")
def served_site(built_site: Path):
    """The built site served on loopback; yields its base URL."""
    with serve(built_site) as url:
        yield url


CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(autouse=True)
def no_thread_left(request):
    """No test leaves a thread running: while one runs, parallel.workers() gives 1, so every later test
    would render in one process and the tests' outcome would depend on their order."""
    yield
    if "browser" not in request.fixturenames:  # its driver's thread ends with the module's browser
        left = [t.name for t in threading.enumerate() if t is not threading.main_thread()]
        assert not left, f"threads left running: {left}"


# Debian's chromium here; on GitHub's Ubuntu runners the Google Chrome their images carry (Ubuntu's
# chromium-browser is a snap wrapper, tried last); else the Chromium build `playwright install` fetches.
BROWSERS = ("chromium", "google-chrome", "google-chrome-stable", "chromium-browser")


@pytest.fixture(scope="module")
def browser():
    """A headless Chromium driven by Playwright (one a module: its driver keeps a thread); skipped locally
    when absent, required in CI."""
    from playwright.sync_api import Error, sync_playwright
    executable = next((path for name in BROWSERS if (path := shutil.which(name))), None)
    with sync_playwright() as p:
        try:
            b = p.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        except Error as exc:
            if os.environ.get("RC_REQUIRE_BROWSER"):
                pytest.fail(f"no Chromium to drive ({str(exc).splitlines()[0]}): run `make browser`")
            pytest.skip("no Chromium to drive: run `make browser`")
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    yield pg
    context.close()


def assert_exports_keep_every_field(tasks_json: str, documents: Path) -> None:
    """Every field of every task record under `documents` is in data/tasks.json as written."""
    exported = {(t["document"], t["id"]): t for t in json.loads(tasks_json)}
    for path in sorted(documents.glob("*.yaml")):
        doc = read_yaml(path)
        for task in doc["tasks"]:
            out = exported[(doc["id"], task["id"])]
            for key, value in task.items():
                if key == "quote":
                    assert out["quote"] == (value if isinstance(value, list) else [value])
                elif key == "indicators":
                    for original, copy in zip(value, out["indicators"], strict=True):
                        assert {k: v for k, v in copy.items() if k in original} == original
                else:
                    assert out[key] == value, (doc["id"], task["id"], key)
