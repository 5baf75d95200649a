"""`make serve` on loopback: an edit shows in the served page, a content error shows in it (file, line, column,
message, hint) and fixing it clears it; the preview writes only its own folders."""

import gzip
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

from generator.search import cbor

DOC = "jiangxi-2020-h2-key-tasks"
TASK_URL = f"tasks/{DOC}/epidemic-treatment-capacity/"


def _stop(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.read().decode("utf-8")
    except urllib.error.HTTPError as exc:  # the preview's own error pages are pages too
        return exc.read().decode("utf-8")


def _wait_for(url: str, wanted, deadline: float) -> str:
    page = ""
    while time.monotonic() < deadline:
        try:
            page = _get(url)
        except OSError:
            time.sleep(0.3)
            continue
        if wanted(page):
            return page
        time.sleep(0.2)
    return page


def _edit(path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


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


def test_serve_shows_edits_and_content_errors_in_the_page(scratch):
    port = _free_port()
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    server = subprocess.Popen([sys.executable, "-m", "generator", "--root", str(scratch.root), "serve",
                               "--addr", f"127.0.0.1:{port}"], cwd=scratch.root, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}/{TASK_URL}"
    path = scratch.content / "documents" / f"{DOC}.yaml"
    try:
        deadline = time.monotonic() + 600  # a ceiling, not a measure: the first build waits for a busy machine
        page = _wait_for(url, lambda p: "Support epidemic treatment bases" in p, deadline)
        assert "Support epidemic treatment bases" in page
        assert "livereload" in page  # an open tab reloads itself when a build ends
        assert "rc-build-problems" not in page

        _edit(path, "title: Support epidemic treatment bases", "title: Edited live epidemic bases")
        page = _wait_for(url, lambda p: "Edited live epidemic bases" in p, deadline)
        assert "Edited live epidemic bases" in page
        base = f"http://127.0.0.1:{port}/"  # search is indexed again after each rebuild, the edit with it
        while time.monotonic() < deadline and not _search_holds(base, "Edited live epidemic bases"):
            time.sleep(0.5)
        assert _search_holds(base, "Edited live epidemic bases")
        assert not _search_holds(base, "Support epidemic treatment bases")

        _edit(path, "themes: [reform-leadership, covid-19, disease-control]",
              "themes: [reform-leadershipp, covid-19, disease-control]")
        page = _wait_for(url, lambda p: "rc-build-problems" in p, deadline)
        panel = page[page.index('id="rc-build-problems"'):]
        line = next(n for n, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                    if "reform-leadershipp" in text)
        assert f"content/documents/{DOC}.yaml:{line}:" in panel
        assert "unknown theme" in panel and "hint:" in panel and "reform-leadership&#x27;?" in panel
        assert "Edited live epidemic bases" in page  # the last good build stays served under the panel
        other = _get(f"http://127.0.0.1:{port}/")
        assert "rc-build-problems" in other  # every page carries it, whichever one the editor is on

        _edit(path, "reform-leadershipp", "reform-leadership")
        page = _wait_for(url, lambda p: "rc-build-problems" not in p, deadline)
        assert "rc-build-problems" not in page and "Edited live epidemic bases" in page
    finally:
        _stop(server)
    log = server.stderr.read().decode("utf-8", "replace")
    assert f"first look at {DOC}" in log  # the edited record's own pages were served before the whole build
    # the preview shares no folder with `make site` (build/docs, site/)
    assert not (scratch.root / "build" / "docs").exists()
    assert not (scratch.root / "site").exists()
    assert (scratch.root / "build" / "serve" / "docs" / "index.md").is_file()


def test_serve_before_any_build_passes_shows_the_problems(scratch):
    path = scratch.content / "documents" / f"{DOC}.yaml"
    _edit(path, "themes: [reform-leadership, covid-19, disease-control]",
          "themes: [reform-leadershipp, covid-19, disease-control]")
    port = _free_port()
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    server = subprocess.Popen([sys.executable, "-m", "generator", "--root", str(scratch.root), "serve",
                               "--addr", f"127.0.0.1:{port}"], cwd=scratch.root, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        page = _wait_for(f"http://127.0.0.1:{port}/{TASK_URL}", lambda p: "rc-build-problems" in p,
                         time.monotonic() + 600)
        assert "unknown theme" in page and "livereload" in page  # and it reloads once the file is fixed
    finally:
        _stop(server)


def _tree(path) -> dict[str, bytes]:
    return {p.relative_to(path).as_posix(): p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file()}


def test_make_site_during_make_serve_gives_the_site_make_site_gives_alone(scratch):
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", SOURCE_DATE_EPOCH="1600000000")
    build = [sys.executable, "-m", "generator", "--root", str(scratch.root), "build"]
    alone = subprocess.run(build, cwd=scratch.root, env=env, capture_output=True, text=True)
    assert alone.returncode == 0, alone.stderr
    expected = _tree(scratch.root / "site")
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "generator", "--root", str(scratch.root), "serve",
                               "--addr", f"127.0.0.1:{port}"], cwd=scratch.root, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    path = scratch.content / "documents" / f"{DOC}.yaml"
    try:
        url = f"http://127.0.0.1:{port}/{TASK_URL}"
        _wait_for(url, lambda p: "Support epidemic treatment bases" in p, time.monotonic() + 600)
        os.utime(path)  # the preview rebuilds (same bytes) while make site runs
        during = subprocess.run(build, cwd=scratch.root, env=env, capture_output=True, text=True)
        assert during.returncode == 0, during.stderr
        assert "Support epidemic treatment bases" in _get(url)  # and the preview still serves
    finally:
        _stop(server)
    got = _tree(scratch.root / "site")
    assert sorted(got) == sorted(expected)
    assert [name for name in expected if got[name] != expected[name]] == []
