"""Where content lives in a project, and loading all of it (stage 1 over the whole tree)."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from generator.accel import parallel
from generator.content.characters import source_problems
from generator.content.errors import ContentError, Problem
from generator.content.parsed import Parsed, folder_for
from generator.content.reader import RawFile, refusal, load_schema_registry, make_resolver, parse_yaml, read_text

PARALLEL_MIN_FILES = 100  # below this, loading in one process is quicker than forking
CHUNK = 8  # files a process claims at a time
SCHEMAS = {
    "jurisdictions": "jurisdictions.schema.json",
    "bodies": "bodies.schema.json",
    "themes": "themes.schema.json",
    "document": "document.schema.json",
}


@dataclass
class Project:
    """The folders of one Reform Compare project."""

    root: Path

    @property
    def content(self) -> Path:
        return self.root / "content"

    @property
    def schema(self) -> Path:
        return self.root / "schema"

    def display(self, path: Path) -> str:
        """A path as errors show it: relative to the project root."""
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return str(path)


@dataclass
class Loaded:
    """Every content file as raw data, and every source text."""

    registry: dict[str, dict]
    jurisdictions: RawFile
    bodies: RawFile
    themes: RawFile
    documents: list[RawFile]
    sources: dict[str, str] = field(default_factory=dict)  # file name -> text
    parsed: Parsed | None = field(default=None, compare=False, repr=False)  # kept for the next load once checked


def load_content(project: Project, cache: dict | None = None) -> Loaded:
    """Load all content files; raise ContentError with every problem found in any of them.

    `cache` (`make serve` keeps one between its builds) holds each file read without a problem, by its
    inode, size and modification time: a file unchanged since is not read again. Between builds, a file whose
    text is unchanged is not parsed again (content/parsed.py)."""
    registry = load_schema_registry(project.schema)
    resolve = make_resolver(registry)
    cache = {} if cache is None else cache
    parsed = Parsed(folder_for(project.root), registry)
    documents, source_paths, problems = content_files(project)
    files = [(project.content / f"{name}.yaml", name) for name in ("jurisdictions", "bodies", "themes")]
    files += [(path, "document") for path in documents]
    stamps = [stamp(path) for path, _ in files]
    kept = {n: cache[path][1] for n, (path, _) in enumerate(files)
            if stamps[n] and cache.get(path, (None,))[0] == stamps[n]}
    remembered = bool(kept)
    texts: dict[int, tuple[str, str]] = {}  # the files to parse: their text and key
    failed = []
    for n, (path, kind) in enumerate(files):
        if n in kept:
            continue
        display = project.display(path)
        try:
            text = read_text(path, display, inside=project.content)
        except ContentError as exc:
            failed.append((n, None, _missing(kind, display, exc.problems)))
            continue
        key = parsed.key(kind, display, text)
        data = parsed.get(key)
        if data is not None:
            kept[n] = RawFile(display, data, text, schema_valid=True)
        else:
            texts[n] = (text, key)

    def load(n: int) -> tuple[int, RawFile | None, list[Problem]]:
        (path, kind), (text, _) = files[n], texts[n]
        try:
            return n, parse_yaml(text, project.display(path), registry[SCHEMAS[kind]], resolve), []
        except ContentError as exc:
            return n, None, exc.problems

    todo = sorted(texts)
    processes = parallel.workers(len(todo), PARALLEL_MIN_FILES)
    claims = parallel.Claims(processes)
    shares = parallel.in_processes(lambda: [load(n) for i, n in enumerate(todo) if claims.owns(i // CHUNK)],
                                   processes)
    loaded = sorted(parallel.in_order(shares) + failed + [(n, raw, []) for n, raw in kept.items()],
                    key=lambda x: x[0])
    for n, raw, found in loaded:
        problems += found
        if not found and stamps[n]:
            cache[files[n][0]] = (stamps[n], raw)
        if not found and n in texts:
            parsed.put(texts[n][1], raw.data)
    parsed.complete = not remembered  # a file `cache` kept was not looked up: its entry stays
    sources: dict[str, str] = {}
    for path in source_paths:
        mark = stamp(path)
        if mark and cache.get(path, (None,))[0] == mark:
            sources[path.name] = cache[path][1]
            continue
        try:
            sources[path.name] = read_text(path, project.display(path), inside=project.content)
            found = source_problems(sources[path.name], project.display(path))
        except ContentError as exc:
            found = exc.problems
        problems += found
        if not found and mark:
            cache[path] = (mark, sources[path.name])
    if problems:
        raise ContentError(problems)
    (_, jurisdictions, _), (_, bodies, _), (_, themes, _) = loaded[:3]
    return Loaded(registry, jurisdictions, bodies, themes, [raw for _, raw, _ in loaded[3:]], sources, parsed)


def _missing(kind: str, display: str, problems: list[Problem]) -> list[Problem]:
    if kind != "document" and [p.message for p in problems] == ["file is missing"]:
        return [Problem(display, 1, 1, "file is missing", "every project has content/"
                        "jurisdictions.yaml, bodies.yaml and themes.yaml")]
    return problems


def stamp(path: Path) -> tuple | None:
    """A regular file's inode, size and modification time (None for anything else: read, and refused, anew)."""
    try:
        st = os.lstat(path)
    except OSError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns) if stat.S_ISREG(st.st_mode) else None


TOP_FILES = ("jurisdictions.yaml", "bodies.yaml", "themes.yaml")
_LAYOUT = ("content/ holds jurisdictions.yaml, bodies.yaml, themes.yaml, documents/<id>.yaml and "
           "sources/<id>.txt, and nothing else")


def content_files(project: Project) -> tuple[list[Path], list[Path], list[Problem]]:
    """The document files and source files to read, and a problem for every other thing under content/:
    nothing there is skipped without a word (a file that is not read would be content nobody checked)."""
    problems: list[Problem] = []

    def stray(path: Path, message: str, hint: str) -> None:
        problems.append(Problem(project.display(path), 1, 1, message, hint))

    def entries(folder: Path) -> list[tuple[Path, int]]:
        try:
            mode = os.lstat(folder).st_mode
            if not stat.S_ISDIR(mode):
                return []  # reported by whoever expects it
            with os.scandir(folder) as scan:
                return sorted((Path(e.path), e.stat(follow_symlinks=False).st_mode) for e in scan)
        except OSError:
            return []

    folders = {"documents": (".yaml", []), "sources": (".txt", [])}
    for path, mode in entries(project.content):
        name = path.name
        if name in TOP_FILES or (name in folders and stat.S_ISDIR(mode)):
            continue  # read (and refused there if it is not a regular file)
        if name in folders:
            problems.append(refusal(str(path), project.display(path), mode))
            continue
        if name.startswith("."):
            stray(path, "hidden file or folder is not read", f"remove it: {_LAYOUT}")
        elif stat.S_ISDIR(mode):
            stray(path, "this folder is not read", f"move its files into documents/ or sources/: {_LAYOUT}")
        else:
            stray(path, "this file is not read", f"{_LAYOUT}; move or remove it")
    for folder, (suffix, found) in folders.items():
        base = project.content / folder
        for path, mode in entries(base):
            name = path.name
            if name.startswith("."):
                stray(path, "hidden file is not read", f"remove it, or rename it without the dot if it is "
                      f"content/{folder}/{name.lstrip('.')}")
            elif stat.S_ISDIR(mode) and name.endswith(suffix):
                problems.append(refusal(str(path), project.display(path), mode))
            elif stat.S_ISDIR(mode):
                stray(path, f"folders inside content/{folder}/ are not read",
                      f"move the files up into content/{folder}/ (one folder, no sub-folders)")
            elif name.endswith(suffix) and name != suffix:
                found.append(path)  # read; refused there if a link, a device or a pipe
            else:
                stem = name.split(".", 1)[0]
                stray(path, f"files in content/{folder}/ end in {suffix} (lower case); this one is not read",
                      f"rename it to {stem}{suffix} if it is content, or remove it")
    return folders["documents"][1], folders["sources"][1], problems
