"""Where content lives in a project, and loading all of it (stage 1 over the whole tree)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .errors import ContentError, Problem
from .load import RawFile, load_schema_registry, load_yaml, make_resolver, read_text

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

    def load(path: Path, schema_name: str) -> RawFile | None:
        display = project.display(path)
        if not path.is_file():
            problems.append(Problem(display, 1, 1, "file is missing",
                                    "every project has content/jurisdictions.yaml, bodies.yaml and themes.yaml"))
            return None
        try:
            return load_yaml(path, display, registry[SCHEMAS[schema_name]], resolve)
        except ContentError as exc:
            problems.extend(exc.problems)
            return None

    jurisdictions = load(project.content / "jurisdictions.yaml", "jurisdictions")
    bodies = load(project.content / "bodies.yaml", "bodies")
    themes = load(project.content / "themes.yaml", "themes")
    documents = []
    doc_dir = project.content / "documents"
    for path in sorted(doc_dir.glob("*")):
        if path.suffix == ".yml":
            problems.append(Problem(project.display(path), 1, 1, "document files end in .yaml",
                                    f"rename it to {path.stem}.yaml"))
            continue
        if path.suffix != ".yaml" or path.name.startswith("."):
            continue
        raw = load(path, "document")
        if raw is not None:
            documents.append(raw)
    sources: dict[str, str] = {}
    for path in sorted((project.content / "sources").glob("*.txt")):
        try:
            sources[path.name] = read_text(path, project.display(path))
        except ContentError as exc:
            problems.extend(exc.problems)
    if problems:
        raise ContentError(problems)
    return Loaded(registry, jurisdictions, bodies, themes, documents, sources)
