"""A failed build leaves the last good site exactly as it was; two builds of the same content are identical."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from generator.pipeline import BuildFailed, build_site
from generator.content.project import Project
from generator.content.errors import ContentError

from .conftest import copy_project

DOC = "content/documents/china-2020-h2-key-tasks.yaml"
ENV = {"NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": "1600000000"}


@pytest.fixture(autouse=True)
def _fixed_time(monkeypatch):
    for k, v in ENV.items():
        monkeypatch.setenv(k, v)


@pytest.fixture(scope="module")
def built_once(tmp_path_factory) -> Path:
    """A scratch project (as conftest's `scratch`) and its site in out/site, built once per module."""
    base = tmp_path_factory.mktemp("safety")
    project = copy_project(base / "project")
    with pytest.MonkeyPatch.context() as mp:
        for k, v in ENV.items():
            mp.setenv(k, v)
        build_site(project, base / "out" / "site")
    return base


@pytest.fixture
def copy(built_once, tmp_path) -> tuple[Project, Path]:
    """This test's own copy of the built project: (project, its site folder)."""
    shutil.copytree(built_once, tmp_path / "copy", symlinks=True)
    site = tmp_path / "copy" / "out" / "site"
    assert (site / "index.html").is_file() and (site / "sitemap.xml").is_file()
    return Project(tmp_path / "copy" / "project"), site


def tree(path: Path) -> dict[str, str]:
    """Every file and folder under path: relative path -> sha256 of the bytes ('dir' for folders)."""
    out = {}
    for p in sorted(path.rglob("*")):
        rel = p.relative_to(path).as_posix()
        out[rel] = "dir" if p.is_dir() else hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def leftovers(parent: Path) -> list[str]:
    """Temporary or old build folders that a build left beside the site."""
    return sorted(p.name for p in parent.iterdir() if p.name.startswith((".site-", ".site.")))


def break_quote(project: Project) -> None:
    path = project.root / DOC
    text = path.read_text(encoding="utf-8")
    assert "Optimize and improve" in text
    path.write_text(text.replace("Optimize and improve", "Optimise and improve", 1), encoding="utf-8")


def edit_config(project: Project, old: str, new: str) -> None:
    config = project.root / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    assert old in text
    config.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_content_error_leaves_site_and_build_docs_untouched(copy):
    project, site = copy
    before, docs_before = tree(site), tree(project.root / "build")
    break_quote(project)
    with pytest.raises(ContentError) as exc:
        build_site(project, site)
    assert any(p.message == "quote is not in the source text" and p.path == DOC for p in exc.value.problems)
    assert tree(site) == before
    assert tree(project.root / "build") == docs_before, "nothing is written until every check passes"
    assert leftovers(site.parent) == []


@pytest.mark.parametrize("old, new, error, match", [
    # a config MkDocs refuses
    ("  name: material\n", "  name: no-such-theme\n", BuildFailed, "unchanged"),
    # --strict aborts at the end of a build that warned, after MkDocs wrote every page to its folder
    ("  - Data: data/index.md\n", "  - Data: data/index.md\n  - Missing: no-such-page.md\n", BuildFailed, None),
    # mkdocs.yml that is not YAML: the generator reports it before MkDocs runs
    ("theme:\n", "theme: [this is: not yaml\n", ContentError, None),
], ids=["config-error", "strict-warning", "unparsable"])
def test_broken_mkdocs_config_leaves_site_untouched(copy, old, new, error, match):
    project, site = copy
    before = tree(site)
    edit_config(project, old, new)
    with pytest.raises(error, match=match):
        build_site(project, site)
    assert tree(site) == before
    assert leftovers(site.parent) == []


def cli_build(project: Project, site: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "generator", "--root", str(project.root), "build",
                           "--site-dir", str(site)], cwd=project.root, capture_output=True, text=True,
                          timeout=300, env={**os.environ})


def test_cli_build_with_broken_content_exits_1_and_keeps_site(copy):
    project, site = copy
    before = tree(site)
    break_quote(project)
    result = cli_build(project, site)
    assert result.returncode == 1
    assert f"{DOC}:" in result.stderr and "quote is not in the source text" in result.stderr
    assert "hint:" in result.stderr and "Traceback" not in result.stderr
    assert tree(site) == before


def test_cli_build_with_unparsable_mkdocs_yml_exits_1_without_traceback(copy):
    project, site = copy
    edit_config(project, "theme:\n", "theme: [this is: not yaml\n")
    result = cli_build(project, site)
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr[-2000:]


def test_a_good_build_replaces_the_site_whole(copy):
    project, site = copy
    stale = site / "stale.html"
    stale.write_text("from an older build", encoding="utf-8")
    build_site(project, site)
    assert not stale.exists()
    assert (site / "index.html").is_file()
    assert leftovers(site.parent) == []


def test_two_builds_are_byte_identical(built_once, tmp_path):
    """The same content built again, from a copy in another folder, gives the same bytes in every file."""
    shutil.copytree(built_once / "project", tmp_path / "elsewhere", symlinks=True)
    again = tmp_path / "again" / "site"
    build_site(Project(tmp_path / "elsewhere"), again)
    a, b = tree(built_once / "out" / "site"), tree(again)
    assert sorted(a) == sorted(b), "the same files"
    different = [rel for rel in a if a[rel] != b[rel]]
    assert different == [], f"files that differ between two builds: {different[:10]}"
    assert len(a) > 100
