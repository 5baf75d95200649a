"""The pipeline, top to bottom: load, check, model, render, write. Nothing is written until all checks pass."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

from .check import check
from .content import Project, load_content
from .errors import ContentError, Problem
from .export import DICTIONARY, data_files
from .history import task_histories
from .load import load_schema_registry
from .model import Site, build_model
from .pages import all_pages
from .render import Renderer

def read_site_url(project: Project) -> str:
    """site_url from mkdocs.yml: it is set in that one place."""
    class Permissive(yaml.SafeLoader):
        pass
    Permissive.add_multi_constructor("", lambda loader, suffix, node: None)  # mkdocs.yml may hold !!python tags
    path = project.root / "mkdocs.yml"
    try:
        config = yaml.load(path.read_text(encoding="utf-8"), Loader=Permissive) or {}
    except OSError as exc:
        raise ContentError([Problem("mkdocs.yml", 1, 1, f"cannot read: {exc.strerror}", "restore mkdocs.yml")]) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise ContentError([Problem("mkdocs.yml", mark.line + 1 if mark else 1, mark.column + 1 if mark else 1,
                                    f"YAML syntax: {exc.problem}", "check the indentation and quoting here")]) from None
    url = config.get("site_url") if isinstance(config, dict) else None
    return (url or "http://127.0.0.1:8000/").rstrip("/") + "/"


def load_site(project: Project) -> Site:
    """Stages 1-3: raise ContentError with every problem, or return the model."""
    loaded = load_content(project)
    check(loaded)
    return build_model(loaded)


def render_files(project: Project, site: Site, with_history: bool = True) -> dict[str, bytes]:
    """Stage 4: every file of build/docs, by relative path."""
    site_url = read_site_url(project)
    renderer = Renderer(site, site_url)
    histories = task_histories(project, site) if with_history else {}
    files = {page.path: page.text.encode("utf-8") for page in all_pages(renderer, site, histories)}
    downloads = data_files(site, site_url, load_schema_registry(project.schema))
    for f in downloads:
        files[f"data/{f.name}"] = f.content
    files["data/index.md"] = renderer.render("data", "data/index.md", files=downloads,
                                             dictionary=DICTIONARY).text.encode("utf-8")
    return files


def _redirects(site: Site) -> bytes:
    pairs = {f"tasks/{t.doc}/{old}/": t.url for t in site.all_tasks for old in t.former_ids}
    return (json.dumps(pairs, indent=1, sort_keys=True) + "\n").encode("utf-8")


def write_tree(out_dir: Path, files: dict[str, bytes]) -> tuple[int, int]:
    """Write only files whose bytes changed and delete stale ones (mkdocs serve then reloads once)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = 0
    for rel, content in files.items():
        path = out_dir / rel
        if path.is_file() and path.read_bytes() == content:
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_bytes(content)
        tmp.replace(path)
        written += 1
    removed = 0
    wanted = {out_dir / rel for rel in files}
    for path in sorted(out_dir.rglob("*"), reverse=True):
        if path.is_file() and path not in wanted:
            path.unlink()
            removed += 1
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()
    return written, removed


def generate(project: Project, with_history: bool = True) -> Site:
    """Stages 1-4: validate content and write build/docs."""
    site = load_site(project)
    write_tree(project.root / "build" / "docs", render_files(project, site, with_history))
    redirects = project.root / "build" / "redirects.json"
    content = _redirects(site)
    if not redirects.is_file() or redirects.read_bytes() != content:
        redirects.write_bytes(content)
    return site


def source_date_epoch(project: Project) -> str:
    """The last commit's time, so two builds of one commit are byte-identical."""
    try:
        out = subprocess.run(["git", "log", "-1", "--format=%ct"], cwd=project.root, capture_output=True,
                             text=True, check=True).stdout.strip()
        return out or "0"
    except (OSError, subprocess.CalledProcessError):
        return "0"


def build_site(project: Project, site_dir: Path, strict: bool = True) -> None:
    """Generate, then run MkDocs into a temporary folder and swap it in: a failed build leaves site/ as it was."""
    generate(project)
    site_dir = site_dir.resolve()
    site_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".site-", dir=site_dir.parent))
    env = dict(os.environ)
    env.setdefault("SOURCE_DATE_EPOCH", source_date_epoch(project))
    env["REFORM_COMPARE_GENERATED"] = "1"  # the hook need not generate again
    cmd = [sys.executable, "-m", "mkdocs", "build", "--clean", "--site-dir", str(tmp),
           "--config-file", str(project.root / "mkdocs.yml")] + (["--strict"] if strict else [])
    try:
        result = subprocess.run(cmd, cwd=project.root, env=env)
        if result.returncode != 0:
            raise BuildFailed(f"mkdocs build failed (exit {result.returncode}); {site_dir.name}/ is unchanged")
        old = None
        if site_dir.exists():
            old = site_dir.with_name(f".{site_dir.name}-old-{os.getpid()}")
            site_dir.rename(old)
        tmp.rename(site_dir)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


class BuildFailed(Exception):
    """MkDocs failed after the content passed its checks."""
