"""The pipeline, top to bottom: load, check, model, render, write. Nothing is written until all checks pass."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from generator.accel import parallel
from generator.content.checks import check
from generator.content.errors import ContentError, Problem
from generator.content.project import Project, load_content
from generator.content.reader import load_schema_registry
from generator.model.history import task_histories
from generator.model.site import Site, build_model
from generator.output.export import DICTIONARY, data_files
from generator.output.files import write_jobs, write_redirects
from generator.pages.jobs import Download, Job, site_jobs
from generator.render.renderer import Renderer
from generator.render.share import render_all
from generator.search.records import write_search_file


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


def plan(project: Project, site: Site, histories: dict) -> tuple[Renderer, list[Job | Download]]:
    """Stage 4a: the site as a list of jobs (pages/), and the renderer for them."""
    site_url = read_site_url(project)
    downloads = data_files(site, site_url, load_schema_registry(project.schema))
    return Renderer(site, site_url), site_jobs(site, site_url, downloads, DICTIONARY, histories)


def render_files(project: Project, site: Site, with_history: bool = True,
                 workers: int | None = None) -> dict[str, bytes]:
    """Stage 4: every file of build/docs by relative path, rendered in `workers` processes (default: by size)."""
    renderer, jobs = plan(project, site, task_histories(project, site) if with_history else {})
    return render_all(renderer, jobs, workers)


def render_tree(project: Project, site: Site, out_dir: Path, with_history: bool = True,
                workers: int | None = None) -> tuple[int, int]:
    """Stages 4-5 into out_dir: (files written, stale files deleted)."""
    renderer, jobs = plan(project, site, task_histories(project, site) if with_history else {})
    return write_jobs(renderer, jobs, out_dir, workers)


def generate(project: Project, with_history: bool = True, timings: dict | None = None) -> Site:
    """Stages 1-5: validate content and write build/docs. Nothing is written unless every check passes.
    `timings`, if given, receives each stage's seconds and the files written and removed."""
    timings = {} if timings is None else timings

    def stage(name: str, run, *args):
        start = time.perf_counter()
        result = run(*args)
        timings[name] = round(time.perf_counter() - start, 3)
        return result

    with parallel.no_cycle_collection():  # also between the forked stages (0.04 s at 10,000 tasks)
        loaded = stage("load", load_content, project)
        stage("check", check, loaded)
        site = stage("model", build_model, loaded)
        histories = stage("history", task_histories, project, site) if with_history else {}
        renderer, jobs = stage("jobs", plan, project, site, histories)
        build = project.root / "build"
        timings["written"], timings["removed"] = stage("render+write", write_jobs, renderer, jobs, build / "docs")
        write_redirects(site, build / "redirects.json")
        stage("search records", write_search_file, site, build / "search.json")  # indexed by the hook
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
