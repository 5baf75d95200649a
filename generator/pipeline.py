"""The pipeline, top to bottom: load, check, model, render, write. Nothing is written until all checks pass."""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path


try:
    import fcntl
except ImportError:  # not on Windows: builds there are not locked
    fcntl = None

from generator import accel
from generator.accel import incremental, parallel
from generator.content.checks import check
from generator.content.errors import ContentError, Problem
from generator.content.project import Project, load_content
from generator.content.reader import load_schema_registry, read_data
from generator.model.deadlines import build_date
from generator.model.history import task_histories
from generator.model.site import Site, build_model
from generator.output.export import DICTIONARY, Parts, data_files
from generator.output.files import write_if_changed, write_jobs, write_redirects
from generator.output.keys import document_digests, document_keys, job_keys, site_digest
from generator.pages.jobs import Download, Job, document_page, document_pages, site_jobs
from generator.render.renderer import Renderer
from generator.render.share import render_all
from generator.search.index import BUNDLE, LATER
from generator.search.records import SITE, write_search_files



def _mkdocs_config(project: Project) -> dict:
    """mkdocs.yml, read as far as the generator needs it (its !!python tags as None)."""
    path = project.root / "mkdocs.yml"
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ContentError([Problem("mkdocs.yml", 1, 1, f"cannot read: {exc.strerror}", "restore mkdocs.yml")]) from None
    config = read_data(text, "mkdocs.yml", scalars="any tag")
    return config if isinstance(config, dict) else {}


def read_site_url(project: Project) -> str:
    """site_url from mkdocs.yml: it is set in that one place."""
    url = _mkdocs_config(project).get("site_url")
    return (url or "http://127.0.0.1:8000/").rstrip("/") + "/"


def read_settings(project: Project) -> dict:
    """What the About page and the record histories take from mkdocs.yml: the repository and the licences."""
    config = _mkdocs_config(project)
    extra = config.get("extra") if isinstance(config.get("extra"), dict) else {}
    licence = extra.get("licence") if isinstance(extra.get("licence"), dict) else {}
    return {"repo_url": str(config.get("repo_url") or "").rstrip("/"),
            "licence": {k: str(v) for k, v in licence.items()}}


def load_site(project: Project) -> Site:
    """Stages 1-3: raise ContentError with every problem, or return the model."""
    loaded = load_content(project)
    check(loaded)
    return build_model(loaded)


def site_inputs(project: Project) -> tuple[str, object]:
    """The site's address and the date it is built as of (the last commit's), which every page may show."""
    return read_site_url(project), build_date(os.environ.get("SOURCE_DATE_EPOCH") or source_date_epoch(project))


def plan(project: Project, site: Site, histories: dict, parts: Parts | None = None,
         inputs: tuple[str, object] | None = None) -> tuple[Renderer, list[Job | Download]]:
    """Stage 4a: the site as a list of jobs (pages/), and the renderer for them. `parts`: where the exports'
    parts by document are kept between builds (output/export.py); `inputs`: site_inputs(), if already read."""
    site_url, as_of = inputs or site_inputs(project)
    downloads = data_files(site, site_url, load_schema_registry(project.schema), parts)
    jobs = site_jobs(site, site_url, downloads, DICTIONARY, histories)
    one_page_per_path([job.path for job in jobs])
    renderer = Renderer(site, site_url, as_of)
    renderer.env.globals.update(read_settings(project))  # before any template loads: they copy the globals
    return renderer, jobs


def site_keys(project: Project, site: Site, histories: dict,
              inputs: tuple[str, object]) -> tuple[str, dict[str, str]]:
    """What the render keys (output/keys.py) are made from: the site-wide inputs (site_inputs(), the settings, and
    the documents' ids in order: adding or removing a document renders every file again) and each document's
    digest. Known before the jobs are planned, so that the search records, keyed by document, can be written
    meanwhile."""
    common = site_digest(project.root, site, *inputs, read_settings(project), [doc.id for doc in site.documents])
    return common, document_digests(site, histories)


def first_look(project: Project, out_dir: Path, changed: list[str], cache: dict) -> list[str]:
    """`make serve`'s first look at an edit of these documents: their own pages alone, rendered from the
    content as it now is, before it is checked (the whole build that follows checks it, and shows any
    problem). Returns the paths written, under out_dir."""
    site = build_model(load_content(project, cache))
    site_url, as_of = site_inputs(project)
    renderer = Renderer(site, site_url, as_of)
    renderer.env.globals.update(read_settings(project))
    jobs = [job for doc_id in changed for job in document_pages(site, site_url, site.document[doc_id], {})]
    folders: dict[str, bool] = {}
    written = []
    for job in jobs:
        if write_if_changed(out_dir, job.path, renderer.render(job), folders):
            written.append(job.path)
    return written


def one_page_per_path(paths: list[str]) -> None:
    """Two files at one path would leave one of them unwritten: refused before anything is written, a last
    guard behind the address rules of content/addresses.py (which name the records)."""
    if len(set(paths)) == len(paths):
        return
    twice = sorted(path for path, count in Counter(paths).items() if count > 1)
    raise ContentError([Problem(f"build/docs/{path}", 1, 1, "two files would be written at this one path",
                                "an id or a former id takes the address of another page: rename it") for path in twice])


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


BESIDE_MIN = 100  # documents (or parsed files to keep): fewer are written faster than a process forks


def generate(project: Project, with_history: bool = True, timings: dict | None = None,
             out_dir: Path | None = None, cache: dict | None = None,
             records_written: Callable[[], None] | None = None) -> Site:
    """Stages 1-5: validate content and write out_dir (default build/docs; `make serve` has its own) and
    redirects.json beside it. Nothing is written unless every check passes.
    `timings`, if given, receives each stage's seconds and the files written and removed; `cache` is
    load_content's, kept between builds by `make serve`. The search records are written before the pages,
    and records_written() called then: `make site` indexes the changed ones while the pages are rendered."""
    timings = {} if timings is None else timings

    def stage(name: str, run, *args):
        start = time.perf_counter()
        result = run(*args)
        timings[name] = round(time.perf_counter() - start, 3)
        return result

    # gc: also between the forked stages. What only writes files (the parsed records kept for the next build, the
    # search records) is written by processes of its own while this one plans the jobs, on one core (at 100,000
    # tasks, 6-7 s of it).
    with parallel.no_cycle_collection(), build_lock(project), parallel.beside(BESIDE_MIN) as beside:
        loaded = stage("load", load_content, project, cache)
        stage("check", check, loaded)
        saved = beside(loaded.parsed.save, len(loaded.parsed.new)) if loaded.parsed is not None else None
        site = stage("model", build_model, loaded)
        histories = stage("history", task_histories, project, site) if with_history else {}
        out_dir = out_dir or docs_dir(project)
        # What a build keeps for the next one by key alone is not used when git tracks anything under build/
        # (content/parsed.py folder_for): a pull request could bring parts that do not hold what their keys say.
        kept = loaded.parsed is not None and loaded.parsed.folder is not None
        inputs = site_inputs(project)
        common, digests = stage("keys", site_keys, project, site, histories, inputs)
        searched = beside(lambda: write_search_files(site, out_dir.parent / "search",
                                                     document_keys(common, digests) if kept else None),
                          len(site.documents))
        parts = Parts(out_dir.parent / "exports" if kept else None)
        renderer, jobs = stage("jobs", plan, project, site, histories, parts, inputs)
        keys = stage("job keys", job_keys, jobs, common, digests)
        # a document's part of the exports shows what its page does: it goes by that page's key
        by_path = {job.path: key for job, key in zip(jobs, keys)}
        parts.keys = {doc.id: by_path[page] for doc in site.documents
                      if by_path.get(page := document_page(doc)) is not None}
        stage("search records", searched)  # what is left of their writing: the time waited for it
        if saved is not None:
            saved()
        if records_written is not None:
            records_written()
        timings["written"], timings["removed"] = stage("render+write", write_jobs, renderer, jobs, out_dir,
                                                                None, keys, timings)
        write_redirects(site, out_dir.parent / "redirects.json")
    return site


def docs_dir(project: Project) -> Path:
    """Where `make site` generates the Markdown (mkdocs.yml's docs_dir); `make serve` uses build/serve/docs."""
    return project.root / "build" / "docs"


_locks: dict[Path, int] = {}  # the projects whose build this process holds, and the descriptor holding it


@contextlib.contextmanager
def build_lock(project: Project):
    """One build of a project at a time (`make site` twice, or during `make serve`): the others wait, saying so.

    The lock is on the project folder itself (flock of its descriptor), so taking it writes nothing; a process
    holding it may take it again. A killed build's lock goes with its processes.
    """
    root = project.root.resolve()
    if root in _locks or fcntl is None:
        yield
        return
    fd = os.open(root, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print("another build of this project is running; waiting for it to finish", file=sys.stderr, flush=True)
            fcntl.flock(fd, fcntl.LOCK_EX)
        _locks[root] = fd
        yield
    finally:
        _locks.pop(root, None)
        os.close(fd)


def source_date_epoch(project: Project) -> str:
    """The last commit's time, so two builds of one commit are byte-identical."""
    try:
        out = subprocess.run(["git", "log", "-1", "--format=%ct"], cwd=project.root, capture_output=True,
                             text=True, check=True).stdout.strip()
        return out or "0"
    except (OSError, subprocess.CalledProcessError):
        return "0"


def build_site(project: Project, site_dir: Path, strict: bool = True) -> None:
    """Generate, then run MkDocs into a temporary folder and swap it in: a failed or killed build leaves site/
    as it was, and at every instant site/ is one whole build (the swap is one atomic exchange). After an
    edit that leaves the site's shape and shared inputs as they were, only the changed pages are built
    (generator/accel/incremental.py), and the search index's changed parts are made while the pages are
    generated."""
    with build_lock(project), ThreadPoolExecutor(max_workers=1) as pool:
        site_dir = site_dir.resolve()
        epoch = os.environ.get("SOURCE_DATE_EPOCH") or source_date_epoch(project)
        key = incremental.inputs(project.root, site_dir, strict, epoch)
        early: list = []
        _generate_apart(project, lambda: early.append(_index_early(project, site_dir, key, pool)))
        site_dir.parent.mkdir(parents=True, exist_ok=True)
        remove_leftovers(site_dir)
        if _build_changed(project, site_dir, key, strict, epoch, early[0] if early else None):
            return
        incremental.forget(project.root / "build")
        tmp = Path(tempfile.mkdtemp(prefix=f".{site_dir.name}.building-", dir=site_dir.parent))
        try:
            _mkdocs_build(project, tmp, strict, site_dir.name)
            world_readable(tmp)
            swap_in(tmp, site_dir)
        finally:
            if tmp.exists():  # the new site if the build failed, else the old one
                shutil.rmtree(tmp, ignore_errors=True)
        incremental.record(project.root / "build", site_dir, key)


def _may_build_changed(site_dir: Path) -> bool:
    return site_dir.is_dir() and accel.allowed("incremental", "mkdocs", "mkdocs-material")


def _index_early(project: Project, site_dir: Path, key: str, pool: ThreadPoolExecutor):
    """incremental.early_index once the search records are written: the changed parts of the index made while
    the pages are rendered; None where the build will not be one of the changed pages alone."""
    if not _may_build_changed(site_dir):
        return None
    return incremental.early_index(project.root / "build", site_dir, key, pool)


def _generate_apart(project: Project, records_written: Callable[[], None]) -> None:
    """generate() in a forked process where it can fork: the memory it took (2 GB at 100,000 tasks) is then
    the system's again while MkDocs and Pagefind run, not held by this process to the end of the build. The
    process says, by a byte down a pipe, when it has written the search records."""
    if not sys.platform.startswith("linux") or threading.active_count() > 1:  # see parallel.workers
        generate(project, records_written=records_written)
        return
    ready, told = os.pipe()
    try:
        forked = parallel.start(lambda: _generated(project, ready, told), daemon=False)
    finally:
        os.close(told)
    try:
        if os.read(ready, 1):  # nothing: it ended first (it failed, or was stopped)
            records_written()
    finally:
        os.close(ready)
        parallel.finish(forked)  # whatever happened here, not left writing build/docs on its own


def _generated(project: Project, ready: int, told: int) -> None:
    os.close(ready)

    def tell() -> None:
        os.write(told, b"1")
        os.close(told)
    generate(project, records_written=tell)


def _build_changed(project: Project, site_dir: Path, key: str, strict: bool, epoch: str, early=None) -> bool:
    """Build only what changed since the last build, if that is possible; False if it takes a full build.
    `early`: what _index_early read, and the index parts it started."""
    if not _may_build_changed(site_dir):
        return False
    build = project.root / "build"
    changes = incremental.plan(build, site_dir, key, early)
    if changes is None:
        if early is not None and early.made is not None:
            early.made.cancel() or early.made.exception()  # not left running into the full build
        return False
    try:
        built = incremental.build_changed(project.root, build, site_dir, changes, strict, epoch, early=early)
    except incremental.BuildError as exc:
        raise BuildFailed(f"mkdocs build failed: {exc}; {site_dir.name}/ is unchanged") from None
    incremental.record(build, site_dir, key, changes)
    parts = [name for name in changes["search"] if name != SITE]
    print(f"site: {built} changed page{'s' if built != 1 else ''} built"
          + (f", search index: {len(parts)} of {len(changes['search_state']) - 1} parts made again" if parts else ""),
          file=sys.stderr)
    return True


def _mkdocs_build(project: Project, out: Path, strict: bool, name: str) -> None:
    """MkDocs into `out`, and at the same time the search index from the records the generator wrote: MkDocs
    reads its files in one process for a while (40 s at 100,000 tasks), and Pagefind has the other core.
    The index is made in a folder of its own and moved into `out` once both have finished."""
    env = dict(os.environ)
    env.setdefault("SOURCE_DATE_EPOCH", source_date_epoch(project))
    search = docs_dir(project).parent / "search"
    mkdocs = [sys.executable, "-m", "mkdocs", "build", "--clean", "--site-dir", str(out),
              "--config-file", str(project.root / "mkdocs.yml")] + (["--strict"] if strict else [])
    mkdocs_failed = f"mkdocs build failed (exit {{}}); {name}/ is unchanged"
    if not (search / SITE).is_file():  # no records, no index (the hook makes none either)
        _run_at_once(project, [(mkdocs, env, mkdocs_failed)])
        return
    env[LATER] = "later"
    index_env = dict(env)
    code = str(Path(__file__).resolve().parents[1])  # this generator, wherever the project is
    index_env["PYTHONPATH"] = os.pathsep.join([code] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else []))
    apart = Path(tempfile.mkdtemp(prefix=f".{name}.building-", dir=out.parent))  # remove_leftovers knows it
    try:
        _run_at_once(project, [
            ([sys.executable, "-m", "generator.search.index", str(search), str(apart)], index_env,
             f"site search failed (exit {{}}); {name}/ is unchanged"),
            (mkdocs, env, mkdocs_failed)])
        if (out / BUNDLE).exists():  # copied from docs_dir: the index takes its place, as the hook's did
            shutil.rmtree(out / BUNDLE)
        os.rename(apart / BUNDLE, out / BUNDLE)
    finally:
        shutil.rmtree(apart, ignore_errors=True)


def _run_at_once(project: Project, steps: list[tuple[list[str], dict, str]]) -> None:
    """Run these commands side by side, each in its own session: Ctrl-C reaches this process alone, which stops
    them quietly; they keep the build lock (pass_fds) should this process be killed outright, so that no other
    build starts while they run. If one fails, the others are stopped and BuildFailed says which. What all but
    the last print is held to the end (the last is MkDocs, whose progress lines it would break)."""
    running: list[tuple[subprocess.Popen, str, object]] = []
    said: list[bytes] = []
    try:
        with _ctrl_c_held():
            for n, (cmd, env, failed) in enumerate(steps):
                held = tempfile.TemporaryFile() if n < len(steps) - 1 else None
                running.append((subprocess.Popen(cmd, cwd=project.root, env=env, start_new_session=True,
                                                 pass_fds=tuple(_locks.values()), stderr=held), failed, held))
        while running:
            for step in list(running):
                child, failed, held = step
                code = child.poll()
                if code is None:
                    continue
                running.remove(step)
                if held is not None:
                    held.seek(0)
                    said.append(held.read())
                    held.close()
                if code != 0:
                    raise BuildFailed(failed.format(code))
            time.sleep(0.05)
    finally:
        for child, _, held in running:  # interrupted, or another step failed
            _stop_group(child)  # MkDocs and the processes it forked to build pages, which write into `out` too
            if held is not None:
                held.close()
        for text in said:
            sys.stderr.write(text.decode("utf-8", "replace"))
        sys.stderr.flush()


@contextlib.contextmanager
def _ctrl_c_held():
    """A Ctrl-C while the steps start is acted on once they have all started: raised inside subprocess.Popen,
    after its fork, it would leave the process just started unknown here, and so never stopped (seen: a MkDocs
    left running on its own after a Ctrl-C at its start)."""
    if threading.current_thread() is not threading.main_thread() \
            or signal.getsignal(signal.SIGINT) in (signal.SIG_IGN, None):
        yield
        return
    pressed: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: pressed.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if pressed:
        signal.raise_signal(signal.SIGINT)  # again, to what was there before: Python's raises KeyboardInterrupt


def _stop_group(child: subprocess.Popen) -> None:
    """End a child started in its own session, with every process in its group (SIGTERM, then SIGKILL)."""
    for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, None)):
        try:
            os.killpg(child.pid, sig)
        except (ProcessLookupError, PermissionError):
            child.poll()
        try:
            child.wait(timeout=wait)
            break
        except subprocess.TimeoutExpired:
            continue
    # the group's other processes end with the signal; give them a moment to go before `out` is removed
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and _group_alive(child.pid):
        time.sleep(0.05)


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
        return True
    except (ProcessLookupError, PermissionError):
        return False


RENAME_EXCHANGE = 2  # linux/fs.h


def swap_in(new: Path, site_dir: Path) -> None:
    """Put the folder `new` at site_dir in one step; the old site, if any, is then at `new`.

    Two renames would leave no site between them (a kill there leaves none at all): where the system can,
    the two folders are exchanged atomically (Linux renameat2). Elsewhere the old site is moved aside first.
    """
    if not os.path.lexists(site_dir):
        os.rename(new, site_dir)
        return
    if _exchange(new, site_dir):
        return
    aside = Path(tempfile.mkdtemp(prefix=f".{site_dir.name}.old-", dir=site_dir.parent))
    os.rename(site_dir, aside / "site")
    os.rename(new, site_dir)
    os.rename(aside / "site", new)
    os.rmdir(aside)


def _exchange(a: Path, b: Path) -> bool:
    if not sys.platform.startswith("linux"):
        return False
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    at_cwd = -100
    if renameat2(at_cwd, os.fsencode(a), at_cwd, os.fsencode(b), RENAME_EXCHANGE) == 0:
        return True
    error = ctypes.get_errno()
    if error in (errno.EINVAL, errno.ENOSYS, errno.EXDEV, errno.ENOTSUP):  # not on this file system
        return False
    raise OSError(error, os.strerror(error), str(b))


def remove_leftovers(site_dir: Path) -> None:
    """The folders of builds killed before they finished (the build lock is held, so none is running)."""
    for path in site_dir.parent.glob(f".{site_dir.name}*"):
        if path.name.startswith((f".{site_dir.name}.building-", f".{site_dir.name}.old-", f".{site_dir.name}-old-")) \
                or (site_dir.name == "site" and path.name.startswith(".site-")):  # as earlier versions named them
            shutil.rmtree(path, ignore_errors=True)


def world_readable(folder: Path) -> None:
    """Folders 0755 and files 0644, whatever the umask (mkdtemp makes 0700): a web server running as another
    user can serve the site."""
    for path, dirs, files in os.walk(folder):
        os.chmod(path, 0o755)
        for name in files:
            full = os.path.join(path, name)
            if stat.S_IMODE(os.lstat(full).st_mode) != 0o644:
                os.chmod(full, 0o644, follow_symlinks=False)


class BuildFailed(Exception):
    """MkDocs failed after the content passed its checks."""
