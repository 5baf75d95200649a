"""Which pages an edit to one document can change, so that a build after it renders only those.

The generator keeps, beside the folder it writes (build/docs-state.json for build/docs), what the last build
rendered from: a fingerprint of everything but the documents (the generator's code and templates, the
schemas, jurisdictions, bodies and themes, mkdocs.yml), a hash of each document file and of each source
text, and for each document the pages that linked to it and the pages its data placed it on. When only
documents and sources changed, and the same documents exist, the pages to render again are:

- the pages of the changed documents and their tasks (documents/<id>/..., tasks/<id>/...);
- every page that linked to one of them in the last build (every page that shows a task or a document
  links to it: the templates make those links through the renderer, which records them);
- the pages the changed documents' data puts them on now or put them on then: their themes (and their
  parent themes) and bodies (and issuers), with those pages' folders for the document's province; its
  jurisdiction and the ones above it; the documents they implement and those implementing them (each a
  folder of pages, so a listing that pages differently is all re-rendered);
- the task pages whose related tasks now include one of their tasks;
- the site-wide pages: home, indexes, indicators, compare, data.

Anything else (another document added or removed, any other file changed) renders every page. A page not
rendered keeps its file, and tests/test_incremental.py proves the result is the same bytes as a clean build.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from generator.content.project import Project
from generator.model.site import Site
from generator.pages.jobs import related_tasks

VERSION = 1
FOLDERS = ("tasks/", "documents/", "themes/", "bodies/", "jurisdictions/")
GENERATOR = Path(__file__).resolve().parents[1]


def state_path(out_dir: Path) -> Path:
    return out_dir.with_name(out_dir.name + "-state.json")


def _digest(paths, base: Path) -> str:
    h = hashlib.sha1()
    for path in paths:
        h.update(path.relative_to(base).as_posix().encode() + b"\0")  # a copied project keeps its state
        try:
            h.update(path.read_bytes())
        except OSError:
            h.update(b"missing")
    return h.hexdigest()


def fingerprint(project: Project, with_history: bool) -> str:
    """Everything a page can depend on besides the documents and sources."""
    code = sorted(p for p in GENERATOR.rglob("*") if p.is_file() and p.suffix in (".py", ".j2"))
    inputs = [project.content / f"{name}.yaml" for name in ("jurisdictions", "bodies", "themes")]
    inputs += sorted(project.schema.glob("*.json")) + [project.root / "mkdocs.yml"]
    return f"{VERSION}:{with_history}:{sys.version_info[:2]}:{_digest(code, GENERATOR)}:{_digest(inputs, project.root)}"


def content_hashes(project: Project) -> dict[str, str]:
    """A hash of each document file and each source text, by path under content/."""
    out = {}
    for folder in ("documents", "sources"):
        for path in sorted((project.content / folder).iterdir()):
            if path.is_file():
                out[f"{folder}/{path.name}"] = hashlib.sha1(path.read_bytes()).hexdigest()
    return out


def placed_on(site: Site, doc_id: str) -> list[str]:
    """The page paths and folders (ending in /) the document's data puts it on."""
    doc = site.document[doc_id]
    out = {f"documents/{doc_id}/", f"tasks/{doc_id}/"}
    themes = {th for t in doc.tasks for th in t.themes}
    themes |= {site.theme[th].parent for th in themes if th in site.theme and site.theme[th].parent}
    bodies = {b.body for t in doc.tasks for b in t.bodies} | set(doc.issuer or ())
    places = []
    jid = doc.jurisdiction
    while jid and jid in site.jurisdiction and jid not in places:
        places.append(jid)
        jid = site.jurisdiction[jid].parent
    for kind, ids in (("themes", themes), ("bodies", bodies)):  # their pages of other provinces do not show it
        for ident in ids:
            out |= {f"{kind}/{ident}.md"} | {f"{kind}/{ident}/{place}/" for place in places}
    out |= {f"jurisdictions/{place}{end}" for place in places for end in (".md", "/")}
    for task in doc.tasks:
        others = [key.split("/", 1)[0] for key in task.implements]
        others += [t.doc for t in site.implemented_by.get(task.key, ())]
        out |= {f"{kind}/{other}/" for other in others for kind in ("documents", "tasks")}
    return sorted(out)


def histories_hash(site: Site, histories: dict) -> dict[str, str]:
    return {doc.id: hashlib.sha1(repr([histories.get(t.key, ()) for t in doc.tasks]).encode()).hexdigest()
            for doc in site.documents}


def site_wide(path: str) -> bool:
    return not path.startswith(FOLDERS) or path.count("/") == 1 and path.endswith("/index.md")


@dataclass
class Plan:
    """What this build renders (`wanted`: None for every page) and what the next one will need to know."""

    fingerprint: str
    hashes: dict[str, str]
    histories: dict[str, str]
    wanted: Callable[[str], bool] | None = None
    reason: str = "first build"
    changed: list[str] = field(default_factory=list)
    old: dict | None = None


def plan(project: Project, out_dir: Path, site: Site, histories: dict, with_history: bool) -> Plan:
    """Compare with the last build's state: which pages must be rendered again."""
    now = Plan(fingerprint(project, with_history), content_hashes(project), histories_hash(site, histories))
    try:
        old = json.loads(state_path(out_dir).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return now
    if not out_dir.is_dir() or old.get("fingerprint") != now.fingerprint:
        now.reason = "the generator, a schema, mkdocs.yml or a shared content file changed"
        return now
    if sorted(old["placed"]) != sorted(doc.id for doc in site.documents):
        now.reason = "documents were added or removed"
        return now
    changed_files = {p for p in set(old["hashes"]) | set(now.hashes) if old["hashes"].get(p) != now.hashes.get(p)}
    changed = sorted(doc.id for doc in site.documents
                     if f"documents/{doc.id}.yaml" in changed_files or f"sources/{doc.source_file}" in changed_files
                     or old["histories"].get(doc.id) != now.histories[doc.id])
    if any(p.startswith("documents/") and p.removeprefix("documents/").removesuffix(".yaml") not in site.document
           for p in changed_files):
        now.reason = "a document file no longer holds the document of its name"
        return now
    pages: set[str] = set()
    folders: set[str] = set()
    for doc_id in changed:
        pages.update(old["links"].get(doc_id, ()))
        for where in old["placed"][doc_id] + placed_on(site, doc_id):
            (folders if where.endswith("/") else pages).add(where)
    changed_set = set(changed)
    for task in site.all_tasks:
        if any(t.doc in changed_set for t in related_tasks(site, task)):
            pages.add(f"tasks/{task.doc}/{task.id}.md")
    starts = tuple(sorted(folders))
    now.wanted = lambda path: path in pages or site_wide(path) or path.startswith(starts)
    now.changed, now.old, now.reason = changed, old, f"{len(changed)} of {len(site.documents)} documents changed"
    return now


def save(plan: Plan, out_dir: Path, site: Site, record: dict) -> None:
    """Write the state the next build compares with (after this one has written its pages)."""
    links: dict[str, set[str]] = {}
    old = plan.old
    if old is not None:  # the pages not rendered this time link as they did
        rendered = set(record["links"])
        for doc_id, paths in old["links"].items():
            links[doc_id] = {p for p in paths if p not in rendered}
    for path, docs in record["links"].items():
        if site_wide(path):  # rendered every time anyway
            continue
        for doc_id in docs:
            if not path.startswith((f"tasks/{doc_id}/", f"documents/{doc_id}/")):  # its own: rendered with it
                links.setdefault(doc_id, set()).add(path)
    removed = set(record.get("removed", ()))
    state = {"fingerprint": plan.fingerprint, "hashes": plan.hashes, "histories": plan.histories,
             "placed": {doc.id: placed_on(site, doc.id) for doc in site.documents},
             "links": {d: sorted(p for p in paths if p not in removed) for d, paths in sorted(links.items())}}
    path = state_path(out_dir)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(state, separators=(",", ":")), encoding="utf-8")
    os.replace(tmp, path)


def forget(out_dir: Path) -> None:
    """After a build that failed part-way: the next one renders every page."""
    try:
        state_path(out_dir).unlink()
    except FileNotFoundError:
        pass
