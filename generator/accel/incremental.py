"""`make site` after an edit: MkDocs builds only the pages whose Markdown changed, and site/ takes them.

A full build records, beside the generated pages, what it was built from (`Manifest`: the inputs every page
shares, and the size and modification time of every file of build/docs). The next build compares: if the
inputs are the same and the same files exist, only the changed ones go through MkDocs (its own page
functions, `_populate_page` and `_build_page`, given a Files of the changed pages and the nav's pages), the
changed downloads are copied, and the search index is made again if its records changed. Everything new is
written into a folder beside site/ first; a build that fails there leaves site/ as it was. Then each new
file replaces its old one (a rename each); of the search bundle only the files that differ are written,
and its entry file, which names the others, is replaced last. The
manifest is removed before the first rename and written after the last, so a build killed between them is
followed by a full one. Anything else (a template, the theme, mkdocs.yml, a page added or removed, a former address)
takes the full build. tests/test_incremental.py compares both ways' sites, every file.

MkDocs's --dirty is not used: it still reads every file and builds the navigation of all of them (at
10,000 tasks about 8 s of a 50 s build), it warns (which --strict refuses), and it writes into the site
it is given.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import shutil
import tempfile
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from generator.accel import mkdocs_parallel, parallel
from generator.output.keys import code_digest, read_cache

VERSION = 2
PACKAGES = ("mkdocs", "mkdocs-material", "pagefind")


class Warnings(logging.Handler):
    """MkDocs's warnings during one build: in strict mode they are why it failed."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def manifest_path(build: Path) -> Path:
    """Beside the generated pages (build/docs, or build/serve/docs); for one site folder at a time: the
    inputs name it, so a build into another folder starts afresh."""
    return build / "site.manifest.json"


def inputs(root: Path, site_dir: Path, strict: bool, epoch: str, site_url: str = "") -> str:
    """What every page of the site is made from besides its own Markdown."""
    h = hashlib.sha256(code_digest(root).encode())
    theme = root / "theme"
    for path in sorted(theme.rglob("*")) if theme.is_dir() else ():
        if path.is_file():
            h.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    versions = []
    for package in PACKAGES:
        try:
            versions.append(metadata.version(package))
        except metadata.PackageNotFoundError:
            versions.append("none")
    h.update(json.dumps([versions, strict, epoch, site_url, os.path.realpath(site_dir), VERSION]).encode())
    return h.hexdigest()


def docs_state(docs: Path) -> dict[str, list[int]]:
    """Every file of build/docs: [size, mtime_ns], as the generator wrote or found each one (its render keys'
    cache, output/keys.py, taken as it left the folder, so that 43,000 files at 10,000 tasks are not walked
    again); walked where there is no such cache."""
    cached = read_cache(docs)
    if cached:
        return {path: entry[1:] for path, entry in cached.items()}
    state = {}
    todo = [(str(docs), "")]
    while todo:
        folder, prefix = todo.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    todo.append((entry.path, prefix + entry.name + "/"))
                else:
                    st = entry.stat(follow_symlinks=False)
                    state[prefix + entry.name] = [st.st_size, st.st_mtime_ns]
    return state


def _file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else ""


def search_state(search_dir: Path) -> dict[str, str]:
    """Every file of build/search (its records, by part, and SITE): its digest."""
    if not search_dir.is_dir():
        return {}
    return {path.name: _file_digest(path) for path in sorted(search_dir.iterdir()) if path.is_file()}


def record(build: Path, site_dir: Path, key: str, changes: dict | None = None) -> None:
    """After a build that passed: what site/ was built from (`changes`: plan's, whose states are the build's)."""
    data = {"version": VERSION, "inputs": key, "site": os.stat(site_dir).st_ino,
            "docs": changes["docs"] if changes else docs_state(build / "docs"),
            "search": changes["search_state"] if changes else search_state(build / "search"),
            "redirects": _file_digest(build / "redirects.json")}
    path = manifest_path(build)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, separators=(",", ":"), sort_keys=True), encoding="utf-8")
    os.replace(tmp, path)


def forget(build: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        manifest_path(build).unlink()


def _read(build: Path) -> dict | None:
    try:
        data = json.loads(manifest_path(build).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("version") == VERSION else None


def same_inputs(build: Path, key: str) -> bool:
    """Whether the recorded build had these shared inputs."""
    old = _read(build)
    return old is not None and old.get("inputs") == key


def recorded(build: Path, site_dir: Path, key: str) -> dict | None:
    """The manifest of the build site_dir holds, if it had these shared inputs."""
    old = _read(build)
    if old is None or old.get("inputs") != key:
        return None
    try:
        if os.stat(site_dir).st_ino != old.get("site"):
            return None
    except OSError:
        return None
    return old


@dataclass(frozen=True)
class EarlyIndex:
    """What plan() compares, read once the generator has written the search records (pipeline.build_site:
    while it renders the pages), and the search index's changed parts, made from then on."""
    recorded: dict  # the manifest
    search: dict[str, str]  # search_state of the records written
    changed: list[str] | None  # the files of build/search whose records changed, as plan() names them
    made: Future | None  # of index_parts; None when most parts changed (a full build indexes them whole)


def early_index(build: Path, site_dir: Path, key: str, pool: ThreadPoolExecutor) -> EarlyIndex | None:
    """EarlyIndex for a build that may be of the changed pages alone, or None. Pagefind starts on the changed
    parts if they are some, not most, of the parts: else a full build indexes them whole, and indexing here
    would add Pagefind's memory to the render's."""
    old = recorded(build, site_dir, key)
    if old is None:
        return None
    search = search_state(build / "search")
    changed = _search_changes(old, search)
    parts = _part_names(changed or [])
    start = bool(parts) and len(parts) * 2 <= len(search) - 1
    return EarlyIndex(old, search, changed, pool.submit(index_parts, build, changed) if start else None)


def plan(build: Path, site_dir: Path, key: str, early: EarlyIndex | None = None) -> dict | None:
    """The changes since the recorded build, or None when a full build is needed (`early`: the manifest and
    the records' state as early_index read them)."""
    old = early.recorded if early is not None else recorded(build, site_dir, key)
    if old is None:
        return None
    now = docs_state(build / "docs")
    if now.keys() != old["docs"].keys() or _file_digest(build / "redirects.json") != old.get("redirects"):
        return None  # a page added or gone changes the navigation's neighbours and the sitemap
    changed = sorted(rel for rel, st in now.items() if old["docs"][rel] != st)
    if _full_is_faster(sum(1 for rel in changed if rel.endswith(".md")), sum(1 for rel in now if rel.endswith(".md"))):
        return None
    search = early.search if early is not None else search_state(build / "search")
    search_changed = _search_changes(old, search)
    if search_changed is None:
        return None  # the index is in other parts now
    return {"changed": changed, "search": search_changed, "docs": now, "search_state": search}


def _search_changes(old: dict, search: dict[str, str]) -> list[str] | None:
    """The files of build/search whose digest differs from the recorded build's; None if the files differ."""
    if search.keys() != (old.get("search") or {}).keys():
        return None
    return [name for name, digest in search.items() if old["search"][name] != digest]


def _part_names(changed: list[str]) -> list[str]:
    from generator.search.records import SITE
    return [name[:-len(".json")] for name in changed if name != SITE]


def index_parts(build: Path, changed: list[str]) -> dict[str, bytes]:
    """The bundle's files of these parts of build/search (search/index.py bundle_files)."""
    from generator.search.index import bundle_files
    return bundle_files(build / "search", _part_names(changed))[0]


def _full_is_faster(changed: int, pages: int) -> bool:
    """Whether a full build would be done first: it shares the pages among processes, this builds them in one."""
    processes = parallel.workers(pages, mkdocs_parallel.MIN_PAGES)
    return processes > 1 and changed * processes > pages


def build_changed(root: Path, build: Path, site_dir: Path, changes: dict, strict: bool, epoch: str,
                  settings: dict | None = None, shown=None, early: EarlyIndex | None = None) -> int:
    """Build the changed pages into a folder beside site_dir, then move them in. Returns the pages built.
    Raises BuildError (site_dir unchanged) when MkDocs warns in strict mode or fails. `settings` go to
    MkDocs's load_config (`make serve`: its docs_dir and address). With `shown` (`make serve`), the pages go
    in before the search index is made again, and shown() is called between the two. `early`: the changed
    parts of the index, made already (used if they are the parts that changed)."""
    stage = Path(tempfile.mkdtemp(prefix=f".{site_dir.name}.building-", dir=site_dir.parent))
    made = early.made if early is not None and early.changed == changes["search"] else None
    try:
        # The index's parts are made by Pagefind's processes while MkDocs builds the pages in this one.
        with ThreadPoolExecutor(max_workers=1) as pool:
            bundle = (pool.submit(_stage_bundle, build / "search", stage, site_dir, changes["search"], made)
                      if changes["search"] and shown is None else None)
            built = _stage(root, stage, changes, strict, epoch, settings or {})
            if bundle is not None:
                bundle.result()
        forget(build)  # from here until the new manifest, a killed build is followed by a full one
        _move_in(stage, site_dir)
        if shown is not None:
            shown()
            if changes["search"]:
                _stage_bundle(build / "search", stage, site_dir, changes["search"])
                _move_in(stage, site_dir)
        return built
    except BuildError:
        raise
    except Exception as exc:  # the search index: Pagefind refused, or is missing
        raise BuildError(f"{type(exc).__name__}: {exc}") from None
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def preview_pages(root: Path, site_dir: Path, pages: list[str], strict: bool, epoch: str, settings: dict) -> int:
    """`make serve`'s first look at an edit: these pages alone, built and moved into site_dir. The manifest is
    left as it was: the build that follows finds them changed and builds them again with the rest."""
    stage = Path(tempfile.mkdtemp(prefix=f".{site_dir.name}.building-", dir=site_dir.parent))
    try:
        built = _stage(root, stage, {"changed": pages}, strict, epoch, settings)
        _move_in(stage, site_dir)
        return built
    finally:
        shutil.rmtree(stage, ignore_errors=True)


class BuildError(Exception):
    """The changed pages did not build; site/ is as it was."""


def _stage_bundle(search_dir: Path, stage: Path, site_dir: Path, changed: list[str],
                  made: Future | None = None) -> None:
    """The search bundle's parts whose records changed, indexed again (or `made` already, by index_parts):
    their files that site/ lacks, in stage/pagefind/, and the list of all their files. Pagefind names its
    index and filter files (in a part's index/ and filter/) by their content: one already there is the same."""
    from generator.search.index import BUNDLE
    parts = _part_names(changed)
    files = made.result() if made is not None else index_parts(search_dir.parent, changed)
    old = site_dir / BUNDLE
    out = stage / BUNDLE
    for rel, content in files.items():
        there = old / rel
        if there.is_file() and (_named_by_content(rel) or there.read_bytes() == content):
            continue
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    out.mkdir(exist_ok=True)
    (stage / BUNDLE_LIST).write_text(json.dumps({"parts": parts, "files": sorted(files)}), encoding="utf-8")


def _named_by_content(rel: str) -> bool:
    """Whether a bundle file (of any part) is in an index/ or filter/ folder, whose files Pagefind names by a
    hash of their content."""
    return rel.rsplit("/", 2)[-2:-1] in (["index"], ["filter"])


BUNDLE_LIST = "pagefind.files"  # in the staging folder: the parts indexed again, and every file they have now
ENTRY = "pagefind-entry.json"  # a part's file naming the others: replaced after them


def _stage(root: Path, stage: Path, changes: dict, strict: bool, epoch: str, settings: dict) -> int:
    from mkdocs.commands import build as mkdocs_build
    from mkdocs.config import load_config
    from mkdocs.structure.files import File, Files, set_exclusions
    from mkdocs.structure.nav import get_navigation
    from mkdocs.structure.pages import Page

    warnings = Warnings()
    logging.getLogger("mkdocs").addHandler(warnings)
    saved_epoch = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = epoch
    try:
        config = load_config(config_file=str(root / "mkdocs.yml"), site_dir=str(stage), strict=strict, **settings)
        config.plugins.on_startup(command="incremental", dirty=False)
        config = config.plugins.on_config(config)
        docs = config.docs_dir
        pages = [rel for rel in changes["changed"] if rel.endswith(".md")]
        nav_pages = _nav_files(config)
        files = Files([File(rel, docs, str(stage), config.use_directory_urls)
                       for rel in sorted(set(pages) | nav_pages)])
        set_exclusions(files, config)
        env = config.theme.get_env()
        nav = get_navigation(files, config)
        nav = config.plugins.on_nav(nav, config=config, files=files)
        todo = [files.get_file_from_path(rel) for rel in pages]
        for file in todo:
            if file.page is None:
                Page(None, file, config)
            mkdocs_build._populate_page(file.page, config, files)
        env = config.plugins.on_env(env, config=config, files=files)
        doc_files = files.documentation_pages()
        for file in todo:
            mkdocs_build._build_page(file.page, config, doc_files, nav, env)
        for rel in changes["changed"]:
            if not rel.endswith(".md"):
                target = stage / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(Path(docs) / rel, target)
    except Exception as exc:
        raise BuildError(f"{type(exc).__name__}: {exc}") from None
    finally:
        logging.getLogger("mkdocs").removeHandler(warnings)
        if saved_epoch is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = saved_epoch
    if strict and warnings.messages:
        raise BuildError("MkDocs warned (strict): " + "; ".join(warnings.messages[:3]))
    return len(todo)


def _nav_files(config) -> set[str]:
    """The Markdown files the nav names (it is built from them; the others are outside it)."""
    found: set[str] = set()

    def walk(items):
        for item in items or ():
            value = next(iter(item.values())) if isinstance(item, dict) else item
            if isinstance(value, list):
                walk(value)
            elif isinstance(value, str) and value.endswith(".md") and "://" not in value:
                found.add(value)
    walk(config.nav)
    return found


def _move_in(stage: Path, site_dir: Path) -> None:
    """Each staged file onto its place in site_dir. The search bundle's new files go in first, each part's
    entry file (which names the rest) after them; then the files its new parts no longer have are removed."""
    from generator.search.index import BUNDLE, part_folders
    listing = stage / BUNDLE_LIST
    bundle = json.loads(listing.read_text(encoding="utf-8")) if listing.is_file() else None
    if listing.is_file():
        listing.unlink()
    last = []
    for folder, _, names in os.walk(stage):
        rel = os.path.relpath(folder, stage)
        target = site_dir / rel
        target.mkdir(parents=True, exist_ok=True)
        os.chmod(target, 0o755)
        for name in names:
            os.chmod(os.path.join(folder, name), 0o644)
            if name == ENTRY and rel.split(os.sep)[0] == BUNDLE:
                last.append((os.path.join(folder, name), target / name))
            else:
                os.replace(os.path.join(folder, name), target / name)
    for source, target in last:
        os.replace(source, target)
    if bundle is not None:
        root = site_dir / BUNDLE
        keep = {os.path.normpath(root / rel) for rel in bundle["files"]}
        for part in bundle["parts"]:
            for top in part_folders(root, part):
                _remove_others(top, keep, recurse=top != root)


def _remove_others(folder: Path, keep: set[str], recurse: bool) -> None:
    """The files under folder (below it too if `recurse`) that are not in `keep`."""
    for path, dirs, names in os.walk(folder):
        for name in names:
            full = os.path.normpath(os.path.join(path, name))
            if full not in keep:
                os.unlink(full)
        if not recurse:
            break
