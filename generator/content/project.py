"""Where content lives in a project, and loading all of it (stage 1 over the whole tree)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from generator.accel import parallel
from generator.content.errors import ContentError, Problem
from generator.content.reader import RawFile, load_schema_registry, load_yaml, make_resolver, read_text

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


def load_content(project: Project) -> Loaded:
    """Load all content files; raise ContentError with every problem found in any of them."""
    registry = load_schema_registry(project.schema)
    resolve = make_resolver(registry)
    problems: list[Problem] = []

    def load(path: Path, schema_name: str) -> tuple[RawFile | None, list[Problem]]:
        display = project.display(path)
        if not path.is_file():
            return None, [Problem(display, 1, 1, "file is missing",
                                  "every project has content/jurisdictions.yaml, bodies.yaml and themes.yaml")]
        try:
            return load_yaml(path, display, registry[SCHEMAS[schema_name]], resolve), []
        except ContentError as exc:
            return None, exc.problems

    files = [(project.content / f"{name}.yaml", name) for name in ("jurisdictions", "bodies", "themes")]
    for path in sorted((project.content / "documents").glob("*")):
        if path.suffix == ".yml":
            problems.append(Problem(project.display(path), 1, 1, "document files end in .yaml",
                                    f"rename it to {path.stem}.yaml"))
        elif path.suffix == ".yaml" and not path.name.startswith("."):
            files.append((path, "document"))
    processes = parallel.workers(len(files), PARALLEL_MIN_FILES)
    claims = parallel.Claims(processes)
    shares = parallel.in_processes(lambda: [(n, *load(path, kind)) for n, (path, kind) in enumerate(files)
                                            if claims.owns(n // CHUNK)], processes)
    loaded = parallel.in_order(shares)
    for _, _, found in loaded:
        problems += found
    sources: dict[str, str] = {}
    for path in sorted((project.content / "sources").glob("*.txt")):
        try:
            sources[path.name] = read_text(path, project.display(path))
        except ContentError as exc:
            problems.extend(exc.problems)
    if problems:
        raise ContentError(problems)
    (_, jurisdictions, _), (_, bodies, _), (_, themes, _) = loaded[:3]
    return Loaded(registry, jurisdictions, bodies, themes, [raw for _, raw, _ in loaded[3:]], sources)
