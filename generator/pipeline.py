"""The pipeline, top to bottom: load, check, model, render, write. Nothing is written until all checks pass."""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import yaml

from generator import progress
from generator.accel import parallel
from generator.content.checks import check
from generator.content.project import Project, load_content
from generator.content.errors import ContentError, Problem
from generator.output.export import DICTIONARY, data_files
from generator.model.history import task_histories
from generator.content.reader import load_schema_registry
from generator.model.site import Site, build_model
from generator.pages import depends
from generator.pages.jobs import all_pages
from generator.progress import Progress
from generator.render.renderer import Page, Renderer

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


PARALLEL_MIN_TASKS = 1000  # below this, rendering in one process is quicker than forking
CHUNK = 24  # render calls a process claims at a time


def render_files(project: Project, site: Site, with_history: bool = True,
                 workers: int | None = None) -> dict[str, bytes]:
    """Stage 4: every file of build/docs, by relative path, rendered in `workers` processes (default: by size)."""
    share, workers = _render_job(project, site, with_history, workers)
    shares = parallel.in_processes(share, workers)
    files = {}
    for _, path, content in parallel.in_order([rendered for rendered, _, _ in shares]):
        files[path] = content  # in the order of a one-process render, so a repeated path keeps the same bytes
    return files


def render_tree(project: Project, site: Site, out_dir: Path, with_history: bool = True,
                workers: int | None = None, first: Callable[[], None] | None = None,
                histories: dict | None = None, wanted: Callable[[str], bool] | None = None,
                record: dict | None = None) -> tuple[int, int]:
    """Stage 4 into out_dir: what write_tree(out_dir, render_files(...)) does, but each render process
    writes the files it rendered. Returns (files written, stale files deleted).

    `first` (the checks) runs in this process while the others start rendering: nothing is written, or
    even made, unless it returns; if it raises, the others stop unwritten and its error is raised.
    With `wanted`, only the pages whose path it accepts are rendered (and the downloads); the others are
    left as they are. `record` receives the paths written and the documents each rendered page links to.
    """
    share, workers = _render_job(project, site, with_history, workers, histories, wanted)
    fresh = not out_dir.exists()  # then nothing in it can be stale
    checked = multiprocessing.get_context("fork").Event() if first and workers > 1 else None

    def write_share() -> tuple[list[str], list[str], list[str], dict]:
        here = os.getpid() == parent
        if first is not None and here:
            first()
            if checked is not None:
                checked.set()
        files, paths, links = share()
        if checked is not None and not here:
            checked.wait()  # until the checks pass: if they fail, this process is stopped while it waits
        out_dir.mkdir(parents=True, exist_ok=True)
        last = {path: n for n, path in enumerate(paths)}  # every process knows every page's path
        last.update((path, n) for n, path, _ in files if n >= len(paths))  # the downloads
        mine = [(path, content) for n, path, content in files if last[path] == n]  # as in a dict: the last wins
        folders: dict[str, bool] = {}
        written = [path for path, content in mine if _write_if_changed(out_dir, path, content, folders, fresh)]
        return [path for path, _ in mine], written, paths if here else [], links

    parent = os.getpid()
    shares = parallel.in_processes(write_share, workers)
    kept = [path for paths, _, _, _ in shares for path in paths]
    if len(set(kept)) != len(kept):  # a page and a download at one path: which is written would be chance
        raise RuntimeError(f"two processes wrote {sorted(p for p in kept if kept.count(p) > 1)[:3]}")
    written = [path for _, paths, _, _ in shares for path in paths]
    if record is not None:
        record["written"] = written
        record["links"] = {path: docs for *_, links in shares for path, docs in links.items()}
        record["rendered"] = len(record["links"])
    if wanted is not None:  # the pages not rendered are kept
        kept += shares[0][2]
    return len(written), 0 if fresh else _remove_stale(out_dir, kept, record)


def _render_job(project: Project, site: Site, with_history: bool, workers: int | None,
                histories: dict | None = None, wanted: Callable[[str], bool] | None = None):
    """The work of one render process, and how many processes to run it in."""
    site_url = read_site_url(project)
    if histories is None:
        histories = task_histories(project, site) if with_history else {}
    schemas = load_schema_registry(project.schema)
    workers = 1 if wanted else workers or parallel.workers(len(site.all_tasks), PARALLEL_MIN_TASKS)
    renderer = _ShareRenderer(site, site_url, parallel.Claims(workers), wanted)
    if wanted is None:  # about as many pages as this (exact in the last line)
        site_pages = len(site.all_tasks) + 3 * len(site.documents) + len(site.themes) + len(site.jurisdictions)
        renderer.progress = Progress("generate: rendering", site_pages)
    if workers > 1:  # compiled once here, not once in each process
        for name in renderer.env.list_templates():
            renderer.env.get_template(name)
    return (lambda: _render_share(renderer, site, histories, schemas)), workers


class _ShareRenderer(Renderer):
    """Renders only the pages its process claims (piece 0 is the downloads, then CHUNK render calls a piece)."""

    def __init__(self, site: Site, site_url: str, claims: parallel.Claims,
                 wanted: Callable[[str], bool] | None = None):
        super().__init__(site, site_url)
        self.claims = claims
        self.wanted = wanted
        self.progress: Progress | None = None
        self.calls = 0
        self.skipped: list[Page] = []  # kept alive, so their ids stay theirs

    def render(self, template: str, path: str, **context) -> Page:
        return self.render_with(template, path, lambda: context)

    def render_with(self, template: str, path: str, context) -> Page:
        if self.wanted is not None and not self.wanted(path):
            self.skipped.append(Page(path, ""))  # not re-rendered: its file stays as it is
            return self.skipped[-1]
        self.calls += 1
        if self.claims.owns(1 + (self.calls - 1) // CHUNK):
            if self.progress is not None:
                self.progress.tick()
            return super().render(template, path, **context())
        self.skipped.append(Page(path, ""))  # another process renders it
        return self.skipped[-1]


def _render_share(renderer: _ShareRenderer, site: Site, histories: dict,
                  schemas: dict) -> tuple[list, list, dict]:
    """This process's files, each with its place in the one-process order (all_pages' list, then the
    downloads), the path of every page in that order, and the documents each page rendered here links to."""
    data, data_links = [], {}
    if renderer.claims.owns(0):  # the downloads and their page: the largest piece, so taken first
        downloads = data_files(site, renderer.site_url, schemas)
        data = [(f"data/{f.name}", f.content) for f in downloads]
        page = Renderer.render(renderer, "data", "data/index.md", files=downloads, dictionary=DICTIONARY)
        data.append((page.path, page.text.encode("utf-8")))
        data_links[page.path] = page.links
    pages = all_pages(renderer, site, histories)
    skipped = {id(page) for page in renderer.skipped}
    files = [(n, page.path, page.text.encode("utf-8")) for n, page in enumerate(pages) if id(page) not in skipped]
    links = data_links | {page.path: page.links for page in pages if id(page) not in skipped}
    return files + [(len(pages) + n, path, content) for n, (path, content) in enumerate(data)], \
        [page.path for page in pages], links


def _redirects(site: Site) -> bytes:
    pairs = {f"tasks/{t.doc}/{old}/": t.url for t in site.all_tasks for old in t.former_ids}
    return (json.dumps(pairs, indent=1, sort_keys=True) + "\n").encode("utf-8")


def write_tree(out_dir: Path, files: dict[str, bytes]) -> tuple[int, int]:
    """Write only files whose bytes changed and delete stale ones (mkdocs serve then reloads once)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    folders: dict[str, bool] = {}
    written = sum(_write_if_changed(out_dir, rel, content, folders) for rel, content in files.items())
    return written, _remove_stale(out_dir, files)


def _write_if_changed(out_dir: Path, rel: str, content: bytes, folders: dict[str, bool],
                      fresh: bool = False) -> bool:
    """Write one file unless it already holds these bytes.

    `folders` are those known to exist, True for those made here (or anywhere, if out_dir is `fresh`, made
    for this build): nothing there can hold the bytes already, and no reader can see a half-written file
    where a whole one was, so the file is written in place, not through a temporary file.
    """
    path = os.path.join(out_dir, rel)
    folder = os.path.dirname(path)
    made = folders.get(folder)
    if made is None:  # one mkdir per folder, not per file
        try:
            os.makedirs(folder)
            made = True
        except FileExistsError:
            made = fresh  # if fresh, another process made it
        folders[folder] = made
    if made:
        _write_new(path, content)
        return True
    try:
        with open(path, "rb") as f:
            if os.fstat(f.fileno()).st_size == len(content) and f.read() == content:
                return False
    except OSError:  # missing, or not a file
        pass
    with open(path + ".tmp", "wb") as f:
        f.write(content)
    os.replace(path + ".tmp", path)
    return True


def _write_new(path: str, content: bytes) -> None:
    """Write a file with no file object around the descriptor (a quarter of the time of open() per file,
    for 12,000 files at 10,000 tasks)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
    try:
        view = memoryview(content)
        while view:
            view = view[os.write(fd, view):]
    finally:
        os.close(fd)


def _remove_stale(out_dir: Path, wanted, record: dict | None = None) -> int:
    """Delete every file under out_dir not in `wanted` (paths relative to it), then empty folders; `record`
    gets their paths under "removed"."""
    base = os.path.normpath(out_dir)  # so that the paths walked and the paths wanted are spelled alike
    keep = {os.path.normpath(os.path.join(base, rel)) for rel in wanted}
    removed = 0
    for folder, _, names in os.walk(base, topdown=False):
        for name in names:
            path = os.path.join(folder, name)
            if path not in keep:
                os.unlink(path)
                removed += 1
                if record is not None:
                    record.setdefault("removed", []).append(os.path.relpath(path, base))
        if folder != base and not os.listdir(folder):
            os.rmdir(folder)
    return removed


def generate(project: Project, with_history: bool = True, out_dir: Path | None = None,
             record: dict | None = None, cache: dict | None = None) -> Site:
    """Stages 1-4: validate content and write out_dir (default build/docs; `make serve` has its own) and
    redirects.json beside it. Nothing is written unless every check passes. Only the pages that what changed
    since the last build can change are rendered (generator/pages/depends.py); `record` receives the paths
    written and removed; `cache` is load_content's (a preview keeps it between builds).

    The model is built before the checks, which then run beside the other render processes (0.2 s at
    10,000 tasks). The model only indexes records, with no loop following references, so content that fails
    the checks at worst raises an error in the model or the render; the checks' problems are then reported.
    """
    out_dir = out_dir or docs_dir(project)
    with parallel.no_cycle_collection():  # also between the forked stages (0.04 s at 10,000 tasks)
        start = time.monotonic()
        loaded = load_content(project, cache)
        try:
            site = build_model(loaded)
            progress.stage(f"generate: loaded {len(loaded.documents):,} documents, {len(site.all_tasks):,} tasks "
                           f"({time.monotonic() - start:.1f} s)", len(site.all_tasks))
            histories = task_histories(project, site) if with_history else {}
            todo = depends.plan(project, out_dir, site, histories, with_history)  # which pages to render
            record = {} if record is None else record
            try:
                render_tree(project, site, out_dir, with_history, first=lambda: check(loaded),
                            histories=histories, wanted=todo.wanted, record=record)
            except ContentError:  # the checks failed: nothing was written
                raise
            except BaseException:  # stopped part-way: the next build renders every page
                depends.forget(out_dir)
                raise
            depends.save(todo, out_dir, site, record)
            progress.stage(f"generate: rendered {record['rendered']:,} pages ({todo.reason}), wrote "
                           f"{len(record['written']):,} ({time.monotonic() - start:.1f} s)", len(site.all_tasks))
        except ContentError:
            raise
        except Exception:
            check(loaded)  # what the content did wrong, if it did
            raise
    redirects = out_dir.parent / "redirects.json"
    content = _redirects(site)
    if not redirects.is_file() or redirects.read_bytes() != content:
        redirects.write_bytes(content)
    return site


def docs_dir(project: Project) -> Path:
    """Where `make site` generates the Markdown (mkdocs.yml's docs_dir); `make serve` uses build/serve/docs."""
    return project.root / "build" / "docs"


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
