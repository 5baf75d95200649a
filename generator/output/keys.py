"""Render keys: after an edit, a file of build/docs is rendered again only if what it shows may have changed.

A file's key digests what it is made from: everything site-wide (the generator's code and templates, the
schema, mkdocs.yml, the jurisdictions, bodies and themes, the site's address and build date) and each
document it reads (pages/reads.py), by the document's whole record, source text and history. A file whose
key and bytes on disk (size and modification time) are those of the last build is left as it is; a file of
the whole site (no reads) is rendered every time. tests/test_incremental.py holds the result to a clean build.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from generator.model.site import Site

CODE = ("generator", "schema")  # folders whose files every page may depend on
VERSION = 2  # of the cache file's layout (2: keys no longer hold the path)


def _digest(*parts: str | bytes) -> str:
    h = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()


def code_digest(root: Path) -> str:
    """The generator's code and templates, the schema and mkdocs.yml, by content."""
    parts: list[str | bytes] = []
    for folder in CODE:
        for path in sorted((root / folder).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                parts += [path.relative_to(root).as_posix(), path.read_bytes()]
    config = root / "mkdocs.yml"
    parts += ["mkdocs.yml", config.read_bytes() if config.is_file() else b""]
    return _digest(*parts)


def site_digest(root: Path, site: Site, *settings: object) -> str:
    """What every page may show besides its documents."""
    return _digest(code_digest(root), repr((site.jurisdictions, site.bodies, site.themes)), repr(settings))


def document_digests(site: Site, histories: dict) -> dict[str, str]:
    """Each document's record (with its tasks), source text and the history of its tasks."""
    return {doc.id: _digest(repr(doc), site.sources.get(doc.source_file, ""),
                            repr([histories.get(t.key, ()) for t in doc.tasks]))
            for doc in site.documents}


def document_keys(common: str, digests: dict[str, str]) -> dict[str, str]:
    """Each document's key: what its records are made from, with everything site-wide."""
    return {doc_id: _digest(common, digest) for doc_id, digest in digests.items()}


def job_keys(jobs, common: str, digests: dict[str, str]) -> list[str | None]:
    """Each job's key, None for a job that reads the whole site. The key is not the path's: the cache is by path
    (so most task pages of a document share one key, made once, not 43,000 digests at 10,000 tasks)."""
    of_reads: dict[frozenset, str] = {}
    made: dict[tuple, str] = {}
    keys: list[str | None] = []
    for job in jobs:
        reads = job.reads
        if reads is None:
            keys.append(None)
            continue
        kind = (reads, getattr(job, "template", ""), getattr(job, "shape", ""))
        key = made.get(kind)
        if key is None:
            part = of_reads.get(reads)
            if part is None:
                part = of_reads[reads] = _digest(*(f"{d}={digests.get(d, '-')}" for d in sorted(reads)))
            key = made[kind] = _digest(common, kind[1], kind[2], part)
        keys.append(key)
    return keys


def cache_path(out_dir: Path) -> Path:
    return out_dir.parent / f"{out_dir.name}.keys.json"


def read_cache(out_dir: Path) -> dict[str, list]:
    """path -> [key, size, mtime_ns] of every file the last build wrote into out_dir (key None for a file of
    the whole site); empty if there is none, or it cannot be read."""
    try:
        data = json.loads(cache_path(out_dir).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data.get("files", {}) if isinstance(data, dict) and data.get("version") == VERSION else {}


def write_cache(out_dir: Path, files: dict[str, list]) -> None:
    path = cache_path(out_dir)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps({"version": VERSION, "files": files}, separators=(",", ":"), sort_keys=True),
                   encoding="utf-8")
    os.replace(tmp, path)


def unchanged(out_dir: Path, path: str, key: str | None, cached: dict[str, list]) -> bool:
    """Whether the file at `path` is the one the last build rendered for this key."""
    if key is None:
        return False
    entry = cached.get(path)
    if not entry or entry[0] != key:
        return False
    try:
        st = os.stat(f"{out_dir}/{path}")
    except OSError:
        return False
    return [st.st_size, st.st_mtime_ns] == entry[1:]
